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
    /** vmware-tanzu/helm-charts `charts/velero` (Velero 1.18.1). */
    velero: { chart: "velero", version: "12.1.0", repo: "https://vmware-tanzu.github.io/helm-charts", appVersion: "1.18.1" },
    /** prometheus-community/helm-charts `charts/kube-prometheus-stack` (Prometheus Operator v0.93.1, Prometheus, Alertmanager, Grafana, node exporter, kube-state-metrics). */
    kubePrometheusStack: { chart: "kube-prometheus-stack", version: "88.5.3", repo: "https://prometheus-community.github.io/helm-charts", appVersion: "v0.93.1" },
    /** fluent/helm-charts `charts/fluent-bit` (Fluent Bit 5.1.1). */
    fluentBit: { chart: "fluent-bit", version: "0.58.1", repo: "https://fluent.github.io/helm-charts", appVersion: "5.1.1" },
    /** open-telemetry/opentelemetry-helm-charts `charts/opentelemetry-operator` (operator 0.158.0). */
    opentelemetryOperator: { chart: "opentelemetry-operator", version: "0.122.0", repo: "https://open-telemetry.github.io/opentelemetry-helm-charts", appVersion: "0.158.0" },
    /** argoproj/argo-helm `charts/argo-cd` (Argo CD v3.4.4; HA mode adds the redis-ha 4.38.0 subchart). */
    argoCd: { chart: "argo-cd", version: "10.1.1", repo: "https://argoproj.github.io/argo-helm", appVersion: "v3.4.4" },
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

/**
 * Velero's AWS plugin (object store for S3), installed as an init container of the Velero server. Plugin
 * v1.14.x is the line documented for Velero 1.18.x (velero-io/velero discussion #10563); v1.14.4 is its newest
 * patch there (CVE fixes). Not pulled from here (no registry access): confirm the tag on Docker Hub.
 */
export const VELERO_AWS_PLUGIN_IMAGE = "docker.io/velero/velero-plugin-for-aws:v1.14.4";

/**
 * The image RestoreDrill runs its script in by default: it needs bash, coreutils, curl and a kubectl of the
 * cluster's minor. alpine/k8s publishes one tag per kubectl release with those tools; the tag was not pulled
 * from here (no registry access). Override with RestoreDrillArgs.image (e.g. an image in your own registry).
 */
export const RESTORE_DRILL_IMAGE = "docker.io/alpine/k8s:1.35.0";

/**
 * The OpenTelemetry Collector that the Tracing component's collectors run: the contrib distribution (it holds
 * tail_sampling, loadbalancing and awsxray; the operator's default k8s distribution has no awsxray). The tests
 * build a collector of the same version with the OpenTelemetry Collector Builder (scripts/tools/otelcol) and
 * run every emitted configuration through it, so this version and the builder's must stay equal.
 */
export const OTEL_COLLECTOR_IMAGE = {
    repository: "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib",
    tag: "0.159.0",
} as const;

/** A values path and the value that turns an image on, with the chart's default for that path. */
export interface ImageCondition {
    /** Path in the release's values, one key per element. */
    path: string[];
    /** The value at `path` under which the image is installed. */
    equals: boolean;
    /** The chart's default at `path` (what Helm uses when the release does not set it). */
    default: boolean;
}

/**
 * One container image a pinned chart installs, with the values paths that can override its repository
 * and tag (first non-empty wins, as the chart's templates fall back from a component's own key to a global one).
 */
export interface ChartImagePin {
    /** What runs the image (for people reading `k8sprod images --format json`). */
    role: string;
    /**
     * The chart's default repository: registry/path, or only the path when the chart keeps the registry in a
     * value of its own (then `registry` is set).
     */
    repository: string;
    /** The chart's default registry, for a chart that keeps it apart from the repository (kube-prometheus-stack); the image is `registry/repository:tag`. */
    registry?: string;
    /** Values paths that override the registry, in the order the chart consults them (first non-empty wins). */
    registryPaths?: string[][];
    /** The subchart that installs the image (its values are under its name; an empty tag falls back to its appVersion). */
    subchart?: string;
    /** The tag the chart installs when no override is set (its default, or the appVersion it falls back to). */
    tag: string;
    /** Values paths that override the repository, in the order the chart consults them. */
    repositoryPaths?: string[][];
    /** Values paths that override the tag, in the order the chart consults them. */
    tagPaths?: string[][];
    /** The image is installed only when every condition holds. */
    when?: ImageCondition[];
}

