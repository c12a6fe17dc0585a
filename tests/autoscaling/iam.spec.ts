import * as assert from "assert";
import { ClusterAutoscaler } from "../../components/autoscaling/clusterAutoscaler";
import {
    CLUSTER_AUTOSCALER_READ_ACTIONS, CLUSTER_AUTOSCALER_WRITE_ACTIONS, clusterAutoscalerPolicy,
} from "../../components/autoscaling/iam";
import { PolicyDocument, PolicyStatement, irsaTrustProblems, leastPrivilegeProblems } from "../../lib/iam";
import { CLUSTER, ROLE, ROLE_POLICY, deploy } from "./harness";

/**
 * The actions of the "Full Cluster Autoscaler Features Policy (Recommended)" in kubernetes/autoscaler
 * cluster-autoscaler/cloudprovider/aws/README.md (master, 2026), plus autoscaling:DescribeTags from the
 * EKS best-practices guide's cluster-autoscaler least-privilege list. Copied here so that a change to the
 * component's list is a deliberate one.
 */
const UPSTREAM_READ = [
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
    "eks:DescribeNodegroup",
];
const UPSTREAM_WRITE = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const isRead = (a: string) => /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]*$/.test(a);

/** Statements that allow `action`. */
function allowing(doc: PolicyDocument, action: string): PolicyStatement[] {
    return doc.Statement.filter((s) => s.Effect === "Allow" && list(s.Action).includes(action));
}

async function deployedDocuments(extra: Record<string, unknown> = {}): Promise<{ trust: PolicyDocument; permissions: PolicyDocument }> {
    const mocks = await deploy(() => new ClusterAutoscaler("ca", { ...CLUSTER, ...extra }));
    return {
        trust: JSON.parse(mocks.get(ROLE, "ca-irsa-role").inputs.assumeRolePolicy),
        permissions: JSON.parse(mocks.get(ROLE_POLICY, "ca-irsa-inline").inputs.policy),
    };
}

describe("ClusterAutoscaler IAM", () => {
    it("lets only its own service account assume the role: sub and aud pinned with StringEquals", async () => {
        const { trust } = await deployedDocuments();
        assert.deepStrictEqual(irsaTrustProblems(trust), []);
        assert.strictEqual(trust.Statement.length, 1);
        const s = trust.Statement[0];
        assert.deepStrictEqual(s.Principal, { Federated: CLUSTER.oidcProviderArn });
        assert.deepStrictEqual(list(s.Action), ["sts:AssumeRoleWithWebIdentity"]);
        assert.deepStrictEqual(s.Condition, {
            StringEquals: {
                "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub": "system:serviceaccount:kube-system:cluster-autoscaler",
                "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:aud": "sts.amazonaws.com",
            },
        });
    });

    it("binds the trust to the namespace and service account the chart is given", async () => {
        const { trust } = await deployedDocuments({ namespace: "autoscaling", serviceAccountName: "ca-prod" });
        const eq = trust.Statement[0].Condition!.StringEquals;
        assert.strictEqual(eq["oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub"], "system:serviceaccount:autoscaling:ca-prod");
    });

    it("grants the upstream recommended actions and nothing else", async () => {
        const { permissions } = await deployedDocuments();
        const granted = permissions.Statement.flatMap((s) => list(s.Action)).sort();
        assert.deepStrictEqual(granted, [...UPSTREAM_READ, ...UPSTREAM_WRITE].sort());
        assert.deepStrictEqual([...CLUSTER_AUTOSCALER_READ_ACTIONS].sort(), [...UPSTREAM_READ].sort());
        assert.deepStrictEqual([...CLUSTER_AUTOSCALER_WRITE_ACTIONS].sort(), [...UPSTREAM_WRITE].sort());
    });

    it("passes the least-privilege check: no wildcard action, no write on * without a condition", async () => {
        const { permissions } = await deployedDocuments();
        assert.deepStrictEqual(leastPrivilegeProblems(permissions), []);
        for (const s of permissions.Statement) {
            for (const a of list(s.Action)) {
                assert.ok(!a.includes("*"), `wildcard action ${a}`);
            }
            assert.strictEqual(s.NotAction, undefined);
            assert.strictEqual(s.NotResource, undefined);
        }
    });

    it("may resize and terminate only groups tagged as this cluster's", async () => {
        const { permissions } = await deployedDocuments();
        for (const action of UPSTREAM_WRITE) {
            const statements = allowing(permissions, action);
            assert.strictEqual(statements.length, 1, `${action} must be allowed by exactly one statement`);
            assert.deepStrictEqual(statements[0].Condition, {
                StringEquals: {
                    "aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned",
                    "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                },
            });
        }
    });

    it("grants on * without a condition only read actions", async () => {
        const { permissions } = await deployedDocuments();
        const unconditioned = permissions.Statement.filter((s) => s.Condition === undefined && list(s.Resource).includes("*"));
        assert.ok(unconditioned.length > 0);
        for (const s of unconditioned) {
            for (const a of list(s.Action)) {
                assert.ok(isRead(a), `${a} is not a read action but is granted on * without a condition`);
            }
        }
    });

    it("scopes the write condition to the cluster it is given, so clusters in one account stay apart", () => {
        const other = clusterAutoscalerPolicy("staging");
        const cond = allowing(other, "autoscaling:SetDesiredCapacity")[0].Condition!.StringEquals;
        assert.deepStrictEqual(Object.keys(cond).sort(), ["aws:ResourceTag/k8s.io/cluster-autoscaler/enabled", "aws:ResourceTag/k8s.io/cluster-autoscaler/staging"]);
    });

    it("the least-privilege check used above does catch a broad policy (it can fail)", () => {
        const broad: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["autoscaling:*"], Resource: ["*"] },
                { Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"], Resource: ["*"] },
            ],
        };
        const problems = leastPrivilegeProblems(broad);
        assert.ok(problems.some((p) => p.includes("autoscaling:*")), problems.join("\n"));
        assert.ok(problems.some((p) => p.includes("SetDesiredCapacity") && p.includes("without a condition")), problems.join("\n"));
    });

    it("tags the role when asked", async () => {
        const mocks = await deploy(() => new ClusterAutoscaler("ca", { ...CLUSTER, tags: { team: "platform", env: "prod" } }));
        assert.deepStrictEqual(mocks.get(ROLE, "ca-irsa-role").inputs.tags, { team: "platform", env: "prod" });
    });
});
