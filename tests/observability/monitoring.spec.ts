import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Monitoring, MonitoringArgs } from "../../components/observability/monitoring";
import { alertmanagerConfig } from "../../components/observability/alertmanager";
import { DEFAULT_CARDINALITY, kubernetesPodsJob } from "../../components/observability/scrape";
import { HELM_CHARTS } from "../../lib/versions";
import { assertValidObjects } from "../helpers/schema";
import { thrown, valueOf } from "../helpers/outputs";
import { customResources, deploy, freshMocks, releaseOf } from "./harness";
import { promtool, promtoolWithKubernetesSd } from "./promtool";

async function values(args: MonitoringArgs = {}): Promise<Record<string, any>> {
    return releaseOf(await deploy(() => new Monitoring("mon", args)), "kube-prometheus-stack").inputs.values;
}

describe("Monitoring", () => {
    it("installs the pinned kube-prometheus-stack into the monitoring namespace, atomically", async () => {
        const mocks = await deploy(() => new Monitoring("mon", {}));
        const r = releaseOf(mocks, "kube-prometheus-stack").inputs;
        assert.strictEqual(r.version, HELM_CHARTS.kubePrometheusStack.version);
        assert.strictEqual(r.version, "88.5.3");
        assert.strictEqual(r.namespace, "monitoring");
        assert.strictEqual(r.atomic, true);
    });

    it("runs 2 Prometheus replicas spread across zones, with a PDB, requests and limits", async () => {
        const v = await values();
        const spec = v.prometheus.prometheusSpec;
        assert.strictEqual(spec.replicas, 2);
        assert.deepStrictEqual(v.prometheus.podDisruptionBudget, { enabled: true, minAvailable: 1 });
        const zone = spec.topologySpreadConstraints.find((c: any) => c.topologyKey === "topology.kubernetes.io/zone");
        assert.deepStrictEqual(zone, { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } });
        assert.deepStrictEqual(spec.resources, { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } });
    });

    it("runs Prometheus and Alertmanager with the restricted pod security context", async () => {
        const v = await values();
        for (const ctx of [v.prometheus.prometheusSpec.securityContext, v.alertmanager.alertmanagerSpec.securityContext]) {
            assert.strictEqual(ctx.runAsNonRoot, true);
            assert.ok(ctx.runAsUser > 0);
            assert.deepStrictEqual(ctx.seccompProfile, { type: "RuntimeDefault" });
        }
    });

    it("keeps samples by time and by size, on an encrypted gp3 volume below the size cap", async () => {
        const spec = (await values()).prometheus.prometheusSpec;
        assert.strictEqual(spec.retention, "15d");
        assert.strictEqual(spec.retentionSize, "45GB");
        assert.deepStrictEqual(spec.storageSpec.volumeClaimTemplate.spec, { storageClassName: "gp3-encrypted", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } });
        const custom = (await values({ prometheus: { retention: "30d", retentionSize: "90GB", storageSize: "100Gi", storageClassName: pulumi.output("fast") } })).prometheus.prometheusSpec;
        assert.strictEqual(custom.retention, "30d");
        assert.strictEqual(custom.storageSpec.volumeClaimTemplate.spec.storageClassName, "fast");
    });

    it("runs 2 Alertmanagers with a PDB, routes by severity and mounts receiver secrets", async () => {
        const v = await values({ receivers: [
            { name: "pager", type: "pagerduty", severities: ["critical"], secretName: "pagerduty" },
            { name: "chat", type: "slack", severities: ["warning", "critical"], secretName: "slack", secretKey: "webhook", channel: "#alerts" },
        ] });
        assert.strictEqual(v.alertmanager.alertmanagerSpec.replicas, 2);
        assert.deepStrictEqual(v.alertmanager.podDisruptionBudget, { enabled: true, minAvailable: 1 });
        assert.deepStrictEqual(v.alertmanager.alertmanagerSpec.secrets, ["pagerduty", "slack"]);
        const routes = v.alertmanager.config.route.routes;
        assert.deepStrictEqual(routes.slice(1).map((r: any) => [r.receiver, r.matchers[0]]), [["pager", 'severity=~"critical"'], ["chat", 'severity=~"warning|critical"']]);
        const chat = v.alertmanager.config.receivers.find((r: any) => r.name === "chat");
        assert.deepStrictEqual(chat.slack_configs, [{ api_url_file: "/etc/alertmanager/secrets/slack/webhook", send_resolved: true, channel: "#alerts" }]);
        assert.ok(!JSON.stringify(v.alertmanager.config).match(/https?:\/\//), "no URL in the configuration");
    });

    it("inhibits a warning with its critical twin", () => {
        const c = alertmanagerConfig([]);
        assert.deepStrictEqual(c.inhibit_rules, [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "namespace", "pod", "persistentvolumeclaim", "name"] }]);
    });

    it("adds the kubernetes-pods job with cardinality guards and enforces the limits on every monitor", async () => {
        const spec = (await values()).prometheus.prometheusSpec;
        assert.deepStrictEqual(spec.additionalScrapeConfigs, [kubernetesPodsJob(DEFAULT_CARDINALITY)]);
        assert.strictEqual(spec.enforcedSampleLimit, 50000);
        assert.strictEqual(spec.enforcedLabelLimit, 40);
        assert.strictEqual(spec.enforcedLabelNameLengthLimit, 128);
        assert.strictEqual(spec.enforcedLabelValueLengthLimit, 1024);
        assert.strictEqual(spec.serviceMonitorSelectorNilUsesHelmValues, false);
        assert.strictEqual(spec.ruleSelectorNilUsesHelmValues, false);
        const custom = (await values({ cardinality: { sampleLimit: 1000, droppedLabels: ["customer_id"] } })).prometheus.prometheusSpec;
        assert.strictEqual(custom.additionalScrapeConfigs[0].sample_limit, 1000);
        assert.deepStrictEqual(custom.additionalScrapeConfigs[0].metric_relabel_configs, [{ action: "labeldrop", regex: "customer_id" }]);
    });

    it("puts node exporter in its own privileged namespace and keeps the monitoring namespace restricted", async () => {
        const mocks = await deploy(() => new Monitoring("mon", {}));
        const namespaces = mocks.ofType("kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata);
        const byName = Object.fromEntries(namespaces.map((m: any) => [m.name, m.labels["pod-security.kubernetes.io/enforce"]]));
        assert.deepStrictEqual(byName, { "monitoring": "restricted", "node-exporter": "privileged" });
        const v = releaseOf(mocks, "kube-prometheus-stack").inputs.values;
        assert.strictEqual(v["prometheus-node-exporter"].namespaceOverride, "node-exporter");
    });

    it("gives Grafana a generated admin password in a Secret, never the chart's default", async () => {
        const mocks = await deploy(() => new Monitoring("mon", {}));
        const secret = mocks.ofType("kubernetes:core/v1:Secret")[0];
        // The provider marks stringData secret: the mocks see it wrapped with the secret signature.
        assert.strictEqual(secret.inputs.stringData["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "stringData is a secret");
        const password = secret.inputs.stringData.value["admin-password"];
        assert.ok(typeof password === "string" && password.length >= 32 && password !== "prom-operator", String(password));
        const v = releaseOf(mocks, "kube-prometheus-stack").inputs.values;
        assert.deepStrictEqual(v.grafana.admin, { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        assert.strictEqual(v.grafana.adminPassword, null);
        const other = await deploy(() => new Monitoring("mon", {}));
        assert.notStrictEqual(other.ofType("kubernetes:core/v1:Secret")[0].inputs.stringData.value["admin-password"], password);
    });

    it("uses the user's Grafana Secret when given, and creates none", async () => {
        const mocks = await deploy(() => new Monitoring("mon", { grafanaAdminSecret: "my-grafana" }));
        assert.strictEqual(mocks.ofType("kubernetes:core/v1:Secret").length, 0);
        assert.strictEqual(releaseOf(mocks, "kube-prometheus-stack").inputs.values.grafana.admin.existingSecret, "my-grafana");
    });

    it("tells PrometheusAdapter where Prometheus is", async () => {
        let m!: Monitoring;
        await deploy(() => { m = new Monitoring("mon", { namespace: "metrics" }); });
        assert.strictEqual(await valueOf(m.prometheusUrl), "http://prometheus-operated.metrics.svc");
        assert.strictEqual(await valueOf(m.prometheusPort), 9090);
    });

    it("emits a PrometheusRule and ServiceMonitors valid against their CRDs, with cardinality guards", async () => {
        const mocks = await deploy(() => new Monitoring("mon", {}));
        const objects = customResources(mocks);
        assert.deepStrictEqual(objects.filter((o) => o.kind === "ServiceMonitor").map((o) => o.metadata.name).sort(), ["cluster-autoscaler", "fluent-bit", "metrics-server", "otel-collectors"]);
        assert.strictEqual(objects.filter((o) => o.kind === "PrometheusRule").length, 1);
        await assertValidObjects(objects);
        for (const sm of objects.filter((o) => o.kind === "ServiceMonitor")) {
            assert.strictEqual(sm.spec.sampleLimit, 50000);
            assert.deepStrictEqual(sm.spec.endpoints[0].metricRelabelings, [{ action: "labeldrop", regex: "user_id|request_id|session_id|trace_id" }]);
        }
    });

    it("the CRD check can fail: a misspelt ServiceMonitor field is refused", async () => {
        await assert.rejects(assertValidObjects([{ apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "x" }, spec: { selector: {}, endpoints: [{ port: "http", sampleLimt: 1 }], sampleLimit: "many" } }]));
    });
});

describe("the kubernetes-pods scrape job, judged by promtool check config (Prometheus 3.14.0, with Kubernetes discovery)", () => {
    function checkConfig(job: unknown): { ok: boolean; output: string } {
        return promtool(() => ["check", "config", "prometheus.yml"], { "prometheus.yml": { global: { scrape_interval: "30s" }, scrape_configs: [job] } }, promtoolWithKubernetesSd());
    }

    it("is a valid Prometheus scrape configuration", () => {
        const verdict = checkConfig(kubernetesPodsJob());
        assert.ok(verdict.ok, verdict.output);
        assert.match(verdict.output, /SUCCESS/);
    });

    it("consumes the annotations WebService writes: scrape, path and port", () => {
        const job = kubernetesPodsJob();
        const sources = job.relabel_configs.map((r) => r.source_labels?.join(","));
        for (const a of ["scrape", "path", "port"]) {
            assert.ok(sources.some((s) => s?.includes(`__meta_kubernetes_pod_annotation_prometheus_io_${a}`)), a);
        }
        const port = job.relabel_configs.find((r) => r.target_label === "__address__")!;
        const re = new RegExp(`^${port.regex}$`);
        assert.strictEqual("10.0.1.7:8080;9102".replace(re, port.replacement!.replace(/\$(\d)/g, "$$$1")), "10.0.1.7:9102");
        assert.strictEqual("10.0.1.7;9102".replace(re, port.replacement!.replace(/\$(\d)/g, "$$$1")), "10.0.1.7:9102");
    });

    it("promtool refuses a broken job (the check can fail)", () => {
        assert.ok(!checkConfig({ ...kubernetesPodsJob(), kubernetes_sd_configs: [{ role: "pods" }] }).ok);
    });
});

describe("Monitoring refuses bad input, all at once, before creating anything", () => {
    async function refused(args: MonitoringArgs): Promise<string[]> {
        const mocks = await freshMocks();
        const e = thrown(() => new Monitoring("mon", args));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), String(e));
        assert.strictEqual(mocks.registrations.length, 0);
        return e.errors.map((x: any) => x.propertyPath);
    }

    it("a label limit of 0, a negative sample limit and a label that cannot be dropped", async () => {
        assert.deepStrictEqual(await refused({ cardinality: { labelLimit: 0, sampleLimit: -1, droppedLabels: ["__name__"] } }),
            ["cardinality.sampleLimit", "cardinality.labelLimit", "cardinality.droppedLabels[0]"]);
    });

    it("a receiver without a secret reference, of an unknown type, or with an unknown severity", async () => {
        assert.deepStrictEqual(await refused({ receivers: [
            { name: "a", type: "slack", severities: ["critical"], secretName: "" },
            { name: "b", type: "email", severities: ["info"], secretName: "s" },
        ] }), ["receivers[0].secretName", "receivers[1].type", "receivers[1].severities[0]"]);
    });

    it("one Prometheus or Alertmanager replica, a retention that is not a duration, a size cap over the volume", async () => {
        assert.deepStrictEqual(await refused({ prometheus: { replicas: 1, retention: "two weeks", retentionSize: "60GB", storageSize: "50Gi" }, alertmanager: { replicas: 1 } }),
            ["prometheus.replicas", "prometheus.retention", "prometheus.retentionSize", "alertmanager.replicas"]);
    });

    it("node exporter in the monitoring namespace, and an owned value", async () => {
        assert.deepStrictEqual(await refused({ nodeExporterNamespace: "monitoring", values: { grafana: { adminPassword: "admin" } } }),
            ["nodeExporterNamespace", "values.grafana.adminPassword"]);
    });

    it("alert thresholds in the wrong order", async () => {
        assert.deepStrictEqual(await refused({ alertThresholds: { pvcWarningPercent: 90, pvcCriticalPercent: 80 } }), ["alertThresholds.pvcCriticalPercent"]);
    });
});
