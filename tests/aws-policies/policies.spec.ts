// The k8sprod-aws pack through the offline engine's analyzer path (the handlers @pulumi/policy serves): a
// happy-path resource per policy, then one field changed per case.
import * as assert from "assert";
import * as path from "path";
import { analyze, EngineResource, EngineViolation, evaluate, loadPack, PackHandle, resolvePackConfig } from "../../cli/engine/analyzer";
import { irsaTrustPolicy } from "../../lib/iam";
import { policies } from "../../policies/aws/policies";
import { repoRoot, withChange } from "../helpers/policy";

let pack: PackHandle | undefined;
function awsPack(): PackHandle {
    pack ??= loadPack(path.join(repoRoot, "policies", "aws"));
    return pack;
}

const urn = (type: string, name: string) => `urn:pulumi:test::k8sprod::${type}::${name}`;
function res(type: string, name: string, properties: Record<string, any>, dependencies: string[] = []): EngineResource {
    return { urn: urn(type, name), type, name, properties, dependencies };
}

const ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC";
const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
const TAGS = { Project: "shop", Environment: "prod" };

const CLUSTER = {
    name: "prod", version: "1.35", roleArn: "arn:aws:iam::123456789012:role/c", tags: TAGS,
    vpcConfig: { subnetIds: ["subnet-a", "subnet-b", "subnet-c"], endpointPrivateAccess: true, endpointPublicAccess: false },
    encryptionConfig: { provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:key/k" }, resources: ["secrets"] },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
};
const LAUNCH_TEMPLATE = { tags: TAGS, metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } };
const NODE_GROUP = {
    clusterName: "prod", tags: { ...TAGS, "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/prod": "owned" },
    scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 1 }, launchTemplate: { id: "lt-1", version: "1" },
};
const KEY = { enableKeyRotation: true, tags: TAGS };
const LOG_GROUP = { name: "/aws/eks/prod/cluster", retentionInDays: 90, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", tags: TAGS };
const IRSA_ROLE = { assumeRolePolicy: JSON.stringify(irsaTrustPolicy(PROVIDER, ISSUER, "kube-system", "ebs-csi-controller-sa")), tags: TAGS };

function stack(zones: string[] = ["us-east-1a", "us-east-1b", "us-east-1c"]): EngineResource[] {
    const subnets = zones.map((z, i) => res("aws:ec2/subnet:Subnet", `private-${i}`, { availabilityZone: z, cidrBlock: `10.0.${i * 32}.0/19`, tags: TAGS }));
    return [...subnets, res("aws:eks/cluster:Cluster", "prod-cluster", CLUSTER, subnets.map((s) => s.urn))];
}

async function violations(resources: EngineResource[], config?: Record<string, any>): Promise<EngineViolation[]> {
    return analyze([awsPack()], resources, config);
}
async function only(policy: string, resources: EngineResource[], config?: Record<string, any>): Promise<EngineViolation[]> {
    return (await violations(resources, config)).filter((v) => v.policy === policy);
}
async function assertOne(policy: string, resources: EngineResource[], contains: string[], config?: Record<string, any>): Promise<void> {
    const found = await only(policy, resources, config);
    assert.ok(found.some((v) => contains.every((c) => v.message.includes(c))), `expected ${policy} ${JSON.stringify(contains)}; got ${JSON.stringify(found.map((v) => v.message))}`);
}
async function assertNone(policy: string, resources: EngineResource[], config?: Record<string, any>): Promise<void> {
    assert.deepStrictEqual((await only(policy, resources, config)).map((v) => v.message), []);
}

describe("k8sprod-aws policy pack", () => {
    it("loads as pack k8sprod-aws with every policy the issue names, each described and messaged by convention", () => {
        assert.strictEqual(awsPack().name, "k8sprod-aws");
        assert.deepStrictEqual(awsPack().policies.map((p) => p.name).sort(), [
            "ecr-immutable-tags", "ecr-kms-encryption", "ecr-scan-on-push", "eks-control-plane-logging", "eks-multi-az", "eks-private-endpoint", "eks-secrets-encryption", "eks-supported-version",
            "irsa-trust-scoped", "kms-key-rotation", "log-group-encryption", "log-group-retention", "backup-bucket-protection", "node-group-autoscaling-tags", "require-imdsv2", "required-tags",
        ].sort());
        assert.ok(policies.every((p) => p.description?.startsWith("Checks whether") && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(p.name)));
    });

    it("reports nothing on a compliant stack", async () => {
        const all = [
            ...stack(),
            res("aws:ec2/launchTemplate:LaunchTemplate", "lt", LAUNCH_TEMPLATE),
            res("aws:eks/nodeGroup:NodeGroup", "ng", NODE_GROUP),
            res("aws:kms/key:Key", "key", KEY),
            res("aws:cloudwatch/logGroup:LogGroup", "logs", LOG_GROUP),
            res("aws:iam/role:Role", "irsa", IRSA_ROLE),
        ];
        assert.deepStrictEqual((await violations(all)).map((v) => `${v.policy}: ${v.message}`), []);
    });

    describe("eks-multi-az", () => {
        it("reports a cluster whose subnets sit in one zone, naming the zones", async () => {
            await assertOne("eks-multi-az", stack(["us-east-1a", "us-east-1a"]), ["EKS cluster \"prod-cluster\"", "span 1 availability zone (us-east-1a)", "fewer than the 2 required"]);
        });
        it("takes the minimum from config", async () => {
            await assertNone("eks-multi-az", stack(["us-east-1a", "us-east-1b"]));
            await assertOne("eks-multi-az", stack(["us-east-1a", "us-east-1b"]), ["span 2 availability zones"], { "eks-multi-az": { minZones: 3 } });
        });
        it("refuses a minimum below 2 in config", () => {
            assert.throws(() => resolvePackConfig(awsPack(), { "eks-multi-az": { minZones: 1 } }), /minZones/);
        });
    });

    describe("EKS cluster settings", () => {
        const cluster = (change: (c: any) => void) => [res("aws:eks/cluster:Cluster", "prod-cluster", withChange(CLUSTER, change))];
        it("eks-secrets-encryption: no encryption config", async () => {
            await assertOne("eks-secrets-encryption", cluster((c) => delete c.encryptionConfig), ["encryptionConfig", "\"secrets\""]);
        });
        it("eks-private-endpoint: public endpoint with no CIDRs (also when unset, as EKS defaults it on)", async () => {
            await assertOne("eks-private-endpoint", cluster((c) => (c.vpcConfig.endpointPublicAccess = true)), ["endpointPublicAccess", "whole internet"]);
            await assertOne("eks-private-endpoint", cluster((c) => delete c.vpcConfig.endpointPublicAccess), ["publicAccessCidrs is not set"]);
        });
        it("eks-private-endpoint: accepts a public endpoint limited to listed networks, refuses 0.0.0.0/0", async () => {
            await assertNone("eks-private-endpoint", cluster((c) => Object.assign(c.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] })));
            await assertOne("eks-private-endpoint", cluster((c) => Object.assign(c.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })), ["includes 0.0.0.0/0"]);
        });
        it("eks-private-endpoint: private access off", async () => {
            await assertOne("eks-private-endpoint", cluster((c) => (c.vpcConfig.endpointPrivateAccess = false)), ["endpointPrivateAccess"]);
        });
        it("eks-control-plane-logging: a missing log type", async () => {
            await assertOne("eks-control-plane-logging", cluster((c) => (c.enabledClusterLogTypes = ["api", "audit"])), ["lacks authenticator, controllerManager, scheduler"]);
        });
        it("eks-supported-version: outside the range, and unset", async () => {
            await assertOne("eks-supported-version", cluster((c) => (c.version = "1.29")), ["version 1.29 is outside the supported range", "1.33, 1.34, 1.35"]);
            await assertOne("eks-supported-version", cluster((c) => delete c.version), ["version is not set"]);
        });
        it("skips a resource exempted by name in config, with its reason", async () => {
            await assertNone("eks-supported-version", cluster((c) => (c.version = "1.29")), { "eks-supported-version": { exemptions: [{ name: "prod-cluster", reason: "upgrade scheduled" }] } });
        });
    });

    describe("nodes", () => {
        it("require-imdsv2: optional tokens, a hop limit of 2, and a node group with no launch template", async () => {
            await assertOne("require-imdsv2", [res("aws:ec2/launchTemplate:LaunchTemplate", "lt", withChange(LAUNCH_TEMPLATE, (t) => (t.metadataOptions.httpTokens = "optional")))], ["httpTokens is \"optional\""]);
            await assertOne("require-imdsv2", [res("aws:ec2/launchTemplate:LaunchTemplate", "lt", withChange(LAUNCH_TEMPLATE, (t) => (t.metadataOptions.httpPutResponseHopLimit = 2)))], ["httpPutResponseHopLimit is 2"]);
            await assertOne("require-imdsv2", [res("aws:eks/nodeGroup:NodeGroup", "ng", withChange(NODE_GROUP, (n: any) => delete n.launchTemplate))], ["launchTemplate is not set"]);
            await assertOne("require-imdsv2", [res("aws:ec2/instance:Instance", "vm", { tags: TAGS })], ["httpTokens is not set"]);
        });
        it("node-group-autoscaling-tags: missing cluster tag, and no room to scale", async () => {
            await assertOne("node-group-autoscaling-tags", [res("aws:eks/nodeGroup:NodeGroup", "ng", withChange(NODE_GROUP, (n: any) => delete n.tags["k8s.io/cluster-autoscaler/prod"]))], ["\"k8s.io/cluster-autoscaler/prod\": \"owned\""]);
            await assertOne("node-group-autoscaling-tags", [res("aws:eks/nodeGroup:NodeGroup", "ng", withChange(NODE_GROUP, (n: any) => (n.scalingConfig.maxSize = 1)))], ["maxSize 1 is not above minSize 1"]);
        });
    });

    describe("keys, logs, IAM, tags", () => {
        it("kms-key-rotation: rotation off on a symmetric key, not on an asymmetric one", async () => {
            await assertOne("kms-key-rotation", [res("aws:kms/key:Key", "key", { tags: TAGS })], ["enableKeyRotation is not true"]);
            await assertNone("kms-key-rotation", [res("aws:kms/key:Key", "sign", { tags: TAGS, customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" })]);
        });
        it("kms-key-rotation: at level remediate, turns rotation on instead of reporting", async () => {
            const ev = await evaluate([awsPack()], [res("aws:kms/key:Key", "key", { tags: TAGS, enableKeyRotation: false })], { "kms-key-rotation": "remediate" });
            const fix = ev.remediations.find((r) => r.policy === "kms-key-rotation");
            assert.strictEqual(fix?.properties?.enableKeyRotation, true);
            assert.deepStrictEqual(ev.violations.filter((v) => v.policy === "kms-key-rotation"), []);
        });
        it("log-group-retention: none, and too short", async () => {
            await assertOne("log-group-retention", [res("aws:cloudwatch/logGroup:LogGroup", "logs", { tags: TAGS })], ["kept and billed forever"]);
            await assertOne("log-group-retention", [res("aws:cloudwatch/logGroup:LogGroup", "logs", { ...LOG_GROUP, retentionInDays: 7 })], ["retentionInDays is 7"]);
        });
        it("log-group-encryption: advisory, a group without kmsKeyId (an empty one too)", async () => {
            const v = await only("log-group-encryption", [res("aws:cloudwatch/logGroup:LogGroup", "logs", { ...LOG_GROUP, kmsKeyId: undefined })]);
            assert.strictEqual(v.length, 1);
            assert.strictEqual(v[0].enforcementLevel, "advisory");
            assert.match(v[0].message, /Log group "logs": kmsKeyId is not set/);
            assert.strictEqual((await only("log-group-encryption", [res("aws:cloudwatch/logGroup:LogGroup", "logs", { ...LOG_GROUP, kmsKeyId: " " })])).length, 1);
            await assertNone("log-group-encryption", [res("aws:cloudwatch/logGroup:LogGroup", "logs", LOG_GROUP)]);
        });
        it("irsa-trust-scoped: a web-identity trust with no conditions, or a wildcard sub", async () => {
            const open = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: PROVIDER }, Action: "sts:AssumeRoleWithWebIdentity" }] });
            await assertOne("irsa-trust-scoped", [res("aws:iam/role:Role", "r", { assumeRolePolicy: open, tags: TAGS })], ["sub", "aud"]);
            const wild = irsaTrustPolicy(PROVIDER, ISSUER, "kube-system", "x");
            (wild.Statement[0].Condition!.StringEquals as any)["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"] = "system:serviceaccount:*:*";
            await assertOne("irsa-trust-scoped", [res("aws:iam/role:Role", "r", { assumeRolePolicy: JSON.stringify(wild), tags: TAGS })], ["does not pin the token's sub"]);
            await assertNone("irsa-trust-scoped", [res("aws:iam/role:Role", "svc", { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }] }), tags: TAGS })]);
        });
        it("required-tags: advisory, with the keys from config", async () => {
            const v = await only("required-tags", [res("aws:ec2/vpc:Vpc", "vpc", { tags: { Project: "shop" } })]);
            assert.strictEqual(v.length, 1);
            assert.strictEqual(v[0].enforcementLevel, "advisory");
            assert.match(v[0].message, /tags lack Environment/);
            await assertOne("required-tags", [res("aws:ec2/vpc:Vpc", "vpc", { tags: TAGS })], ["lack Owner"], { "required-tags": { tags: ["Owner"] } });
        });
    });

    describe("during preview (values unknown until deployment)", () => {
        // The SDK's unknown-value sentinels, as a preview sends them (@pulumi/policy proxy.ts).
        const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
        const notRun = (vs: EngineViolation[], policy: string) => vs.filter((v) => v.policy === policy && /^can't run policy .* during preview: /.test(v.message));
        const violated = (vs: EngineViolation[], policy: string) => vs.filter((v) => v.policy === policy && !/during preview: /.test(v.message));

        it("eks-secrets-encryption decides with the key's ARN unknown: a keyArn that is set is a key", async () => {
            const unknownKey = { ...CLUSTER, encryptionConfig: { provider: { keyArn: UNKNOWN_STRING }, resources: ["secrets"] } };
            const vs = await violations([res("aws:eks/cluster:Cluster", "c", unknownKey)]);
            assert.deepStrictEqual([...notRun(vs, "eks-secrets-encryption"), ...violated(vs, "eks-secrets-encryption")], []);
        });

        it("eks-secrets-encryption still reports a config that leaves secrets out, whatever the key", async () => {
            const noSecrets = { ...CLUSTER, encryptionConfig: { provider: { keyArn: UNKNOWN_STRING }, resources: ["configmaps"] } };
            const vs = await violations([res("aws:eks/cluster:Cluster", "c", noSecrets)]);
            assert.strictEqual(violated(vs, "eks-secrets-encryption").length, 1);
        });

        it("eks-secrets-encryption cannot decide when the encryption config itself is unknown", async () => {
            const vs = await violations([res("aws:eks/cluster:Cluster", "c", { ...CLUSTER, encryptionConfig: UNKNOWN_OBJECT })]);
            assert.strictEqual(notRun(vs, "eks-secrets-encryption").length, 1);
            assert.strictEqual(violated(vs, "eks-secrets-encryption").length, 0);
        });

        it("log-group-encryption decides with the key's ARN unknown: a kmsKeyId that is set names a customer-managed key", async () => {
            const vs = await violations([res("aws:cloudwatch/logGroup:LogGroup", "logs", { ...LOG_GROUP, kmsKeyId: UNKNOWN_STRING })]);
            assert.deepStrictEqual([...notRun(vs, "log-group-encryption"), ...violated(vs, "log-group-encryption")], []);
        });

        it("log-group-encryption still reports a group without kmsKeyId (or an empty one) while its other values are unknown", async () => {
            const { kmsKeyId: _k, ...noKey } = LOG_GROUP;
            for (const props of [{ ...noKey, name: UNKNOWN_STRING }, { ...LOG_GROUP, name: UNKNOWN_STRING, kmsKeyId: "" }]) {
                const vs = await violations([res("aws:cloudwatch/logGroup:LogGroup", "logs", props)]);
                assert.strictEqual(violated(vs, "log-group-encryption").length, 1, JSON.stringify(props));
                assert.match(violated(vs, "log-group-encryption")[0].message, /kmsKeyId is not set/);
                assert.strictEqual(notRun(vs, "log-group-encryption").length, 0);
            }
        });

        it("require-imdsv2 decides on a node group whose launch template is set but unknown, and still reports one without", async () => {
            const unknownTemplate = await violations([res("aws:eks/nodeGroup:NodeGroup", "ng", { ...NODE_GROUP, launchTemplate: UNKNOWN_OBJECT })]);
            assert.deepStrictEqual([...notRun(unknownTemplate, "require-imdsv2"), ...violated(unknownTemplate, "require-imdsv2")], []);
            const { launchTemplate: _t, ...noTemplate } = NODE_GROUP;
            const missing = await violations([res("aws:eks/nodeGroup:NodeGroup", "ng", { ...noTemplate, clusterName: UNKNOWN_STRING })]);
            assert.strictEqual(violated(missing, "require-imdsv2").length, 1);
            assert.match(violated(missing, "require-imdsv2")[0].message, /launchTemplate is not set/);
        });

        it("require-imdsv2 cannot decide on a launch template whose metadata options are unknown (their content matters)", async () => {
            const vs = await violations([res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { ...LAUNCH_TEMPLATE, metadataOptions: UNKNOWN_OBJECT })]);
            assert.strictEqual(notRun(vs, "require-imdsv2").length, 1);
            assert.strictEqual(violated(vs, "require-imdsv2").length, 0);
        });

        it("irsa-trust-scoped cannot decide on a trust document that is wholly unknown (a JSON string computed from the OIDC provider)", async () => {
            const vs = await violations([res("aws:iam/role:Role", "r", { assumeRolePolicy: UNKNOWN_STRING, tags: TAGS })]);
            assert.strictEqual(notRun(vs, "irsa-trust-scoped").length, 1);
            assert.strictEqual(violated(vs, "irsa-trust-scoped").length, 0);
        });

        it("irsa-trust-scoped checks the known parts of a partly unknown document: a wildcard sub is reported even with the provider unknown", async () => {
            const doc = {
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow", Principal: { Federated: UNKNOWN_STRING }, Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringLike: { "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:*" } },
                }],
            };
            const vs = await violations([res("aws:iam/role:Role", "r", { assumeRolePolicy: doc, tags: TAGS })]);
            assert.strictEqual(violated(vs, "irsa-trust-scoped").length, 0, "the provider is unknown: an OIDC principal is not proven");
            assert.strictEqual(notRun(vs, "irsa-trust-scoped").length, 1);
            const known = { ...doc, Statement: [{ ...doc.Statement[0], Principal: { Federated: PROVIDER } }] };
            const vs2 = await violations([res("aws:iam/role:Role", "r", { assumeRolePolicy: known, tags: TAGS })]);
            assert.ok(violated(vs2, "irsa-trust-scoped").some((v) => /does not pin the token's sub/.test(v.message)), JSON.stringify(vs2));
        });

        it("irsa-trust-scoped is undecided only about the unknown condition, and passes a document whose parts are all known and scoped", async () => {
            const base = irsaTrustPolicy(PROVIDER, ISSUER, "kube-system", "x");
            const unknownCondition = { ...base, Statement: [{ ...base.Statement[0], Condition: UNKNOWN_OBJECT }] };
            const vs = await violations([res("aws:iam/role:Role", "r", { assumeRolePolicy: unknownCondition, tags: TAGS })]);
            assert.strictEqual(notRun(vs, "irsa-trust-scoped").length, 1);
            assert.match(notRun(vs, "irsa-trust-scoped")[0].message, /Condition/);
            const service = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole", Condition: UNKNOWN_OBJECT }] };
            const vs2 = await violations([res("aws:iam/role:Role", "svc", { assumeRolePolicy: service, tags: TAGS })]);
            assert.deepStrictEqual(vs2.filter((v) => v.policy === "irsa-trust-scoped"), [], "a service-principal trust is not a web-identity trust, whatever its condition");
            const vs3 = await violations([res("aws:iam/role:Role", "ok", { assumeRolePolicy: base, tags: TAGS })]);
            assert.deepStrictEqual(vs3.filter((v) => v.policy === "irsa-trust-scoped"), []);
        });
    });
});
