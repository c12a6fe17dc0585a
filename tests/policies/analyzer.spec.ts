import * as assert from "assert";
import { analyze, evaluate, loadPack, resolvePackConfig } from "../../cli/engine/analyzer";
import { DEFAULT_ALLOWED_REGISTRIES } from "../../policies/kubernetes/images";
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
        assert.deepStrictEqual(resolved["allowed-image-registries"].properties.registries, [...DEFAULT_ALLOWED_REGISTRIES]);
        assert.deepStrictEqual(resolved["allowed-image-registries"].properties.ecrAccountIds, []);
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

describe("analyzer: packs other than k8sprod-kubernetes", () => {
    const dir = path.join(repoRoot, "tests", "policies", "fixtures", "throwing-pack");
    const r = (name: string, replicas = 1) => ({ urn: `urn:pulumi:t::p::kubernetes:apps/v1:Deployment::${name}`, type: "kubernetes:apps/v1:Deployment", name, properties: { spec: { replicas } } });

    it("loads any pack directory, with its own name, version and pack-wide enforcement level", () => {
        const pack = loadPack(dir);
        assert.strictEqual(pack.name, "throwing-pack");
        assert.strictEqual(pack.version, "2.0.0");
        assert.strictEqual(pack.enforcementLevel, "advisory");
    });

    it("fails the evaluation when a policy throws, naming the pack and the resource (as a preview fails)", async () => {
        const pack = loadPack(dir);
        await assert.rejects(() => analyze([pack], [r("fine"), r("boom")]), /throwing-pack failed on urn:pulumi:t::p::kubernetes:apps\/v1:Deployment::boom: Error validating resource with policy .throws-on-boom.[^]*kaboom/);
        assert.deepStrictEqual(await analyze([pack], [r("fine")]), []);
    });

    it("fills a schema default and sends config per pack when keyed by pack name", async () => {
        const pack = loadPack(dir);
        const vs = await analyze([pack, kubernetesPack()], [r("big", 7)], { "throwing-pack": { "max-replicas": { max: 6 } } });
        assert.deepStrictEqual(vs.filter((v) => v.policyPack === "throwing-pack").map((v) => v.message), ["replicas 7 above 6"]);
        const byDefault = await analyze([pack], [r("big", 6)]);
        assert.deepStrictEqual(byDefault.map((v) => v.message), ["replicas 6 above 5"]);
        assert.throws(() => resolvePackConfig(pack, { "max-replicas": { max: "six" } }), /max-replicas.max: must be integer/);
    });

    it("refuses a directory that is not a pack", () => {
        assert.throws(() => loadPack(path.join(repoRoot, "tests")), /is not a policy pack: it has no PulumiPolicy.yaml/);
    });
});

describe("analyzer: one config document for several packs", () => {
    it("gives pack-wide settings (stage) to the pack that understands them, and policy entries to their pack", async () => {
        const aws = loadPack(path.join(repoRoot, "policies", "aws"));
        const r = resourceOf(deployment("nginx:latest"));
        const vs = await analyze([kubernetesPack(), aws], [r], { stage: "warn", "disallow-latest-tag": "mandatory" });
        assert.strictEqual(vs.find((v) => v.policy === "disallow-latest-tag")?.enforcementLevel, "advisory");
        await assert.rejects(() => analyze([kubernetesPack(), aws], [r], { stag: "warn" }), /stag: unknown key: no policy of that name in the pack, and not one of stage, exemptions, podSecurity/);
    });
});
