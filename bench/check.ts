// bench:check — how fast the offline engine is, as users meet it:
//  1. `k8sprod check --format json` on 5,000 generated manifests: objects per second for the whole
//     command (start-up included), and the ratio to parsing the same YAML alone, in one run;
//  2. one small file checked, wall time with start-up;
//  3. each pack in policies/ started by the SDK's policy-pack runner as `pulumi preview --policy-pack`
//     starts it: time until it answers GetAnalyzerInfo (ready), which every real preview pays.
//  4. large input (issue 8): one ~30 MB file of 16,000 chart-like objects checked in each format
//     (text, json, sarif): wall time and peak memory, and the time per object against the same
//     objects at 5,000 (linear: within 1.5x).
// Goals (issue 3): >= 2,000 objects/s, small file < 1.5 s, pack ready < 2 s; (issue 8) time per object
// at 16,000 within 1.5x of that at 5,000, in every format.
// Run with `npm run bench:check` (it builds first). Options: --objects N, --runs N, --large N (the
// large file's objects, default 16000), --only-large (just section 4).
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { parseSource } from "../cli/check/manifests";
import { startPolicyPack } from "../cli/engine/policy-runner";
import { bundledPacks, packageRoot } from "../cli/packs";

const ROOT = packageRoot();
const BIN = path.join(ROOT, "bin", "k8sprod");

function arg(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const OBJECTS = arg("objects", 5000);
const RUNS = arg("runs", 3);
const PER_FILE = 100;

/** A namespace's worth of a typical service: the objects a Helm chart renders, cycled. */
export function makeObject(i: number, oneNamespace = false): Record<string, any> {
    const app = `svc-${Math.floor(i / 8)}`;
    const ns = oneNamespace ? "team" : `team-${Math.floor(i / 400)}`;
    const labels = { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "bench" };
    const podSpec = {
        serviceAccountName: app,
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: labels } }],
        containers: [{
            name: "app",
            image: `registry.example.com/${app}:1.${i % 10}.0`,
            ports: [{ name: "http", containerPort: 8080 }],
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } },
            readinessProbe: { httpGet: { path: "/ready", port: "http" } },
            livenessProbe: { httpGet: { path: "/live", port: "http" } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            env: [{ name: "INDEX", value: String(i) }],
        }],
    };
    const meta = (name: string) => ({ name, namespace: ns, labels });
    switch (i % 8) {
        case 0:
            return { apiVersion: "apps/v1", kind: "Deployment", metadata: meta(app), spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } };
        case 1:
            return { apiVersion: "v1", kind: "Service", metadata: meta(app), spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] } };
        case 2:
            return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(app), automountServiceAccountToken: false };
        case 3:
            return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta(app), spec: { maxUnavailable: 1, selector: { matchLabels: labels } } };
        case 4:
            return {
                apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: meta(app),
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app }, minReplicas: 3, maxReplicas: 10,
                    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
                    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
                },
            };
        case 5:
            return {
                apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(app),
                spec: { podSelector: { matchLabels: labels }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 8080 }] }] },
            };
        case 6:
            return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(`${app}-config`), data: { "app.yaml": `index: ${i}\nlevel: info\n` } };
        default:
            return { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta(`${app}-db`), spec: { serviceName: app, replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } };
    }
}

/**
 * An object as a real chart renders it: `makeObject`'s, with the labels and annotations Helm charts
 * add (chart, release, checksums), two dozen environment variables and a config file in ConfigMaps.
 * About 1.9 KB of YAML each, so 16,000 of them make the 30 MB file of the large-input bench.
 */
