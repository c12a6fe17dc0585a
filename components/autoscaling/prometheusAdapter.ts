/**
 * PrometheusAdapter: serves Prometheus series through the custom and external metrics APIs
 * (`custom.metrics.k8s.io`, `external.metrics.k8s.io`), so HorizontalPodAutoscalers can scale on the
 * seed's custom metrics: request rate and queue depth.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problems, isKnown } from "../lib/errors";
import { HelmValues, OwnedValue, chartRelease, checkUserValues } from "../lib/helm";
import { childName } from "../lib/names";
import { HELM_CHARTS } from "../../lib/versions";
import {
    DEFAULT_NAMESPACE, RESTRICTED_CONTAINER_SECURITY_CONTEXT, SYSTEM_CLUSTER_CRITICAL,
    checkNamespace, checkReleaseName, checkReplicas, restrictedPodSecurityContext,
} from "./common";

/** Arguments of {@link PrometheusAdapter}. */
export interface PrometheusAdapterArgs {
    /**
     * URL of Prometheus, without the port. Defaults to `http://prometheus-operated.monitoring.svc`: the
     * Service the Prometheus Operator (kube-prometheus-stack) creates for every Prometheus in `monitoring`.
     */
    prometheusUrl?: pulumi.Input<string>;
    /** Port of Prometheus. Defaults to 9090. */
    prometheusPort?: number;
    /**
     * Counter of handled requests, labelled with `namespace` and `pod` (e.g. what an HTTP middleware
     * exports). Served as the per-pod custom metric `<name without _total>_per_second`. Defaults to
     * `http_requests_total` (served as `http_requests_per_second`).
     */
    requestsMetric?: string;
    /**
     * Gauge of messages waiting in a queue, labelled with `namespace` (and `queue`). Served as an external
     * metric of the same name (select the queue with the HPA's metric selector) and, where the series also
     * has a `pod` label, as a custom metric. Defaults to `queue_messages_ready`.
     */
    queueDepthMetric?: string;
    /** Window of the request rate (PromQL duration). Defaults to `2m`: at least four scrapes at the usual 30 s interval. */
    rateWindow?: string;
    /**
     * Replicas. The custom metrics API is an aggregated API: while no replica answers, every HPA on
     * custom metrics stops and API discovery reports errors. Defaults to 2; 1 to 5.
     */
    replicas?: number;
    /** Namespace to install into; it must exist. Defaults to `kube-system`. */
    namespace?: string;
    /** Helm release name. Defaults to `prometheus-adapter`. */
    releaseName?: string;
    /**
     * Helm values of chart prometheus-adapter 5.3.0, deep-merged over the component's defaults (maps merge,
     * lists replace: `rules.custom` given here replaces the built-in rules). Not overridable (refused):
     * `securityContext` and `podSecurityContext` (restricted).
     */
    values?: pulumi.Input<{ [key: string]: any }>;
}

export const DEFAULT_PROMETHEUS_URL = "http://prometheus-operated.monitoring.svc";
export const DEFAULT_PROMETHEUS_PORT = 9090;
export const DEFAULT_REQUESTS_METRIC = "http_requests_total";
export const DEFAULT_QUEUE_DEPTH_METRIC = "queue_messages_ready";
export const DEFAULT_RATE_WINDOW = "2m";
export const DEFAULT_PROMETHEUS_ADAPTER_REPLICAS = 2;
export const DEFAULT_PROMETHEUS_ADAPTER_RELEASE = "prometheus-adapter";
/** The chart's own non-root user. */
export const PROMETHEUS_ADAPTER_UID = 10001;
export const DEFAULT_PROMETHEUS_ADAPTER_RESOURCES = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
};

export const PROMETHEUS_ADAPTER_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    { path: ["securityContext"], reason: "the container runs with the restricted Pod Security context" },
    { path: ["podSecurityContext"], reason: "the pod runs with the restricted Pod Security context" },
];

/** One prometheus-adapter discovery rule (its `config.yaml` format). */
export interface AdapterRule {
    seriesQuery: string;
    resources: { overrides: { [label: string]: { resource: string } } };
    name: { matches: string; as: string };
    metricsQuery: string;
}

/** The custom and external rules the adapter serves. */
export interface AdapterRules {
    custom: AdapterRule[];
    external: AdapterRule[];
}

/** What the rule set is built from (defaults applied). */
export interface CustomMetricsConfig {
    requestsMetric: string;
    queueDepthMetric: string;
    rateWindow: string;
}

