/**
 * The one version matrix: which Kubernetes minors k8sprod supports, and the chart and image versions
 * installed for each. An unsupported version is an error, never a silent fallback to "the newest".
 * Chart versions come from ../shared/charts/INDEX.md (upstream Chart.yaml files).
 */

/** Kubernetes minors k8sprod builds and tests against, oldest first. */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.33", "1.34", "1.35"] as const;
export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = "1.35";

/** Pod Security Standards version pinned in namespace labels (`pod-security.kubernetes.io/enforce-version`). */
export const POD_SECURITY_VERSION = "v1.35";

export function isSupportedKubernetesVersion(v: string): v is KubernetesVersion {
    return (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(v);
}

/** The reason a Kubernetes version is refused, or undefined when it is supported. */
export function kubernetesVersionProblem(v: string): string | undefined {
    return isSupportedKubernetesVersion(v)
        ? undefined
        : `Kubernetes ${v} is not supported; choose one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`;
}

/** The EKS managed add-ons EksCluster installs (names as `aws eks describe-addon-versions` lists them). */
export const EKS_ADDON_NAMES = ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "snapshot-controller"] as const;
export type EksAddonName = (typeof EKS_ADDON_NAMES)[number];

/**
 * EKS add-on versions per Kubernetes minor. kube-proxy follows the minor; the others are one build that
 * public EKS configurations pinned together on 1.33, 1.34 and 1.35 clusters (vpc-cni v1.21.1-eksbuild.3,
 * coredns v1.13.2-eksbuild.1, aws-ebs-csi-driver v1.57.1-eksbuild.1, snapshot-controller v8.3.0-eksbuild.1).
 * They were not checked against a live `DescribeAddonVersions` here (no AWS account); confirm with
 * `aws eks describe-addon-versions --kubernetes-version <minor> --addon-name <name>` and override per
 * cluster with `EksClusterArgs.addonVersions` when AWS has published newer builds.
 */
export const EKS_ADDON_VERSIONS: Record<KubernetesVersion, Record<EksAddonName, string>> = {
    "1.33": {
        "vpc-cni": "v1.21.1-eksbuild.3",
        "kube-proxy": "v1.33.7-eksbuild.2",
        "coredns": "v1.13.2-eksbuild.1",
        "aws-ebs-csi-driver": "v1.57.1-eksbuild.1",
        "snapshot-controller": "v8.3.0-eksbuild.1",
    },
    "1.34": {
        "vpc-cni": "v1.21.1-eksbuild.3",
        "kube-proxy": "v1.34.3-eksbuild.5",
        "coredns": "v1.13.2-eksbuild.1",
        "aws-ebs-csi-driver": "v1.57.1-eksbuild.1",
        "snapshot-controller": "v8.3.0-eksbuild.1",
    },
    "1.35": {
        "vpc-cni": "v1.21.1-eksbuild.3",
        "kube-proxy": "v1.35.0-eksbuild.2",
        "coredns": "v1.13.2-eksbuild.1",
        "aws-ebs-csi-driver": "v1.57.1-eksbuild.1",
        "snapshot-controller": "v8.3.0-eksbuild.1",
    },
};
