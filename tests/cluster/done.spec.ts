// The "done when": a program of EksCluster and the autoscalers, all with their defaults, gives three
// zones with a node group each, encrypted secrets, a private endpoint and IMDSv2 everywhere, and passes both
// policy packs (through the offline engine's analyzer path) with no mandatory violation.
import * as assert from "assert";
import * as path from "path";
import { analyze, EngineViolation, loadPack } from "../../cli/engine/analyzer";
import { ClusterAutoscaler, MetricsServer, PrometheusAdapter, VerticalPodAutoscaler } from "../../components/autoscaling";
import { EksCluster } from "../../components/cluster/eksCluster";
import { DEFAULT_KUBERNETES_VERSION } from "../../lib/versions";
import { RecordingMocks } from "../helpers/mocks";
import { settle, valueOf } from "../helpers/outputs";
import { repoRoot } from "../helpers/policy";
import { engineResources, freshMocks } from "./harness";

describe("EksCluster and the autoscalers with defaults (issue 4, done when)", () => {
    let mocks: RecordingMocks;
    let violations: EngineViolation[];

    before(async () => {
        mocks = await freshMocks();
        const cluster = new EksCluster("prod", {});
        const k8s = { providers: { kubernetes: cluster.provider } };
        new ClusterAutoscaler("prod-ca", {
            clusterName: cluster.clusterName,
            region: cluster.region,
            oidcProviderArn: cluster.oidcProviderArn,
            oidcProviderUrl: cluster.oidcProviderUrl,
            kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
        }, k8s);
        new MetricsServer("prod-metrics", {}, k8s);
        new VerticalPodAutoscaler("prod-vpa", {}, k8s);
        new PrometheusAdapter("prod-adapter", {}, k8s);
        await valueOf(cluster.kubeconfig);
        await settle();
        const packs = [loadPack(path.join(repoRoot, "policies", "aws")), loadPack(path.join(repoRoot, "policies", "kubernetes"))];
        // No exemption: the VolumeSnapshotClass (a custom resource, cluster-scoped) is not a namespaced object to the pack.
        violations = await analyze(packs, engineResources(mocks.registrations));
    });

    it("spans 3 zones", () => {
        const zones = new Set(mocks.ofType("aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZone));
        assert.deepStrictEqual([...zones].sort(), ["us-east-1a", "us-east-1b", "us-east-1c"]);
    });

    it("has 3 node groups, one per zone", () => {
        const groups = mocks.ofType("aws:eks/nodeGroup:NodeGroup");
        assert.strictEqual(groups.length, 3);
        const subnetZone = new Map(mocks.ofType("aws:ec2/subnet:Subnet").map((s) => [`${s.name}-id`, s.inputs.availabilityZone]));
        assert.deepStrictEqual(groups.map((g) => subnetZone.get(g.inputs.subnetIds[0])).sort(), ["us-east-1a", "us-east-1b", "us-east-1c"]);
    });

    it("encrypts secrets", () => {
        const c = mocks.ofType("aws:eks/cluster:Cluster")[0].inputs;
        assert.deepStrictEqual(c.encryptionConfig.resources, ["secrets"]);
        assert.ok(c.encryptionConfig.provider.keyArn.startsWith("arn:aws:kms:"));
    });

    it("has a private endpoint and no public one", () => {
        const v = mocks.ofType("aws:eks/cluster:Cluster")[0].inputs.vpcConfig;
        assert.deepStrictEqual([v.endpointPrivateAccess, v.endpointPublicAccess], [true, false]);
    });

    it("requires IMDSv2 everywhere: every launch template, and every node group uses one", () => {
        const lts = mocks.ofType("aws:ec2/launchTemplate:LaunchTemplate");
        assert.ok(lts.length >= 1);
        assert.ok(lts.every((lt) => lt.inputs.metadataOptions.httpTokens === "required" && lt.inputs.metadataOptions.httpPutResponseHopLimit === 1));
        assert.ok(mocks.ofType("aws:eks/nodeGroup:NodeGroup").every((g) => g.inputs.launchTemplate?.id));
        assert.strictEqual(mocks.ofType("aws:ec2/instance:Instance").length, 0);
    });

    it("passes both packs with zero mandatory violations", () => {
        const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
        assert.deepStrictEqual(mandatory.map((v) => `${v.policyPack}/${v.policy}: ${v.message}`), []);
        // The packs did run over this program: required-tags (advisory) notices that the defaults set no tags.
        assert.ok(violations.some((v) => v.policy === "required-tags"));
    });

});
