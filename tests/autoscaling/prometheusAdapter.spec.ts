import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    PrometheusAdapter, PrometheusAdapterArgs, customMetricRules, requestRateMetricName,
} from "../../components/autoscaling/prometheusAdapter";
import { HELM_CHARTS } from "../../lib/versions";
import { thrown, valueOf } from "../helpers/outputs";
import { deploy, freshMocks, theRelease } from "./harness";
import { expandAdapterTemplate, promtoolCheck } from "./promtool";

async function releaseValues(args: PrometheusAdapterArgs = {}): Promise<Record<string, any>> {
    const mocks = await deploy(() => new PrometheusAdapter("adapter", args));
    return theRelease(mocks).inputs.values;
}

const DEFAULT_CONFIG = { requestsMetric: "http_requests_total", queueDepthMetric: "queue_messages_ready", rateWindow: "2m" };

/** Every PromQL expression a rule set can produce: series queries, and metrics queries filled in for pods and for a namespace. */
function expressions(rules: ReturnType<typeof customMetricRules>): string[] {
    const out: string[] = [];
    for (const rule of [...rules.custom, ...rules.external]) {
        const series = rule.seriesQuery.replace(/\{.*$/, "");
        out.push(rule.seriesQuery);
        out.push(expandAdapterTemplate(rule.metricsQuery, { series, labelMatchers: 'namespace="shop",pod=~"web-0|web-1"', groupBy: "pod" }));
        out.push(expandAdapterTemplate(rule.metricsQuery, { series, labelMatchers: 'namespace="shop",queue="orders"', groupBy: "" }));
    }
    return out;
}

describe("PrometheusAdapter rules", () => {
    it("serves the request rate per pod as the custom metric http_requests_per_second", () => {
        const rule = customMetricRules(DEFAULT_CONFIG).custom.find((r) => r.name.as === "http_requests_per_second");
        assert.ok(rule, "no request-rate rule");
        assert.strictEqual(rule.seriesQuery, 'http_requests_total{namespace!="",pod!=""}');
        assert.deepStrictEqual(rule.resources.overrides, { namespace: { resource: "namespace" }, pod: { resource: "pod" } });
        assert.strictEqual(rule.metricsQuery, "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)");
        assert.ok(new RegExp(rule.name.matches).test("http_requests_total"));
    });

    it("serves the queue depth as an external metric per namespace, and per pod where consumers export it", () => {
        const rules = customMetricRules(DEFAULT_CONFIG);
        const external = rules.external.find((r) => r.name.as === "queue_messages_ready");
        assert.ok(external, "no external queue-depth rule");
        assert.deepStrictEqual(external.resources.overrides, { namespace: { resource: "namespace" } });
        assert.strictEqual(external.metricsQuery, "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)");
        assert.ok(rules.custom.some((r) => r.name.as === "queue_messages_ready" && r.seriesQuery.includes('pod!=""')));
    });

    it("names the rate after the counter: _total becomes _per_second", () => {
        assert.strictEqual(requestRateMetricName("http_requests_total"), "http_requests_per_second");
        assert.strictEqual(requestRateMetricName("orders_processed"), "orders_processed_per_second");
    });

    it("writes queries that Prometheus's own parser accepts (promtool check rules)", () => {
        const exprs = [...expressions(customMetricRules(DEFAULT_CONFIG)),
            ...expressions(customMetricRules({ requestsMetric: "orders_processed_total", queueDepthMetric: "rabbitmq_queue_messages_ready", rateWindow: "5m" }))];
        assert.strictEqual(exprs.length, 18);
        const verdict = promtoolCheck(exprs);
        assert.ok(verdict.ok, verdict.output);
        assert.match(verdict.output, /SUCCESS: 18 rules found/);
    });

    it("the promtool check does refuse a broken query (it can fail)", () => {
        const verdict = promtoolCheck(["sum(rate(http_requests_total[2m]) by (pod)"]);
        assert.ok(!verdict.ok);
        assert.match(verdict.output, /parse error/);
    });

    it("anchors each name pattern to the whole series name, so look-alike series are not renamed", () => {
        const rules = customMetricRules(DEFAULT_CONFIG);
        const request = new RegExp(rules.custom[0].name.matches);
        assert.ok(request.test("http_requests_total"));
        assert.ok(!request.test("http_requests_total_created"));
        assert.ok(!request.test("grpc_http_requests_total"));
        const queue = new RegExp(rules.external[0].name.matches);
        assert.ok(!queue.test("queue_messages_ready_total"));
    });
});

describe("PrometheusAdapter", () => {
    it("installs the pinned prometheus-adapter chart from prometheus-community", async () => {
        const mocks = await deploy(() => new PrometheusAdapter("adapter", {}));
        const r = theRelease(mocks).inputs;
        assert.strictEqual(r.chart, "prometheus-adapter");
        assert.strictEqual(r.version, HELM_CHARTS.prometheusAdapter.version);
        assert.deepStrictEqual(r.repositoryOpts, { repo: "https://prometheus-community.github.io/helm-charts" });
        assert.strictEqual(r.namespace, "kube-system");
        assert.strictEqual(r.name, "prometheus-adapter");
        assert.strictEqual(r.atomic, true);
    });

    it("reads the Prometheus Operator's prometheus-operated Service in monitoring by default", async () => {
        const v = await releaseValues();
        assert.deepStrictEqual(v.prometheus, { url: "http://prometheus-operated.monitoring.svc", port: 9090 });
        const custom = await releaseValues({ prometheusUrl: pulumi.output("http://prom.observability.svc"), prometheusPort: 8080 });
        assert.deepStrictEqual(custom.prometheus, { url: "http://prom.observability.svc", port: 8080 });
    });

    it("serves only the request-rate and queue-depth rules, not the chart's catch-all default rules", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.rules.default, false);
        assert.deepStrictEqual(v.rules.custom, customMetricRules(DEFAULT_CONFIG).custom);
        assert.deepStrictEqual(v.rules.external, customMetricRules(DEFAULT_CONFIG).external);
    });

    it("builds its rules from the metric names and window it is given", async () => {
        const v = await releaseValues({ requestsMetric: "orders_processed_total", queueDepthMetric: "jobs_pending", rateWindow: "5m" });
        assert.deepStrictEqual(v.rules.custom.map((r: any) => r.name.as), ["orders_processed_per_second", "jobs_pending"]);
        assert.match(v.rules.custom[0].metricsQuery, /\[5m\]/);
    });

    it("tells HPAs which metric names to use", async () => {
        let adapter!: PrometheusAdapter;
        await deploy(() => { adapter = new PrometheusAdapter("adapter", {}); });
        assert.strictEqual(await valueOf(adapter.requestRateMetric), "http_requests_per_second");
        assert.strictEqual(await valueOf(adapter.queueDepthMetric), "queue_messages_ready");
    });

    it("keeps the custom metrics API answering: two replicas, a PodDisruptionBudget, system-cluster-critical", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.replicas, 2);
        assert.deepStrictEqual(v.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
        assert.strictEqual(v.priorityClassName, "system-cluster-critical");
        assert.deepStrictEqual((await releaseValues({ replicas: 1 })).podDisruptionBudget, { enabled: false });
    });

    it("sets requests and limits, and runs restricted", async () => {
        const v = await releaseValues();
        assert.deepStrictEqual(v.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
        assert.strictEqual(v.securityContext.runAsNonRoot, true);
        assert.strictEqual(v.securityContext.readOnlyRootFilesystem, true);
        assert.deepStrictEqual(v.securityContext.capabilities, { drop: ["ALL"] });
        assert.deepStrictEqual(v.podSecurityContext.seccompProfile, { type: "RuntimeDefault" });
    });

    it("lets user rules replace the built-in ones (lists replace) and keeps the rest", async () => {
        const mine = [{ seriesQuery: "x_total", resources: { template: "<<.Resource>>" }, name: { matches: "^x_total$", as: "x_per_second" }, metricsQuery: "sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)" }];
        const v = await releaseValues({ values: { rules: { custom: mine }, logLevel: 2 } });
        assert.deepStrictEqual(v.rules.custom, mine);
        assert.strictEqual(v.rules.default, false);
        assert.strictEqual(v.rules.external.length, 1);
        assert.strictEqual(v.logLevel, 2);
    });
});

