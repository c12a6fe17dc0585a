/**
 * Monitoring: kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager, Grafana, node exporter,
 * kube-state-metrics) with production defaults, the `kubernetes-pods` job for the annotations WebService writes,
 * ServiceMonitors for the platform's own parts, cardinality guards on every scrape, the platform's rules, and
 * Alertmanager routing by severity to receivers whose secrets stay in Secrets.
 */
import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { HelmValues, OwnedValue, chartRelease, checkUserValues } from "../lib/helm";
import { childName, dns1123SubdomainProblem } from "../lib/names";
import { STORAGE_DEFAULTS } from "../cluster/addons";
import { checkNamespace, checkReleaseName } from "../autoscaling/common";
import { HELM_CHARTS } from "../../lib/versions";
import { AlertReceiver, alertmanagerConfig, checkReceivers, receiverSecrets } from "./alertmanager";
import { checkInteger, createNamespacePolicies, platformNamespace, prometheusRetentionProblem, prometheusSizeProblem } from "./common";
import { checkClusterCidrs, monitoringPolicies, nodeExporterPolicies } from "./network";
import { AlertThresholds, DEFAULT_ALERT_THRESHOLDS, RuleGroup, platformRuleGroups } from "./rules";
import {
    CardinalityLimits, DEFAULT_CARDINALITY, PLATFORM_SCRAPE_TARGETS, ScrapeTarget, checkCardinality, kubernetesPodsJob, serviceMonitorSpec,
} from "./scrape";

/** Requests and limits of one container. */
export interface ResourceSpec {
    /** Requests (`cpu`, `memory`). */
    requests?: { [resource: string]: string };
    /** Limits (`cpu`, `memory`). */
    limits?: { [resource: string]: string };
}

/** Prometheus settings. */
export interface PrometheusSettings {
    /** Replicas, each a full copy scraping every target, spread across zones. Defaults to 2; 2 to 5 (one replica is no HA). */
    replicas?: number;
    /** How long samples are kept (Prometheus duration). Defaults to `15d`. */
    retention?: string;
    /** Size at which the oldest blocks are deleted, below the volume size (Prometheus bytes, e.g. `45GB`). Defaults to `45GB`. */
    retentionSize?: string;
    /** Size of each replica's volume (Kubernetes quantity in Gi). Defaults to `50Gi`. Must exceed retentionSize. */
    storageSize?: string;
    /** StorageClass of the volumes: the cluster's encrypted gp3 class. Defaults to `gp3-encrypted` (EksCluster's default class). */
    storageClassName?: pulumi.Input<string>;
    /** Requests and limits of the Prometheus container. Defaults to 500m/2Gi requested, 2 CPU/4Gi limits. */
    resources?: ResourceSpec;
}

/** Alertmanager settings. */
export interface AlertmanagerSettings {
    /** Replicas (they gossip to deduplicate notifications). Defaults to 2; 2 to 5. */
    replicas?: number;
    /** Requests and limits of the Alertmanager container. Defaults to 50m/128Mi requested, 200m/256Mi limits. */
    resources?: ResourceSpec;
}

/** Cardinality limits of every scrape (each defaults as documented on MonitoringArgs.cardinality). */
export interface CardinalityArgs {
    /** Samples per scrape. Defaults to 50000. */
    sampleLimit?: number;
    /** Labels per sample. Defaults to 40. */
    labelLimit?: number;
    /** Characters per label name. Defaults to 128. */
    labelNameLengthLimit?: number;
    /** Characters per label value. Defaults to 1024. */
    labelValueLengthLimit?: number;
    /** Labels dropped from every sample (replaces the default list). */
    droppedLabels?: string[];
}

