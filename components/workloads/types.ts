import * as pulumi from "@pulumi/pulumi";

/*
 * The argument types the workload templates share. They are plain interfaces so that Pulumi's
 * component schema analyzer (behind `pulumi package add`) can read them; interface names are
 * global in the generated schema, so every name here is unique across the package.
 */

/** CPU and memory for one container. Quantities use Kubernetes notation (`250m`, `0.5`, `512Mi`, `2Gi`). */
export interface ComputeResourcesArgs {
    /** CPU, in cores or millicores (`250m`). Required. */
    cpu: string;
    /** Memory, in bytes with a suffix (`256Mi`). Required. */
    memory: string;
    /**
     * Local disk (logs, emptyDir volumes, the writable layer), in bytes with a suffix. Defaults to
     * 256Mi, so a pod that fills the node's disk is evicted on its own instead of its neighbours.
     */
    ephemeralStorage?: string;
}

/** Requests and limits of one container. */
export interface ContainerResourcesArgs {
    /** What the scheduler reserves for the container. Required: a pod without requests is BestEffort and is evicted first. */
    requests: ComputeResourcesArgs;
    /**
     * The most the container may use. Each limit defaults to 2 × its request (room to burst), or to the
     * request itself when the workload's `qos` is "Guaranteed". A limit below its request is refused.
     */
    limits?: LimitArgs;
}

/** Container limits; each one is optional and derived from the request when left out. */
export interface LimitArgs {
    /** CPU limit. Defaults to 2 × the CPU request (equal to it with `qos: "Guaranteed"`). */
    cpu?: string;
    /** Memory limit. Defaults to 2 × the memory request (equal to it with `qos: "Guaranteed"`). */
    memory?: string;
    /**
     * Ephemeral-storage limit: past it the kubelet evicts the pod. Defaults to the request plus the
     * size limit of each of the container's writable volumes (one per writable path, /tmp included),
     * so the volumes can fill before the pod is evicted. Refused below the request.
     */
    ephemeralStorage?: string;
}

/** A port the container listens on. */
export interface ContainerPortArgs {
    /** IANA service name for the port (at most 15 characters, lower-case letters, digits and '-'), e.g. `http`. */
    name: string;
    /** Port number, 1–65535. */
    containerPort: number;
    /** TCP (default), UDP or SCTP. */
    protocol?: string;
    /** Port the Service exposes for it. Defaults to `containerPort`. */
    servicePort?: number;
}

/**
 * One health check. Exactly one of `httpPath`, `tcp` or `command` chooses the handler; with none of
 * them, an HTTP GET on the container's first port at `/healthz` is used.
 */
export interface HealthCheckArgs {
    /** HTTP GET path. */
    httpPath?: string;
    /** Port number or port name. Defaults to the container's first port. */
    port?: number;
    /** Open a TCP connection instead of an HTTP request. */
    tcp?: boolean;
    /** Run this command in the container instead (exit 0 means healthy). */
    command?: string[];
    /** Seconds before the first check. Defaults to 0 (the startup probe guards slow starts). */
    initialDelaySeconds?: number;
    /** Seconds between checks. Defaults to 10. */
    periodSeconds?: number;
    /** Seconds before a check times out. Defaults to 2. */
    timeoutSeconds?: number;
    /** Failures in a row before the probe fails. Defaults to 3 (30 for the startup probe: up to 5 minutes to start). */
    failureThreshold?: number;
}

/** Readiness, liveness and startup probes. Each defaults to an HTTP GET on `/healthz` of the first port. */
export interface ProbesArgs {
    /** Takes the pod out of Service endpoints while it fails. */
    readiness?: HealthCheckArgs;
    /** Restarts the container when it fails. */
    liveness?: HealthCheckArgs;
    /** Holds liveness and readiness back until the application has started. */
    startup?: HealthCheckArgs;
}

/** A key of a Secret in the workload's namespace. */
export interface SecretKeyRefArgs {
    /** Name of the Secret. */
    secretName: pulumi.Input<string>;
    /** Key inside the Secret. */
    key: string;
}

