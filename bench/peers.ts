// bench:peers — `k8sprod check` (schema validation on) next to the peer linters it is compared with,
// on the same generated inputs, in interleaved rounds: CPU time (user + system, GNU time) and wall
// time per process, medians, and each tool's CPU as a ratio to k8sprod's.
//
// Peers: kube-score 1.20.0 and kubeconform 0.8.0, built with `go install` into
// ~/.cache/k8sprod/<tool>-<version>/ (or taken from PATH). kubeconform runs offline on the strict
// JSON schemas that PyPI's kubernetes-validate 1.37.0 ships (Kubernetes 1.35), with their `$ref`s
// made local (each kind's file carries the definitions it reaches), in ~/.cache/k8sprod/.
// Polaris and kube-linter are not served by the Go module proxy (their modules do not build with
// `go install` here), so they are not run; a peer that cannot be installed is skipped, and
// the bench says so. `--baseline DIR` adds another k8sprod checkout (e.g. the tree before issue 13,
// without schema validation) as a row. Not part of `npm test`.
//
// Run: npm run bench:peers [-- --rounds N --objects N --baseline DIR --skip-install]
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { packageRoot } from "../cli/packs";
import { generate, makeObject } from "./check";

const ROOT = packageRoot();
const CACHE = path.join(os.homedir(), ".cache", "k8sprod");

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
}
const ROUNDS = Number(arg("rounds") ?? 5);
const OBJECTS = Number(arg("objects") ?? 5000);
const BASELINE = arg("baseline");
const SKIP_INSTALL = process.argv.includes("--skip-install");

interface Peer {
    name: string;
    version: string;
    module: string;
}
const GO_PEERS: Peer[] = [
    { name: "kube-score", version: "1.20.0", module: "github.com/zegl/kube-score/cmd/kube-score" },
    { name: "kubeconform", version: "0.8.0", module: "github.com/yannh/kubeconform/cmd/kubeconform" },
];

/** The peer's binary: on PATH, or built once with `go install` into the version-stamped cache. */
function installPeer(p: Peer): string | undefined {
    const onPath = spawnSync("sh", ["-c", `command -v ${p.name}`], { encoding: "utf8" }).stdout.trim();
    if (onPath) {
        return onPath;
    }
    const dir = path.join(CACHE, `${p.name}-${p.version}`);
    const bin = path.join(dir, p.name);
    if (fs.existsSync(bin)) {
        return bin;
    }
    if (SKIP_INSTALL) {
        return undefined;
    }
    fs.mkdirSync(dir, { recursive: true });
    console.log(`installing ${p.name} ${p.version} with go install (once, into ${dir})...`);
    const r = spawnSync("go", ["install", `${p.module}@v${p.version}`], { stdio: "inherit", env: { ...process.env, GOBIN: dir, GOFLAGS: process.env.GOFLAGS ?? "-mod=mod" } });
    return r.status === 0 && fs.existsSync(bin) ? bin : undefined;
}

const KV = { version: "1.37.0", wheel: "kubernetes_validate-1.37.0-py3-none-any.whl", kubernetes: "v1.35.0" };

/**
 * kubeconform's offline schemas: kubernetes-validate's per-kind strict schemas with every `$ref`
 * into _definitions.json rewritten to a local `#/$defs/...` and the reachable definitions embedded.
 */
function kubeconformSchemas(): string | undefined {
    const out = path.join(CACHE, `kubeconform-schemas-kv${KV.version}-${KV.kubernetes}`);
    if (fs.existsSync(path.join(out, "deployment-apps-v1.json"))) {
        return out;
    }
    if (SKIP_INSTALL) {
        return undefined;
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-kv-"));
    try {
        execFileSync("pip", ["download", `kubernetes-validate==${KV.version}`, "--no-deps", "--only-binary=:all:", "-d", tmp], { stdio: "inherit" });
        execFileSync("python3", ["-m", "zipfile", "-e", path.join(tmp, KV.wheel), path.join(tmp, "x")]);
    } catch (e: any) {
        console.log(`kubeconform schemas: cannot fetch kubernetes-validate from PyPI (${e.message})`);
        return undefined;
    }
    const src = path.join(tmp, "x", "kubernetes_validate", "kubernetes-json-schema", `${KV.kubernetes}-local-strict`);
    const defs = JSON.parse(fs.readFileSync(path.join(src, "_definitions.json"), "utf8")).$defs;
    const local = (v: any): any => {
        if (Array.isArray(v)) {
            return v.map(local);
        }
        if (v && typeof v === "object") {
            const o: Record<string, any> = {};
            for (const [k, x] of Object.entries(v)) {
                o[k] = k === "$ref" && typeof x === "string" ? `#/$defs/${x.slice(x.lastIndexOf("/") + 1)}` : local(x);
            }
            return o;
        }
        return v;
    };
    const reach = (v: any, seen: Set<string>): void => {
        if (Array.isArray(v)) {
            v.forEach((x) => reach(x, seen));
        } else if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) {
                if (k === "$ref" && typeof x === "string") {
                    const name = x.slice(x.lastIndexOf("/") + 1);
                    if (!seen.has(name) && defs[name]) {
                        seen.add(name);
                        reach(defs[name], seen);
                    }
                } else {
                    reach(x, seen);
                }
            }
        }
    };
    fs.mkdirSync(out, { recursive: true });
    for (const f of fs.readdirSync(src)) {
        if (!f.endsWith(".json") || f.startsWith("_") || f === "all.json") {
            continue;
        }
        const schema = JSON.parse(fs.readFileSync(path.join(src, f), "utf8"));
        const seen = new Set<string>();
        reach(schema, seen);
        const file = local(schema);
        file.$defs = Object.fromEntries([...seen].map((n) => [n, local(defs[n])]));
        fs.writeFileSync(path.join(out, f), JSON.stringify(file));
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    return out;
}

