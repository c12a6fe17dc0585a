import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    CLUSTER_AUTOSCALER_EXPANDERS, ClusterAutoscaler, ClusterAutoscalerArgs, clusterAutoscalerImageTag,
} from "../../components/autoscaling/clusterAutoscaler";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS, HELM_CHARTS, SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/versions";
import { thrown } from "../helpers/outputs";
import { CLUSTER, RELEASE, ROLE, ROLE_POLICY, clusterProvider, deploy, freshMocks, theRelease } from "./harness";

function args(extra: Partial<ClusterAutoscalerArgs> = {}): ClusterAutoscalerArgs {
    return { ...CLUSTER, ...extra };
}

async function releaseValues(extra: Partial<ClusterAutoscalerArgs> = {}): Promise<Record<string, any>> {
    const mocks = await deploy(() => new ClusterAutoscaler("ca", args(extra)));
    return theRelease(mocks).inputs.values;
}

describe("ClusterAutoscaler", () => {
    it("installs the pinned cluster-autoscaler chart from the kubernetes/autoscaler repository, atomically", async () => {
        const mocks = await deploy(() => new ClusterAutoscaler("ca", args()));
        const r = theRelease(mocks).inputs;
        assert.strictEqual(r.chart, "cluster-autoscaler");
        assert.strictEqual(r.version, HELM_CHARTS.clusterAutoscaler.version);
        assert.strictEqual(r.version, "9.59.0");
        assert.deepStrictEqual(r.repositoryOpts, { repo: "https://kubernetes.github.io/autoscaler" });
        assert.strictEqual(r.namespace, "kube-system");
        assert.strictEqual(r.name, "cluster-autoscaler");
        assert.strictEqual(r.atomic, true);
        assert.strictEqual(r.createNamespace, false);
    });

    it("discovers this cluster's node groups by their tags, in the cluster's region", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.cloudProvider, "aws");
        assert.strictEqual(v.autoDiscovery.clusterName, "prod");
        assert.strictEqual(v.awsRegion, "eu-west-1");
        assert.strictEqual(v.autoscalingGroups, undefined, "static --nodes groups would conflict with auto-discovery");
    });

    it("balances similar node groups so that new nodes spread across the per-zone groups", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.extraArgs["balance-similar-node-groups"], true);
        const off = await releaseValues({ balanceSimilarNodeGroups: false });
        assert.strictEqual(off.extraArgs["balance-similar-node-groups"], false);
    });

    it("waits 10 minutes after a scale-up, and 10 unneeded minutes, before removing a node", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.extraArgs["scale-down-delay-after-add"], "10m");
        assert.strictEqual(v.extraArgs["scale-down-unneeded-time"], "10m");
        const tuned = await releaseValues({ scaleDownDelayAfterAdd: "15m", scaleDownUnneededTime: "1h30m" });
        assert.strictEqual(tuned.extraArgs["scale-down-delay-after-add"], "15m");
        assert.strictEqual(tuned.extraArgs["scale-down-unneeded-time"], "1h30m");
    });

    it("grows the node group that wastes least, unless another expander is chosen", async () => {
        assert.strictEqual((await releaseValues()).extraArgs.expander, "least-waste");
        assert.strictEqual((await releaseValues({ expander: "most-pods" })).extraArgs.expander, "most-pods");
    });

    it("passes priorities to the chart's priority-expander ConfigMap when the priority expander leads", async () => {
        const v = await releaseValues({ expander: "priority, least-waste", expanderPriorities: { "50": [".*"], "100": [".*-spot-.*"] } });
        assert.strictEqual(v.extraArgs.expander, "priority,least-waste");
        assert.deepStrictEqual(v.expanderPriorities, { "50": [".*"], "100": [".*-spot-.*"] });
        assert.strictEqual((await releaseValues()).expanderPriorities, undefined);
    });

    it("keeps the chart's logging flags next to its own", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.extraArgs.logtostderr, true);
        assert.strictEqual(v.extraArgs.v, 4);
        assert.strictEqual(v.extraArgs["leader-elect"], true);
    });

    for (const minor of SUPPORTED_KUBERNETES_VERSIONS) {
        it(`runs the cluster-autoscaler of the cluster's minor on Kubernetes ${minor}`, async () => {
            const v = await releaseValues({ kubernetesVersion: minor });
            assert.strictEqual(v.image.tag, CLUSTER_AUTOSCALER_IMAGE_TAGS[minor]);
            assert.ok(v.image.tag.startsWith(`v${minor}.`), `${v.image.tag} is not a ${minor} release`);
            assert.strictEqual(v.image.repository, "registry.k8s.io/autoscaling/cluster-autoscaler");
        });
    }

    it("refuses to pick an image for a minor outside the version matrix", () => {
        assert.throws(() => clusterAutoscalerImageTag("1.32"), /1\.32 is not supported/);
        assert.throws(() => clusterAutoscalerImageTag("1.36"), /1\.36 is not supported/);
    });

    it("keeps one autoscaler running through node drains: two replicas, a PodDisruptionBudget, system-cluster-critical", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.replicaCount, 2);
        assert.deepStrictEqual(v.podDisruptionBudget, { maxUnavailable: 1 });
        assert.strictEqual(v.priorityClassName, "system-cluster-critical");
    });

    it("sets requests and limits", async () => {
        const v = await releaseValues();
        assert.deepStrictEqual(v.resources, { requests: { cpu: "100m", memory: "600Mi" }, limits: { cpu: "500m", memory: "600Mi" } });
    });

    it("runs as a non-root user with the restricted security context", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.securityContext.runAsNonRoot, true);
        assert.strictEqual(v.securityContext.runAsUser, 65534);
        assert.deepStrictEqual(v.securityContext.seccompProfile, { type: "RuntimeDefault" });
        assert.strictEqual(v.containerSecurityContext.allowPrivilegeEscalation, false);
        assert.strictEqual(v.containerSecurityContext.readOnlyRootFilesystem, true);
        assert.deepStrictEqual(v.containerSecurityContext.capabilities, { drop: ["ALL"] });
    });

    it("binds its service account to the IRSA role, and takes no static AWS keys", async () => {
        const mocks = await deploy(() => new ClusterAutoscaler("ca", args()));
        const v = theRelease(mocks).inputs.values;
        const role = mocks.get(ROLE, "ca-irsa-role");
        assert.strictEqual(v.rbac.create, true);
        assert.strictEqual(v.rbac.serviceAccount.create, true);
        assert.strictEqual(v.rbac.serviceAccount.name, "cluster-autoscaler");
        assert.strictEqual(v.rbac.serviceAccount.annotations["eks.amazonaws.com/role-arn"], `arn:aws:iam::123456789012:role/ca-irsa-role-1234567`);
        assert.ok(role.urn.endsWith("ca-irsa-role"));
        assert.strictEqual(v.awsAccessKeyID, "");
        assert.strictEqual(v.awsSecretAccessKey, "");
    });

    it("creates its IRSA role (the shared IrsaRole) and its release as children named after the component", async () => {
        const mocks = await deploy(() => new ClusterAutoscaler("ca", args()));
        const component = mocks.get("k8sprod:autoscaling:ClusterAutoscaler", "ca");
        const irsa = mocks.get("k8sprod:cluster:IrsaRole", "ca-irsa");
        const release = mocks.get(RELEASE, "ca-release");
        assert.strictEqual(irsa.parent, component.urn);
        assert.strictEqual(release.parent, component.urn);
        assert.strictEqual(mocks.get(ROLE, "ca-irsa-role").parent, irsa.urn);
        assert.strictEqual(mocks.get(ROLE_POLICY, "ca-irsa-inline").parent, irsa.urn);
        assert.deepStrictEqual(mocks.registrations.map((r) => r.name).sort(), ["ca", "ca-irsa", "ca-irsa-inline", "ca-irsa-role", "ca-release"]);
    });

    it("installs the chart only after the role and its permissions exist", async () => {
        const mocks = await deploy(() => new ClusterAutoscaler("ca", args()));
        const release = mocks.get(RELEASE, "ca-release");
        const policy = mocks.get(ROLE_POLICY, "ca-irsa-inline");
        const role = mocks.get(ROLE, "ca-irsa-role");
        assert.ok(release.dependencies.includes(policy.urn), `dependencies: ${release.dependencies.join(", ")}`);
        assert.ok(release.dependencies.includes(role.urn), `dependencies: ${release.dependencies.join(", ")}`);
    });

    it("lets two autoscalers live in one program without name clashes", async () => {
        const mocks = await deploy(() => {
            new ClusterAutoscaler("blue", args());
            new ClusterAutoscaler("green", args({ namespace: "autoscaling", releaseName: "ca-green" }));
        });
        assert.deepStrictEqual(mocks.ofType(RELEASE).map((r) => r.name).sort(), ["blue-release", "green-release"]);
        assert.strictEqual(mocks.get(RELEASE, "green-release").inputs.namespace, "autoscaling");
    });

    it("installs through the Kubernetes provider it is given", async () => {
        const mocks = await deploy(() => {
            const provider = clusterProvider();
            new ClusterAutoscaler("ca", args(), { providers: { kubernetes: provider } });
        });
        const release = mocks.get(RELEASE, "ca-release");
        assert.ok(release.provider.includes("pulumi:providers:kubernetes::cluster-k8s"), release.provider);
    });

    it("merges user values deeply: maps key by key, lists replaced, defaults kept", async () => {
        const v = await releaseValues({
            values: {
                extraArgs: { "scale-down-utilization-threshold": 0.6, "skip-nodes-with-local-storage": false },
                resources: { limits: { cpu: "1" } },
                tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
                podAnnotations: { "example.com/team": "platform" },
            },
        });
        assert.strictEqual(v.extraArgs["scale-down-utilization-threshold"], 0.6);
        assert.strictEqual(v.extraArgs["skip-nodes-with-local-storage"], false);
        assert.strictEqual(v.extraArgs["balance-similar-node-groups"], true, "a user map merges into the defaults");
        assert.deepStrictEqual(v.resources, { requests: { cpu: "100m", memory: "600Mi" }, limits: { cpu: "1", memory: "600Mi" } });
        assert.deepStrictEqual(v.tolerations, [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }]);
        assert.deepStrictEqual(v.podAnnotations, { "example.com/team": "platform" });
    });

    it("lets user values override a default the component does not own", async () => {
        const v = await releaseValues({ values: { priorityClassName: "platform-critical", extraArgs: { expander: "random" } } });
        assert.strictEqual(v.priorityClassName, "platform-critical");
        assert.strictEqual(v.extraArgs.expander, "random");
    });

    it("waits for values known only at deploy time, and resolves them into the release", async () => {
        const v = await releaseValues({ values: pulumi.output({ podLabels: { team: "platform" } }), clusterName: pulumi.output("late") });
        assert.deepStrictEqual(v.podLabels, { team: "platform" });
        assert.strictEqual(v.autoDiscovery.clusterName, "late");
    });

    it("offers only the expanders the AWS provider supports", () => {
        assert.deepStrictEqual([...CLUSTER_AUTOSCALER_EXPANDERS].sort(), ["least-nodes", "least-waste", "most-pods", "priority", "random"]);
    });
});

