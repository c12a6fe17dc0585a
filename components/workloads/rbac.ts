/** Least-privilege RBAC for a workload's ServiceAccount: namespaced, no wildcards, never cluster-admin. */
import type { types } from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { RbacRuleArgs, ServiceAccountArgs } from "./types";

/** ClusterRoles a workload may never be bound to: they grant control of the namespace or the cluster. */
export const FORBIDDEN_CLUSTER_ROLES = ["cluster-admin", "admin", "edit", "system:masters"];

/** Checks the rules and bindings of a workload's ServiceAccount. */
export function validateServiceAccount(problems: Problems, sa: ServiceAccountArgs | undefined): void {
    (sa?.rules ?? []).forEach((rule: RbacRuleArgs, i) => {
        const path = `serviceAccount.rules[${i}]`;
        for (const key of ["apiGroups", "resources", "verbs"] as const) {
            const list = rule[key];
            if (!problems.check(Array.isArray(list) && list.length > 0, `${path}.${key}`, `${key} must list at least one entry`)) {
                continue;
            }
            problems.check(!list.some((x) => typeof x !== "string" || x.includes("*")), `${path}.${key}`,
                `wildcards are refused: list the ${key} the workload needs (least privilege)`);
        }
        if (rule.verbs?.some((v) => ["escalate", "bind", "impersonate"].includes(v))) {
            problems.add(`${path}.verbs`, "escalate, bind and impersonate let a workload grant itself more rights; they are refused");
        }
    });
    (sa?.clusterRoles ?? []).forEach((role, i) => {
        problems.check(!FORBIDDEN_CLUSTER_ROLES.includes(role), `serviceAccount.clusterRoles[${i}]`,
            `binding "${role}" would give the workload control of the namespace or cluster; grant narrow rules instead`);
    });
}

/** The Role's rules as Kubernetes wants them. */
export function roleRules(rules: RbacRuleArgs[]): types.input.rbac.v1.PolicyRule[] {
    return rules.map((r) => ({
        apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs,
        ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
    }));
}