/**
 * The images each pinned chart installs (hooks included, `helm test` pods excluded), keyed `<chart>@<version>`.
 * Sources: each chart's values.yaml at the commit in ../shared/charts/INDEX.md (copies in tests/fixtures/charts);
 * a tag of "" in values.yaml falls back to the chart's appVersion (`v` + appVersion for metrics-server), as
 * the chart's templates say. redis-ha 4.38.0 (argo-cd's HA subchart): DandyDeveloper/charts
 * `charts/redis-ha/values.yaml` at 2e2539a8960ead2c268f48bdde3b2cdf2b2f1ac8 (haproxy tag 3.3.10-alpine; argo-cd
 * overrides the redis image and the haproxy repository). `k8sprod images` reads this table; a chart missing
 * from it is an error, never an empty list.
 */
export const HELM_CHART_IMAGES: Record<string, ChartImagePin[]> = {
    "cluster-autoscaler@9.59.0": [
        { role: "cluster-autoscaler", repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: "v1.35.0", repositoryPaths: [["image", "repository"]], tagPaths: [["image", "tag"]] },
    ],
    "metrics-server@3.13.1": [
        { role: "metrics-server", repository: "registry.k8s.io/metrics-server/metrics-server", tag: "v0.8.1", repositoryPaths: [["image", "repository"]], tagPaths: [["image", "tag"]] },
        {
            role: "addon-resizer", repository: "registry.k8s.io/autoscaling/addon-resizer", tag: "1.8.23",
            repositoryPaths: [["addonResizer", "image", "repository"]], tagPaths: [["addonResizer", "image", "tag"]],
            when: [{ path: ["addonResizer", "enabled"], equals: true, default: false }],
        },
    ],
    "vpa@5.0.0": [
        {
            role: "vpa recommender", repository: "registry.k8s.io/autoscaling/vpa-recommender", tag: "1.7.1",
            repositoryPaths: [["recommender", "image", "repository"]], tagPaths: [["recommender", "image", "tag"]],
            when: [{ path: ["recommender", "enabled"], equals: true, default: true }],
        },
        {
            role: "vpa updater", repository: "registry.k8s.io/autoscaling/vpa-updater", tag: "1.7.1",
            repositoryPaths: [["updater", "image", "repository"]], tagPaths: [["updater", "image", "tag"]],
            when: [{ path: ["updater", "enabled"], equals: true, default: true }],
        },
        {
            role: "vpa admission controller", repository: "registry.k8s.io/autoscaling/vpa-admission-controller", tag: "1.7.1",
            repositoryPaths: [["admissionController", "image", "repository"]], tagPaths: [["admissionController", "image", "tag"]],
            when: [{ path: ["admissionController", "enabled"], equals: true, default: true }],
        },
        {
            role: "vpa admission controller certificate job", repository: "registry.k8s.io/ingress-nginx/kube-webhook-certgen", tag: "v20230312-helm-chart-4.5.2-28-g66a760794",
            repositoryPaths: [["admissionController", "certGen", "image", "repository"]], tagPaths: [["admissionController", "certGen", "image", "tag"]],
            when: [{ path: ["admissionController", "enabled"], equals: true, default: true }, { path: ["admissionController", "generateCertificate"], equals: true, default: true }],
        },
    ],
    "velero@12.1.0": [
        { role: "velero server", repository: "docker.io/velero/velero", tag: "v1.18.1", repositoryPaths: [["image", "repository"]], tagPaths: [["image", "tag"]] },
        {
            role: "velero node-agent", repository: "docker.io/velero/velero", tag: "v1.18.1", repositoryPaths: [["image", "repository"]], tagPaths: [["image", "tag"]],
            when: [{ path: ["deployNodeAgent"], equals: true, default: false }],
        },
    ],
    "prometheus-adapter@5.3.0": [
        { role: "prometheus-adapter", repository: "registry.k8s.io/prometheus-adapter/prometheus-adapter", tag: "v0.12.0", repositoryPaths: [["image", "repository"]], tagPaths: [["image", "tag"]] },
    ],
    "argo-cd@10.1.1": [
        ...([
            ["application controller", "controller", undefined],
            ["API server", "server", undefined],
            ["repo server", "repoServer", undefined],
            ["ApplicationSet controller", "applicationSet", undefined],
            ["notifications controller", "notifications", { path: ["notifications", "enabled"], equals: true, default: true }],
            ["commit server", "commitServer", { path: ["commitServer", "enabled"], equals: true, default: false }],
            ["redis secret-init job", "redisSecretInit", { path: ["redisSecretInit", "enabled"], equals: true, default: true }],
        ] as Array<[string, string, ImageCondition | undefined]>).map(([role, key, when]): ChartImagePin => ({
            role: `argo-cd ${role}`, repository: "quay.io/argoproj/argocd", tag: "v3.4.4",
            repositoryPaths: [[key, "image", "repository"], ["global", "image", "repository"]],
            tagPaths: [[key, "image", "tag"], ["global", "image", "tag"]],
            ...(when ? { when: [when] } : {}),
        })),
        {
            role: "argo-cd dex config init", repository: "quay.io/argoproj/argocd", tag: "v3.4.4",
            repositoryPaths: [["dex", "initImage", "repository"], ["global", "image", "repository"]], tagPaths: [["dex", "initImage", "tag"], ["global", "image", "tag"]],
            when: [{ path: ["dex", "enabled"], equals: true, default: true }],
        },
        {
            role: "argo-cd dex", repository: "ghcr.io/dexidp/dex", tag: "v2.45.1",
            repositoryPaths: [["dex", "image", "repository"]], tagPaths: [["dex", "image", "tag"]],
            when: [{ path: ["dex", "enabled"], equals: true, default: true }],
        },
        {
            role: "argo-cd redis", repository: "ecr-public.aws.com/docker/library/redis", tag: "8.2.3-alpine",
            repositoryPaths: [["redis", "image", "repository"]], tagPaths: [["redis", "image", "tag"]],
            when: [{ path: ["redis", "enabled"], equals: true, default: true }, { path: ["redis-ha", "enabled"], equals: false, default: false }],
        },
        {
            role: "argo-cd redis exporter", repository: "ghcr.io/oliver006/redis_exporter", tag: "v1.86.0",
            repositoryPaths: [["redis", "exporter", "image", "repository"]], tagPaths: [["redis", "exporter", "image", "tag"]],
            when: [{ path: ["redis", "enabled"], equals: true, default: true }, { path: ["redis-ha", "enabled"], equals: false, default: false }, { path: ["redis", "exporter", "enabled"], equals: true, default: false }],
        },
        {
            role: "argo-cd redis-ha (redis, sentinel, split-brain fix, config init)", repository: "ecr-public.aws.com/docker/library/redis", tag: "8.2.3-alpine",
            repositoryPaths: [["redis-ha", "image", "repository"]], tagPaths: [["redis-ha", "image", "tag"]],
            when: [{ path: ["redis-ha", "enabled"], equals: true, default: false }],
        },
        {
            role: "argo-cd redis-ha exporter", repository: "ghcr.io/oliver006/redis_exporter", tag: "v1.75.0",
            repositoryPaths: [["redis-ha", "exporter", "image"]], tagPaths: [["redis-ha", "exporter", "tag"]],
            when: [{ path: ["redis-ha", "enabled"], equals: true, default: false }, { path: ["redis-ha", "exporter", "enabled"], equals: true, default: false }],
        },
        {
            role: "argo-cd redis-ha haproxy", repository: "ecr-public.aws.com/docker/library/haproxy", tag: "3.3.10-alpine",
            repositoryPaths: [["redis-ha", "haproxy", "image", "repository"]], tagPaths: [["redis-ha", "haproxy", "image", "tag"]],
            when: [{ path: ["redis-ha", "enabled"], equals: true, default: false }, { path: ["redis-ha", "haproxy", "enabled"], equals: true, default: true }],
        },
    ],
    "kube-prometheus-stack@88.5.3": [
        {
            role: "Prometheus Operator", registry: "quay.io", repository: "prometheus-operator/prometheus-operator", tag: "v0.93.1",
            registryPaths: [["global", "imageRegistry"], ["prometheusOperator", "image", "registry"]], repositoryPaths: [["prometheusOperator", "image", "repository"]], tagPaths: [["prometheusOperator", "image", "tag"]],
            when: [{ path: ["prometheusOperator", "enabled"], equals: true, default: true }],
        },
        {
            role: "config reloader (sidecar of Prometheus and Alertmanager)", registry: "quay.io", repository: "prometheus-operator/prometheus-config-reloader", tag: "v0.93.1",
            registryPaths: [["global", "imageRegistry"], ["prometheusOperator", "prometheusConfigReloader", "image", "registry"]], repositoryPaths: [["prometheusOperator", "prometheusConfigReloader", "image", "repository"]], tagPaths: [["prometheusOperator", "prometheusConfigReloader", "image", "tag"]],
            when: [{ path: ["prometheusOperator", "enabled"], equals: true, default: true }],
        },
        {
            role: "admission webhook certificate job", registry: "ghcr.io", repository: "jkroepke/kube-webhook-certgen", tag: "1.8.7",
            registryPaths: [["global", "imageRegistry"], ["prometheusOperator", "admissionWebhooks", "patch", "image", "registry"]], repositoryPaths: [["prometheusOperator", "admissionWebhooks", "patch", "image", "repository"]], tagPaths: [["prometheusOperator", "admissionWebhooks", "patch", "image", "tag"]],
            when: [{ path: ["prometheusOperator", "enabled"], equals: true, default: true }, { path: ["prometheusOperator", "admissionWebhooks", "enabled"], equals: true, default: true }, { path: ["prometheusOperator", "admissionWebhooks", "patch", "enabled"], equals: true, default: true }],
        },
        {
            role: "admission webhook server", registry: "quay.io", repository: "prometheus-operator/admission-webhook", tag: "v0.93.1",
            registryPaths: [["global", "imageRegistry"], ["prometheusOperator", "admissionWebhooks", "deployment", "image", "registry"]], repositoryPaths: [["prometheusOperator", "admissionWebhooks", "deployment", "image", "repository"]], tagPaths: [["prometheusOperator", "admissionWebhooks", "deployment", "image", "tag"]],
            when: [{ path: ["prometheusOperator", "enabled"], equals: true, default: true }, { path: ["prometheusOperator", "admissionWebhooks", "enabled"], equals: true, default: true }, { path: ["prometheusOperator", "admissionWebhooks", "deployment", "enabled"], equals: true, default: false }],
        },
        {
            role: "Prometheus", registry: "quay.io", repository: "prometheus/prometheus", tag: "v3.14.0-distroless",
            registryPaths: [["global", "imageRegistry"], ["prometheus", "prometheusSpec", "image", "registry"]], repositoryPaths: [["prometheus", "prometheusSpec", "image", "repository"]], tagPaths: [["prometheus", "prometheusSpec", "image", "tag"]],
            when: [{ path: ["prometheus", "enabled"], equals: true, default: true }],
        },
        {
            role: "Alertmanager", registry: "quay.io", repository: "prometheus/alertmanager", tag: "v0.34.0",
            registryPaths: [["global", "imageRegistry"], ["alertmanager", "alertmanagerSpec", "image", "registry"]], repositoryPaths: [["alertmanager", "alertmanagerSpec", "image", "repository"]], tagPaths: [["alertmanager", "alertmanagerSpec", "image", "tag"]],
            when: [{ path: ["alertmanager", "enabled"], equals: true, default: true }],
        },
        {
            role: "Thanos Ruler", registry: "quay.io", repository: "thanos/thanos", tag: "v0.42.4",
            registryPaths: [["global", "imageRegistry"], ["thanosRuler", "thanosRulerSpec", "image", "registry"]], repositoryPaths: [["thanosRuler", "thanosRulerSpec", "image", "repository"]], tagPaths: [["thanosRuler", "thanosRulerSpec", "image", "tag"]],
            when: [{ path: ["thanosRuler", "enabled"], equals: true, default: false }],
        },
        {
            role: "Grafana", registry: "docker.io", repository: "grafana/grafana", tag: "13.2.0", subchart: "grafana",
            registryPaths: [["global", "imageRegistry"], ["grafana", "image", "registry"]], repositoryPaths: [["grafana", "image", "repository"]], tagPaths: [["grafana", "image", "tag"]],
            when: [{ path: ["grafana", "enabled"], equals: true, default: true }],
        },
        {
            role: "Grafana dashboard and datasource sidecar", registry: "quay.io", repository: "kiwigrid/k8s-sidecar", tag: "2.10.1", subchart: "grafana",
            registryPaths: [["global", "imageRegistry"], ["grafana", "sidecar", "image", "registry"]], repositoryPaths: [["grafana", "sidecar", "image", "repository"]], tagPaths: [["grafana", "sidecar", "image", "tag"]],
            when: [{ path: ["grafana", "enabled"], equals: true, default: true }],
        },
        {
            role: "Grafana volume ownership init container", registry: "docker.io", repository: "library/busybox", tag: "1.38.0", subchart: "grafana",
            registryPaths: [["global", "imageRegistry"], ["grafana", "initChownData", "image", "registry"]], repositoryPaths: [["grafana", "initChownData", "image", "repository"]], tagPaths: [["grafana", "initChownData", "image", "tag"]],
            when: [{ path: ["grafana", "enabled"], equals: true, default: true }, { path: ["grafana", "persistence", "enabled"], equals: true, default: false }, { path: ["grafana", "initChownData", "enabled"], equals: true, default: true }],
        },
        {
            role: "kube-state-metrics", registry: "registry.k8s.io", repository: "kube-state-metrics/kube-state-metrics", tag: "v2.20.0", subchart: "kube-state-metrics",
            registryPaths: [["global", "imageRegistry"], ["kube-state-metrics", "image", "registry"]], repositoryPaths: [["kube-state-metrics", "image", "repository"]], tagPaths: [["kube-state-metrics", "image", "tag"]],
            when: [{ path: ["kubeStateMetrics", "enabled"], equals: true, default: true }],
        },
        {
            role: "kube-state-metrics kube-rbac-proxy", registry: "quay.io", repository: "brancz/kube-rbac-proxy", tag: "v0.22.1", subchart: "kube-state-metrics",
            registryPaths: [["global", "imageRegistry"], ["kube-state-metrics", "kubeRBACProxy", "image", "registry"]], repositoryPaths: [["kube-state-metrics", "kubeRBACProxy", "image", "repository"]], tagPaths: [["kube-state-metrics", "kubeRBACProxy", "image", "tag"]],
            when: [{ path: ["kubeStateMetrics", "enabled"], equals: true, default: true }, { path: ["kube-state-metrics", "kubeRBACProxy", "enabled"], equals: true, default: false }],
        },
        {
            role: "node exporter", registry: "quay.io", repository: "prometheus/node-exporter", tag: "v1.12.1", subchart: "prometheus-node-exporter",
            registryPaths: [["global", "imageRegistry"], ["prometheus-node-exporter", "image", "registry"]], repositoryPaths: [["prometheus-node-exporter", "image", "repository"]], tagPaths: [["prometheus-node-exporter", "image", "tag"]],
            when: [{ path: ["nodeExporter", "enabled"], equals: true, default: true }],
        },
    ],
    "fluent-bit@0.58.1": [
        { role: "fluent-bit", repository: "cr.fluentbit.io/fluent/fluent-bit", tag: "5.1.1", repositoryPaths: [["image", "repository"]], tagPaths: [["image", "tag"]] },
        {
            role: "fluent-bit config reloader", repository: "ghcr.io/jimmidyson/configmap-reload", tag: "v0.15.0",
            repositoryPaths: [["hotReload", "image", "repository"]], tagPaths: [["hotReload", "image", "tag"]],
            when: [{ path: ["hotReload", "enabled"], equals: true, default: false }],
        },
    ],
    "opentelemetry-operator@0.122.0": [
        { role: "OpenTelemetry Operator", repository: "ghcr.io/open-telemetry/opentelemetry-operator/opentelemetry-operator", tag: "0.158.0", repositoryPaths: [["manager", "image", "repository"]], tagPaths: [["manager", "image", "tag"]] },
        // The collectors the operator runs; the Tracing component sets the contrib image of OTEL_COLLECTOR_IMAGE here.
        { role: "opentelemetry collector", repository: "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s", tag: "0.158.0", repositoryPaths: [["manager", "collectorImage", "repository"]], tagPaths: [["manager", "collectorImage", "tag"]] },
    ],
};

