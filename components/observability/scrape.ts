/**
 * What Prometheus scrapes and how much it accepts: the seed's `kubernetes-pods` job (the consumer of the
 * `prometheus.io/*` annotations WebService writes), ServiceMonitors for the platform's own parts, and the
 * cardinality guards applied to every scrape.
 */
import { Problems } from "../lib/errors";

/** Limits on what one scrape may bring in, and the labels dropped before ingestion. */
export interface CardinalityLimits {
    /** Samples per scrape; a scrape over it fails as a whole (`sample_limit`). */
    sampleLimit: number;
    /** Labels per sample (`label_limit`). */
    labelLimit: number;
    /** Characters in a label name (`label_name_length_limit`). */
    labelNameLengthLimit: number;
    /** Characters in a label value (`label_value_length_limit`). */
    labelValueLengthLimit: number;
    /** Label names dropped from every scraped sample (`labeldrop`): unbounded identifiers that would create a series per user or request. */
    droppedLabels: string[];
}

export const DEFAULT_CARDINALITY: CardinalityLimits = {
    sampleLimit: 50000,
    labelLimit: 40,
    labelNameLengthLimit: 128,
    labelValueLengthLimit: 1024,
    droppedLabels: ["user_id", "request_id", "session_id", "trace_id"],
};

/** The label dropped from every sample as one anchored Prometheus regular expression (RE2 anchors the whole name). */
export function droppedLabelsRegex(labels: string[]): string {
    return labels.join("|");
}

/** Adds every problem of user cardinality limits (partial) to `problems`. */
export function checkCardinality(problems: Problems, path: string, c: Partial<CardinalityLimits> | undefined): void {
    if (c === undefined) {
        return;
    }
    const limits: Array<[keyof CardinalityLimits, number]> = [["sampleLimit", 10_000_000], ["labelLimit", 1000], ["labelNameLengthLimit", 10_000], ["labelValueLengthLimit", 100_000]];
    for (const [key, max] of limits) {
        const v = c[key];
        if (v !== undefined) {
            problems.check(typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= max, `${path}.${key}`,
                `${JSON.stringify(v)} is not allowed: give a whole number from 1 to ${max} (0 would mean no limit, which is what the guard is for)`);
        }
    }
    if (c.droppedLabels !== undefined) {
        if (!Array.isArray(c.droppedLabels)) {
            problems.add(`${path}.droppedLabels`, "must be a list of label names");
        } else {
            c.droppedLabels.forEach((l, i) => problems.check(typeof l === "string" && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l) && !l.startsWith("__"),
                `${path}.droppedLabels[${i}]`, `${JSON.stringify(l)} is not a label name that can be dropped (letters, digits and '_', not starting with '__')`));
        }
    }
}

/** One Prometheus relabel rule (scrape config format). */
export interface RelabelConfig {
    source_labels?: string[];
    separator?: string;
    regex?: string;
    target_label?: string;
    replacement?: string;
    action?: string;
}

/** A Prometheus scrape config (the fields this package writes). */
export interface ScrapeConfig {
    job_name: string;
    sample_limit: number;
    label_limit: number;
    label_name_length_limit: number;
    label_value_length_limit: number;
    kubernetes_sd_configs: Array<{ role: string }>;
    relabel_configs: RelabelConfig[];
    metric_relabel_configs: RelabelConfig[];
}

/**
 * The seed's `kubernetes-pods` job, completed: keeps pods annotated `prometheus.io/scrape: "true"`, takes the
 * path from `prometheus.io/path` and the port from `prometheus.io/port` (the annotations WebService writes),
 * skips pods that are not running, labels every series with `namespace`, `pod` and `service` (the pod's
 * `app.kubernetes.io/name`), applies the cardinality limits and drops the high-cardinality labels.
 */
