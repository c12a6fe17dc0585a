/**
 * EtcdBackup: etcd snapshots for self-managed control planes (kubeadm and the like). On EKS, AWS runs etcd and
 * backs it up; there Velero's whole-cluster schedule keeps the API objects and this component is not needed.
 *
 * A CronJob on a control-plane node runs `scripts/etcd-snapshot.sh` (mounted from a ConfigMap of that file):
 * `etcdctl snapshot save` with the endpoint and the cacert/cert/key of the node's etcd, a verification of the
 * snapshot (SHA-256 trailer and `etcdctl snapshot status`) before it counts, upload to S3, and retention by count
 * and age. Any failure fails the Job with one log line.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Problems, isKnown } from "../lib/errors";
import { childName } from "../lib/names";
import { ProductionNamespace } from "../workloads/productionNamespace";
import { checkNamespace } from "../autoscaling/common";
import { cronProblem } from "./schedule";
import { backupScript } from "./scripts";

/** File names of etcd's CA and client certificate and key, in EtcdBackupArgs.pkiDirectory. */
export interface EtcdPkiFiles {
    /** CA of etcd's serving certificate. Defaults to `ca.crt`. */
    ca?: string;
    /** Client certificate. Defaults to `server.crt` (the field guide's command uses the server's own pair). */
    cert?: string;
    /** Key of the client certificate. Defaults to `server.key`. */
    key?: string;
}

/** Arguments of {@link EtcdBackup}. */
export interface EtcdBackupArgs {
    /**
     * Image the script runs in: bash, coreutils, etcdctl (3.4 or newer) and the AWS CLI v2 (etcd's own images are
     * distroless, so build one: etcdctl copied from the etcd image of your control plane onto an AWS CLI image).
     * A tag other than latest, or a digest. Required.
     */
    image: string;
    /** S3 bucket the snapshots go to (e.g. Velero's `bucketName`, which is versioned, encrypted and replicated). Required. */
    bucket: pulumi.Input<string>;
    /** Key prefix in the bucket. Defaults to `etcd`. */
    prefix?: string;
    /** AWS region of the bucket. Required. */
    region: pulumi.Input<string>;
    /** KMS key the snapshots are encrypted with (`aws s3 cp --sse aws:kms`). Defaults to the bucket's default encryption. */
    kmsKeyArn?: pulumi.Input<string>;
    /** When snapshots are taken, in UTC (5-field cron or a descriptor). Defaults to every 6 hours (`0 *\/6 * * *`). */
    schedule?: string;
    /** Snapshots kept at most; 1 or more. Defaults to 28 (a week of 6-hourly snapshots). */
    retainCount?: number;
    /** Snapshots older than this many days are deleted; 1 or more. Defaults to 7. */
    retainDays?: number;
    /** etcd client URL(s), comma-separated. Defaults to `https://127.0.0.1:2379` (the node's own member, over hostNetwork). */
    endpoints?: string;
    /** Host directory holding etcd's CA and the client certificate and key. Defaults to `/etc/kubernetes/pki/etcd` (kubeadm). */
    pkiDirectory?: string;
    /** File names in `pkiDirectory`: CA, certificate, key. Defaults to `ca.crt`, `server.crt`, `server.key`, as in the field guide's command. */
    pkiFiles?: EtcdPkiFiles;
    /** Namespace created for the CronJob (Pod Security privileged: hostPath and hostNetwork). Defaults to `etcd-backup`. */
    namespace?: string;
    /**
     * IAM role for the job's service account (`eks.amazonaws.com/role-arn`, where a pod identity webhook runs).
     * Defaults to none: the AWS CLI uses the control-plane node's instance profile (reachable over hostNetwork).
     */
    roleArn?: pulumi.Input<string>;
}

export const DEFAULT_ETCD_BACKUP_SCHEDULE = "0 */6 * * *";
export const DEFAULT_RETAIN_COUNT = 28;
export const DEFAULT_RETAIN_DAYS = 7;
export const DEFAULT_ETCD_ENDPOINTS = "https://127.0.0.1:2379";
export const DEFAULT_ETCD_PKI_DIRECTORY = "/etc/kubernetes/pki/etcd";
export const DEFAULT_ETCD_PKI_FILES = { ca: "ca.crt", cert: "server.crt", key: "server.key" };
export const DEFAULT_ETCD_BACKUP_NAMESPACE = "etcd-backup";
export const ETCD_BACKUP_CRONJOB_NAME = "etcd-backup";
/** Why the namespace runs below restricted (also in policies/kubernetes/examples/platform.json). */
export const ETCD_BACKUP_NAMESPACE_EXEMPTION = "the etcd snapshot job reads etcd's client certificate and key from the control-plane node (hostPath, as root) and reaches the node's etcd member on 127.0.0.1 (hostNetwork)";

