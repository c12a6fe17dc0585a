import type * as sarif from "sarif";
import { isMandatory, locationKey } from "./report";
import type { Report, ReportContext } from "./report";

/** Optional facts about the packs' policies, for the SARIF rule descriptors. */
export interface PolicyInfo {
    policyPack: string;
    policy: string;
    description?: string;
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
export function renderSarif(report: Report, ctx: ReportContext, opts: { version: string; exitCode: number; policies?: PolicyInfo[] }): string {
    const rules: sarif.ReportingDescriptor[] = [];
    const ruleIndex = new Map<string, number>();
    const describe = new Map((opts.policies ?? []).map((p) => [`${p.policyPack}\0${p.policy}`, p.description]));
    const ruleFor = (pack: string, policy: string): number => {
        const key = `${pack}\0${policy}`;
        let idx = ruleIndex.get(key);
        if (idx === undefined) {
            idx = rules.length;
            ruleIndex.set(key, idx);
            const rule: sarif.ReportingDescriptor = { id: policy, name: policy, properties: { policyPack: pack } };
            const description = describe.get(key);
            if (description) {
                rule.shortDescription = { text: description };
            }
            rules.push(rule);
        }
        return idx;
    };
    const results: sarif.Result[] = report.violations.map((v) => {
        const location: sarif.Location = {
            logicalLocations: [{
                name: v.resource.name,
                fullyQualifiedName: v.urn || undefined,
                kind: "resource",
                properties: { type: v.resource.type, ...(v.resource.namespace ? { namespace: v.resource.namespace } : {}) },
            }],
        };
        if (v.resource.file !== undefined && v.resource.file !== "-") {
            const loc = ctx.locations.get(locationKey(v.urn, v.resource.file));
            location.physicalLocation = {
                artifactLocation: { uri: fileUri(v.resource.file) },
                ...(v.line !== undefined ? { region: { startLine: v.line } }
                    : loc?.line !== undefined && loc.file === v.resource.file ? { region: { startLine: loc.line } } : {}),
            };
        }
        const result: sarif.Result = {
            ruleId: v.policy,
            ruleIndex: ruleFor(v.policyPack, v.policy),
            level: level(v.enforcementLevel),
            message: { text: v.message },
            locations: [location],
            properties: {
                policyPack: v.policyPack,
                enforcementLevel: v.enforcementLevel,
                ...(v.resource.document !== undefined ? { document: v.resource.document } : {}),
            },
        };
        return result;
    });
    const log: sarif.Log = {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [{
            tool: { driver: { name: "k8sprod", version: opts.version, semanticVersion: opts.version, rules } },
            invocations: [{ executionSuccessful: true, exitCode: opts.exitCode, commandLine: `k8sprod ${ctx.command}` }],
            results,
            properties: { summary: report.summary },
        }],
    };
    return JSON.stringify(log, null, 2) + "\n";
}
