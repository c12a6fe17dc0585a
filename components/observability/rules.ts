/**
 * The Prometheus rules the Monitoring component installs: one exported function per rule group, so another
 * area (the backups issue, a team) adds its own group beside these without touching them. Every rule here has
 * a `promtool test rules` unit test (firing and not firing) in tests/observability/rules.spec.ts.
 *
 * Metric names are those of the exporters kube-prometheus-stack installs (kube-state-metrics 2.x, the kubelet)
 * and of the platform's pipelines (Fluent Bit's `/api/v2/metrics/prometheus`, the collector's own telemetry).
 */

/** A Prometheus recording rule. */
export interface RecordingRule {
    record: string;
    expr: string;
    labels?: { [key: string]: string };
}

/** A Prometheus alerting rule; `labels.severity` is `warning` or `critical` (Alertmanager routes on it). */
export interface AlertingRule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: Severity; [key: string]: string };
    annotations: { summary: string; description: string; [key: string]: string };
}

export type Rule = RecordingRule | AlertingRule;

/** A rule group, as Prometheus rule files and the PrometheusRule `spec.groups` hold it. */
export interface RuleGroup {
    name: string;
    interval?: string;
    rules: Rule[];
}

/** The severities Alertmanager routes on. A `critical` alert inhibits its `warning` twin (same alertname). */
export const SEVERITIES = ["warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Thresholds of the alerts, with the defaults named. */
export interface AlertThresholds {
    /** PVC use (percent of capacity) that warns. */
    pvcWarningPercent: number;
    /** PVC use (percent of capacity) that pages. */
    pvcCriticalPercent: number;
    /** Minutes an HPA may sit at its maximum before the alert fires. */
    hpaAtMaxMinutes: number;
    /** Fluent Bit buffer capacity left (percent) that warns; the cap is where logs start being lost. */
    logBufferWarningPercent: number;
    /** Fluent Bit buffer capacity left (percent) that pages. */
    logBufferCriticalPercent: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
    pvcWarningPercent: 85,
    pvcCriticalPercent: 95,
    hpaAtMaxMinutes: 15,
    logBufferWarningPercent: 20,
    logBufferCriticalPercent: 5,
};

/** The counter WebService's applications export (the seed's `http_requests_total`). */
export const APP_REQUESTS_COUNTER = "http_requests_total";

/**
 * The seed's recording rule `app:http_requests:rate5m` (per series, every 30 s) and its aggregations by
 * namespace and by namespace and service (the `service` label comes from the pod's
 * `app.kubernetes.io/name`, set by the `kubernetes-pods` scrape job).
 */
export function appRecordingRules(): RuleGroup {
    return {
        name: "k8sprod-app-recording",
        interval: "30s",
        rules: [
            { record: "app:http_requests:rate5m", expr: `rate(${APP_REQUESTS_COUNTER}[5m])` },
            { record: "namespace:app_http_requests:rate5m", expr: "sum by (namespace) (app:http_requests:rate5m)" },
            { record: "namespace_service:app_http_requests:rate5m", expr: "sum by (namespace, service) (app:http_requests:rate5m)" },
        ],
    };
}

/** Alerts on workloads: crash loops, OOM kills, HPAs pinned at their maximum, PDBs that block every eviction, unschedulable pods. */
export function workloadAlerts(t: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): RuleGroup {
    return {
        name: "k8sprod-workloads",
        rules: [
            {
                alert: "KubePodCrashLooping",
                expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
                for: "15m",
                labels: { severity: "warning" },
                annotations: {
                    summary: "A container is crash looping.",
                    description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 15 minutes.",
                },
            },
            {
                alert: "KubeContainerOOMKilled",
                expr: 'kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1'
                    + " and on (namespace, pod, container) increase(kube_pod_container_status_restarts_total[15m]) > 0",
                labels: { severity: "warning" },
                annotations: {
                    summary: "A container was killed for running out of memory.",
                    description: "Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted after an OOM kill in the last 15 minutes; raise its memory limit or fix the leak.",
                },
            },
            {
                alert: "KubeHpaMaxedOut",
                expr: "kube_horizontalpodautoscaler_status_current_replicas >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas",
                for: `${t.hpaAtMaxMinutes}m`,
                labels: { severity: "warning" },
                annotations: {
                    summary: "An HPA has run at its maximum replicas for too long.",
                    description: `HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has been at its maximum replica count for ${t.hpaAtMaxMinutes} minutes; it cannot absorb more load.`,
                },
            },
            {
                alert: "KubePdbNoDisruptionsAllowed",
                expr: "kube_poddisruptionbudget_status_pod_disruptions_allowed == 0"
                    + " and on (namespace, poddisruptionbudget) kube_poddisruptionbudget_status_expected_pods > 0",
                for: "15m",
                labels: { severity: "warning" },
                annotations: {
                    summary: "A PodDisruptionBudget allows no disruption.",
                    description: "PDB {{ $labels.namespace }}/{{ $labels.poddisruptionbudget }} has allowed no voluntary disruption for 15 minutes: node drains and upgrades are blocked.",
                },
            },
            {
                alert: "KubePodUnschedulable",
                expr: "max by (namespace, pod) (kube_pod_status_unschedulable) == 1",
                for: "15m",
                labels: { severity: "warning" },
                annotations: {
                    summary: "A pod cannot be scheduled.",
                    description: "Pod {{ $labels.namespace }}/{{ $labels.pod }} has been unschedulable for 15 minutes: the cluster autoscaler cannot add a node for it (node group at its maximum, or no group fits).",
                },
            },
        ],
    };
}

/** Alerts on nodes and volumes: memory and disk pressure, persistent volumes filling up. */
export function nodeAlerts(t: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): RuleGroup {
    const pvcUse = "100 * kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes";
    const pressure = (condition: string): AlertingRule => ({
        alert: `KubeNode${condition}`,
        expr: `kube_node_status_condition{condition="${condition}",status="true"} == 1`,
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
            summary: `A node reports ${condition}.`,
            description: `Node {{ $labels.node }} has reported ${condition} for 5 minutes; the kubelet is evicting pods.`,
        },
    });
    return {
        name: "k8sprod-nodes",
        rules: [
            pressure("MemoryPressure"),
            pressure("DiskPressure"),
            {
                alert: "KubePersistentVolumeFillingUp",
                expr: `${pvcUse} > ${t.pvcWarningPercent}`,
                for: "5m",
                labels: { severity: "warning" },
                annotations: {
                    summary: `A persistent volume is more than ${t.pvcWarningPercent} % full.`,
                    description: `PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanize }} % full.`,
                },
            },
            {
                alert: "KubePersistentVolumeFillingUp",
                expr: `${pvcUse} > ${t.pvcCriticalPercent}`,
                for: "5m",
                labels: { severity: "critical" },
                annotations: {
                    summary: `A persistent volume is more than ${t.pvcCriticalPercent} % full.`,
                    description: `PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanize }} % full; writes fail when it is full.`,
                },
            },
        ],
    };
}