/** Collects every problem with the args; the caller throws. */
export function validateEtcdBackupArgs(args: EtcdBackupArgs, problems = new Problems()): Problems {
    if (!args || typeof args !== "object") {
        problems.add("", "EtcdBackup needs args");
        return problems;
    }
    problems.check(typeof args.image === "string" && /^[^\s:@]+(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(args.image) && /[:@]/.test(args.image) && !/:latest$/.test(args.image),
        "image", `${JSON.stringify(args.image)} is not an image reference with a tag other than latest (or a digest)`);
    for (const key of ["bucket", "region"] as const) {
        const v = args[key];
        if (v === undefined || v === null) {
            problems.add(key, "is required");
        } else if (isKnown(v)) {
            problems.check(typeof v === "string" && v.trim() !== "", key, "must be a non-empty string");
        }
    }
    if (args.prefix !== undefined) {
        problems.check(typeof args.prefix === "string" && /^[A-Za-z0-9!_.*'()/-]+$/.test(args.prefix) && !args.prefix.startsWith("/"), "prefix", `${JSON.stringify(args.prefix)} is not an S3 key prefix`);
    }
    if (args.schedule !== undefined) {
        const p = cronProblem(args.schedule);
        problems.check(p === undefined, "schedule", p ?? "");
    }
    problems.check(args.retainCount === undefined || (Number.isInteger(args.retainCount) && args.retainCount >= 1), "retainCount",
        `${args.retainCount} is not allowed: keep at least 1 snapshot (0 would delete every one)`);
    problems.check(args.retainDays === undefined || (Number.isInteger(args.retainDays) && args.retainDays >= 1), "retainDays",
        `${args.retainDays} is not allowed: keep snapshots at least 1 day (0 would delete every one)`);
    if (args.endpoints !== undefined) {
        problems.check(typeof args.endpoints === "string" && args.endpoints.split(",").every((e) => /^https:\/\/[^\s,/]+$/.test(e.trim())), "endpoints",
            `${JSON.stringify(args.endpoints)} is not a comma-separated list of https:// etcd client URLs (the snapshot goes over TLS)`);
    }
    if (args.pkiDirectory !== undefined) {
        problems.check(typeof args.pkiDirectory === "string" && /^\/[^\s]*$/.test(args.pkiDirectory), "pkiDirectory", "must be an absolute host path");
    }
    for (const [k, v] of Object.entries(args.pkiFiles ?? {})) {
        problems.check(typeof v === "string" && /^[A-Za-z0-9._-]+$/.test(v), `pkiFiles.${k}`, `${JSON.stringify(v)} is not a file name`);
    }
    checkNamespace(problems, "namespace", args.namespace);
    return problems;
}

/** The script's environment. */
export function etcdSnapshotEnv(o: {
    bucket: string; prefix: string; region: string; kmsKeyArn?: string; endpoints: string; files: { ca: string; cert: string; key: string };
    retainCount: number; retainDays: number;
}): Array<{ name: string; value: string }> {
    const env = [
        { name: "ETCDCTL_ENDPOINTS", value: o.endpoints },
        { name: "ETCD_CACERT", value: `/etc/etcd-pki/${o.files.ca}` },
        { name: "ETCD_CERT", value: `/etc/etcd-pki/${o.files.cert}` },
        { name: "ETCD_KEY", value: `/etc/etcd-pki/${o.files.key}` },
        { name: "SNAPSHOT_TARGET", value: `s3://${o.bucket}/${o.prefix.replace(/\/+$/, "")}` },
        { name: "SNAPSHOT_WORK_DIR", value: "/var/lib/etcd-snapshot" },
        { name: "RETAIN_COUNT", value: String(o.retainCount) },
        { name: "RETAIN_DAYS", value: String(o.retainDays) },
        { name: "AWS_REGION", value: o.region },
        // The root filesystem is read-only; the AWS CLI keeps its caches under $HOME.
        { name: "HOME", value: "/tmp" },
    ];
    if (o.kmsKeyArn) {
        env.push({ name: "SNAPSHOT_KMS_KEY_ID", value: o.kmsKeyArn });
    }
    return env;
}

/** Scheduled, verified etcd snapshots to S3 from a control-plane node. */
export class EtcdBackup extends pulumi.ComponentResource {
    /** Namespace of the CronJob. */
    public readonly namespace: pulumi.Output<string>;
    /** Name of the CronJob. */
    public readonly cronJobName: pulumi.Output<string>;
    /** Where the snapshots go (`s3://bucket/prefix`). */
    public readonly target: pulumi.Output<string>;

    constructor(name: string, args: EtcdBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEtcdBackupArgs(args).throwIfAny(`EtcdBackup ${name}`);
        super("k8sprod:backup:EtcdBackup", name, {}, opts);
        const namespaceName = args.namespace ?? DEFAULT_ETCD_BACKUP_NAMESPACE;
        const files = { ...DEFAULT_ETCD_PKI_FILES, ...(args.pkiFiles ?? {}) };
        const prefix = args.prefix ?? "etcd";

        const ns = new ProductionNamespace(namespaceName, {
            podSecurity: { level: "privileged", exemptionReason: ETCD_BACKUP_NAMESPACE_EXEMPTION },
        }, { parent: this });
        const inNs = { parent: this, dependsOn: [ns] };
        const script = new k8s.core.v1.ConfigMap(childName(name, "script"), {
            metadata: { name: "etcd-snapshot-script", namespace: ns.name },
            data: { "etcd-snapshot.sh": backupScript("etcd-snapshot.sh") },
        }, inNs);
        const sa = new k8s.core.v1.ServiceAccount(childName(name, "sa"), {
            metadata: {
                name: "etcd-backup",
                namespace: ns.name,
                ...(args.roleArn !== undefined ? { annotations: { "eks.amazonaws.com/role-arn": args.roleArn } } : {}),
            },
            automountServiceAccountToken: false,
        }, inNs);
        const env = pulumi.all([args.bucket, args.region, args.kmsKeyArn]).apply(([bucket, region, kms]) => etcdSnapshotEnv({
            bucket, prefix, region, kmsKeyArn: kms, endpoints: args.endpoints ?? DEFAULT_ETCD_ENDPOINTS, files,
            retainCount: args.retainCount ?? DEFAULT_RETAIN_COUNT, retainDays: args.retainDays ?? DEFAULT_RETAIN_DAYS,
        }));
        const cronJob = new k8s.batch.v1.CronJob(childName(name, "cronjob"), {
            metadata: { name: ETCD_BACKUP_CRONJOB_NAME, namespace: ns.name },
            spec: {
                schedule: args.schedule ?? DEFAULT_ETCD_BACKUP_SCHEDULE,
                timeZone: "Etc/UTC",
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: 3600,
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 3,
                jobTemplate: {
                    spec: {
                        backoffLimit: 2,
                        activeDeadlineSeconds: 3600,
                        template: {
                            metadata: { labels: { "app.kubernetes.io/name": "etcd-backup", "app.kubernetes.io/instance": name } },
                            spec: {
                                serviceAccountName: sa.metadata.name,
                                // The job reaches S3 through the IRSA token when roleArn is set, else through the node's instance profile.
                                automountServiceAccountToken: args.roleArn !== undefined,
                                restartPolicy: "Never",
                                hostNetwork: true,
                                dnsPolicy: "ClusterFirstWithHostNet",
                                nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
                                tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
                                priorityClassName: "system-cluster-critical",
                                // etcd's key is readable by root only.
                                securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: "RuntimeDefault" } },
                                containers: [{
                                    name: "snapshot",
                                    image: args.image,
                                    command: ["bash", "/scripts/etcd-snapshot.sh"],
                                    env,
                                    resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                    volumeMounts: [
                                        { name: "script", mountPath: "/scripts", readOnly: true },
                                        { name: "etcd-pki", mountPath: "/etc/etcd-pki", readOnly: true },
                                        { name: "work", mountPath: "/var/lib/etcd-snapshot" },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                }],
                                volumes: [
                                    { name: "script", configMap: { name: script.metadata.name, defaultMode: 0o555 } },
                                    { name: "etcd-pki", hostPath: { path: args.pkiDirectory ?? DEFAULT_ETCD_PKI_DIRECTORY, type: "Directory" } },
                                    { name: "work", emptyDir: {} },
                                    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                ],
                            },
                        },
                    },
                },
            },
        }, inNs);
        this.namespace = ns.name;
        this.cronJobName = cronJob.metadata.name;
        this.target = pulumi.interpolate`s3://${args.bucket}/${prefix}`;
        this.registerOutputs({ namespace: this.namespace, cronJobName: this.cronJobName, target: this.target });
    }
}
