// Access: each workload its own identity, no API token unless it needs one, no cluster-admin, no
// wildcard RBAC, and nothing in the default namespace.
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    arr, at, isNamespacedKubernetesType, obj, POD_TYPES, podPolicy, podTemplateOf, resourcePolicy, stackPolicy, str,
    T,
} from "./lib";

export const requireDedicatedServiceAccount: ResourceValidationPolicy = podPolicy({
    name: "require-dedicated-service-account",
    description: "Checks whether every workload runs as a ServiceAccount of its own, not the namespace's default one, so its permissions can be granted and audited alone.",
    enforcementLevel: "mandatory",
    check: (ctx, pod) => {
        const sa = str(pod.spec.serviceAccountName) || str(pod.spec.serviceAccount);
        if (!sa) {
            ctx.report(`${ctx.subject} runs as the namespace's default ServiceAccount because ${pod.specPath}.serviceAccountName is unset; give it a dedicated ServiceAccount.`);
        } else if (sa === "default") {
            ctx.report(`${ctx.subject} sets ${pod.specPath}.serviceAccountName to "default"; give it a dedicated ServiceAccount.`);
        }
    },
});

export const disallowServiceAccountTokenAutomount: StackValidationPolicy = stackPolicy({
    name: "disallow-service-account-token-automount",
    description: "Checks whether every workload keeps the Kubernetes API token out of its pods (automountServiceAccountToken false on the pod, or on its ServiceAccount when the pod leaves it unset), unless it is exempted because it calls the API.",
    enforcementLevel: "mandatory",
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
        for (const r of ctx.resources) {
            if (!podTypes.has(r.type)) {
                continue;
            }
            ctx.guard(() => {
                if (ctx.exemption(r)) {
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
                if (podSetting === undefined || podSetting === null) {
                    if (accounts.get(key) === false) {
                        return;
                    }
                    const why = accounts.has(key) ? `and ServiceAccount "${saName}" does not set automountServiceAccountToken to false` : `and ServiceAccount "${saName}" is not in the stack to say otherwise`;
                    ctx.report(r, `${ctx.subject(r)} mounts a ServiceAccount token: ${pod.specPath}.automountServiceAccountToken is unset ${why}; set it to false (or exempt the workload if it calls the Kubernetes API).`);
                } else {
                    ctx.report(r, `${ctx.subject(r)} sets ${pod.specPath}.automountServiceAccountToken to ${JSON.stringify(podSetting)}; set it to false (or exempt the workload if it calls the Kubernetes API).`);
                }
            });
        }
    },
});

const BINDING_TYPES = [...T.roleBinding, ...T.clusterRoleBinding];

export const disallowClusterAdminBinding: ResourceValidationPolicy = resourcePolicy({
    name: "disallow-cluster-admin-binding",
    description: "Checks whether no ClusterRoleBinding or RoleBinding grants the cluster-admin ClusterRole, which gives unrestricted control of the cluster (or of the namespace).",
    enforcementLevel: "mandatory",
    types: BINDING_TYPES,
    check: (ctx) => {
        const roleRef = obj(ctx.props.roleRef);
        if (roleRef?.kind === "ClusterRole" && roleRef.name === "cluster-admin") {
            const subjects = arr(ctx.props.subjects).map((s) => `${at(s, "kind") ?? "?"} "${at(s, "name") ?? "?"}"`);
            ctx.report(`${ctx.subject} binds roleRef ClusterRole "cluster-admin"${subjects.length ? ` to ${subjects.join(", ")}` : ""}; grant a role with only the verbs and resources needed.`);
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
