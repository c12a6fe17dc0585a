import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { MetricsServer, MetricsServerArgs } from "../../components/autoscaling/metricsServer";
import { HELM_CHARTS } from "../../lib/versions";
import { thrown } from "../helpers/outputs";
import { RELEASE, clusterProvider, deploy, freshMocks, theRelease } from "./harness";

async function releaseValues(args: MetricsServerArgs = {}): Promise<Record<string, any>> {
    const mocks = await deploy(() => new MetricsServer("ms", args));
    return theRelease(mocks).inputs.values;
}

describe("MetricsServer", () => {
    it("installs the pinned metrics-server chart from kubernetes-sigs, atomically, as a child of the component", async () => {
        const mocks = await deploy(() => new MetricsServer("ms", {}));
        const release = mocks.get(RELEASE, "ms-release");
        const r = release.inputs;
        assert.strictEqual(r.chart, "metrics-server");
        assert.strictEqual(r.version, HELM_CHARTS.metricsServer.version);
        assert.strictEqual(r.version, "3.13.1");
        assert.deepStrictEqual(r.repositoryOpts, { repo: "https://kubernetes-sigs.github.io/metrics-server/" });
        assert.strictEqual(r.namespace, "kube-system");
        assert.strictEqual(r.name, "metrics-server");
        assert.strictEqual(r.atomic, true);
        assert.strictEqual(release.parent, mocks.get("k8sprod:autoscaling:MetricsServer", "ms").urn);
    });

    it("keeps the metrics API up through a drain: two replicas and a PodDisruptionBudget", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.replicas, 2);
        assert.deepStrictEqual(v.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
        assert.strictEqual(v.priorityClassName, "system-cluster-critical");
    });

    it("spreads its replicas across zones", async () => {
        const v = await releaseValues();
        assert.deepStrictEqual(v.topologySpreadConstraints, [{
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": "metrics-server" } },
        }]);
        const renamed = await releaseValues({ releaseName: "ms-prod" });
        assert.strictEqual(renamed.topologySpreadConstraints[0].labelSelector.matchLabels["app.kubernetes.io/instance"], "ms-prod");
    });

    it("drops the PodDisruptionBudget and the spread with a single replica (a PDB would block every drain)", async () => {
        const v = await releaseValues({ replicas: 1 });
        assert.strictEqual(v.replicas, 1);
        assert.deepStrictEqual(v.podDisruptionBudget, { enabled: false });
        assert.deepStrictEqual(v.topologySpreadConstraints, []);
    });

    it("sets requests and limits", async () => {
        const v = await releaseValues();
        assert.deepStrictEqual(v.resources, { requests: { cpu: "100m", memory: "200Mi" }, limits: { cpu: "1", memory: "400Mi" } });
    });

    it("runs as a non-root user with the restricted security context", async () => {
        const v = await releaseValues();
        assert.deepStrictEqual(v.securityContext, {
            allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000,
            capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
        });
        assert.strictEqual(v.podSecurityContext.runAsNonRoot, true);
        assert.strictEqual(v.podSecurityContext.runAsUser, 1000);
    });

    it("merges user values over the defaults", async () => {
        const v = await releaseValues({ values: { args: ["--kubelet-insecure-tls"], resources: { requests: { memory: "300Mi" } } } });
        assert.deepStrictEqual(v.args, ["--kubelet-insecure-tls"]);
        assert.deepStrictEqual(v.resources, { requests: { cpu: "100m", memory: "300Mi" }, limits: { cpu: "1", memory: "400Mi" } });
        assert.strictEqual(v.replicas, 2);
    });

    it("installs through the Kubernetes provider it is given", async () => {
        const mocks = await deploy(() => new MetricsServer("ms", {}, { providers: { kubernetes: clusterProvider() } }));
        assert.ok(mocks.get(RELEASE, "ms-release").provider.includes("pulumi:providers:kubernetes::cluster-k8s"));
    });

    it("refuses bad input in one error, before creating anything", async () => {
        const mocks = await freshMocks();
        const e = thrown(() => new MetricsServer("ms", { replicas: 9, namespace: "kube system", releaseName: "x".repeat(60), values: { securityContext: { privileged: true }, podSecurityContext: {} } }));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), `${e}`);
        assert.deepStrictEqual(e.errors.map((x: any) => x.propertyPath), ["replicas", "namespace", "releaseName", "values.securityContext", "values.podSecurityContext"]);
        assert.strictEqual(mocks.registrations.length, 0);
    });
});
