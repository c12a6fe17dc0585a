/**
 * ClusterAutoscaler: the Kubernetes cluster-autoscaler on EKS, discovering the cluster's managed node
 * groups by their tags, balancing the per-zone groups, with an IRSA role that may resize only this
 * cluster's groups.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problems, isKnown } from "../lib/errors";
import { HelmValues, OwnedValue, chartRelease, checkUserValues } from "../lib/helm";
import { childName } from "../lib/names";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS, HELM_CHARTS, KubernetesVersion, kubernetesVersionProblem } from "../../lib/versions";
import {
    DEFAULT_NAMESPACE, NOBODY_UID, RESTRICTED_CONTAINER_SECURITY_CONTEXT, SYSTEM_CLUSTER_CRITICAL,
    checkNamespace, checkObjectName, checkReleaseName, checkReplicas, goDurationProblem, restrictedPodSecurityContext,
} from "./common";
import { IrsaRole } from "../cluster/irsa";
import { clusterAutoscalerPolicy } from "./iam";

/** Arguments of {@link ClusterAutoscaler}. */
export interface ClusterAutoscalerArgs {
    /**
     * Name of the EKS cluster. The autoscaler discovers the Auto Scaling groups tagged
     * `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<clusterName>` (EKS managed node
     * groups carry both), and its IAM role may change only groups tagged `k8s.io/cluster-autoscaler/<clusterName>=owned`.
     * Required.
     */
    clusterName: pulumi.Input<string>;
    /** AWS region of the cluster (e.g. `eu-west-1`). Required. */
    region: pulumi.Input<string>;
    /** ARN of the cluster's IAM OIDC provider, trusted by the IRSA role. Required. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL (with or without `https://`), used in the trust conditions. Required. */
    oidcProviderUrl: pulumi.Input<string>;
    /**
     * Kubernetes minor of the cluster, e.g. `1.35`. Picks the cluster-autoscaler image of the same minor
     * from the version matrix; a minor outside the matrix is refused. Required.
     */
    kubernetesVersion: string;
    /**
     * Expander: how the autoscaler picks a node group to grow. One of `least-waste` (default: the group
     * that leaves the least idle CPU and memory), `least-nodes`, `most-pods`, `random`, `priority`, or a
     * comma-separated chain of them tried in order (e.g. `priority,least-waste`). `priority` needs
     * `expanderPriorities`. `price` (GCE only) and `grpc` (an external service) are refused.
     */
    expander?: string;
    /**
     * Priorities for the `priority` expander: priority (a whole number, higher wins) → regular expressions
     * matched against node group (ASG) names. Required when `expander` includes `priority`; refused otherwise.
     */
    expanderPriorities?: { [priority: string]: string[] };
    /**
     * Keep similar node groups the same size (`--balance-similar-node-groups`). With one node group per
     * zone this is what spreads new nodes across zones. Defaults to true.
     */
    balanceSimilarNodeGroups?: boolean;
    /** How long after a scale-up before scale-down is considered again (`--scale-down-delay-after-add`). Defaults to `10m`. */
    scaleDownDelayAfterAdd?: string;
    /** How long a node must be unneeded before it is removed (`--scale-down-unneeded-time`). Defaults to `10m`. */
    scaleDownUnneededTime?: string;
    /**
     * Replicas of the autoscaler. One leads (leader election), the others wait; the PodDisruptionBudget
     * keeps one running through node drains. Defaults to 2; 1 to 3.
     */
    replicas?: number;
    /** Namespace to install into; it must exist. Defaults to `kube-system`. */
    namespace?: string;
    /** Name of the service account bound to the IAM role. Defaults to `cluster-autoscaler`. */
    serviceAccountName?: string;
    /** Helm release name. Defaults to `cluster-autoscaler`. */
    releaseName?: string;
    /**
     * Helm values of chart cluster-autoscaler 9.59.0, deep-merged over the component's defaults (maps
     * merge, lists replace). Not overridable (refused): `rbac.create`, `rbac.serviceAccount` (the IRSA
     * binding), `securityContext`, `containerSecurityContext`, `image.tag` (set by `kubernetesVersion`),
     * `cloudProvider`, `awsRegion`, `autoDiscovery.clusterName`, `awsAccessKeyID`, `awsSecretAccessKey`.
     */
    values?: pulumi.Input<{ [key: string]: any }>;
    /** Tags on the IAM role. Defaults to none. */
    tags?: { [key: string]: string };
}