/** One container of the workload. */
export interface ContainerArgs {
    /** Container name (DNS-1123 label). */
    name: string;
    /** Image reference with an explicit tag other than `latest`, or a digest (`repo@sha256:…`). */
    image: string;
    /** Entrypoint override. */
    command?: string[];
    /** Arguments to the entrypoint. */
    args?: string[];
    /** Environment variables. */
    env?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
    /**
     * Environment variables read from Secrets. The pack's advisory `disallow-secret-env` flags them:
     * prefer `secretFiles` (the environment leaks into crash dumps and child processes, and never
     * sees a rotated value). Conflicts with a name in `env`.
     */
    secretEnv?: { [key: string]: SecretKeyRefArgs };
    /**
     * Secret keys mounted as read-only files: absolute file path → Secret and key (e.g.
     * `/run/secrets/db/password`). Each file is readable by the pod's group only (mode 0440). A path
     * must not be inside a `writablePaths` directory.
     */
    secretFiles?: { [path: string]: SecretKeyRefArgs };
    /** Ports the container listens on. The first one is the default probe port. */
    ports?: ContainerPortArgs[];
    /** Requests (required) and limits. */
    resources: ContainerResourcesArgs;
    /** Health checks. Defaults to HTTP GET `/healthz` on the first port for all three probes; required when the container has no port. */
    probes?: ProbesArgs;
    /**
     * Directories the application writes to. The root filesystem is read-only, so each one gets an
     * `emptyDir` volume. `/tmp` always does.
     */
    writablePaths?: string[];
}

/** The identity the pods run as (the restricted Pod Security level forbids root). */
export interface PodIdentityArgs {
    /** User ID for every container. Defaults to 10001. 0 (root) is refused. */
    runAsUser?: number;
    /** Group ID for every container. Defaults to 10001. */
    runAsGroup?: number;
    /** Group that owns mounted volumes. Defaults to 10001. */
    fsGroup?: number;
}

/** A port and protocol that a network peer may use. */
export interface NetworkPortArgs {
    /** Port number, 1–65535. */
    port: number;
    /** TCP (default), UDP or SCTP. */
    protocol?: string;
}

/**
 * A network peer: pods chosen by labels (in this namespace, or in `namespace`), every pod of a namespace,
 * or an IP block. At least one of `podLabels`, `namespace` or `cidr` is required.
 */
export interface NetworkPeerArgs {
    /** Labels of the peer pods, e.g. another component's `selectorLabels` output. */
    podLabels?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
    /** Namespace of the peer (its `kubernetes.io/metadata.name`). Defaults to the workload's own namespace when `podLabels` is set. */
    namespace?: pulumi.Input<string>;
    /** An IP block in CIDR notation, e.g. a load balancer subnet. Cannot be combined with `podLabels` or `namespace`. */
    cidr?: string;
    /** Ranges inside `cidr` that are not allowed. */
    except?: string[];
    /** Ports the peer may use. For ingress, defaults to every Service port; for egress it is required. */
    ports?: NetworkPortArgs[];
}

/** One RBAC rule granted to the workload's ServiceAccount in its namespace. Wildcards are refused. */
export interface RbacRuleArgs {
    /** API groups, `""` for the core group. `*` is refused. */
    apiGroups: string[];
    /** Resources, e.g. `configmaps`. `*` is refused. */
    resources: string[];
    /** Verbs, e.g. `get`, `list`, `watch`. `*` is refused. */
    verbs: string[];
    /** Restrict the rule to these object names. */
    resourceNames?: string[];
}

/** The workload's ServiceAccount and what it may do. */
export interface ServiceAccountArgs {
    /**
     * Mount the ServiceAccount token into the pods. Defaults to false: most applications never call the
     * Kubernetes API, and a mounted token is a credential an attacker can use.
     */
    automountToken?: boolean;
    /** Annotations for the ServiceAccount, e.g. `eks.amazonaws.com/role-arn` for IRSA. */
    annotations?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
    /** Namespaced rules for a Role bound to the ServiceAccount. No Role is created when empty. */
    rules?: RbacRuleArgs[];
    /** Existing ClusterRoles to bind in this namespace only (e.g. `view`). `cluster-admin` is refused. */
    clusterRoles?: string[];
}

