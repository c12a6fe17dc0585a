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
        it("by default allows the platform charts' registries, Docker Hub's official images and private ECR", async () => {
            for (const ok of ["registry.k8s.io/metrics-server/metrics-server:v0.8.1", "quay.io/argoproj/argocd:v3.4.4", "postgres:17.2",
                "docker.io/library/nginx:1.27", "ecr-public.aws.com/docker/library/redis:8.2.3-alpine", "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api:1.0.0"]) {
                await assertNoViolation("allowed-image-registries", image(ok));
            }
        });
        it("by default refuses other registries and Docker Hub images outside library/", async () => {
            await assertViolation("allowed-image-registries", image("ghcr.io/acme/api:1.0.0"), ['from registry "ghcr.io"', "docker.io/library", "*.dkr.ecr.*.amazonaws.com"]);
            await assertViolation("allowed-image-registries", image("acme/api:1.0.0"), 'uses image "acme/api:1.0.0" from registry "docker.io"');
            await assertViolation("allowed-image-registries", image("quay.io/evil/argocd:v3.4.4"), 'from registry "quay.io"');
            await assertViolation("allowed-image-registries", image("evil.example/123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"), 'from registry "evil.example"');
        });
        it("narrows private ECR to the configured accounts", async () => {
            const accounts = { "allowed-image-registries": { ecrAccountIds: ["123456789012"] } };
            await assertNoViolation("allowed-image-registries", image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1"), accounts);
            await assertViolation("allowed-image-registries", image("999999999999.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1"),
                ["from the ECR registry of account 999999999999", "must come from the ECR of account 123456789012"], accounts);
        });
        it("matches `*` in a registry host as one DNS label only", () => {
            assert.ok(imageAllowed("123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1", ["*.dkr.ecr.*.amazonaws.com"]));
            assert.ok(!imageAllowed("x.y.dkr.ecr.us-east-1.amazonaws.com/a:1", ["*.dkr.ecr.*.amazonaws.com"]));
            assert.ok(!imageAllowed("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/a:1", ["*.dkr.ecr.*.amazonaws.com"]));
        });
        it("is off when the configured list is empty", async () => {
            const none = { "allowed-image-registries": { registries: [] } };
            await assertNoViolation("allowed-image-registries", image("ghcr.io/acme/api:1.0.0"), none);
            const [d] = image("ghcr.io/acme/api:1.0.0").filter((o) => o.kind === "Deployment");
            await assertNotApplicable("allowed-image-registries", d, "no allowed registries are configured", none);
        });
        it("passes an image from an allowed registry", () => assertNoViolation("allowed-image-registries", goodStack(), config));
        it("fails an image from another registry, naming registry and property", () => assertViolation("allowed-image-registries", image("nginx:1.27"),
            ['uses image "nginx:1.27" from registry "docker.io"', `spec.template.spec.containers[0].image must come from one of: ${REGISTRY}`], config));
        it("does not apply to a Service", () => assertNotApplicable("allowed-image-registries", service(), undefined, config));
    });

    describe("require-image-digest", () => {
        const prod = { "require-image-digest": "mandatory" };
        const digest = "a".repeat(64);
        const only = (img: string) => image(img).filter((o) => o.kind === "Deployment");
        it("is off unless the policy config turns it on (for production)", () => assertNoViolation("require-image-digest", image("nginx:1.27")));
        it("when on, refuses a tag without a digest, naming the property", () => assertViolation("require-image-digest", image("nginx:1.27"),
            ['container "app" uses image "nginx:1.27", which is not pinned by digest', "spec.template.spec.containers[0].image"], prod));
        it("when on, accepts a sha256 digest with or without a tag", async () => {
            await assertNoViolation("require-image-digest", only(`nginx@sha256:${digest}`), prod);
            await assertNoViolation("require-image-digest", only(`${REGISTRY}/web:1.2.3@sha256:${digest}`), prod);
        });
        it("when on, refuses a malformed digest", () => assertViolation("require-image-digest", image("nginx@sha256:abc"), "is not sha256:<64 hex digits>", prod));
        it("checks init containers too", () => assertViolation("require-image-digest", changed("Deployment", (d) => {
            d.spec.template.spec.containers[0].image = `nginx@sha256:${digest}`;
            d.spec.template.spec.initContainers = [{ name: "migrate", image: "flyway/flyway:10" }];
        }).filter((o) => o.kind === "Deployment"), 'init container "migrate"', prod));
    });
});