/** The expanders the AWS cloud provider supports (cluster-autoscaler `expander/expander.go`, without `price` and `grpc`). */
export const CLUSTER_AUTOSCALER_EXPANDERS = ["least-waste", "least-nodes", "most-pods", "random", "priority"] as const;
export const DEFAULT_EXPANDER = "least-waste";
export const DEFAULT_BALANCE_SIMILAR_NODE_GROUPS = true;
/** The seed's scale-down delay: 10 minutes after a scale-up (the autoscaler's own default, made explicit). */
export const DEFAULT_SCALE_DOWN_DELAY_AFTER_ADD = "10m";
export const DEFAULT_SCALE_DOWN_UNNEEDED_TIME = "10m";
export const DEFAULT_CLUSTER_AUTOSCALER_REPLICAS = 2;
export const DEFAULT_CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
export const DEFAULT_CLUSTER_AUTOSCALER_RELEASE = "cluster-autoscaler";
export const CLUSTER_AUTOSCALER_IMAGE = "registry.k8s.io/autoscaling/cluster-autoscaler";
/** Requests and limits (memory limit = request: the autoscaler's cache grows with the cluster, not in bursts). */
export const DEFAULT_CLUSTER_AUTOSCALER_RESOURCES = {
    requests: { cpu: "100m", memory: "600Mi" },
    limits: { cpu: "500m", memory: "600Mi" },
};

/** The options that decide the autoscaler's command line, with defaults applied. */
export interface ClusterAutoscalerSettings {
    kubernetesVersion: KubernetesVersion;
    expander: string;
    expanderPriorities?: { [priority: string]: string[] };
    balanceSimilarNodeGroups: boolean;
    scaleDownDelayAfterAdd: string;
    scaleDownUnneededTime: string;
    replicas: number;
}

/** Fields of the chart the component owns, with the reason given to a user who tries to set them. */
export const CLUSTER_AUTOSCALER_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    { path: ["rbac", "create"], reason: "the IRSA service account and its RBAC are created with the chart" },
    { path: ["rbac", "serviceAccount"], reason: "the service account carries the IRSA role binding; set serviceAccountName instead" },
    { path: ["securityContext"], reason: "the pod runs with the restricted Pod Security context" },
    { path: ["containerSecurityContext"], reason: "the container runs with the restricted Pod Security context" },
    { path: ["image", "tag"], reason: "the image matches the cluster's Kubernetes minor; set kubernetesVersion instead" },
    { path: ["cloudProvider"], reason: "this component runs the AWS cloud provider" },
    { path: ["awsRegion"], reason: "set region instead" },
    { path: ["autoDiscovery", "clusterName"], reason: "set clusterName instead; the IAM role is scoped to that cluster's tags" },
    { path: ["awsAccessKeyID"], reason: "credentials come from the IRSA role, never from static keys" },
    { path: ["awsSecretAccessKey"], reason: "credentials come from the IRSA role, never from static keys" },
];

