/**
 * The cluster-autoscaler's IAM permissions, as a pure function. The role itself (trust pinned to one
 * service account) is the shared IrsaRole of components/cluster.
 */
import { PolicyDocument } from "../../lib/iam";

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
