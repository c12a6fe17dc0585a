import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

/** promtool from Debian's `prometheus` package (or $PROMTOOL). */
export const PROMTOOL = process.env.PROMTOOL ?? "promtool";

/**
 * Runs `promtool check rules` on one recording rule per expression, so that Prometheus's own parser
 * judges each PromQL expression. Returns promtool's verdict; throws when promtool cannot be run.
 */
export function promtoolCheck(expressions: string[]): { ok: boolean; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-promtool-"));
    try {
        const file = path.join(dir, "rules.yaml");
        const rules = { groups: [{ name: "k8sprod-adapter-queries", rules: expressions.map((expr, i) => ({ record: `k8sprod:query_${i}`, expr })) }] };
        fs.writeFileSync(file, YAML.stringify(rules));
        const run = spawnSync(PROMTOOL, ["check", "rules", file], { encoding: "utf8", timeout: 300000 });
        if (run.error) {
            throw new Error(`cannot run ${PROMTOOL} (${run.error.message}): install Debian's prometheus package (apt-get install prometheus) or set PROMTOOL`);
        }
        return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * A prometheus-adapter query template with its placeholders filled in the way the adapter fills them
 * for one request: the series name, the label matchers of the object(s) asked about, the group-by labels.
 */
export function expandAdapterTemplate(template: string, fill: { series: string; labelMatchers: string; groupBy: string }): string {
    const out = template
        .replace(/<<\s*\.Series\s*>>/g, fill.series)
        .replace(/<<\s*\.LabelMatchers\s*>>/g, fill.labelMatchers)
        .replace(/<<\s*\.GroupBy\s*>>/g, fill.groupBy);
    if (out.includes("<<") || out.includes(">>")) {
        throw new Error(`unfilled placeholder in ${out}`);
    }
    return out;
}