/** `http_requests_total` → `http_requests_per_second`; a name without `_total` gets `_per_second` appended. */
export function requestRateMetricName(counter: string): string {
    return `${counter.replace(/_total$/, "")}_per_second`;
}

const byNamespaceAndPod = { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } };

/**
 * The adapter's rules for the seed's custom metrics:
 * - request rate: `rate(<counter>[window])` per pod, as the custom metric `<counter>_per_second`
 *   (HPA type `Pods`, e.g. "100 requests per second per pod");
 * - queue depth: the gauge summed per namespace as an external metric (HPA type `External`, selecting the
 *   queue by label), and per pod as a custom metric where consumers export it themselves.
 * Queries are prometheus-adapter templates: `<<.Series>>`, `<<.LabelMatchers>>` and `<<.GroupBy>>` are
 * filled in per request. Name patterns are anchored; metric names (checked by {@link metricNameProblem})
 * hold no regular-expression metacharacters.
 */
export function customMetricRules(c: CustomMetricsConfig): AdapterRules {
    return {
        custom: [
            {
                seriesQuery: `${c.requestsMetric}{namespace!="",pod!=""}`,
                resources: byNamespaceAndPod,
                name: { matches: `^${c.requestsMetric}$`, as: requestRateMetricName(c.requestsMetric) },
                metricsQuery: `sum(rate(<<.Series>>{<<.LabelMatchers>>}[${c.rateWindow}])) by (<<.GroupBy>>)`,
            },
            {
                seriesQuery: `${c.queueDepthMetric}{namespace!="",pod!=""}`,
                resources: byNamespaceAndPod,
                name: { matches: `^${c.queueDepthMetric}$`, as: c.queueDepthMetric },
                metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
            },
        ],
        external: [
            {
                seriesQuery: `${c.queueDepthMetric}{namespace!=""}`,
                resources: { overrides: { namespace: { resource: "namespace" } } },
                name: { matches: `^${c.queueDepthMetric}$`, as: c.queueDepthMetric },
                metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
            },
        ],
    };
}

/** Why `name` is not a Prometheus metric name, or undefined. */
export function metricNameProblem(name: string): string | undefined {
    return typeof name === "string" && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)
        ? undefined
        : `"${name}" is not a Prometheus metric name (letters, digits, '_' and ':', not starting with a digit)`;
}

/** Why `text` is not a positive PromQL duration for a range selector (`30s`, `2m`, `1h`), or undefined. */
export function promDurationProblem(text: string): string | undefined {
    if (typeof text !== "string" || !/^-?(\d+(ms|s|m|h|d|w|y))+$/.test(text)) {
        return `"${text}" is not a PromQL duration (e.g. 30s, 2m, 1h)`;
    }
    if (text.startsWith("-") || /^(0+(ms|s|m|h|d|w|y))+$/.test(text)) {
        return `"${text}" must be longer than zero`;
    }
    return undefined;
}

/** Collects every problem with the args; the caller throws. */
export function validatePrometheusAdapterArgs(args: PrometheusAdapterArgs | undefined, problems = new Problems()): Problems {
    const a = args ?? {};
    if (isKnown(a.prometheusUrl) && (typeof a.prometheusUrl !== "string" || !/^https?:\/\/[^\s/:]+(\/[^\s]*)?$/.test(a.prometheusUrl))) {
        problems.add("prometheusUrl", `"${a.prometheusUrl}" is not an http(s) URL without a port (give the port as prometheusPort)`);
    }
    if (a.prometheusPort !== undefined) {
        problems.check(Number.isInteger(a.prometheusPort) && a.prometheusPort >= 1 && a.prometheusPort <= 65535, "prometheusPort",
            `${a.prometheusPort} is not a port (1 to 65535)`);
    }
    for (const key of ["requestsMetric", "queueDepthMetric"] as const) {
        if (a[key] !== undefined) {
            const p = metricNameProblem(a[key]!);
            if (p) {
                problems.add(key, p);
            }
        }
    }
    const requests = a.requestsMetric ?? DEFAULT_REQUESTS_METRIC;
    const queue = a.queueDepthMetric ?? DEFAULT_QUEUE_DEPTH_METRIC;
    if (requestRateMetricName(requests) === queue) {
        problems.add("queueDepthMetric", `"${queue}" is also the name the request rate is served under; choose another`);
    }
    if (a.rateWindow !== undefined) {
        const p = promDurationProblem(a.rateWindow);
        if (p) {
            problems.add("rateWindow", p);
        }
    }
    checkReplicas(problems, "replicas", a.replicas, 1, 5);
    checkNamespace(problems, "namespace", a.namespace);
    checkReleaseName(problems, "releaseName", a.releaseName);
    checkUserValues(problems, a.values, PROMETHEUS_ADAPTER_OWNED);
    return problems;
}

