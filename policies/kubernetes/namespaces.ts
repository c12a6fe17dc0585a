// Namespaces and network: every namespace declares its Pod Security level, and every namespace that
// runs workloads starts from deny-all traffic in both directions.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { arr, at, isHelmTestHook, obj, POD_TYPES, resourcePolicy, selectsEverything, stackPolicy, str, stringMap, T } from "./lib";
import { isPodSecurityStage, modesReached, POD_SECURITY_STAGES } from "../../lib/podSecurity";
import { AUDIT_LABEL, ENFORCE_LABEL, Level, LEVELS, parseLevel, WARN_LABEL } from "./podSecurity";

/** A namespace allowed a level below restricted, with the reason (e.g. a log collector that reads hostPath). */
export interface NamespaceLevel {
    namespace: string;
    level: Level;
    reason: string;
}

const MODE_LABELS = [ENFORCE_LABEL, AUDIT_LABEL, WARN_LABEL];

/** A namespace allowed to be earlier on the migration path than the policy's `stage`, with the reason. */
export interface NamespaceStage {
    namespace: string;
    stage: string;
    reason: string;
}

interface NamespacePodSecurityConfig {
    namespaceLevels: NamespaceLevel[];
    stage: string;
    namespaceStages: NamespaceStage[];
}

const STAGE_LABEL: Record<string, string> = { warn: WARN_LABEL, audit: AUDIT_LABEL, enforce: ENFORCE_LABEL };

/** The level a namespace must declare at least: restricted, unless config lowers it for that namespace. */
function requiredLevel(config: NamespacePodSecurityConfig, name: string): Level {
    const entry = arr(config.namespaceLevels).map(obj).find((e) => e?.namespace === name);
    return parseLevel(entry?.level) ?? "restricted";
}

/** The stage a namespace must have reached at least: its own entry in `namespaceStages`, else `stage` (default enforce). */
function requiredStage(config: NamespacePodSecurityConfig, name: string) {
    const entry = arr(config.namespaceStages).map(obj).find((e) => e?.namespace === name);
    const stage = entry?.stage ?? config.stage;
    return isPodSecurityStage(stage) ? stage : "enforce";
}

/** The mode labels a namespace at a stage must set: those of the stages up to it (warn; warn and audit; all three). */
function requiredLabels(stage: ReturnType<typeof requiredStage>): string[] {
    return modesReached(stage).map((s) => STAGE_LABEL[s]);
}

const rank = (l: Level) => LEVELS.indexOf(l);

export const requireNamespacePodSecurity: ResourceValidationPolicy = resourcePolicy<NamespacePodSecurityConfig>({
    name: "require-namespace-pod-security",
    description: "Checks whether every Namespace sets the Pod Security enforce, audit and warn labels to restricted (or to the lower level config allows for that namespace, with its reason); a namespace still on the migration path (warn, then audit, then enforce) may set only the labels of the stages it has reached when config allows that stage.",
    enforcementLevel: "mandatory",
    types: [T.namespace],
    config: {
        namespaceLevels: {
            type: "array",
            default: [],
            description: "Namespaces allowed a level below restricted: [{ namespace, level, reason }].",
            items: {
                type: "object",
                properties: {
                    namespace: { type: "string", minLength: 1 },
                    level: { type: "string", enum: [...LEVELS] },
                    reason: { type: "string", minLength: 1 },
                },
                required: ["namespace", "level", "reason"],
                additionalProperties: false,
            },
        },
        stage: {
            type: "string",
            enum: [...POD_SECURITY_STAGES],
            default: "enforce",
            description: "The least migration stage every Namespace must have reached: warn (the warn label), audit (warn and audit) or enforce (all three). The pack-wide stage sets it.",
        },
        namespaceStages: {
            type: "array",
            default: [],
            description: "Namespaces allowed to be at an earlier stage than `stage`: [{ namespace, stage, reason }].",
            items: {
                type: "object",
                properties: {
                    namespace: { type: "string", minLength: 1 },
                    stage: { type: "string", enum: [...POD_SECURITY_STAGES] },
                    reason: { type: "string", minLength: 1 },
                },
                required: ["namespace", "stage", "reason"],
                additionalProperties: false,
            },
        },
    },
    check: (ctx) => {
        const name = str(at(ctx.props, "metadata", "name")) ?? ctx.name;
        const want = requiredLevel(ctx.config, name);
        const stage = requiredStage(ctx.config, name);
        const required = requiredLabels(stage);
        const labels = stringMap(at(ctx.props, "metadata", "labels"));
        const problems: string[] = [];
        for (const label of MODE_LABELS) {
            const value = labels[label];
            if (value === undefined) {
                if (required.includes(label)) {
                    problems.push(`metadata.labels["${label}"] is unset`);
                }
                continue;
            }
            const level = parseLevel(value);
            if (!level) {
                problems.push(`metadata.labels["${label}"] is "${value}", which is not a Pod Security level`);
            } else if (rank(level) < rank(want)) {
                problems.push(`metadata.labels["${label}"] is "${value}"`);
            }
        }
        if (problems.length) {
            const names = required.map((l) => l.slice(l.lastIndexOf("/") + 1)).reverse();
            const modes = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0];
            const path = stage === "enforce" ? "" : ` (config allows it to be at stage ${stage} of warn → audit → enforce)`;
            ctx.report(`Namespace "${name}" must declare Pod Security level ${want} for ${modes}${path}: ${problems.join("; ")}.`);
        }
    },
    // Safe and obvious: add the labels that are missing, at the required level; never change a label that is set.
    remediate: (ctx) => {
        const name = str(at(ctx.props, "metadata", "name")) ?? ctx.name;
        const want = requiredLevel(ctx.config, name);
        const labels = stringMap(at(ctx.props, "metadata", "labels"));
        const missing = requiredLabels(requiredStage(ctx.config, name)).filter((l) => labels[l] === undefined);
        if (missing.length === 0) {
            return undefined;
        }
        const copy = JSON.parse(JSON.stringify(ctx.props));
        const metadata = obj(copy.metadata) ?? {};
        const newLabels = { ...(obj(metadata.labels) ?? {}) };
        for (const l of missing) {
            newLabels[l] = want;
        }
        return { ...copy, metadata: { ...metadata, labels: newLabels } };
    },
});

