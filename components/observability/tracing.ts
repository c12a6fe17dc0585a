/**
 * Tracing: the OpenTelemetry Operator, a two-tier collector pipeline (tier 1 routes spans by trace ID, tier 2
 * tail-samples whole traces), and an `Instrumentation` in each opted-in namespace so the operator injects the
 * SDK into pods annotated by WebService's `tracing` option.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { HelmValues, OwnedValue, chartRelease, checkUserValues } from "../lib/helm";
import { childName } from "../lib/names";
import { IrsaRole } from "../cluster/irsa";
import { checkNamespace, checkReleaseName, NOBODY_UID, RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "../autoscaling/common";
import { HELM_CHARTS, OTEL_COLLECTOR_IMAGE } from "../../lib/versions";
import { checkInteger, createNamespacePolicies, platformNamespace } from "./common";
import { checkClusterCidrs, tracingPolicies } from "./network";
import { DEFAULT_TRACING_NAMESPACE, INGEST_COLLECTOR, INSTRUMENTATION_NAME, SAMPLER_COLLECTOR } from "./instrumentation";
import {
    DEFAULT_PORTS, DEFAULT_SAMPLING, ExporterSettings, SamplingSettings, checkExporter, checkSampling, ingestConfig, samplerConfig,
} from "./collector";

/** Tail-sampling settings. */
export interface SamplingArgs {
    /** Percent of the other traces kept, 1 to 100. Defaults to 5 (the seed's 1–10 % band). */
    baselinePercent?: number;
    /** Traces at least this long (ms) are all kept. Defaults to 1000. */
    slowThresholdMs?: number;
    /** Seconds to wait for a trace's spans before deciding. Defaults to 10. */
    decisionWaitSeconds?: number;
    /** Traces held while waiting. Defaults to 100000. */
    numTraces?: number;
}

/** Arguments of {@link Tracing}. */
export interface TracingArgs {
    /**
     * Where tier 2 sends the sampled traces: `{ type: "otlp", endpoint: "host:4317" }`, `{ type: "otlphttp",
     * endpoint: "https://..." }` or `{ type: "awsxray" }` (region defaults to `region`; needs the OIDC
     * arguments for its IRSA role). Required; another type is refused.
     */
    exporter: ExporterSettings;
    /** Tail sampling. Defaults: every error trace, every trace of 1 s or more, 5 % of the rest, decision after 10 s. */
    sampling?: SamplingArgs;
    /**
     * Namespaces whose pods send traces. Each gets an `Instrumentation` named `k8sprod` pointing at tier 1 (its
     * WebServices opt in with their `tracing` option, which names it), and tier 1 accepts OTLP (TCP 4317 and 4318)
     * from the pods of these namespaces only. Each must exist (e.g. a ProductionNamespace) and be listed once.
     * Defaults to none.
     */
    instrumentedNamespaces?: string[];
    /** Tier-1 (ingest) replicas. Defaults to 2; 2 to 20. */
    ingestReplicas?: number;
    /** Tier-2 (sampler) replicas; each holds whole traces for the decision wait. Defaults to 2; 2 to 20. */
    samplerReplicas?: number;
    /** AWS region, for awsxray. Required with awsxray unless `exporter.region` is set. */
    region?: pulumi.Input<string>;
    /** The cluster's IAM OIDC provider ARN, for the X-Ray IRSA role. Required with awsxray. */
    oidcProviderArn?: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL, for the X-Ray IRSA role. Required with awsxray. */
    oidcProviderUrl?: pulumi.Input<string>;
    /** Namespace of the operator and the collectors, created with Pod Security restricted. Defaults to `tracing`. */
    namespace?: string;
    /** Namespace Prometheus runs in: the only one that may reach the collectors' metrics port (8888). Defaults to `monitoring`. */
    metricsNamespace?: string;
    /**
     * Address blocks of the cluster's nodes and API server endpoints (on EKS, the VPC's CIDR block). The
     * NetworkPolicies allow the API server (443/6443), its webhook calls only from or to these blocks.
     * Defaults to any address except the instance metadata one (still limited to those ports).
     */
    clusterCidrs?: string[];
    /** Helm release name of the operator. Defaults to `opentelemetry-operator`. */
    releaseName?: string;
    /** Tags on the IAM role (awsxray). Defaults to none. */
    tags?: { [key: string]: string };
    /**
     * Helm values of chart opentelemetry-operator 0.122.0, deep-merged over the component's defaults. Not
     * overridable (refused): `manager.collectorImage` (the matrix's contrib image), `securityContext`,
     * `manager.securityContext`.
     */
    values?: pulumi.Input<{ [key: string]: any }>;
}

