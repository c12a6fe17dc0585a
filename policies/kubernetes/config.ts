// The pack's own config document, a superset of Pulumi policy config: a pack-wide `stage` and
// pack-wide `exemptions`, expanded into plain per-policy Pulumi config (`all`, `<policy>`), which is
// what `pulumi preview --policy-pack-config` and the offline engine both send to the pack.
import { Policies } from "@pulumi/policy";
import { Exemption } from "./lib";

/** The rollout stages, in order, as in the Pod Security migration path (audit, then warn, then enforce). */
export const STAGES = ["observe", "warn", "enforce"] as const;
export type Stage = typeof STAGES[number];

/** A pack-wide exemption: an ordinary exemption, optionally limited to some policies. */
export interface PackExemption extends Exemption {
    /** Policies it applies to; every policy when omitted. */
    policies?: string[];
}

/** Raised with every problem of a config document at once. */
export class PackConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid k8sprod-kubernetes config:\n  - ${problems.join("\n  - ")}`);
        this.name = "PackConfigError";
    }
}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

function levelOf(v: unknown): string | undefined {
    if (typeof v === "string") {
        return v;
    }
    if (v && typeof v === "object" && !Array.isArray(v)) {
        const el = (v as Record<string, unknown>).enforcementLevel;
        return typeof el === "string" ? el : undefined;
    }
    return undefined;
}

function withLevel(v: unknown, level: string): unknown {
    if (v && typeof v === "object" && !Array.isArray(v)) {
        return { ...(v as Record<string, unknown>), enforcementLevel: level };
    }
    return level;
}

/**
 * Expands a k8sprod-kubernetes config document into Pulumi policy config:
 * - `stage: "enforce"` (default): every policy at its own (or configured) level.
 * - `stage: "warn"`: nothing blocks unless you say so: `all` becomes advisory, and only policies given
 *   an explicit level of their own keep it (promote policies to mandatory one at a time).
 * - `stage: "observe"`: nothing blocks at all: every level is capped at advisory (disabled stays disabled).
 * - `exemptions: [{ namespace?, name?, kind?, policies?, reason }]`: added to the `exemptions` of every
 *   policy listed (or of all policies).
 * - `podSecurity: { defaultLevel?, defaultVersion? }`: given to every pod-security-* policy (the level and
 *   version for pods whose namespace the stack does not declare); a policy's own entry wins.
 * Every other key (`all`, policy names) passes through unchanged. Bad stage or exemptions are errors.
 */
export function expandPackConfig(doc: Record<string, any>, policies: Policies): Record<string, any> {
    const problems: string[] = [];
    const names = new Set(policies.map((p) => p.name));
    const out: Record<string, any> = {};
    const stage = doc.stage ?? "enforce";
    if (!STAGES.includes(stage)) {
        problems.push(`stage: ${JSON.stringify(stage)} is not one of ${STAGES.join(", ")}`);
    }
    for (const [k, v] of Object.entries(doc)) {
        if (k === "stage" || k === "exemptions" || k === "podSecurity") {
            continue;
        }
        // Keys that name no policy pass through: the engine reports them with every other problem.
        out[k] = v && typeof v === "object" && !Array.isArray(v) ? { ...v } : v;
    }
    const podSecurity = doc.podSecurity;
    if (podSecurity !== undefined) {
        if (!podSecurity || typeof podSecurity !== "object" || Array.isArray(podSecurity)) {
            problems.push("podSecurity: must be an object { defaultLevel?, defaultVersion? }");
        } else {
            for (const k of Object.keys(podSecurity)) {
                if (k !== "defaultLevel" && k !== "defaultVersion") {
                    problems.push(`podSecurity.${k}: unknown field (defaultLevel, defaultVersion)`);
                }
            }
            for (const p of names) {
                if (!p.startsWith("pod-security-")) {
                    continue;
                }
                const cur = out[p];
                const entry = cur && typeof cur === "object" && !Array.isArray(cur) ? cur : typeof cur === "string" ? { enforcementLevel: cur } : {};
                for (const k of ["defaultLevel", "defaultVersion"]) {
                    if (podSecurity[k] !== undefined && entry[k] === undefined) {
                        entry[k] = podSecurity[k];
                    }
                }
                out[p] = entry;
            }
        }
    }
    const packExemptions = doc.exemptions ?? [];
    if (!Array.isArray(packExemptions)) {
        problems.push("exemptions: must be a list");
    } else {
        packExemptions.forEach((e: any, i: number) => {
            const where = `exemptions[${i}]`;
            if (!e || typeof e !== "object" || Array.isArray(e)) {
                problems.push(`${where}: must be an object`);
                return;
            }
            for (const k of Object.keys(e)) {
                if (!["namespace", "name", "kind", "reason", "policies"].includes(k)) {
                    problems.push(`${where}.${k}: unknown field`);
                }
            }
            if (typeof e.reason !== "string" || e.reason.trim() === "") {
                problems.push(`${where}.reason: an exemption must say why it exists`);
            }
            if (!e.namespace && !e.name && !e.kind) {
                problems.push(`${where}: give a namespace, a name or a kind`);
            }
            for (const k of ["namespace", "name", "kind"]) {
                if (e[k] !== undefined && (typeof e[k] !== "string" || e[k] === "")) {
                    problems.push(`${where}.${k}: must be a non-empty string`);
                }
            }
            const targets: string[] = e.policies === undefined ? [...names] : Array.isArray(e.policies) ? e.policies : [];
            if (e.policies !== undefined && !Array.isArray(e.policies)) {
                problems.push(`${where}.policies: must be a list of policy names`);
            }
            for (const p of targets) {
                if (!names.has(p)) {
                    problems.push(`${where}.policies: no such policy "${p}"`);
                    continue;
                }
                const entry: Exemption = { reason: e.reason };
                for (const k of ["namespace", "name", "kind"] as const) {
                    if (typeof e[k] === "string") {
                        entry[k] = e[k];
                    }
                }
                const cur = out[p];
                const obj = cur && typeof cur === "object" && !Array.isArray(cur) ? cur : typeof cur === "string" ? { enforcementLevel: cur } : {};
                obj.exemptions = [...(Array.isArray(obj.exemptions) ? obj.exemptions : []), entry];
                out[p] = obj;
            }
        });
    }
    if (stage === "warn" || stage === "observe") {
        if (out.all !== undefined && levelOf(out.all) !== "advisory" && levelOf(out.all) !== "disabled") {
            problems.push(`all: stage "${stage}" makes every policy advisory; remove "all" or use stage "enforce"`);
        }
        if (levelOf(out.all) !== "disabled") {
            out.all = "advisory";
        }
        if (stage === "observe") {
            for (const [k, v] of Object.entries(out)) {
                const level = levelOf(v);
                if (k !== "all" && level && level !== "advisory" && level !== "disabled") {
                    out[k] = withLevel(v, "advisory");
                }
            }
        }
    }
    for (const [k, v] of Object.entries(out)) {
        const level = levelOf(v);
        // Keys that name no policy are left to the engine, which reports them as unknown policies.
        if ((k === "all" || names.has(k)) && level !== undefined && !LEVELS.includes(level)) {
            problems.push(`${k}: "${level}" is not an enforcement level (${LEVELS.join(", ")})`);
        }
    }
    if (problems.length) {
        throw new PackConfigError(problems);
    }
    return out;
}
