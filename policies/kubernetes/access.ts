// Access: each workload its own identity, no API token unless it needs one, no cluster-admin, no
// wildcard RBAC, and nothing in the default namespace.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    arr, at, isHelmTestHook, isNamespacedKubernetesType, obj, POD_TYPES, podPolicy, podTemplateOf, resourcePolicy, stackPolicy, str,
    T,
} from "./lib";

const HELM_TEST = "a Helm test hook (helm.sh/hook: test) is a pod `helm test` runs to completion, not one of the release's workloads";

export const requireDedicatedServiceAccount: ResourceValidationPolicy = podPolicy({
    name: "require-dedicated-service-account",
    description: "Checks whether every workload runs as a ServiceAccount of its own, not the namespace's default one, so its permissions can be granted and audited alone (Helm test hooks are not workloads).",
    enforcementLevel: "mandatory",
    check: (ctx, pod) => {
        if (isHelmTestHook(ctx.props)) {
            ctx.notApplicable(HELM_TEST);
        }
        const sa = str(pod.spec.serviceAccountName) || str(pod.spec.serviceAccount);
        if (!sa) {
            ctx.report(`${ctx.subject} runs as the namespace's default ServiceAccount because ${pod.specPath}.serviceAccountName is unset; give it a dedicated ServiceAccount.`);
        } else if (sa === "default") {
            ctx.report(`${ctx.subject} sets ${pod.specPath}.serviceAccountName to "default"; give it a dedicated ServiceAccount.`);
        }
    },
});

/** The key `namespace/name` of every ServiceAccount a RoleBinding or ClusterRoleBinding of the stack names as a subject. */
function boundServiceAccounts(ctx: { resources: PolicyResource[]; namespace: (r: PolicyResource) => string; guard: (fn: () => void) => void }): Map<string, string> {
    const bindingTypes = new Set<string>([...T.roleBinding, ...T.clusterRoleBinding]);
    const bound = new Map<string, string>();
    for (const r of ctx.resources) {
        if (!bindingTypes.has(r.type)) {
            continue;
        }
        ctx.guard(() => {
            const roleBinding = (T.roleBinding as readonly string[]).includes(r.type);
            const bindingName = str(at(r.props, "metadata", "name")) ?? r.name;
            const role = obj(r.props.roleRef);
            for (const s of arr(r.props.subjects)) {
                const subject = obj(s);
                const name = str(subject?.name);
                if (subject?.kind !== "ServiceAccount" || !name) {
                    continue;
                }
                // A RoleBinding's ServiceAccount subject without a namespace is in the binding's namespace (as the authorizer reads it).
                const ns = str(subject.namespace) || (roleBinding ? ctx.namespace(r) : undefined);
                if (ns) {
                    bound.set(`${ns}/${name}`, `${roleBinding ? "RoleBinding" : "ClusterRoleBinding"} "${bindingName}" (${role?.kind ?? "role"} "${role?.name ?? "?"}")`);
                }
            }
        });
    }
    return bound;
}

export const disallowServiceAccountTokenAutomount: StackValidationPolicy = stackPolicy<{ allowBoundServiceAccounts: boolean }>({
    name: "disallow-service-account-token-automount",
    description: "Checks whether every workload keeps the Kubernetes API token out of its pods (automountServiceAccountToken false on the pod, or on its ServiceAccount when the pod leaves it unset), unless it calls the API: its ServiceAccount is bound to a Role or ClusterRole in the stack, or it is exempted.",
    enforcementLevel: "mandatory",
    config: {
        allowBoundServiceAccounts: {
            type: "boolean",
            default: true,
            description: "Accept the token in pods whose ServiceAccount a RoleBinding or ClusterRoleBinding of the stack binds (a controller that calls the API with the permissions granted to it). Defaults to true.",
        },
    },
    check: (ctx) => {
        const podTypes = new Set(POD_TYPES);
        const accounts = new Map<string, unknown>();
        for (const r of ctx.resources) {
            if (r.type === T.serviceAccount) {
                ctx.guard(() => {
                    accounts.set(`${ctx.namespace(r)}/${str(at(r.props, "metadata", "name")) ?? r.name}`, at(r.props, "automountServiceAccountToken"));
                });
            }
        }
        const bound = ctx.config.allowBoundServiceAccounts === false ? new Map<string, string>() : boundServiceAccounts(ctx);
        for (const r of ctx.resources) {
            if (!podTypes.has(r.type)) {
                continue;
            }
            ctx.guard(() => {
                if (ctx.exemption(r) || isHelmTestHook(r.props)) {
                    return;
                }
                const pod = podTemplateOf(r.type, r.props);
                if (!pod) {
                    return;
                }
                const podSetting = pod.spec.automountServiceAccountToken;
                if (podSetting === false) {
                    return;
                }
                const saName = str(pod.spec.serviceAccountName) || str(pod.spec.serviceAccount) || "default";
                const key = `${ctx.namespace(r)}/${saName}`;
                // A ServiceAccount the stack grants permissions to is one the workload uses to call the API.
                if (saName !== "default" && bound.has(key)) {
                    return;
                }
                if (podSetting === undefined || podSetting === null) {
                    if (accounts.get(key) === false) {
                        return;
                    }
                    const why = accounts.has(key) ? `and ServiceAccount "${saName}" does not set automountServiceAccountToken to false` : `and ServiceAccount "${saName}" is not in the stack to say otherwise`;
                    ctx.report(r, `${ctx.subject(r)} mounts a ServiceAccount token: ${pod.specPath}.automountServiceAccountToken is unset ${why}; set it to false (or, if it calls the Kubernetes API, bind its ServiceAccount to a Role in the stack, or exempt it).`);
                } else {
                    ctx.report(r, `${ctx.subject(r)} sets ${pod.specPath}.automountServiceAccountToken to ${JSON.stringify(podSetting)}, and no RoleBinding or ClusterRoleBinding in the stack binds ServiceAccount "${saName}"; set it to false (or, if it calls the Kubernetes API, bind its ServiceAccount to a Role in the stack, or exempt it).`);
                }
            });
        }
    },
});

