import type { EngineResource, EngineViolation } from "../engine/contract";
import { appendAll } from "../util";

// The report contract (`--format json`), stable across versions: see docs/cli.md and DESIGN.md.
// Fields are only ever added, never renamed or removed.

export interface ReportResourceRef {
    type: string;
    name: string;
    namespace?: string;
    file?: string;
    document?: number;
}

export interface ReportResource extends ReportResourceRef {
    urn: string;
}

export interface ReportViolation {
    policyPack: string;
    policy: string;
    enforcementLevel: string;
    urn: string;
    message: string;
    resource: ReportResourceRef;
    /** The property path the violation is about, when it names one (schema findings: `spec.replicas`). */
    path?: string;
    /** The line of that path in the resource's file (check only). */
    line?: number;
}

/**
 * A policy that could not decide during preview (it read a value that is unknown until deployment):
 * neither a violation nor a pass. The SDK reports it as an advisory diagnostic "can't run policy ...
 * during preview: <reason>"; the report lists it here instead, with the reason.
 */
export interface ReportNotEvaluated {
    policyPack: string;
    policy: string;
    urn: string;
    reason: string;
    resource: ReportResourceRef;
}

/** An object `check` read but could not hand to the packs (custom resources, unknown kinds). */
export interface ReportUnchecked {
    file: string;
    document: number;
    apiVersion: string;
    kind: string;
    name?: string;
    namespace?: string;
    reason: string;
}

export interface Report {
    resources: ReportResource[];
    violations: ReportViolation[];
    /** Policies that could not decide during preview, per resource (never counted as violations). */
    notEvaluated: ReportNotEvaluated[];
    summary: { resources: number; mandatory: number; advisory: number; notEvaluated: number };
    /** Present for `check`: what was read but not checked. */
    unchecked?: ReportUnchecked[];
}

/**
 * The message @pulumi/policy gives a policy that read a value unknown during preview (server.js:
 * "can't run policy '<name>' from policy pack '<pack>@v<version>' during preview: <reason>", always
 * advisory). It is what a policy can signal under the real CLI; here it becomes "not evaluated".
 */
const PREVIEW_UNKNOWN = /^can't run policy '[^']*' from policy pack '[^']*' during preview: ([\s\S]*)$/;

/** The reason a diagnostic is the SDK's "cannot run during preview" report, or undefined for a real violation. */
export function notEvaluatedReason(v: Pick<EngineViolation, "enforcementLevel" | "message">): string | undefined {
    if (v.enforcementLevel !== "advisory") {
        return undefined;
    }
    const m = PREVIEW_UNKNOWN.exec(v.message);
    return m ? m[1] : undefined;
}

/** Where a resource came from, for the text and SARIF renderers (not part of the JSON contract). */
export interface ResourceLocation {
    file?: string;
    document?: number;
    line?: number;
}

/** The key of a resource's location: a URN can repeat across files under --each-file. */
export function locationKey(urn: string, file?: string): string {
    return file === undefined ? urn : `${urn}\0${file}`;
}

export interface ReportContext {
    /** What a report is about: "check" or "plan <stack>". */
    command: string;
    /** locationKey(urn, file) -> where the resource was read (check only). */
    locations: Map<string, ResourceLocation>;
    /** The stack resource a stack-wide violation without a URN is attributed to. */
    stackResource: ReportResourceRef;
    /** The stack resource's URN, when the stack has one (plan): a violation without a URN gets it. */
    stackUrn?: string;
}

function ref(r: EngineResource): ReportResourceRef {
    const out: ReportResourceRef = { type: r.type, name: r.name };
    if (r.namespace !== undefined) {
        out.namespace = r.namespace;
    }
    if (r.file !== undefined) {
        out.file = r.file;
    }
    if (r.document !== undefined) {
        out.document = r.document;
    }
    return out;
}

/**
 * Builds the report: every resource, every violation with the resource it names (a violation
 * without a URN, from a stack policy, is attributed to the stack), sorted by the resources' order
 * and then by pack and policy, and the counts.
 */
