// Every k8sprod component, exported for npm users and for `pulumi package add` (PulumiPlugin.yaml).
export * from "./components/workloads";
export * from "./components/autoscaling";
export { Velero, VeleroArgs, ScheduleTiming, ObjectLockArgs, EtcdBackup, EtcdBackupArgs, EtcdPkiFiles, RestoreDrill, RestoreDrillArgs, BackupScheduleArgs } from "./components/backup";
export { Vpc, VpcArgs, VpcFlowLogArgs } from "./components/network";
export {
    EksCluster, EksClusterArgs, EksNodeGroupArgs, NodeTaintArgs, ClusterAccessEntryArgs, ExistingNetworkArgs, ExistingSubnetArgs,
    IrsaRole, IrsaRoleArgs,
} from "./components/cluster";
export * from "./components/delivery";
