/**
 * Logging: Fluent Bit on every node ships container logs, merged into structured records, to CloudWatch Logs
 * groups that this component creates, one per log class with the class's retention and a KMS key, through an
 * IRSA role that may write to those groups only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems, isKnown } from "../lib/errors";
import { HelmValues, OwnedValue, chartRelease, checkUserValues } from "../lib/helm";
import { childName } from "../lib/names";
import { checkKmsKeyArn } from "../lib/logsKey";
import { IrsaRole } from "../cluster/irsa";
import { checkNamespace, checkReleaseName, RESTRICTED_CONTAINER_SECURITY_CONTEXT } from "../autoscaling/common";
import { logsKeyPolicy, PolicyDocument } from "../../lib/iam";
import { HELM_CHARTS } from "../../lib/versions";
import { createNamespacePolicies, platformNamespace } from "./common";
import { checkClusterCidrs, loggingPolicies } from "./network";
import {
    CLOUDWATCH_RETENTION_DAYS, DEFAULT_CLASS_LABEL, FLUENT_BIT_HTTP_PORT, LOG_CLASSES, LogClass, RETENTION_RANGES, STATE_DIR, fluentBitChartConfig,
} from "./fluentbit";

/** Days each log class is kept. */
export interface LogRetentionArgs {
    /** Application logs. Defaults to 14; 7 to 30. */
    application?: number;
    /** Platform logs (controllers, agents). Defaults to 90; 30 to 180. */
    platform?: number;
    /** Audit logs. Defaults to 365; 365 to 3653. */
    audit?: number;
    /** Security logs. Defaults to 365; 365 to 3653. */
    security?: number;
}

/** Arguments of {@link Logging}. */
export interface LoggingArgs {
    /** Name of the EKS cluster; the log groups are `/k8sprod/<clusterName>/<class>`. Required. */
    clusterName: pulumi.Input<string>;
    /** AWS region of the cluster and the log groups. Required. */
    region: pulumi.Input<string>;
    /** ARN of the cluster's IAM OIDC provider (EksCluster.oidcProviderArn), for the IRSA role; its account owns the KMS key. Required. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL (EksCluster.oidcProviderUrl). Required. */
    oidcProviderUrl: pulumi.Input<string>;
    /**
     * Days each class is kept: application 7–30 (default 14), platform 30–180 (default 90), audit and security
     * 365–3653 (default 365). Only the periods CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180,
     * 365, 400, 545, 731, ...).
     */
    retentionDays?: LogRetentionArgs;
    /** The pod label whose value (`application`, `platform`, `audit`, `security`) chooses the class. Defaults to `k8sprod.io/log-class`; pods without it are application logs. */
    classLabel?: string;
    /** ARN of a KMS key that CloudWatch Logs may use. Defaults to a key this component creates (rotation on) whose policy lets CloudWatch Logs use it for these groups only. */
    kmsKeyArn?: pulumi.Input<string>;
    /** Filesystem buffer cap per class output (Fluent Bit size, e.g. 512M): records survive an outage until it is full. Defaults to `512M`. */
    bufferLimit?: string;
    /** Namespace, created with Pod Security privileged (Fluent Bit mounts hostPath /var/log read-only and its state directory). Defaults to `logging`. */
    namespace?: string;
    /** Helm release name (and the service account's name). Defaults to `fluent-bit`. */
    releaseName?: string;
    /** Tags on the AWS resources. Defaults to none. */
    tags?: { [key: string]: string };
    /** Namespace Prometheus runs in: the only one that may reach Fluent Bit's metrics port (2020). Defaults to `monitoring`. */
    metricsNamespace?: string;
    /**
     * Address blocks of the cluster's nodes and API server endpoints (on EKS, the VPC's CIDR block). The
     * NetworkPolicies allow the API server (443/6443), its webhook calls only from or to these blocks.
     * Defaults to any address except the instance metadata one (still limited to those ports).
     */
    clusterCidrs?: string[];
    /**
     * Helm values of chart fluent-bit 0.58.1, deep-merged over the component's defaults. Not overridable
     * (refused): `serviceAccount` (IRSA), `config.service`, `config.inputs`, `config.filters` and `config.outputs` (buffering and routing), `securityContext`,
     * `podSecurityContext`, `daemonSetVolumes` and `daemonSetVolumeMounts` (read-only host mounts).
     */
    values?: pulumi.Input<{ [key: string]: any }>;
}

