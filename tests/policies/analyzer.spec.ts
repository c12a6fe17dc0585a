import * as assert from "assert";
import { analyze, evaluate, loadPack, resolvePackConfig } from "../../cli/engine/analyzer";
import { kubernetesPack, repoRoot, resourceOf } from "../helpers/policy";
import * as fs from "fs";
import * as path from "path";

const deployment = (image: string) => ({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" },
    spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image }] } } },
});

describe("analyzer (cli/engine/analyzer.ts)", () => {
    it("loads the pack as the policy-pack runner does: name and version from the pack", () => {
        const pack = loadPack(path.join(repoRoot, "policies", "kubernetes"));
        assert.strictEqual(pack.name, "k8sprod-kubernetes");
        assert.strictEqual(pack.version, JSON.parse(fs.readFileSync(path.join(repoRoot, "policies", "kubernetes", "package.json"), "utf8")).version);
        assert.ok(pack.policies.some((p) => p.name === "disallow-latest-tag"));
    });

    it("reports a violation through the SDK's analyze handler, with the resource's URN", async () => {
        const r = resourceOf(deployment("nginx:latest"));
        const vs = await analyze([kubernetesPack()], [r]);
        const v = vs.find((x) => x.policy === "disallow-latest-tag");
        assert.ok(v, JSON.stringify(vs));
        assert.strictEqual(v.urn, r.urn);
        assert.strictEqual(v.policyPack, "k8sprod-kubernetes");
        assert.strictEqual(v.enforcementLevel, "mandatory");
        assert.match(v.message, /^Deployment "web" in namespace "shop": container "app" uses image "nginx:latest"/);
    });

    it("reports nothing for a pinned image", async () => {
        const vs = await analyze([kubernetesPack()], [resourceOf(deployment("nginx:1.27.3"))]);
        assert.deepStrictEqual(vs.filter((v) => v.policy === "disallow-latest-tag"), []);
    });

    it("applies config through the configure handler: a per-policy level and a disabled policy", async () => {
        const r = resourceOf(deployment("nginx"));
        const advisory = await analyze([kubernetesPack()], [r], { "disallow-latest-tag": "advisory" });
        assert.strictEqual(advisory.find((v) => v.policy === "disallow-latest-tag")?.enforcementLevel, "advisory");
        const disabled = await analyze([kubernetesPack()], [r], { "disallow-latest-tag": { enforcementLevel: "disabled" } });
        assert.strictEqual(disabled.filter((v) => v.policy === "disallow-latest-tag").length, 0);
        // The config of one call does not leak into the next.
        const again = await analyze([kubernetesPack()], [r]);
        assert.strictEqual(again.find((v) => v.policy === "disallow-latest-tag")?.enforcementLevel, "mandatory");
    });

    it("fills schema defaults and refuses config that breaks a schema, naming every problem", () => {
        const resolved = resolvePackConfig(kubernetesPack());
        assert.deepStrictEqual(resolved["allowed-image-registries"].properties.registries, []);
        assert.throws(() => resolvePackConfig(kubernetesPack(), { "allowed-image-registries": { registries: "ghcr.io" }, "no-such-policy": "mandatory" }),
            (e: any) => /allowed-image-registries.registries: must be array/.test(e.message) && /no-such-policy/.test(e.message));
    });

    it("reports an unknown value as the SDK does: advisory, can't run during preview", async () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const ev = await evaluate([kubernetesPack()], [resourceOf(deployment(unknown))]);
        const v = ev.violations.find((x) => x.policy === "disallow-latest-tag");
        assert.ok(v);
        assert.strictEqual(v.enforcementLevel, "advisory");
        assert.match(v.message, /can't run policy 'disallow-latest-tag'.*during preview/);
    });
});
