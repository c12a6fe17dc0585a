import * as assert from "assert";
import { EksCluster, EksClusterArgs } from "../../components/cluster/eksCluster";
import { irsaTrustProblems, leastPrivilegeProblems } from "../../lib/iam";
import { IrsaRole } from "../../components/cluster/irsa";
import { EKS_ADDON_VERSIONS } from "../../lib/versions";
import { RecordingMocks } from "../helpers/mocks";
import { settle, valueOf } from "../helpers/outputs";
import { assertValidObjects } from "../helpers/schema";
import { allowedPrincipals, logsMayUseFor } from "../helpers/logsKey";
import { childrenOf, freshMocks, ISSUER, paths, refused } from "./harness";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

async function build(args: EksClusterArgs = { network: { availabilityZones: ZONES } }): Promise<{ mocks: RecordingMocks; cluster: EksCluster }> {
    const mocks = await freshMocks();
    const cluster = new EksCluster("prod", args);
    await valueOf(cluster.kubeconfig);
    await settle();
    return { mocks, cluster };
}

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ADDON = "aws:eks/addon:Addon";

describe("EksCluster (components/cluster)", () => {
    let mocks: RecordingMocks;
    let cluster: EksCluster;
    before(async () => {
        ({ mocks, cluster } = await build());
    });

    it("runs the default Kubernetes version of the matrix", () => {
        assert.strictEqual(mocks.get(CLUSTER, "prod-cluster").inputs.version, "1.35");
    });

    it("creates one managed node group per zone, each in its zone's private subnet", () => {
        const groups = mocks.ofType(NODE_GROUP);
        assert.deepStrictEqual(groups.map((g) => g.name).sort(), ZONES.map((z) => `prod-nodes-${z}`));
        const subnets = groups.map((g) => g.inputs.subnetIds);
        assert.ok(subnets.every((s) => s.length === 1));
        assert.deepStrictEqual(subnets.map((s) => s[0]).sort(), ZONES.map((z) => `prod-network-private-${z}-id`));
    });

    it("scales the node groups 3–10 across the cluster, with rolling updates one node at a time", () => {
        const groups = mocks.ofType(NODE_GROUP);
        assert.strictEqual(groups.reduce((n, g) => n + g.inputs.scalingConfig.minSize, 0), 3);
        assert.strictEqual(groups.reduce((n, g) => n + g.inputs.scalingConfig.maxSize, 0), 10);
        assert.ok(groups.every((g) => g.inputs.updateConfig.maxUnavailable === 1));
        assert.ok(groups.every((g) => g.inputs.tags["k8s.io/cluster-autoscaler/prod"] === "owned" && g.inputs.tags["k8s.io/cluster-autoscaler/enabled"] === "true"));
    });

    it("launches every node from a template that requires IMDSv2 with hop limit 1 and an encrypted gp3 root volume", () => {
        const lt = mocks.get("aws:ec2/launchTemplate:LaunchTemplate", "prod-nodes");
        assert.deepStrictEqual(lt.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
        const ebs = lt.inputs.blockDeviceMappings[0].ebs;
        assert.deepStrictEqual([ebs.volumeType, ebs.encrypted], ["gp3", "true"]);
        assert.ok(mocks.ofType(NODE_GROUP).every((g) => g.inputs.launchTemplate.id === "prod-nodes-id" && g.inputs.launchTemplate.version === "1"));
    });

    it("encrypts secrets with a KMS key that rotates", () => {
        const c = mocks.get(CLUSTER, "prod-cluster").inputs;
        assert.deepStrictEqual(c.encryptionConfig.resources, ["secrets"]);
        assert.strictEqual(c.encryptionConfig.provider.keyArn, "arn:aws:kms:us-east-1:123456789012:key/prod-secrets");
        assert.strictEqual(mocks.get("aws:kms/key:Key", "prod-secrets").inputs.enableKeyRotation, true);
    });

    it("keeps the API endpoint private", () => {
        const v = mocks.get(CLUSTER, "prod-cluster").inputs.vpcConfig;
        assert.strictEqual(v.endpointPrivateAccess, true);
        assert.strictEqual(v.endpointPublicAccess, false);
        assert.strictEqual(v.publicAccessCidrs, undefined);
    });

    it("sends every control-plane log type to a log group with retention, created before the cluster", () => {
        const c = mocks.get(CLUSTER, "prod-cluster");
        assert.deepStrictEqual(c.inputs.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        const lg = mocks.get("aws:cloudwatch/logGroup:LogGroup", "prod-control-plane");
        assert.strictEqual(lg.inputs.name, "/aws/eks/prod/cluster");
        assert.strictEqual(lg.inputs.retentionInDays, 90);
        assert.ok(c.dependencies.includes(lg.urn));
    });

    it("encrypts the control-plane log group with its own rotating key, which CloudWatch Logs may use for that group only", async () => {
        const lg = mocks.get("aws:cloudwatch/logGroup:LogGroup", "prod-control-plane");
        const key = mocks.get("aws:kms/key:Key", "prod-control-plane-logs-key");
        const arn = "arn:aws:kms:us-east-1:123456789012:key/prod-control-plane-logs-key";
        assert.strictEqual(lg.inputs.kmsKeyId, arn);
        assert.ok(lg.dependencies.includes(key.urn), "the key exists before the group");
        assert.strictEqual(await valueOf(cluster.logsKeyArn), arn);
        assert.deepStrictEqual([key.inputs.enableKeyRotation, key.inputs.deletionWindowInDays], [true, 30]);
        const doc = JSON.parse(key.inputs.policy);
        // The account administers the key; no principal but the account and CloudWatch Logs of the region is named.
        assert.deepStrictEqual(allowedPrincipals(doc).sort(), ["AWS:arn:aws:iam::123456789012:root", "Service:logs.us-east-1.amazonaws.com"]);
        const group = (name: string) => `arn:aws:logs:us-east-1:123456789012:log-group:${name}`;
        assert.ok(logsMayUseFor(doc, "logs.us-east-1.amazonaws.com", group("/aws/eks/prod/cluster")));
        for (const other of ["/aws/eks/other/cluster", "/aws/eks/prod/cluster-copy", "/k8sprod/prod/application"]) {
            assert.ok(!logsMayUseFor(doc, "logs.us-east-1.amazonaws.com", group(other)), other);
        }
        assert.ok(!logsMayUseFor(doc, "logs.us-east-1.amazonaws.com", "arn:aws:logs:us-east-1:210987654321:log-group:/aws/eks/prod/cluster"), "another account's group");
    });

    it("encrypts the network's flow log group too, and gives both log keys the cluster's deletion window", async () => {
        const { mocks: m } = await build({ network: { availabilityZones: ZONES }, kmsDeletionWindowDays: 7 });
        const flowGroup = m.get("aws:cloudwatch/logGroup:LogGroup", "prod-network-flow-logs");
        assert.strictEqual(flowGroup.inputs.kmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/prod-network-flow-logs-key");
        const windows = ["prod-secrets", "prod-control-plane-logs-key", "prod-network-flow-logs-key"].map((k) => m.get("aws:kms/key:Key", k).inputs.deletionWindowInDays);
        assert.deepStrictEqual(windows, [7, 7, 7]);
        const own = await build({ network: { availabilityZones: ZONES, flowLogs: { kmsDeletionWindowDays: 20 } }, kmsDeletionWindowDays: 7 });
        assert.strictEqual(own.mocks.get("aws:kms/key:Key", "prod-network-flow-logs-key").inputs.deletionWindowInDays, 20);
    });

    it("uses a flow-log key the user gives for the network, whatever the cluster's deletion window", async () => {
        const given = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const { mocks: m } = await build({ network: { availabilityZones: ZONES, flowLogs: { kmsKeyArn: given } }, kmsDeletionWindowDays: 7 });
        assert.strictEqual(m.get("aws:cloudwatch/logGroup:LogGroup", "prod-network-flow-logs").inputs.kmsKeyId, given);
        assert.deepStrictEqual(m.ofType("aws:kms/key:Key").map((k) => k.name).sort(), ["prod-control-plane-logs-key", "prod-secrets"]);
    });

    it("uses a key the user gives for the control-plane logs instead of creating one", async () => {
        const given = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const { mocks: m, cluster: c } = await build({ network: { availabilityZones: ZONES }, controlPlaneLogsKmsKeyArn: given });
        assert.strictEqual(m.get("aws:cloudwatch/logGroup:LogGroup", "prod-control-plane").inputs.kmsKeyId, given);
        assert.deepStrictEqual(m.ofType("aws:kms/key:Key").map((k) => k.name).sort(), ["prod-network-flow-logs-key", "prod-secrets"]);
        assert.strictEqual(await valueOf(c.logsKeyArn), given);
    });

    it("authenticates through access entries (mode API) and creates an OIDC provider for IRSA", async () => {
        assert.strictEqual(mocks.get(CLUSTER, "prod-cluster").inputs.accessConfig.authenticationMode, "API");
        const oidc = mocks.get("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "prod-oidc");
        assert.strictEqual(oidc.inputs.url, ISSUER);
        assert.deepStrictEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
        assert.strictEqual(await valueOf(cluster.oidcProviderUrl), ISSUER.replace("https://", ""));
    });

    it("installs the core add-ons at the matrix's versions, vpc-cni enforcing NetworkPolicy", () => {
        const addons = new Map(mocks.ofType(ADDON).map((a) => [a.inputs.addonName, a.inputs]));
        for (const [name, version] of Object.entries(EKS_ADDON_VERSIONS["1.35"])) {
            assert.strictEqual(addons.get(name)?.addonVersion, version, name);
        }
        assert.deepStrictEqual(JSON.parse(addons.get("vpc-cni")!.configurationValues), { enableNetworkPolicy: "true" });
        assert.strictEqual(mocks.get(CLUSTER, "prod-cluster").inputs.bootstrapSelfManagedAddons, false);
    });

    it("starts the nodes after vpc-cni, and coredns and the EBS CSI driver after the nodes", () => {
        const urnOf = (name: string) => mocks.get(ADDON, `prod-addon-${name}`).urn;
        for (const g of mocks.ofType(NODE_GROUP)) {
            assert.ok(g.dependencies.includes(urnOf("vpc-cni")), g.name);
        }
        for (const name of ["coredns", "aws-ebs-csi-driver"]) {
            const deps = mocks.get(ADDON, `prod-addon-${name}`).dependencies;
            assert.ok(mocks.ofType(NODE_GROUP).every((g) => deps.includes(g.urn)), name);
        }
    });

    it("gives vpc-cni and the EBS CSI driver IRSA roles bound to their own service accounts, and the nodes neither policy", () => {
        const roles = new Map(mocks.ofType("aws:iam/role:Role").map((r) => [r.name, JSON.parse(r.inputs.assumeRolePolicy)]));
        const sub = (role: string) => Object.entries(roles.get(role).Statement[0].Condition.StringEquals).find(([k]) => k.endsWith(":sub"))![1];
        assert.strictEqual(sub("prod-ebs-csi-role"), "system:serviceaccount:kube-system:ebs-csi-controller-sa");
        assert.strictEqual(sub("prod-vpc-cni-role"), "system:serviceaccount:kube-system:aws-node");
        for (const role of ["prod-ebs-csi-role", "prod-vpc-cni-role"]) {
            assert.deepStrictEqual(irsaTrustProblems(roles.get(role)), [], role);
        }
        assert.strictEqual(mocks.get(ADDON, "prod-addon-aws-ebs-csi-driver").inputs.serviceAccountRoleArn, "arn:aws:iam::123456789012:role/prod-ebs-csi-role");
        const nodePolicies = mocks.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("prod-node-")).map((a) => a.inputs.policyArn).sort();
        assert.deepStrictEqual(nodePolicies, ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]);
    });

    it("writes every inline IAM policy least-privilege", () => {
        const inline = mocks.ofType("aws:iam/rolePolicy:RolePolicy");
        assert.ok(inline.length >= 2);
        for (const p of inline) {
            assert.deepStrictEqual(leastPrivilegeProblems(JSON.parse(p.inputs.policy)), [], p.name);
        }
    });

    it("creates the default StorageClass and the VolumeSnapshotClass through its own provider, valid against their schemas", async () => {
        const objects = mocks.kubernetesObjects();
        assert.deepStrictEqual(objects.map((o) => o.kind).sort(), ["StorageClass", "VolumeSnapshotClass"]);
        await assertValidObjects(objects);
        const provider = mocks.get("pulumi:providers:kubernetes", "prod-k8s");
        for (const r of mocks.registrations.filter((x) => x.type.startsWith("kubernetes:"))) {
            assert.ok(r.provider.startsWith(provider.urn), `${r.name} uses the cluster's provider`);
        }
        const sc = mocks.get("kubernetes:storage.k8s.io/v1:StorageClass", "prod-storage-class").inputs;
        assert.deepStrictEqual([sc.metadata.name, sc.parameters.type, sc.parameters.encrypted, sc.reclaimPolicy], ["gp3-encrypted", "gp3", "true", "Retain"]);
    });

    it("outputs a kubeconfig that authenticates with aws eks get-token", async () => {
        const kc = JSON.parse(await valueOf(cluster.kubeconfig));
        assert.strictEqual(kc.clusters[0].cluster.server, "https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com");
        assert.deepStrictEqual(kc.users[0].user.exec.args.slice(0, 4), ["eks", "get-token", "--cluster-name", "prod"]);
        assert.ok(kc.users[0].user.exec.args.includes("us-east-1"));
        assert.strictEqual(await valueOf(cluster.region), "us-east-1");
    });

    it("limits a public endpoint to the listed networks and adds access entries scoped as asked", async () => {
        const { mocks: m } = await build({
            network: { availabilityZones: ZONES },
            publicAccessCidrs: ["203.0.113.0/24"],
            accessEntries: [
                { name: "ops", principalArn: "arn:aws:iam::123456789012:role/ops", policy: "cluster-admin" },
                { name: "shop-devs", principalArn: "arn:aws:iam::123456789012:role/devs", policy: "edit", namespaces: ["shop"] },
            ],
        });
        const v = m.get(CLUSTER, "prod-cluster").inputs.vpcConfig;
        assert.deepStrictEqual([v.endpointPublicAccess, v.publicAccessCidrs], [true, ["203.0.113.0/24"]]);
        const assoc = m.get("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "prod-access-shop-devs").inputs;
        assert.deepStrictEqual(assoc.accessScope, { type: "namespace", namespaces: ["shop"] });
        assert.strictEqual(assoc.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy");
        assert.deepStrictEqual(m.get("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "prod-access-ops").inputs.accessScope, { type: "cluster" });
    });

    it("uses an existing network's subnets, one node group per given zone", async () => {
        const { mocks: m } = await build({
            existingNetwork: { vpcId: "vpc-1", privateSubnets: [{ availabilityZone: "eu-west-1a", subnetId: "subnet-a" }, { availabilityZone: "eu-west-1b", subnetId: "subnet-b" }] },
        });
        assert.strictEqual(m.ofType("aws:ec2/vpc:Vpc").length, 0);
        assert.deepStrictEqual(m.ofType(NODE_GROUP).map((g) => g.inputs.subnetIds[0]).sort(), ["subnet-a", "subnet-b"]);
    });

    it("creates a least-privilege IRSA role for a workload's service account", async () => {
        const { mocks: m, cluster: c } = await build();
        const role = c.serviceAccountRole("shop-api", { namespace: "shop", serviceAccount: "api", policyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::shop/*" }] }) });
        await valueOf(role.roleArn);
        await settle();
        const trust = JSON.parse(m.get("aws:iam/role:Role", "shop-api-role").inputs.assumeRolePolicy);
        assert.strictEqual(Object.values(trust.Statement[0].Condition.StringEquals)[0], "system:serviceaccount:shop:api");
        assert.ok(role instanceof IrsaRole);
    });

    describe("refuses bad input in one error naming the property, before creating anything", () => {
        const refusedWith = async (args: EksClusterArgs): Promise<{ paths: string[]; message: string; children: number }> => {
            const m = await freshMocks();
            const e = await refused(() => new EksCluster("prod", args));
            return { paths: paths(e), message: e.message, children: childrenOf(m, "k8sprod:cluster:EksCluster").length };
        };

        it("one zone", async () => {
            const r = await refusedWith({ network: { availabilityZones: ["us-east-1a"] } });
            assert.deepStrictEqual(r.paths, ["network.availabilityZones"]);
            assert.strictEqual(r.children, 0);
        });

        it("overlapping CIDRs", async () => {
            const r = await refusedWith({ network: { availabilityZones: ["us-east-1a", "us-east-1b"], privateSubnetCidrs: ["10.0.0.0/19", "10.0.16.0/20"], publicSubnetCidrs: ["10.0.96.0/24", "10.0.97.0/24"] } });
            assert.deepStrictEqual(r.paths, ["network.privateSubnetCidrs[1]"]);
            assert.match(r.message, /overlaps/);
            assert.strictEqual(r.children, 0);
        });

        it("unknown version", async () => {
            const r = await refusedWith({ kubernetesVersion: "1.29", network: { availabilityZones: ZONES } });
            assert.deepStrictEqual(r.paths, ["kubernetesVersion"]);
            assert.match(r.message, /1\.29 is not supported; choose one of 1\.33, 1\.34, 1\.35/);
            assert.strictEqual(r.children, 0);
        });

        it("min > max", async () => {
            const r = await refusedWith({ network: { availabilityZones: ZONES }, nodeGroup: { minNodes: 6, maxNodes: 4 } });
            assert.deepStrictEqual(r.paths, ["nodeGroup.minNodes"]);
            assert.match(r.message, /minNodes 6 is greater than maxNodes 4/);
            assert.strictEqual(r.children, 0);
        });

        it("empty instance types", async () => {
            const r = await refusedWith({ network: { availabilityZones: ZONES }, nodeGroup: { instanceTypes: [] } });
            assert.deepStrictEqual(r.paths, ["nodeGroup.instanceTypes"]);
            assert.strictEqual(r.children, 0);
        });

        it("a public endpoint open to the internet", async () => {
            const r = await refusedWith({ network: { availabilityZones: ZONES }, publicAccessCidrs: ["0.0.0.0/0"] });
            assert.deepStrictEqual(r.paths, ["publicAccessCidrs[0]"]);
        });

        it("a control-plane logs key that is not a KMS key ARN", async () => {
            const r = await refusedWith({ network: { availabilityZones: ZONES }, controlPlaneLogsKmsKeyArn: "alias/logs" });
            assert.deepStrictEqual(r.paths, ["controlPlaneLogsKmsKeyArn"]);
            assert.match(r.message, /"alias\/logs" is not a KMS key ARN/);
            assert.strictEqual(r.children, 0);
        });

        it("every problem at once", async () => {
            const r = await refusedWith({ kubernetesVersion: "2.0", network: { availabilityZones: ["us-east-1a"] }, nodeGroup: { minNodes: 5, maxNodes: 2, instanceTypes: ["huge"] }, logRetentionDays: 10 });
            assert.deepStrictEqual(r.paths.sort(), ["kubernetesVersion", "logRetentionDays", "network.availabilityZones", "nodeGroup.instanceTypes[0]", "nodeGroup.minNodes"]);
        });
    });
});