export function makeChartObject(i: number): Record<string, any> {
    const o = makeObject(i);
    const hex = (n: number) => createHash("sha256").update(String(n)).digest("hex");
    const helmLabels = {
        "helm.sh/chart": "bench-1.4.2", "app.kubernetes.io/instance": `release-${Math.floor(i / 400)}`,
        "app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/version": "1.4.2", "app.kubernetes.io/component": ["web", "api", "worker"][i % 3],
    };
    o.metadata.labels = { ...o.metadata.labels, ...helmLabels };
    o.metadata.annotations = {
        "meta.helm.sh/release-name": helmLabels["app.kubernetes.io/instance"], "meta.helm.sh/release-namespace": o.metadata.namespace,
        "bench.example.com/owner": `team-${Math.floor(i / 400)}@example.com`, "bench.example.com/runbook": `https://runbooks.example.com/${o.kind.toLowerCase()}/${o.metadata.name}`,
    };
    const pod = o.spec?.template;
    if (pod) {
        pod.metadata.annotations = { "checksum/config": hex(i), "checksum/secret": hex(i + 1) };
        const c = pod.spec.containers[0];
        c.env = [...c.env, ...Array.from({ length: 24 }, (_, k) => ({ name: `SETTING_${k}`, value: `value-${k}-${i}` }))];
        c.args = ["--port=8080", "--log-format=json", `--shard=${i % 16}`];
    }
    if (o.kind === "ConfigMap") {
        o.data["app.yaml"] += Array.from({ length: 150 }, (_, k) => `feature${k}: ${k % 2 === 0}\n`).join("");
    }
    return o;
}

/** Writes `count` chart objects into one file, as `helm template` of many charts prints them. */
export function generateOneFile(file: string, count: number): number {
    const fd = fs.openSync(file, "w");
    try {
        for (let i = 0; i < count; i++) {
            fs.writeSync(fd, `---\n# Source: bench/templates/object-${i}.yaml\n${stringify(makeChartObject(i), { aliasDuplicateObjects: false })}`);
        }
    } finally {
        fs.closeSync(fd);
    }
    return fs.statSync(file).size;
}

/** Writes the manifests as Helm would print them: files of `---`-separated documents. Returns the files. */
export function generate(dir: string, count: number, oneNamespace = false): string[] {
    const files: string[] = [];
    for (let start = 0; start < count; start += PER_FILE) {
        const docs: string[] = [];
        for (let i = start; i < Math.min(count, start + PER_FILE); i++) {
            // Helm never writes anchors: repeated objects (the labels) are written out each time.
            docs.push(`---\n# Source: bench/templates/object-${i}.yaml\n${stringify(makeObject(i, oneNamespace), { aliasDuplicateObjects: false })}`);
        }
        const file = path.join(dir, `chart-${String(start / PER_FILE).padStart(3, "0")}.yaml`);
        fs.writeFileSync(file, docs.join(""));
        files.push(file);
    }
    return files;
}

