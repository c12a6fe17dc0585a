// Per-policy metadata for reports (SARIF rules, code scanning): severity, the remediation a reader
// follows, tags, and the docs section that explains the policy. Each pack keeps one table of it
// (policies/<pack>/metadata.ts) and attaches it to its policies with `withMetadata`, in the fields
// @pulumi/policy itself defines (severity, remediationSteps, url, tags), so the Pulumi CLI receives
// the same facts through GetAnalyzerInfo as the offline engine's reports show.

export type Severity = "low" | "medium" | "high" | "critical";

export interface PolicyMetadata {
    severity: Severity;
    /** What to change, in one or two sentences (markdown). */
    remediation: string;
    /** The policy's section in the docs, relative to the package root (`docs/<file>.md#<anchor>`). */
    docs: string;
    tags: string[];
}

/** GitHub code scanning's `security-severity` for a severity (its bands: critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low < 4.0). */
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

/** The GitHub-style anchor of a markdown heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
    return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/**
 * Attaches each policy's metadata to it, in place (the pack, the engine and the tests share the policy
 * objects). A policy without an entry keeps none; tests/unit/policyMetadata.spec.ts requires one for
 * every policy of both packs.
 */
export function withMetadata<P extends { name: string }>(policies: P[], table: Record<string, PolicyMetadata>): P[] {
    for (const p of policies) {
        const m = table[p.name];
        if (m) {
            Object.assign(p, { severity: m.severity, remediationSteps: m.remediation, url: m.docs, tags: m.tags });
        }
    }
    return policies;
}
