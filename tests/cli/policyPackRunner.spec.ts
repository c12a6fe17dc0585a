// Every pack in policies/ started as `pulumi preview --policy-pack policies/<pack>` starts it: the
// SDK's policy-pack runner (@pulumi/pulumi/cmd/run-policy-pack) in the pack's folder, spoken to over
// gRPC as the CLI does (Handshake, ConfigureStack, GetAnalyzerInfo, Configure, then Analyze).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadPack, resolvePackConfig } from "../../cli/engine/analyzer";
import { analyzeOverGrpc, configurePack, startPolicyPack } from "../../cli/engine/policy-runner";
import type { StartedPack } from "../../cli/engine/policy-runner";
import { bundledPacks } from "../../cli/packs";
import { notEvaluatedReason } from "../../cli/report/report";

const LATEST_DEPLOYMENT = {
    urn: "urn:pulumi:dev::k8sprod::kubernetes:apps/v1:Deployment::web",
    type: "kubernetes:apps/v1:Deployment",
    name: "web",
    properties: {
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" },
        spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:latest" }] } } },
    },
};

describe("the policy packs, started by the SDK's policy-pack runner as pulumi preview starts them", function () {
    this.timeout(600000);
    const packs = bundledPacks();

    it("finds the packs in policies/", () => {
        assert.deepStrictEqual(packs.map((p) => path.basename(p)).sort(), ["aws", "kubernetes"]);
    });

    for (const dir of packs) {
        describe(path.basename(dir), () => {
            let pack: StartedPack;
            before(async () => {
                pack = await startPolicyPack(dir);
                console.log(`      ${path.basename(dir)}: port after ${pack.timings.portMs.toFixed(0)} ms, ready (GetAnalyzerInfo) after ${pack.timings.readyMs.toFixed(0)} ms`);
            });
            after(async () => pack?.close());

            it("serves the Analyzer service and describes the pack the engine loaded", () => {
                const handle = loadPack(dir);
                assert.strictEqual(pack.info.name, handle.name);
                assert.strictEqual(pack.info.version, handle.version);
                assert.strictEqual(pack.info.supportsConfig, true);
                assert.deepStrictEqual(pack.info.policies.map((p) => p.name).sort(), handle.policies.map((p: any) => p.name).sort());
                assert.ok(pack.info.policies.every((p) => p.description.startsWith("Checks whether")), "every description starts with \"Checks whether\"");
                assert.ok(["ok", "unimplemented"].includes(pack.handshake));
                const policySdk = JSON.parse(fs.readFileSync(require.resolve("@pulumi/policy/package.json"), "utf8"));
                assert.strictEqual(pack.pluginVersion, policySdk.version.replace(/^v/, ""));
            });

            it("accepts the CLI's Configure with the pack's reconciled config, then analyzes", async () => {
                const handle = loadPack(dir);
                await configurePack(pack, resolvePackConfig(handle));
                const diagnostics = await analyzeOverGrpc(pack, LATEST_DEPLOYMENT);
                if (handle.name === "k8sprod-kubernetes") {
                    const latest = diagnostics.find((d) => d.policy === "disallow-latest-tag");
                    assert.ok(latest, JSON.stringify(diagnostics));
                    assert.match(latest.message, /nginx:latest/);
                } else {
                    // Kubernetes objects are not this pack's business.
                    assert.deepStrictEqual(diagnostics, []);
                }
                assert.deepStrictEqual(pack.logs, []);
            });
        });
    }
});

describe("the k8sprod-aws pack under the SDK's policy-pack runner, during preview", function () {
    this.timeout(600000);
    const dir = path.join(path.dirname(bundledPacks()[0]), "aws");
    let pack: StartedPack;
    before(async () => {
        pack = await startPolicyPack(dir);
    });
    after(async () => pack?.close());

    it("reports a policy that cannot decide as the SDK allows (advisory, \"can't run ... during preview\"), which the report lists as not evaluated", async () => {
        const handle = loadPack(dir);
        await configurePack(pack, resolvePackConfig(handle));
        const role = {
            urn: "urn:pulumi:dev::k8sprod::aws:iam/role:Role::irsa", type: "aws:iam/role:Role", name: "irsa",
            // a trust document computed from the OIDC provider: unknown during a first preview
            properties: { assumeRolePolicy: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", tags: { Project: "p", Environment: "e" } },
        };
        const diagnostics = await analyzeOverGrpc(pack, role);
        const d = diagnostics.find((x) => x.policy === "irsa-trust-scoped");
        assert.ok(d, JSON.stringify(diagnostics));
        assert.strictEqual(d.enforcementLevel, pack.messages.EnforcementLevel.ADVISORY);
        assert.strictEqual(notEvaluatedReason({ enforcementLevel: "advisory", message: d.message }), "string value at .assumeRolePolicy can't be known during preview");
    });
});
