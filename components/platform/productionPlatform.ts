/**
 * ProductionPlatform: one environment of the production platform from one args object. The network and the
 * EKS cluster (EksCluster), the autoscalers, and the namespaces with their workloads, each built as soon as
 * what it needs exists: every add-on and every namespace waits only for the cluster's Kubernetes provider, a
 * workload only for its namespace (and the VPA's CRDs when it asks for a VerticalPodAutoscaler, Tracing when it
 * is traced).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAutoscaler, ClusterAutoscalerArgs, MetricsServer, PrometheusAdapter, VerticalPodAutoscaler, validateClusterAutoscalerArgs } from "../autoscaling";
import {
    ObjectLockArgs, RestoreDrill, RestoreDrillArgs, Velero, VeleroArgs, validateRestoreDrillArgs, validateVeleroArgs,
} from "../backup";
import { GitOps, ImageRepository, ImageRepositoryArgs, validateImageRepositoryArgs } from "../delivery";
import { GitOpsArgs, GitOpsLocalAccountArgs, GitOpsSsoArgs, GitOpsTeamArgs, validateGitOpsArgs } from "../delivery/argocd";
import {
    Logging, LoggingArgs, Monitoring, MonitoringArgs, Tracing, TracingArgs, validateLoggingArgs, validateMonitoringArgs, validateTracingArgs,
} from "../observability";
import { AlertReceiver } from "../observability/alertmanager";
import { ExporterSettings } from "../observability/collector";
import { ClusterAccessEntryArgs, EksCluster, EksClusterArgs, EksNodeGroupArgs, eksClusterProblems } from "../cluster";
import { InputProblem, Problems } from "../lib/errors";
import { childName, dns1123LabelProblem } from "../lib/names";
import { VPC_DEFAULTS, VpcFlowLogArgs } from "../network/vpc";
import { DEFAULT_TRACING_NAMESPACE, INSTRUMENTATION_NAME } from "../observability/instrumentation";
import {
    ProductionNamespace, ProductionNamespaceArgs, StatefulService, StatefulServiceSpecArgs, WebService, WebServiceSpecArgs,
    validateProductionNamespaceArgs, validateStatefulServiceArgs, validateWebServiceArgs,
} from "../workloads";
import { DEFAULT_KUBERNETES_VERSION } from "../../lib/versions";

/** The platform's defaults, in one place. */
export const PLATFORM_DEFAULTS = {
    natGateways: "one-per-zone",
    addons: {
        clusterAutoscaler: true, metricsServer: true, verticalPodAutoscaler: true, prometheusAdapter: true,
        monitoring: true, logging: true, tracing: true, backups: true, gitOps: true,
    },
    traceExporter: { type: "awsxray" } as ExporterSettings,
} as const;

/** The add-ons the platform installs on the cluster. Each is on unless switched off. */
export interface PlatformAddonsArgs {
    /** cluster-autoscaler with an IRSA role limited to this cluster's node groups. Defaults to true. */
    clusterAutoscaler?: boolean;
    /** metrics-server (the resource metrics API that HorizontalPodAutoscalers read). Defaults to true. */
    metricsServer?: boolean;
    /**
     * The VPA recommender and its CRDs. Defaults to true. Required by any WebService with `verticalPodAutoscaler: true`.
     */
    verticalPodAutoscaler?: boolean;
    /** prometheus-adapter (custom and external metrics for HorizontalPodAutoscalers); reads Monitoring's Prometheus when that is on. Defaults to true. */
    prometheusAdapter?: boolean;
    /** Monitoring: kube-prometheus-stack (Prometheus, Alertmanager, Grafana, the platform's alert rules). Defaults to true. */
    monitoring?: boolean;
    /** Logging: Fluent Bit to CloudWatch Logs, one log group per retention class, through IRSA. Defaults to true. */
    logging?: boolean;
    /** Tracing: the OpenTelemetry operator and the two-tier tail-sampling collectors. Defaults to true. */
    tracing?: boolean;
    /**
     * Backups: Velero with a KMS-encrypted, versioned bucket replicated to `backup.replicaRegion`, the namespaces whose
     * settings ask for backups on the frequent schedule, every namespace daily, and a restore drill. Needs
     * `backup.replicaRegion`. Defaults to true.
     */
    backups?: boolean;
    /** GitOps: Argo CD (HA) with an AppProject and Applications per team in `delivery.teams`. Defaults to true. */
    gitOps?: boolean;
}

/** Retention of application, platform, audit and security logs, in days (a CloudWatch retention period). */
export interface PlatformLogRetentionArgs {
    /** Application logs. Defaults to Logging's default (14). */
    application?: number;
    /** Platform (system namespace) logs. Defaults to Logging's default. */
    platform?: number;
    /** Audit logs. Defaults to Logging's default. */
    audit?: number;
    /** Security logs. Defaults to Logging's default. */
    security?: number;
}

/** Tail sampling of traces. */
export interface PlatformTraceSamplingArgs {
    /** Percent of traces kept that are neither errors nor slow. Defaults to Tracing's default (5). */
    baselinePercent?: number;
    /** A trace at least this slow (ms) is always kept. Defaults to Tracing's default (1000). */
    slowThresholdMs?: number;
}

