import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAutoscaler } from "../../components/autoscaling/clusterAutoscaler";
import { MetricsServer } from "../../components/autoscaling/metricsServer";
import { PrometheusAdapter } from "../../components/autoscaling/prometheusAdapter";
import { VerticalPodAutoscaler } from "../../components/autoscaling/verticalPodAutoscaler";
import { HELM_CHARTS } from "../../lib/versions";
import { CLUSTER, deploy, theRelease } from "../autoscaling/harness";
import { fragmentProblems } from "./kubernetes-fragments";
import { CheckOptions, documentedInComment, loadChartFixture, typedFragments, valuesProblems } from "./values-checker";

/** One chart the autoscaling components install, how to read its values, and programs that install it. */
interface Case {
    fixture: string;
    pin: (typeof HELM_CHARTS)[keyof typeof HELM_CHARTS];
    options: CheckOptions;
    programs: Record<string, () => void>;
}

const podTyped = (prefix: string[] = [], container = "securityContext", pod = "podSecurityContext"): CheckOptions["typed"] => [
    { path: [...prefix, "resources"], kind: "ResourceRequirements" },
    { path: [...prefix, container], kind: "SecurityContext" },
    { path: [...prefix, pod], kind: "PodSecurityContext" },
];

const cases: Case[] = [
    {
        fixture: "cluster-autoscaler",
        pin: HELM_CHARTS.clusterAutoscaler,
        // The chart renders every extraArgs entry as a flag (INDEX.md: treat it as a free-form map).
        options: { freeForm: [["extraArgs"]], typed: podTyped([], "containerSecurityContext", "securityContext") },
        programs: {
            defaults: () => new ClusterAutoscaler("ca", CLUSTER),
            "every option": () => new ClusterAutoscaler("ca", {
                ...CLUSTER, kubernetesVersion: "1.33", expander: "priority,least-waste", expanderPriorities: { "10": [".*"] },
                balanceSimilarNodeGroups: false, scaleDownDelayAfterAdd: "20m", scaleDownUnneededTime: "15m", replicas: 3,
                namespace: "autoscaling", serviceAccountName: "ca", releaseName: "ca", tags: { team: "platform" },
                values: { extraArgs: { "scale-down-utilization-threshold": 0.6 }, podAnnotations: { a: "b" }, tolerations: [], nodeSelector: { pool: "system" }, resources: { limits: { cpu: "1" } } },
            }),
        },
    },
    {
        fixture: "metrics-server",
        pin: HELM_CHARTS.metricsServer,
        options: { typed: [...podTyped()!, { path: ["topologySpreadConstraints"], kind: "TopologySpreadConstraint" }] },
        programs: {
            defaults: () => new MetricsServer("ms", {}),
            "one replica": () => new MetricsServer("ms", { replicas: 1 }),
            "every option": () => new MetricsServer("ms", { replicas: 3, namespace: "metrics", releaseName: "ms", values: { args: ["--v=2"], podLabels: { a: "b" }, service: { annotations: { a: "b" } } } }),
        },
    },
    {
        fixture: "vpa",
        pin: HELM_CHARTS.verticalPodAutoscaler,
        // The recommender renders every extraArgs entry as a flag, like cluster-autoscaler.
        options: { freeForm: [["recommender", "extraArgs"]], typed: ["recommender", "updater", "admissionController"].flatMap((p) => podTyped([p])!) },
        programs: {
            defaults: () => new VerticalPodAutoscaler("vpa", {}),
            "every option": () => new VerticalPodAutoscaler("vpa", {
                updater: true, admissionController: true, namespace: "vpa", releaseName: "vpa",
                values: { recommender: { extraArgs: { "pod-recommendation-min-memory-mb": 64 }, replicaCount: 2 }, priorityClassName: "system-cluster-critical" },
            }),
        },
    },
    {
        fixture: "prometheus-adapter",
        pin: HELM_CHARTS.prometheusAdapter,
        options: { typed: podTyped() },
        programs: {
            defaults: () => new PrometheusAdapter("adapter", {}),
            "every option": () => new PrometheusAdapter("adapter", {
                prometheusUrl: pulumi.output("http://prometheus.monitoring.svc"), prometheusPort: 9091, requestsMetric: "orders_total",
                queueDepthMetric: "jobs_waiting", rateWindow: "5m", replicas: 1, namespace: "monitoring", releaseName: "adapter",
                values: { logLevel: 2, metricsRelistInterval: "30s", tolerations: [] },
            }),
        },
    },
];

