/**
 * What WebService and StatefulService both create around their pods: the ServiceAccount and its
 * RBAC, the PodDisruptionBudget, the NetworkPolicy, the pod template. Each function creates children
 * of `parent`, named `${name}-<role>`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { childName, dns1123LabelProblem } from "../lib/names";
import * as d from "./defaults";
import { WorkloadPolicyInputs, validatePeers, workloadPolicySpec } from "./network";
import {
    QOS_CLASSES, Qos, buildContainer, podSecurityContext, spreadAffinity, topologySpread, validateContainers,
    validateIdentity, writableVolumes,
} from "./pod";
import { roleRules, validateServiceAccount } from "./rbac";
import { ContainerArgs, ServiceAccountArgs, WorkloadArgs } from "./types";

/** Checks what both templates share: the name, containers, identity, RBAC, network peers, metrics. */
export function validateCommon(problems: Problems, name: string, args: WorkloadArgs): void {
    const nameWhy = dns1123LabelProblem(name);
    problems.check(nameWhy === undefined, "name", `${nameWhy} (the name is used for the Kubernetes objects)`);
    problems.check(args.namespace !== undefined && args.namespace !== "", "namespace",
        "a namespace is required: workloads never run in default (use ProductionNamespace)");
    if (args.namespace === "default") {
        problems.add("namespace", "default is refused: it has no Pod Security labels and no default-deny policy");
    }
    validateContainers(problems, args.containers);
    if (args.qos !== undefined) {
        problems.check(QOS_CLASSES.includes(args.qos), "qos", `"${args.qos}" is not one of ${QOS_CLASSES.join(", ")}`);
    }
    validateIdentity(problems, args.podIdentity);
    validateServiceAccount(problems, args.serviceAccount);
    validatePeers(problems, "ingressFrom", args.ingressFrom, "ingress");
    validatePeers(problems, "egressTo", args.egressTo, "egress");
    if (args.metricsPort !== undefined) {
        const declared = (args.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
        problems.check(declared.includes(args.metricsPort), "metricsPort",
            `${args.metricsPort} is not one of the containers' ports (${declared.join(", ") || "none"})`);
    }
    if (args.metricsPath !== undefined) {
        problems.check(args.metricsPath.startsWith("/"), "metricsPath", `"${args.metricsPath}" must start with /`);
    }
    if (args.terminationGracePeriodSeconds !== undefined) {
        problems.check(Number.isInteger(args.terminationGracePeriodSeconds) && args.terminationGracePeriodSeconds >= 0,
            "terminationGracePeriodSeconds", `${args.terminationGracePeriodSeconds} must be a whole number ≥ 0`);
    }
}

/** Prometheus scrape annotations for the pod template, when a metrics port is given. */
export function scrapeAnnotations(args: WorkloadArgs): Record<string, string> {
    if (args.metricsPort === undefined) {
        return {};
    }
    return {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(args.metricsPort),
        "prometheus.io/path": args.metricsPath ?? d.DEFAULT_METRICS_PATH,
    };
}

/** The pod template: restricted security, requests and limits, probes, spread, dedicated ServiceAccount. */
export function podTemplate(args: WorkloadArgs, labels: Record<string, string>, selector: Record<string, string>,
    serviceAccountName: pulumi.Input<string>, opts: { revisionKey?: string; extraVolumes?: Array<Record<string, any>>; extraMounts?: Array<Record<string, any>>; annotations?: Record<string, string> }): Record<string, any> {
    const qos = (args.qos ?? "Burstable") as Qos;
    const writable = writableVolumes(args.containers);
    const annotations = pulumi.all([args.podAnnotations ?? {}]).apply(([user]) => ({
        ...user, ...scrapeAnnotations(args), ...(opts.annotations ?? {}),
    }));
    return {
        metadata: { labels, annotations },
        spec: {
            serviceAccountName,
            automountServiceAccountToken: args.serviceAccount?.automountToken ?? false,
            securityContext: podSecurityContext(args.podIdentity),
            ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
            ...(args.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: args.terminationGracePeriodSeconds } : {}),
            enableServiceLinks: false,
            containers: args.containers.map((c) => buildContainer(c, qos, [...(writable.mounts.get(c.name) ?? []), ...(opts.extraMounts ?? [])])),
            volumes: [...writable.volumes, ...(opts.extraVolumes ?? [])],
            topologySpreadConstraints: topologySpread(selector, opts.revisionKey),
            affinity: spreadAffinity(selector),
        },
    };
}

/** A dedicated ServiceAccount, with a Role and bindings when rules or ClusterRoles are declared. */
export function createServiceAccount(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>,
    labels: Record<string, string>, sa: ServiceAccountArgs | undefined): k8s.core.v1.ServiceAccount {
    const account = new k8s.core.v1.ServiceAccount(childName(name, "sa"), {
        metadata: { name, namespace, labels, ...(sa?.annotations ? { annotations: sa.annotations } : {}) },
        automountServiceAccountToken: sa?.automountToken ?? false,
    }, { parent });
    const subjects = [{ kind: "ServiceAccount", name, namespace }];
    if ((sa?.rules ?? []).length > 0) {
        const role = new k8s.rbac.v1.Role(childName(name, "role"), {
            metadata: { name, namespace, labels },
            rules: roleRules(sa!.rules!),
        }, { parent });
        new k8s.rbac.v1.RoleBinding(childName(name, "rolebinding"), {
            metadata: { name, namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects,
        }, { parent });
    }
    for (const clusterRole of sa?.clusterRoles ?? []) {
        // A RoleBinding (not a ClusterRoleBinding): the ClusterRole's rights apply in this namespace only.
        new k8s.rbac.v1.RoleBinding(childName(name, "rolebinding", clusterRole.replace(/[^a-z0-9-]/g, "-")), {
            metadata: { name: `${name}-${clusterRole.replace(/[^a-z0-9-]/g, "-")}`, namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
            subjects,
        }, { parent });
    }
    return account;
}

/** The NetworkPolicy that lets only the declared peers in and out. */
export function createNetworkPolicy(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>,
    labels: Record<string, string>, inputs: Omit<WorkloadPolicyInputs, "namespace">): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(childName(name, "netpol"), {
        metadata: { name, namespace, labels },
        spec: workloadPolicySpec({ ...inputs, namespace }),
    }, { parent });
}

/** The PodDisruptionBudget selecting the workload's pods. */
export function createDisruptionBudget(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>,
    labels: Record<string, string>, selector: Record<string, string>, budget: Record<string, any>): k8s.policy.v1.PodDisruptionBudget {
    return new k8s.policy.v1.PodDisruptionBudget(childName(name, "pdb"), {
        metadata: { name, namespace, labels },
        spec: { ...budget, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
    }, { parent });
}

/** Service ports as NetworkPolicy ports (for ingress sources that name none). */
export function networkPorts(containers: ContainerArgs[]): Array<{ port: number; protocol?: string }> {
    return containers.flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, protocol: p.protocol })));
}
