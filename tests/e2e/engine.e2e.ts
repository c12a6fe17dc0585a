import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { DEFAULT_STORAGE_CLASS } from "../../components/workloads/defaults";
import { parseQuantity } from "../../lib/quantity";
import { Cluster, resolveTools, ZONES } from "./cluster";
import type { ClusterPrerequisites, Tools } from "./cluster";
import type { DriverRequest, DriverResult } from "./driver";
import { applyAll, crdFixtures, crdFor, customKinds, prepare } from "./planApply";

// The real engine, end to end (npm run test:e2e; not part of npm test): the Pulumi CLI and the
// Kubernetes provider deploy the dev stack's workloads (program.ts: its namespaces, WebServices and
// StatefulServices from stacks/Pulumi.dev.yaml) into a real API server, with both policy packs at the dev
// stack's policy config.
const ROOT = path.resolve(__dirname, "..", "..", "..");
const STACK = "dev";
const PROGRAM = path.join(__dirname, "program.js");
/** The dev stack's policy config (stage warn), for `k8sprod plan` and, expanded per pack, for the real CLI. */
const STACK_POLICY = path.join(ROOT, "stacks", "policy", `${STACK}.json`);
/** How `k8sprod plan --out` writes a value that is unknown before deploy. */
const UNKNOWN = "(unknown until deploy)";
const PACKS = ["kubernetes", "aws"];
// The image the config-change preview moves the api to, and one from a registry allowed-image-registries refuses.
const NEXT_TAG = "6.7.2";
const REFUSED_IMAGE = "ghcr.io/stefanprodan/podinfo:6.7.2";

/**
 * An executable analyzer for one pack: the CLI launches a policy pack path that is a file as a binary
 * analyzer (pkg/resource/plugin/analyzer_plugin.go), so no pulumi-language-nodejs is needed. It runs
 * @pulumi/pulumi's run-policy-pack on the pack folder with the Node 22 runtime, in the pack's folder as
 * the language host would (@pulumi/policy reads ./package.json), with packTiming preloaded to record
 * its start-up. (Checked with the Pulumi CLI v3.276.0: both packs load and report as "local" packs.)
 */
function policyLauncher(dir: string, pack: string, timingFile: string): string {
    const packDir = path.join(ROOT, "policies", pack);
    const out = path.join(dir, "packs", pack);
    fs.mkdirSync(out, { recursive: true });
    fs.copyFileSync(path.join(packDir, "PulumiPolicy.yaml"), path.join(out, "PulumiPolicy.yaml"));
    const launcher = path.join(out, `pulumi-analyzer-policy-${pack}`);
    const runner = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    const timing = path.join(__dirname, "packTiming.js");
    fs.writeFileSync(launcher, [
        "#!/bin/sh",
        `cd '${packDir}' || exit 1`,
        `K8SPROD_E2E_PACK='${pack}' K8SPROD_E2E_PACK_TIMING='${timingFile}' exec '${process.execPath}' --require '${timing}' '${runner}' "$1" '${packDir}'`,
        "",
    ].join("\n"), { mode: 0o755 });
    return launcher;
}

/** Runs bin/k8sprod with the Node 22 runtime. */
function k8sprod(args: string[]): { status: number | null; stdout: string; stderr: string } {
    return spawnSync(process.execPath, [path.join(ROOT, "bin", "k8sprod"), ...args], { encoding: "utf8", env: process.env, maxBuffer: 64 * 1024 * 1024 });
}

/** `k8sprod plan --format json` of the e2e project (the program and stack file the real CLI runs). */
function offlinePlan(project: string, opts: { stack?: string; configDir?: string; policyConfig?: string; out?: string } = {}): any {
    const r = k8sprod(["plan", "--project", project, "--stack", opts.stack ?? STACK, "--format", "json", "--no-progress",
        ...(opts.configDir ? ["--config-dir", opts.configDir] : []), ...(opts.policyConfig ? ["--policy-config", opts.policyConfig] : []),
        ...(opts.out ? ["--out", opts.out] : [])]);
    assert.ok(r.stdout.trim().startsWith("{"), `k8sprod plan failed (${r.status}):\n${r.stderr}`);
    return JSON.parse(r.stdout);
}

/**
 * Where a planned object and the live one differ: every field the plan holds must be live with the same value
 * (quantities compared by value: the API server writes 0.5 as 500m; an integer 0 is not written); fields the
 * API server adds (defaults, status) are not judged.
 */