describe("autoscaling Helm values against each chart's own defaults", () => {
    for (const c of cases) {
        const chart = loadChartFixture(c.fixture);

        describe(`${c.pin.chart} ${c.pin.version}`, () => {
            it("pins the chart whose values.yaml is in the fixtures", () => {
                assert.strictEqual(chart.chartYaml.name, c.pin.chart);
                assert.strictEqual(chart.chartYaml.version, c.pin.version);
                assert.strictEqual(String(chart.chartYaml.appVersion), c.pin.appVersion);
            });

            for (const [label, program] of Object.entries(c.programs)) {
                it(`sets only keys the chart has (${label})`, async () => {
                    const values = theRelease(await deploy(program)).inputs.values;
                    assert.deepStrictEqual(valuesProblems(chart, values, c.options), []);
                });

                it(`hands Kubernetes valid objects for resources, security contexts and spread (${label})`, async () => {
                    const values = theRelease(await deploy(program)).inputs.values;
                    const fragments = typedFragments(values, c.options.typed ?? []);
                    assert.ok(fragments.length >= 3, `only ${fragments.length} Kubernetes objects found`);
                    const problems = (await Promise.all(fragments.map((f) => fragmentProblems(f.kind, f.value, f.path.join("."))))).flat();
                    assert.deepStrictEqual(problems, []);
                });
            }
        });
    }

    it("writes adapter rules with only the keys the chart's rule example documents", async () => {
        const chart = loadChartFixture("prometheus-adapter");
        const values = theRelease(await deploy(() => new PrometheusAdapter("adapter", {}))).inputs.values;
        const rules = [...values.rules.custom, ...values.rules.external];
        assert.ok(rules.length >= 3);
        const keyPaths = (o: Record<string, any>, prefix = ""): string[] => Object.entries(o).flatMap(([k, v]) =>
            v && typeof v === "object" && !Array.isArray(v) && k !== "overrides" ? keyPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`]);
        for (const rule of rules) {
            for (const key of keyPaths(rule)) {
                const last = key.split(".").pop()!;
                assert.ok(documentedInComment(chart.valuesText, last), `rule key ${key} is not in the chart's commented rule example`);
            }
            // `resources.overrides` maps series labels to Kubernetes resources (prometheus-adapter config format).
            for (const o of Object.values(rule.resources.overrides) as Array<Record<string, string>>) {
                assert.deepStrictEqual(Object.keys(o), ["resource"]);
            }
        }
    });
});

describe("Kubernetes object checks used above (tests/helm)", () => {
    it("accept a restricted security context and requests/limits", async () => {
        assert.deepStrictEqual(await fragmentProblems("SecurityContext", { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } }), []);
        assert.deepStrictEqual(await fragmentProblems("ResourceRequirements", { requests: { cpu: "100m" }, limits: { memory: "1Gi" } }), []);
    });

    it("catch a misspelt field, also inside a nested object, and a value of the wrong type", async () => {
        const problems = await fragmentProblems("PodSecurityContext", { runAsNonRoot: "yes", runAsUsr: 1, seccompProfile: { typ: "RuntimeDefault" } });
        assert.ok(problems.some((p) => p.includes("runAsUsr: no such field")), problems.join("\n"));
        assert.ok(problems.some((p) => p.includes("seccompProfile.typ: no such field")), problems.join("\n"));
        assert.ok(problems.some((p) => p.includes("runAsNonRoot") && p.includes("boolean")), problems.join("\n"));
        const spread = await fragmentProblems("TopologySpreadConstraint", [{ maxSkew: 1, topologyKey: "zone" }]);
        assert.ok(spread.some((p) => p.includes("whenUnsatisfiable")), spread.join("\n"));
    });
});
