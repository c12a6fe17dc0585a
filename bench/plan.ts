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
    seconds: number;
    maxRssMiB: number;
}

function runPlan(configDir: string, stack: string): { resources: number; seconds: number; maxRssMiB: number } {
    // The CLI's own entry, with its peak memory reported at exit (process.resourceUsage is the process's own max RSS).
    const script = [
        `const nodeModule = require("module"); nodeModule.enableCompileCache && nodeModule.enableCompileCache(${JSON.stringify(path.join(ROOT, "node_modules", ".cache", "k8sprod-compile"))});`,
        `require(${JSON.stringify(path.join(ROOT, "dist", "cli", "main.js"))}).main(process.argv.slice(1)).then((code) => {`,
        "  process.stderr.write(`\\nk8sprod-bench ${JSON.stringify({ maxRSS: process.resourceUsage().maxRSS })}\\n`);",
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
    const report = JSON.parse(r.stdout);
    return { resources: report.summary.resources, seconds, maxRssMiB: m ? JSON.parse(m[1]).maxRSS / 1024 : NaN };
}

function main(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-bench-plan-"));
    const samples: Sample[] = [];
    for (const extra of SIZES) {
        const stack = `bench${extra}`;
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), benchStackConfig(extra));
        const runs = Array.from({ length: RUNS }, () => runPlan(dir, stack));
        const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
        samples.push({ extra, resources: best.resources, seconds: best.seconds, maxRssMiB: Math.max(...runs.map((x) => x.maxRssMiB)) });
        process.stderr.write(`bench:plan: +${extra} WebServices: ${best.resources} resources, ${best.seconds.toFixed(1)} s, ${best.maxRssMiB.toFixed(0)} MiB\n`);
    }
    const base = samples.find((s) => s.extra === 0);
    console.log(`bench:plan (${RUNS} run(s) each, best wall time; Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)})`);
    console.log("| extra WebServices | resources | wall time | peak memory | time per extra service | memory per extra service |");
    console.log("|---:|---:|---:|---:|---:|---:|");
    const per: Array<{ extra: number; ms: number; kib: number }> = [];
    for (const s of samples) {
        let perTime = "";
        let perMem = "";
        if (base && s.extra > 0) {
            const ms = ((s.seconds - base.seconds) * 1000) / s.extra;
            const kib = ((s.maxRssMiB - base.maxRssMiB) * 1024) / s.extra;
            per.push({ extra: s.extra, ms, kib });
            perTime = `${ms.toFixed(1)} ms`;
            perMem = `${kib.toFixed(0)} KiB`;
        }
        console.log(`| ${s.extra} | ${s.resources} | ${s.seconds.toFixed(2)} s | ${s.maxRssMiB.toFixed(0)} MiB | ${perTime} | ${perMem} |`);
    }
    const at = (n: number) => per.find((p) => p.extra === n);
    const big = at(1000);
    const mid = at(100);
    if (big && mid && base) {
        const t1000 = samples.find((s) => s.extra === 1000)!;
        const t100 = samples.find((s) => s.extra === 100)!;
        console.log(`growth from +100 to +1,000 WebServices: time ${((t1000.seconds - base.seconds) / (t100.seconds - base.seconds)).toFixed(1)}x, `
            + `resources ${((t1000.resources - base.resources) / (t100.resources - base.resources)).toFixed(1)}x (linear: both 10x); `
            + `time per extra service at 1,000 / at 100: ${(big.ms / mid.ms).toFixed(2)} (linear: 1.0)`);
    }
}

main();