describe("PrometheusAdapter refuses bad input, all at once, before creating anything", () => {
    async function refusedPaths(bad: PrometheusAdapterArgs): Promise<string[]> {
        const mocks = await freshMocks();
        const e = thrown(() => new PrometheusAdapter("adapter", bad));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), `expected InputPropertiesError, got ${e}`);
        assert.strictEqual(mocks.registrations.length, 0);
        return e.errors.map((x: any) => x.propertyPath);
    }

    it("metric names Prometheus would not accept", async () => {
        assert.deepStrictEqual(await refusedPaths({ requestsMetric: "http-requests", queueDepthMetric: "9lives" }), ["requestsMetric", "queueDepthMetric"]);
    });

    it("a queue metric named like the served request rate", async () => {
        assert.deepStrictEqual(await refusedPaths({ queueDepthMetric: "http_requests_per_second" }), ["queueDepthMetric"]);
    });

    it("a rate window that is zero, negative or not a duration", async () => {
        for (const w of ["0m", "-1m", "2 minutes", "2"]) {
            assert.deepStrictEqual(await refusedPaths({ rateWindow: w }), ["rateWindow"], w);
        }
    });

    it("a Prometheus URL with a port or without a scheme, and a port out of range", async () => {
        assert.deepStrictEqual(await refusedPaths({ prometheusUrl: "http://prom:9090", prometheusPort: 70000 }), ["prometheusUrl", "prometheusPort"]);
        assert.deepStrictEqual(await refusedPaths({ prometheusUrl: "prometheus.monitoring.svc" }), ["prometheusUrl"]);
    });

    it("replicas out of range and an owned security context", async () => {
        assert.deepStrictEqual(await refusedPaths({ replicas: 0, values: { securityContext: { runAsUser: 0 } } }), ["replicas", "values.securityContext"]);
    });
});
