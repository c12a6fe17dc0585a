// The pack's own config document, a superset of Pulumi policy config: a pack-wide `stage` and
// pack-wide `exemptions`, expanded into plain per-policy Pulumi config (`all`, `<policy>`), which is
// what `pulumi preview --policy-pack-config` and the offline engine both send to the pack.
import { Policies } from "@pulumi/policy";
import { POD_SECURITY_STAGES } from "../../lib/podSecurity";
import { Exemption } from "./lib";

/**
 * The rollout stages, in order: the Pod Security migration path of the field guide (warn, then audit, then
 * enforce), the same words ProductionNamespace's `podSecurity.stage` and the Pod Security labels use.
 */
export const STAGES = POD_SECURITY_STAGES;

/** The keys of the config document that are the pack's own (everything else is `all` or a policy name). */
export const PACK_KEYS = ["stage", "exemptions", "podSecurity"] as const;
const POD_SECURITY_KEYS = ["defaultLevel", "defaultVersion", "kubernetesVersion"];

/** A pack-wide exemption: an ordinary exemption, optionally limited to some policies. */
export interface PackExemption extends Exemption {
    /** Policies it applies to; every policy when omitted. */
    policies?: string[];
}

/** Raised with every problem of a config document at once. */
export class PackConfigError extends Error {
    /** `partial`: the expansion of what could be read, so that a caller can report its own problems with these. */
    constructor(readonly problems: string[], readonly partial?: Record<string, any>) {
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

/** Every key of a policy's entry that its config schema does not know (besides enforcementLevel), as paths. */
export function unknownPolicyKeys(policy: { name: string; configSchema?: { properties?: Record<string, unknown> } }, entry: unknown): string[] {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
        return [];
    }
    const known = new Set(["enforcementLevel", ...Object.keys(policy.configSchema?.properties ?? {})]);
    return Object.keys(entry).filter((k) => !known.has(k))
        .map((k) => `${policy.name}.${k}: unknown key (${[...known].join(", ")})`);
}

/**
 * Expands a k8sprod-kubernetes config document into Pulumi policy config:
 * - `stage` follows the Pod Security migration path, warn → audit → enforce:
 *   - `"enforce"` (default): every policy at its own (or configured) level;
 *   - `"audit"`: nothing blocks unless you say so: `all` becomes advisory, and only policies given an
 *     explicit level of their own keep it (promote policies to mandatory one at a time);
 *   - `"warn"`: nothing blocks at all: every level is capped at advisory (a policy the document disables
 *     stays disabled).
 *   At both, the `all: "advisory"` this sets also turns on a policy that is disabled only by its default
 *   level (`require-image-digest`), unless the document disables it.
 *   The stage is also the least stage `require-namespace-pod-security` asks of every Namespace (a
 *   namespace on its way may set only the labels of the stages it has reached), unless that policy's own
 *   entry sets `stage`.
 * - `exemptions: [{ namespace?, name?, kind?, policies?, reason }]`: added to the `exemptions` of every
 *   policy listed (or of all policies).
 * - `podSecurity: { defaultLevel?, defaultVersion?, kubernetesVersion? }`: given to every pod-security-*
 *   policy (the level and version for pods whose namespace the stack does not declare, and the cluster's
 *   Kubernetes minor that "latest" means); a policy's own entry wins.
 * `all` and policy names pass through. Anything else is refused with its path, as are keys a policy's
 * schema does not know, a bad stage and bad exemptions: every problem at once.
 */
export function expandPackConfig(doc: Record<string, any>, policies: Policies): Record<string, any> {
    const problems: string[] = [];
    const names = new Set(policies.map((p) => p.name));
    const out: Record<string, any> = {};
    const stage = doc.stage ?? "enforce";
    if (!STAGES.includes(stage)) {
        const renamed = stage === "observe" ? ` ("observe" is now "warn", and the former "warn" is "audit")` : "";
        problems.push(`stage: ${JSON.stringify(stage)} is not one of ${STAGES.join(", ")} (the Pod Security migration path, in order)${renamed}`);
    }
    for (const [k, v] of Object.entries(doc)) {
        if ((PACK_KEYS as readonly string[]).includes(k)) {
            continue;
        }
        if (k !== "all" && !names.has(k)) {
            problems.push(`${k}: unknown key: no policy of that name in the pack, and not one of ${PACK_KEYS.join(", ")}`);
            continue;
        }
        const policy = policies.find((p) => p.name === k);
        if (policy) {
            problems.push(...unknownPolicyKeys(policy, v));
        }
        out[k] = v && typeof v === "object" && !Array.isArray(v) ? { ...v } : v;
    }
    const podSecurity = doc.podSecurity;
    if (podSecurity !== undefined) {
        if (!podSecurity || typeof podSecurity !== "object" || Array.isArray(podSecurity)) {
            problems.push(`podSecurity: must be an object { ${POD_SECURITY_KEYS.map((k) => `${k}?`).join(", ")} }`);
        } else {
            for (const k of Object.keys(podSecurity)) {
                if (!POD_SECURITY_KEYS.includes(k)) {
                    problems.push(`podSecurity.${k}: unknown key (${POD_SECURITY_KEYS.join(", ")})`);
                }
            }
            for (const p of names) {
                if (!p.startsWith("pod-security-")) {
                    continue;
                }
                const cur = out[p];
                const entry = cur && typeof cur === "object" && !Array.isArray(cur) ? cur : typeof cur === "string" ? { enforcementLevel: cur } : {};
                for (const k of POD_SECURITY_KEYS) {
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
                    problems.push(`${where}.${k}: unknown key (namespace, name, kind, policies, reason)`);
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
    // The namespaces' migration stage follows the pack's, unless the policy's own entry sets it.
    const nsPolicy = "require-namespace-pod-security";
    if (names.has(nsPolicy) && doc.stage !== undefined && STAGES.includes(stage)) {
        const cur = out[nsPolicy];
        const entry = cur && typeof cur === "object" && !Array.isArray(cur) ? cur : typeof cur === "string" ? { enforcementLevel: cur } : {};
        if (entry.stage === undefined) {
            entry.stage = stage;
        }
        out[nsPolicy] = entry;
    }
    if (stage === "warn" || stage === "audit") {
        if (out.all !== undefined && levelOf(out.all) !== "advisory" && levelOf(out.all) !== "disabled") {
            problems.push(`all: stage "${stage}" makes every policy advisory; remove "all" or use stage "enforce"`);
        }
        if (levelOf(out.all) !== "disabled") {
            out.all = "advisory";
        }
        if (stage === "warn") {
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
        if (level !== undefined && !LEVELS.includes(level)) {
            problems.push(`${k}: "${level}" is not an enforcement level (${LEVELS.join(", ")})`);
        }
    }
    if (problems.length) {
        throw new PackConfigError(problems, out);
    }
    return out;
}
