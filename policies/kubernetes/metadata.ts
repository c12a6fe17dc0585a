// Per-policy metadata of the k8sprod-kubernetes pack (severity, remediation, docs section, tags), attached to
// the policies in policies.ts; reports (SARIF rules) and the Pulumi CLI (GetAnalyzerInfo) read it there.
import { PolicyMetadata } from "../../lib/policyMetadata";

const DOCS = "docs/policies-kubernetes.md";
const PSS = `${DOCS}#pod-security-standards-podsecurityts-stack-policies`;
const RESOURCES = `${DOCS}#resources-resourcests`;
const CONTAINERS = `${DOCS}#containers-containersts`;
const AVAILABILITY = `${DOCS}#availability-availabilityts`;
const IMAGES = `${DOCS}#images-imagests`;
const ACCESS = `${DOCS}#access-accessts`;
const NAMESPACES = `${DOCS}#namespaces-and-network-namespacests`;
const STATEFULSETS = `${DOCS}#statefulsets-statefulsetsts`;
const BACKUPS = `${DOCS}#backups-backupts`;
const GITOPS = `${DOCS}#gitops-gitopsts`;
const OBSERVABILITY = `${DOCS}#observability-observabilityts`;

const pss = (severity: PolicyMetadata["severity"], remediation: string): PolicyMetadata =>
    ({ severity, remediation, docs: PSS, tags: ["security", "pod-security"] });