/** Alert thresholds (each defaults as documented). */
export interface AlertThresholdsArgs {
    /** PVC use that warns, percent. Defaults to 85. */
    pvcWarningPercent?: number;
    /** PVC use that pages, percent. Defaults to 95. */
    pvcCriticalPercent?: number;
    /** Minutes at maximum replicas before the HPA alert fires. Defaults to 15. */
    hpaAtMaxMinutes?: number;
    /** Fluent Bit buffer capacity left that warns, percent. Defaults to 20. */
    logBufferWarningPercent?: number;
    /** Fluent Bit buffer capacity left that pages, percent. Defaults to 5. */
    logBufferCriticalPercent?: number;
}

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
    /** Namespace of Prometheus, Alertmanager, Grafana and the operator; created with Pod Security restricted. Defaults to `monitoring`. */
    namespace?: string;
    /**
     * Namespace of node exporter, created with Pod Security privileged: node exporter reads the host's /proc,
     * /sys and root filesystem with host networking and the host PID namespace. Defaults to `node-exporter`.
     * Must differ from `namespace`. The policy pack must exempt it (policies/kubernetes/examples/platform.json does).
     */
    nodeExporterNamespace?: string;
    /** Helm release name. Defaults to `kube-prometheus-stack`. */
    releaseName?: string;
    /** Prometheus replicas, retention, volume and resources. */
    prometheus?: PrometheusSettings;
    /** Alertmanager replicas and resources. */
    alertmanager?: AlertmanagerSettings;
    /**
     * Where alerts go, by severity. Each receiver reads its URL or key from a Secret in `namespace` that the user
     * creates (never from code or stack config). Defaults to none: alerts are visible in Alertmanager only.
     */
    receivers?: AlertReceiver[];
    /**
     * Cardinality guards applied to the `kubernetes-pods` job, every ServiceMonitor this component creates, and
     * (as enforced limits) every ServiceMonitor and PodMonitor in the cluster. Defaults: 50,000 samples, 40 labels,
     * names up to 128 and values up to 1,024 characters; `user_id`, `request_id`, `session_id` and `trace_id` dropped.
     * A limit of 0 (no limit) is refused.
     */
    cardinality?: CardinalityArgs;
    /** Platform parts to scrape through ServiceMonitors. Defaults to cluster-autoscaler, metrics-server, Fluent Bit and the trace collectors as k8sprod installs them. */
    scrapeTargets?: ScrapeTarget[];
    /** Alert thresholds. Defaults: PVC 85 % (warning) and 95 % (critical), HPA at max 15 min, log buffer 20 % / 5 % left. */
    alertThresholds?: AlertThresholdsArgs;
    /**
     * Name of a Secret in `namespace` with keys `admin-user` and `admin-password` for Grafana's admin. Defaults to
     * a Secret this component generates with a random 32-character password (kept across updates); the chart's
     * default password is never used.
     */
    grafanaAdminSecret?: string;
    /**
     * Namespaces whose pods may query Prometheus (port 9090) through the namespace's default-deny NetworkPolicies,
     * e.g. PrometheusAdapter's. Grafana, in the same namespace, always may. Defaults to [`kube-system`]
     * (PrometheusAdapter's default namespace); an empty list lets no other namespace in.
     */
    prometheusClientNamespaces?: string[];
    /**
     * Address blocks of the cluster's nodes and API server endpoints (on EKS, the VPC's CIDR block). The
     * NetworkPolicies allow the API server (443/6443), its webhook calls, kubelets and node exporter (10250, 9100, 10249) only from or to these blocks.
     * Defaults to any address except the instance metadata one (still limited to those ports).
     */
    clusterCidrs?: string[];
    /**
     * Helm values of chart kube-prometheus-stack 88.5.3, deep-merged over the component's defaults. Not
     * overridable (refused): the Prometheus and Alertmanager pod security contexts, `grafana.admin` (credentials),
     * and the node exporter namespace.
     */
    values?: pulumi.Input<{ [key: string]: any }>;
}

