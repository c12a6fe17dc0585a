import * as assert from "assert";
import { schemaErrors } from "../helpers/schema";

describe("schema validator (tests/helpers)", () => {
    it("accepts a valid Deployment", async () => {
        const ok = {
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" },
            spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "x", image: "nginx:1.27" }] } } },
        };
        assert.deepStrictEqual(await schemaErrors(ok), []);
    });

    it("rejects a Deployment whose replicas is a string", async () => {
        const bad = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "three", selector: {}, template: {} } };
        const errors = await schemaErrors(bad);
        assert.ok(errors.some((e) => e.includes("/spec/replicas")), errors.join("\n"));
    });

    it("checks custom resources against their CRD", async () => {
        const vpa = { apiVersion: "autoscaling.k8s.io/v1", kind: "VerticalPodAutoscaler", metadata: { name: "v" }, spec: { targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "x" }, updatePolicy: { updateMode: "Sometimes" } } };
        const errors = await schemaErrors(vpa);
        assert.ok(errors.some((e) => e.includes("updateMode")), errors.join("\n"));
        vpa.spec.updatePolicy.updateMode = "Off";
        assert.deepStrictEqual(await schemaErrors(vpa), []);
    });

    it("refuses a kind with no schema instead of passing it", async () => {
        await assert.rejects(() => schemaErrors({ apiVersion: "example.com/v1", kind: "Widget" }), /No schema for example.com\/v1 Widget/);
    });
});
