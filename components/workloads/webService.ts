import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { childName } from "../lib/names";
import { HorizontalScalingArgs, hpaSpec, replicaRange, validateHorizontalScaling } from "./autoscaling";
import {
    createDisruptionBudget, createNetworkPolicy, createServiceAccount, networkPorts, podTemplate, validateCommon,
} from "./common";
import * as d from "./defaults";
import { commonLabels, disruptionBudget, selectorLabels, servicePorts, validateDisruptionBudget, validateReplicaCount } from "./pod";
import { DEFAULT_TRACING_NAMESPACE, checkTracingOption, injectionAnnotations } from "../observability/instrumentation";
import { WorkloadSpecArgs, WorkloadTracingArgs } from "./types";

/** A {@link WebService}'s arguments apart from its namespace (the form ProductionPlatform's namespaces take). */
export interface WebServiceSpecArgs extends WorkloadSpecArgs {
    /**
     * Horizontal autoscaling (autoscaling/v2). On by default: min 3, max 10, CPU 70 %, scale down after a
     * 300 s window by at most 50 % a minute, scale up at once by up to 100 % per 30 s. Conflicts with `replicas`.
     */
    autoscaling?: HorizontalScalingArgs;
    /**
     * A fixed replica count (at least 2) instead of autoscaling. When set, no HorizontalPodAutoscaler is
     * created. Conflicts with `autoscaling`.
     */
    replicas?: number;
    /** Service type: ClusterIP (default) or LoadBalancer. NodePort is refused (it opens a port on every node). */
    serviceType?: string;
    /** Create a VerticalPodAutoscaler in Off mode: recommendations only, pods are never restarted. Defaults to false. */
    verticalPodAutoscaler?: boolean;
    /**
     * Opt the pods into OpenTelemetry auto-instrumentation: the operator's injection annotation for the language
     * (naming the `Instrumentation` of the workload's namespace, which Tracing creates for its `instrumentedNamespaces`)
     * and NetworkPolicy egress to the tier-1 collector's pods on OTLP TCP 4317/4318. Defaults to none (not traced).
     */
    tracing?: WorkloadTracingArgs;
}

/** Arguments of a {@link WebService}. */
export interface WebServiceArgs extends WebServiceSpecArgs {
    /** Namespace to deploy into (e.g. a ProductionNamespace's `name`). Required; `default` is refused. */
    namespace: pulumi.Input<string>;
}

const SERVICE_TYPES = ["ClusterIP", "LoadBalancer"];

/** Every problem with a WebService's args (empty when they are fine). Exported for tests and other callers. */
export function validateWebServiceArgs(name: string, args: WebServiceArgs): Problems {
    const problems = new Problems();
    validateCommon(problems, name, args);
    if (args.replicas !== undefined && args.autoscaling !== undefined) {
        problems.add("replicas", "give replicas or autoscaling, not both: a fixed count would fight the autoscaler");
    }
    if (args.replicas !== undefined) {
        validateReplicaCount(problems, "replicas", args.replicas);
    } else {
        validateHorizontalScaling(problems, args.autoscaling);
    }
    validateDisruptionBudget(problems, args.disruptionBudget, args.replicas ?? replicaRange(args.autoscaling).min);
    if (args.serviceType !== undefined) {
        problems.check(SERVICE_TYPES.includes(args.serviceType), "serviceType", `"${args.serviceType}" is not one of ${SERVICE_TYPES.join(", ")}`);
    }
    checkTracingOption(problems, "tracing", args.tracing, (args.containers ?? []).map((c) => c?.name));
    const hasPorts = (args.containers ?? []).some((c) => (c.ports ?? []).length > 0);
    problems.check(hasPorts || !Array.isArray(args.containers) || args.containers.length === 0, "containers",
        "a WebService serves traffic: at least one container needs a port");
    return problems;
}

/**
 * A stateless service with production defaults: a Deployment spread across zones and nodes, running as
 * non-root with a read-only root filesystem and no capabilities; requests and limits on every container;
 * readiness, liveness and startup probes; a ClusterIP Service; a dedicated ServiceAccount without a mounted
 * token; an autoscaler with scale behaviour; a PodDisruptionBudget; and a NetworkPolicy that lets in only the
 * declared sources and out only the declared targets.
 */