/** Observability settings (used when the monitoring, logging or tracing add-ons are on). */
export interface PlatformObservabilityArgs {
    /** Alertmanager receivers (each reads its URL or key from a Secret in the monitoring namespace). Defaults to none. */
    alertReceivers?: AlertReceiver[];
    /** Secret (in the monitoring namespace) with Grafana's admin credentials. Defaults to Monitoring's default. */
    grafanaAdminSecret?: string;
    /** Log retention by class. Defaults to Logging's defaults. */
    logRetentionDays?: PlatformLogRetentionArgs;
    /** Where sampled traces go. Defaults to AWS X-Ray through an IRSA role. */
    traceExporter?: ExporterSettings;
    /** Tail sampling. Defaults to Tracing's defaults (every error and slow trace, 5 % of the rest). */
    traceSampling?: PlatformTraceSamplingArgs;
    /**
     * Namespaces whose pods are instrumented: each gets Tracing's `Instrumentation` and may send OTLP to tier 1.
     * Each must be one of the platform's namespaces; a WebService with `tracing` must be in one of them. Defaults
     * to every platform namespace.
     */
    tracedNamespaces?: string[];
}

/** Backup settings (used when the backups add-on is on). */
export interface PlatformBackupArgs {
    /**
     * Region of the replica bucket, the cross-region copy that survives the loss of `region`. Required when backups
     * are on; must differ from the platform's region.
     */
    replicaRegion?: string;
    /** S3 Object Lock on the backup bucket (immutable backups). Defaults to off. */
    objectLock?: ObjectLockArgs;
    /**
     * The namespace the weekly restore drill restores into a scratch namespace and checks. Defaults to the first
     * namespace whose settings ask for backups; no drill when there is none. Set `restoreDrill: false` to skip it.
     */
    drillNamespace?: string;
    /** Whether to run the restore drill. Defaults to true. */
    restoreDrill?: boolean;
    /** The drill's image (bash, curl, kubectl). Defaults to RestoreDrill's default. */
    restoreDrillImage?: string;
    /** Pushgateway URL the drill reports to. Defaults to none. */
    pushgatewayUrl?: string;
}

/** Delivery settings (used when the gitOps add-on is on; image repositories are created whenever listed). */
export interface PlatformDeliveryArgs {
    /** Host name of the Argo CD UI. Defaults to none (no Ingress). */
    domain?: string;
    /** Single sign-on for Argo CD. Conflicts with nothing; without it, `localAccounts` log in. Defaults to none. */
    sso?: GitOpsSsoArgs;
    /** Named Argo CD accounts instead of the built-in admin. Defaults to none. */
    localAccounts?: GitOpsLocalAccountArgs[];
    /** Groups or accounts that administer Argo CD. Defaults to none. */
    admins?: string[];
    /** Teams: an AppProject each, with their repositories, namespaces, roles and Applications. Defaults to none. */
    teams?: GitOpsTeamArgs[];
    /** ECR repositories to create (scan on push, immutable tags, KMS), by name (`shop/api`). Defaults to none. */
    imageRepositories?: string[];
}

/** The network of the environment. */
export interface PlatformNetworkArgs {
    /** The VPC's IPv4 block. Defaults to `10.0.0.0/16`. */
    cidrBlock?: string;
    /**
     * `one-per-zone` (a NAT gateway in every zone, so a zone failure leaves the other zones their egress) or `single`
     * (one NAT gateway: about $36 a month less per zone saved, but every zone loses egress with that zone).
     * Defaults to `one-per-zone`.
     */
    natGateways?: string;
    /** VPC flow logs. Defaults to all traffic into a CloudWatch log group kept 90 days, encrypted with the VPC's own KMS key. */
    flowLogs?: VpcFlowLogArgs;
    /** Interface endpoints for ECR and STS and an S3 gateway endpoint, for nodes without internet egress. Defaults to false. */
    privateClusterEndpoints?: boolean;
}

/** A WebService inside a platform namespace. */
export interface PlatformWebServiceArgs {
    /** The service's name (a DNS-1123 label); names its Deployment, Service and other objects. Unique in the platform. */
    name: string;
    /** The WebService's arguments; its namespace is the namespace this entry sits in. */
    service: WebServiceSpecArgs;
}

/** A StatefulService inside a platform namespace. */
export interface PlatformStatefulServiceArgs {
    /** The service's name (a DNS-1123 label); names its StatefulSet, Services and other objects. Unique in the platform. */
    name: string;
    /** The StatefulService's arguments; its namespace is the namespace this entry sits in. */
    service: StatefulServiceSpecArgs;
}

/** A namespace of the platform with the workloads it holds. */
export interface PlatformNamespaceArgs {
    /** The namespace's name (a DNS-1123 label, not a system namespace). Unique in the platform. */
    name: string;
    /** The ProductionNamespace's settings (Pod Security, quota, limits, backup label). Defaults to its defaults. */
    settings?: ProductionNamespaceArgs;
    /** WebServices deployed into this namespace. Defaults to none. */
    webServices?: PlatformWebServiceArgs[];
    /** StatefulServices deployed into this namespace. Defaults to none. */
    statefulServices?: PlatformStatefulServiceArgs[];
}