export { DEFAULT_TRACING_NAMESPACE, INGEST_COLLECTOR, SAMPLER_COLLECTOR };
export const DEFAULT_TRACING_RELEASE = "opentelemetry-operator";
export const DEFAULT_COLLECTOR_REPLICAS = 2;
/** The X-Ray write-only managed policy: X-Ray's write actions support no resource-level scoping, so this is the narrowest grant. */
export const XRAY_WRITE_POLICY = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess";
export const DEFAULT_COLLECTOR_RESOURCES = { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } };

export const TRACING_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    { path: ["manager", "collectorImage"], reason: "collectors run the contrib image pinned in the version matrix, the version the tests validate" },
    { path: ["securityContext"], reason: "the operator runs with the restricted Pod Security context" },
    { path: ["manager", "securityContext"], reason: "the operator runs with the restricted Pod Security context" },
];

/** Collects every problem with the args; the caller throws. */
export function validateTracingArgs(args: TracingArgs, problems = new Problems()): Problems {
    const a = args ?? ({} as TracingArgs);
    checkExporter(problems, "exporter", a.exporter);
    checkSampling(problems, "sampling", a.sampling);
    checkInteger(problems, "ingestReplicas", a.ingestReplicas, 2, 20);
    checkInteger(problems, "samplerReplicas", a.samplerReplicas, 2, 20);
    if (a.exporter?.type === "awsxray") {
        if (a.exporter.region === undefined && a.region === undefined) {
            problems.add("region", "is required with the awsxray exporter (or set exporter.region)");
        }
        for (const key of ["oidcProviderArn", "oidcProviderUrl"] as const) {
            problems.check(a[key] !== undefined, key, "is required with the awsxray exporter: the sampler writes to X-Ray through an IRSA role");
        }
    }
    const instrumented = a.instrumentedNamespaces ?? [];
    instrumented.forEach((ns, i) => {
        checkNamespace(problems, `instrumentedNamespaces[${i}]`, ns);
        problems.check(instrumented.indexOf(ns) === i, `instrumentedNamespaces[${i}]`, `"${ns}" is listed twice`);
        problems.check(ns !== (a.namespace ?? DEFAULT_TRACING_NAMESPACE), `instrumentedNamespaces[${i}]`, `"${ns}" is the collectors' own namespace`);
    });
    checkNamespace(problems, "namespace", a.namespace);
    checkNamespace(problems, "metricsNamespace", a.metricsNamespace);
    checkClusterCidrs(problems, "clusterCidrs", a.clusterCidrs);
    checkReleaseName(problems, "releaseName", a.releaseName);
    checkUserValues(problems, a.values, TRACING_OWNED);
    return problems;
}

/** Sampling settings with defaults applied. */
export function samplingSettings(a: TracingArgs): SamplingSettings {
    return { ...DEFAULT_SAMPLING, ...(a.sampling ?? {}) };
}

/** The DNS name of the sampler's headless Service, which resolves to every sampler pod. */
export function samplerHeadlessHost(namespace: string): string {
    return `${SAMPLER_COLLECTOR}-collector-headless.${namespace}.svc.cluster.local`;
}

/** The OTLP/HTTP endpoint applications send to (tier 1's Service). */
export function ingestEndpoint(namespace: string): string {
    return `http://${INGEST_COLLECTOR}-collector.${namespace}.svc:${DEFAULT_PORTS.otlpHttp}`;
}

/** The two collector configurations of the pipeline, for the component and the tests. */
export function pipelineConfigs(a: TracingArgs, namespace: string, region?: string): { ingest: Record<string, any>; sampler: Record<string, any> } {
    const exporter = a.exporter.type === "awsxray" ? { ...a.exporter, region: a.exporter.region ?? region } : a.exporter;
    return {
        // The collector reads the DNS resolver's port as a string (a number is refused at start).
        ingest: ingestConfig({ resolver: { dns: { hostname: samplerHeadlessHost(namespace), port: String(DEFAULT_PORTS.otlpGrpc) } } }),
        sampler: samplerConfig({ sampling: samplingSettings(a), exporter }),
    };
}