function differences(want: unknown, got: unknown, at: string, out: string[]): void {
    // Kubernetes writes no optional integer that is 0 (omitempty): a planned 0 is live as absent.
    if (want === UNKNOWN || (want === 0 && got === undefined)) {
        return;
    }
    const show = (v: unknown) => (v === undefined ? "absent" : JSON.stringify(v));
    if (Array.isArray(want)) {
        if (!Array.isArray(got) || got.length !== want.length) {
            out.push(`${at}: planned ${show(want)}, live ${show(got)}`);
            return;
        }
        want.forEach((w, i) => differences(w, got[i], `${at}[${i}]`, out));
        return;
    }
    if (want !== null && typeof want === "object") {
        if (got === null || typeof got !== "object" || Array.isArray(got)) {
            out.push(`${at}: planned ${show(want)}, live ${show(got)}`);
            return;
        }
        for (const [k, v] of Object.entries(want)) {
            differences(v, (got as Record<string, unknown>)[k], at === "" ? k : `${at}.${k}`, out);
        }
        return;
    }
    if (want === got) {
        return;
    }
    if ((typeof want === "string" || typeof want === "number") && (typeof got === "string" || typeof got === "number")) {
        const a = parseQuantity(want);
        if (a !== undefined && a === parseQuantity(got)) {
            return;
        }
    }
    out.push(`${at}: planned ${show(want)}, live ${show(got)}`);
}

const verdicts = (vs: { pack: string; policy: string; level: string; urn: string }[]) => vs.map((v) => `${v.pack}/${v.policy} ${v.level} ${v.urn}`).sort();
const planVerdicts = (plan: any) => verdicts(plan.violations.map((v: any) => ({ pack: v.policyPack, policy: v.policy, level: v.enforcementLevel, urn: v.urn })));

/**
 * The stack file's config with the api's image set: `k8sprod:apiImage`, or `apiImage` inside a
 * structured `k8sprod:app` value. Returns the key (a path for structured config) and the new file's text.
 */
function withApiImage(stackFile: string, image: string): { key: string; path: boolean; text: string } {
    const doc = yaml.load(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, any> };
    if (doc.config["k8sprod:app"] !== undefined) {
        doc.config["k8sprod:app"].apiImage = image;
        return { key: "k8sprod:app.apiImage", path: true, text: yaml.dump(doc) };
    }
    assert.ok(typeof doc.config["k8sprod:apiImage"] === "string", `${stackFile} sets no api image`);
    doc.config["k8sprod:apiImage"] = image;
    return { key: "k8sprod:apiImage", path: false, text: yaml.dump(doc) };
}