/** Collects every problem with the args (all at once); the caller throws. */
export function validateClusterAutoscalerArgs(args: ClusterAutoscalerArgs, problems = new Problems()): Problems {
    if (!args || typeof args !== "object") {
        problems.add("", "ClusterAutoscaler needs args");
        return problems;
    }
    problems.requireStrings(args, ["clusterName", "region", "oidcProviderArn", "oidcProviderUrl"]);
    if (isKnown(args.clusterName) && typeof args.clusterName === "string" && args.clusterName !== "" && !/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(args.clusterName)) {
        problems.add("clusterName", `"${args.clusterName}" is not an EKS cluster name (letters, digits, '-' and '_', starting with a letter or digit, at most 100)`);
    }
    if (isKnown(args.oidcProviderArn) && typeof args.oidcProviderArn === "string" && args.oidcProviderArn !== "" && !/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/.+/.test(args.oidcProviderArn)) {
        problems.add("oidcProviderArn", `"${args.oidcProviderArn}" is not an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>)`);
    }
    if (args.kubernetesVersion === undefined) {
        problems.add("kubernetesVersion", "is required: the autoscaler's minor must match the cluster's");
    } else if (typeof args.kubernetesVersion !== "string") {
        problems.add("kubernetesVersion", `must be a string such as "1.35" (a number loses the trailing zero of 1.30)`);
    } else {
        const p = kubernetesVersionProblem(args.kubernetesVersion);
        if (p) {
            problems.add("kubernetesVersion", p);
        }
    }
    const expanders = (args.expander ?? DEFAULT_EXPANDER);
    const chain = typeof expanders === "string" ? expanders.split(",").map((e) => e.trim()) : [];
    if (typeof expanders !== "string" || chain.some((e) => e === "")) {
        problems.add("expander", `must be one of ${CLUSTER_AUTOSCALER_EXPANDERS.join(", ")}, or a comma-separated chain of them`);
    } else {
        for (const e of chain) {
            if (e === "price") {
                problems.add("expander", `"price" works only on GCE; choose one of ${CLUSTER_AUTOSCALER_EXPANDERS.join(", ")}`);
            } else if (e === "grpc") {
                problems.add("expander", `"grpc" needs an external expander service, which this component does not configure; choose one of ${CLUSTER_AUTOSCALER_EXPANDERS.join(", ")}`);
            } else if (!(CLUSTER_AUTOSCALER_EXPANDERS as readonly string[]).includes(e)) {
                problems.add("expander", `"${e}" is not an expander; choose one of ${CLUSTER_AUTOSCALER_EXPANDERS.join(", ")}`);
            }
        }
        if (new Set(chain).size !== chain.length) {
            problems.add("expander", `"${expanders}" names an expander twice`);
        }
    }
    const usesPriority = chain.includes("priority");
    if (args.expanderPriorities !== undefined) {
        if (!usesPriority) {
            problems.add("expanderPriorities", "is used only by the priority expander; add priority to expander or remove expanderPriorities");
        }
        checkExpanderPriorities(problems, args.expanderPriorities);
    } else if (usesPriority) {
        problems.add("expanderPriorities", "is required by the priority expander: give priority → node group name patterns");
    }
    if (args.balanceSimilarNodeGroups !== undefined && typeof args.balanceSimilarNodeGroups !== "boolean") {
        problems.add("balanceSimilarNodeGroups", "must be true or false");
    }
    for (const key of ["scaleDownDelayAfterAdd", "scaleDownUnneededTime"] as const) {
        const v = args[key];
        if (v !== undefined) {
            const p = goDurationProblem(v);
            if (p) {
                problems.add(key, p);
            }
        }
    }
    if (args.tags !== undefined && (args.tags === null || typeof args.tags !== "object" || Array.isArray(args.tags)
        || Object.values(args.tags).some((v) => typeof v !== "string"))) {
        problems.add("tags", "must map tag keys to string values");
    }
    checkReplicas(problems, "replicas", args.replicas, 1, 3);
    checkNamespace(problems, "namespace", args.namespace);
    checkObjectName(problems, "serviceAccountName", args.serviceAccountName);
    checkReleaseName(problems, "releaseName", args.releaseName);
    checkUserValues(problems, args.values, CLUSTER_AUTOSCALER_OWNED);
    return problems;
}

