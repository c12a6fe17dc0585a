import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Cluster, resolveTools, ZONES } from "./cluster";
import type { Tools } from "./cluster";
import type { DriverRequest, DriverResult } from "./driver";

// The real engine, end to end (npm run test:e2e; not part of npm test): the Pulumi CLI and the
// Kubernetes provider deploy the dev stack into a real API server, with both policy packs.
const ROOT = path.resolve(__dirname, "..", "..", "..");
const PROGRAM = path.join(ROOT, "dist", "stacks", "index.js");
const NAMESPACE = "production";
const PACKS = ["kubernetes", "aws"];

/**
 * An executable analyzer for one pack: the CLI launches a policy pack path that is a file as a binary
 * analyzer (pkg/resource/plugin/analyzer_plugin.go), so no pulumi-language-nodejs is needed. It runs
 * @pulumi/pulumi's run-policy-pack on the pack folder with the Node 22 runtime, as the language host would.
 * (Checked with the Pulumi CLI v3.276.0: both packs load and report as "local" packs.)
 */
function policyLauncher(dir: string, pack: string): string {
    const packDir = path.join(ROOT, "policies", pack);
    const out = path.join(dir, "packs", pack);
    fs.mkdirSync(out, { recursive: true });
    fs.copyFileSync(path.join(packDir, "PulumiPolicy.yaml"), path.join(out, "PulumiPolicy.yaml"));
    const launcher = path.join(out, `pulumi-analyzer-policy-${pack}`);
    const runner = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    // In the pack's folder, as the language host runs it (@pulumi/policy reads ./package.json).
    fs.writeFileSync(launcher, `#!/bin/sh\ncd '${packDir}' || exit 1\nexec '${process.execPath}' '${runner}' "$1" '${packDir}'\n`, { mode: 0o755 });
    return launcher;
}