export const DEFAULT_LOGGING_NAMESPACE = "logging";
export const DEFAULT_LOGGING_RELEASE = "fluent-bit";
export const DEFAULT_BUFFER_LIMIT = "512M";
export const DEFAULT_FLUENT_BIT_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
/** Why the logging namespace is privileged (written on the namespace and in the pack's exemption). */
export const LOGGING_REASON = "Fluent Bit reads container logs from hostPath /var/log (read-only) and keeps its buffer in hostPath /var/fluent-bit/state";

export const LOGGING_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    { path: ["serviceAccount"], reason: "the service account carries the IRSA role that may write to the log groups" },
    { path: ["config", "outputs"], reason: "outputs route every log class to its own group" },
    { path: ["config", "filters"], reason: "filters merge JSON logs and choose the class" },
    { path: ["config", "service"], reason: "the service section sets the filesystem buffer the host mounts hold" },
    { path: ["config", "inputs"], reason: "the tail input reads CRI container logs into the filesystem buffer" },
    { path: ["securityContext"], reason: "the container drops every capability and its root filesystem is read-only" },
    { path: ["podSecurityContext"], reason: "the pod runs with the RuntimeDefault seccomp profile" },
    { path: ["daemonSetVolumes"], reason: "host paths are mounted read-only, except Fluent Bit's own state directory" },
    { path: ["daemonSetVolumeMounts"], reason: "host paths are mounted read-only, except Fluent Bit's own state directory" },
];

/** Collects every problem with the args; the caller throws. */
export function validateLoggingArgs(args: LoggingArgs, problems = new Problems()): Problems {
    const a = args ?? ({} as LoggingArgs);
    for (const key of ["clusterName", "region", "oidcProviderArn", "oidcProviderUrl"] as const) {
        if (a[key] === undefined || a[key] === "") {
            problems.add(key, "is required");
        }
    }
    if (isKnown(a.oidcProviderArn) && !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+/.test(a.oidcProviderArn)) {
        problems.add("oidcProviderArn", `"${a.oidcProviderArn}" is not an IAM OIDC provider ARN`);
    }
    const r = a.retentionDays ?? {};
    for (const [cls, days] of Object.entries(r)) {
        const path = `retentionDays.${cls}`;
        if (!(LOG_CLASSES as readonly string[]).includes(cls)) {
            problems.add(path, `"${cls}" is not a log class; choose one of ${LOG_CLASSES.join(", ")}`);
            continue;
        }
        const range = RETENTION_RANGES[cls as LogClass];
        if (typeof days !== "number" || days < range.min || days > range.max) {
            problems.add(path, `${JSON.stringify(days)} days is outside the ${cls} range ${range.min}–${range.max}`);
        } else if (!CLOUDWATCH_RETENTION_DAYS.includes(days)) {
            problems.add(path, `${days} days is not a retention CloudWatch Logs accepts; choose one of ${CLOUDWATCH_RETENTION_DAYS.filter((d) => d >= range.min && d <= range.max).join(", ")}`);
        }
    }
    if (a.classLabel !== undefined) {
        problems.check(typeof a.classLabel === "string" && /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(a.classLabel) && !a.classLabel.includes("'"),
            "classLabel", `${JSON.stringify(a.classLabel)} is not a Kubernetes label key`);
    }
    if (a.bufferLimit !== undefined) {
        problems.check(typeof a.bufferLimit === "string" && /^[1-9]\d*[KMG]$/.test(a.bufferLimit), "bufferLimit", `${JSON.stringify(a.bufferLimit)} is not a Fluent Bit size such as 512M or 2G`);
    }
    checkKmsKeyArn(problems, "kmsKeyArn", a.kmsKeyArn);
    checkNamespace(problems, "namespace", a.namespace);
    checkNamespace(problems, "metricsNamespace", a.metricsNamespace);
    checkClusterCidrs(problems, "clusterCidrs", a.clusterCidrs);
    checkReleaseName(problems, "releaseName", a.releaseName);
    checkUserValues(problems, a.values, LOGGING_OWNED);
    return problems;
}

