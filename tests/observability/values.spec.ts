// Every Helm value the observability components set, against the pinned chart's own values.yaml (and, for
// the operator, its values.schema.json), read from the copies in tests/fixtures/charts/.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2019 from "ajv/dist/2019";
import deepmerge from "deepmerge";
import * as YAML from "yaml";
import { Logging } from "../../components/observability/logging";
import { Monitoring } from "../../components/observability/monitoring";
import { Tracing } from "../../components/observability/tracing";
import { HELM_CHARTS } from "../../lib/versions";
import { fragmentProblems } from "../helm/kubernetes-fragments";
import { CHART_FIXTURES, ChartFixture, CheckOptions, loadChartFixture, typedFragments, valuesProblems } from "../helm/values-checker";
import { CLUSTER, REGION, deploy, releaseOf } from "./harness";

/** kube-prometheus-stack with each subchart's own values merged under its key (INDEX.md: check against the union). */
function kubePrometheusStack(): ChartFixture {
    const parent = loadChartFixture("kube-prometheus-stack");
    const defaults = { ...parent.defaults };
    let text = parent.valuesText;
    for (const sub of ["grafana", "prometheus-node-exporter", "kube-state-metrics"]) {
        const own = fs.readFileSync(path.join(CHART_FIXTURES, "kube-prometheus-stack", "charts", sub, "values.yaml"), "utf8");
        defaults[sub] = deepmerge(YAML.parse(own), parent.defaults[sub] ?? {}, { arrayMerge: (_t, s) => s });
        text += `\n${own}`;
    }
    return { ...parent, defaults, valuesText: text };
}

interface Case {
    chart: () => ChartFixture;
    pin: (typeof HELM_CHARTS)[keyof typeof HELM_CHARTS];
    options: CheckOptions;
    programs: Record<string, () => void>;
}

const CASES: Case[] = [
    {
        chart: kubePrometheusStack,
        pin: HELM_CHARTS.kubePrometheusStack,
        options: {
            // The operator's enforced limits: the chart's default `false` means "unset"; the Prometheus CRD takes integers.
            freeForm: [],
            typed: [
                { path: ["prometheus", "prometheusSpec", "resources"], kind: "ResourceRequirements" },
                { path: ["prometheus", "prometheusSpec", "securityContext"], kind: "PodSecurityContext" },
                { path: ["prometheus", "prometheusSpec", "topologySpreadConstraints"], kind: "TopologySpreadConstraint" },
                { path: ["alertmanager", "alertmanagerSpec", "resources"], kind: "ResourceRequirements" },
                { path: ["alertmanager", "alertmanagerSpec", "securityContext"], kind: "PodSecurityContext" },
                { path: ["alertmanager", "alertmanagerSpec", "topologySpreadConstraints"], kind: "TopologySpreadConstraint" },
                { path: ["prometheus-node-exporter", "resources"], kind: "ResourceRequirements" },
            ],
            commented: [
                { path: ["prometheus-node-exporter", "priorityClassName"], reason: "documented in the node exporter chart's values.yaml as a comment" },
                { path: ["grafana", "adminPassword"], reason: "documented in the grafana chart's values.yaml as a comment; the component sets it to null so the Secret is used" },
            ],
        },
        programs: {
            defaults: () => new Monitoring("mon", {}),
            "every option": () => new Monitoring("mon", {
                namespace: "metrics", nodeExporterNamespace: "nodes", releaseName: "kps", grafanaAdminSecret: "g",
                prometheus: { replicas: 3, retention: "30d", retentionSize: "90GB", storageSize: "100Gi", resources: { requests: { cpu: "1" } } },
                alertmanager: { replicas: 3 }, receivers: [{ name: "p", type: "pagerduty", severities: ["critical"], secretName: "pd" }],
                cardinality: { sampleLimit: 10000 }, values: { grafana: { replicas: 2 }, prometheus: { prometheusSpec: { scrapeInterval: "15s" } } },
            }),
        },
    },
    {
        chart: () => loadChartFixture("fluent-bit"),
        pin: HELM_CHARTS.fluentBit,
        options: { typed: [{ path: ["resources"], kind: "ResourceRequirements" }, { path: ["securityContext"], kind: "SecurityContext" }, { path: ["podSecurityContext"], kind: "PodSecurityContext" }] },
        programs: {
            defaults: () => new Logging("logs", CLUSTER),
            "every option": () => new Logging("logs", { ...CLUSTER, namespace: "logs", releaseName: "fb", bufferLimit: "1G", values: { podLabels: { a: "b" }, logLevel: "warn" } }),
        },
    },
    {
        chart: () => loadChartFixture("opentelemetry-operator"),
        pin: HELM_CHARTS.opentelemetryOperator,
        options: { typed: [{ path: ["manager", "resources"], kind: "ResourceRequirements" }, { path: ["securityContext"], kind: "PodSecurityContext" }, { path: ["manager", "securityContext"], kind: "SecurityContext" }] },
        programs: {
            defaults: () => new Tracing("tracing", { exporter: { type: "otlp", endpoint: "x:4317" } }),
            "every option": () => new Tracing("tracing", { exporter: { type: "awsxray" }, region: REGION, oidcProviderArn: CLUSTER.oidcProviderArn, oidcProviderUrl: CLUSTER.oidcProviderUrl, values: { replicaCount: 3 } }),
        },
    },
];