describe("the real engine: pulumi up of the dev stack into a real API server", function () {
    this.timeout(3_600_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-e2e-"));
    const env: NodeJS.ProcessEnv = { ...process.env };
    let tools: Tools;
    let cluster: Cluster;
    let workDir: string;
    let packs: string[];
    const figures: Record<string, number> = {};
    let first: DriverResult;

    const drive = (op: DriverRequest["op"], extra: Partial<DriverRequest> = {}): DriverResult => {
        const req: DriverRequest = { op, stack: "dev", workDir, program: PROGRAM, pulumi: tools.pulumi, policyPacks: packs, ...extra };
        const r = spawnSync(process.execPath, [path.join(__dirname, "driver.js"), JSON.stringify(req)], { env, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
        assert.strictEqual(r.status, 0, `pulumi ${op} failed:\n${r.stderr}\n${r.stdout.slice(-4000)}`);
        return JSON.parse(r.stdout.trim().split("\n").pop()!);
    };

    before(async () => {
        let t = Date.now();
        tools = resolveTools(ROOT, ["pulumi", "pulumi-resource-kubernetes", "kube", "kwok", "etcd"]);
        figures.toolsSeconds = (Date.now() - t) / 1000;
        t = Date.now();
        cluster = new Cluster(tools, dir);
        await cluster.up();
        figures.clusterStartSeconds = (Date.now() - t) / 1000;
        // The project, copied so that the stack's config and salt are written outside the repository.
        workDir = path.join(dir, "project");
        fs.mkdirSync(workDir);
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"]) {
            fs.copyFileSync(path.join(ROOT, "stacks", f), path.join(workDir, f));
        }
        fs.mkdirSync(path.join(dir, "backend"));
        Object.assign(env, {
            PULUMI_BACKEND_URL: `file://${path.join(dir, "backend")}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e",
            PULUMI_HOME: path.join(dir, "pulumi-home"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            KUBECONFIG: cluster.kubeconfig,
            // The provider binary from PATH is used as an ambient plugin.
            PATH: [...new Set(Object.values(tools).map((p) => path.dirname(p))), process.env.PATH].join(path.delimiter),
        });
        packs = PACKS.map((p) => policyLauncher(dir, p));
    });

    after(async () => {
        await cluster?.stop();
        console.log(`e2e figures: ${JSON.stringify(figures)}`);
    });

    it("pulumi up deploys the stack with both packs, waiting for the workloads to become Ready", () => {
        const t = Date.now();
        first = drive("up");
        figures.upSeconds = (Date.now() - t) / 1000;
        assert.ok((first.changes.create ?? 0) >= 20, JSON.stringify(first.changes));
    });

    it("the API server raised no Pod Security warning, and the namespace enforces restricted", async () => {
        assert.deepStrictEqual(first.warnings.filter((w) => /PodSecurity|would violate/i.test(w)), []);
        const ns = await cluster.request("GET", `/api/v1/namespaces/${NAMESPACE}`);
        assert.strictEqual(ns.body.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("every Kubernetes object k8sprod plan predicts exists, with its kind and namespace", async () => {
        const plan = spawnSync(process.execPath, [path.join(ROOT, "bin", "k8sprod"), "plan", "--format", "json", "--no-progress"], { encoding: "utf8", env: process.env });
        const predicted = JSON.parse(plan.stdout).resources.filter((r: any) => r.type.startsWith("kubernetes:"));
        assert.ok(predicted.length >= 16);
        const deployed = drive("preview", { policyPacks: [] }).steps;
        for (const r of predicted) {
            assert.ok(deployed.some((s) => s.urn === r.urn), `${r.urn} is predicted but not in the stack`);
        }
        for (const [kind, url] of [["HorizontalPodAutoscaler", `/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers`], ["PodDisruptionBudget", `/apis/policy/v1/namespaces/${NAMESPACE}/poddisruptionbudgets`]]) {
            const items = (await cluster.request("GET", url)).body.items;
            assert.ok(items.length > 0, `no ${kind} in ${NAMESPACE}`);
        }
    });

    it("spreads the pods across the three zones", async () => {
        const nodes = (await cluster.request("GET", "/api/v1/nodes")).body.items;
        const zoneOf = new Map(nodes.map((n: any) => [n.metadata.name, n.metadata.labels["topology.kubernetes.io/zone"]]));
        const pods = (await cluster.request("GET", `/api/v1/namespaces/${NAMESPACE}/pods`)).body.items;
        const zones = new Set(pods.map((p: any) => zoneOf.get(p.spec.nodeName)));
        assert.deepStrictEqual([...zones].sort(), ZONES);
    });

    it("the packs' verdicts under the real CLI equal k8sprod plan's", () => {
        const plan = spawnSync(process.execPath, [path.join(ROOT, "bin", "k8sprod"), "plan", "--format", "json", "--no-progress"], { encoding: "utf8", env: process.env });
        const offline = JSON.parse(plan.stdout).violations.map((v: any) => `${v.policyPack}/${v.policy} ${v.enforcementLevel} ${v.urn}`).sort();
        const real = first.policy.map((v) => `${v.pack}/${v.policy} ${v.level} ${v.urn}`).sort();
        assert.deepStrictEqual(real, offline);
    });

    it("a second pulumi up changes nothing", () => {
        const again = drive("up");
        assert.deepStrictEqual(Object.keys(again.changes).filter((k) => k !== "same"), []);
    });

    it("a preview after a config change shows exactly the expected diff (the api Deployment's image)", () => {
        drive("set-config", { config: { "k8sprod:apiImage": "ghcr.io/stefanprodan/podinfo:6.7.2" } });
        const p = drive("preview");
        const changed = p.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.type}`);
        assert.deepStrictEqual(changed, ["update kubernetes:apps/v1:Deployment"]);
    });

    it("pulumi destroy leaves the namespace gone", async () => {
        drive("destroy");
        await cluster.waitFor(`namespace ${NAMESPACE} to be gone`, async () => (await cluster.request("GET", `/api/v1/namespaces/${NAMESPACE}`)).status === 404, 300_000);
    });
});
