/**
 * The k8sprod program. `dev` deploys the example application onto an existing cluster (the ambient
 * kubeconfig); `prod` also builds the AWS platform and deploys the application onto it.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployExampleApp } from "./app";
import { appBackupSchedule, buildBackups, buildPlatform } from "./platform";

const config = new pulumi.Config();
// `k8sprod:platform: true` (the prod stack) builds the AWS platform and deploys the app through its provider.
const platform = config.getBoolean("platform") ? buildPlatform(config) : undefined;
const app = deployExampleApp(config, platform ? { providers: { kubernetes: platform.cluster.provider } } : {});
// ---- backups (issue 10): Velero and a restore drill of the example app's namespace ----------------------------
// Without the platform (dev), the app's namespace gets its own Schedule on the existing cluster's Velero.
const backups = platform ? buildBackups(config, platform, app) : undefined;
const appSchedule = platform ? undefined : appBackupSchedule(config, app);
// ---- end backups -----------------------------------------------------------------------------------------

export const namespace = app.namespace.name;
export const apiHost = app.api.serviceHost;
export const databaseHost = app.database.serviceHost;
// The platform's outputs (empty when the stack builds no platform, as dev).
export const cluster = platform
    ? {
        name: platform.cluster.clusterName,
        kubeconfig: platform.cluster.kubeconfig,
        availabilityZones: platform.cluster.availabilityZones,
        nodeGroups: platform.cluster.nodeGroupNames,
    }
    : {};
// ---- backups (issue 10) ----
export const backup = backups
    ? { bucket: backups.velero.bucketName, replicaBucket: backups.velero.replicaBucketName, schedules: backups.velero.scheduleNames, drill: backups.restoreDrill.cronJobName }
    : { schedule: appSchedule?.metadata.name };