export const DEFAULT_MONITORING_NAMESPACE = "monitoring";
export const DEFAULT_NODE_EXPORTER_NAMESPACE = "node-exporter";
export const DEFAULT_MONITORING_RELEASE = "kube-prometheus-stack";
/** Namespaces that may query Prometheus by default: PrometheusAdapter's. */
export const DEFAULT_PROMETHEUS_CLIENT_NAMESPACES = ["kube-system"];
export const DEFAULT_PROMETHEUS: Required<Omit<PrometheusSettings, "storageClassName">> & { storageClassName: string } = {
    replicas: 2,
    retention: "15d",
    retentionSize: "45GB",
    storageSize: "50Gi",
    storageClassName: STORAGE_DEFAULTS.storageClassName,
    resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
};
export const DEFAULT_ALERTMANAGER = {
    replicas: 2,
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
};
/** Port of the `prometheus-operated` Service. */
export const PROMETHEUS_PORT = 9090;
/** The non-root identity the Prometheus Operator's images run as (the chart's defaults). */
export const PROMETHEUS_UID = 1000;
export const PROMETHEUS_GID = 2000;
/** Keys of the Grafana admin Secret (the grafana chart's `admin.userKey`/`admin.passwordKey` defaults). */
export const GRAFANA_ADMIN_USER_KEY = "admin-user";
export const GRAFANA_ADMIN_PASSWORD_KEY = "admin-password";
/** Why node exporter's namespace is privileged (written on the namespace and in the pack's exemption). */
export const NODE_EXPORTER_REASON = "node exporter reads host metrics: hostNetwork, hostPID and read-only hostPath mounts of /, /proc and /sys";

export const MONITORING_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    { path: ["prometheus", "prometheusSpec", "securityContext"], reason: "Prometheus runs with the restricted Pod Security context" },
    { path: ["alertmanager", "alertmanagerSpec", "securityContext"], reason: "Alertmanager runs with the restricted Pod Security context" },
    { path: ["grafana", "admin"], reason: "Grafana's admin credentials come from grafanaAdminSecret or a generated Secret, never the chart's default" },
    { path: ["grafana", "adminPassword"], reason: "Grafana's admin credentials come from grafanaAdminSecret or a generated Secret, never the chart's default" },
    { path: ["prometheus-node-exporter", "namespaceOverride"], reason: "node exporter runs in nodeExporterNamespace, the one namespace allowed host access" },
];

/** Bytes in a Kubernetes quantity such as 50Gi, or undefined when it is not a plain binary/decimal size. */
function quantityBytes(q: string): number | undefined {
    const m = /^(\d+)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(q);
    if (!m) {
        return undefined;
    }
    const unit: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
    return Number(m[1]) * unit[m[2] ?? ""];
}

/** Bytes in a Prometheus size (Prometheus counts KB, MB, GB as powers of 1024). */
function prometheusBytes(s: string): number {
    const m = /^(\d+)(B|KB|MB|GB|TB|PB|EB)$/.exec(s)!;
    const power: Record<string, number> = { B: 0, KB: 1, MB: 2, GB: 3, TB: 4, PB: 5, EB: 6 };
    return Number(m[1]) * 1024 ** power[m[2]];
}

function checkResources(problems: Problems, path: string, r: ResourceSpec | undefined): void {
    if (r === undefined) {
        return;
    }
    for (const kind of ["requests", "limits"] as const) {
        const m = r[kind];
        if (m !== undefined) {
            for (const [res, q] of Object.entries(m)) {
                problems.check(typeof q === "string" && /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|K|M|G|T)?$/.test(q), `${path}.${kind}.${res}`, `${JSON.stringify(q)} is not a Kubernetes quantity`);
            }
        }
    }
}

