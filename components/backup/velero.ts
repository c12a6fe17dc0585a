/**
 * Velero: scheduled backups of the cluster's objects and volumes into a hardened S3 bucket that replicates to
 * a second region, with an IRSA role scoped to that bucket, typed Schedules and BackupStorageLocation, metrics
 * scraped by Prometheus and alerts on failed or missing backups.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Problems, isKnown } from "../lib/errors";
import { HelmValues, OwnedValue, chartRelease, checkUserValues } from "../lib/helm";
import { childName } from "../lib/names";
import { IrsaRole } from "../cluster/irsa";
import { ProductionNamespace } from "../workloads/productionNamespace";
import {
    RESTRICTED_CONTAINER_SECURITY_CONTEXT, checkNamespace, checkObjectName, checkReleaseName, restrictedPodSecurityContext,
} from "../autoscaling/common";
import { HELM_CHARTS, VELERO_AWS_PLUGIN_IMAGE } from "../../lib/versions";
import { VELERO_API_VERSION, VELERO_FS_BACKUP_ANNOTATION } from "../../lib/backup";
import {
    BLOCK_ALL_PUBLIC_ACCESS, backupLifecycleRules, regionProblem, replicationPolicy, replicationTrustPolicy, tlsOnlyBucketPolicy, veleroPolicy,
} from "./bucket";
import { BackupScheduleArgs, validateSchedule, veleroSchedule } from "./schedule";
import { prometheusRule, veleroAlertRules } from "./alerts";

/** When a schedule runs and how long its backups are kept. */
export interface ScheduleTiming {
    /** Cron expression in UTC (5 fields, or @hourly, @daily, ..., @every <duration>). */
    schedule?: string;
    /** How long each backup is kept, as a Go duration (`72h`). At least the longest gap between two runs. */
    ttl?: string;
}

/** Object Lock on both buckets: backups cannot be deleted or overwritten for `days`, even by an administrator in COMPLIANCE mode. */
export interface ObjectLockArgs {
    /** `GOVERNANCE` (users with s3:BypassGovernanceRetention may still delete) or `COMPLIANCE` (nobody may). Required. */
    mode: string;
    /** Days each object version is locked after it is written; 1 or more. Required. */
    days: number;
}

