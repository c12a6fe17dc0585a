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
        for (const l of v.message.split("\n")) {
            lines.push(`        ${l}`);
        }
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
    return `${plural(s.resources, "resource")} checked: ${plural(s.mandatory, "mandatory violation")}, ${plural(s.advisory, "advisory violation")}`
        + (s.notEvaluated > 0 ? `, ${s.notEvaluated} not evaluated during preview` : "");
}

/** The policies that could not decide during preview, one line each, with the reason. */
export function notEvaluatedLines(report: Report): string[] {
    const lines: string[] = [];
    for (const n of report.notEvaluated) {
        lines.push(`  ${n.policyPack}/${n.policy} on ${describe(n.resource)}: ${n.reason}`);
    }
    return lines;
}

/** Lines joined into pieces of about `batch` lines, for writing a long report without one huge string. */
function* batched(lines: Iterable<string>, batch = 5000): Generator<string> {
    let buf: string[] = [];
    for (const l of lines) {
        buf.push(l);
        if (buf.length >= batch) {
            yield buf.join("\n") + "\n";
            buf = [];
        }
    }
    if (buf.length > 0) {
        yield buf.join("\n") + "\n";
    }
}

/**
 * `check --format text`, in pieces. The header counts every object read (checked or not); the
 * summary line counts the checked ones, the violations by level, and the policies not evaluated.
 */
export function renderCheckTextChunks(report: Report, ctx: ReportContext, files: number): Iterable<string> {
    return batched(checkTextLines(report, ctx, files));
}

/** `check --format text`, as one string. */
export function renderCheckText(report: Report, ctx: ReportContext, files: number): string {
    return [...renderCheckTextChunks(report, ctx, files)].join("");
}

function* checkTextLines(report: Report, ctx: ReportContext, files: number): Generator<string> {
    const unchecked = report.unchecked?.length ?? 0;
    const read = report.summary.resources + unchecked;
    yield `k8sprod check: ${plural(read, "object")} from ${plural(files, "file")}`
        + (unchecked > 0 ? ` (${report.summary.resources} checked, ${unchecked} not checked)` : "");
    if (report.violations.length > 0) {
        yield "";
        yield "Violations:";
        yield* violationLines(report, ctx);
    }
    if (report.notEvaluated.length > 0) {
        yield "";
        yield "Not evaluated (the policy needs values that are unknown until deployment):";
        yield* notEvaluatedLines(report);
    }
    if (unchecked > 0) {
        yield "";
        yield "Not checked:";
        for (const u of report.unchecked!) {
            const name = u.name ? ` ${u.namespace ? `${u.namespace}/` : ""}${u.name}` : "";
            yield `  ${displayName(u.file)} (document ${u.document}): ${u.apiVersion}/${u.kind}${name}: ${u.reason}`;
        }
    }
    yield "";
    yield summaryLine(report) + (unchecked > 0 ? `, ${plural(unchecked, "object")} not checked` : "");
}