export class WebService extends pulumi.ComponentResource {
    /** Name of the Deployment, Service and ServiceAccount. */
    public readonly name: pulumi.Output<string>;
    /** Namespace the service runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Labels that select the pods: give them to another workload's `ingressFrom`/`egressTo`. */
    public readonly selectorLabels: pulumi.Output<{ [key: string]: string }>;
    /** In-cluster DNS name of the Service. */
    public readonly serviceHost: pulumi.Output<string>;
    /** Name of the dedicated ServiceAccount. */
    public readonly serviceAccountName: pulumi.Output<string>;

    constructor(name: string, args: WebServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): bad input registers nothing, not even the component.
        validateWebServiceArgs(name, args).throwIfAny(`WebService ${name}`);
        super("k8sprod:workloads:WebService", name, {}, opts);

        const selector = selectorLabels(name);
        const labels = commonLabels(name, "web");
        const namespace = pulumi.output(args.namespace);
        const autoscaled = args.replicas === undefined;
        const floor = args.replicas ?? replicaRange(args.autoscaling).min;

        const sa = createServiceAccount(this, name, args.namespace, labels, args.serviceAccount);

        const deployment = new k8s.apps.v1.Deployment(childName(name, "deployment"), {
            metadata: { name, namespace: args.namespace, labels },
            spec: {
                // With an autoscaler the Deployment leaves replicas to it: a count here would be reset to on
                // every update, scaling a busy service down in the middle of a deploy.
                ...(autoscaled ? {} : { replicas: args.replicas }),
                revisionHistoryLimit: 5,
                selector: { matchLabels: selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
                template: podTemplate(args, labels, selector, sa.metadata.name, {
                    revisionKey: "pod-template-hash",
                    annotations: args.tracing ? injectionAnnotations(args.tracing) : undefined,
                }),
            },
        }, { parent: this });

        const service = new k8s.core.v1.Service(childName(name, "service"), {
            metadata: { name, namespace: args.namespace, labels },
            spec: { type: args.serviceType ?? "ClusterIP", selector, ports: servicePorts(args.containers) },
        }, { parent: this });

        if (autoscaled) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(childName(name, "hpa"), {
                metadata: { name, namespace: args.namespace, labels },
                spec: hpaSpec(name, args.autoscaling),
            }, { parent: this, dependsOn: [deployment] });
        }

        createDisruptionBudget(this, name, args.namespace, labels, selector, disruptionBudget(args.disruptionBudget, floor));

        createNetworkPolicy(this, name, args.namespace, labels, {
            selector,
            servicePorts: networkPorts(args.containers),
            ingressFrom: args.ingressFrom ?? [],
            egressTo: args.egressTo ?? [],
            metrics: args.metricsPort !== undefined ? { port: args.metricsPort, namespace: args.metricsNamespace ?? d.DEFAULT_METRICS_NAMESPACE } : undefined,
            allowDns: args.allowDns ?? true,
            tracingCollectorNamespace: args.tracing ? args.tracing.collectorNamespace ?? DEFAULT_TRACING_NAMESPACE : undefined,
        });

        if (args.verticalPodAutoscaler) {
            new k8s.apiextensions.CustomResource(childName(name, "vpa"), {
                apiVersion: "autoscaling.k8s.io/v1",
                kind: "VerticalPodAutoscaler",
                metadata: { name, namespace: args.namespace, labels },
                spec: {
                    targetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
                    updatePolicy: { updateMode: "Off" },
                },
            }, { parent: this, dependsOn: [deployment] });
        }

        this.name = deployment.metadata.name;
        this.namespace = namespace;
        this.selectorLabels = pulumi.output(selector);
        this.serviceHost = pulumi.interpolate`${service.metadata.name}.${namespace}.svc.cluster.local`;
        this.serviceAccountName = sa.metadata.name;
        this.registerOutputs({
            name: this.name, namespace: this.namespace, selectorLabels: this.selectorLabels,
            serviceHost: this.serviceHost, serviceAccountName: this.serviceAccountName,
        });
    }
}