/**
 * Registries the platform's own charts pull from (every repository in {@link HELM_CHART_IMAGES}, as
 * `host/path` prefixes). `allowed-image-registries` allows these by default, with the account's ECR.
 */
export const PLATFORM_IMAGE_REGISTRIES: readonly string[] = [
    // Velero's server and node-agent, and its AWS plugin (VELERO_AWS_PLUGIN_IMAGE); the restore drill's default image.
    "docker.io/velero",
    "docker.io/alpine/k8s",
    "registry.k8s.io",
    "quay.io/argoproj",
    "ghcr.io/dexidp",
    "ghcr.io/oliver006",
    "ecr-public.aws.com/docker/library",
    "public.ecr.aws",
    // Monitoring (kube-prometheus-stack and its grafana, kube-state-metrics, node exporter subcharts), Logging, Tracing.
    "quay.io/prometheus",
    "quay.io/prometheus-operator",
    "quay.io/thanos",
    "quay.io/kiwigrid",
    "quay.io/brancz",
    "ghcr.io/jkroepke",
    "docker.io/grafana",
    // Grafana's volume-ownership init container (docker.io/library/busybox, a Docker Hub official image).
    "docker.io/library",
    "cr.fluentbit.io/fluent",
    "ghcr.io/jimmidyson",
    "ghcr.io/open-telemetry",
];

/** A private ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`, also the FIPS and China partitions), with its account. */
export const ECR_REGISTRY_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