/** The enforced* limits: numbers where the chart's placeholder default is `false`. Removed before the key check, checked here. */
function withoutEnforcedLimits(values: Record<string, any>): Record<string, any> {
    const copy = JSON.parse(JSON.stringify(values));
    const spec = copy.prometheus?.prometheusSpec ?? {};
    for (const key of ["enforcedSampleLimit", "enforcedLabelLimit", "enforcedLabelNameLengthLimit", "enforcedLabelValueLengthLimit"]) {
        if (key in spec) {
            assert.ok(Number.isInteger(spec[key]) && spec[key] > 0, `${key} is a positive integer`);
            delete spec[key];
        }
    }
    return copy;
}

describe("observability Helm values against each chart's own defaults", () => {
    for (const c of CASES) {
        const chart = c.chart();
        describe(`${c.pin.chart} ${c.pin.version}`, () => {
            it("pins the chart whose values.yaml is in the fixtures", () => {
                assert.strictEqual(chart.chartYaml.name, c.pin.chart);
                assert.strictEqual(chart.chartYaml.version, c.pin.version);
                assert.strictEqual(String(chart.chartYaml.appVersion), c.pin.appVersion);
            });
            for (const [label, program] of Object.entries(c.programs)) {
                it(`sets only keys the chart has (${label})`, async () => {
                    const values = releaseOf(await deploy(program), c.pin.chart).inputs.values;
                    assert.deepStrictEqual(valuesProblems(chart, withoutEnforcedLimits(values), c.options), []);
                });
                it(`hands Kubernetes valid resources and security contexts (${label})`, async () => {
                    const values = releaseOf(await deploy(program), c.pin.chart).inputs.values;
                    const fragments = typedFragments(values, c.options.typed ?? []);
                    assert.ok(fragments.length >= 3);
                    const problems = (await Promise.all(fragments.map((f) => fragmentProblems(f.kind, f.value, f.path.join("."))))).flat();
                    assert.deepStrictEqual(problems, []);
                });
            }
        });
    }

    it("the key check can fail: a misspelt key is reported", async () => {
        const values = releaseOf(await deploy(() => new Logging("logs", { ...CLUSTER, values: { tolerationz: [] } })), "fluent-bit").inputs.values;
        assert.deepStrictEqual(valuesProblems(loadChartFixture("fluent-bit"), values), ["tolerationz: no such key in fluent-bit 0.58.1 values.yaml"]);
    });

    describe("opentelemetry-operator values.schema.json", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(CHART_FIXTURES, "opentelemetry-operator", "values.schema.json"), "utf8"));
        const validate = new Ajv2019({ strict: false, allErrors: true }).compile(schema);
        const merged = (values: Record<string, any>) => deepmerge(loadChartFixture("opentelemetry-operator").defaults, values, { arrayMerge: (_t, s) => s });

        it("accepts the chart's defaults with the component's values merged over them", async () => {
            for (const program of Object.values(CASES[2].programs)) {
                const values = releaseOf(await deploy(program), "opentelemetry-operator").inputs.values;
                assert.ok(validate(merged(values)), JSON.stringify(validate.errors));
            }
        });

        it("refuses a value of the wrong type (the schema check can fail)", () => {
            assert.ok(!validate(merged({ replicaCount: "two" })));
        });
    });
});
