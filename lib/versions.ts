/**
 * Pure code shared by components and policy packs: imports no provider SDK, never components/ or policies/.
 *
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

/** A Helm chart pinned to one version, with the upstream repository it is installed from. */
export interface HelmChartPin {
    /** Chart name in its repository. */
    chart: string;
    /** Chart version (Chart.yaml `version`), never a range. */
    version: string;
    /** Upstream chart repository URL (`helm repo add`). */
    repo: string;
    /** The application version the chart ships (Chart.yaml `appVersion`), for reference. */
    appVersion: string;
}

/**
 * Third-party Helm charts, pinned. Versions are the upstream Chart.yaml files listed in
 * ../shared/charts/INDEX.md; the tests compare them with the copies in tests/fixtures/charts/.
 */
export const HELM_CHARTS = {
    /** kubernetes/autoscaler `charts/cluster-autoscaler`. */
    clusterAutoscaler: { chart: "cluster-autoscaler", version: "9.59.0", repo: "https://kubernetes.github.io/autoscaler", appVersion: "1.35.0" },
    /** kubernetes-sigs/metrics-server `charts/metrics-server`. */
    metricsServer: { chart: "metrics-server", version: "3.13.1", repo: "https://kubernetes-sigs.github.io/metrics-server/", appVersion: "0.8.1" },
    /**
     * FairwindsOps/charts `stable/vpa` (VPA 1.7.1). Chosen over the kubernetes/autoscaler
     * `vertical-pod-autoscaler` chart 0.11.0, whose README says it is not ready for production use.
     */
    verticalPodAutoscaler: { chart: "vpa", version: "5.0.0", repo: "https://charts.fairwinds.com/stable", appVersion: "1.7.1" },
    /** prometheus-community/helm-charts `charts/prometheus-adapter`. */
    prometheusAdapter: { chart: "prometheus-adapter", version: "5.3.0", repo: "https://prometheus-community.github.io/helm-charts", appVersion: "v0.12.0" },
} as const satisfies Record<string, HelmChartPin>;

/**
 * cluster-autoscaler image tag per Kubernetes minor: the autoscaler's minor must match the cluster's.
 * Latest patch of each line from the kubernetes/autoscaler releases cluster-autoscaler-1.33.6,
 * -1.34.5 and -1.35.2 (published 2026-07-23; image registry.k8s.io/autoscaling/cluster-autoscaler).
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Record<KubernetesVersion, string> = {
    "1.33": "v1.33.6",
    "1.34": "v1.34.5",
    "1.35": "v1.35.2",
};