const BINDING_TYPES = new Set<string>([...T.roleBinding, ...T.clusterRoleBinding]);

/** Whether a list of RBAC rules grants every verb on every resource of every API group (what cluster-admin grants). */
export function grantsEverything(rules: unknown): boolean {
    return arr(rules).some((raw) => {
        const rule = obj(raw);
        const has = (field: string) => arr(rule?.[field]).includes("*");
        return !!rule && has("verbs") && has("resources") && has("apiGroups");
    });
}

export const disallowClusterAdminBinding: StackValidationPolicy = stackPolicy({
    name: "disallow-cluster-admin-binding",
    description: "Checks whether no ClusterRoleBinding or RoleBinding grants cluster-admin: the cluster-admin ClusterRole, or a ClusterRole or Role of the stack whose rules grant every verb on every resource (judged by its rules, not its name), which gives unrestricted control of the cluster (or of the namespace).",
    enforcementLevel: "mandatory",
    check: (ctx) => {
        // Roles of the stack by kind, namespace (Roles only) and name.
        const roles = new Map<string, PolicyResource>();
        for (const r of ctx.resources) {
            const cluster = (T.clusterRole as readonly string[]).includes(r.type);
            if (cluster || (T.role as readonly string[]).includes(r.type)) {
                ctx.guard(() => {
                    const name = str(at(r.props, "metadata", "name")) ?? r.name;
                    roles.set(cluster ? `ClusterRole//${name}` : `Role/${ctx.namespace(r)}/${name}`, r);
                });
            }
        }
        for (const r of ctx.resources) {
            if (!BINDING_TYPES.has(r.type)) {
                continue;
            }
            ctx.guard(() => {
                const roleRef = obj(r.props.roleRef);
                const kind = roleRef?.kind;
                const name = str(roleRef?.name);
                if (!name || (kind !== "ClusterRole" && kind !== "Role")) {
                    return;
                }
                let what: string | undefined;
                if (kind === "ClusterRole" && name === "cluster-admin") {
                    what = `roleRef ClusterRole "cluster-admin"`;
                } else {
                    const role = roles.get(kind === "ClusterRole" ? `ClusterRole//${name}` : `Role/${ctx.namespace(r)}/${name}`);
                    if (role && grantsEverything(role.props.rules)) {
                        what = `roleRef ${kind} "${name}", whose rules grant every verb on every resource ("*" verbs, resources and apiGroups): cluster-admin by another name`;
                    }
                }
                if (what) {
                    const subjects = arr(r.props.subjects).map((s) => `${at(s, "kind") ?? "?"} "${at(s, "name") ?? "?"}"`);
                    ctx.report(r, `${ctx.subject(r)} binds ${what}${subjects.length ? ` to ${subjects.join(", ")}` : ""}; grant a role with only the verbs and resources needed.`);
                }
            });
        }
    },
});

const ROLE_TYPES = [...T.role, ...T.clusterRole];

export const disallowRbacWildcards: ResourceValidationPolicy = resourcePolicy({
    name: "disallow-rbac-wildcards",
    description: "Checks whether no Role or ClusterRole rule uses a wildcard (*) in apiGroups, resources, verbs or nonResourceURLs, so permissions do not silently grow with new APIs.",
    enforcementLevel: "mandatory",
    types: ROLE_TYPES,
    check: (ctx) => {
        arr(ctx.props.rules).forEach((raw, i) => {
            const rule = obj(raw);
            if (!rule) {
                return;
            }
            const found: string[] = [];
            for (const field of ["apiGroups", "resources", "verbs", "nonResourceURLs"]) {
                const wild = arr(rule[field]).filter((v) => typeof v === "string" && (v === "*" || (field === "resources" || field === "nonResourceURLs") && v.includes("*")));
                if (wild.length) {
                    found.push(`rules[${i}].${field} contains ${wild.map((w) => `"${w}"`).join(", ")}`);
                }
            }
            if (found.length) {
                ctx.report(`${ctx.subject}: ${found.join("; ")}; list the API groups, resources and verbs explicitly.`);
            }
        });
    },
});

export const disallowDefaultNamespace: ResourceValidationPolicy = resourcePolicy({
    name: "disallow-default-namespace",
    description: "Checks whether no namespaced object lives in the default namespace (set explicitly, or left unset with no provider namespace), so every workload sits behind its namespace's policies and quotas.",
    enforcementLevel: "mandatory",
    types: { test: isNamespacedKubernetesType, reason: "Policy applies to namespaced built-in Kubernetes objects only (a custom resource's scope is in its CRD)" },
    check: (ctx) => {
        const ns = at(ctx.props, "metadata", "namespace");
        if (ns === "default") {
            ctx.report(`${ctx.subject} sets metadata.namespace to "default"; put it in a namespace of its own.`);
        } else if ((ns === undefined || ns === null || ns === "") && ctx.namespace === "default") {
            ctx.report(`${ctx.subject} leaves metadata.namespace unset, so it lands in the default namespace; set metadata.namespace.`);
        }
    },
});