/**
 * OpenTelemetry auto-instrumentation of a workload's pods by the OpenTelemetry Operator (the Tracing component):
 * the operator injects the language's SDK, configured by the `Instrumentation` of the workload's namespace, and
 * the pods may send OTLP to the tier-1 collector.
 */
export interface WorkloadTracingArgs {
    /**
     * SDK to inject: `java`, `nodejs`, `python`, `dotnet`, or `sdk` (only the OTEL_* environment, for an application
     * that bundles its own SDK). Required. `go`, `apache-httpd` and `nginx` are refused: the Go agent runs privileged
     * and the web-server agents rewrite their configuration directory, which Pod Security restricted or the
     * read-only root filesystem forbid.
     */
    language: string;
    /** Containers to instrument (annotation `instrumentation.opentelemetry.io/container-names`). Defaults to the first container. Each must be one of `containers`. */
    containers?: string[];
    /**
     * Name of the `Instrumentation` in the workload's own namespace that configures the SDK. Defaults to `k8sprod`,
     * the one Tracing creates in each of its `instrumentedNamespaces`: list the workload's namespace there.
     */
    instrumentation?: string;
    /** Namespace of the tier-1 collector (Tracing's `namespace`): the pods may reach its pods on TCP 4317 and 4318 despite the default deny. Defaults to `tracing`. */
    collectorNamespace?: string;
}

/** A PodDisruptionBudget override. Give at most one of the two fields. */
export interface DisruptionBudgetArgs {
    /** Pods that must stay up during voluntary disruptions: a count or a percentage (`"50%"`). */
    minAvailable?: string;
    /** Pods that may be down at once: a count or a percentage (`"25%"`). */
    maxUnavailable?: string;
}

/**
 * What every workload template takes apart from its namespace: its pods, their identity and network, and their
 * disruption budget. ProductionPlatform takes workloads in this form under the namespace they belong to.
 */
export interface WorkloadSpecArgs {
    /** The pod's containers. At least one; each with requests, an image pinned to a version, and ports or probes. */
    containers: ContainerArgs[];
    /**
     * Quality of service: "Burstable" (default; limits default to 2 × requests, so pods can burst) or
     * "Guaranteed" (limits default to the requests; last to be evicted under node pressure; recommended for databases).
     */
    qos?: string;
    /** PodDisruptionBudget override. Defaults to minAvailable = replica floor − 1. Must allow at least one disruption. */
    disruptionBudget?: DisruptionBudgetArgs;
    /** Non-root identity of the pods; `fsGroup` owns mounted volumes. Defaults to UID/GID 10001. */
    podIdentity?: PodIdentityArgs;
    /** The dedicated ServiceAccount: token automount (off by default), IRSA annotations, least-privilege rules. */
    serviceAccount?: ServiceAccountArgs;
    /**
     * Sources allowed in (pods, namespaces, CIDRs). Nothing else may connect (a StatefulService's replicas
     * always reach each other). Defaults to none.
     */
    ingressFrom?: NetworkPeerArgs[];
    /** Targets allowed out, with their ports (e.g. the database pods on TCP 5432). Nothing else is reachable except DNS. */
    egressTo?: NetworkPeerArgs[];
    /** Allow DNS lookups through kube-dns. Defaults to true. */
    allowDns?: boolean;
    /** Container port Prometheus scrapes. Adds scrape annotations and lets the metrics namespace reach that port. */
    metricsPort?: number;
    /** HTTP path of the metrics. Defaults to /metrics. */
    metricsPath?: string;
    /** Namespace Prometheus runs in. Defaults to monitoring. */
    metricsNamespace?: string;
    /** PriorityClass of the pods. */
    priorityClassName?: string;
    /** Seconds a pod gets to shut down (drain connections, flush, leave a cluster). Defaults to 30 for a WebService, 60 for a StatefulService. */
    terminationGracePeriodSeconds?: number;
    /** Extra annotations on the pod template. */
    podAnnotations?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

/** What every workload template takes: its namespace, its pods, their identity and network, and their disruption budget. */
export interface WorkloadArgs extends WorkloadSpecArgs {
    /** Namespace to deploy into (e.g. a ProductionNamespace's `name`). Required; `default` is refused. */
    namespace: pulumi.Input<string>;
}