/**
 * The Kubernetes objects a stack deploys, as a user hands them to a linter: the `kubernetes.yaml` that
 * `k8sprod plan --out` writes (secrets unwrapped, unknown values left out), planned with the stack's own
 * policy config. Returns the number of objects.
 */
function stackObjects(stack: string, file: string): number {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `k8sprod-peers-${stack}-`));
    try {
        const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "k8sprod"), "plan", "--cwd", path.join(ROOT, "stacks"), "--stack", stack,
            "--policy-config", path.join(ROOT, "stacks", "policy", `${stack}.json`), "--out", out, "--no-progress", "--format", "json"],
        { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        if (r.status !== 0) {
            throw new Error(`k8sprod plan --stack ${stack} exited ${r.status}: ${r.stderr.trim().split("\n").slice(0, 3).join(" ")}`);
        }
        const yaml = fs.readFileSync(path.join(out, "kubernetes.yaml"), "utf8");
        fs.writeFileSync(file, yaml);
        return yaml.split(/^---$/m).filter((d) => /^kind:/m.test(d)).length;
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

interface Sample {
    cpu: number;
    wall: number;
    code: number;
}

/** One process, timed by GNU time: user + system CPU seconds and elapsed wall seconds. */
function timed(cmd: string, args: string[]): Sample {
    const r = spawnSync("/usr/bin/time", ["-f", "%U %S %e", cmd, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 });
    const last = r.stderr.trim().split("\n").pop() ?? "";
    const [u, s, e] = last.split(" ").map(Number);
    if ([u, s, e].some((x) => !Number.isFinite(x))) {
        throw new Error(`${cmd} ${args.join(" ")}: cannot read GNU time's output: ${r.stderr.slice(-500)}`);
    }
    return { cpu: u + s, wall: e, code: r.status ?? -1 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
    console.log(`bench:peers on Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-peers-"));
    try {
        const corpusDir = path.join(dir, "corpus");
        fs.mkdirSync(corpusDir);
        const corpusFiles = generate(corpusDir, OBJECTS);
        const small = path.join(dir, "small.yaml");
        fs.writeFileSync(small, stringify(makeObject(0)));
        const inputs: Array<{ name: string; files: string[] }> = [
            { name: `${OBJECTS} objects (bench/check corpus)`, files: corpusFiles },
            { name: "one small Deployment", files: [small] },
        ];
        for (const stack of ["dev", "prod"]) {
            const file = path.join(dir, `${stack}.yaml`);
            try {
                const n = stackObjects(stack, file);
                inputs.push({ name: `${stack} stack (${n} objects)`, files: [file] });
            } catch (e: any) {
                console.log(`${stack} stack: skipped (${e.message})`);
            }
        }

        const node = process.execPath;
        const tools: Array<{ name: string; run: (files: string[]) => [string, string[]] }> = [
            { name: "k8sprod check", run: (files) => [node, [path.join(ROOT, "bin", "k8sprod"), "check", "-f", "json", ...files]] },
        ];
        if (BASELINE) {
            tools.push({ name: "k8sprod (baseline)", run: (files) => [node, [path.join(path.resolve(BASELINE), "bin", "k8sprod"), "check", "-f", "json", ...files]] });
        }
        for (const p of GO_PEERS) {
            const bin = installPeer(p);
            if (!bin) {
                console.log(`${p.name} ${p.version}: not installed (go install failed or --skip-install): skipped`);
                continue;
            }
            if (p.name === "kube-score") {
                tools.push({ name: `kube-score ${p.version}`, run: (files) => [bin, ["score", "--output-format", "ci", ...files]] });
            } else {
                const schemas = kubeconformSchemas();
                if (!schemas) {
                    console.log("kubeconform: no offline schemas: skipped");
                    continue;
                }
                tools.push({
                    name: `kubeconform ${p.version}`,
                    run: (files) => [bin, ["-strict", "-summary", "-schema-location", `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, ...files]],
                });
            }
        }
        console.log("Polaris and kube-linter: not served by the Go module proxy this machine can reach: skipped (kube-linter measured about equal to k8sprod before issue 13; use --baseline for that proxy)");

        // Warm-up (compile cache, page cache), then interleaved rounds.
        for (const t of tools) {
            for (const i of inputs) {
                const [cmd, args] = t.run(i.files);
                timed(cmd, args);
            }
        }
        const samples = new Map<string, Sample[]>();
        for (let round = 0; round < ROUNDS; round++) {
            for (const i of inputs) {
                for (const t of tools) {
                    const [cmd, args] = t.run(i.files);
                    const key = `${i.name}\0${t.name}`;
                    samples.set(key, [...(samples.get(key) ?? []), timed(cmd, args)]);
                }
            }
        }
        console.log(`\n${ROUNDS} interleaved rounds, medians (CPU = user + system of the process; ratio = CPU / k8sprod check's CPU)`);
        for (const i of inputs) {
            console.log(`\n${i.name}`);
            console.log("  tool                 | CPU s  | wall s | CPU ratio | exit");
            const base = median(samples.get(`${i.name}\0k8sprod check`)!.map((s) => s.cpu));
            for (const t of tools) {
                const ss = samples.get(`${i.name}\0${t.name}`)!;
                const cpu = median(ss.map((s) => s.cpu));
                const wall = median(ss.map((s) => s.wall));
                console.log(`  ${t.name.padEnd(20)} | ${cpu.toFixed(2).padStart(6)} | ${wall.toFixed(2).padStart(6)} | ${(cpu / Math.max(base, 0.005)).toFixed(2).padStart(9)} | ${ss[0].code}`);
            }
        }
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
