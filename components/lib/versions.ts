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
