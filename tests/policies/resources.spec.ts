import * as assert from "assert";
import { assertNotApplicable, assertNoViolation, assertViolation, violationsOf } from "../helpers/policy";
import { changed, goodStack, service } from "./stack";

describe("resources", () => {
    describe("require-resource-requests", () => {
        it("passes containers that request cpu and memory", () => assertNoViolation("require-resource-requests", goodStack()));
        it("fails a container without a memory request, naming the property", () => assertViolation("require-resource-requests",
            changed("Deployment", (d) => { delete d.spec.template.spec.containers[0].resources.requests.memory; }),
            ['Deployment "web" in namespace "shop": container "app" sets no memory request', "spec.template.spec.containers[0].resources.requests.memory"]));
        it("reads a zero request as unset", () => assertViolation("require-resource-requests",
            changed("Deployment", (d) => { d.spec.template.spec.containers[0].resources.requests.cpu = "0"; }), "sets no cpu request"));
        it("checks init containers too", () => assertViolation("require-resource-requests",
            changed("StatefulSet", (s) => { s.spec.template.spec.initContainers = [{ name: "migrate", image: "x:1" }]; }),
            ['StatefulSet "db"', 'init container "migrate" sets no cpu or memory request', "spec.template.spec.initContainers[0].resources.requests.cpu and .memory"]));
        it("does not apply to a Service", () => assertNotApplicable("require-resource-requests", service()));
    });

    describe("require-resource-limits", () => {
        it("passes containers with a memory limit", () => assertNoViolation("require-resource-limits", goodStack()));
        it("fails a container without a memory limit", () => assertViolation("require-resource-limits",
            changed("Deployment", (d) => { delete d.spec.template.spec.containers[0].resources.limits; }),
            ['container "app" sets no memory limit', "spec.template.spec.containers[0].resources.limits.memory"]));
        it("does not require a cpu limit by default (cpu limits throttle)", () => assertNoViolation("require-resource-limits",
            changed("Deployment", (d) => { delete d.spec.template.spec.containers[0].resources.limits.cpu; })));
        it("requires a cpu limit when requireCpuLimit is on", () => assertViolation("require-resource-limits",
            changed("Deployment", (d) => { delete d.spec.template.spec.containers[0].resources.limits.cpu; }),
            "sets no cpu limit", { "require-resource-limits": { requireCpuLimit: true } }));
        it("does not apply to a Service", () => assertNotApplicable("require-resource-limits", service()));
    });

    describe("require-guaranteed-qos", () => {
        it("passes containers whose requests equal their limits (500m = 0.5)", () => assertNoViolation("require-guaranteed-qos",
            changed("Deployment", (d) => { d.spec.template.spec.containers[0].resources = { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "0.5", memory: "1024Mi" } }; })));
        it("passes containers with limits only (requests default to limits)", () => assertNoViolation("require-guaranteed-qos",
            changed("Deployment", (d) => { delete d.spec.template.spec.containers[0].resources.requests; })));
        it("passes, by default, a Burstable container whose limits are at most 2 × its requests (the field guide's starting point)", () => assertNoViolation("require-guaranteed-qos",
            changed("Deployment", (d) => { d.spec.template.spec.containers[0].resources = { requests: { cpu: "250m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } }; })));
        it("fails, as advisory, a container whose memory limit is more than 2 × its request", async () => {
            const v = await assertViolation("require-guaranteed-qos",
                changed("Deployment", (d) => { d.spec.template.spec.containers[0].resources.requests.memory = "64Mi"; }),
                ['container "app" has a memory limit ("256Mi") 4 × its request ("64Mi"), above 2 ×', "neither Guaranteed nor bounded Burstable"]);
            if (v.enforcementLevel !== "advisory") {
                throw new Error(`expected advisory, got ${v.enforcementLevel}`);
            }
        });
        it("with maxLimitToRequestRatio 1, accepts only Guaranteed: a memory request below its limit fails", () => assertViolation("require-guaranteed-qos",
            changed("Deployment", (d) => { d.spec.template.spec.containers[0].resources.requests.memory = "128Mi"; }),
            ['container "app" has a memory request ("128Mi") different from its limit ("256Mi")', "not in the Guaranteed QoS class"],
            { "require-guaranteed-qos": { maxLimitToRequestRatio: 1 } }));
        it("fails a container without a cpu limit (its burst is unbounded)", () => assertViolation("require-guaranteed-qos",
            changed("Deployment", (d) => { delete d.spec.template.spec.containers[0].resources.limits.cpu; }), "has no cpu limit, so its burst is unbounded"));
        it("refuses a ratio below 1", () => assert.rejects(() => violationsOf(changed("Deployment", () => undefined), { "require-guaranteed-qos": { maxLimitToRequestRatio: 0.5 } }),
            /require-guaranteed-qos.maxLimitToRequestRatio: must be >= 1/));
        it("does not apply to a Service", () => assertNotApplicable("require-guaranteed-qos", service()));
    });
});