/**
 * Alerts on the log and trace pipelines losing data: Fluent Bit dropping records or running out of buffer
 * (the filesystem buffer's cap is where records start being lost), the collectors failing to export or
 * refusing spans (memory_limiter).
 */
export function pipelineAlerts(t: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): RuleGroup {
    const buffer = (severity: Severity, percent: number): AlertingRule => ({
        alert: "FluentBitBufferFilling",
        expr: `fluentbit_output_chunk_available_capacity_percent < ${percent}`,
        for: "10m",
        labels: { severity },
        annotations: {
            summary: `A Fluent Bit output buffer has less than ${percent} % capacity left.`,
            description: "Output {{ $labels.name }} on {{ $labels.pod }} is buffering to disk faster than it delivers; at the cap the oldest records are dropped.",
        },
    });
    return {
        name: "k8sprod-pipelines",
        rules: [
            {
                alert: "FluentBitDroppingRecords",
                expr: "sum by (namespace, pod, name) (rate(fluentbit_output_dropped_records_total[5m]) > 0 or rate(fluentbit_output_retries_failed_total[5m]) > 0)",
                for: "5m",
                labels: { severity: "critical" },
                annotations: {
                    summary: "Fluent Bit is losing log records.",
                    description: "Output {{ $labels.name }} on {{ $labels.pod }} dropped records or gave up retrying in the last 5 minutes.",
                },
            },
            buffer("warning", t.logBufferWarningPercent),
            buffer("critical", t.logBufferCriticalPercent),
            {
                alert: "OtelCollectorExportFailing",
                expr: "sum by (namespace, pod, exporter) (rate(otelcol_exporter_send_failed_spans_total[5m]) > 0 or rate(otelcol_exporter_enqueue_failed_spans_total[5m]) > 0)",
                for: "5m",
                labels: { severity: "critical" },
                annotations: {
                    summary: "A trace collector is failing to export spans.",
                    description: "Exporter {{ $labels.exporter }} on {{ $labels.pod }} has failed to send or enqueue spans for 5 minutes; those spans are lost.",
                },
            },
            {
                alert: "OtelCollectorRefusingSpans",
                expr: "sum by (namespace, pod, receiver) (rate(otelcol_receiver_refused_spans_total[5m])) > 0",
                for: "5m",
                labels: { severity: "warning" },
                annotations: {
                    summary: "A trace collector is refusing spans.",
                    description: "Receiver {{ $labels.receiver }} on {{ $labels.pod }} refused spans for 5 minutes (memory_limiter at its limit, or a full queue); raise the collector's memory or replicas.",
                },
            },
        ],
    };
}

/** Every rule group the Monitoring component installs, in order. */
export function platformRuleGroups(t: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): RuleGroup[] {
    return [appRecordingRules(), workloadAlerts(t), nodeAlerts(t), pipelineAlerts(t)];
}

/** The alerts (not recording rules) of `groups`. */
export function alertsOf(groups: RuleGroup[]): AlertingRule[] {
    return groups.flatMap((g) => g.rules.filter((r): r is AlertingRule => "alert" in r));
}
