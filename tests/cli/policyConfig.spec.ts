// `k8sprod policy-config`: the expanded file `pulumi preview --policy-pack-config` reads. Read the way the
// Pulumi CLI reads it (Pulumi's format only: no pack-wide keys, no expansion), it makes the pack report
// exactly what `k8sprod` reports from the original document; bad documents are refused with their paths.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { analyze, loadPack, PackHandle } from "../../cli/engine/analyzer";
import { kubernetesPack, repoRoot, resourceOf } from "../helpers/policy";
import { changed } from "../policies/stack";
import { bin, cli } from "./helpers";

/** The pack as the Pulumi CLI drives it: the config file is the policy config, nothing expands it. */
const asPulumiCli = (pack: PackHandle): PackHandle => ({ ...pack, expandConfig: undefined });

describe("k8sprod policy-config", () => {
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-policy-config-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("writes a file in Pulumi's format in which the stage and pack-wide exemptions behave as they do offline", async () => {
        const doc = {
            ...JSON.parse(fs.readFileSync(path.join(repoRoot, "policies", "kubernetes", "examples", "platform.json"), "utf8")),
            stage: "audit",
            "disallow-latest-tag": "mandatory",
        };
        const input = path.join(tmp, "k8sprod-policy.json");
        const output = path.join(tmp, "policy-pack-config.json");
        fs.writeFileSync(input, JSON.stringify(doc));
        const r = bin(["policy-config", "--policy-config", input, "-o", output]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stderr, /wrote .*policy-pack-config.json for k8sprod-kubernetes@.*pulumi preview --policy-pack .*--policy-pack-config/);
        const written = JSON.parse(fs.readFileSync(output, "utf8"));
        // Pulumi's format: one entry per policy, nothing else.
        const pack = kubernetesPack();
        assert.deepStrictEqual(Object.keys(written).sort(), pack.policies.map((p) => p.name).sort());
        assert.strictEqual(written["disallow-latest-tag"].enforcementLevel, "mandatory");
        assert.strictEqual(written["require-probes"].enforcementLevel, "advisory");
        assert.strictEqual(written["require-namespace-pod-security"].stage, "audit");
        assert.ok(written["require-probes"].exemptions.some((e: any) => e.namespace === "kube-system"));

        // A stack that breaks policies inside and outside the exempt namespace, with a namespace on its way.
        const stack = [
            ...changed("Deployment", (d) => { d.spec.template.spec.containers[0].image = "nginx:latest"; delete d.spec.template.spec.containers[0].readinessProbe; }),
            { ...changed("Deployment", (d) => { d.metadata.namespace = "kube-system"; d.spec.template.spec.containers[0].image = "nginx:latest"; }).find((o) => o.kind === "Deployment") },
        ].map((o) => (o.kind === "Namespace" ? (delete o.metadata.labels["pod-security.kubernetes.io/enforce"], o) : o));
        const resources = stack.map((o, i) => resourceOf(o, `${o.kind}-${i}`));
        const offline = await analyze([pack], resources, doc);
        const underPulumi = await analyze([asPulumiCli(loadPack(path.join(repoRoot, "policies", "kubernetes")))], resources, written);
        const key = (v: { policy: string; enforcementLevel: string; urn: string; message: string }) => `${v.policy}|${v.enforcementLevel}|${v.urn}|${v.message}`;
        assert.deepStrictEqual(underPulumi.map(key).sort(), offline.map(key).sort());
        assert.ok(offline.some((v) => v.policy === "disallow-latest-tag" && v.enforcementLevel === "mandatory"), "the promoted policy blocks");
        assert.ok(offline.some((v) => v.policy === "require-probes" && v.enforcementLevel === "advisory"), "the others are advisory at stage audit");
        assert.ok(!offline.some((v) => v.urn.includes("Deployment-") && v.message.includes("kube-system")), "kube-system is exempt");
        assert.ok(!offline.some((v) => v.policy === "require-namespace-pod-security"), "the namespace at stage audit is accepted");
        // The pack's own document is not Pulumi's format: the Pulumi CLI would not expand it.
        await assert.rejects(() => analyze([asPulumiCli(loadPack(path.join(repoRoot, "policies", "kubernetes")))], resources, doc), /stage: no such policy in pack k8sprod-kubernetes/);
    });

    it("prints to standard output without -o, for another pack too (the AWS pack, which has no pack-wide keys)", async () => {
        const r = await cli(["policy-config", "--policy-pack", path.join(repoRoot, "policies", "aws")]);
        assert.strictEqual(r.code, 0, r.stderr);
        const written = JSON.parse(r.stdout);
        assert.deepStrictEqual(Object.keys(written).sort(), loadPack(path.join(repoRoot, "policies", "aws")).policies.map((p) => p.name).sort());
    });

    it("refuses unknown keys and unknown policy names with their paths, every problem at once (exit 2)", async () => {
        const input = path.join(tmp, "bad.json");
        fs.writeFileSync(input, JSON.stringify({
            stage: "observe", "require-min-replica": 2, "require-min-replicas": { minReplica: 2 },
            podSecurity: { defaultLevl: "baseline" }, exemptions: [{ namespace: "x", reason: "y", kinds: "Pod" }],
        }));
        const r = await cli(["policy-config", "--policy-config", input]);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(r.stdout, "");
        for (const re of [/stage: "observe" is not one of warn, audit, enforce/, /require-min-replica: unknown key: no policy of that name/,
            /require-min-replicas.minReplica: unknown key/, /podSecurity.defaultLevl: unknown key/, /exemptions\[0\].kinds: unknown key/]) {
            assert.match(r.stderr, re);
        }
        const aws = path.join(tmp, "aws.json");
        fs.writeFileSync(aws, JSON.stringify({ "required-tags": { tag: ["Owner"] } }));
        const ra = await cli(["policy-config", "--policy-pack", path.join(repoRoot, "policies", "aws"), "--policy-config", aws]);
        assert.strictEqual(ra.code, 2);
        assert.match(ra.stderr, /required-tags.tag: unknown key/);
        // check and plan refuse the same document with the same paths.
        const rc = await cli(["check", "--policy-config", input, path.join(repoRoot, "tests", "fixtures", "cli", "deployment.json")]);
        assert.strictEqual(rc.code, 2);
        assert.match(rc.stderr, /require-min-replicas.minReplica: unknown key/);
    });

    it("gives the namespace's stage to require-namespace-pod-security only when the policy does not set its own", async () => {
        const { expandedPolicyConfig } = await import("../../cli/policyConfig");
        const dir = path.join(repoRoot, "policies", "kubernetes");
        assert.strictEqual((await expandedPolicyConfig(dir, { stage: "warn" })).config["require-namespace-pod-security"].stage, "warn");
        assert.strictEqual((await expandedPolicyConfig(dir, { stage: "warn", "require-namespace-pod-security": { stage: "enforce" } })).config["require-namespace-pod-security"].stage, "enforce");
        assert.strictEqual((await expandedPolicyConfig(dir, undefined)).config["require-namespace-pod-security"].stage, "enforce");
    });
});
