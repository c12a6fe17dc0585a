import type { EngineResource, EngineViolation } from "../engine/contract";

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
    summary: { resources: number; mandatory: number; advisory: number };
    /** Present for `check`: what was read but not checked. */
    unchecked?: ReportUnchecked[];
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
    const reported = violations.map((v, i) => {
        const urn = v.urn || ctx.stackUrn || "";
        const r = byUrn.get(urn);
        const violation: ReportViolation = {
            policyPack: v.policyPack,
            policy: v.policy,
            enforcementLevel: v.enforcementLevel,
            urn,
            message: v.message,
            resource: r ? ref(r) : { ...ctx.stackResource },
        };
        if (v.path !== undefined) {
            violation.path = v.path;
        }
        if (v.line !== undefined) {
            violation.line = v.line;
        }
        return { violation, key: [order.get(urn) ?? -1, i] as const };
    });
    reported.sort((a, b) =>
        a.key[0] - b.key[0]
        || cmp(a.violation.policyPack, b.violation.policyPack)
        || cmp(a.violation.policy, b.violation.policy)
        || a.key[1] - b.key[1]);
    const sorted = reported.map((r) => r.violation);
    const report: Report = {
        resources: resources.map((r) => ({ urn: r.urn, ...ref(r) })),
        violations: sorted,
        summary: {
            resources: resources.length,
            mandatory: sorted.filter((v) => isMandatory(v.enforcementLevel)).length,
            advisory: sorted.filter((v) => v.enforcementLevel === "advisory").length,
        },
    };
    if (unchecked) {
        report.unchecked = unchecked;
    }
    return report;
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
