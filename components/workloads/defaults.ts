/** Every default of the workload templates, in one place. Each one is a practice from the field guide. */

/** Pod Security Standards level for namespaces and pods. */
export const DEFAULT_POD_SECURITY_LEVEL = "restricted";

/** Replica floor and ceiling of the HorizontalPodAutoscaler. */
export const DEFAULT_MIN_REPLICAS = 3;
export const DEFAULT_MAX_REPLICAS = 10;
/** Fewer replicas than this leaves no copy running while one is disrupted. */
export const MIN_ALLOWED_REPLICAS = 2;

/** Target average CPU utilisation, percent of requests. */
export const DEFAULT_CPU_UTILIZATION = 70;

/** Scale down slowly: wait 5 minutes, then remove at most half the pods a minute. */
export const DEFAULT_SCALE_DOWN = { stabilizationWindowSeconds: 300, percent: 50, periodSeconds: 60 };
/** Scale up at once: double the pods every 30 seconds if needed. */
export const DEFAULT_SCALE_UP = { stabilizationWindowSeconds: 0, percent: 100, periodSeconds: 30 };

/** Limits default to this multiple of requests, so pods can burst (Burstable QoS). */
export const DEFAULT_LIMIT_TO_REQUEST_RATIO = 2;

/** The non-root identity pods run as. Above 10000 so it never matches a user of the node. */
export const DEFAULT_UID = 10001;
export const DEFAULT_GID = 10001;

/** Probe defaults. */
export const DEFAULT_HEALTH_PATH = "/healthz";
export const DEFAULT_PROBE_PERIOD_SECONDS = 10;
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 2;
export const DEFAULT_PROBE_FAILURE_THRESHOLD = 3;
/** The startup probe allows 30 × 10 s = 5 minutes to start before liveness takes over. */
export const DEFAULT_STARTUP_FAILURE_THRESHOLD = 30;

/** Ephemeral-storage request of each container (logs and the writable layer); the limit adds its emptyDir volumes. */
export const DEFAULT_EPHEMERAL_STORAGE_REQUEST = "256Mi";

/** File mode of Secret files: read-only, for the pod's group (fsGroup) only. */
export const SECRET_FILE_MODE = 0o440;

/** Size limit of each writable emptyDir (so a runaway writer is evicted, not the node filled). */
export const DEFAULT_EMPTY_DIR_SIZE_LIMIT = "256Mi";

/** Where Prometheus runs; its pods may scrape the metrics port. */
export const DEFAULT_METRICS_NAMESPACE = "monitoring";
export const DEFAULT_METRICS_PATH = "/metrics";

/** Topology keys for spreading replicas. */
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";
export const HOSTNAME_TOPOLOGY_KEY = "kubernetes.io/hostname";

/** StatefulSet volumes: the encrypted gp3 class that EksCluster installs as the default. */
export const DEFAULT_STORAGE_CLASS = "gp3-encrypted";
export const DEFAULT_ACCESS_MODES = ["ReadWriteOnce"];
export const DEFAULT_STATEFUL_REPLICAS = 3;

/** Label that opts a namespace into the platform's scheduled Velero backups. */
export const BACKUP_LABEL = "backup.k8sprod.io/enabled";

/** Namespace ResourceQuota defaults: room for a team's services, no NodePorts, few load balancers. */
export const DEFAULT_RESOURCE_QUOTA: Record<string, string> = {
    "requests.cpu": "20",
    "requests.memory": "40Gi",
    "limits.cpu": "40",
    "limits.memory": "80Gi",
    "pods": "200",
    "persistentvolumeclaims": "50",
    "requests.storage": "2Ti",
    "services.loadbalancers": "2",
    "services.nodeports": "0",
};

/** LimitRange defaults for containers that declare no resources of their own. */
export const DEFAULT_CONTAINER_REQUEST = { cpu: "100m", memory: "128Mi" };
export const DEFAULT_CONTAINER_LIMIT = { cpu: "500m", memory: "256Mi" };
/** Largest volume claim a namespace accepts by default. */
export const DEFAULT_MAX_CLAIM_SIZE = "1Ti";

/** kube-dns, which every pod must reach (default-deny blocks it otherwise). */
export const KUBE_DNS = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, port: 53 };