function checkExpanderPriorities(problems: Problems, priorities: { [priority: string]: string[] }): void {
    if (priorities === null || typeof priorities !== "object" || Array.isArray(priorities)) {
        problems.add("expanderPriorities", "must map priorities to lists of node group name patterns");
        return;
    }
    if (Object.keys(priorities).length === 0) {
        problems.add("expanderPriorities", "must have at least one priority");
    }
    for (const [priority, patterns] of Object.entries(priorities)) {
        const path = `expanderPriorities[${JSON.stringify(priority)}]`;
        if (!/^\d+$/.test(priority)) {
            problems.add(path, `priority "${priority}" must be a whole number (higher wins)`);
        }
        if (!Array.isArray(patterns) || patterns.length === 0) {
            problems.add(path, "must be a non-empty list of regular expressions");
            continue;
        }
        patterns.forEach((pattern, i) => {
            try {
                new RegExp(pattern);
            } catch {
                problems.add(`${path}[${i}]`, `"${pattern}" is not a regular expression`);
            }
        });
    }
}

/** The settings with every default applied (args must be valid). */
export function clusterAutoscalerSettings(args: ClusterAutoscalerArgs): ClusterAutoscalerSettings {
    return {
        kubernetesVersion: args.kubernetesVersion as KubernetesVersion,
        expander: (args.expander ?? DEFAULT_EXPANDER).split(",").map((e) => e.trim()).join(","),
        expanderPriorities: args.expanderPriorities,
        balanceSimilarNodeGroups: args.balanceSimilarNodeGroups ?? DEFAULT_BALANCE_SIMILAR_NODE_GROUPS,
        scaleDownDelayAfterAdd: args.scaleDownDelayAfterAdd ?? DEFAULT_SCALE_DOWN_DELAY_AFTER_ADD,
        scaleDownUnneededTime: args.scaleDownUnneededTime ?? DEFAULT_SCALE_DOWN_UNNEEDED_TIME,
        replicas: args.replicas ?? DEFAULT_CLUSTER_AUTOSCALER_REPLICAS,
    };
}

/** The cluster-autoscaler image tag for a Kubernetes minor; throws for a minor outside the matrix. */
export function clusterAutoscalerImageTag(kubernetesVersion: string): string {
    const problem = kubernetesVersionProblem(kubernetesVersion);
    if (problem) {
        throw new Error(problem);
    }
    return CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetesVersion as KubernetesVersion];
}

/** The component's default Helm values (user values merge over these). */
export function clusterAutoscalerDefaultValues(s: ClusterAutoscalerSettings): HelmValues {
    const values: HelmValues = {
        replicaCount: s.replicas,
        priorityClassName: SYSTEM_CLUSTER_CRITICAL,
        podDisruptionBudget: { maxUnavailable: 1 },
        resources: DEFAULT_CLUSTER_AUTOSCALER_RESOURCES,
        image: { repository: CLUSTER_AUTOSCALER_IMAGE },
        extraArgs: {
            // The chart's own defaults, kept (a user map merges into these).
            logtostderr: true,
            stderrthreshold: "info",
            v: 4,
            "balance-similar-node-groups": s.balanceSimilarNodeGroups,
            expander: s.expander,
            "scale-down-delay-after-add": s.scaleDownDelayAfterAdd,
            "scale-down-unneeded-time": s.scaleDownUnneededTime,
            // Several replicas are safe only with one active.
            "leader-elect": true,
        },
    };
    if (s.expanderPriorities) {
        values.expanderPriorities = s.expanderPriorities;
    }
    return values;
}