/** Retention of every class, defaults applied. */
export function retentionDays(a: LoggingArgs): Record<LogClass, number> {
    return Object.fromEntries(LOG_CLASSES.map((c) => [c, a.retentionDays?.[c] ?? RETENTION_RANGES[c].default])) as Record<LogClass, number>;
}

/** The log group of a class. */
export function logGroupName(clusterName: string, c: LogClass): string {
    return `/k8sprod/${clusterName}/${c}`;
}

/**
 * What Fluent Bit may do: create streams in, write to and list the streams of these groups, nothing else
 * (no group creation, no other group).
 */
export function fluentBitPolicy(groupArns: string[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{
            Sid: "WriteOwnLogGroups",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: groupArns.flatMap((arn) => [arn, `${arn}:log-stream:*`]),
        }],
    };
}

/** The account id of an IAM OIDC provider ARN. */
export function accountOf(oidcProviderArn: string): string {
    // Offline engines may resolve an output they do not know to undefined: yield an empty account, not a crash.
    return String(oidcProviderArn ?? "").split(":")[4] ?? "";
}

/** The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`); `aws` when it cannot be read. */
export function partitionOfArn(arn: string): string {
    return /^arn:(aws[a-z-]*):/.exec(String(arn ?? ""))?.[1] ?? "aws";
}

/** The groups the logs KMS key may encrypt: every group under `/k8sprod/<cluster>/`, this component's own. */
export function loggingKeyGroups(clusterName: string): string[] {
    return [`/k8sprod/${clusterName}/*`];
}

/** The component's default Helm values. */
export function loggingDefaultValues(): HelmValues {
    return {
        kind: "DaemonSet",
        priorityClassName: "system-node-critical",
        // Logs of every node, including tainted system and GPU nodes.
        tolerations: [{ operator: "Exists" }],
        resources: DEFAULT_FLUENT_BIT_RESOURCES,
        metricsPort: FLUENT_BIT_HTTP_PORT,
        serviceMonitor: { enabled: false },
        config: { customParsers: "" },
    };
}

/** The values the component owns, for the resolved model. */
export function loggingOwnedValues(o: { serviceAccountName: string; roleArn: pulumi.Input<string>; config: pulumi.Input<ReturnType<typeof fluentBitChartConfig>> }): OwnedValue[] {
    const reason = (i: number) => LOGGING_OWNED[i].reason;
    const config = pulumi.output(o.config);
    return [
        { path: ["serviceAccount"], reason: reason(0), value: { create: true, name: o.serviceAccountName, annotations: { "eks.amazonaws.com/role-arn": o.roleArn } } },
        { path: ["config", "outputs"], reason: reason(1), value: config.outputs },
        { path: ["config", "filters"], reason: reason(2), value: config.filters },
        { path: ["config", "service"], reason: LOGGING_OWNED[7].reason, value: config.service },
        { path: ["config", "inputs"], reason: LOGGING_OWNED[8].reason, value: config.inputs },
        // Root (uid 0) reads the root-owned files under /var/log/pods; no capability is kept, nothing is writable but the state dir.
        { path: ["securityContext"], reason: reason(3), value: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsNonRoot: false, runAsUser: 0 } },
        { path: ["podSecurityContext"], reason: reason(4), value: { seccompProfile: { type: "RuntimeDefault" } } },
        {
            path: ["daemonSetVolumes"], reason: reason(5), value: [
                { name: "varlog", hostPath: { path: "/var/log", type: "Directory" } },
                { name: "state", hostPath: { path: STATE_DIR, type: "DirectoryOrCreate" } },
            ],
        },
        {
            path: ["daemonSetVolumeMounts"], reason: reason(6), value: [
                { name: "varlog", mountPath: "/var/log", readOnly: true },
                { name: "state", mountPath: STATE_DIR },
            ],
        },
    ];
}

/**
 * Fluent Bit (chart pinned in the version matrix) as a DaemonSet on every node, shipping container logs by class
 * to KMS-encrypted CloudWatch Logs groups with their retention, through an IRSA role limited to those groups.
 */
export class Logging extends pulumi.ComponentResource {
    /** Log group name of each class. */
    public readonly logGroupNames: pulumi.Output<{ [logClass: string]: string }>;
    /** ARN of the KMS key encrypting the groups. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** ARN of Fluent Bit's IAM role. */
    public readonly roleArn: pulumi.Output<string>;
    /** Namespace Fluent Bit runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** The pod label that chooses the log class. */
    public readonly classLabel: pulumi.Output<string>;

