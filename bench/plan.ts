// bench:plan — what `k8sprod plan` costs on the prod stack, and how that grows with the program: wall time and
// peak memory (max RSS) of the whole command (start-up, program, packs, report) on stacks/Pulumi.prod.yaml, and
// on the same stack with 10, 100 and 1,000 extra WebServices in one more namespace (`k8sprod:namespaces`).
// Growth is linear when the cost per extra WebService stays the same from 10 to 100 to 1,000; the ratios of
// those per-service costs are printed. Run with `npm run bench:plan` (it builds first). Options: --runs N,
// --sizes 0,10,100,1000.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { packageRoot } from "../cli/packs";

const ROOT = packageRoot();

function arg(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
}

const RUNS = Number(arg("runs", "1"));
const SIZES = arg("sizes", "0,10,100,1000").split(",").map(Number);

/** A WebService as a team would add it, in the form ProductionPlatform's namespaces take. */
export function benchService(i: number): Record<string, unknown> {
    return {
        name: `svc-${i}`,
        service: {
            containers: [{
                name: "app",
                image: `ghcr.io/stefanprodan/podinfo:6.7.${i % 10}`,
                ports: [{ name: "http", containerPort: 9898 }],
                resources: { requests: { cpu: "100m", memory: "128Mi" } },
                probes: { readiness: { httpPath: "/readyz" }, liveness: { httpPath: "/healthz" } },
            }],
        },
    };
}

/** The prod stack's config with `extra` WebServices in namespace `bench`. */
export function benchStackConfig(extra: number): string {
    const doc = parse(fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8"));
    if (extra > 0) {
        doc.config["k8sprod:namespaces"] = [{ name: "bench", webServices: Array.from({ length: extra }, (_, i) => benchService(i)) }];
    }
    return stringify(doc);
}

interface Sample {
    extra: number;
    resources: number;
    /** Wall time. */
    seconds: number;
    /** CPU time (user + system) of the plan process: what the work costs, whatever else the machine runs. */
    cpuSeconds: number;
    maxRssMiB: number;
}

function runPlan(configDir: string, stack: string): { resources: number; seconds: number; cpuSeconds: number; maxRssMiB: number } {
    // The CLI's own entry, with its peak memory reported at exit (process.resourceUsage is the process's own max RSS).
    const script = [
        `const nodeModule = require("module"); nodeModule.enableCompileCache && nodeModule.enableCompileCache(${JSON.stringify(path.join(ROOT, "node_modules", ".cache", "k8sprod-compile"))});`,
        `require(${JSON.stringify(path.join(ROOT, "dist", "cli", "main.js"))}).main(process.argv.slice(1)).then((code) => {`,
        "  const u = process.resourceUsage();",
        "  process.stderr.write(`\\nk8sprod-bench ${JSON.stringify({ maxRSS: u.maxRSS, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 })}\\n`);",
        "  process.stdout.write('', () => process.exit(code));",
        "});",
    ].join("\n");
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-e", script, "plan", "--stack", stack, "--config-dir", configDir, "--format", "json", "--no-progress"],
        { cwd: ROOT, encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0 && r.status !== 1) {
        throw new Error(`plan --stack ${stack} exited ${r.status}: ${r.stderr}`);
    }
    const m = /k8sprod-bench (\{.*\})/.exec(r.stderr);
    if (!m) {
        throw new Error(`plan --stack ${stack} did not report its resource usage: ${r.stderr}`);
    }
    const usage = JSON.parse(m[1]);
    const report = JSON.parse(r.stdout);
    return { resources: report.summary.resources, seconds, cpuSeconds: usage.cpu, maxRssMiB: usage.maxRSS / 1024 };
}

function main(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-bench-plan-"));
    const samples: Sample[] = [];
    for (const extra of SIZES) {
        const stack = `bench${extra}`;
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), benchStackConfig(extra));
        const runs = Array.from({ length: RUNS }, () => runPlan(dir, stack));
        const best = runs.reduce((a, b) => (b.cpuSeconds < a.cpuSeconds ? b : a));
        samples.push({ ...best, extra, maxRssMiB: Math.max(...runs.map((x) => x.maxRssMiB)) });
        process.stderr.write(`bench:plan: +${extra} WebServices: ${best.resources} resources, ${best.seconds.toFixed(1)} s wall, ${best.cpuSeconds.toFixed(1)} s CPU, ${best.maxRssMiB.toFixed(0)} MiB\n`);
    }
    const base = samples.find((s) => s.extra === 0);
    console.log(`bench:plan (${RUNS} run(s) each, the run with the least CPU time; Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)})`);
    console.log("| extra WebServices | resources | wall time | CPU time | peak memory (max RSS) | CPU per extra service | memory per extra service |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|");
    const per = new Map<number, { cpuMs: number; kib: number }>();
    for (const s of samples) {
        let cols = ["", ""];
        if (base && s.extra > 0) {
            const p = { cpuMs: ((s.cpuSeconds - base.cpuSeconds) * 1000) / s.extra, kib: ((s.maxRssMiB - base.maxRssMiB) * 1024) / s.extra };
            per.set(s.extra, p);
            cols = [`${p.cpuMs.toFixed(1)} ms`, `${p.kib.toFixed(0)} KiB`];
        }
        console.log(`| ${s.extra} | ${s.resources} | ${s.seconds.toFixed(2)} s | ${s.cpuSeconds.toFixed(2)} s | ${s.maxRssMiB.toFixed(0)} MiB | ${cols[0]} | ${cols[1]} |`);
    }
    const at = (n: number) => samples.find((x) => x.extra === n);
    const [s100, s1000] = [at(100), at(1000)];
    if (base && s100 && s1000) {
        // Growth of what the extra services add over the stack alone; a +100 run no costlier than the bare stack
        // (wall time on a loaded machine) has nothing to compare with.
        const grow = (f: (x: Sample) => number) => {
            const [a, b] = [f(s100) - f(base), f(s1000) - f(base)];
            return a > 0 ? (b / a).toFixed(1) : "n/a (the +100 run was not above the bare stack) ";
        };
        console.log(`from +100 to +1,000 WebServices (10x): resources ${grow((x) => x.resources)}x, CPU time ${grow((x) => x.cpuSeconds)}x, `
            + `wall time ${grow((x) => x.seconds)}x, peak memory ${grow((x) => x.maxRssMiB)}x; `
            + `CPU per extra service at 1,000 / at 100: ${(per.get(1000)!.cpuMs / per.get(100)!.cpuMs).toFixed(2)} (linear: 1.0)`);
    }
}

main();
