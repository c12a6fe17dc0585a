// Every k8sprod component, exported for npm users and for `pulumi package add` (PulumiPlugin.yaml).
export * from "./components/workloads";
export * from "./components/autoscaling";
export * from "./components/platform";
export { Velero, VeleroArgs, ScheduleTiming, ObjectLockArgs, EtcdBackup, EtcdBackupArgs, EtcdPkiFiles, RestoreDrill, RestoreDrillArgs, BackupScheduleArgs } from "./components/backup";
export { Vpc, VpcArgs, VpcFlowLogArgs } from "./components/network";
export {
    EksCluster, EksClusterArgs, EksNodeGroupArgs, NodeTaintArgs, ClusterAccessEntryArgs, ExistingNetworkArgs, ExistingSubnetArgs,
    IrsaRole, IrsaRoleArgs,
} from "./components/cluster";
export * from "./components/delivery";
export {
    Monitoring, MonitoringArgs, PrometheusSettings, AlertmanagerSettings, ResourceSpec, CardinalityArgs, AlertThresholdsArgs,
    Logging, LoggingArgs, LogRetentionArgs, Tracing, TracingArgs, SamplingArgs,
} from "./components/observability";
export { AlertReceiver } from "./components/observability/alertmanager";
export { ScrapeTarget } from "./components/observability/scrape";
export { ExporterSettings } from "./components/observability/collector";