/** Arguments of {@link ProductionPlatform}. */
export interface ProductionPlatformArgs {
    /**
     * The environment's name (`dev`, `staging`, `prod`, …; a DNS-1123 label). Tagged on every AWS resource as
     * `Environment` (unless `tags` sets it). Required.
     */
    environment: string;
    /**
     * The AWS region. When set, the platform's AWS resources go through a provider for this region (child
     * `<name>-aws`); the zones must lie in it. Defaults to the stack's `aws:region`.
     */
    region?: string;
    /**
     * The availability zones, by name (`us-east-1a`), at least 2; a node group and a private and public subnet in
     * each. Defaults to 3 zones the region reports as available at deploy time.
     */
    availabilityZones?: string[];
    /** Kubernetes minor from the version matrix (1.33, 1.34, 1.35); others are refused. Defaults to 1.35. */
    kubernetesVersion?: string;
    /** The EKS cluster's name. Defaults to the component's name. */
    clusterName?: string;
    /** The VPC. Defaults to 10.0.0.0/16 with a NAT gateway per zone and flow logs. */
    network?: PlatformNetworkArgs;
    /**
     * The managed node groups: one per zone, all of this shape. Defaults to 3–10 m7i.large on-demand nodes across the
     * zones with 50 GiB encrypted gp3 root volumes.
     */
    nodeGroup?: EksNodeGroupArgs;
    /** CIDR blocks that may reach the public API endpoint; empty keeps the endpoint private. `0.0.0.0/0` is refused. Defaults to empty. */
    publicAccessCidrs?: string[];
    /** IAM principals that may use the cluster (access entries). Defaults to none. */
    accessEntries?: ClusterAccessEntryArgs[];
    /** Days the control-plane log group keeps logs. Defaults to 90. */
    logRetentionDays?: number;
    /**
     * ARN of a KMS key that encrypts the control-plane log group (EksCluster's `controlPlaneLogsKmsKeyArn`); its policy
     * must let CloudWatch Logs of the region use it for `/aws/eks/<clusterName>/cluster`. Defaults to a rotating key
     * the cluster creates for that group only.
     */
    controlPlaneLogsKmsKeyArn?: pulumi.Input<string>;
    /** Add-on switches. Defaults to every add-on on. */
    addons?: PlatformAddonsArgs;
    /** Observability settings. Defaults to the components' defaults, traces to AWS X-Ray. */
    observability?: PlatformObservabilityArgs;
    /** Backup settings; `replicaRegion` is required while the backups add-on is on. */
    backup?: PlatformBackupArgs;
    /** Delivery settings: Argo CD teams and ECR repositories. Defaults to none. */
    delivery?: PlatformDeliveryArgs;
    /** Namespaces with their workloads, created on the cluster through its own provider. Defaults to none. */
    namespaces?: PlatformNamespaceArgs[];
    /** Tags on every taggable AWS resource (and on EBS volumes the CSI driver creates). `Environment` defaults to `environment`. */
    tags?: { [key: string]: string };
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** The EksCluster args the platform args describe (pure). */
export function platformClusterArgs(name: string, args: ProductionPlatformArgs): EksClusterArgs {
    const net = args.network ?? {};
    return {
        clusterName: args.clusterName ?? name,
        kubernetesVersion: args.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION,
        network: {
            ...(net.cidrBlock !== undefined ? { cidrBlock: net.cidrBlock } : {}),
            ...(args.availabilityZones ? { availabilityZones: args.availabilityZones } : {}),
            natGateways: net.natGateways ?? PLATFORM_DEFAULTS.natGateways,
            ...(net.flowLogs ? { flowLogs: net.flowLogs } : {}),
            ...(net.privateClusterEndpoints !== undefined ? { privateClusterEndpoints: net.privateClusterEndpoints } : {}),
        },
        ...(args.publicAccessCidrs ? { publicAccessCidrs: args.publicAccessCidrs } : {}),
        ...(args.accessEntries ? { accessEntries: args.accessEntries } : {}),
        ...(args.nodeGroup ? { nodeGroup: args.nodeGroup } : {}),
        ...(args.logRetentionDays !== undefined ? { logRetentionDays: args.logRetentionDays } : {}),
        ...(args.controlPlaneLogsKmsKeyArn !== undefined ? { controlPlaneLogsKmsKeyArn: args.controlPlaneLogsKmsKeyArn } : {}),
        tags: platformTags(args),
    };
}

/** The tags of every AWS resource: the given tags, with `Environment` defaulting to the environment. */
export function platformTags(args: ProductionPlatformArgs): { [key: string]: string } {
    return { Environment: args.environment, ...(args.tags ?? {}) };
}

/** The add-on switches with their defaults filled in. */
export function platformAddons(args: ProductionPlatformArgs): Required<PlatformAddonsArgs> {
    return { ...PLATFORM_DEFAULTS.addons, ...(args.addons ?? {}) };
}

function addAll(problems: Problems, prefix: string, items: InputProblem[]): void {
    for (const p of items) {
        problems.add(p.propertyPath ? `${prefix}.${p.propertyPath}` : prefix, p.reason);
    }
}

/** The GitOps args the platform builds its Argo CD from: the platform's namespaces and its `delivery` settings. */
export function platformGitOpsArgs(args: ProductionPlatformArgs): GitOpsArgs {
    const d = args.delivery ?? {};
    return {
        productionNamespaces: (args.namespaces ?? []).map((n) => n?.name),
        ...(d.domain ? { domain: d.domain } : {}),
        ...(d.sso ? { sso: d.sso } : {}),
        ...(d.localAccounts ? { localAccounts: d.localAccounts } : {}),
        ...(d.admins ? { admins: d.admins } : {}),
        ...(d.teams ? { teams: d.teams } : {}),
    };
}

/**
 * What the platform's add-ons take from the cluster rather than from the user: deploy-time values (the cluster's
 * name, region, IAM OIDC provider and default StorageClass).
 */
export interface PlatformClusterValues {
    /** The EKS cluster's name (EksCluster's `clusterName`). */
    clusterName: pulumi.Input<string>;
    /** The cluster's region (EksCluster's `region`). */
    region: pulumi.Input<string>;
    /** The cluster's IAM OIDC provider ARN, trusted by the add-ons' IRSA roles. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL, in the IRSA trust conditions. */
    oidcProviderUrl: pulumi.Input<string>;
    /** The cluster's default StorageClass (Prometheus's volumes). */
    storageClassName: pulumi.Input<string>;
}

/** What the restore drill takes from Velero (deploy-time values). */
export interface PlatformVeleroValues {
    /** Velero's frequent schedule, whose newest backup the drill restores. */
    frequentScheduleName: pulumi.Input<string>;
    /** Velero's namespace. */
    namespace: pulumi.Input<string>;
}

/** The NetworkPolicies of the observability namespaces reach the API server, kubelets and webhooks inside the VPC only. */
function clusterCidrs(args: ProductionPlatformArgs): string[] {
    return [args.network?.cidrBlock ?? VPC_DEFAULTS.cidrBlock];
}

/** The ClusterAutoscaler args the platform builds (the cluster's values from `cluster`). */
export function platformClusterAutoscalerArgs(name: string, args: ProductionPlatformArgs, cluster: PlatformClusterValues): ClusterAutoscalerArgs {
    const clusterArgs = platformClusterArgs(name, args);
    return {
        clusterName: cluster.clusterName,
        region: cluster.region,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcProviderUrl: cluster.oidcProviderUrl,
        kubernetesVersion: clusterArgs.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION,
        tags: clusterArgs.tags,
    };
}

/** The Monitoring args the platform builds from `observability` (the StorageClass from `cluster`). */
export function platformMonitoringArgs(args: ProductionPlatformArgs, cluster: PlatformClusterValues): MonitoringArgs {
    const obs = args.observability ?? {};
    return {
        prometheus: { storageClassName: cluster.storageClassName },
        clusterCidrs: clusterCidrs(args),
        ...(obs.alertReceivers ? { receivers: obs.alertReceivers } : {}),
        ...(obs.grafanaAdminSecret ? { grafanaAdminSecret: obs.grafanaAdminSecret } : {}),
    };
}

/** The Logging args the platform builds from `observability` (the cluster's name and IRSA values from `cluster`). */
export function platformLoggingArgs(args: ProductionPlatformArgs, cluster: PlatformClusterValues): LoggingArgs {
    const obs = args.observability ?? {};
    return {
        clusterName: cluster.clusterName,
        region: cluster.region, oidcProviderArn: cluster.oidcProviderArn, oidcProviderUrl: cluster.oidcProviderUrl,
        clusterCidrs: clusterCidrs(args),
        ...(obs.logRetentionDays ? { retentionDays: obs.logRetentionDays } : {}),
        tags: platformTags(args),
    };
}

/** The namespaces Tracing instruments: `observability.tracedNamespaces`, or every platform namespace. */
export function platformTracedNamespaces(args: ProductionPlatformArgs): string[] {
    return args.observability?.tracedNamespaces ?? (args.namespaces ?? []).map((n) => n?.name);
}

/** The Tracing args the platform builds from `observability` (the IRSA values from `cluster`). */
export function platformTracingArgs(args: ProductionPlatformArgs, cluster: PlatformClusterValues): TracingArgs {
    const obs = args.observability ?? {};
    return {
        exporter: obs.traceExporter ?? PLATFORM_DEFAULTS.traceExporter,
        ...(obs.traceSampling ? { sampling: obs.traceSampling } : {}),
        instrumentedNamespaces: platformTracedNamespaces(args),
        clusterCidrs: clusterCidrs(args),
        region: cluster.region, oidcProviderArn: cluster.oidcProviderArn, oidcProviderUrl: cluster.oidcProviderUrl,
        tags: platformTags(args),
    };
}

/** The platform namespaces whose settings ask for backups (Velero's frequent schedule), in order. */
function backedUpNamespaces(args: ProductionPlatformArgs): string[] {
    return (args.namespaces ?? []).filter((n) => n?.settings?.backup).map((n) => n.name);
}

/** The Velero args the platform builds from `backup` and the namespaces (the cluster's values from `cluster`). */
export function platformVeleroArgs(args: ProductionPlatformArgs, cluster: PlatformClusterValues): VeleroArgs {
    return {
        clusterName: cluster.clusterName,
        region: args.region ?? cluster.region,
        replicaRegion: args.backup?.replicaRegion as string,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcProviderUrl: cluster.oidcProviderUrl,
        backupNamespaces: backedUpNamespaces(args),
        ...(args.backup?.objectLock ? { objectLock: args.backup.objectLock } : {}),
        tags: platformTags(args),
    };
}

/** The namespace the restore drill restores, or undefined when there is no drill (switched off, or nothing backed up). */
export function platformDrillNamespace(args: ProductionPlatformArgs): string | undefined {
    if (!platformAddons(args).backups || !(args.backup?.restoreDrill ?? true)) {
        return undefined;
    }
    return args.backup?.drillNamespace ?? backedUpNamespaces(args)[0];
}

/** The RestoreDrill args the platform builds from `backup` (the schedule and namespace from Velero), or undefined when there is no drill. */
export function platformRestoreDrillArgs(args: ProductionPlatformArgs, velero: PlatformVeleroValues): RestoreDrillArgs | undefined {
    const sourceNamespace = platformDrillNamespace(args);
    if (sourceNamespace === undefined) {
        return undefined;
    }
    return {
        sourceNamespace,
        scheduleName: velero.frequentScheduleName,
        veleroNamespace: velero.namespace,
        ...(args.backup?.restoreDrillImage ? { image: args.backup.restoreDrillImage } : {}),
        ...(args.backup?.pushgatewayUrl ? { pushgatewayUrl: args.backup.pushgatewayUrl } : {}),
    };
}

/** The ImageRepository args of each entry of `delivery.imageRepositories`. */
export function platformImageRepositoryArgs(args: ProductionPlatformArgs): Array<{ name: string; args: ImageRepositoryArgs }> {
    return (args.delivery?.imageRepositories ?? []).map((repo) => ({ name: repo, args: { repositoryName: repo, tags: platformTags(args) } }));
}

/**
 * Stand-ins for the cluster's and Velero's deploy-time values while the platform's args are checked: Outputs, which
 * the children's validators leave to deploy time as they do the real ones.
 */
function deployTimeValues(): PlatformClusterValues & PlatformVeleroValues {
    const later = (what: string) => pulumi.output(`<${what} at deploy time>`);
    return {
        clusterName: later("clusterName"), region: later("region"), oidcProviderArn: later("oidcProviderArn"),
        oidcProviderUrl: later("oidcProviderUrl"), storageClassName: later("storageClassName"),
        frequentScheduleName: later("frequentScheduleName"), namespace: later("veleroNamespace"),
    };
}

/**
 * Adds a child's problems at the platform's paths: each `[childPath, platformPath]` pair renames a child property
 * (and what lies under it) to the platform setting it comes from. A problem the platform or an earlier check has
 * already reported at that path is not repeated. A problem at a path no pair names concerns a value the platform
 * fills in itself; it is still reported, under `fallback`, never dropped.
 */
function addChildProblems(problems: Problems, child: string, items: InputProblem[], pairs: Array<[string, string]>, fallback: string): void {
    const before = new Set(problems.items.map((p) => p.propertyPath));
    for (const p of items) {
        const pair = pairs.find(([from]) => p.propertyPath === from || p.propertyPath.startsWith(`${from}.`) || p.propertyPath.startsWith(`${from}[`));
        if (!pair) {
            problems.add(fallback, `${child}'s ${p.propertyPath || "args"}: ${p.reason}`);
        } else if (!before.has(pair[1] + p.propertyPath.slice(pair[0].length))) {
            problems.add(pair[1] + p.propertyPath.slice(pair[0].length), p.reason);
        }
    }
}

/** The platform path of a child's `clusterCidrs` problem: the VPC block, the list's one entry. */
const CIDRS: [string, string] = ["clusterCidrs[0]", "network.cidrBlock"];

/**
 * The add-ons' own checks of what the platform would pass them (Monitoring, Logging, Tracing, ClusterAutoscaler,
 * Velero, RestoreDrill, GitOps, the ECR repositories), each only while it is on, at the platform's property paths.
 * metrics-server, the VPA and prometheus-adapter take no user settings.
 */
function addonProblems(name: string, args: ProductionPlatformArgs, problems: Problems): void {
    const addons = platformAddons(args);
    const later = deployTimeValues();
    const nsName = (i: number): string => `namespaces[${i}].name`;
    if (addons.clusterAutoscaler) {
        addChildProblems(problems, "ClusterAutoscaler", validateClusterAutoscalerArgs(platformClusterAutoscalerArgs(name, args, later)).items,
            [["kubernetesVersion", "kubernetesVersion"], ["tags", "tags"]], "addons.clusterAutoscaler");
    }
    if (addons.monitoring) {
        addChildProblems(problems, "Monitoring", validateMonitoringArgs(platformMonitoringArgs(args, later)).items,
            [["receivers", "observability.alertReceivers"], ["grafanaAdminSecret", "observability.grafanaAdminSecret"], CIDRS], "addons.monitoring");
    }
    if (addons.logging) {
        addChildProblems(problems, "Logging", validateLoggingArgs(platformLoggingArgs(args, later)).items,
            [["retentionDays", "observability.logRetentionDays"], CIDRS, ["tags", "tags"]], "addons.logging");
    }
    if (addons.tracing) {
        // Tracing's instrumented namespaces are tracedNamespaces when given, else the platform's namespaces in order.
        const instrumented: Array<[string, string]> = args.observability?.tracedNamespaces !== undefined
            ? [["instrumentedNamespaces", "observability.tracedNamespaces"]]
            : (args.namespaces ?? []).map((_, i) => [`instrumentedNamespaces[${i}]`, nsName(i)]);
        addChildProblems(problems, "Tracing", validateTracingArgs(platformTracingArgs(args, later)).items,
            [["exporter", "observability.traceExporter"], ["sampling", "observability.traceSampling"], ...instrumented, CIDRS, ["tags", "tags"]],
            "addons.tracing");
    }
    if (addons.backups) {
        const backedUp = (args.namespaces ?? []).map((n, i) => (n?.settings?.backup ? i : -1)).filter((i) => i >= 0);
        addChildProblems(problems, "Velero", validateVeleroArgs(platformVeleroArgs(args, later)).items, [
            ["replicaRegion", "backup.replicaRegion"], ["region", "region"], ["objectLock", "backup.objectLock"], ["tags", "tags"],
            ...backedUp.map((j, k): [string, string] => [`backupNamespaces[${k}]`, nsName(j)]),
        ], "addons.backups");
        const drill = platformRestoreDrillArgs(args, later);
        if (drill) {
            const source = args.backup?.drillNamespace !== undefined ? "backup.drillNamespace" : nsName(backedUp[0]);
            addChildProblems(problems, "RestoreDrill", validateRestoreDrillArgs(drill).items, [
                ["sourceNamespace", source], ["image", "backup.restoreDrillImage"], ["pushgatewayUrl", "backup.pushgatewayUrl"],
            ], "backup.restoreDrill");
        }
    }
    if (addons.gitOps) {
        // productionNamespaces is the platform's own namespace list: its entries are the namespaces' names.
        addChildProblems(problems, "GitOps", validateGitOpsArgs(platformGitOpsArgs(args)).items, [
            ...(args.namespaces ?? []).map((_, i): [string, string] => [`productionNamespaces[${i}]`, nsName(i)]),
            ...(["domain", "sso", "localAccounts", "admins", "teams"] as const).map((k): [string, string] => [k, `delivery.${k}`]),
        ], "delivery");
    }
    const repos = platformImageRepositoryArgs(args);
    const childKey = (repo: string) => String(repo).replace(/[^a-z0-9-]/g, "-");
    repos.forEach((r, i) => {
        const j = repos.findIndex((o) => childKey(o.name) === childKey(r.name));
        problems.check(j === i, `delivery.imageRepositories[${i}]`, repos[j].name === r.name ? `"${r.name}" is listed twice`
            : `"${r.name}" and "${repos[j].name}" (delivery.imageRepositories[${j}]) give the same resource name (<name>-ecr-${childKey(r.name)}); keep one`);
        addChildProblems(problems, "ImageRepository", validateImageRepositoryArgs(r.name, r.args).items,
            [["repositoryName", `delivery.imageRepositories[${i}]`], ["name", `delivery.imageRepositories[${i}]`], ["tags", "tags"]], "delivery.imageRepositories");
    });
}

/** Every problem with a ProductionPlatform's args, its cluster's, its namespaces' and its workloads' (empty when fine). */
export function validateProductionPlatformArgs(name: string, args: ProductionPlatformArgs): Problems {
    const problems = new Problems();
    if (typeof args?.environment !== "string" || args.environment === "") {
        problems.add("environment", "is required (dev, staging, prod, …)");
    } else {
        const p = dns1123LabelProblem(args.environment);
        problems.check(p === undefined, "environment", p ?? "");
    }
    if (args.region !== undefined) {
        problems.check(REGION.test(args.region), "region", `"${args.region}" is not an AWS region name (like us-east-1)`);
        (args.availabilityZones ?? []).forEach((z, i) => {
            problems.check(z.startsWith(args.region!) && z.length > args.region!.length, `availabilityZones[${i}]`,
                `"${z}" is not a zone of region ${args.region}`);
        });
    }
    eksClusterProblems(name, platformClusterArgs(name, args), problems);

    const addons = platformAddons(args);
    if (addons.backups) {
        // backup.replicaRegion is Velero's replicaRegion: Velero's checks (below) require it and refuse the platform's region.
        const drill = args.backup?.drillNamespace;
        problems.check(drill === undefined || (args.namespaces ?? []).some((n) => n.name === drill), "backup.drillNamespace", `"${drill}" is not one of the platform's namespaces`);
    }
    const platformNamespaces = (args.namespaces ?? []).map((n) => n?.name);
    const traced = platformTracedNamespaces(args);
    (args.observability?.tracedNamespaces ?? []).forEach((n, i) => problems.check(platformNamespaces.includes(n), `observability.tracedNamespaces[${i}]`,
        `"${n}" is not one of the platform's namespaces: its Instrumentation needs a namespace the platform creates`));
    const namespaces = new Set<string>();
    const workloads = new Map<string, string>();
    (args.namespaces ?? []).forEach((ns, i) => {
        const at = `namespaces[${i}]`;
        if (typeof ns?.name !== "string") {
            problems.add(`${at}.name`, "is required");
            return;
        }
        if (namespaces.has(ns.name)) {
            problems.add(`${at}.name`, `"${ns.name}" is listed twice`);
        }
        namespaces.add(ns.name);
        addAll(problems, `${at}.settings`, validateProductionNamespaceArgs(ns.name, ns.settings ?? {}).items.map(fixNamespacePath));
        const seen = (kind: string, j: number, w: { name: string }): void => {
            const other = workloads.get(w.name);
            problems.check(other === undefined, `${at}.${kind}[${j}].name`,
                `"${w.name}" is also a workload in namespace ${other}: workload names name Pulumi resources and must be unique in the platform`);
            workloads.set(w.name, ns.name);
        };
        (ns.webServices ?? []).forEach((w, j) => {
            seen("webServices", j, w);
            addAll(problems, `${at}.webServices[${j}].service`, validateWebServiceArgs(w.name, { ...w.service, namespace: ns.name }).items);
            problems.check(!w.service?.verticalPodAutoscaler || addons.verticalPodAutoscaler, `${at}.webServices[${j}].service.verticalPodAutoscaler`,
                "needs the VerticalPodAutoscaler add-on (its CRDs): set addons.verticalPodAutoscaler to true");
        });
        (ns.webServices ?? []).forEach((w, j) => {
            const t = w.service?.tracing;
            if (t === undefined || t === null) {
                return;
            }
            const path = `${at}.webServices[${j}].service.tracing`;
            if (!problems.check(addons.tracing, path, "needs the tracing add-on (the operator injects the SDK): set addons.tracing to true")) {
                return;
            }
            if (t.instrumentation === undefined || t.instrumentation === INSTRUMENTATION_NAME) {
                problems.check(traced.includes(ns.name), path,
                    `namespace ${ns.name} is not in observability.tracedNamespaces, so it has no Instrumentation to inject: add it there`);
            }
            problems.check(t.collectorNamespace === undefined || t.collectorNamespace === DEFAULT_TRACING_NAMESPACE, `${path}.collectorNamespace`,
                `the platform's collectors run in ${DEFAULT_TRACING_NAMESPACE}, not ${t.collectorNamespace}`);
        });
        (ns.statefulServices ?? []).forEach((w, j) => {
            seen("statefulServices", j, w);
            addAll(problems, `${at}.statefulServices[${j}].service`, validateStatefulServiceArgs(w.name, { ...w.service, namespace: ns.name }).items);
        });
    });
    // The add-ons last: a problem the platform's own checks named above is not repeated in an add-on's words.
    addonProblems(name, args, problems);
    return problems;
}

/** A ProductionNamespace problem about its name is about the platform namespace's `name`, not its settings. */
function fixNamespacePath(p: InputProblem): InputProblem {
    return p.propertyPath === "name" ? { ...p, propertyPath: "" } : p;
}

/** Each platform's Kubernetes provider, behind the `provider` accessor (see there why it is not a property). */
const platformProviders = new WeakMap<ProductionPlatform, k8s.Provider>();

/**
 * A production environment on AWS: a multi-zone VPC and an EKS cluster (EksCluster: KMS-encrypted secrets,
 * private endpoint, control-plane logs, IMDSv2 nodes, one node group per zone), the autoscalers
 * (cluster-autoscaler, metrics-server, VPA recommender, prometheus-adapter; each can be switched off), and
 * the namespaces with their WebServices and StatefulServices, all through the cluster's own Kubernetes provider.
 * Everything is built in dependency order and no more serially: add-ons and namespaces wait only for the cluster.
 */
export class ProductionPlatform extends pulumi.ComponentResource {
    /** The EKS cluster's name. */
    public readonly clusterName: pulumi.Output<string>;
    /** A kubeconfig (JSON) for the cluster that authenticates with `aws eks get-token`; secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The availability zones the platform runs in, in zone order. */
    public readonly availabilityZones: pulumi.Output<string[]>;
    /** The managed node group names, one per zone. */
    public readonly nodeGroupNames: pulumi.Output<string[]>;
    /** The VPC id. */
    public readonly vpcId: pulumi.Output<string>;
    /** The names of the namespaces the platform created, in the order given. */
    public readonly namespaces: pulumi.Output<string[]>;
    /** In-cluster DNS names of the workloads' Services, by workload name. */
    public readonly serviceHosts: pulumi.Output<{ [name: string]: string }>;
    /** Prometheus's in-cluster URL (Monitoring); empty when the monitoring add-on is off. */
    public readonly prometheusUrl: pulumi.Output<string>;
    /** The CloudWatch log groups by log class (Logging); empty when the logging add-on is off. */
    public readonly logGroupNames: pulumi.Output<{ [logClass: string]: string }>;
    /** The backup bucket (Velero); empty when the backups add-on is off. */
    public readonly backupBucketName: pulumi.Output<string>;
    /** The backup bucket's cross-region replica; empty when the backups add-on is off. */
    public readonly backupReplicaBucketName: pulumi.Output<string>;
    /** The ECR repositories' URLs by repository name. */
    public readonly imageRepositoryUrls: pulumi.Output<{ [name: string]: string }>;

