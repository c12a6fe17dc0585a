/**
 * The AWS platform of the `prod` stack: a multi-AZ VPC and EKS cluster (EksCluster), with cluster-autoscaler,
 * metrics-server, the VPA recommender and prometheus-adapter on it. Everything comes from stack config
 * (`k8sprod:*`, plus `aws:region`); every value has the component's production default.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterAutoscaler, MetricsServer, PrometheusAdapter, VerticalPodAutoscaler } from "../components/autoscaling";
import { ClusterAccessEntryArgs, EksCluster, EksClusterArgs } from "../components/cluster";
import { AlertReceiver } from "../components/observability/alertmanager";
import { ExporterSettings } from "../components/observability/collector";
import { Logging, Monitoring, Tracing } from "../components/observability";
import { DEFAULT_KUBERNETES_VERSION } from "../lib/versions";
import { GitOps, ImageRepository } from "../components/delivery";
// ---- backups (issue 10) ----
import * as k8s from "@pulumi/kubernetes";
import { DEFAULT_FREQUENT_SCHEDULE, DEFAULT_VELERO_NAMESPACE, RestoreDrill, STORAGE_LOCATION_NAME, Velero, validateSchedule, veleroSchedule } from "../components/backup";
import { Problems } from "../components/lib/errors";
import { ExampleApp } from "./app";

/**
 * On a cluster the stack does not build (dev), the app's namespace is backed up by its own Velero Schedule in the
 * cluster's Velero namespace (`k8sprod:veleroNamespace`, default `velero`): hourly, each backup kept 72 h.
 */
export function appBackupSchedule(config: pulumi.Config, app: ExampleApp): k8s.apiextensions.CustomResource {
    const veleroNamespace = config.get("veleroNamespace") ?? DEFAULT_VELERO_NAMESPACE;
    const timing = { ...DEFAULT_FREQUENT_SCHEDULE };
    const problems = new Problems();
    validateSchedule(problems, timing);
    problems.throwIfAny("the app's backup schedule");
    const schedule = (ns: string) => veleroSchedule("app-hourly", { ...timing, includedNamespaces: [ns] }, { namespace: veleroNamespace, storageLocation: STORAGE_LOCATION_NAME });
    const shape = schedule("placeholder");
    return new k8s.apiextensions.CustomResource("app-backup-schedule", {
        apiVersion: shape.apiVersion,
        kind: shape.kind,
        metadata: shape.metadata,
        spec: app.namespace.name.apply((ns) => schedule(ns).spec),
    });
}
// ---- end backups ----

export interface Platform {
    cluster: EksCluster;
    clusterAutoscaler: ClusterAutoscaler;
    metricsServer: MetricsServer;
    verticalPodAutoscaler: VerticalPodAutoscaler;
    prometheusAdapter: PrometheusAdapter;
    monitoring: Monitoring;
    logging: Logging;
    tracing: Tracing;
    gitOps: GitOps;
    imageRepositories: ImageRepository[];
}

/** The EksCluster args a stack config describes (pure, so the config mapping is tested without mocks). */
export function clusterArgsFromConfig(config: pulumi.Config): EksClusterArgs {
    const zones = config.getObject<string[]>("availabilityZones");
    const tags = config.getObject<Record<string, string>>("tags");
    return {
        clusterName: config.get("clusterName"),
        kubernetesVersion: config.get("kubernetesVersion"),
        network: {
            cidrBlock: config.get("vpcCidr"),
            ...(zones ? { availabilityZones: zones } : {}),
            natGateways: config.get("natGateways"),
            privateClusterEndpoints: config.getBoolean("privateClusterEndpoints"),
        },
        publicAccessCidrs: config.getObject<string[]>("publicAccessCidrs"),
        accessEntries: config.getObject<ClusterAccessEntryArgs[]>("accessEntries"),
        nodeGroup: {
            instanceTypes: config.getObject<string[]>("nodeInstanceTypes"),
            minNodes: config.getNumber("minNodes"),
            maxNodes: config.getNumber("maxNodes"),
            capacityType: config.get("nodeCapacityType"),
        },
        logRetentionDays: config.getNumber("logRetentionDays"),
        tags,
    };
}