/** Arguments of {@link Velero}. */
export interface VeleroArgs {
    /** Name of the EKS cluster; tags and descriptions name it. Required. */
    clusterName: pulumi.Input<string>;
    /** AWS region of the cluster and of the backup bucket (e.g. `us-east-1`). Required. */
    region: pulumi.Input<string>;
    /**
     * Region of the replica bucket, the cross-region copy for disaster recovery (e.g. `us-west-2`). Required;
     * must differ from `region`, since a replica in the same region does not survive that region's loss.
     */
    replicaRegion: string;
    /** ARN of the cluster's IAM OIDC provider, trusted by Velero's IRSA role. Required. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL, used in the IRSA trust conditions. Required. */
    oidcProviderUrl: pulumi.Input<string>;
    /**
     * Namespaces the frequent schedule backs up: the namespaces that carry the label `backup.k8sprod.io/enabled=true`
     * (ProductionNamespace with `backup: true`; pass their `name` outputs). Velero selects namespaces by name, not by
     * label, so they are listed here. Defaults to none (no frequent schedule; the daily one still covers everything).
     */
    backupNamespaces?: pulumi.Input<string>[];
    /** The frequent schedule of `backupNamespaces`. Defaults to hourly (`0 * * * *`), each backup kept 72 h. */
    frequentSchedule?: ScheduleTiming;
    /** The whole-cluster schedule (every namespace and the cluster-scoped objects). Defaults to daily at 03:00 UTC, each backup kept 30 days (`720h`). */
    clusterSchedule?: ScheduleTiming;
    /** Further schedules, by name (a DNS-1123 label). Defaults to none. */
    extraSchedules?: { [name: string]: BackupScheduleArgs };
    /** Days a deleted or overwritten object version stays recoverable in either bucket before it expires; 1 or more. Defaults to 30. */
    noncurrentVersionDays?: number;
    /** Object Lock (WORM) on both buckets; it can only be chosen when the buckets are created. Defaults to off. */
    objectLock?: ObjectLockArgs;
    /** Days between automatic rotations of both bucket keys (90 to 2560). Defaults to 365. */
    keyRotationDays?: number;
    /** Namespace Velero runs in, created by the component (Pod Security privileged, for the node-agent). Defaults to `velero`. */
    namespace?: string;
    /** Helm release name. Defaults to `velero`. */
    releaseName?: string;
    /** Name of the Velero server's service account, bound to the IRSA role. Defaults to `velero-server`. */
    serviceAccountName?: string;
    /**
     * Labels on the ServiceMonitor and PrometheusRule, so that the cluster's Prometheus selects them (e.g.
     * `{ release: "kube-prometheus-stack" }`). Defaults to none.
     */
    monitoringLabels?: { [key: string]: string };
    /** Create the PrometheusRule with the backup alerts (needs the Prometheus Operator's CRDs). Defaults to true. */
    alerts?: boolean;
    /**
     * Helm values of chart velero 12.1.0, deep-merged over the component's defaults (maps merge, lists replace).
     * Not overridable (refused): `credentials` (IRSA, never static keys), `serviceAccount.server`,
     * `initContainers` (the pinned AWS plugin), `backupsEnabled` and `snapshotsEnabled` (the BackupStorageLocation is
     * a typed object here, snapshots are CSI snapshots), `deployNodeAgent`, `configuration.defaultVolumesToFsBackup`,
     * `configuration.features`, `podSecurityContext`, `containerSecurityContext`.
     */
    values?: pulumi.Input<{ [key: string]: any }>;
    /** Tags on the AWS resources. Defaults to none. */
    tags?: { [key: string]: string };
}

export const DEFAULT_VELERO_NAMESPACE = "velero";
export const DEFAULT_VELERO_RELEASE = "velero";
export const DEFAULT_VELERO_SERVICE_ACCOUNT = "velero-server";
export const DEFAULT_FREQUENT_SCHEDULE: Required<ScheduleTiming> = { schedule: "0 * * * *", ttl: "72h" };
export const DEFAULT_CLUSTER_SCHEDULE: Required<ScheduleTiming> = { schedule: "0 3 * * *", ttl: "720h" };
export const DEFAULT_NONCURRENT_VERSION_DAYS = 30;
export const DEFAULT_KEY_ROTATION_DAYS = 365;
/** Name of the BackupStorageLocation (Velero's default location). */
export const STORAGE_LOCATION_NAME = "default";
/** Schedule names. */
export const FREQUENT_SCHEDULE_NAME = "namespaces-frequent";
export const CLUSTER_SCHEDULE_NAME = "cluster-daily";
export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"];
/** The Velero image's non-root user (distroless `nonroot`). */
export const VELERO_UID = 65532;
/** Why the Velero namespace runs below restricted. */
export const VELERO_NAMESPACE_EXEMPTION = "Velero's node-agent DaemonSet reads pod volumes from the host (/var/lib/kubelet/pods) as root to copy the volumes StatefulService annotates for file-system backup";

export const DEFAULT_VELERO_RESOURCES = { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } };
export const DEFAULT_NODE_AGENT_RESOURCES = { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "2Gi" } };