/** Collects every problem with the args; the caller throws. */
export function validateMonitoringArgs(args: MonitoringArgs | undefined, problems = new Problems()): Problems {
    const a = args ?? {};
    checkNamespace(problems, "namespace", a.namespace);
    checkNamespace(problems, "nodeExporterNamespace", a.nodeExporterNamespace);
    if ((a.namespace ?? DEFAULT_MONITORING_NAMESPACE) === (a.nodeExporterNamespace ?? DEFAULT_NODE_EXPORTER_NAMESPACE)) {
        problems.add("nodeExporterNamespace", "must differ from namespace: only node exporter may have host access");
    }
    checkReleaseName(problems, "releaseName", a.releaseName);
    if (a.prometheusClientNamespaces !== undefined) {
        if (!Array.isArray(a.prometheusClientNamespaces)) {
            problems.add("prometheusClientNamespaces", "must be a list of namespaces");
        } else {
            a.prometheusClientNamespaces.forEach((ns, i) => {
                checkNamespace(problems, `prometheusClientNamespaces[${i}]`, ns);
                problems.check(ns !== undefined && a.prometheusClientNamespaces!.indexOf(ns) === i, `prometheusClientNamespaces[${i}]`, `"${ns}" is listed twice`);
            });
        }
    }
    checkClusterCidrs(problems, "clusterCidrs", a.clusterCidrs);
    const p = a.prometheus ?? {};
    checkInteger(problems, "prometheus.replicas", p.replicas, 2, 5, "(one replica is no high availability)");
    if (p.retention !== undefined) {
        const bad = prometheusRetentionProblem(p.retention);
        problems.check(bad === undefined, "prometheus.retention", bad ?? "");
    }
    let sizeOk = true;
    if (p.retentionSize !== undefined) {
        const bad = prometheusSizeProblem(p.retentionSize);
        sizeOk = problems.check(bad === undefined, "prometheus.retentionSize", bad ?? "");
    }
    let storageBytes: number | undefined;
    if (p.storageSize !== undefined) {
        storageBytes = typeof p.storageSize === "string" ? quantityBytes(p.storageSize) : undefined;
        problems.check(storageBytes !== undefined && storageBytes > 0, "prometheus.storageSize", `${JSON.stringify(p.storageSize)} is not a volume size such as 50Gi`);
    }
    if (sizeOk && (storageBytes ?? 1) > 0) {
        const retention = prometheusBytes(p.retentionSize ?? DEFAULT_PROMETHEUS.retentionSize);
        const volume = storageBytes ?? quantityBytes(DEFAULT_PROMETHEUS.storageSize)!;
        problems.check(retention <= volume * 0.95, p.retentionSize !== undefined ? "prometheus.retentionSize" : "prometheus.storageSize",
            `retentionSize ${p.retentionSize ?? DEFAULT_PROMETHEUS.retentionSize} must stay below 95 % of the volume (${p.storageSize ?? DEFAULT_PROMETHEUS.storageSize}), or Prometheus fills its disk before it deletes old blocks`);
    }
    checkResources(problems, "prometheus.resources", p.resources);
    checkInteger(problems, "alertmanager.replicas", a.alertmanager?.replicas, 2, 5, "(one replica is no high availability)");
    checkResources(problems, "alertmanager.resources", a.alertmanager?.resources);
    checkReceivers(problems, a.receivers);
    checkCardinality(problems, "cardinality", a.cardinality);
    if (a.scrapeTargets !== undefined) {
        a.scrapeTargets.forEach((t, i) => {
            const bad = dns1123SubdomainProblem(String(t?.name));
            problems.check(bad === undefined, `scrapeTargets[${i}].name`, bad ?? "");
            checkNamespace(problems, `scrapeTargets[${i}].namespace`, t?.namespace);
            problems.check(typeof t?.port === "string" && t.port !== "", `scrapeTargets[${i}].port`, "must name the Service port that serves metrics");
            problems.check(t?.matchLabels !== null && typeof t?.matchLabels === "object" && Object.keys(t.matchLabels).length > 0,
                `scrapeTargets[${i}].matchLabels`, "must select the Service with at least one label");
            problems.check(t?.scheme === undefined || t.scheme === "http" || t.scheme === "https", `scrapeTargets[${i}].scheme`, "must be http or https");
        });
        const names = (a.scrapeTargets ?? []).map((t) => t?.name);
        names.forEach((n, i) => problems.check(names.indexOf(n) === i, `scrapeTargets[${i}].name`, `"${n}" names two targets`));
    }
    const t = a.alertThresholds ?? {};
    checkInteger(problems, "alertThresholds.pvcWarningPercent", t.pvcWarningPercent, 1, 99);
    checkInteger(problems, "alertThresholds.pvcCriticalPercent", t.pvcCriticalPercent, 1, 99);
    checkInteger(problems, "alertThresholds.hpaAtMaxMinutes", t.hpaAtMaxMinutes, 1, 1440);
    checkInteger(problems, "alertThresholds.logBufferWarningPercent", t.logBufferWarningPercent, 1, 99);
    checkInteger(problems, "alertThresholds.logBufferCriticalPercent", t.logBufferCriticalPercent, 1, 99);
    const th = thresholds(a);
    if (th.pvcWarningPercent >= th.pvcCriticalPercent) {
        problems.add("alertThresholds.pvcCriticalPercent", `${th.pvcCriticalPercent} must be above the warning threshold ${th.pvcWarningPercent}`);
    }
    if (th.logBufferCriticalPercent >= th.logBufferWarningPercent) {
        problems.add("alertThresholds.logBufferCriticalPercent", `${th.logBufferCriticalPercent} must be below the warning threshold ${th.logBufferWarningPercent} (it is capacity left)`);
    }
    if (a.grafanaAdminSecret !== undefined) {
        const bad = dns1123SubdomainProblem(String(a.grafanaAdminSecret));
        problems.check(bad === undefined, "grafanaAdminSecret", bad ?? "");
    }
    checkUserValues(problems, a.values, MONITORING_OWNED);
    return problems;
}