/** Builds the platform; the Kubernetes objects go through the cluster's own provider. */
export function buildPlatform(config: pulumi.Config): Platform {
    const args = clusterArgsFromConfig(config);
    const cluster = new EksCluster(config.get("platformName") ?? "k8sprod", args);
    const onCluster = { providers: { kubernetes: cluster.provider } };
    const clusterAutoscaler = new ClusterAutoscaler("cluster-autoscaler", {
        clusterName: cluster.clusterName,
        region: cluster.region,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcProviderUrl: cluster.oidcProviderUrl,
        kubernetesVersion: args.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION,
        tags: args.tags,
    }, onCluster);
    const metricsServer = new MetricsServer("metrics-server", {}, onCluster);
    const verticalPodAutoscaler = new VerticalPodAutoscaler("vpa", {}, onCluster);
    // ---- observability (issue 9): Monitoring, Logging, Tracing; the adapter reads the installed Prometheus ----
    const monitoring = new Monitoring("monitoring", {
        prometheus: { storageClassName: cluster.storageClassName },
        receivers: config.getObject<AlertReceiver[]>("alertReceivers"),
        grafanaAdminSecret: config.get("grafanaAdminSecret"),
    }, onCluster);
    const logging = new Logging("logging", {
        clusterName: cluster.clusterName,
        region: cluster.region,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcProviderUrl: cluster.oidcProviderUrl,
        retentionDays: config.getObject<{ application?: number; platform?: number; audit?: number; security?: number }>("logRetentionDaysByClass"),
        tags: args.tags,
    }, onCluster);
    const tracing = new Tracing("tracing", {
        exporter: config.getObject<ExporterSettings>("traceExporter") ?? { type: "awsxray" },
        sampling: config.getObject<{ baselinePercent?: number; slowThresholdMs?: number }>("traceSampling"),
        instrumentedNamespaces: config.getObject<string[]>("tracedNamespaces"),
        region: cluster.region,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcProviderUrl: cluster.oidcProviderUrl,
        tags: args.tags,
    }, onCluster);
    const prometheusAdapter = new PrometheusAdapter("prometheus-adapter", {
        prometheusUrl: monitoring.prometheusUrl,
    }, { ...onCluster, dependsOn: [monitoring] });
    // ---- end observability (issue 9) ----
    // ---- issue 11: delivery (GitOps with Argo CD, one example team; ECR for its images) -------------------
    // Issue 12 folds this block into ProductionPlatform.
    const appNamespace = config.get("appNamespace") ?? "production";
    const gitOps = new GitOps("gitops", {
        domain: config.get("argocdDomain"),
        productionNamespaces: [appNamespace],
        teams: [{
            name: "shop",
            description: "The example application's team",
            sourceRepos: [config.get("shopRepository") ?? "https://github.com/example/shop-deploy.git"],
            namespaces: [appNamespace],
            roles: [{ name: "deployers", access: "sync", groups: ["shop-deployers"] }],
            applications: [{
                name: "api",
                repoURL: config.get("shopRepository") ?? "https://github.com/example/shop-deploy.git",
                path: "overlays/prod",
                targetRevision: config.get("shopRevision") ?? "v1.0.0",
                namespace: appNamespace,
                syncWave: 1,
            }],
        }],
    }, onCluster);
    const imageRepositories = [new ImageRepository("shop-api", { repositoryName: "shop/api", tags: args.tags })];
    // ---- end issue 11 ------------------------------------------------------------------------------------
    return { cluster, clusterAutoscaler, metricsServer, verticalPodAutoscaler, prometheusAdapter, monitoring, logging, tracing, gitOps, imageRepositories };
}

// ---- backups (issue 10): Velero with the replicated bucket, and a weekly restore drill --------------------------
export interface Backups {
    velero: Velero;
    restoreDrill: RestoreDrill;
}

/**
 * Velero on the platform's cluster: the example app's namespace (labelled for backups by ProductionNamespace) on
 * the frequent schedule, every namespace on the daily one, the bucket replicated to `k8sprod:backupReplicaRegion`;
 * and a restore drill of that namespace from the frequent schedule.
 */
export function buildBackups(config: pulumi.Config, platform: Platform, app: ExampleApp): Backups {
    const cluster = platform.cluster;
    const onCluster = { providers: { kubernetes: cluster.provider } };
    const region = new pulumi.Config("aws").get("region") ?? cluster.region;
    const velero = new Velero("velero", {
        clusterName: cluster.clusterName,
        region,
        replicaRegion: config.require("backupReplicaRegion"),
        oidcProviderArn: cluster.oidcProviderArn,
        oidcProviderUrl: cluster.oidcProviderUrl,
        backupNamespaces: [app.namespace.name],
        objectLock: config.getObject("backupObjectLock"),
        tags: config.getObject<Record<string, string>>("tags"),
    }, { ...onCluster, dependsOn: [cluster] });
    const restoreDrill = new RestoreDrill("restore-drill", {
        sourceNamespace: app.namespace.name,
        scheduleName: velero.frequentScheduleName,
        veleroNamespace: velero.namespace,
        image: config.get("restoreDrillImage"),
        pushgatewayUrl: config.get("pushgatewayUrl"),
    }, { ...onCluster, dependsOn: [velero] });
    return { velero, restoreDrill };
}
// ---- end backups ----