describe("the real engine: pulumi up of the dev stack's workloads into a real API server", function () {
    this.timeout(3_600_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-e2e-"));
    const timingFile = path.join(dir, "pack-startup.jsonl");
    const workDir = path.join(dir, "project");
    const planDir = path.join(dir, "plan");
    const env: NodeJS.ProcessEnv = { ...process.env };
    let tools: Tools;
    let cluster: Cluster;
    let packs: string[];
    let packConfigs: string[];
    let plan: any;
    let namespace: string;
    const figures: Record<string, number | string> = {};
    let first: DriverResult;
    let failed = false;

    const drive = (op: DriverRequest["op"], extra: Partial<DriverRequest> = {}): DriverResult => {
        const req: DriverRequest = { op, stack: STACK, workDir, program: PROGRAM, pulumi: tools.pulumi, policyPacks: packs, policyPackConfigs: packConfigs, ...extra };
        const r = spawnSync(process.execPath, [path.join(__dirname, "driver.js"), JSON.stringify(req)], { env, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
        assert.strictEqual(r.status, 0, `pulumi ${op} failed:\n${r.stderr}\n${r.stdout.slice(-4000)}`);
        return JSON.parse(r.stdout.trim().split("\n").pop()!);
    };
    const kubernetesResources = (p: any) => p.resources.filter((r: any) => r.type.startsWith("kubernetes:"));
    const stackFile = () => path.join(workDir, `Pulumi.${STACK}.yaml`);

    before(async () => {
        const started = Date.now();
        figures.started = new Date(started).toISOString();
        // The project: the dev stack's Pulumi.yaml with main naming this program by its absolute path (the
        // Automation API runs it inline, but the CLI still checks that main exists), and the dev stack's file.
        // A copy, so that the stack's secrets salt is written outside the repository.
        fs.mkdirSync(workDir);
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
        fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), yaml.dump({ ...project, main: PROGRAM }));
        fs.copyFileSync(path.join(ROOT, "stacks", `Pulumi.${STACK}.yaml`), stackFile());
        // The offline plan of the same program and stack file, with the stack's policy config and its manifests.
        plan = offlinePlan(workDir, { policyConfig: STACK_POLICY, out: planDir });
        // The same policy config for the real CLI, one file per pack (k8sprod policy-config resolves stage,
        // exemptions and pack-wide keys per policy). The stack's file holds only Kubernetes-pack settings (k8sprod
        // plan hands the AWS pack none of its keys), so the AWS pack's file is its own levels and defaults.
        packConfigs = PACKS.map((pack) => {
            const file = path.join(dir, `policy-${pack}.json`);
            const config = pack === "kubernetes" ? ["--policy-config", STACK_POLICY] : [];
            const r = k8sprod(["policy-config", ...config, "--policy-pack", path.join(ROOT, "policies", pack), "-o", file]);
            assert.strictEqual(r.status, 0, r.stderr);
            return file;
        });
        let t = Date.now();
        tools = resolveTools(ROOT, ["pulumi", "pulumi-resource-kubernetes", "kube", "kwok", "etcd"]);
        figures.toolsSeconds = (Date.now() - t) / 1000;
        t = Date.now();
        cluster = new Cluster(tools, dir);
        await cluster.up(prerequisites(plan));
        figures.clusterStartSeconds = (Date.now() - t) / 1000;
        fs.mkdirSync(path.join(dir, "backend"));
        Object.assign(env, {
            PULUMI_BACKEND_URL: `file://${path.join(dir, "backend")}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e",
            PULUMI_HOME: path.join(dir, "pulumi-home"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            KUBECONFIG: cluster.kubeconfig,
            // The provider binary on PATH is used as an ambient plugin, whatever version the SDK asks for.
            PATH: [...new Set(Object.values(tools).map((p) => path.dirname(p))), process.env.PATH].join(path.delimiter),
        });
        packs = PACKS.map((p) => policyLauncher(dir, p, timingFile));
        figures.beforeSeconds = (Date.now() - started) / 1000;
    });

    /** What the program needs from the existing cluster it deploys onto, as the offline plan shows it. */
    function prerequisites(p: any): ClusterPrerequisites {
        const k8s = kubernetesResources(p);
        // The stack's namespace holds most of its objects; any other namespace it deploys into belongs to the
        // existing cluster.
        const counts = new Map<string, number>();
        for (const r of k8s.filter((x: any) => x.namespace)) {
            counts.set(r.namespace, (counts.get(r.namespace) ?? 0) + 1);
        }
        namespace = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
        const usedNamespaces = [...counts.keys()].filter((n) => n !== namespace);
        // Custom resources: their CRDs from tests/fixtures/crds (upstream copies, see SOURCES.md).
        const builtIn = /^kubernetes:(core|apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io|storage\.k8s\.io|scheduling\.k8s\.io|admissionregistration\.k8s\.io|apiextensions\.k8s\.io|coordination\.k8s\.io|discovery\.k8s\.io)\//;
        const custom = [...new Set(k8s.map((r: any) => r.type).filter((t: string) => !builtIn.test(t)))] as string[];
        const fixtures = path.join(ROOT, "tests", "fixtures", "crds");
        const crds = fs.readdirSync(fixtures).filter((f) => f.endsWith(".yaml")).flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(fixtures, f), "utf8")) as any[]).filter((d) => d?.kind === "CustomResourceDefinition");
        const needed = custom.map((t) => {
            const [, groupVersion, kind] = /^kubernetes:([^:]+):(.+)$/.exec(t)!;
            const crd = crds.find((c) => c.spec.group === groupVersion.split("/")[0] && c.spec.names.kind === kind);
            assert.ok(crd, `no CRD fixture for ${t}`);
            return crd;
        });
        return { crds: needed, namespaces: usedNamespaces, storageClass: DEFAULT_STORAGE_CLASS, volumes: 6, volumeSize: "1Ti" };
    }

    afterEach(function () {
        if (this.currentTest?.state === "failed") {
            failed = true;
        }
    });

    after(async () => {
        await cluster?.stop();
        figures.totalSeconds = (Date.now() - Date.parse(String(figures.started))) / 1000;
        console.log(`e2e figures: ${JSON.stringify(figures)}`);
        if (failed) {
            console.log(`e2e: logs and state kept in ${dir}`);
        } else {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("pulumi up deploys the program with both packs, waiting for the workloads to become Ready", () => {
        const t = Date.now();
        first = drive("up");
        figures.upSeconds = (Date.now() - t) / 1000;
        assert.strictEqual(first.error, undefined);
        // Every resource the offline plan predicts is created (Stack, components and Kubernetes objects).
        assert.deepStrictEqual(first.changes, { create: plan.resources.length }, first.stdout.slice(-4000));
        const startups = fs.readFileSync(timingFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
        assert.deepStrictEqual([...new Set(startups.map((s) => s.pack))].sort(), [...PACKS].sort(), "each pack was launched");
        for (const pack of PACKS) {
            figures[`packStartupMs.${pack}`] = Math.max(...startups.filter((s) => s.pack === pack).map((s) => s.ms));
        }
    });

    it("the namespace enforces restricted, and Pod Security found nothing to warn or audit about", async () => {
        assert.deepStrictEqual(first.warnings.filter((w) => /PodSecurity|would violate/i.test(w)), []);
        const ns = await cluster.request("GET", `/api/v1/namespaces/${namespace}`);
        for (const mode of ["enforce", "audit", "warn"]) {
            assert.strictEqual(ns.body.metadata.labels[`pod-security.kubernetes.io/${mode}`], "restricted", mode);
        }
        const events = cluster.auditEvents();
        // Pod Security judged the namespace's pods (created by the controllers) at restricted ...
        const judged = events.filter((e) => e.objectRef?.resource === "pods" && e.objectRef?.namespace === namespace && e.verb === "create"
            && e.annotations?.["pod-security.kubernetes.io/enforce-policy"]?.startsWith("restricted:"));
        const pods = (await cluster.request("GET", `/api/v1/namespaces/${namespace}/pods`)).body.items;
        assert.ok(pods.length > 0 && judged.length >= pods.length, `${judged.length} pod admissions judged at restricted for ${pods.length} pods`);
        // ... and recorded no violation anywhere (audit-violations is set on any object whose pod spec breaks the level).
        const violations = events.filter((e) => Object.keys(e.annotations ?? {}).some((k) => k.startsWith("pod-security.kubernetes.io/") && k.endsWith("violations")));
        assert.deepStrictEqual(violations.map((e) => `${e.objectRef?.resource} ${e.objectRef?.name}: ${JSON.stringify(e.annotations)}`), []);
        // No pod was refused (a refused pod leaves a 403 from the PodSecurity admission in the log).
        const refused = events.filter((e) => e.objectRef?.resource === "pods" && e.responseStatus?.code === 403);
        assert.deepStrictEqual(refused.map((e) => e.responseStatus.message), []);
    });

    it("every object k8sprod plan --out predicted is live, with the fields it predicted", async () => {
        const deployed = drive("export").deployment.resources as any[];
        const predicted = kubernetesResources(plan);
        assert.deepStrictEqual(deployed.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.urn).sort(), predicted.map((r: any) => r.urn).sort());
        const manifests = (yaml.loadAll(fs.readFileSync(path.join(planDir, "kubernetes.yaml"), "utf8")) as any[]).filter((d) => d);
        assert.strictEqual(manifests.length, predicted.length, "one manifest per planned Kubernetes object");
        const problems: string[] = [];
        for (const m of manifests) {
            const live = await cluster.get(m.apiVersion, m.kind, m.metadata.namespace, m.metadata.name);
            const subject = `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name}`;
            if (live.status !== 200) {
                problems.push(`${subject}: not in the cluster (HTTP ${live.status})`);
                continue;
            }
            const diffs: string[] = [];
            differences(m, live.body, "", diffs);
            problems.push(...diffs.map((d) => `${subject}: ${d}`));
        }
        assert.deepStrictEqual(problems, []);
    });

    it("the HorizontalPodAutoscaler and the PodDisruptionBudgets exist and select their workloads", async () => {
        const hpas = (await cluster.request("GET", `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`)).body.items;
        const deployments = (await cluster.request("GET", `/apis/apps/v1/namespaces/${namespace}/deployments`)).body.items;
        assert.strictEqual(hpas.length, kubernetesResources(plan).filter((r: any) => r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").length);
        assert.ok(hpas.length > 0, "the program has an HPA");
        for (const h of hpas) {
            assert.ok(deployments.some((d: any) => d.metadata.name === h.spec.scaleTargetRef.name && h.spec.scaleTargetRef.kind === "Deployment"), `HPA ${h.metadata.name} targets a Deployment of the stack`);
        }
        const pdbs = (await cluster.request("GET", `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets`)).body.items;
        assert.strictEqual(pdbs.length, kubernetesResources(plan).filter((r: any) => r.type === "kubernetes:policy/v1:PodDisruptionBudget").length);
        assert.ok(pdbs.length > 0, "the program has PDBs");
        for (const p of pdbs) {
            // The disruption controller counts the pods each budget selects: every one of them healthy.
            assert.ok(p.status.expectedPods > 0 && p.status.currentHealthy === p.status.expectedPods, `PDB ${p.metadata.name}: ${JSON.stringify(p.status)}`);
        }
    });

    it("runs every pod Ready and spreads each workload across the three zones", async () => {
        const nodes = (await cluster.request("GET", "/api/v1/nodes")).body.items;
        const zoneOf = new Map(nodes.map((n: any) => [n.metadata.name, n.metadata.labels["topology.kubernetes.io/zone"]]));
        const pods = (await cluster.request("GET", `/api/v1/namespaces/${namespace}/pods`)).body.items;
        for (const p of pods) {
            assert.ok(p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"), `pod ${p.metadata.name} is not Ready`);
        }
        const byOwner = new Map<string, Set<unknown>>();
        for (const p of pods) {
            const owner = p.metadata.labels["app.kubernetes.io/name"] ?? p.metadata.ownerReferences?.[0]?.name;
            byOwner.set(owner, (byOwner.get(owner) ?? new Set()).add(zoneOf.get(p.spec.nodeName)));
        }
        assert.ok(byOwner.size >= 2, `workloads: ${[...byOwner.keys()].join(", ")}`);
        for (const [owner, zones] of byOwner) {
            assert.deepStrictEqual([...zones].sort(), ZONES, `${owner}'s pods`);
        }
    });

    it("the packs' verdicts under the real CLI equal k8sprod plan's (the dev stack's policy config)", () => {
        assert.deepStrictEqual(verdicts(first.policy), planVerdicts(plan));
    });

    it("a second pulumi up changes nothing", () => {
        const again = drive("up");
        assert.strictEqual(again.error, undefined);
        assert.deepStrictEqual(again.changes, { same: plan.resources.length }, JSON.stringify(again.steps.filter((x) => x.op !== "same")));
    });

    it("an image from a refused registry, at the packs' own levels: the real CLI's preview stops on the verdicts k8sprod plan gives", () => {
        const change = withApiImage(stackFile(), REFUSED_IMAGE);
        const configDir = path.join(dir, "refused");
        fs.mkdirSync(configDir);
        fs.writeFileSync(path.join(configDir, `Pulumi.${STACK}.yaml`), change.text);
        const offline = offlinePlan(workDir, { configDir });
        assert.ok(planVerdicts(offline).some((v) => v.includes("allowed-image-registries mandatory")), JSON.stringify(offline.violations));
        const original = fs.readFileSync(stackFile(), "utf8");
        drive("set-config", { config: { [change.key]: REFUSED_IMAGE }, configPath: change.path });
        const p = drive("preview", { allowFailure: true, policyPackConfigs: [] });
        fs.writeFileSync(stackFile(), original);
        assert.ok(p.error, "the preview failed");
        assert.deepStrictEqual(verdicts(p.policy), planVerdicts(offline));
    });

    it("a preview after a config change shows exactly the expected diff (the api container's image)", () => {
        const doc = yaml.load(fs.readFileSync(stackFile(), "utf8")) as { config: Record<string, any> };
        const current = String(doc.config["k8sprod:app"]?.apiImage ?? doc.config["k8sprod:apiImage"]);
        const image = current.replace(/:[^:/]+$/, `:${NEXT_TAG}`);
        assert.notStrictEqual(image, current);
        const change = withApiImage(stackFile(), image);
        drive("set-config", { config: { [change.key]: image }, configPath: change.path });
        const p = drive("preview");
        assert.strictEqual(p.error, undefined);
        const changed = p.steps.filter((s) => s.op !== "same");
        assert.deepStrictEqual(changed.map((s) => `${s.op} ${s.type}`), ["update kubernetes:apps/v1:Deployment"], JSON.stringify(changed));
        assert.deepStrictEqual(Object.keys(changed[0].detailedDiff), ["spec.template.spec.containers[0].image"]);
        assert.deepStrictEqual(verdicts(p.policy), planVerdicts(plan));
    });

    // The prod stack's AWS side: previewed with both packs through the real CLI when the AWS provider
    // plugin is on PATH (the Go module proxy does not serve it, so it cannot be built here).
    const awsPlugin = (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "pulumi-resource-aws")).find((f) => fs.existsSync(f));
    if (awsPlugin) {
        it(`the prod stack's preview with both packs (AWS provider ${awsPlugin}) has the verdicts of k8sprod plan --stack prod`, () => {
            const prod = path.join(dir, "prod");
            fs.mkdirSync(prod);
            fs.writeFileSync(path.join(prod, "Pulumi.yaml"), yaml.dump({ ...(yaml.load(fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.yaml"), "utf8")) as object), main: path.join(ROOT, "dist", "stacks", "index.js") }));
            fs.copyFileSync(path.join(ROOT, "stacks", "Pulumi.prod.yaml"), path.join(prod, "Pulumi.prod.yaml"));
            const policy = path.join(ROOT, "stacks", "policy", "prod.json");
            const configs = PACKS.map((pack) => {
                const file = path.join(prod, `policy-${pack}.json`);
                const config = pack === "kubernetes" ? ["--policy-config", policy] : [];
                assert.strictEqual(k8sprod(["policy-config", ...config, "--policy-pack", path.join(ROOT, "policies", pack), "-o", file]).status, 0);
                return file;
            });
            const p = drive("preview", { stack: "prod", workDir: prod, program: path.join(ROOT, "dist", "stacks", "index.js"), policyPackConfigs: configs, allowFailure: true });
            assert.deepStrictEqual(verdicts(p.policy), planVerdicts(offlinePlan(prod, { stack: "prod", policyConfig: policy })), p.error);
        });
    } else {
        figures.prodAwsPreview = "not run: pulumi-resource-aws is not on PATH (the Go module proxy does not serve the AWS provider)";
        console.log(`e2e: the prod stack's AWS preview is ${figures.prodAwsPreview}`);
    }

    it("pulumi destroy leaves the namespace gone", async () => {
        const d = drive("destroy");
        assert.deepStrictEqual(d.changes, { delete: plan.resources.length });
        await cluster.waitFor(`namespace ${namespace} to be gone`, async () => (await cluster.request("GET", `/api/v1/namespaces/${namespace}`)).status === 404, 300_000);
    });

    // Mocha runs a suite's own tests before its nested suites: these run on the same cluster after the dev
    // workloads are destroyed.
    describe("every platform object of the dev, staging and prod stacks, server-side applied (dry-run) to the same API server", () => {
        /**
         * Custom resource kinds of a stack with no CRD fixture in tests/fixtures/crds, which the API server
         * therefore cannot judge: none today. A new kind without a fixture fails the test until it is listed here.
         */
        const UNCHECKED_KINDS: Record<string, string[]> = { dev: [], staging: [], prod: [] };
        /** Objects left out because their whole spec is unknown before deploy (Velero's BackupStorageLocation). */
        const SKIPPED: Record<string, string[]> = {
            dev: [],
            staging: ["BackupStorageLocation velero/default: spec unknown until deploy"],
            prod: ["BackupStorageLocation velero/default: spec unknown until deploy"],
        };
        const crds = crdFixtures(ROOT);

        before(async () => {
            // The cluster's stand-in StorageClass (no provisioner, made for the dev workloads' volumes) has the
            // name of the stacks' own gp3-encrypted class; a provisioner cannot change, so it goes before the
            // stacks' class is judged as the stacks would create it.
            const r = await cluster.request("DELETE", `/apis/storage.k8s.io/v1/storageclasses/${DEFAULT_STORAGE_CLASS}`);
            assert.ok(r.status === 200 || r.status === 404, `deleting StorageClass ${DEFAULT_STORAGE_CLASS}: HTTP ${r.status}`);
        });

        for (const stack of ["dev", "staging", "prod"]) {
            it(`${stack}: the API server accepts every object of k8sprod plan --out, without a warning`, async () => {
                const t = Date.now();
                const out = path.join(dir, `plan-all-${stack}`);
                const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "k8sprod"), "plan", "--stack", stack, "--policy-config", path.join("stacks", "policy", `${stack}.json`), "--out", out, "--no-progress"],
                    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
                assert.strictEqual(r.status, 0, `k8sprod plan --stack ${stack} failed:\n${r.stderr}`);
                const file = path.join(out, "kubernetes.yaml");
                const declared = Number(/^# (\d+) Kubernetes objects/.exec(fs.readFileSync(file, "utf8"))?.[1]);
                const prepared = prepare(file);
                assert.strictEqual(prepared.objects.length + prepared.skipped.length, declared, "every object of kubernetes.yaml is read");
                assert.deepStrictEqual(prepared.unhandled, [], "every value unknown before deploy has a placeholder or a skip rule");
                assert.deepStrictEqual(prepared.skipped, SKIPPED[stack]);
                const kinds = customKinds(prepared.objects);
                const unchecked = kinds.filter((k) => !crdFor(crds, k));
                console.log(`      ${stack}: custom kinds ${kinds.join(", ")}; without a CRD fixture (not checked): ${unchecked.length ? unchecked.join(", ") : "none"}`);
                assert.deepStrictEqual(unchecked, UNCHECKED_KINDS[stack]);
                const needed = [...new Set(kinds.filter((k) => !unchecked.includes(k)).map((k) => crdFor(crds, k)))];
                for (const crd of needed) {
                    await cluster.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
                }
                // Established, and served by discovery for each planned apiVersion/kind.
                await cluster.waitFor("the stack's CRDs to be established and discoverable", async () => {
                    for (const k of kinds.filter((x) => !unchecked.includes(x))) {
                        const [group, version, kind] = k.split("/");
                        const list = await cluster.request("GET", `/apis/${group}/${version}`);
                        if (list.status !== 200 || !list.body.resources?.some((x: any) => x.kind === kind)) {
                            return false;
                        }
                    }
                    return true;
                }, 120_000);
                const sent = prepared.objects.filter((o) => !unchecked.includes(`${o.apiVersion}/${o.kind}`));
                const result = await applyAll(cluster, sent);
                figures[`planApply.${stack}`] = `${sent.length} sent, ${result.accepted.length} accepted, ${prepared.skipped.length} skipped, `
                    + `${prepared.substituted.length} placeholders, ${(Date.now() - t) / 1000} s`;
                console.log(`      ${stack}: ${figures[`planApply.${stack}`]}`);
                assert.deepStrictEqual(result.refused, []);
                assert.deepStrictEqual(result.warnings, []);
                assert.strictEqual(result.accepted.length, sent.length);
                assert.ok(sent.some((o) => o.kind === "Namespace") && sent.some((o) => o.kind === "NetworkPolicy"), "the plan holds the platform's objects");
            });
        }

        it("controls: the same requests refuse an unknown field and report a Pod Security warning", async () => {
            // After the stacks' Namespaces exist (the tests above): "production" enforces and warns at restricted.
            const np = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "e2e-control", namespace: "production" }, spec: { podSelector: {}, notAField: true } };
            const strict = await applyAll(cluster, [np]);
            assert.strictEqual(strict.accepted.length, 0);
            // Server-side apply refuses a field its schema does not declare ("field not declared in schema").
            assert.match(strict.refused.join("\n"), /^NetworkPolicy production\/e2e-control: HTTP [45]\d\d .*spec\.notAField/);
            const deployment = {
                apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "e2e-control", namespace: "production" },
                spec: { selector: { matchLabels: { app: "c" } }, template: { metadata: { labels: { app: "c" } }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } } },
            };
            const warned = await applyAll(cluster, [deployment]);
            // The header quotes its text: 299 - "would violate PodSecurity \"restricted:v1.35\": ...".
            assert.deepStrictEqual(warned.refused, []);
            assert.ok(warned.warnings.some((w) => /would violate PodSecurity \\?"restricted:/.test(w)), JSON.stringify(warned.warnings));
        });
    });
});