/** Alert thresholds with defaults applied. */
export function thresholds(a: MonitoringArgs): AlertThresholds {
    return { ...DEFAULT_ALERT_THRESHOLDS, ...(a.alertThresholds ?? {}) };
}

/** Cardinality limits with defaults applied. */
export function cardinalityLimits(a: MonitoringArgs): CardinalityLimits {
    return { ...DEFAULT_CARDINALITY, ...(a.cardinality ?? {}) };
}

/** The rule groups Monitoring installs for these args. */
export function monitoringRuleGroups(a: MonitoringArgs = {}): RuleGroup[] {
    return platformRuleGroups(thresholds(a));
}

/** Zone spread (hard) and node spread (soft) of the pods with `app.kubernetes.io/name: <app>`. */
function spread(app: string): Record<string, any>[] {
    const labelSelector = { matchLabels: { "app.kubernetes.io/name": app } };
    return [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector },
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
    ];
}

/** The component's default Helm values (user values merge over these). */
export function monitoringDefaultValues(a: MonitoringArgs, storageClassName: pulumi.Input<string>): HelmValues {
    const p = { ...DEFAULT_PROMETHEUS, ...(a.prometheus ?? {}) };
    const am = { ...DEFAULT_ALERTMANAGER, ...(a.alertmanager ?? {}) };
    const c = cardinalityLimits(a);
    const receivers = a.receivers ?? [];
    return {
        crds: { enabled: true },
        // Replaced by k8sprod's own rules (rules.ts): crash loops, HPA at max, PVCs filling up; the other upstream groups stay.
        defaultRules: { create: true, rules: { kubernetesApps: false, kubernetesStorage: false } },
        alertmanager: {
            podDisruptionBudget: { enabled: true, minAvailable: 1 },
            config: alertmanagerConfig(receivers),
            alertmanagerSpec: {
                replicas: am.replicas,
                retention: "120h",
                resources: am.resources,
                podAntiAffinity: "",
                topologySpreadConstraints: spread("alertmanager"),
                secrets: receiverSecrets(receivers),
            },
        },
        prometheus: {
            podDisruptionBudget: { enabled: true, minAvailable: 1 },
            prometheusSpec: {
                replicas: p.replicas,
                retention: p.retention,
                retentionSize: p.retentionSize,
                resources: p.resources,
                podAntiAffinity: "",
                topologySpreadConstraints: spread("prometheus"),
                storageSpec: {
                    volumeClaimTemplate: {
                        spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: p.storageSize } } },
                    },
                },
                additionalScrapeConfigs: [kubernetesPodsJob(c)],
                // Every ServiceMonitor, PodMonitor and PrometheusRule in the cluster, not only this release's.
                ruleSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                enforcedSampleLimit: c.sampleLimit,
                enforcedLabelLimit: c.labelLimit,
                enforcedLabelNameLengthLimit: c.labelNameLengthLimit,
                enforcedLabelValueLengthLimit: c.labelValueLengthLimit,
            },
        },
        "prometheus-node-exporter": {
            resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
            priorityClassName: "system-node-critical",
        },
    };
}