    constructor(name: string, args: LoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        validateLoggingArgs(args).throwIfAny(`Logging ${name}`);
        super("k8sprod:observability:Logging", name, {}, opts);
        const namespace = args.namespace ?? DEFAULT_LOGGING_NAMESPACE;
        const releaseName = args.releaseName ?? DEFAULT_LOGGING_RELEASE;
        const classLabel = args.classLabel ?? DEFAULT_CLASS_LABEL;
        const days = retentionDays(args);
        const parent = { parent: this };

        let kmsKeyArn: pulumi.Output<string>;
        if (args.kmsKeyArn !== undefined) {
            kmsKeyArn = pulumi.output(args.kmsKeyArn);
        } else {
            const key = new aws.kms.Key(childName(name, "logs-key"), {
                description: pulumi.interpolate`Encryption of the k8sprod log groups of cluster ${args.clusterName}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.all([args.oidcProviderArn, args.region, args.clusterName]).apply(([arn, region, cluster]) =>
                    JSON.stringify(logsKeyPolicy({ account: accountOf(arn), region, partition: partitionOfArn(arn), logGroupNames: loggingKeyGroups(cluster) }))),
                tags: args.tags,
            }, parent);
            kmsKeyArn = key.arn;
        }

        const groups = LOG_CLASSES.map((c) => new aws.cloudwatch.LogGroup(childName(name, c), {
            name: pulumi.output(args.clusterName).apply((cluster) => logGroupName(cluster, c)),
            retentionInDays: days[c],
            kmsKeyId: kmsKeyArn,
            tags: { ...(args.tags ?? {}), "k8sprod.io/log-class": c },
        }, parent));

        const irsa = new IrsaRole(childName(name, "irsa"), {
            oidcProviderArn: args.oidcProviderArn,
            oidcIssuerUrl: args.oidcProviderUrl,
            namespace,
            serviceAccount: releaseName,
            policyDocument: pulumi.all(groups.map((g) => g.arn)).apply((arns) => JSON.stringify(fluentBitPolicy(arns))),
            tags: args.tags,
        }, parent);

        const ns = platformNamespace(childName(name, "namespace"), namespace, "privileged", LOGGING_REASON, parent);
        // Default deny, then DNS, the API server, AWS endpoints on 443 out and Prometheus's scrape in (network.ts).
        createNamespacePolicies(name, namespace, loggingPolicies({ metricsPort: FLUENT_BIT_HTTP_PORT, metricsNamespace: args.metricsNamespace ?? "monitoring", clusterCidrs: args.clusterCidrs }),
            { parent: this, dependsOn: [ns] });
        const groupNames = pulumi.all(groups.map((g) => g.name));
        const config = pulumi.all([args.region, groupNames]).apply(([region, names]) => fluentBitChartConfig({
            region,
            groups: Object.fromEntries(LOG_CLASSES.map((c, i) => [c, names[i]])) as Record<LogClass, string>,
            classLabel,
            bufferLimit: args.bufferLimit ?? DEFAULT_BUFFER_LIMIT,
        }));

        const release = chartRelease(childName(name, "release"), {
            chart: HELM_CHARTS.fluentBit,
            releaseName,
            namespace,
            defaults: loggingDefaultValues(),
            values: args.values,
            owned: loggingOwnedValues({ serviceAccountName: releaseName, roleArn: irsa.roleArn, config }),
        }, { parent: this, dependsOn: [ns, irsa, ...groups] });

        this.logGroupNames = groupNames.apply((names) => Object.fromEntries(LOG_CLASSES.map((c, i) => [c, names[i]])));
        this.kmsKeyArn = kmsKeyArn;
        this.roleArn = irsa.roleArn;
        this.namespace = ns.metadata.name;
        this.releaseName = release.name;
        this.classLabel = pulumi.output(classLabel);
        this.registerOutputs({
            logGroupNames: this.logGroupNames, kmsKeyArn: this.kmsKeyArn, roleArn: this.roleArn,
            namespace: this.namespace, releaseName: this.releaseName, classLabel: this.classLabel,
        });
    }
}
