import { displayName } from "../check/manifests";
import { isMandatory, locationKey } from "./report";
import type { Report, ReportContext, ReportResourceRef, ReportViolation } from "./report";

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function describe(r: ReportResourceRef): string {
    const kind = r.type.split(":").pop() ?? r.type;
    return `${kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

function levelLabel(level: string): string {
    return isMandatory(level) ? "mandatory" : level;
}

/** The violations, grouped by the resource they name, in report order. */
export function violationLines(report: Report, ctx: ReportContext): string[] {
    const lines: string[] = [];
    let current = "";
    for (const v of report.violations) {
        const key = `${v.urn}|${v.resource.file ?? ""}|${v.resource.document ?? ""}`;
        if (key !== current) {
            current = key;
            lines.push("", `  ${heading(v, ctx)}`);
        }
        lines.push(`    [${levelLabel(v.enforcementLevel)}] ${v.policyPack}/${v.policy}`);
        lines.push(...v.message.split("\n").map((l) => `        ${l}`));
    }
    return lines;
}

function heading(v: ReportViolation, ctx: ReportContext): string {
    const r = v.resource;
    if (r.file === undefined) {
        return `${r.type}  ${r.name}`;
    }
    const loc = ctx.locations.get(locationKey(v.urn, r.file));
    const line = loc?.file === r.file && loc.document === r.document && loc.line !== undefined ? `, line ${loc.line}` : "";
    return `${displayName(r.file)} (document ${r.document}${line}): ${describe(r)}`;
}

export function summaryLine(report: Report): string {
    const s = report.summary;
    return `${plural(s.resources, "resource")} checked: ${plural(s.mandatory, "mandatory violation")}, ${plural(s.advisory, "advisory violation")}`;
}

/** `check --format text`. */
export function renderCheckText(report: Report, ctx: ReportContext, files: number): string {
    const lines: string[] = [];
    const files_ = plural(files, "file");
    lines.push(`k8sprod check: ${plural(report.summary.resources, "object")} from ${files_}`);
    if (report.violations.length > 0) {
        lines.push("", "Violations:");
        lines.push(...violationLines(report, ctx));
    }
    if (report.unchecked && report.unchecked.length > 0) {
        lines.push("", "Not checked:");
        for (const u of report.unchecked) {
            const name = u.name ? ` ${u.namespace ? `${u.namespace}/` : ""}${u.name}` : "";
            lines.push(`  ${displayName(u.file)} (document ${u.document}): ${u.apiVersion}/${u.kind}${name}: ${u.reason}`);
        }
    }
    lines.push("", summaryLine(report) + (report.unchecked?.length ? `, ${plural(report.unchecked.length, "object")} not checked` : ""));
    return lines.join("\n") + "\n";
}
