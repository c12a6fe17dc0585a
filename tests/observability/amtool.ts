import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

/** The Alertmanager version kube-prometheus-stack 88.5.3 deploys (its alertmanager image v0.34.0 in lib/versions.ts). */
export const ALERTMANAGER_VERSION = "0.34.0";

/**
 * amtool at the deployed Alertmanager version, built by scripts/tools/amtool ($K8SPROD_AMTOOL, else
 * ~/.cache/k8sprod/amtool-<version>/amtool). Debian's amtool 0.25 rejects `url_file`, so it is not used.
 * Throws (tests fail, never skip) when missing.
 */
export function amtoolBinary(): string {
    const candidate = process.env.K8SPROD_AMTOOL
        ?? path.join(process.env.K8SPROD_CACHE ?? path.join(os.homedir(), ".cache", "k8sprod"), `amtool-${ALERTMANAGER_VERSION}`, "amtool");
    if (!fs.existsSync(candidate)) {
        throw new Error(`no amtool ${ALERTMANAGER_VERSION} at ${candidate}: run scripts/tools/amtool (scripts/install-system-deps does)`);
    }
    return candidate;
}

/** Runs amtool with the Alertmanager configuration written to a fresh file (`{}` in args stands for its path). */
export function amtool(config: Record<string, any>, args: string[]): { ok: boolean; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-amtool-"));
    try {
        const file = path.join(dir, "alertmanager.yaml");
        fs.writeFileSync(file, YAML.stringify(config));
        const run = spawnSync(amtoolBinary(), args.map((a) => a.replace("{}", file)), { encoding: "utf8", timeout: 600_000 });
        if (run.error) {
            throw new Error(`cannot run amtool (${run.error.message})`);
        }
        return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The receivers an alert with `labels` is routed to, by amtool's own routing tree. */
export function routedTo(config: Record<string, any>, labels: Record<string, string>): string[] {
    const r = amtool(config, ["config", "routes", "test", "--config.file={}", ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    if (!r.ok) {
        throw new Error(`amtool config routes test failed: ${r.output}`);
    }
    return r.output.trim().split(/[\s,]+/).filter((s) => s !== "");
}