describe("ClusterAutoscaler refuses bad input, all at once, before creating anything", () => {
    async function refused(bad: Partial<ClusterAutoscalerArgs> | Record<string, unknown>): Promise<{ paths: string[]; message: string }> {
        const mocks = await freshMocks();
        const e = thrown(() => new ClusterAutoscaler("ca", { ...CLUSTER, ...bad } as ClusterAutoscalerArgs));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), `expected InputPropertiesError, got ${e}`);
        assert.strictEqual(mocks.registrations.length, 0, "nothing may be registered before the input is valid");
        return { paths: e.errors.map((x: any) => x.propertyPath), message: e.message };
    }

    it("an unknown expander", async () => {
        const r = await refused({ expander: "cheapest" });
        assert.deepStrictEqual(r.paths, ["expander"]);
        assert.match(r.message, /"cheapest" is not an expander/);
    });

    it("the GCE-only price expander and the grpc expander", async () => {
        assert.match((await refused({ expander: "price" })).message, /works only on GCE/);
        assert.match((await refused({ expander: "least-waste,grpc" })).message, /external expander service/);
    });

    it("an expander named twice, or an empty link in the chain", async () => {
        assert.deepStrictEqual((await refused({ expander: "random,random" })).paths, ["expander"]);
        assert.deepStrictEqual((await refused({ expander: "random,," })).paths, ["expander"]);
    });

    it("a Kubernetes version outside the matrix", async () => {
        const r = await refused({ kubernetesVersion: "1.32" });
        assert.deepStrictEqual(r.paths, ["kubernetesVersion"]);
        assert.match(r.message, /1\.32 is not supported; choose one of 1\.33, 1\.34, 1\.35/);
        assert.deepStrictEqual((await refused({ kubernetesVersion: undefined })).paths, ["kubernetesVersion"]);
        assert.match((await refused({ kubernetesVersion: 1.35 as unknown as string })).message, /must be a string such as "1.35"/);
    });

    it("negative and malformed durations, each with its path", async () => {
        const r = await refused({ scaleDownDelayAfterAdd: "-5m", scaleDownUnneededTime: "10 minutes" });
        assert.deepStrictEqual(r.paths, ["scaleDownDelayAfterAdd", "scaleDownUnneededTime"]);
        assert.match(r.message, /"-5m" is negative/);
        assert.match(r.message, /"10 minutes" is not a duration/);
    });

    it("the priority expander without priorities, and priorities without it", async () => {
        assert.deepStrictEqual((await refused({ expander: "priority" })).paths, ["expanderPriorities"]);
        assert.deepStrictEqual((await refused({ expanderPriorities: { "10": [".*"] } })).paths, ["expanderPriorities"]);
    });

    it("priorities that are not whole numbers, and patterns that are not regular expressions", async () => {
        const r = await refused({ expander: "priority", expanderPriorities: { high: [".*"], "10": ["(unclosed"] } });
        assert.deepStrictEqual(r.paths.sort(), ['expanderPriorities["10"][0]', 'expanderPriorities["high"]']);
    });

    it("user values that set what the component owns", async () => {
        const r = await refused({
            values: {
                rbac: { serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/admin" } } },
                image: { tag: "v1.30.0", pullPolicy: "Always" },
                securityContext: { runAsUser: 0 },
                awsAccessKeyID: "AKIA...",
            },
        });
        assert.deepStrictEqual(r.paths, ["values.rbac.serviceAccount", "values.image.tag", "values.securityContext", "values.awsAccessKeyID"]);
        assert.match(r.message, /cannot be overridden: the service account carries the IRSA role binding/);
    });

    it("missing cluster identity, and replicas out of range, in one error", async () => {
        const r = await refused({ clusterName: undefined, oidcProviderArn: "", region: undefined, replicas: 0 });
        assert.deepStrictEqual(r.paths, ["clusterName", "region", "oidcProviderArn", "replicas"]);
    });

    it("a cluster name, OIDC provider ARN, namespace or service account that cannot be right", async () => {
        const r = await refused({ clusterName: "prod cluster", oidcProviderArn: "arn:aws:iam::123:role/x", namespace: "Kube_System", serviceAccountName: "CA!" });
        assert.deepStrictEqual(r.paths, ["clusterName", "oidcProviderArn", "namespace", "serviceAccountName"]);
    });
});