/** Whether a NetworkPolicy rule list contains a rule that allows everything (no peers and no ports). */
function allowsAll(rules: unknown, peers: "from" | "to"): boolean {
    return arr(rules).some((r) => {
        const rule = obj(r);
        if (!rule) {
            return false;
        }
        return arr(rule[peers]).length === 0 && arr(rule.ports).length === 0;
    });
}

/** The traffic directions a NetworkPolicy governs (policyTypes, or its defaults: Ingress, plus Egress when it has egress rules). */
export function policyTypes(spec: Record<string, any>): string[] {
    const declared = arr(spec.policyTypes).filter((t) => typeof t === "string");
    if (declared.length) {
        return declared;
    }
    return arr(spec.egress).length ? ["Ingress", "Egress"] : ["Ingress"];
}

/** Which directions are default-deny in a namespace: some policy selects every pod for that direction and none of those allows all of it. */
export function defaultDenied(policies: PolicyResource[]): { Ingress: boolean; Egress: boolean } {
    const result = { Ingress: false, Egress: false };
    for (const dir of ["Ingress", "Egress"] as const) {
        const all = policies.map((p) => obj(at(p.props, "spec")) ?? {}).filter((spec) => selectsEverything(spec.podSelector) && policyTypes(spec).includes(dir));
        const rules = dir === "Ingress" ? "ingress" : "egress";
        const peers = dir === "Ingress" ? "from" : "to";
        result[dir] = all.length > 0 && !all.some((spec) => allowsAll(spec[rules], peers));
    }
    return result;
}

export const requireDefaultDenyNetworkPolicy: StackValidationPolicy = stackPolicy({
    name: "require-default-deny-network-policy",
    description: "Checks whether every namespace that runs workloads has NetworkPolicies selecting all its pods for both Ingress and Egress with no allow-all rule, so traffic is denied unless a policy allows it (reported once per namespace; Helm test hooks are not workloads).",
    enforcementLevel: "mandatory",
    check: (ctx) => {
        const podTypes = new Set(POD_TYPES);
        const workloads = new Map<string, PolicyResource[]>();
        const policies = new Map<string, PolicyResource[]>();
        const namespaces = new Map<string, PolicyResource>();
        for (const r of ctx.resources) {
            ctx.guard(() => {
                if (podTypes.has(r.type)) {
                    if (isHelmTestHook(r.props)) {
                        return;
                    }
                    const ns = ctx.namespace(r);
                    workloads.set(ns, [...(workloads.get(ns) ?? []), r]);
                } else if (r.type === T.networkPolicy) {
                    const ns = ctx.namespace(r);
                    policies.set(ns, [...(policies.get(ns) ?? []), r]);
                } else if (r.type === T.namespace) {
                    namespaces.set(str(at(r.props, "metadata", "name")) ?? r.name, r);
                }
            });
        }
        for (const [ns, ws] of workloads) {
            ctx.guard(() => {
                const denied = defaultDenied(policies.get(ns) ?? []);
                const missing = (["Ingress", "Egress"] as const).filter((d) => !denied[d]);
                if (!missing.length) {
                    return;
                }
                const fix = `no NetworkPolicy denies ${missing.join(" and ")} traffic by default: add one with spec.podSelector {} and spec.policyTypes [${missing.map((m) => `"${m}"`).join(", ")}] and no allow-all rule.`;
                const nsObject = namespaces.get(ns);
                if (nsObject) {
                    ctx.report(nsObject, `Namespace "${ns}" runs workloads but ${fix}`);
                    return;
                }
                // The namespace is not in the stack: once, on its first workload that is not exempt, naming the others.
                const reported = ws.filter((w) => !ctx.exemption(w));
                if (reported.length === 0) {
                    return;
                }
                const first = reported[0];
                const others = reported.length > 1 ? ` (and ${reported.length - 1} other workload${reported.length === 2 ? "" : "s"} there: ${reported.slice(1, 6).map((w) => ctx.subject(w).replace(/ in namespace "[^"]*"$/, "")).join(", ")}${reported.length > 6 ? ", ..." : ""})` : "";
                ctx.report(first, `Namespace "${ns}" (not declared in the stack) runs ${ctx.subject(first)}${others}, but ${fix}`);
            });
        }
    },
});
