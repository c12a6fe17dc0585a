import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2019 from "ajv/dist/2019";
import * as YAML from "yaml";
import { defaultStorageClass, vpcCniConfiguration, volumeSnapshotClass, addonVersion } from "../../components/cluster/addons";
import { ebsCsiConfiguration } from "../../components/cluster/eksCluster";
import {
    clusterTrustPolicy, irsaTrustPolicy, irsaTrustProblems, leastPrivilegeProblems, logsKeyPolicy, nodeTrustPolicy, PolicyDocument, secretsKeyUsePolicy,
} from "../../lib/iam";
import { arnLike, logsMayUseFor } from "../helpers/logsKey";
import { policyDocumentProblem } from "../../components/cluster/irsa";
import { kubeconfigFor, regionOfArn } from "../../components/cluster/kubeconfig";
import { autoscalerDiscoveryTags, distributeNodes, launchTemplateSettings } from "../../components/cluster/nodes";
import { EKS_ADDON_NAMES, EKS_ADDON_VERSIONS, SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/versions";
import { assertValidObjects, schemaErrors } from "../helpers/schema";

const FIXTURES = path.join(__dirname, "..", "..", "..", "tests", "cluster", "fixtures");
const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
const ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC";

describe("cluster building blocks (pure)", () => {
    describe("node groups", () => {
        it("splits the seed's 3–10 nodes over three zones so the totals hold", () => {
            const s = distributeNodes(3, 3, 10, 3);
            assert.deepStrictEqual(s, [{ minSize: 1, maxSize: 4, desiredSize: 1 }, { minSize: 1, maxSize: 3, desiredSize: 1 }, { minSize: 1, maxSize: 3, desiredSize: 1 }]);
            assert.strictEqual(s.reduce((n, z) => n + z.maxSize, 0), 10);
        });

        it("requires IMDSv2 with hop limit 1 and an encrypted gp3 root volume", () => {
            const lt = launchTemplateSettings(50);
            assert.deepStrictEqual(lt.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
            assert.deepStrictEqual(lt.blockDeviceMappings[0].ebs, { volumeSize: 50, volumeType: "gp3", iops: 3000, throughput: 125, encrypted: "true", deleteOnTermination: "true" });
        });

        it("tags node groups for cluster-autoscaler auto-discovery", () => {
            assert.deepStrictEqual(autoscalerDiscoveryTags("prod"), { "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/prod": "owned" });
        });
    });

    describe("IAM documents", () => {
        it("a CloudWatch Logs key policy: the account administers it, CloudWatch Logs of the partition and region uses it for the named groups only", () => {
            const doc = logsKeyPolicy({ account: "123456789012", region: "cn-north-1", partition: "aws-cn", dnsSuffix: "amazonaws.com.cn", logGroupNames: ["/aws/eks/prod/cluster", "/k8sprod/prod/*"] });
            assert.deepStrictEqual(doc.Statement[0].Principal, { AWS: "arn:aws-cn:iam::123456789012:root" });
            const service = "logs.cn-north-1.amazonaws.com.cn";
            const group = (name: string) => `arn:aws-cn:logs:cn-north-1:123456789012:log-group:${name}`;
            assert.ok(logsMayUseFor(doc, service, group("/aws/eks/prod/cluster")));
            assert.ok(logsMayUseFor(doc, service, group("/k8sprod/prod/audit")));
            assert.ok(!logsMayUseFor(doc, service, group("/k8sprod/staging/audit")));
            assert.ok(!logsMayUseFor(doc, service, group("/aws/eks/prod/cluster2")));
            assert.ok(!logsMayUseFor(doc, "logs.cn-north-1.amazonaws.com", group("/aws/eks/prod/cluster")), "the principal carries the partition's DNS suffix");
            // The service may encrypt and decrypt, nothing that administers the key.
            assert.deepStrictEqual(doc.Statement[1].Action, ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]);
            assert.throws(() => logsKeyPolicy({ account: "123456789012", region: "us-east-1", logGroupNames: [] }), /at least one log group/);
        });

        it("the test's ArnLike reading can say no: a wildcard matches within its pattern only", () => {
            assert.ok(arnLike("arn:aws:logs:us-east-1:1:log-group:/k8sprod/prod/*", "arn:aws:logs:us-east-1:1:log-group:/k8sprod/prod/a"));
            assert.ok(!arnLike("arn:aws:logs:us-east-1:1:log-group:/k8sprod/prod/*", "arn:aws:logs:us-east-1:1:log-group:/k8sprod/prodx/a"));
            assert.ok(!arnLike("arn:aws:logs:us-east-1:1:log-group:a.b", "arn:aws:logs:us-east-1:1:log-group:aXb"));
        });

        it("binds an IRSA trust policy to one service account and the STS audience", () => {
            const doc = irsaTrustPolicy(PROVIDER, ISSUER, "kube-system", "ebs-csi-controller-sa");
            const s = doc.Statement[0];
            assert.deepStrictEqual(s.Principal, { Federated: PROVIDER });
            assert.strictEqual(s.Action, "sts:AssumeRoleWithWebIdentity");
            assert.deepStrictEqual(s.Condition, {
                StringEquals: {
                    "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
                    "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                },
            });
            assert.deepStrictEqual(irsaTrustProblems(doc), []);
        });

        it("finds an IRSA trust policy that pins nothing, or pins sub with a wildcard", () => {
            const loose: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: PROVIDER }, Action: "sts:AssumeRoleWithWebIdentity" }] };
            assert.strictEqual(irsaTrustProblems(loose).length, 2);
            const wildcard = irsaTrustPolicy(PROVIDER, ISSUER, "kube-system", "x");
            (wildcard.Statement[0].Condition!.StringEquals as Record<string, string>)["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"] = "system:serviceaccount:kube-system:*";
            assert.match(irsaTrustProblems(wildcard).join(), /sub/);
        });

        it("lets the control plane use only its secrets key, and create grants only for AWS resources", () => {
            const doc = secretsKeyUsePolicy("arn:aws:kms:us-east-1:123456789012:key/k");
            assert.deepStrictEqual(leastPrivilegeProblems(doc), []);
            assert.ok(doc.Statement.every((s) => s.Resource === "arn:aws:kms:us-east-1:123456789012:key/k"));
            const grant = doc.Statement.find((s) => s.Action === "kms:CreateGrant")!;
            assert.deepStrictEqual(grant.Condition, { Bool: { "kms:GrantIsForAWSResource": true } });
        });

        it("trusts only the EKS and EC2 services for the cluster and node roles", () => {
            assert.deepStrictEqual(clusterTrustPolicy().Statement[0].Principal, { Service: "eks.amazonaws.com" });
            assert.deepStrictEqual(nodeTrustPolicy().Statement[0].Principal, { Service: "ec2.amazonaws.com" });
        });

        it("finds wildcard actions, NotAction and unconditioned writes on every resource", () => {
            const found = leastPrivilegeProblems({
                Version: "2012-10-17", Statement: [
                    { Sid: "a", Effect: "Allow", Action: "*", Resource: "*" },
                    { Sid: "b", Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::b" },
                    { Sid: "c", Effect: "Allow", NotAction: "iam:*", Resource: "*" },
                    { Sid: "d", Effect: "Allow", Action: ["ec2:TerminateInstances"], Resource: "*" },
                    { Sid: "e", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
                    { Sid: "f", Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"], Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned" } } },
                ],
            });
            assert.strictEqual(found.length, 4, found.join("\n"));
            assert.ok(found.some((f) => f.startsWith("statement a")) && found.some((f) => f.startsWith("statement b")));
            assert.ok(found.some((f) => f.startsWith("statement c")) && found.some((f) => f.startsWith("statement d")));
        });

        it("refuses an inline policy that is not JSON or not least privilege", () => {
            assert.match(policyDocumentProblem("{") ?? "", /not JSON/);
            assert.match(policyDocumentProblem(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] })) ?? "", /not least privilege/);
            assert.strictEqual(policyDocumentProblem(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] })), undefined);
        });
    });

    describe("add-ons and storage", () => {
        it("has a version of every add-on for every supported Kubernetes minor, kube-proxy matching the minor", () => {
            for (const v of SUPPORTED_KUBERNETES_VERSIONS) {
                for (const a of EKS_ADDON_NAMES) {
                    assert.match(EKS_ADDON_VERSIONS[v][a], /^v\d+\.\d+\.\d+-eksbuild\.\d+$/, `${a} on ${v}`);
                }
                assert.ok(EKS_ADDON_VERSIONS[v]["kube-proxy"].startsWith(`v${v}.`), `kube-proxy on ${v}`);
            }
            assert.strictEqual(addonVersion("1.35", "coredns", { coredns: "v9.9.9-eksbuild.1" }), "v9.9.9-eksbuild.1");
        });

        it("turns NetworkPolicy enforcement on in the VPC CNI with the string \"true\"", () => {
            assert.deepStrictEqual(vpcCniConfiguration(), { enableNetworkPolicy: "true" });
        });

        it("sets only EBS CSI values that the chart's values.yaml has and its schema accepts", () => {
            const values = ebsCsiConfiguration({ Project: "shop", Environment: "prod" });
            const defaults = YAML.parse(fs.readFileSync(path.join(FIXTURES, "aws-ebs-csi-driver", "values.yaml"), "utf8"));
            assert.ok("extraVolumeTags" in defaults.controller, "controller.extraVolumeTags is a chart value");
            const schema = JSON.parse(fs.readFileSync(path.join(FIXTURES, "aws-ebs-csi-driver", "values.schema.json"), "utf8"));
            const validate = new Ajv2019({ strict: false, allErrors: true }).compile(schema);
            assert.ok(validate(values), JSON.stringify(validate.errors));
            assert.ok(!validate({ controller: { extraVolumeTag: {} } }), "the schema refuses a misspelt key");
        });

        it("emits a default encrypted gp3 StorageClass and a VolumeSnapshotClass that pass their schemas", async () => {
            const sc = defaultStorageClass("gp3-encrypted", "Retain");
            const vsc = volumeSnapshotClass("ebs-snapshots", "Delete");
            await assertValidObjects([sc, vsc]);
            assert.strictEqual(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
            assert.deepStrictEqual([sc.parameters.type, sc.parameters.encrypted, sc.volumeBindingMode], ["gp3", "true", "WaitForFirstConsumer"]);
            assert.ok((await schemaErrors({ ...vsc, deletionPolicy: "Keep" })).some((e) => e.includes("deletionPolicy")));
        });
    });

    it("writes a kubeconfig that gets a token from the AWS CLI for the cluster's region", () => {
        const cfg = kubeconfigFor({ clusterName: "prod", endpoint: "https://x", certificateAuthorityData: "Q0E=", region: regionOfArn("arn:aws:eks:eu-west-1:123456789012:cluster/prod") });
        assert.strictEqual(cfg.clusters[0].cluster.server, "https://x");
        assert.deepStrictEqual(cfg.users[0].user.exec.args, ["eks", "get-token", "--cluster-name", "prod", "--output", "json", "--region", "eu-west-1"]);
        assert.strictEqual(regionOfArn("not-an-arn"), undefined);
    });
});
