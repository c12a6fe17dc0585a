import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PROMTOOL } from "../autoscaling/promtool";

/** The Prometheus version kube-prometheus-stack 88.5.3 deploys (its values.yaml image tag v3.14.0). */
export const PROMETHEUS_VERSION = "3.14.0";

/**
 * promtool with Kubernetes service discovery, built by scripts/tools/promtool at the deployed Prometheus version
 * ($K8SPROD_PROMTOOL, else ~/.cache/k8sprod/promtool-<version>/promtool). Debian's promtool is built without
 * Kubernetes discovery and refuses any `kubernetes_sd_configs`. Throws (tests fail, never skip) when missing.
 */
export function promtoolWithKubernetesSd(): string {
    const candidate = process.env.K8SPROD_PROMTOOL
        ?? path.join(process.env.K8SPROD_CACHE ?? path.join(os.homedir(), ".cache", "k8sprod"), `promtool-${PROMETHEUS_VERSION}`, "promtool");
    if (!fs.existsSync(candidate)) {
        throw new Error(`no promtool ${PROMETHEUS_VERSION} with Kubernetes discovery at ${candidate}: run scripts/tools/promtool (scripts/install-system-deps does)`);
    }
    return candidate;
}

/** Runs promtool with `files` (name → content) written to a fresh directory; returns its verdict. Throws when promtool cannot run. */
export function promtool(args: (dir: string) => string[], files: Record<string, unknown>, binary = PROMTOOL): { ok: boolean; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-promtool-"));
    try {
        for (const [name, content] of Object.entries(files)) {
            fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : YAML.stringify(content));
        }
        const run = spawnSync(binary, args(dir), { encoding: "utf8", timeout: 600_000, cwd: dir });
        if (run.error) {
            throw new Error(`cannot run ${binary} (${run.error.message}): install Debian's prometheus package (scripts/install-system-deps) or set PROMTOOL`);
        }
        return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Expands the annotation templates the rules use: `{{ $labels.x }}` and `{{ $value | humanize }}` (with the value given). */
export function expandTemplate(text: string, labels: Record<string, string>, value?: string): string {
    return text
        .replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_m, l: string) => labels[l] ?? "")
        .replace(/\{\{\s*\$value\s*\|\s*humanize\s*\}\}/g, () => {
            if (value === undefined) {
                throw new Error(`template needs a value: ${text}`);
            }
            return value;
        });
}