/** The values the component owns. */
export function monitoringOwnedValues(a: MonitoringArgs, grafanaSecret: pulumi.Input<string>): OwnedValue[] {
    const reason = (i: number) => MONITORING_OWNED[i].reason;
    const podContext = { runAsNonRoot: true, runAsUser: PROMETHEUS_UID, runAsGroup: PROMETHEUS_GID, fsGroup: PROMETHEUS_GID, seccompProfile: { type: "RuntimeDefault" } };
    return [
        { path: MONITORING_OWNED[0].path, reason: reason(0), value: podContext },
        { path: MONITORING_OWNED[1].path, reason: reason(1), value: podContext },
        { path: MONITORING_OWNED[2].path, reason: reason(2), value: { existingSecret: grafanaSecret, userKey: GRAFANA_ADMIN_USER_KEY, passwordKey: GRAFANA_ADMIN_PASSWORD_KEY } },
        { path: MONITORING_OWNED[3].path, reason: reason(3), value: null },
        { path: MONITORING_OWNED[4].path, reason: reason(4), value: a.nodeExporterNamespace ?? DEFAULT_NODE_EXPORTER_NAMESPACE },
    ];
}

/** A `monitoring.coreos.com/v1` PrometheusRule object holding `groups` (another component adds its own this way). */
export function prometheusRuleObject(name: string, namespace: string, groups: RuleGroup[]): Record<string, any> {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "k8sprod" } },
        spec: { groups },
    };
}

/** A `monitoring.coreos.com/v1` ServiceMonitor object for a scrape target, living in `namespace`. */
export function serviceMonitorObject(t: ScrapeTarget, namespace: string, c: CardinalityLimits): Record<string, any> {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: t.name, namespace, labels: { "app.kubernetes.io/managed-by": "k8sprod" } },
        spec: serviceMonitorSpec(t, c),
    };
}

/** A random Grafana admin password: 32 characters from 24 random bytes. */
export function generatePassword(): string {
    return crypto.randomBytes(24).toString("base64url");
}