export const VELERO_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    { path: ["credentials"], reason: "Velero authenticates with its IRSA role, never with static keys" },
    { path: ["serviceAccount", "server"], reason: "the service account carries the IRSA role binding; set serviceAccountName instead" },
    { path: ["initContainers"], reason: "the AWS plugin is pinned in the version matrix to match Velero" },
    { path: ["backupsEnabled"], reason: "the BackupStorageLocation is a typed object of this component" },
    { path: ["snapshotsEnabled"], reason: "volume snapshots are CSI snapshots through the cluster's VolumeSnapshotClass; no VolumeSnapshotLocation" },
    { path: ["deployNodeAgent"], reason: `the node-agent copies the volumes named by ${VELERO_FS_BACKUP_ANNOTATION} (StatefulService) to the replicated bucket` },
    { path: ["configuration", "defaultVolumesToFsBackup"], reason: `volumes opt in to file-system backup with ${VELERO_FS_BACKUP_ANNOTATION}; the others are CSI snapshots` },
    { path: ["configuration", "features"], reason: "EnableCSI is what makes volume backups CSI snapshots" },
    { path: ["podSecurityContext"], reason: "the Velero server runs with the restricted Pod Security context" },
    { path: ["containerSecurityContext"], reason: "the Velero server runs with the restricted Pod Security context" },
];

function timing(t: ScheduleTiming | undefined, d: Required<ScheduleTiming>): Required<ScheduleTiming> {
    return { schedule: t?.schedule ?? d.schedule, ttl: t?.ttl ?? d.ttl };
}

/** Collects every problem with the args; the caller throws. */
export function validateVeleroArgs(args: VeleroArgs, problems = new Problems()): Problems {
    if (!args || typeof args !== "object") {
        problems.add("", "Velero needs args");
        return problems;
    }
    problems.requireStrings(args, ["clusterName", "region", "oidcProviderArn", "oidcProviderUrl"]);
    if (isKnown(args.region) && typeof args.region === "string" && args.region !== "") {
        const p = regionProblem(args.region);
        problems.check(p === undefined, "region", p ?? "");
    }
    if (args.replicaRegion === undefined) {
        problems.add("replicaRegion", "is required: backups need a copy in a second region to survive the loss of the first");
    } else {
        const p = regionProblem(args.replicaRegion);
        if (problems.check(p === undefined, "replicaRegion", p ?? "") && isKnown(args.region)) {
            problems.check(args.replicaRegion !== args.region, "replicaRegion",
                `"${args.replicaRegion}" is the primary region too; a replica in the same region does not survive that region's loss`);
        }
    }
    validateSchedule(problems.under("frequentSchedule"), timing(args.frequentSchedule, DEFAULT_FREQUENT_SCHEDULE));
    validateSchedule(problems.under("clusterSchedule"), timing(args.clusterSchedule, DEFAULT_CLUSTER_SCHEDULE));
    for (const [name, s] of Object.entries(args.extraSchedules ?? {})) {
        const p = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 63 ? undefined : `"${name}" is not a DNS-1123 label`;
        problems.check(p === undefined, `extraSchedules.${name}`, p ?? "");
        problems.check(![FREQUENT_SCHEDULE_NAME, CLUSTER_SCHEDULE_NAME].includes(name), `extraSchedules.${name}`, "is the name of a built-in schedule");
        validateSchedule(problems.under(`extraSchedules.${name}`), s);
    }
    if (Array.isArray(args.backupNamespaces)) {
        args.backupNamespaces.forEach((ns, i) => {
            if (isKnown(ns)) {
                checkNamespace(problems, `backupNamespaces[${i}]`, ns);
            }
        });
    } else if (args.backupNamespaces !== undefined) {
        problems.add("backupNamespaces", "must be a list of namespace names");
    }
    const days = args.noncurrentVersionDays;
    problems.check(days === undefined || (Number.isInteger(days) && days >= 1), "noncurrentVersionDays",
        `${days} is not allowed: keep deleted versions at least 1 day (0 would make a deleted backup unrecoverable at once)`);
    if (args.objectLock !== undefined) {
        const ol = args.objectLock;
        problems.check(OBJECT_LOCK_MODES.includes(ol?.mode), "objectLock.mode", `${JSON.stringify(ol?.mode)} is not one of ${OBJECT_LOCK_MODES.join(", ")}`);
        problems.check(Number.isInteger(ol?.days) && ol.days >= 1, "objectLock.days", `${ol?.days} is not allowed: lock versions for 1 day or more`);
    }
    const rot = args.keyRotationDays;
    problems.check(rot === undefined || (Number.isInteger(rot) && rot >= 90 && rot <= 2560), "keyRotationDays", `${rot} is not allowed: KMS rotates every 90 to 2560 days`);
    checkNamespace(problems, "namespace", args.namespace);
    checkReleaseName(problems, "releaseName", args.releaseName);
    checkObjectName(problems, "serviceAccountName", args.serviceAccountName);
    checkUserValues(problems, args.values, VELERO_OWNED);
    return problems;
}

