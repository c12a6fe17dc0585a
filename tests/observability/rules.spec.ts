// Every alert and recording rule of the Monitoring component through Prometheus's own tools: `promtool check
// rules` (syntax, PromQL, templates) and `promtool test rules` with series in and alerts or samples out, each
// rule both firing (or recording) and not firing.
import * as assert from "assert";
import { AlertingRule, alertsOf, platformRuleGroups, RecordingRule } from "../../components/observability/rules";
import { monitoringRuleGroups } from "../../components/observability/monitoring";
import { expandTemplate, promtool } from "./promtool";

const GROUPS = platformRuleGroups();
const RULES_FILE = { groups: GROUPS };

/** One promtool unit test of an alert: series in, the alerts expected at `at` (none = must not fire). */
interface AlertCase {
    title: string;
    alert: string;
    series: Array<[string, string]>;
    at: string;
    /** Expected alerts: the labels of each (besides alertname), and the humanized $value where a template uses it. */
    expect: Array<{ labels: Record<string, string>; value?: string }>;
}

const ns = (extra: Record<string, string>) => Object.entries(extra).map(([k, v]) => `${k}="${v}"`).join(",");

const ALERT_CASES: AlertCase[] = [
    {
        title: "a container in CrashLoopBackOff for 15 minutes", alert: "KubePodCrashLooping", at: "25m",
        series: [[`kube_pod_container_status_waiting_reason{${ns({ namespace: "shop", pod: "api-1", container: "api", reason: "CrashLoopBackOff" })}}`, "1x30"]],
        expect: [{ labels: { namespace: "shop", pod: "api-1", container: "api", reason: "CrashLoopBackOff", severity: "warning" } }],
    },
    {
        title: "a crash loop of 9 minutes (still pending)", alert: "KubePodCrashLooping", at: "14m",
        series: [[`kube_pod_container_status_waiting_reason{${ns({ namespace: "shop", pod: "api-1", container: "api", reason: "CrashLoopBackOff" })}}`, "0x5 1x25"]],
        expect: [],
    },
    {
        title: "a container restarted after an OOM kill", alert: "KubeContainerOOMKilled", at: "5m",
        series: [
            [`kube_pod_container_status_last_terminated_reason{${ns({ namespace: "shop", pod: "api-1", container: "api", reason: "OOMKilled" })}}`, "1x12"],
            [`kube_pod_container_status_restarts_total{${ns({ namespace: "shop", pod: "api-1", container: "api" })}}`, "0 0 1x10"],
        ],
        expect: [{ labels: { namespace: "shop", pod: "api-1", container: "api", reason: "OOMKilled", severity: "warning" } }],
    },
    {
        title: "an old OOM kill with no restart in 15 minutes", alert: "KubeContainerOOMKilled", at: "25m",
        series: [
            [`kube_pod_container_status_last_terminated_reason{${ns({ namespace: "shop", pod: "api-1", container: "api", reason: "OOMKilled" })}}`, "1x30"],
            [`kube_pod_container_status_restarts_total{${ns({ namespace: "shop", pod: "api-1", container: "api" })}}`, "3x30"],
        ],
        expect: [],
    },
    {
        title: "an HPA at its maximum for 19 minutes", alert: "KubeHpaMaxedOut", at: "25m",
        series: [
            [`kube_horizontalpodautoscaler_status_current_replicas{${ns({ namespace: "shop", horizontalpodautoscaler: "api" })}}`, "5x5 10x25"],
            [`kube_horizontalpodautoscaler_spec_max_replicas{${ns({ namespace: "shop", horizontalpodautoscaler: "api" })}}`, "10x30"],
        ],
        expect: [{ labels: { namespace: "shop", horizontalpodautoscaler: "api", severity: "warning" } }],
    },
    {
        title: "an HPA at its maximum for 12 minutes only", alert: "KubeHpaMaxedOut", at: "18m",
        series: [
            [`kube_horizontalpodautoscaler_status_current_replicas{${ns({ namespace: "shop", horizontalpodautoscaler: "api" })}}`, "5x5 10x25"],
            [`kube_horizontalpodautoscaler_spec_max_replicas{${ns({ namespace: "shop", horizontalpodautoscaler: "api" })}}`, "10x30"],
        ],
        expect: [],
    },
    {
        title: "a PDB that has allowed no disruption for 15 minutes", alert: "KubePdbNoDisruptionsAllowed", at: "20m",
        series: [
            [`kube_poddisruptionbudget_status_pod_disruptions_allowed{${ns({ namespace: "shop", poddisruptionbudget: "api" })}}`, "0x30"],
            [`kube_poddisruptionbudget_status_expected_pods{${ns({ namespace: "shop", poddisruptionbudget: "api" })}}`, "2x30"],
        ],
        expect: [{ labels: { namespace: "shop", poddisruptionbudget: "api", severity: "warning" } }],
    },
    {
        title: "a PDB that allows one disruption", alert: "KubePdbNoDisruptionsAllowed", at: "20m",
        series: [
            [`kube_poddisruptionbudget_status_pod_disruptions_allowed{${ns({ namespace: "shop", poddisruptionbudget: "api" })}}`, "1x30"],
            [`kube_poddisruptionbudget_status_expected_pods{${ns({ namespace: "shop", poddisruptionbudget: "api" })}}`, "2x30"],
        ],
        expect: [],
    },
    {
        title: "a pod unschedulable for 15 minutes", alert: "KubePodUnschedulable", at: "20m",
        series: [[`kube_pod_status_unschedulable{${ns({ namespace: "shop", pod: "api-3", uid: "u1" })}}`, "1x30"]],
        expect: [{ labels: { namespace: "shop", pod: "api-3", severity: "warning" } }],
    },
    {
        title: "a pod that was scheduled after 10 minutes", alert: "KubePodUnschedulable", at: "20m",
        series: [[`kube_pod_status_unschedulable{${ns({ namespace: "shop", pod: "api-3", uid: "u1" })}}`, "1x10 0x20"]],
        expect: [],
    },
    ...(["MemoryPressure", "DiskPressure"] as const).flatMap((condition): AlertCase[] => [
        {
            title: `a node under ${condition} for 5 minutes`, alert: `KubeNode${condition}`, at: "10m",
            series: [[`kube_node_status_condition{${ns({ node: "ip-10-0-1-1", condition, status: "true" })}}`, "1x15"]],
            expect: [{ labels: { node: "ip-10-0-1-1", condition, status: "true", severity: "warning" } }],
        },
        {
            title: `a node without ${condition}`, alert: `KubeNode${condition}`, at: "10m",
            series: [
                [`kube_node_status_condition{${ns({ node: "ip-10-0-1-1", condition, status: "true" })}}`, "0x15"],
                [`kube_node_status_condition{${ns({ node: "ip-10-0-1-1", condition, status: "false" })}}`, "1x15"],
            ],
            expect: [],
        },
    ]),
    {
        title: "a PVC 90 % full warns (and does not page)", alert: "KubePersistentVolumeFillingUp", at: "10m",
        series: [
            [`kubelet_volume_stats_used_bytes{${ns({ namespace: "shop", persistentvolumeclaim: "data-db-0" })}}`, "90x15"],
            [`kubelet_volume_stats_capacity_bytes{${ns({ namespace: "shop", persistentvolumeclaim: "data-db-0" })}}`, "100x15"],
        ],
        expect: [{ labels: { namespace: "shop", persistentvolumeclaim: "data-db-0", severity: "warning" }, value: "90" }],
    },
    {
        title: "a PVC 97 % full warns and pages", alert: "KubePersistentVolumeFillingUp", at: "10m",
        series: [
            [`kubelet_volume_stats_used_bytes{${ns({ namespace: "shop", persistentvolumeclaim: "data-db-0" })}}`, "97x15"],
            [`kubelet_volume_stats_capacity_bytes{${ns({ namespace: "shop", persistentvolumeclaim: "data-db-0" })}}`, "100x15"],
        ],
        expect: [
            { labels: { namespace: "shop", persistentvolumeclaim: "data-db-0", severity: "warning" }, value: "97" },
            { labels: { namespace: "shop", persistentvolumeclaim: "data-db-0", severity: "critical" }, value: "97" },
        ],
    },
    {
        title: "a PVC 80 % full", alert: "KubePersistentVolumeFillingUp", at: "10m",
        series: [
            [`kubelet_volume_stats_used_bytes{${ns({ namespace: "shop", persistentvolumeclaim: "data-db-0" })}}`, "80x15"],
            [`kubelet_volume_stats_capacity_bytes{${ns({ namespace: "shop", persistentvolumeclaim: "data-db-0" })}}`, "100x15"],
        ],
        expect: [],
    },
    {
        title: "Fluent Bit dropping records", alert: "FluentBitDroppingRecords", at: "15m",
        series: [
            [`fluentbit_output_dropped_records_total{${ns({ namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application" })}}`, "0+10x20"],
            [`fluentbit_output_retries_failed_total{${ns({ namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application" })}}`, "0x20"],
        ],
        expect: [{ labels: { namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application", severity: "critical" } }],
    },
    {
        title: "Fluent Bit giving up retries (no dropped-records series at all)", alert: "FluentBitDroppingRecords", at: "15m",
        series: [[`fluentbit_output_retries_failed_total{${ns({ namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_audit" })}}`, "0+1x20"]],
        expect: [{ labels: { namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_audit", severity: "critical" } }],
    },
    {
        title: "Fluent Bit delivering everything", alert: "FluentBitDroppingRecords", at: "15m",
        series: [
            [`fluentbit_output_dropped_records_total{${ns({ namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application" })}}`, "4x20"],
            [`fluentbit_output_retries_failed_total{${ns({ namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application" })}}`, "0x20"],
        ],
        expect: [],
    },
    {
        title: "a Fluent Bit buffer with 15 % left warns", alert: "FluentBitBufferFilling", at: "15m",
        series: [[`fluentbit_output_chunk_available_capacity_percent{${ns({ namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application" })}}`, "15x20"]],
        expect: [{ labels: { namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application", severity: "warning" } }],
    },
    {
        title: "a Fluent Bit buffer with 3 % left warns and pages", alert: "FluentBitBufferFilling", at: "15m",
        series: [[`fluentbit_output_chunk_available_capacity_percent{${ns({ namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application" })}}`, "3x20"]],
        expect: [
            { labels: { namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application", severity: "warning" } },
            { labels: { namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application", severity: "critical" } },
        ],
    },
    {
        title: "a Fluent Bit buffer half empty", alert: "FluentBitBufferFilling", at: "15m",
        series: [[`fluentbit_output_chunk_available_capacity_percent{${ns({ namespace: "logging", pod: "fluent-bit-x", name: "cloudwatch_application" })}}`, "50x20"]],
        expect: [],
    },
    {
        title: "a collector failing to export", alert: "OtelCollectorExportFailing", at: "15m",
        series: [[`otelcol_exporter_send_failed_spans_total{${ns({ namespace: "tracing", pod: "traces-sampler-collector-0", exporter: "awsxray" })}}`, "0+5x20"]],
        expect: [{ labels: { namespace: "tracing", pod: "traces-sampler-collector-0", exporter: "awsxray", severity: "critical" } }],
    },
    {
        title: "a collector whose queue is full (enqueue failures)", alert: "OtelCollectorExportFailing", at: "15m",
        series: [
            [`otelcol_exporter_send_failed_spans_total{${ns({ namespace: "tracing", pod: "traces-sampler-collector-0", exporter: "awsxray" })}}`, "0x20"],
            [`otelcol_exporter_enqueue_failed_spans_total{${ns({ namespace: "tracing", pod: "traces-sampler-collector-0", exporter: "awsxray" })}}`, "0+2x20"],
        ],
        expect: [{ labels: { namespace: "tracing", pod: "traces-sampler-collector-0", exporter: "awsxray", severity: "critical" } }],
    },
    {
        title: "a collector exporting everything", alert: "OtelCollectorExportFailing", at: "15m",
        series: [[`otelcol_exporter_send_failed_spans_total{${ns({ namespace: "tracing", pod: "traces-sampler-collector-0", exporter: "awsxray" })}}`, "7x20"]],
        expect: [],
    },
    {
        title: "a collector refusing spans", alert: "OtelCollectorRefusingSpans", at: "15m",
        series: [[`otelcol_receiver_refused_spans_total{${ns({ namespace: "tracing", pod: "traces-ingest-collector-a", receiver: "otlp", transport: "grpc" })}}`, "0+50x20"]],
        expect: [{ labels: { namespace: "tracing", pod: "traces-ingest-collector-a", receiver: "otlp", severity: "warning" } }],
    },
    {
        title: "a collector accepting every span", alert: "OtelCollectorRefusingSpans", at: "15m",
        series: [[`otelcol_receiver_refused_spans_total{${ns({ namespace: "tracing", pod: "traces-ingest-collector-a", receiver: "otlp", transport: "grpc" })}}`, "0x20"]],
        expect: [],
    },
];

interface RecordingCase {
    title: string;
    record: string;
    series: Array<[string, string]>;
    at: string;
    expect: Array<{ labels: string; value: number }>;
}

const RECORDING_CASES: RecordingCase[] = [
    {
        title: "the per-second request rate of each pod over 5 minutes (a busy pod and an idle one)", record: "app:http_requests:rate5m", at: "10m",
        series: [
            ['http_requests_total{namespace="shop",service="api",pod="api-1"}', "0+60x20"],
            ['http_requests_total{namespace="shop",service="api",pod="api-2"}', "500x20"],
        ],
        expect: [
            { labels: 'app:http_requests:rate5m{namespace="shop",service="api",pod="api-1"}', value: 1 },
            { labels: 'app:http_requests:rate5m{namespace="shop",service="api",pod="api-2"}', value: 0 },
        ],
    },
    {
        title: "the request rate summed per namespace", record: "namespace:app_http_requests:rate5m", at: "10m",
        series: [
            ['http_requests_total{namespace="shop",service="api",pod="api-1"}', "0+60x20"],
            ['http_requests_total{namespace="shop",service="worker",pod="worker-1"}', "0+120x20"],
            ['http_requests_total{namespace="blog",service="web",pod="web-1"}', "0+30x20"],
        ],
        expect: [
            { labels: 'namespace:app_http_requests:rate5m{namespace="shop"}', value: 3 },
            { labels: 'namespace:app_http_requests:rate5m{namespace="blog"}', value: 0.5 },
        ],
    },
    {
        title: "the request rate summed per namespace and service", record: "namespace_service:app_http_requests:rate5m", at: "10m",
        series: [
            ['http_requests_total{namespace="shop",service="api",pod="api-1"}', "0+60x20"],
            ['http_requests_total{namespace="shop",service="api",pod="api-2"}', "0+120x20"],
            ['http_requests_total{namespace="shop",service="worker",pod="worker-1"}', "0x20"],
        ],
        expect: [
            { labels: 'namespace_service:app_http_requests:rate5m{namespace="shop",service="api"}', value: 3 },
            { labels: 'namespace_service:app_http_requests:rate5m{namespace="shop",service="worker"}', value: 0 },
        ],
    },
];

function ruleOf(alert: string, severity: string): AlertingRule {
    const rule = alertsOf(GROUPS).find((r) => r.alert === alert && r.labels.severity === severity);
    assert.ok(rule, `no rule ${alert} at ${severity}`);
    return rule;
}

function alertTest(c: AlertCase): Record<string, unknown> {
    return {
        interval: "1m",
        input_series: c.series.map(([series, values]) => ({ series, values })),
        alert_rule_test: [{
            eval_time: c.at,
            alertname: c.alert,
            exp_alerts: c.expect.map((e) => {
                const rule = ruleOf(c.alert, e.labels.severity);
                return {
                    exp_labels: e.labels,
                    exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expandTemplate(v, e.labels, e.value)])),
                };
            }),
        }],
    };
}

function recordingTest(c: RecordingCase): Record<string, unknown> {
    return {
        interval: "1m",
        input_series: c.series.map(([series, values]) => ({ series, values })),
        promql_expr_test: [{ expr: c.record, eval_time: c.at, exp_samples: c.expect }],
    };
}

function runTests(tests: Array<Record<string, unknown>>): { ok: boolean; output: string } {
    return promtool(() => ["test", "rules", "tests.yaml"], {
        "rules.yaml": RULES_FILE,
        "tests.yaml": { rule_files: ["rules.yaml"], evaluation_interval: "1m", tests },
    });
}

describe("Monitoring rules, judged by promtool", () => {
    it("promtool check rules accepts every group", () => {
        const verdict = promtool(() => ["check", "rules", "rules.yaml"], { "rules.yaml": RULES_FILE });
        assert.ok(verdict.ok, verdict.output);
        const count = GROUPS.reduce((n, g) => n + g.rules.length, 0);
        assert.match(verdict.output, new RegExp(`SUCCESS: ${count} rules found`));
    });

    it("installs exactly the rules tested below (a new rule needs its test here)", () => {
        const alerts = [...new Set(alertsOf(monitoringRuleGroups()).map((r) => r.alert))].sort();
        const tested = [...new Set(ALERT_CASES.map((c) => c.alert))].sort();
        assert.deepStrictEqual(alerts, tested);
        const records = GROUPS.flatMap((g) => g.rules.filter((r): r is RecordingRule => "record" in r).map((r) => r.record)).sort();
        assert.deepStrictEqual(records, [...new Set(RECORDING_CASES.map((c) => c.record))].sort());
        for (const alert of alerts) {
            assert.ok(ALERT_CASES.some((c) => c.alert === alert && c.expect.length > 0), `${alert} has no firing case`);
            assert.ok(ALERT_CASES.some((c) => c.alert === alert && c.expect.length === 0), `${alert} has no not-firing case`);
        }
    });

    it("keeps the seed's app:http_requests:rate5m as written (rate over 5m, evaluated every 30s)", () => {
        const group = GROUPS.find((g) => g.rules.some((r) => "record" in r && r.record === "app:http_requests:rate5m"));
        assert.strictEqual(group?.interval, "30s");
        assert.deepStrictEqual(group.rules[0], { record: "app:http_requests:rate5m", expr: "rate(http_requests_total[5m])" });
    });

    it("gives every alert a severity Alertmanager routes on, and a summary and description", () => {
        for (const r of alertsOf(GROUPS)) {
            assert.ok(["warning", "critical"].includes(r.labels.severity), r.alert);
            assert.ok(r.annotations.summary.endsWith(".") && r.annotations.description.length > 20, r.alert);
        }
    });

    describe("promtool test rules: alerts", () => {
        for (const c of ALERT_CASES) {
            it(`${c.alert}: ${c.title} → ${c.expect.length ? c.expect.map((e) => e.labels.severity).join(" + ") : "no alert"}`, () => {
                const verdict = runTests([alertTest(c)]);
                assert.ok(verdict.ok, verdict.output);
                assert.match(verdict.output, /SUCCESS/);
            });
        }
    });

    describe("promtool test rules: recording rules", () => {
        for (const c of RECORDING_CASES) {
            it(`${c.record}: ${c.title}`, () => {
                const verdict = runTests([recordingTest(c)]);
                assert.ok(verdict.ok, verdict.output);
            });
        }
    });

    describe("the promtool unit tests can fail", () => {
        it("an expected alert that the series do not raise fails the test", () => {
            const c = ALERT_CASES.find((x) => x.alert === "KubePodCrashLooping" && x.expect.length === 0)!;
            const wrong = { ...c, expect: [{ labels: { namespace: "shop", pod: "api-1", container: "api", reason: "CrashLoopBackOff", severity: "warning" } }] };
            const verdict = runTests([alertTest(wrong)]);
            assert.ok(!verdict.ok);
            assert.match(verdict.output, /FAILED/);
        });

        it("a wrong recorded value fails the test", () => {
            const c = { ...RECORDING_CASES[0], expect: [{ labels: RECORDING_CASES[0].expect[0].labels, value: 2 }, RECORDING_CASES[0].expect[1]] };
            assert.ok(!runTests([recordingTest(c)]).ok);
        });
    });
});
