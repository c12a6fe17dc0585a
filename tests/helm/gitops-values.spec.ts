import * as assert from "assert";
import deepmerge from "deepmerge";
import { GitOps, GitOpsArgs } from "../../components/delivery";
import { HELM_CHARTS } from "../../lib/versions";
import { deploy, theRelease } from "../autoscaling/harness";
import { ARGS } from "../delivery/fixtures";
import { fragmentProblems } from "./kubernetes-fragments";
import { CheckOptions, ChartFixture, loadChartFixture, typedFragments, valuesProblems } from "./values-checker";

/**
 * argo-cd 10.1.1 with its redis-ha 4.38.0 subchart: under `redis-ha` the keys are the union of argo-cd's block
 * and the subchart's own values.yaml (Helm merges the parent's block over the subchart's defaults).
 */
function argoCdChart(): ChartFixture {
    const argo = loadChartFixture("argo-cd");
    const redisHa = loadChartFixture("redis-ha");
    return { ...argo, defaults: { ...argo.defaults, "redis-ha": deepmerge(redisHa.defaults, argo.defaults["redis-ha"], { arrayMerge: (_t, s) => s }) } };
}

const CONTAINERS = ["controller", "server", "repoServer", "applicationSet", "notifications", "commitServer", "redisSecretInit", "redis", "redis-ha"];
const OPTIONS: CheckOptions = {
    // argocd-cm, argocd-cmd-params-cm and argocd-rbac-cm: the chart copies every key into the ConfigMap (values.yaml says so).
    freeForm: [["configs", "cm"], ["configs", "params"], ["configs", "rbac"]],
    typed: [
        ...CONTAINERS.map((c) => ({ path: [c, "containerSecurityContext"], kind: "SecurityContext" as const })),
        { path: ["redis-ha", "haproxy", "containerSecurityContext"], kind: "SecurityContext" },
        ...["controller", "server", "repoServer", "applicationSet", "redis", "redisSecretInit"].map((c) => ({ path: [c, "resources"], kind: "ResourceRequirements" as const })),
        ...["redis", "sentinel", "haproxy", "init", "splitBrainDetection"].map((c) => ({ path: ["redis-ha", c, "resources"], kind: "ResourceRequirements" as const })),
        { path: ["redis-ha", "haproxy", "init", "resources"], kind: "ResourceRequirements" },
        { path: ["global", "topologySpreadConstraints"], kind: "TopologySpreadConstraint" },
    ],
};

const PROGRAMS: Record<string, GitOpsArgs> = {
    "HA defaults": ARGS,
    "single replicas": { ...ARGS, highAvailability: false },
    "SSO, local accounts and user values": {
        ...ARGS, domain: "argocd.prod.example.com", admins: ["platform"],
        sso: { issuer: "https://login.example.com", clientId: "argocd", clientSecretName: "argocd-oidc", requestedScopes: ["groups"] },
        localAccounts: [{ name: "ci", login: false, apiKey: true }],
        values: { server: { extraArgs: ["--enable-gzip"] }, configs: { params: { "server.insecure": true } } },
    },
};

describe(`GitOps Helm values against argo-cd ${HELM_CHARTS.argoCd.version} values.yaml (and redis-ha 4.38.0)`, () => {
    const chart = argoCdChart();

    it("pins the chart whose values.yaml is in the fixtures, and the redis-ha its Chart.lock names", () => {
        assert.strictEqual(chart.chartYaml.name, HELM_CHARTS.argoCd.chart);
        assert.strictEqual(chart.chartYaml.version, HELM_CHARTS.argoCd.version);
        assert.strictEqual(String(chart.chartYaml.appVersion), HELM_CHARTS.argoCd.appVersion);
        const dep = chart.chartYaml.dependencies.find((d: any) => d.name === "redis-ha");
        assert.strictEqual(dep.version, loadChartFixture("redis-ha").chartYaml.version);
    });

    for (const [label, args] of Object.entries(PROGRAMS)) {
        it(`sets only keys the chart has (${label})`, async () => {
            const values = theRelease(await deploy(() => new GitOps("gitops", args))).inputs.values;
            assert.deepStrictEqual(valuesProblems(chart, values, OPTIONS), []);
        });

        it(`hands Kubernetes valid security contexts, resources and spread (${label})`, async () => {
            const values = theRelease(await deploy(() => new GitOps("gitops", args))).inputs.values;
            const fragments = typedFragments(values, OPTIONS.typed ?? []);
            assert.ok(fragments.length >= 12, `only ${fragments.length} fragments`);
            const problems = (await Promise.all(fragments.map((f) => fragmentProblems(f.kind, f.value, f.path.join("."))))).flat();
            assert.deepStrictEqual(problems, []);
        });
    }

    it("the key check catches a key the chart does not have", async () => {
        const values = theRelease(await deploy(() => new GitOps("gitops", { ...ARGS, values: { server: { replica: 3 }, "redis-ha": { sentinels: {} } } }))).inputs.values;
        assert.deepStrictEqual(valuesProblems(chart, values, OPTIONS).sort(), [
            "redis-ha.sentinels: no such key in argo-cd 10.1.1 values.yaml",
            "server.replica: no such key in argo-cd 10.1.1 values.yaml",
        ]);
    });
});