/** The component's default Helm values (user values merge over these). */
export function veleroDefaultValues(monitoringLabels: Record<string, string>): HelmValues {
    return {
        resources: DEFAULT_VELERO_RESOURCES,
        configuration: {
            uploaderType: "kopia",
            defaultBackupStorageLocation: STORAGE_LOCATION_NAME,
            logFormat: "json",
        },
        nodeAgent: { resources: DEFAULT_NODE_AGENT_RESOURCES },
        metrics: {
            enabled: true,
            serviceMonitor: { enabled: true, additionalLabels: { ...monitoringLabels } },
            nodeAgentPodMonitor: { enabled: true, additionalLabels: { ...monitoringLabels } },
        },
    };
}

/** The values the component owns. */
export function veleroOwnedValues(o: { serviceAccountName: string; roleArn: pulumi.Input<string> }): OwnedValue[] {
    const reason = (path: string[]) => VELERO_OWNED.find((x) => x.path.join(".") === path.join("."))!.reason;
    const own = (path: string[], value: pulumi.Input<any>): OwnedValue => ({ path, value, reason: reason(path) });
    return [
        own(["credentials"], { useSecret: false }),
        own(["serviceAccount", "server"], {
            create: true,
            name: o.serviceAccountName,
            annotations: { "eks.amazonaws.com/role-arn": o.roleArn },
        }),
        own(["initContainers"], [{
            name: "velero-plugin-for-aws",
            image: VELERO_AWS_PLUGIN_IMAGE,
            imagePullPolicy: "IfNotPresent",
            volumeMounts: [{ mountPath: "/target", name: "plugins" }],
            securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        }]),
        own(["backupsEnabled"], false),
        own(["snapshotsEnabled"], false),
        own(["deployNodeAgent"], true),
        own(["configuration", "defaultVolumesToFsBackup"], false),
        own(["configuration", "features"], "EnableCSI"),
        own(["podSecurityContext"], restrictedPodSecurityContext(VELERO_UID)),
        own(["containerSecurityContext"], RESTRICTED_CONTAINER_SECURITY_CONTEXT),
    ];
}

/** The BackupStorageLocation: the primary bucket, in its region, the default location. */
export function backupStorageLocation(namespace: string, bucket: string, region: string): Record<string, any> {
    return {
        apiVersion: VELERO_API_VERSION,
        kind: "BackupStorageLocation",
        metadata: { name: STORAGE_LOCATION_NAME, namespace },
        spec: {
            provider: "aws",
            default: true,
            accessMode: "ReadWrite",
            objectStorage: { bucket, prefix: "velero" },
            config: { region },
            validationFrequency: "1m0s",
        },
    };
}

/** The schedules of validated args: the frequent one (when there are namespaces), the whole-cluster one, the extra ones. */
export function veleroSchedules(args: VeleroArgs, namespaces: string[]): Array<{ name: string; schedule: BackupScheduleArgs }> {
    const out: Array<{ name: string; schedule: BackupScheduleArgs }> = [];
    if (namespaces.length > 0) {
        out.push({ name: FREQUENT_SCHEDULE_NAME, schedule: { ...timing(args.frequentSchedule, DEFAULT_FREQUENT_SCHEDULE), includedNamespaces: namespaces } });
    }
    out.push({ name: CLUSTER_SCHEDULE_NAME, schedule: { ...timing(args.clusterSchedule, DEFAULT_CLUSTER_SCHEDULE), includedNamespaces: ["*"], includeClusterResources: true } });
    for (const [name, s] of Object.entries(args.extraSchedules ?? {})) {
        out.push({ name, schedule: s });
    }
    return out;
}