/** An `opentelemetry.io/v1beta1` OpenTelemetryCollector on the matrix's contrib image, restricted, spread across zones, with a PDB. */
export function collectorObject(o: { name: string; namespace: string; mode: "deployment" | "statefulset"; replicas: number; config: Record<string, any>; serviceAccount?: string }): Record<string, any> {
    return {
        apiVersion: "opentelemetry.io/v1beta1",
        kind: "OpenTelemetryCollector",
        metadata: { name: o.name, namespace: o.namespace, labels: { "app.kubernetes.io/managed-by": "k8sprod" } },
        spec: {
            mode: o.mode,
            replicas: o.replicas,
            image: `${OTEL_COLLECTOR_IMAGE.repository}:${OTEL_COLLECTOR_IMAGE.tag}`,
            config: o.config,
            resources: DEFAULT_COLLECTOR_RESOURCES,
            securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
            podSecurityContext: restrictedPodSecurityContext(NOBODY_UID),
            podDisruptionBudget: { maxUnavailable: 1 },
            topologySpreadConstraints: [{
                maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { "app.kubernetes.io/instance": `${o.namespace}.${o.name}` } },
            }],
            observability: { metrics: { enableMetrics: false } },
            ...(o.serviceAccount ? { serviceAccount: o.serviceAccount } : {}),
        },
    };
}

/**
 * An `opentelemetry.io/v1alpha1` Instrumentation sending to tier 1 over OTLP/HTTP (every SDK is told the protocol,
 * since their defaults differ); the SDK samples everything (tier 2 decides). WebService's `tracing` option names it.
 */
export function instrumentationObject(namespace: string, endpoint: string): Record<string, any> {
    return {
        apiVersion: "opentelemetry.io/v1alpha1",
        kind: "Instrumentation",
        metadata: { name: INSTRUMENTATION_NAME, namespace, labels: { "app.kubernetes.io/managed-by": "k8sprod" } },
        spec: {
            exporter: { endpoint },
            env: [{ name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" }],
            propagators: ["tracecontext", "baggage"],
            sampler: { type: "parentbased_always_on" },
            // The init container that copies the SDK into the pod must itself pass Pod Security restricted: the
            // operator gives it no security context of its own for Java and, since v0.146, inherits none for the
            // other SDKs either (open-telemetry/opentelemetry-operator#4848), so an instrumented pod would be
            // refused in a restricted namespace. The SDK images run as root by default: a non-root uid is explicit.
            initContainerSecurityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: NOBODY_UID },
        },
    };
}

/** The operator chart's default values. */
export function tracingDefaultValues(replicas: number): HelmValues {
    return {
        replicaCount: replicas,
        pdb: { create: true, minAvailable: 1 },
        // No cert-manager dependency: Helm generates the webhook certificate.
        admissionWebhooks: { certManager: { enabled: false }, autoGenerateCert: { enabled: true } },
        manager: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } } },
        priorityClassName: "system-cluster-critical",
    };
}

/** The values the operator chart's release owns. */
export function tracingOwnedValues(): OwnedValue[] {
    return [
        { ...TRACING_OWNED[0], value: { repository: OTEL_COLLECTOR_IMAGE.repository, tag: OTEL_COLLECTOR_IMAGE.tag } },
        { ...TRACING_OWNED[1], value: restrictedPodSecurityContext(65532) },
        { ...TRACING_OWNED[2], value: RESTRICTED_CONTAINER_SECURITY_CONTEXT },
    ];
}

/**
 * The OpenTelemetry Operator (chart pinned in the version matrix) and the two-tier trace pipeline: tier 1
 * load-balances spans by trace ID to tier 2, which keeps every error and slow trace and a share of the rest,
 * and exports them to OTLP or AWS X-Ray.
 */