    /**
     * The cluster's Kubernetes provider: pass it to anything else deployed onto the cluster. An accessor, as
     * EksCluster's, so that it stays out of the package schema (Pulumi's component analyzer writes a provider as
     * `#/resources/kubernetes`, a reference that does not bind); other languages use `kubeconfig`.
     */
    public get provider(): k8s.Provider {
        return platformProviders.get(this)!;
    }

    constructor(name: string, args: ProductionPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): bad input registers nothing, not even the component.
        validateProductionPlatformArgs(name, args).throwIfAny(`ProductionPlatform ${name}`);
        super("k8sprod:platform:ProductionPlatform", name, {}, opts);
        const built = createProductionPlatform(this, name, args);
        this.clusterName = built.cluster.clusterName;
        this.kubeconfig = built.cluster.kubeconfig;
        platformProviders.set(this, built.cluster.provider);
        this.availabilityZones = built.cluster.availabilityZones;
        this.nodeGroupNames = built.cluster.nodeGroupNames;
        this.vpcId = built.cluster.vpcId;
        this.namespaces = pulumi.all(built.namespaces.map((n) => n.name));
        this.serviceHosts = pulumi.all(Object.fromEntries(built.workloads.map((w) => [w.name, w.component.serviceHost])));
        this.prometheusUrl = built.monitoring ? built.monitoring.prometheusUrl : pulumi.output("");
        this.logGroupNames = built.logging ? built.logging.logGroupNames : pulumi.output<{ [logClass: string]: string }>({});
        this.backupBucketName = built.velero ? built.velero.bucketName : pulumi.output("");
        this.backupReplicaBucketName = built.velero ? built.velero.replicaBucketName : pulumi.output("");
        this.imageRepositoryUrls = pulumi.all(Object.fromEntries(built.imageRepositories.map((r) => [r.name, r.component.repositoryUrl])));
        this.registerOutputs({
            clusterName: this.clusterName, kubeconfig: this.kubeconfig,
            availabilityZones: this.availabilityZones, nodeGroupNames: this.nodeGroupNames, vpcId: this.vpcId,
            namespaces: this.namespaces, serviceHosts: this.serviceHosts, prometheusUrl: this.prometheusUrl,
            logGroupNames: this.logGroupNames, backupBucketName: this.backupBucketName,
            backupReplicaBucketName: this.backupReplicaBucketName, imageRepositoryUrls: this.imageRepositoryUrls,
        });
    }
}