interface BucketParts {
    bucket: aws.s3.Bucket;
    key: aws.kms.Key;
    versioning: aws.s3.BucketVersioning;
}

/**
 * Velero with a hardened, replicated backup bucket. Both buckets: versioning, SSE-KMS with their own rotating
 * key (bucket keys on), ACLs disabled, all public access blocked, a bucket policy that refuses requests without
 * TLS, noncurrent versions kept `noncurrentVersionDays`, optional Object Lock. The primary replicates every
 * object (and delete marker) to the replica in `replicaRegion`. Velero's IRSA role may use only its bucket and
 * key; volume snapshots are CSI snapshots; a frequent schedule covers the labelled namespaces and a daily one the
 * whole cluster; metrics are scraped and the alerts "backup failed" and "no successful backup for 25 h" are rules.
 */
export class Velero extends pulumi.ComponentResource {
    /** Name of the primary backup bucket. */
    public readonly bucketName: pulumi.Output<string>;
    /** ARN of the primary backup bucket. */
    public readonly bucketArn: pulumi.Output<string>;
    /** Name of the replica bucket in the second region. */
    public readonly replicaBucketName: pulumi.Output<string>;
    /** ARN of the replica bucket. */
    public readonly replicaBucketArn: pulumi.Output<string>;
    /** ARN of the primary bucket's KMS key. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** ARN of the replica bucket's KMS key. */
    public readonly replicaKmsKeyArn: pulumi.Output<string>;
    /** ARN of Velero's IRSA role. */
    public readonly roleArn: pulumi.Output<string>;
    /** Namespace Velero runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** The BackupStorageLocation's name. */
    public readonly storageLocationName: pulumi.Output<string>;
    /** Names of the Schedules created. */
    public readonly scheduleNames: pulumi.Output<string[]>;
    /** Name of the frequent schedule of the labelled namespaces (what a RestoreDrill restores from), or "" when there is none. */
    public readonly frequentScheduleName: pulumi.Output<string>;

    constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
        validateVeleroArgs(args).throwIfAny(`Velero ${name}`);
        super("k8sprod:backup:Velero", name, {}, opts);
        const namespace = args.namespace ?? DEFAULT_VELERO_NAMESPACE;
        const releaseName = args.releaseName ?? DEFAULT_VELERO_RELEASE;
        const serviceAccountName = args.serviceAccountName ?? DEFAULT_VELERO_SERVICE_ACCOUNT;
        const tags = args.tags;
        const region = pulumi.output(args.region).apply((r) => {
            const p = regionProblem(r) ?? (r === args.replicaRegion ? `replicaRegion "${r}" is the primary region too` : undefined);
            if (p) {
                throw new pulumi.ResourceError(`Velero ${name}: region ${p}`, this);
            }
            return r;
        });