export function buildReport(resources: EngineResource[], violations: EngineViolation[], ctx: ReportContext, unchecked?: ReportUnchecked[]): Report {
    const order = new Map<string, number>();
    const byUrn = new Map<string, EngineResource>();
    resources.forEach((r, i) => {
        if (!order.has(r.urn)) {
            order.set(r.urn, i);
            byUrn.set(r.urn, r);
        }
    });
    type Keyed<T> = { item: T; key: readonly [number, number] };
    const reported: Array<Keyed<ReportViolation>> = [];
    const skipped: Array<Keyed<ReportNotEvaluated>> = [];
    violations.forEach((v, i) => {
        const urn = v.urn || ctx.stackUrn || "";
        const r = byUrn.get(urn);
        const resource = r ? ref(r) : { ...ctx.stackResource };
        const key = [order.get(urn) ?? -1, i] as const;
        const reason = notEvaluatedReason(v);
        if (reason !== undefined) {
            skipped.push({ item: { policyPack: v.policyPack, policy: v.policy, urn, reason, resource }, key });
        } else {
            const item: ReportViolation = { policyPack: v.policyPack, policy: v.policy, enforcementLevel: v.enforcementLevel, urn, message: v.message, resource };
            if (v.path !== undefined) {
                item.path = v.path;
            }
            if (v.line !== undefined) {
                item.line = v.line;
            }
            reported.push({ item, key });
        }
    });
    const byOrder = (a: Keyed<{ policyPack: string; policy: string }>, b: Keyed<{ policyPack: string; policy: string }>) =>
        a.key[0] - b.key[0]
        || cmp(a.item.policyPack, b.item.policyPack)
        || cmp(a.item.policy, b.item.policy)
        || a.key[1] - b.key[1];
    reported.sort(byOrder);
    skipped.sort(byOrder);
    const sorted = reported.map((r) => r.item);
    const notEvaluated = skipped.map((r) => r.item);
    let mandatory = 0;
    let advisory = 0;
    for (const v of sorted) {
        if (isMandatory(v.enforcementLevel)) {
            mandatory++;
        } else if (v.enforcementLevel === "advisory") {
            advisory++;
        }
    }
    const report: Report = {
        resources: resources.map((r) => ({ urn: r.urn, ...ref(r) })),
        violations: sorted,
        notEvaluated,
        summary: { resources: resources.length, mandatory, advisory, notEvaluated: notEvaluated.length },
    };
    if (unchecked) {
        report.unchecked = unchecked;
    }
    return report;
}

/** Merges reports (one per stack under --each-file) into one, in order. */
export function mergeReports(parts: Report[]): Report {
    const merged: Report = { resources: [], violations: [], notEvaluated: [], summary: { resources: 0, mandatory: 0, advisory: 0, notEvaluated: 0 } };
    for (const part of parts) {
        appendAll(merged.resources, part.resources);
        appendAll(merged.violations, part.violations);
        appendAll(merged.notEvaluated, part.notEvaluated);
        merged.summary.resources += part.summary.resources;
        merged.summary.mandatory += part.summary.mandatory;
        merged.summary.advisory += part.summary.advisory;
        merged.summary.notEvaluated += part.summary.notEvaluated;
    }
    return merged;
}

/**
 * `value` as `JSON.stringify(value, null, 2)` prints it, byte for byte, in pieces: an array of more
 * than `batch` entries is written `batch` entries at a time, and objects and arrays are walked down
 * to `depth` levels to find such arrays (the report's lists, SARIF's results), so that a report of
 * any size is written without one string holding all of it. Plain JSON data only (no toJSON).
 */
export function* jsonChunks(value: unknown, batch = 2000, depth = 4, indent = ""): Generator<string> {
    const inner = `${indent}  `;
    const whole = (v: unknown) => {
        const text = JSON.stringify(v, null, 2);
        return text === undefined ? "null" : text.replace(/\n/g, `\n${inner}`);
    };
    if (Array.isArray(value)) {
        if (value.length === 0) {
            yield "[]";
            return;
        }
        yield "[";
        if (value.length > batch || depth === 0) {
            for (let start = 0; start < value.length; start += batch) {
                const parts: string[] = [];
                for (let j = start; j < Math.min(value.length, start + batch); j++) {
                    parts.push(`${j === 0 ? "" : ","}\n${inner}${whole(value[j])}`);
                }
                yield parts.join("");
            }
        } else {
            for (const [j, v] of value.entries()) {
                yield `${j === 0 ? "" : ","}\n${inner}`;
                yield* jsonChunks(v === undefined || typeof v === "function" ? null : v, batch, depth - 1, inner);
            }
        }
        yield `\n${indent}]`;
        return;
    }
    if (value !== null && typeof value === "object" && depth > 0) {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== "function");
        if (entries.length === 0) {
            yield "{}";
            return;
        }
        yield "{";
        for (const [j, [k, v]] of entries.entries()) {
            yield `${j === 0 ? "" : ","}\n${inner}${JSON.stringify(k)}: `;
            yield* jsonChunks(v, batch, depth - 1, inner);
        }
        yield `\n${indent}}`;
        return;
    }
    const text = JSON.stringify(value, null, 2);
    yield text === undefined ? "null" : text.replace(/\n/g, `\n${indent}`);
}

/** `--format json`: the report, in pieces (see jsonChunks), ending with a newline. */
export function* jsonReportChunks(report: Report): Generator<string> {
    yield* jsonChunks(report);
    yield "\n";
}

function cmp(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A violation at this level blocks: the CLI exits 1 (`remediate` is reported as mandatory by the analyzer). */
export function isMandatory(level: string): boolean {
    return level === "mandatory" || level === "remediate";
}

/** Exit code for a report that was produced: 1 with a mandatory violation, else 0. */
export function exitCodeOf(report: Report): 0 | 1 {
    return report.summary.mandatory > 0 ? 1 : 0;
}
