/**
 * RestoreDrill: a CronJob that proves a namespace's newest backup restores. It runs
 * `scripts/restore-drill.sh` (mounted from a ConfigMap of that file): Velero restores the schedule's newest
 * successful backup into a scratch namespace, the drill waits until the restored workloads are ready,
 * records the result (exit status, Pushgateway metrics) and deletes the scratch namespace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Problems, isKnown } from "../lib/errors";
import { childName, dns1123LabelProblem } from "../lib/names";
import { ProductionNamespace } from "../workloads/productionNamespace";
import { NOBODY_UID, RESTRICTED_CONTAINER_SECURITY_CONTEXT, checkNamespace, restrictedPodSecurityContext } from "../autoscaling/common";
import { RESTORE_DRILL_IMAGE } from "../../lib/versions";
import { prometheusRule, restoreDrillAlertRules } from "./alerts";
import { cronProblem, longestGapSeconds } from "./schedule";
import { backupScript } from "./scripts";

/** Arguments of {@link RestoreDrill}. */
export interface RestoreDrillArgs {
    /** Namespace whose newest backup the drill restores. Required. */
    sourceNamespace: pulumi.Input<string>;
    /** The Velero Schedule whose newest successful backup is restored (e.g. Velero's `frequentScheduleName`). Required. */
    scheduleName: pulumi.Input<string>;
    /** When the drill runs, in UTC (5-field cron or a descriptor). Defaults to `0 5 * * 1` (Mondays 05:00). */
    schedule?: string;
    /** Namespace of Velero and its Restore objects. Defaults to `velero`. */
    veleroNamespace?: pulumi.Input<string>;
    /** Namespace the drill's CronJob runs in, created by the component (restricted). Defaults to `restore-drill`. */
    namespace?: string;
    /** Where the backup is restored; deleted after each drill. Must differ from the source. Defaults to `drill-<sourceNamespace>`. */
    scratchNamespace?: string;
    /** Image with bash, coreutils, curl and kubectl. Defaults to the version matrix's RESTORE_DRILL_IMAGE. */
    image?: string;
    /** Seconds Velero may take to restore; 60 to 21600. Defaults to 1800. */
    restoreTimeoutSeconds?: number;
    /** Seconds the restored workloads may take to become ready; 60 to 21600. Defaults to 900. */
    readyTimeoutSeconds?: number;
    /** Pushgateway base URL (http or https) the result metrics are pushed to. Defaults to none (exit status and kube-state-metrics only). */
    pushgatewayUrl?: string;
    /** Create the PrometheusRule with "restore drill failed" and "restore drill overdue" (needs the Prometheus Operator's CRDs). Defaults to true. */
    alerts?: boolean;
    /** Labels on the PrometheusRule so that the cluster's Prometheus selects it. Defaults to none. */
    monitoringLabels?: { [key: string]: string };
}

export const DEFAULT_DRILL_SCHEDULE = "0 5 * * 1";
export const DEFAULT_DRILL_NAMESPACE = "restore-drill";
export const DEFAULT_RESTORE_TIMEOUT_SECONDS = 1800;
export const DEFAULT_READY_TIMEOUT_SECONDS = 900;
export const CLEANUP_TIMEOUT_SECONDS = 600;
export const DRILL_CRONJOB_NAME = "restore-drill";