        // ---- buckets ------------------------------------------------------------------------------------
        const bucketParts = (role: string, o: pulumi.CustomResourceOptions): BucketParts => {
            const key = new aws.kms.Key(childName(name, role, "key"), {
                description: pulumi.interpolate`Velero ${role} backup bucket of cluster ${args.clusterName}`,
                enableKeyRotation: true,
                rotationPeriodInDays: args.keyRotationDays ?? DEFAULT_KEY_ROTATION_DAYS,
                deletionWindowInDays: 30,
                tags,
            }, o);
            const bucket = new aws.s3.Bucket(childName(name, role), {
                objectLockEnabled: args.objectLock !== undefined,
                forceDestroy: false,
                tags,
            }, o);
            const on = { ...o, parent: this };
            new aws.s3.BucketOwnershipControls(childName(name, role, "ownership"), { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, on);
            const versioning = new aws.s3.BucketVersioning(childName(name, role, "versioning"), {
                bucket: bucket.id, versioningConfiguration: { status: "Enabled" },
            }, on);
            new aws.s3.BucketServerSideEncryptionConfiguration(childName(name, role, "encryption"), {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
            }, on);
            const pab = new aws.s3.BucketPublicAccessBlock(childName(name, role, "public-access-block"), { bucket: bucket.id, ...BLOCK_ALL_PUBLIC_ACCESS }, on);
            new aws.s3.BucketPolicy(childName(name, role, "tls-only"), {
                bucket: bucket.id,
                policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
            }, { ...on, dependsOn: [pab] });
            new aws.s3.BucketLifecycleConfiguration(childName(name, role, "lifecycle"), {
                bucket: bucket.id,
                rules: backupLifecycleRules(args.noncurrentVersionDays ?? DEFAULT_NONCURRENT_VERSION_DAYS) as aws.types.input.s3.BucketLifecycleConfigurationRule[],
            }, { ...on, dependsOn: [versioning] });
            if (args.objectLock) {
                new aws.s3.BucketObjectLockConfiguration(childName(name, role, "object-lock"), {
                    bucket: bucket.id,
                    rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } },
                }, { ...on, dependsOn: [versioning] });
            }
            return { bucket, key, versioning };
        };
        const primary = bucketParts("bucket", { parent: this });
        const replicaProvider = new aws.Provider(childName(name, "replica-region"), { region: args.replicaRegion }, { parent: this });
        const replica = bucketParts("replica", { parent: this, provider: replicaProvider });

        // ---- replication --------------------------------------------------------------------------------
        const replicationRole = new aws.iam.Role(childName(name, "replication-role"), {
            assumeRolePolicy: JSON.stringify(replicationTrustPolicy()),
            description: pulumi.interpolate`S3 replication of the Velero backup bucket of cluster ${args.clusterName}`,
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(childName(name, "replication-policy"), {
            role: replicationRole.id,
            policy: pulumi.all([primary.bucket.arn, primary.key.arn, region, replica.bucket.arn, replica.key.arn]).apply(
                ([sourceBucketArn, sourceKeyArn, sourceRegion, replicaBucketArn, replicaKeyArn]) => JSON.stringify(replicationPolicy({
                    sourceBucketArn, sourceKeyArn, sourceRegion, replicaBucketArn, replicaKeyArn, replicaRegion: args.replicaRegion,
                }))),
        }, { parent: this });
        new aws.s3.BucketReplicationConfig(childName(name, "replication"), {
            bucket: primary.bucket.id,
            role: replicationRole.arn,
            rules: [{
                id: "replicate-everything",
                status: "Enabled",
                filter: {},
                deleteMarkerReplication: { status: "Enabled" },
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                destination: { bucket: replica.bucket.arn, encryptionConfiguration: { replicaKmsKeyId: replica.key.arn } },
            }],
        }, { parent: this, dependsOn: [primary.versioning, replica.versioning] });

        // ---- Velero's identity ----------------------------------------------------------------------------
        const irsa = new IrsaRole(childName(name, "irsa"), {
            oidcProviderArn: args.oidcProviderArn,
            oidcIssuerUrl: args.oidcProviderUrl,
            namespace,
            serviceAccount: serviceAccountName,
            policyDocument: pulumi.all([primary.bucket.arn, primary.key.arn, region])
                .apply(([b, k, r]) => JSON.stringify(veleroPolicy(b, k, r))),
            tags,
        }, { parent: this });

        // ---- in the cluster -------------------------------------------------------------------------------
        const ns = new ProductionNamespace(namespace, {
            podSecurity: { level: "privileged", exemptionReason: VELERO_NAMESPACE_EXEMPTION },
        }, { parent: this });
        new k8s.networking.v1.NetworkPolicy(childName(name, "allow-velero"), {
            metadata: { name: "allow-velero", namespace: ns.name },
            spec: {
                podSelector: {},
                policyTypes: ["Ingress", "Egress"],
                // S3, STS and the Kubernetes API, all over HTTPS.
                egress: [{ ports: [{ protocol: "TCP", port: 443 }] }],
                // Prometheus scrapes the server and the node-agents.
                ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 8085 }] }],
            },
        }, { parent: this, dependsOn: [ns] });

        const monitoringLabels = args.monitoringLabels ?? {};
        const release = chartRelease(childName(name, "release"), {
            chart: HELM_CHARTS.velero,
            releaseName,
            namespace: ns.name,
            defaults: veleroDefaultValues(monitoringLabels),
            values: args.values,
            owned: veleroOwnedValues({ serviceAccountName, roleArn: irsa.roleArn }),
        }, { parent: this, dependsOn: [irsa, ns] });

        const afterRelease = { parent: this, dependsOn: [release] };
        new k8s.apiextensions.CustomResource(childName(name, "storage-location"), {
            apiVersion: VELERO_API_VERSION,
            kind: "BackupStorageLocation",
            metadata: { name: STORAGE_LOCATION_NAME, namespace },
            spec: pulumi.all([primary.bucket.bucket, region]).apply(([b, r]) => backupStorageLocation(namespace, b, r).spec),
        }, afterRelease);

        const namespaces = pulumi.all(args.backupNamespaces ?? []);
        const known = (args.backupNamespaces ?? []).length > 0;
        const schedules = veleroSchedules(args, known ? ["placeholder"] : []);
        const labels = { "app.kubernetes.io/managed-by": "k8sprod", "app.kubernetes.io/part-of": "velero" };
        for (const { name: scheduleName, schedule } of schedules) {
            const obj = veleroSchedule(scheduleName, schedule, { namespace, storageLocation: STORAGE_LOCATION_NAME, labels });
            const spec = scheduleName === FREQUENT_SCHEDULE_NAME
                ? namespaces.apply((list) => veleroSchedule(scheduleName, { ...schedule, includedNamespaces: list }, { namespace, storageLocation: STORAGE_LOCATION_NAME, labels }).spec)
                : obj.spec;
            new k8s.apiextensions.CustomResource(childName(name, "schedule", scheduleName), { ...obj, spec } as any, afterRelease);
        }
        if (args.alerts ?? true) {
            new k8s.apiextensions.CustomResource(childName(name, "alerts"),
                prometheusRule(`${releaseName}-backup-alerts`, namespace, [veleroAlertRules(namespace)], monitoringLabels) as any, { parent: this, dependsOn: [ns] });
        }

        this.bucketName = primary.bucket.bucket;
        this.bucketArn = primary.bucket.arn;
        this.replicaBucketName = replica.bucket.bucket;
        this.replicaBucketArn = replica.bucket.arn;
        this.kmsKeyArn = primary.key.arn;
        this.replicaKmsKeyArn = replica.key.arn;
        this.roleArn = irsa.roleArn;
        this.namespace = ns.name;
        this.releaseName = release.name;
        this.storageLocationName = pulumi.output(STORAGE_LOCATION_NAME);
        this.scheduleNames = pulumi.output(schedules.map((s) => s.name));
        this.frequentScheduleName = pulumi.output(known ? FREQUENT_SCHEDULE_NAME : "");
        this.registerOutputs({
            bucketName: this.bucketName, bucketArn: this.bucketArn, replicaBucketName: this.replicaBucketName, replicaBucketArn: this.replicaBucketArn,
            kmsKeyArn: this.kmsKeyArn, replicaKmsKeyArn: this.replicaKmsKeyArn, roleArn: this.roleArn, namespace: this.namespace,
            releaseName: this.releaseName, storageLocationName: this.storageLocationName, scheduleNames: this.scheduleNames,
            frequentScheduleName: this.frequentScheduleName,
        });
    }
}