/** What {@link createProductionPlatform} built. */
export interface BuiltPlatform {
    cluster: EksCluster;
    clusterAutoscaler?: ClusterAutoscaler;
    metricsServer?: MetricsServer;
    verticalPodAutoscaler?: VerticalPodAutoscaler;
    prometheusAdapter?: PrometheusAdapter;
    monitoring?: Monitoring;
    logging?: Logging;
    tracing?: Tracing;
    velero?: Velero;
    restoreDrill?: RestoreDrill;
    gitOps?: GitOps;
    imageRepositories: Array<{ name: string; component: ImageRepository }>;
    namespaces: ProductionNamespace[];
    workloads: Array<{ name: string; component: WebService | StatefulService }>;
}

/** Builds the platform's children under `parent` (args already validated). */
export function createProductionPlatform(parent: pulumi.ComponentResource, name: string, args: ProductionPlatformArgs): BuiltPlatform {
    const clusterArgs = platformClusterArgs(name, args);
    const addons = platformAddons(args);
    const awsProvider = args.region ? new aws.Provider(childName(name, "aws"), { region: args.region as aws.Region }, { parent }) : undefined;
    const onAws: pulumi.ComponentResourceOptions = { parent, ...(awsProvider ? { providers: { aws: awsProvider } } : {}) };

    const cluster = new EksCluster(childName(name, "cluster"), clusterArgs, onAws);
    // Everything below needs only the cluster's provider (and, for the autoscaler, its IAM identity).
    const onCluster: pulumi.ComponentResourceOptions = { ...onAws, providers: { ...(awsProvider ? { aws: awsProvider } : {}), kubernetes: cluster.provider } };
    const built: BuiltPlatform = { cluster, namespaces: [], workloads: [], imageRepositories: [] };
    // The add-ons' args are built by the same functions validateProductionPlatformArgs checks them with.
    if (addons.clusterAutoscaler) {
        built.clusterAutoscaler = new ClusterAutoscaler(childName(name, "cluster-autoscaler"), platformClusterAutoscalerArgs(name, args, cluster), onCluster);
    }
    if (addons.metricsServer) {
        built.metricsServer = new MetricsServer(childName(name, "metrics-server"), {}, onCluster);
    }
    if (addons.verticalPodAutoscaler) {
        built.verticalPodAutoscaler = new VerticalPodAutoscaler(childName(name, "vpa"), {}, onCluster);
    }
    if (addons.monitoring) {
        built.monitoring = new Monitoring(childName(name, "monitoring"), platformMonitoringArgs(args, cluster), onCluster);
    }
    if (addons.prometheusAdapter) {
        // With Monitoring, the adapter reads its Prometheus (and waits for it); without, its default URL.
        built.prometheusAdapter = new PrometheusAdapter(childName(name, "prometheus-adapter"),
            built.monitoring ? { prometheusUrl: built.monitoring.prometheusUrl } : {},
            built.monitoring ? { ...onCluster, dependsOn: [built.monitoring] } : onCluster);
    }
    if (addons.logging) {
        built.logging = new Logging(childName(name, "logging"), platformLoggingArgs(args, cluster), onCluster);
    }
    if (addons.backups) {
        built.velero = new Velero(childName(name, "velero"), platformVeleroArgs(args, cluster), onCluster);
    }
    if (addons.gitOps) {
        built.gitOps = new GitOps(childName(name, "gitops"), platformGitOpsArgs(args), onCluster);
    }
    for (const repo of platformImageRepositoryArgs(args)) {
        built.imageRepositories.push({
            name: repo.name,
            component: new ImageRepository(childName(name, "ecr", repo.name.replace(/[^a-z0-9-]/g, "-")), repo.args, onAws),
        });
    }

    // Namespaces first, then Tracing (its Instrumentation objects go into them), then the workloads: a traced
    // WebService waits for Tracing, so its pods are created when the Instrumentation the operator injects exists.
    for (const ns of args.namespaces ?? []) {
        // A ProductionNamespace's name is the Kubernetes namespace's name.
        built.namespaces.push(new ProductionNamespace(ns.name, ns.settings ?? {}, onCluster));
    }
    if (addons.tracing) {
        const tracingArgs = platformTracingArgs(args, cluster);
        const mine = built.namespaces.filter((_, i) => tracingArgs.instrumentedNamespaces!.includes(args.namespaces![i].name));
        built.tracing = new Tracing(childName(name, "tracing"), tracingArgs, mine.length > 0 ? { ...onCluster, dependsOn: mine } : onCluster);
    }
    (args.namespaces ?? []).forEach((ns, i) => {
        const namespace = built.namespaces[i];
        for (const w of ns.statefulServices ?? []) {
            built.workloads.push({ name: w.name, component: new StatefulService(w.name, { ...w.service, namespace: namespace.name }, onCluster) });
        }
        for (const w of ns.webServices ?? []) {
            // A VerticalPodAutoscaler object needs the VPA's CRDs first; nothing else orders a workload after an add-on.
            const after = [
                ...(w.service.verticalPodAutoscaler && built.verticalPodAutoscaler ? [built.verticalPodAutoscaler] : []),
                ...(w.service.tracing && built.tracing ? [built.tracing] : []),
            ];
            built.workloads.push({ name: w.name, component: new WebService(w.name, { ...w.service, namespace: namespace.name }, after.length > 0 ? { ...onCluster, dependsOn: after } : onCluster) });
        }
    });
    // The restore drill restores a backed-up namespace from the frequent schedule.
    const drillArgs = built.velero ? platformRestoreDrillArgs(args, built.velero) : undefined;
    if (built.velero && drillArgs) {
        built.restoreDrill = new RestoreDrill(childName(name, "restore-drill"), drillArgs, { ...onCluster, dependsOn: [built.velero] });
    }
    return built;
}