/** Collects every problem with the args; the caller throws. */
export function validateRestoreDrillArgs(args: RestoreDrillArgs, problems = new Problems()): Problems {
    if (!args || typeof args !== "object") {
        problems.add("", "RestoreDrill needs args");
        return problems;
    }
    for (const key of ["sourceNamespace", "scheduleName"] as const) {
        const v = args[key];
        if (v === undefined || v === null) {
            problems.add(key, "is required");
        } else if (isKnown(v)) {
            const p = typeof v === "string" ? dns1123LabelProblem(v) : "must be a string";
            problems.check(p === undefined, key, p ?? "");
        }
    }
    if (args.schedule !== undefined) {
        const p = cronProblem(args.schedule);
        problems.check(p === undefined, "schedule", p ?? "");
    }
    if (isKnown(args.veleroNamespace)) {
        checkNamespace(problems, "veleroNamespace", args.veleroNamespace);
    }
    checkNamespace(problems, "namespace", args.namespace);
    checkNamespace(problems, "scratchNamespace", args.scratchNamespace);
    if (args.scratchNamespace !== undefined && isKnown(args.sourceNamespace)) {
        problems.check(args.scratchNamespace !== args.sourceNamespace, "scratchNamespace", "must differ from sourceNamespace: the drill deletes it afterwards");
    }
    for (const key of ["restoreTimeoutSeconds", "readyTimeoutSeconds"] as const) {
        const v = args[key];
        problems.check(v === undefined || (Number.isInteger(v) && v >= 60 && v <= 21600), key, `${v} is not allowed: give whole seconds from 60 to 21600`);
    }
    if (args.image !== undefined) {
        problems.check(typeof args.image === "string" && /^[^\s:@]+(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(args.image) && !/:latest$/.test(args.image),
            "image", `${JSON.stringify(args.image)} is not an image reference with a tag other than latest (or a digest)`);
    }
    if (args.pushgatewayUrl !== undefined) {
        problems.check(typeof args.pushgatewayUrl === "string" && /^https?:\/\/[^\s/]+(\/\S*)?$/.test(args.pushgatewayUrl), "pushgatewayUrl", `${JSON.stringify(args.pushgatewayUrl)} is not an http(s) URL`);
    }
    return problems;
}

/** The drill's environment (the script's settings). */
export function drillEnv(o: {
    sourceNamespace: string; scheduleName: string; scratchNamespace: string; veleroNamespace: string;
    restoreTimeoutSeconds: number; readyTimeoutSeconds: number; pushgatewayUrl?: string;
}): Array<{ name: string; value: string }> {
    const env = [
        { name: "DRILL_SOURCE_NAMESPACE", value: o.sourceNamespace },
        { name: "DRILL_SCHEDULE", value: o.scheduleName },
        { name: "DRILL_SCRATCH_NAMESPACE", value: o.scratchNamespace },
        { name: "VELERO_NAMESPACE", value: o.veleroNamespace },
        { name: "DRILL_RESTORE_TIMEOUT", value: String(o.restoreTimeoutSeconds) },
        { name: "DRILL_READY_TIMEOUT", value: String(o.readyTimeoutSeconds) },
        { name: "DRILL_CLEANUP_TIMEOUT", value: String(CLEANUP_TIMEOUT_SECONDS) },
        { name: "DRILL_METRICS_FILE", value: "/tmp/restore-drill.prom" },
        // The root filesystem is read-only; kubectl keeps its discovery cache under $HOME.
        { name: "HOME", value: "/tmp" },
    ];
    if (o.pushgatewayUrl) {
        env.push({ name: "DRILL_PUSHGATEWAY_URL", value: o.pushgatewayUrl });
    }
    return env;
}

/**
 * The drill's permissions, least privilege: create and read Restores in Velero's namespace; read and delete only
 * the scratch namespace; read Deployments, StatefulSets and DaemonSets (cluster-wide and read-only, because the
 * scratch namespace, and so any Role in it, exists only during the drill).
 */
export function drillRbacRules(scratchNamespace: pulumi.Input<string>): {
    velero: k8s.types.input.rbac.v1.PolicyRule[]; cluster: k8s.types.input.rbac.v1.PolicyRule[];
} {
    return {
        velero: [{ apiGroups: ["velero.io"], resources: ["restores"], verbs: ["create", "get"] }],
        cluster: [
            { apiGroups: [""], resources: ["namespaces"], resourceNames: [scratchNamespace], verbs: ["get", "delete"] },
            { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets"], verbs: ["get", "list", "watch"] },
        ],
    };
}

/** A weekly (by default) restore drill of one namespace's newest backup. */
export class RestoreDrill extends pulumi.ComponentResource {
    /** Namespace the drill's CronJob runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Name of the drill's CronJob. */
    public readonly cronJobName: pulumi.Output<string>;
    /** The scratch namespace each drill restores into and deletes. */
    public readonly scratchNamespace: pulumi.Output<string>;

    constructor(name: string, args: RestoreDrillArgs, opts?: pulumi.ComponentResourceOptions) {
        validateRestoreDrillArgs(args).throwIfAny(`RestoreDrill ${name}`);
        super("k8sprod:backup:RestoreDrill", name, {}, opts);
        const namespaceName = args.namespace ?? DEFAULT_DRILL_NAMESPACE;
        const veleroNamespace = pulumi.output(args.veleroNamespace ?? "velero");
        const scratch = args.scratchNamespace !== undefined ? pulumi.output(args.scratchNamespace)
            : pulumi.output(args.sourceNamespace).apply((s) => `drill-${s}`.slice(0, 63).replace(/-+$/, ""));
        const source = pulumi.output(args.sourceNamespace).apply((s) => {
            if (args.scratchNamespace === s) {
                throw new pulumi.ResourceError(`RestoreDrill ${name}: scratchNamespace must differ from sourceNamespace "${s}"`, this);
            }
            return s;
        });
        const schedule = args.schedule ?? DEFAULT_DRILL_SCHEDULE;
        const restoreTimeout = args.restoreTimeoutSeconds ?? DEFAULT_RESTORE_TIMEOUT_SECONDS;
        const readyTimeout = args.readyTimeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS;

        const ns = new ProductionNamespace(namespaceName, {}, { parent: this });
        const inNs = { parent: this, dependsOn: [ns] };
        new k8s.networking.v1.NetworkPolicy(childName(name, "allow-api"), {
            metadata: { name: "allow-kubernetes-api", namespace: ns.name },
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{ ports: [{ protocol: "TCP", port: 443 }, ...(args.pushgatewayUrl ? [{ protocol: "TCP", port: pushgatewayPort(args.pushgatewayUrl) }] : [])] }],
            },
        }, inNs);
        const script = new k8s.core.v1.ConfigMap(childName(name, "script"), {
            metadata: { name: "restore-drill-script", namespace: ns.name },
            data: { "restore-drill.sh": backupScript("restore-drill.sh") },
        }, inNs);
        const sa = new k8s.core.v1.ServiceAccount(childName(name, "sa"), {
            metadata: { name: "restore-drill", namespace: ns.name },
            automountServiceAccountToken: false,
        }, inNs);

        const rules = drillRbacRules(scratch);
        const veleroRole = new k8s.rbac.v1.Role(childName(name, "velero-role"), {
            metadata: { name: pulumi.interpolate`restore-drill-${ns.name}`, namespace: veleroNamespace },
            rules: rules.velero,
        }, { parent: this });
        new k8s.rbac.v1.RoleBinding(childName(name, "velero-binding"), {
            metadata: { name: pulumi.interpolate`restore-drill-${ns.name}`, namespace: veleroNamespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: veleroRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns.name }],
        }, { parent: this });
        const clusterRole = new k8s.rbac.v1.ClusterRole(childName(name, "cluster-role"), {
            metadata: { name: pulumi.interpolate`k8sprod-restore-drill-${scratch}` },
            rules: rules.cluster,
        }, { parent: this });
        new k8s.rbac.v1.ClusterRoleBinding(childName(name, "cluster-binding"), {
            metadata: { name: pulumi.interpolate`k8sprod-restore-drill-${scratch}` },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns.name }],
        }, { parent: this });

        const env = pulumi.all([source, args.scheduleName, scratch, veleroNamespace]).apply(([s, sched, scr, vns]) => drillEnv({
            sourceNamespace: s, scheduleName: sched, scratchNamespace: scr, veleroNamespace: vns,
            restoreTimeoutSeconds: restoreTimeout, readyTimeoutSeconds: readyTimeout, pushgatewayUrl: args.pushgatewayUrl,
        }));
        const cronJob = new k8s.batch.v1.CronJob(childName(name, "cronjob"), {
            metadata: { name: DRILL_CRONJOB_NAME, namespace: ns.name },
            spec: {
                schedule,
                timeZone: "Etc/UTC",
                concurrencyPolicy: "Forbid",
                // A drill that could not start within a day of its slot is missed (and RestoreDrillOverdue tells).
                startingDeadlineSeconds: 86400,
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 3,
                jobTemplate: {
                    spec: {
                        // A failed drill is a finding, not a flake to retry away.
                        backoffLimit: 0,
                        activeDeadlineSeconds: restoreTimeout + readyTimeout + CLEANUP_TIMEOUT_SECONDS + 300,
                        template: {
                            metadata: { labels: { "app.kubernetes.io/name": "restore-drill", "app.kubernetes.io/instance": name } },
                            spec: {
                                serviceAccountName: sa.metadata.name,
                                // The drill talks to the API server: the token is mounted for this pod only.
                                automountServiceAccountToken: true,
                                restartPolicy: "Never",
                                securityContext: restrictedPodSecurityContext(NOBODY_UID),
                                containers: [{
                                    name: "drill",
                                    image: args.image ?? RESTORE_DRILL_IMAGE,
                                    command: ["bash", "/scripts/restore-drill.sh"],
                                    env,
                                    // The script writes only small files to /tmp (an emptyDir that counts as ephemeral storage).
                                    resources: {
                                        requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
                                        limits: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "256Mi" },
                                    },
                                    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                                    volumeMounts: [{ name: "script", mountPath: "/scripts", readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
                                }],
                                volumes: [
                                    { name: "script", configMap: { name: script.metadata.name, defaultMode: 0o555 } },
                                    { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                                ],
                            },
                        },
                    },
                },
            },
        }, inNs);
        if (args.alerts ?? true) {
            // Overdue: two drill periods without a pass.
            const days = Math.max(1, Math.ceil((2 * longestGapSeconds(schedule)) / 86400));
            new k8s.apiextensions.CustomResource(childName(name, "alerts"),
                prometheusRule("restore-drill-alerts", namespaceName, [restoreDrillAlertRules(namespaceName, DRILL_CRONJOB_NAME, days)], args.monitoringLabels ?? {}) as any,
                inNs);
        }
        this.namespace = ns.name;
        this.cronJobName = cronJob.metadata.name;
        this.scratchNamespace = scratch;
        this.registerOutputs({ namespace: this.namespace, cronJobName: this.cronJobName, scratchNamespace: this.scratchNamespace });
    }
}

/** The TCP port of an http(s) URL. */
export function pushgatewayPort(url: string): number {
    const u = new URL(url);
    return u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
}