/** The component's default Helm values. */
export function prometheusAdapterDefaultValues(o: {
    prometheusUrl: pulumi.Input<string>;
    prometheusPort: number;
    replicas: number;
    rules: AdapterRules;
}): HelmValues {
    return {
        prometheus: { url: o.prometheusUrl, port: o.prometheusPort },
        replicas: o.replicas,
        priorityClassName: SYSTEM_CLUSTER_CRITICAL,
        resources: DEFAULT_PROMETHEUS_ADAPTER_RESOURCES,
        podDisruptionBudget: o.replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
        rules: {
            // The chart's default rules publish every container series as a custom metric: load on
            // Prometheus and the API for metrics nobody scales on. CPU and memory come from MetricsServer.
            default: false,
            custom: o.rules.custom,
            external: o.rules.external,
        },
    };
}

/** The values the component owns. */
export function prometheusAdapterOwnedValues(): OwnedValue[] {
    return [
        { ...PROMETHEUS_ADAPTER_OWNED[0], value: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: PROMETHEUS_ADAPTER_UID } },
        { ...PROMETHEUS_ADAPTER_OWNED[1], value: restrictedPodSecurityContext(PROMETHEUS_ADAPTER_UID) },
    ];
}

/**
 * prometheus-adapter (chart pinned in the version matrix) serving request rate and queue depth to
 * HorizontalPodAutoscalers, two replicas with a PodDisruptionBudget, the `system-cluster-critical`
 * priority, requests and limits, and the restricted security context. Prometheus itself comes from the
 * observability components.
 */
export class PrometheusAdapter extends pulumi.ComponentResource {
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** Namespace the adapter runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Custom metric name HPAs use for the request rate (type `Pods`). */
    public readonly requestRateMetric: pulumi.Output<string>;
    /** Metric name HPAs use for the queue depth (type `External`, or `Pods` where pods export it). */
    public readonly queueDepthMetric: pulumi.Output<string>;

    constructor(name: string, args: PrometheusAdapterArgs, opts?: pulumi.ComponentResourceOptions) {
        validatePrometheusAdapterArgs(args).throwIfAny(`PrometheusAdapter ${name}`);
        super("k8sprod:autoscaling:PrometheusAdapter", name, {}, opts);
        const a = args ?? {};
        const namespace = a.namespace ?? DEFAULT_NAMESPACE;
        const config: CustomMetricsConfig = {
            requestsMetric: a.requestsMetric ?? DEFAULT_REQUESTS_METRIC,
            queueDepthMetric: a.queueDepthMetric ?? DEFAULT_QUEUE_DEPTH_METRIC,
            rateWindow: a.rateWindow ?? DEFAULT_RATE_WINDOW,
        };
        const release = chartRelease(childName(name, "release"), {
            chart: HELM_CHARTS.prometheusAdapter,
            releaseName: a.releaseName ?? DEFAULT_PROMETHEUS_ADAPTER_RELEASE,
            namespace,
            defaults: prometheusAdapterDefaultValues({
                prometheusUrl: a.prometheusUrl ?? DEFAULT_PROMETHEUS_URL,
                prometheusPort: a.prometheusPort ?? DEFAULT_PROMETHEUS_PORT,
                replicas: a.replicas ?? DEFAULT_PROMETHEUS_ADAPTER_REPLICAS,
                rules: customMetricRules(config),
            }),
            values: a.values,
            owned: prometheusAdapterOwnedValues(),
        }, { parent: this });
        this.releaseName = release.name;
        this.namespace = pulumi.output(namespace);
        this.requestRateMetric = pulumi.output(requestRateMetricName(config.requestsMetric));
        this.queueDepthMetric = pulumi.output(config.queueDepthMetric);
        this.registerOutputs({
            releaseName: this.releaseName, namespace: this.namespace,
            requestRateMetric: this.requestRateMetric, queueDepthMetric: this.queueDepthMetric,
        });
    }
}