export function kubernetesPodsJob(c: CardinalityLimits = DEFAULT_CARDINALITY): ScrapeConfig {
    return {
        job_name: "kubernetes-pods",
        sample_limit: c.sampleLimit,
        label_limit: c.labelLimit,
        label_name_length_limit: c.labelNameLengthLimit,
        label_value_length_limit: c.labelValueLengthLimit,
        kubernetes_sd_configs: [{ role: "pod" }],
        relabel_configs: [
            { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
            { source_labels: ["__meta_kubernetes_pod_phase"], action: "drop", regex: "Pending|Succeeded|Failed|Unknown" },
            { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"], action: "replace", target_label: "__metrics_path__", regex: "(.+)" },
            {
                source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                action: "replace", target_label: "__address__", regex: "([^:]+)(?::\\d+)?;(\\d+)", replacement: "$1:$2",
            },
            { source_labels: ["__meta_kubernetes_namespace"], action: "replace", target_label: "namespace" },
            { source_labels: ["__meta_kubernetes_pod_name"], action: "replace", target_label: "pod" },
            { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], action: "replace", target_label: "service" },
        ],
        metric_relabel_configs: c.droppedLabels.length ? [{ action: "labeldrop", regex: droppedLabelsRegex(c.droppedLabels) }] : [],
    };
}

/** A platform part Prometheus scrapes through a ServiceMonitor. */
export interface ScrapeTarget {
    /** Name of the ServiceMonitor (DNS-1123). */
    name: string;
    /** Namespace of the Service. */
    namespace: string;
    /** Labels of the Service to select. */
    matchLabels: { [key: string]: string };
    /** Name of the Service port that serves metrics. */
    port: string;
    /** HTTP path of the metrics. Defaults to `/metrics`. */
    path?: string;
    /** `http` or `https`. Defaults to `http`. */
    scheme?: string;
}

/**
 * The platform's own parts, as the other k8sprod components install them with their default names:
 * cluster-autoscaler and metrics-server (kube-system), Fluent Bit (Logging), the trace collectors (Tracing).
 * kube-state-metrics, node exporter, the kubelet and Prometheus itself are scraped by kube-prometheus-stack's own monitors.
 */
export const PLATFORM_SCRAPE_TARGETS: ScrapeTarget[] = [
    { name: "cluster-autoscaler", namespace: "kube-system", matchLabels: { "app.kubernetes.io/instance": "cluster-autoscaler" }, port: "http" },
    { name: "metrics-server", namespace: "kube-system", matchLabels: { "app.kubernetes.io/instance": "metrics-server" }, port: "https", scheme: "https" },
    { name: "fluent-bit", namespace: "logging", matchLabels: { "app.kubernetes.io/instance": "fluent-bit" }, port: "http", path: "/api/v2/metrics/prometheus" },
    { name: "otel-collectors", namespace: "tracing", matchLabels: { "app.kubernetes.io/managed-by": "opentelemetry-operator", "operator.opentelemetry.io/collector-service-type": "monitoring" }, port: "monitoring" },
];

/** The spec of a `monitoring.coreos.com/v1` ServiceMonitor for a target, with the cardinality guards. */
export function serviceMonitorSpec(t: ScrapeTarget, c: CardinalityLimits = DEFAULT_CARDINALITY): Record<string, any> {
    const endpoint: Record<string, any> = {
        port: t.port,
        path: t.path ?? "/metrics",
        scheme: t.scheme ?? "http",
        interval: "30s",
        metricRelabelings: c.droppedLabels.length ? [{ action: "labeldrop", regex: droppedLabelsRegex(c.droppedLabels) }] : [],
    };
    if (endpoint.scheme === "https") {
        // Platform parts serve their metrics with a self-signed certificate and accept the service account token.
        endpoint.tlsConfig = { insecureSkipVerify: true };
        endpoint.bearerTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    }
    return {
        namespaceSelector: { matchNames: [t.namespace] },
        selector: { matchLabels: t.matchLabels },
        endpoints: [endpoint],
        sampleLimit: c.sampleLimit,
        labelLimit: c.labelLimit,
        labelNameLengthLimit: c.labelNameLengthLimit,
        labelValueLengthLimit: c.labelValueLengthLimit,
    };
}
