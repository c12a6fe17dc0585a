/**
 * IAM documents of the autoscaling components, as pure functions: the IRSA trust policy that lets
 * exactly one Kubernetes service account assume a role, and the cluster-autoscaler's permissions.
 */

/** One statement of an IAM policy document. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string[];
    Resource?: string[];
    Principal?: { Federated?: string; Service?: string; AWS?: string };
    Condition?: { [operator: string]: { [key: string]: string | string[] } };
}

/** An IAM policy document (identity policy or trust policy). */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** The audience EKS puts in service-account tokens projected for IRSA. */
export const IRSA_AUDIENCE = "sts.amazonaws.com";

/** The OIDC issuer as IAM condition keys name it: the URL without its scheme and trailing slash. */
export function oidcIssuerHost(oidcProviderUrl: string): string {
    return oidcProviderUrl.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

/** Where an IRSA role is bound: the cluster's OIDC provider and one service account. */
export interface IrsaBinding {
    /** ARN of the cluster's IAM OIDC provider. */
    oidcProviderArn: string;
    /** The cluster's OIDC issuer URL (with or without `https://`). */
    oidcProviderUrl: string;
    /** Namespace of the service account. */
    namespace: string;
    /** Name of the service account. */
    serviceAccount: string;
}

/**
 * Trust policy of an IRSA role: only tokens issued by the cluster's OIDC provider, for exactly
 * `system:serviceaccount:<namespace>:<serviceAccount>` and the STS audience, may assume it.
 * StringEquals (not StringLike), so no wildcard can widen the subject.
 */
export function irsaTrustPolicy(b: IrsaBinding): PolicyDocument {
    const issuer = oidcIssuerHost(b.oidcProviderUrl);
    return {
        Version: "2012-10-17",
        Statement: [{
            Sid: "AssumeFromOneServiceAccount",
            Effect: "Allow",
            Principal: { Federated: b.oidcProviderArn },
            Action: ["sts:AssumeRoleWithWebIdentity"],
            Condition: {
                StringEquals: {
                    [`${issuer}:sub`]: `system:serviceaccount:${b.namespace}:${b.serviceAccount}`,
                    [`${issuer}:aud`]: IRSA_AUDIENCE,
                },
            },
        }],
    };
}

/**
 * What cluster-autoscaler reads: node groups, their instances, launch templates and instance types.
 * The "Full Cluster Autoscaler Features Policy (Recommended)" read block of kubernetes/autoscaler
 * `cluster-autoscaler/cloudprovider/aws/README.md`, with `autoscaling:DescribeTags` (listed by the EKS
 * best-practices guide for tag auto-discovery). These Describe/Get calls do not support resource-level
 * permissions, so they are granted on `*`.
 */
export const CLUSTER_AUTOSCALER_READ_ACTIONS = [
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
] as const;

/** What cluster-autoscaler changes: the desired size of a group, and terminating one of its instances. */
export const CLUSTER_AUTOSCALER_WRITE_ACTIONS = [
    "autoscaling:SetDesiredCapacity",
    "autoscaling:TerminateInstanceInAutoScalingGroup",
] as const;

/** The ASG tag EKS managed node groups carry for their cluster (value `owned`), also used for auto-discovery. */
export function clusterAutoscalerClusterTag(clusterName: string): string {
    return `k8s.io/cluster-autoscaler/${clusterName}`;
}

/** The ASG tag that marks a group as one the autoscaler may manage (value `true`). */
export const CLUSTER_AUTOSCALER_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled";

/**
 * Permissions of cluster-autoscaler for one cluster: reads on `*`, and the two write actions only on
 * Auto Scaling groups tagged `k8s.io/cluster-autoscaler/<cluster>=owned` and
 * `k8s.io/cluster-autoscaler/enabled=true` (the tags EKS managed node groups put on their groups), so
 * the role cannot resize or terminate instances of any other cluster or group in the account.
 */
export function clusterAutoscalerPolicy(clusterName: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadNodeGroups",
                Effect: "Allow",
                Action: [...CLUSTER_AUTOSCALER_READ_ACTIONS],
                Resource: ["*"],
            },
            {
                Sid: "ScaleOwnNodeGroups",
                Effect: "Allow",
                Action: [...CLUSTER_AUTOSCALER_WRITE_ACTIONS],
                Resource: ["*"],
                Condition: {
                    StringEquals: {
                        [`aws:ResourceTag/${clusterAutoscalerClusterTag(clusterName)}`]: "owned",
                        [`aws:ResourceTag/${CLUSTER_AUTOSCALER_ENABLED_TAG}`]: "true",
                    },
                },
            },
        ],
    };
}
