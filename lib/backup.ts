/**
 * Pure code shared by components and policy packs: the names that tie workloads to backups. The workload
 * templates write them (ProductionNamespace, StatefulService), the cluster labels its VolumeSnapshotClass with
 * one, Velero and its Schedules act on them, and the Kubernetes pack's `require-backup-schedule` reads them.
 * One definition, so a writer and a reader cannot drift apart.
 */

/** Namespace label that opts a namespace into the platform's frequent (hourly by default) Velero Schedule. */
export const BACKUP_LABEL = "backup.k8sprod.io/enabled";
/** The value of {@link BACKUP_LABEL} that opts a namespace in. */
export const BACKUP_LABEL_VALUE = "true";

/**
 * Velero's pod annotation naming the pod volumes it backs up with file-system backup (Kopia, through the
 * node-agent) into the backup bucket, which replicates to the second region. Velero runs in opt-in mode
 * (`defaultVolumesToFsBackup: false`), so only volumes named here are copied this way; the other volumes of a
 * backup are CSI snapshots.
 */
export const VELERO_FS_BACKUP_ANNOTATION = "backup.velero.io/backup-volumes";

/** Label Velero's CSI support looks for to pick the VolumeSnapshotClass of a driver. */
export const VELERO_CSI_SNAPSHOT_CLASS_LABEL = "velero.io/csi-volumesnapshot-class";

/** API group and version of Velero's custom resources. */
export const VELERO_API_VERSION = "velero.io/v1";

/** Type tokens of Velero's custom resources as Pulumi names them. */
export const VELERO_TYPES = {
    schedule: "kubernetes:velero.io/v1:Schedule",
    backupStorageLocation: "kubernetes:velero.io/v1:BackupStorageLocation",
} as const;

/** Resources whose exclusion from a backup means the volume data is not in it. */
export const VOLUME_RESOURCES = ["persistentvolumeclaims", "persistentvolumes"];

/** The value `ns` takes in Velero's `includedNamespaces`/`excludedNamespaces` glob (`*` and `?`, as Velero 1.18 matches them). */
export function namespaceGlobMatches(pattern: string, ns: string): boolean {
    if (pattern === "*") {
        return true;
    }
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(ns);
}

/** The backup template fields that decide which namespaces a Velero Schedule covers. */
export interface ScheduleScope {
    includedNamespaces?: unknown;
    excludedNamespaces?: unknown;
    labelSelector?: unknown;
    orLabelSelectors?: unknown;
    excludedResources?: unknown;
    excludedNamespaceScopedResources?: unknown;
    includedResources?: unknown;
    includedNamespaceScopedResources?: unknown;
}

function strings(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/**
 * Whether a backup with this template backs up namespace `ns` whole, volumes included: the namespace is
 * included (an empty list or `*` includes all), not excluded, no label selector narrows the objects (a
 * selector picks objects, not namespaces), and neither PVCs nor PVs are left out.
 */
export function scheduleCoversNamespace(scope: ScheduleScope, ns: string): boolean {
    const included = strings(scope.includedNamespaces);
    if (included.length > 0 && !included.some((p) => namespaceGlobMatches(p, ns))) {
        return false;
    }
    if (strings(scope.excludedNamespaces).some((p) => namespaceGlobMatches(p, ns))) {
        return false;
    }
    if (scope.labelSelector !== undefined && scope.labelSelector !== null) {
        return false;
    }
    if (Array.isArray(scope.orLabelSelectors) && scope.orLabelSelectors.length > 0) {
        return false;
    }
    const excluded = [...strings(scope.excludedResources), ...strings(scope.excludedNamespaceScopedResources)].map((r) => r.toLowerCase());
    if (excluded.some((r) => r === "*" || VOLUME_RESOURCES.some((v) => r === v || r.startsWith(`${v}.`)))) {
        return false;
    }
    const onlySome = [...strings(scope.includedResources), ...strings(scope.includedNamespaceScopedResources)].map((r) => r.toLowerCase());
    if (onlySome.length > 0 && !onlySome.includes("*") && !onlySome.some((r) => r === "persistentvolumeclaims" || r.startsWith("persistentvolumeclaims."))) {
        return false;
    }
    return true;
}
