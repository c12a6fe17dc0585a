/**
 * The EKS managed add-ons of a cluster, their configuration values and the Kubernetes objects that go with
 * them (the default StorageClass and the VolumeSnapshotClass): pure functions, tested without mocks.
 */
import { EKS_ADDON_VERSIONS, EksAddonName, KubernetesVersion } from "../../lib/versions";

/** The EBS CSI driver's provisioner and snapshotter name. */
export const EBS_CSI_DRIVER = "ebs.csi.aws.com";

/** Service accounts the add-ons run as (the IRSA roles are bound to these, and only these). */
export const ADDON_SERVICE_ACCOUNTS = {
    "vpc-cni": { namespace: "kube-system", name: "aws-node" },
    "aws-ebs-csi-driver": { namespace: "kube-system", name: "ebs-csi-controller-sa" },
} as const;

/**
 * vpc-cni configuration: NetworkPolicy enforcement on. The managed add-on's key is `enableNetworkPolicy` and its
 * value is the string "true"; without it the cluster accepts NetworkPolicy objects and enforces none of them.
 */
export function vpcCniConfiguration(): Record<string, unknown> {
    return { enableNetworkPolicy: "true" };
}

/** The add-on version for a Kubernetes minor, with per-add-on overrides. */
export function addonVersion(version: KubernetesVersion, addon: EksAddonName, overrides: { [name: string]: string } = {}): string {
    return overrides[addon] ?? EKS_ADDON_VERSIONS[version][addon];
}

/** Defaults of the storage objects. */
export const STORAGE_DEFAULTS = {
    storageClassName: "gp3-encrypted",
    /** Retain: deleting a claim does not destroy the data on the volume (delete released volumes deliberately). */
    reclaimPolicy: "Retain",
    volumeSnapshotClassName: "ebs-snapshots",
    snapshotDeletionPolicy: "Delete",
} as const;

export const RECLAIM_POLICIES = ["Retain", "Delete"] as const;

/**
 * The cluster's default StorageClass: encrypted gp3 EBS volumes, created in the zone where the pod is
 * scheduled (WaitForFirstConsumer, so a volume never lands in a zone its pod cannot run in), expandable.
 */
export function defaultStorageClass(name: string, reclaimPolicy: string, kmsKeyId?: string): Record<string, any> {
    return {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: EBS_CSI_DRIVER,
        parameters: {
            type: "gp3",
            encrypted: "true",
            "csi.storage.k8s.io/fstype": "ext4",
            ...(kmsKeyId ? { kmsKeyId } : {}),
        },
        reclaimPolicy,
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
    };
}

/**
 * The VolumeSnapshotClass for EBS snapshots, default for the driver and labelled for Velero's CSI support, so
 * backups of volumes are EBS snapshots.
 */
export function volumeSnapshotClass(name: string, deletionPolicy: string): Record<string, any> {
    return {
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshotClass",
        metadata: {
            name,
            annotations: { "snapshot.storage.kubernetes.io/is-default-class": "true" },
            labels: { "velero.io/csi-volumesnapshot-class": "true" },
        },
        driver: EBS_CSI_DRIVER,
        deletionPolicy,
    };
}