function run(args: string[], env: Record<string, string> = {}): { ms: number; code: number; stdout: string; stderr: string } {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1024 * 1024 * 1024, env: { ...process.env, ...env } });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.error) {
        throw r.error;
    }
    return { ms, code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const goal = (ok: boolean) => (ok ? "goal met" : "GOAL MISSED");

/**
 * Section 4: one large file in every format, against the same kind of file at 5,000 objects. Wall time
 * is the whole command (start-up included) as a user meets it; peak memory is the process's maximum
 * resident set (process.resourceUsage().maxRSS, printed by K8SPROD_TIMINGS).
 */
function largeInput(dir: string): void {
    const large = arg("large", 16000);
    const small = 5000;
    const files = { [small]: path.join(dir, `chart-objects-${small}.yaml`), [large]: path.join(dir, `chart-objects-${large}.yaml`) };
    const sizes: Record<number, number> = {};
    for (const n of [small, large]) {
        sizes[n] = generateOneFile(files[n], n);
    }
    console.log(`large input: one file of ${large} chart-like objects (${(sizes[large] / 1e6).toFixed(1)} MB) and one of ${small} (${(sizes[small] / 1e6).toFixed(1)} MB); median of ${RUNS} runs each`);
    for (const format of ["text", "json", "sarif"]) {
        const perObject: Record<number, number> = {};
        for (const n of [small, large]) {
            const walls: number[] = [];
            const rss: number[] = [];
            for (let i = 0; i < RUNS; i++) {
                const r = run([BIN, "check", "--format", format, files[n]], { K8SPROD_TIMINGS: "1" });
                if (r.code !== 0 && r.code !== 1) {
                    throw new Error(`k8sprod check --format ${format} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
                }
                const timings = JSON.parse(/k8sprod-timings (.*)/.exec(r.stderr)?.[1] ?? "{}");
                walls.push(r.ms);
                rss.push(timings.maxRssKiB * 1024);
            }
            perObject[n] = median(walls) / n;
            console.log(`  ${format.padEnd(5)} ${String(n).padStart(6)} objects (${(sizes[n] / 1e6).toFixed(1).padStart(5)} MB): wall ${fmt(median(walls))} `
                + `(${perObject[n].toFixed(2)} ms/object), peak memory ${(median(rss) / 1e6).toFixed(0)} MB = ${(median(rss) / sizes[n]).toFixed(1)}x the input`);
        }
        const ratio = perObject[large] / perObject[small];
        console.log(`  ${format.padEnd(5)} time per object at ${large} / at ${small}: ${ratio.toFixed(2)}  [<= 1.5: ${goal(ratio <= 1.5)}]`);
    }
}

async function main(): Promise<void> {
    const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
    console.log(`bench:check on Node ${process.version}, ${os.cpus().length} CPUs, load average ${load}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-bench-"));
    try {
        if (process.argv.includes("--only-large")) {
            largeInput(dir);
            return;
        }
        const files = generate(dir, OBJECTS);
        const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
        console.log(`generated ${OBJECTS} objects in ${files.length} files (${(bytes / 1e6).toFixed(1)} MB) under ${dir}`);

        // Parsing alone, in a fresh process like the check: read + YAML parse + object extraction.
        const parseScript = path.join(dir, "parse-only.js");
        fs.writeFileSync(parseScript, [
            `const fs = require("fs");`,
            `const { parseSource } = require(${JSON.stringify(require.resolve("../cli/check/manifests"))});`,
            `let n = 0;`,
            `for (const file of process.argv.slice(2)) { n += parseSource({ file, text: fs.readFileSync(file, "utf8") }).objects.length; }`,
            `console.log(n);`,
        ].join("\n"));
        const parseRuns: number[] = [];
        for (let i = 0; i < RUNS; i++) {
            const r = run([parseScript, ...files]);
            if (Number(r.stdout.trim()) !== OBJECTS) {
                throw new Error(`parse-only read ${r.stdout.trim()} objects, expected ${OBJECTS}: ${r.stderr}`);
            }
            parseRuns.push(r.ms);
        }
        // The same, in this process (no start-up): the parser's own speed.
        const t = performance.now();
        for (const file of files) {
            parseSource({ file, text: fs.readFileSync(file, "utf8") });
        }
        const inProcessParse = performance.now() - t;

        const checkRuns: number[] = [];
        let timings = "";
        let summary: any;
        for (let i = 0; i < RUNS; i++) {
            const r = run([BIN, "check", "--format", "json", dir], { K8SPROD_TIMINGS: "1" });
            if (r.code !== 0 && r.code !== 1) {
                throw new Error(`k8sprod check exited ${r.code}: ${r.stderr}`);
            }
            summary = JSON.parse(r.stdout).summary;
            if (summary.resources !== OBJECTS) {
                throw new Error(`k8sprod check checked ${summary.resources} objects, expected ${OBJECTS}`);
            }
            checkRuns.push(r.ms);
            timings = /k8sprod-timings (.*)/.exec(r.stderr)?.[1] ?? "";
        }
        const parseMs = median(parseRuns);
        const checkMs = median(checkRuns);
        const rate = OBJECTS / (checkMs / 1000);
        console.log("");
        console.log(`parse only (fresh process: read + YAML + objects), median of ${RUNS}: ${fmt(parseMs)} = ${Math.round(OBJECTS / (parseMs / 1000))} objects/s`
            + ` (in-process, no start-up: ${fmt(inProcessParse)} = ${Math.round(OBJECTS / (inProcessParse / 1000))} objects/s)`);
        console.log(`k8sprod check --format json, whole command with start-up, median of ${RUNS}: ${fmt(checkMs)} = ${Math.round(rate)} objects/s`
            + `  [>= 2000 objects/s: ${goal(rate >= 2000)}]`);
        console.log(`  phases of the last run (ms): ${timings}; report: ${summary.mandatory} mandatory, ${summary.advisory} advisory violations`);
        console.log(`ratio check / parse alone: check runs at ${(parseMs / checkMs).toFixed(2)} of the parser's speed (takes ${(checkMs / parseMs).toFixed(1)}x its time)`);

        // One small file, start-up included: without and with Node's compile cache.
        const small = path.join(ROOT, "tests", "fixtures", "cli", "pinned.yaml");
        const cold = run([BIN, "check", small], { NODE_DISABLE_COMPILE_CACHE: "1" });
        const warm: number[] = [];
        for (let i = 0; i < Math.max(RUNS, 5); i++) {
            warm.push(run([BIN, "check", small]).ms);
        }
        console.log("");
        console.log(`one small file (${path.relative(ROOT, small)}), wall with start-up: ${fmt(median(warm))} median of ${warm.length} (compile cache on, as bin/k8sprod runs); `
            + `${fmt(cold.ms)} with the compile cache off  [< 1.5 s: ${goal(median(warm) < 1500)}]`);

        // Cost growth: the analysis phase at a quarter of the objects and at all of them, spread over
        // namespaces of 400 objects and all in one namespace (where stack policies match selectors
        // among the most objects). Linear growth is a time ratio of 4.
        console.log("");
        for (const oneNamespace of [false, true]) {
            const analyzeMs = (count: number): number => {
                const sub = fs.mkdtempSync(path.join(dir, "scale-"));
                generate(sub, count, oneNamespace);
                const r = run([BIN, "check", "--format", "json", sub], { K8SPROD_TIMINGS: "1" });
                const phases = JSON.parse(/k8sprod-timings (.*)/.exec(r.stderr)?.[1] ?? "{}");
                if (typeof phases.analyze !== "number") {
                    throw new Error(`no timings from k8sprod check (exit ${r.code}): ${r.stderr}`);
                }
                return phases.analyze + phases.parse;
            };
            const quarter = Math.round(OBJECTS / 4);
            const small = median(Array.from({ length: RUNS }, () => analyzeMs(quarter)));
            const large = median(Array.from({ length: RUNS }, () => analyzeMs(OBJECTS)));
            console.log(`cost growth (${oneNamespace ? "one namespace" : "namespaces of 400 objects"}): parse + analyze ${quarter} objects ${fmt(small)}, ${OBJECTS} objects ${fmt(large)}: `
                + `time ratio ${(large / small).toFixed(2)} for 4x the objects (linear = 4.00)`);
        }

        // Each pack, through the SDK's policy-pack runner.
        console.log("");
        for (const pack of bundledPacks()) {
            const ready: number[] = [];
            const port: number[] = [];
            let name = path.basename(pack);
            for (let i = 0; i < RUNS; i++) {
                const started = await startPolicyPack(pack);
                ready.push(started.timings.readyMs);
                port.push(started.timings.portMs);
                name = started.info.name;
                await started.close();
            }
            console.log(`pack ${name} via the policy-pack runner, median of ${RUNS}: serving after ${fmt(median(port))}, ready (GetAnalyzerInfo answered) after ${fmt(median(ready))}`
                + `  [< 2 s: ${goal(median(ready) < 2000)}]`);
        }

        console.log("");
        largeInput(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}