/** The values the component owns, for a cluster, region, service account and role ARN. */
export function clusterAutoscalerOwnedValues(o: {
    kubernetesVersion: string;
    clusterName: pulumi.Input<string>;
    region: pulumi.Input<string>;
    serviceAccountName: string;
    roleArn: pulumi.Input<string>;
}): OwnedValue[] {
    const reason = (path: string[]) => CLUSTER_AUTOSCALER_OWNED.find((x) => x.path.join(".") === path.join("."))!.reason;
    const own = (path: string[], value: pulumi.Input<any>): OwnedValue => ({ path, value, reason: reason(path) });
    return [
        own(["rbac", "create"], true),
        own(["rbac", "serviceAccount"], {
            create: true,
            name: o.serviceAccountName,
            annotations: { "eks.amazonaws.com/role-arn": o.roleArn },
            automountServiceAccountToken: true,
        }),
        own(["securityContext"], restrictedPodSecurityContext(NOBODY_UID)),
        own(["containerSecurityContext"], RESTRICTED_CONTAINER_SECURITY_CONTEXT),
        own(["image", "tag"], clusterAutoscalerImageTag(o.kubernetesVersion)),
        own(["cloudProvider"], "aws"),
        own(["awsRegion"], o.region),
        own(["autoDiscovery", "clusterName"], o.clusterName),
        own(["awsAccessKeyID"], ""),
        own(["awsSecretAccessKey"], ""),
    ];
}

/**
 * The Kubernetes cluster-autoscaler for an EKS cluster: chart cluster-autoscaler (pinned in the version
 * matrix) with tag auto-discovery, balanced similar node groups, the chosen expander, the scale-down
 * delays, a PodDisruptionBudget, the `system-cluster-critical` priority, the restricted security
 * context, and an IRSA role whose write actions are limited to this cluster's node groups.
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    /** ARN of the autoscaler's IAM role. */
    public readonly roleArn: pulumi.Output<string>;
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** Namespace the autoscaler runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The cluster-autoscaler image tag (matches the cluster's minor). */
    public readonly imageTag: pulumi.Output<string>;

    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateClusterAutoscalerArgs(args).throwIfAny(`ClusterAutoscaler ${name}`);
        super("k8sprod:autoscaling:ClusterAutoscaler", name, {}, opts);

        const settings = clusterAutoscalerSettings(args);
        const namespace = args.namespace ?? DEFAULT_NAMESPACE;
        const serviceAccountName = args.serviceAccountName ?? DEFAULT_CLUSTER_AUTOSCALER_SERVICE_ACCOUNT;
        const releaseName = args.releaseName ?? DEFAULT_CLUSTER_AUTOSCALER_RELEASE;

        // The shared IRSA helper: trust pinned to this service account's `sub` and the STS `aud`, and the
        // permissions checked for least privilege before anything is created.
        const irsa = new IrsaRole(childName(name, "irsa"), {
            oidcProviderArn: args.oidcProviderArn,
            oidcIssuerUrl: args.oidcProviderUrl,
            namespace,
            serviceAccount: serviceAccountName,
            // A known cluster name gives a plain document, which IrsaRole checks before creating anything.
            policyDocument: isKnown(args.clusterName)
                ? JSON.stringify(clusterAutoscalerPolicy(args.clusterName))
                : pulumi.output(args.clusterName).apply((c) => JSON.stringify(clusterAutoscalerPolicy(c))),
            tags: args.tags,
        }, { parent: this });

        const release = chartRelease(childName(name, "release"), {
            chart: HELM_CHARTS.clusterAutoscaler,
            releaseName,
            namespace,
            defaults: clusterAutoscalerDefaultValues(settings),
            values: args.values,
            owned: clusterAutoscalerOwnedValues({
                kubernetesVersion: settings.kubernetesVersion,
                clusterName: args.clusterName,
                region: args.region,
                serviceAccountName,
                roleArn: irsa.roleArn,
            }),
        }, { parent: this, dependsOn: [irsa] });

        this.roleArn = irsa.roleArn;
        this.releaseName = release.name;
        this.namespace = pulumi.output(namespace);
        this.imageTag = pulumi.output(clusterAutoscalerImageTag(settings.kubernetesVersion));
        this.registerOutputs({ roleArn: this.roleArn, releaseName: this.releaseName, namespace: this.namespace, imageTag: this.imageTag });
    }
}
