import type * as sarif from "sarif";
import { isMandatory, jsonChunks, locationKey } from "./report";
import type { Report, ReportContext } from "./report";

/** Facts about the packs' policies, for the SARIF rule descriptors (the @pulumi/policy fields of each policy). */
export interface PolicyInfo {
    policyPack: string;
    policy: string;
    description?: string;
    /** low | medium | high | critical. */
    severity?: string;
    /** What to change (markdown). */
    remediation?: string;
    /** The policy's docs section, relative to `docsBase` (or absolute). */
    url?: string;
    tags?: string[];
}

/** The facts of every policy of the loaded packs. */
export function policyInfos(packs: Array<{ name: string; policies: any[] }>): PolicyInfo[] {
    return packs.flatMap((pack) => pack.policies.map((p) => ({
        policyPack: pack.name, policy: p.name, description: p.description, severity: p.severity,
        remediation: p.remediationSteps, url: p.url, tags: Array.isArray(p.tags) ? p.tags : undefined,
    })));
}

/** GitHub code scanning's security-severity bands: critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low < 4.0. */
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

function ruleDescriptor(pack: string, policy: string, info: PolicyInfo | undefined, docsBase: string | undefined): sarif.ReportingDescriptor {
    const rule: sarif.ReportingDescriptor = { id: policy, name: policy, properties: { policyPack: pack } };
    if (!info) {
        return rule;
    }
    if (info.description) {
        // The short description is the first sentence; the full one the whole description.
        const first = /^(.*?[.!?])(\s|$)/.exec(info.description)?.[1] ?? info.description;
        rule.shortDescription = { text: first };
        rule.fullDescription = { text: info.description };
    }
    let helpUri: string | undefined;
    if (info.url) {
        try {
            helpUri = new URL(info.url, docsBase).href;
        } catch {
            helpUri = undefined;
        }
    }
    if (info.remediation || info.description) {
        const parts = [`**${policy}** (${pack})`, ""];
        if (info.description) {
            parts.push(info.description, "");
        }
        if (info.remediation) {
            parts.push(`**Remediation:** ${info.remediation}`, "");
        }
        if (helpUri) {
            parts.push(`[Documentation](${helpUri})`);
        }
        const text = [info.description, info.remediation ? `Remediation: ${info.remediation}` : "", helpUri ? `Documentation: ${helpUri}` : ""].filter((x) => x).join("\n");
        rule.help = { text, markdown: parts.join("\n").trim() };
    }
    if (helpUri) {
        rule.helpUri = helpUri;
    }
    const properties: Record<string, unknown> = { policyPack: pack };
    if (info.tags && info.tags.length > 0) {
        properties.tags = [...info.tags];
    }
    if (info.severity && SECURITY_SEVERITY[info.severity]) {
        properties.severity = info.severity;
        properties["security-severity"] = SECURITY_SEVERITY[info.severity];
    }
    rule.properties = properties;
    return rule;
}

function level(enforcementLevel: string): sarif.Result.level {
    if (isMandatory(enforcementLevel)) {
        return "error";
    }
    return enforcementLevel === "advisory" ? "warning" : "note";
}

/** A file path as given on the command line, as a SARIF URI reference (forward slashes, percent-encoded). */
export function fileUri(file: string): string {
    return file.split(/[\\/]/).map((seg) => encodeURIComponent(seg)).join("/");
}

/**
 * `--format sarif`: one SARIF 2.1.0 run. Each violated policy is a rule (id: the policy name, the
 * pack in its properties); each violation a result at the resource's file and line (check) and,
 * always, at a logical location named by the resource's URN.
 */
export interface SarifOptions {
    version: string;
    exitCode: number;
    /** The packs' policies (see policyInfos): their rules carry descriptions, help, tags and severities. */
    policies?: PolicyInfo[];
    /** What the policies' docs URLs are relative to (see docsBaseUri). */
    docsBase?: string;
}

/** `--format sarif`, as one string. */
export function renderSarif(report: Report, ctx: ReportContext, opts: SarifOptions): string {
    return [...renderSarifChunks(report, ctx, opts)].join("");
}

/** `--format sarif`, in pieces (a log of any size is written without one string holding all of it). */
export function* renderSarifChunks(report: Report, ctx: ReportContext, opts: SarifOptions): Generator<string> {
    yield* jsonChunks(sarifLog(report, ctx, opts));
    yield "\n";
}

function sarifLog(report: Report, ctx: ReportContext, opts: SarifOptions): sarif.Log {
    const rules: sarif.ReportingDescriptor[] = [];
    const ruleIndex = new Map<string, number>();
    const infos = new Map((opts.policies ?? []).map((p) => [`${p.policyPack}\0${p.policy}`, p]));
    const ruleFor = (pack: string, policy: string): number => {
        const key = `${pack}\0${policy}`;
        let idx = ruleIndex.get(key);
        if (idx === undefined) {
            idx = rules.length;
            ruleIndex.set(key, idx);
            rules.push(ruleDescriptor(pack, policy, infos.get(key), opts.docsBase));
        }
        return idx;
    };
    const locationOf = (urn: string, resource: Report["violations"][number]["resource"], line?: number): sarif.Location => {
        const location: sarif.Location = {
            logicalLocations: [{
                name: resource.name,
                fullyQualifiedName: urn || undefined,
                kind: "resource",
                properties: { type: resource.type, ...(resource.namespace ? { namespace: resource.namespace } : {}) },
            }],
        };
        if (resource.file !== undefined && resource.file !== "-") {
            const loc = ctx.locations.get(locationKey(urn, resource.file));
            location.physicalLocation = {
                artifactLocation: { uri: fileUri(resource.file) },
                // A finding with its own line (schema findings) is placed there, else at the object's first line.
                ...(line !== undefined ? { region: { startLine: line } }
                    : loc?.line !== undefined && loc.file === resource.file ? { region: { startLine: loc.line } } : {}),
            };
        }
        return location;
    };
    const results: sarif.Result[] = report.violations.map((v) => ({
        ruleId: v.policy,
        ruleIndex: ruleFor(v.policyPack, v.policy),
        level: level(v.enforcementLevel),
        message: { text: v.message },
        locations: [locationOf(v.urn, v.resource, v.line)],
        properties: {
            policyPack: v.policyPack,
            enforcementLevel: v.enforcementLevel,
            ...(v.resource.document !== undefined ? { document: v.resource.document } : {}),
        },
    }));
    // A policy that could not decide during preview is no result: it is a notification of the run.
    const notifications: sarif.Notification[] = report.notEvaluated.map((n) => ({
        level: "note",
        message: { text: `${n.policyPack}/${n.policy} was not evaluated on ${n.resource.name} during preview: ${n.reason}` },
        descriptor: { id: "not-evaluated" },
        associatedRule: { id: n.policy },
        locations: [locationOf(n.urn, n.resource)],
        properties: { policyPack: n.policyPack, policy: n.policy, reason: n.reason },
    }));
    const log: sarif.Log = {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [{
            tool: { driver: { name: "k8sprod", version: opts.version, semanticVersion: opts.version, rules } },
            invocations: [{
                executionSuccessful: true, exitCode: opts.exitCode, commandLine: `k8sprod ${ctx.command}`,
                ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
            }],
            results,
            properties: { summary: report.summary },
        }],
    };
    return log;
}