export const metadata: Record<string, PolicyMetadata> = {
    "pod-security-host-namespaces": pss("critical", "Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them to false)."),
    "pod-security-privileged": pss("critical", "Remove `securityContext.privileged: true` from every container; grant only the capabilities it needs."),
    "pod-security-capabilities": pss("high", "Set `securityContext.capabilities.drop: [ALL]` on every container and add back at most `NET_BIND_SERVICE`."),
    "pod-security-host-path-volumes": pss("high", "Replace `hostPath` volumes with `emptyDir`, a PersistentVolumeClaim, a ConfigMap or a Secret."),
    "pod-security-host-ports": pss("medium", "Remove `hostPort` from the container ports and expose the pod through a Service."),
    "pod-security-apparmor": pss("medium", "Leave the AppArmor profile unset or set it to `RuntimeDefault` or `Localhost`."),
    "pod-security-selinux": pss("medium", "Remove custom SELinux `user`/`role` and use one of the container SELinux types."),
    "pod-security-proc-mount": pss("medium", "Remove `securityContext.procMount` (or set it to `Default`)."),
    "pod-security-seccomp": pss("medium", "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod."),
    "pod-security-sysctls": pss("medium", "Remove sysctls outside the Pod Security safe set from `securityContext.sysctls`."),
    "pod-security-windows-host-process": pss("critical", "Remove `windowsOptions.hostProcess: true`."),
    "pod-security-host-probes": pss("medium", "Remove `host` from probe and lifecycle `httpGet`/`tcpSocket` handlers so they target the pod itself."),
    "pod-security-allow-privilege-escalation": pss("high", "Set `securityContext.allowPrivilegeEscalation: false` on every container."),
    "pod-security-restricted-volumes": pss("medium", "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes."),
    "pod-security-run-as-non-root": pss("high", "Set `securityContext.runAsNonRoot: true` on the pod (and run the image as a non-root user)."),
    "pod-security-run-as-user": pss("high", "Set `runAsUser` to a non-zero UID, or leave it unset with `runAsNonRoot: true`."),
    "require-resource-requests": { severity: "medium", remediation: "Set `resources.requests.cpu` and `resources.requests.memory` on every container.", docs: RESOURCES, tags: ["reliability", "resources"] },
    "require-resource-limits": { severity: "medium", remediation: "Set `resources.limits.memory` on every container (and a cpu limit when the config asks for one).", docs: RESOURCES, tags: ["reliability", "resources"] },
    "require-guaranteed-qos": { severity: "low", remediation: "Make `resources.limits` equal to `resources.requests` for cpu and memory (Guaranteed), or keep each limit within `maxLimitToRequestRatio` (default 2) × its request.", docs: RESOURCES, tags: ["reliability", "resources"] },
    "require-read-only-root-filesystem": { severity: "medium", remediation: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the container writes.", docs: CONTAINERS, tags: ["security", "containers"] },
    "require-min-replicas": { severity: "medium", remediation: "Run at least the configured number of replicas (`spec.replicas` or the HPA's `minReplicas`).", docs: AVAILABILITY, tags: ["reliability", "availability"] },
    "require-pod-disruption-budget": { severity: "medium", remediation: "Add a PodDisruptionBudget in the same namespace that selects the pods and sets `minAvailable` or `maxUnavailable`.", docs: AVAILABILITY, tags: ["reliability", "availability"] },
    "disallow-zero-disruption-pdb": { severity: "medium", remediation: "Allow at least one disruption: `maxUnavailable: 1`, or a `minAvailable` below the replicas.", docs: AVAILABILITY, tags: ["reliability", "availability"] },
    "require-hpa-scale-behavior": { severity: "low", remediation: "Use autoscaling/v2 with `minReplicas`, a larger `maxReplicas` and `behavior.scaleDown.stabilizationWindowSeconds`.", docs: AVAILABILITY, tags: ["reliability", "autoscaling"] },
    "require-zone-spread": { severity: "medium", remediation: "Add a `topologySpreadConstraints` entry (or pod anti-affinity) on `topology.kubernetes.io/zone` that selects the pod's own labels.", docs: AVAILABILITY, tags: ["reliability", "availability"] },
    "disallow-replicas-with-hpa": { severity: "medium", remediation: "Remove `spec.replicas` from a Deployment or StatefulSet that a HorizontalPodAutoscaler scales; its `minReplicas` is the floor.", docs: AVAILABILITY, tags: ["reliability", "availability"] },
    "require-pdb-unhealthy-pod-eviction-policy": { severity: "low", remediation: "Set `spec.unhealthyPodEvictionPolicy: AlwaysAllow` on the PodDisruptionBudget.", docs: AVAILABILITY, tags: ["reliability", "availability"] },
    "require-ephemeral-storage": { severity: "low", remediation: "Set `resources.requests[\"ephemeral-storage\"]` and `resources.limits[\"ephemeral-storage\"]` on every container.", docs: RESOURCES, tags: ["reliability", "resources"] },
    "disallow-secret-env": { severity: "low", remediation: "Mount the Secret as a volume (read-only files) and point the application at the file instead of an environment variable.", docs: CONTAINERS, tags: ["security", "containers"] },
    "require-high-uid-gid": { severity: "low", remediation: "Set `securityContext.runAsUser` and `runAsGroup` to 10000 or more on the pod (or each container).", docs: CONTAINERS, tags: ["security", "containers"] },
    "require-probes": { severity: "medium", remediation: "Add a `readinessProbe` and a `livenessProbe` to every app container of a long-running workload.", docs: AVAILABILITY, tags: ["reliability", "availability"] },
    "disallow-latest-tag": { severity: "medium", remediation: "Pin every image to a version tag or a digest (`image:1.2.3` or `image@sha256:...`).", docs: IMAGES, tags: ["supply-chain", "images"] },
    "allowed-image-registries": { severity: "high", remediation: "Pull the image from one of the registries in the policy's `registries` config.", docs: IMAGES, tags: ["supply-chain", "images"] },
    "require-image-digest": { severity: "medium", remediation: "Pin the image by digest (`image@sha256:<digest>`), the digest your scanner approved.", docs: IMAGES, tags: ["supply-chain", "images"] },
    "require-dedicated-service-account": { severity: "medium", remediation: "Create a ServiceAccount for the workload and set `serviceAccountName` to it.", docs: ACCESS, tags: ["security", "rbac"] },
    "disallow-service-account-token-automount": { severity: "medium", remediation: "Set `automountServiceAccountToken: false` on the pod or its ServiceAccount; a workload that calls the API gets its ServiceAccount bound to a Role in the stack (or an exemption).", docs: ACCESS, tags: ["security", "rbac"] },
    "disallow-cluster-admin-binding": { severity: "critical", remediation: "Bind a Role or ClusterRole that grants only the verbs and resources the subject needs.", docs: ACCESS, tags: ["security", "rbac"] },
    "disallow-rbac-wildcards": { severity: "high", remediation: "List the API groups, resources and verbs the role needs instead of `*`.", docs: ACCESS, tags: ["security", "rbac"] },
    "disallow-default-namespace": { severity: "low", remediation: "Set `metadata.namespace` to the application's own namespace.", docs: ACCESS, tags: ["security", "multi-tenancy"] },
    "require-namespace-pod-security": { severity: "high", remediation: "Label the Namespace `pod-security.kubernetes.io/enforce`, `audit` and `warn` with `restricted` (or the level and migration stage its config allows).", docs: NAMESPACES, tags: ["security", "pod-security"] },
    "require-default-deny-network-policy": { severity: "high", remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` to the namespace, then allow what is needed.", docs: NAMESPACES, tags: ["security", "network"] },
    "require-headless-service": { severity: "low", remediation: "Point `spec.serviceName` at a Service of the same namespace with `clusterIP: None` that selects the pods.", docs: STATEFULSETS, tags: ["reliability", "statefulsets"] },
    "disallow-argocd-project-wildcards": { severity: "high", remediation: "List the team's repositories in `spec.sourceRepos` and its clusters and namespaces in `spec.destinations`, without `*`.", docs: GITOPS, tags: ["security", "gitops"] },
    "restrict-argocd-cluster-resources": { severity: "high", remediation: "List the cluster-scoped kinds the project needs in `spec.clusterResourceWhitelist` (or none), never kind `*`.", docs: GITOPS, tags: ["security", "gitops"] },
    "disallow-argocd-default-project": { severity: "high", remediation: "Set `spec.project` (an ApplicationSet's `spec.template.spec.project`) to the team's AppProject.", docs: GITOPS, tags: ["security", "gitops"] },
    "require-volume-claim-storage-class": { severity: "low", remediation: "Set `storageClassName` on every volume claim (one of the allowed classes), or declare the cluster's default StorageClass.", docs: STATEFULSETS, tags: ["reliability", "storage"] },
    "require-backup-schedule": { severity: "high", remediation: "Add a velero.io/v1 Schedule whose `spec.template.includedNamespaces` includes the namespace (no label selector, volumes not excluded), e.g. Velero's `backupNamespaces`, or exempt the namespace with a reason.", docs: BACKUPS, tags: ["reliability", "backup"] },
    "require-scrape-target": { severity: "low", remediation: "Annotate the pod template with `prometheus.io/scrape`, `/port` and `/path`, or add a ServiceMonitor or PodMonitor that selects it.", docs: OBSERVABILITY, tags: ["observability"] },
};