/**
 * kube-prometheus-stack (pinned in the version matrix): Prometheus (2 replicas spread across zones, a PDB,
 * requests and limits, restricted security context, retention by time and size, encrypted gp3 volumes),
 * Alertmanager (2 replicas, routes by severity, inhibition), Grafana with admin credentials from a Secret, and
 * node exporter in its own privileged namespace; plus the kubernetes-pods job, ServiceMonitors and rules.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** Prometheus URL without the port (the `prometheus-operated` Service): give it to PrometheusAdapter's `prometheusUrl`. */
    public readonly prometheusUrl: pulumi.Output<string>;
    /** Port of Prometheus (9090). */
    public readonly prometheusPort: pulumi.Output<number>;
    /** Alertmanager URL with its port (the `alertmanager-operated` Service). */
    public readonly alertmanagerUrl: pulumi.Output<string>;
    /** Namespace of Prometheus, Alertmanager and Grafana. */
    public readonly namespace: pulumi.Output<string>;
    /** Namespace of node exporter. */
    public readonly nodeExporterNamespace: pulumi.Output<string>;
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** Name of the Secret holding Grafana's admin user and password. */
    public readonly grafanaAdminSecretName: pulumi.Output<string>;
    /** Names of the rule groups installed. */
    public readonly ruleGroupNames: pulumi.Output<string[]>;

    constructor(name: string, args: MonitoringArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        validateMonitoringArgs(args).throwIfAny(`Monitoring ${name}`);
        super("k8sprod:observability:Monitoring", name, {}, opts);
        const namespace = args.namespace ?? DEFAULT_MONITORING_NAMESPACE;
        const nodeNamespace = args.nodeExporterNamespace ?? DEFAULT_NODE_EXPORTER_NAMESPACE;
        const releaseName = args.releaseName ?? DEFAULT_MONITORING_RELEASE;
        const parent = { parent: this };

        const ns = platformNamespace(childName(name, "namespace"), namespace, "restricted", undefined, parent);
        const nodeNs = platformNamespace(childName(name, "node-exporter-namespace"), nodeNamespace, "privileged", NODE_EXPORTER_REASON, parent);

        // Default deny in both namespaces, then only what each part needs (network.ts).
        createNamespacePolicies(name, namespace, monitoringPolicies({
            prometheusClientNamespaces: args.prometheusClientNamespaces ?? DEFAULT_PROMETHEUS_CLIENT_NAMESPACES, prometheusPort: PROMETHEUS_PORT, clusterCidrs: args.clusterCidrs,
        }), { parent: this, dependsOn: [ns] });
        createNamespacePolicies(name, nodeNamespace, nodeExporterPolicies(namespace), { parent: this, dependsOn: [nodeNs] });

        let grafanaSecret: pulumi.Output<string>;
        if (args.grafanaAdminSecret !== undefined) {
            grafanaSecret = pulumi.output(args.grafanaAdminSecret);
        } else {
            const secret = new k8s.core.v1.Secret(childName(name, "grafana-admin"), {
                metadata: { name: "grafana-admin", namespace, labels: { "app.kubernetes.io/managed-by": "k8sprod" } },
                type: "Opaque",
                stringData: { [GRAFANA_ADMIN_USER_KEY]: "admin", [GRAFANA_ADMIN_PASSWORD_KEY]: pulumi.secret(generatePassword()) as any },
                // The password is generated once: later runs must not replace it with a new random one.
            }, { parent: this, dependsOn: [ns], ignoreChanges: ["stringData"], additionalSecretOutputs: ["stringData", "data"] });
            grafanaSecret = secret.metadata.name;
        }

        const release = chartRelease(childName(name, "release"), {
            chart: HELM_CHARTS.kubePrometheusStack,
            releaseName,
            namespace,
            defaults: monitoringDefaultValues(args, args.prometheus?.storageClassName ?? DEFAULT_PROMETHEUS.storageClassName),
            values: args.values,
            owned: monitoringOwnedValues(args, grafanaSecret),
        }, { parent: this, dependsOn: [ns, nodeNs] });

        const groups = monitoringRuleGroups(args);
        const rules = prometheusRuleObject("k8sprod-platform", namespace, groups);
        new k8s.apiextensions.CustomResource(childName(name, "rules"), rules as any, { parent: this, dependsOn: [release] });
        const c = cardinalityLimits(args);
        for (const target of args.scrapeTargets ?? PLATFORM_SCRAPE_TARGETS) {
            new k8s.apiextensions.CustomResource(childName(name, "monitor", target.name), serviceMonitorObject(target, namespace, c) as any, { parent: this, dependsOn: [release] });
        }

        this.prometheusUrl = pulumi.output(`http://prometheus-operated.${namespace}.svc`);
        this.prometheusPort = pulumi.output(PROMETHEUS_PORT);
        this.alertmanagerUrl = pulumi.output(`http://alertmanager-operated.${namespace}.svc:9093`);
        this.namespace = ns.metadata.name;
        this.nodeExporterNamespace = nodeNs.metadata.name;
        this.releaseName = release.name;
        this.grafanaAdminSecretName = grafanaSecret;
        this.ruleGroupNames = pulumi.output(groups.map((g) => g.name));
        this.registerOutputs({
            prometheusUrl: this.prometheusUrl, prometheusPort: this.prometheusPort, alertmanagerUrl: this.alertmanagerUrl,
            namespace: this.namespace, nodeExporterNamespace: this.nodeExporterNamespace, releaseName: this.releaseName,
            grafanaAdminSecretName: this.grafanaAdminSecretName, ruleGroupNames: this.ruleGroupNames,
        });
    }
}