export class Tracing extends pulumi.ComponentResource {
    /** OTLP/HTTP endpoint applications send traces to (tier 1). */
    public readonly ingestEndpoint: pulumi.Output<string>;
    /** Namespace of the operator and collectors. */
    public readonly namespace: pulumi.Output<string>;
    /** Helm release name of the operator. */
    public readonly releaseName: pulumi.Output<string>;
    /** Names of the OpenTelemetryCollector objects (tier 1, tier 2). */
    public readonly collectorNames: pulumi.Output<string[]>;
    /** ARN of the sampler's IAM role (awsxray only; empty otherwise). */
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: TracingArgs, opts?: pulumi.ComponentResourceOptions) {
        validateTracingArgs(args).throwIfAny(`Tracing ${name}`);
        super("k8sprod:observability:Tracing", name, {}, opts);
        const namespace = args.namespace ?? DEFAULT_TRACING_NAMESPACE;
        const releaseName = args.releaseName ?? DEFAULT_TRACING_RELEASE;
        const ns = platformNamespace(childName(name, "namespace"), namespace, "restricted", undefined, { parent: this });

        // Default deny, then the operator's API traffic, OTLP from the instrumented namespaces into tier 1, tier 1 to
        // tier 2, tier 2 to its exporter, and Prometheus's scrape (network.ts).
        createNamespacePolicies(name, namespace, tracingPolicies({
            namespace, instrumentedNamespaces: args.instrumentedNamespaces ?? [], exporter: args.exporter, metricsNamespace: args.metricsNamespace ?? "monitoring", clusterCidrs: args.clusterCidrs,
        }), { parent: this, dependsOn: [ns] });

        const release = chartRelease(childName(name, "operator"), {
            chart: HELM_CHARTS.opentelemetryOperator,
            releaseName,
            namespace,
            defaults: tracingDefaultValues(2),
            values: args.values,
            owned: tracingOwnedValues(),
        }, { parent: this, dependsOn: [ns] });

        let roleArn: pulumi.Output<string> = pulumi.output("");
        let serviceAccount: string | undefined;
        const dependsOn: pulumi.Resource[] = [release];
        if (args.exporter.type === "awsxray") {
            serviceAccount = `${SAMPLER_COLLECTOR}-xray`;
            const irsa = new IrsaRole(childName(name, "irsa"), {
                oidcProviderArn: args.oidcProviderArn!,
                oidcIssuerUrl: args.oidcProviderUrl!,
                namespace,
                serviceAccount,
                managedPolicyArns: [XRAY_WRITE_POLICY],
                tags: args.tags,
            }, { parent: this });
            const sa = new k8s.core.v1.ServiceAccount(childName(name, "sampler-sa"), {
                metadata: { name: serviceAccount, namespace, annotations: { "eks.amazonaws.com/role-arn": irsa.roleArn } },
            }, { parent: this, dependsOn: [ns] });
            roleArn = irsa.roleArn;
            dependsOn.push(sa);
        }

        const region = args.exporter.region ?? args.region;
        const configs = pulumi.output(region ?? "").apply((r) => pipelineConfigs(args, namespace, r || undefined));
        const ingest = new k8s.apiextensions.CustomResource(childName(name, "ingest"), collectorObject({
            name: INGEST_COLLECTOR, namespace, mode: "deployment", replicas: args.ingestReplicas ?? DEFAULT_COLLECTOR_REPLICAS, config: configs.ingest as any,
        }) as any, { parent: this, dependsOn });
        const sampler = new k8s.apiextensions.CustomResource(childName(name, "sampler"), collectorObject({
            name: SAMPLER_COLLECTOR, namespace, mode: "statefulset", replicas: args.samplerReplicas ?? DEFAULT_COLLECTOR_REPLICAS, config: configs.sampler as any, serviceAccount,
        }) as any, { parent: this, dependsOn });
        for (const target of args.instrumentedNamespaces ?? []) {
            new k8s.apiextensions.CustomResource(childName(name, "instrumentation", target), instrumentationObject(target, ingestEndpoint(namespace)) as any,
                { parent: this, dependsOn: [release] });
        }

        this.ingestEndpoint = pulumi.output(ingestEndpoint(namespace));
        this.namespace = ns.metadata.name;
        this.releaseName = release.name;
        this.collectorNames = pulumi.all([ingest.metadata.name, sampler.metadata.name]);
        this.roleArn = roleArn;
        this.registerOutputs({ ingestEndpoint: this.ingestEndpoint, namespace: this.namespace, releaseName: this.releaseName, collectorNames: this.collectorNames, roleArn: this.roleArn });
    }
}

