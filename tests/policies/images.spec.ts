import * as assert from "assert";
import { assertNotApplicable, assertNoViolation, assertViolation } from "../helpers/policy";
import { imageAllowed, parseImage } from "../../policies/kubernetes/images";
import { changed, goodStack, REGISTRY, service } from "./stack";

const image = (img: string) => changed("Deployment", (d) => { d.spec.template.spec.containers[0].image = img; });

describe("images", () => {
    it("parses references as the runtime resolves them", () => {
        assert.deepStrictEqual(parseImage("nginx"), { registry: "docker.io", repository: "library/nginx", tag: undefined, digest: undefined });
        assert.deepStrictEqual(parseImage("localhost:5000/a/b:1@sha256:abc"), { registry: "localhost:5000", repository: "a/b", tag: "1", digest: "sha256:abc" });
        assert.strictEqual(parseImage("ghcr.io/acme/api").tag, undefined);
        assert.ok(imageAllowed("ghcr.io/acme/api:1", ["ghcr.io/acme"]));
        assert.ok(!imageAllowed("ghcr.io/other/api:1", ["ghcr.io/acme"]));
        assert.ok(imageAllowed("nginx:1", ["docker.io"]));
    });

    describe("disallow-latest-tag", () => {
        it("passes a pinned tag", () => assertNoViolation("disallow-latest-tag", goodStack()));
        it("passes a digest, even with latest beside it", () => assertNoViolation("disallow-latest-tag", image(`${REGISTRY}/web:latest@sha256:${"a".repeat(64)}`)));
        it("fails the latest tag, naming the property", () => assertViolation("disallow-latest-tag", image("nginx:latest"),
            ['Deployment "web" in namespace "shop": container "app" uses image "nginx:latest"', "spec.template.spec.containers[0].image must name a tag other than latest"]));
        it("fails an image with no tag (which means latest)", () => assertViolation("disallow-latest-tag", image("registry.example.com:5000/web"), "with no tag, which means latest"));
        it("does not apply to a Service", () => assertNotApplicable("disallow-latest-tag", service()));
    });

    describe("allowed-image-registries", () => {
        const config = { "allowed-image-registries": { registries: [REGISTRY] } };
        it("is off while no registry is configured", async () => {
            await assertNoViolation("allowed-image-registries", image("docker.io/library/nginx:1.27"));
            const [d] = image("nginx:1.27").filter((o) => o.kind === "Deployment");
            await assertNotApplicable("allowed-image-registries", d, "no allowed registries are configured");
        });
        it("passes an image from an allowed registry", () => assertNoViolation("allowed-image-registries", goodStack(), config));
        it("fails an image from another registry, naming registry and property", () => assertViolation("allowed-image-registries", image("nginx:1.27"),
            ['uses image "nginx:1.27" from registry "docker.io"', `spec.template.spec.containers[0].image must come from one of: ${REGISTRY}`], config));
        it("does not apply to a Service", () => assertNotApplicable("allowed-image-registries", service(), undefined, config));
    });
});
