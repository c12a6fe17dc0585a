/**
 * MetricsServer: the resource metrics API (`metrics.k8s.io`) that HorizontalPodAutoscalers read CPU
 * and memory from, and that `kubectl top` shows. Without it an HPA on CPU never scales.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { HelmValues, OwnedValue, chartRelease, checkUserValues } from "../lib/helm";
import { childName } from "../lib/names";
import { HELM_CHARTS } from "../../lib/versions";
import {
    DEFAULT_NAMESPACE, RESTRICTED_CONTAINER_SECURITY_CONTEXT, SYSTEM_CLUSTER_CRITICAL,
    checkNamespace, checkReleaseName, checkReplicas, restrictedPodSecurityContext,
} from "./common";

/** Arguments of {@link MetricsServer}. */
export interface MetricsServerArgs {
    /**
     * Replicas. Two keep the metrics API (and so every HPA) answering while a node is drained; the
     * PodDisruptionBudget lets at most one go at a time. Defaults to 2; 1 to 5 (1 also drops the PodDisruptionBudget).
     */
    replicas?: number;
    /** Namespace to install into; it must exist. Defaults to `kube-system`. */
    namespace?: string;
    /** Helm release name. Defaults to `metrics-server`. */
    releaseName?: string;
    /**
     * Helm values of chart metrics-server 3.13.1, deep-merged over the component's defaults (maps merge,
     * lists replace). Not overridable (refused): `securityContext` and `podSecurityContext` (restricted).
     */
    values?: pulumi.Input<{ [key: string]: any }>;
}

export const DEFAULT_METRICS_SERVER_REPLICAS = 2;
export const DEFAULT_METRICS_SERVER_RELEASE = "metrics-server";
/** The chart's own container user; the pod context pins the same identity. */
export const METRICS_SERVER_UID = 1000;
/** The chart's request (100m/200Mi) with limits that let it burst on CPU and bound its memory. */
export const DEFAULT_METRICS_SERVER_RESOURCES = {
    requests: { cpu: "100m", memory: "200Mi" },
    limits: { cpu: "1", memory: "400Mi" },
};

export const METRICS_SERVER_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    { path: ["securityContext"], reason: "the container runs with the restricted Pod Security context" },
    { path: ["podSecurityContext"], reason: "the pod runs with the restricted Pod Security context" },
];

/** Collects every problem with the args; the caller throws. */
export function validateMetricsServerArgs(args: MetricsServerArgs | undefined, problems = new Problems()): Problems {
    const a = args ?? {};
    checkReplicas(problems, "replicas", a.replicas, 1, 5);
    checkNamespace(problems, "namespace", a.namespace);
    checkReleaseName(problems, "releaseName", a.releaseName);
    checkUserValues(problems, a.values, METRICS_SERVER_OWNED);
    return problems;
}

/** The component's default Helm values for `replicas` and the release name (used in the spread selector). */
export function metricsServerDefaultValues(replicas: number, releaseName: string): HelmValues {
    return {
        replicas,
        priorityClassName: SYSTEM_CLUSTER_CRITICAL,
        resources: DEFAULT_METRICS_SERVER_RESOURCES,
        // A PodDisruptionBudget with one replica would block every node drain.
        podDisruptionBudget: replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
        // Replicas in different zones, so a zone outage leaves the metrics API up.
        topologySpreadConstraints: replicas > 1 ? [{
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": releaseName } },
        }] : [],
    };
}

/** The values the component owns. */
export function metricsServerOwnedValues(): OwnedValue[] {
    return [
        { ...METRICS_SERVER_OWNED[0], value: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: METRICS_SERVER_UID } },
        { ...METRICS_SERVER_OWNED[1], value: restrictedPodSecurityContext(METRICS_SERVER_UID) },
    ];
}

/**
 * metrics-server (chart pinned in the version matrix) with two replicas spread across zones, a
 * PodDisruptionBudget, the `system-cluster-critical` priority, requests and limits, and the restricted
 * security context.
 */
export class MetricsServer extends pulumi.ComponentResource {
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** Namespace metrics-server runs in. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateMetricsServerArgs(args).throwIfAny(`MetricsServer ${name}`);
        super("k8sprod:autoscaling:MetricsServer", name, {}, opts);
        const a = args ?? {};
        const namespace = a.namespace ?? DEFAULT_NAMESPACE;
        const releaseName = a.releaseName ?? DEFAULT_METRICS_SERVER_RELEASE;
        const release = chartRelease(childName(name, "release"), {
            chart: HELM_CHARTS.metricsServer,
            releaseName,
            namespace,
            defaults: metricsServerDefaultValues(a.replicas ?? DEFAULT_METRICS_SERVER_REPLICAS, releaseName),
            values: a.values,
            owned: metricsServerOwnedValues(),
        }, { parent: this });
        this.releaseName = release.name;
        this.namespace = pulumi.output(namespace);
        this.registerOutputs({ releaseName: this.releaseName, namespace: this.namespace });
    }
}
