/**
 * The NetworkPolicies of the observability namespaces, as pure functions: each namespace gets the workload
 * templates' baseline (components/workloads/network.ts: deny all ingress and egress, DNS to kube-dns), then only
 * the traffic its parts need. NetworkPolicies are additive: a pod accepts or sends what any policy selecting it
 * allows. Peers that are not pods (the API server calling a webhook or answering a watch, kubelets and node
 * exporter on node addresses, AWS endpoints) are IP blocks on a fixed port: the cluster's own addresses are the
 * components' `clusterCidrs` (on EKS the VPC's block) when given; every block excludes the instance metadata
 * address, so no pod here reaches the node's credentials.
 */
import type { types } from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { allowDnsSpec, cidrProblem, defaultDenySpec } from "../workloads/network";
import { DEFAULT_PORTS, ExporterSettings } from "./collector";
import { INGEST_COLLECTOR, OTLP_PORTS, SAMPLER_COLLECTOR, collectorPodLabels } from "./instrumentation";

type Spec = types.input.networking.v1.NetworkPolicySpec;

/** One NetworkPolicy of a namespace: its name and spec. */
export interface NamespacePolicy {
    name: string;
    spec: Spec;
}

/** The EC2 instance metadata address, excluded from every IP-block peer. */
export const INSTANCE_METADATA_CIDR = "169.254.169.254/32";
/** Ports of the Kubernetes API server (443 on EKS, 6443 on kubeadm-style clusters). */
export const API_SERVER_PORTS = [443, 6443];
/** Node ports Prometheus scrapes: kubelet and cAdvisor (10250), node exporter on the host network (9100), kube-proxy (10249). */
export const NODE_SCRAPE_PORTS = [10250, 9100, 10249];
/** Port of the Prometheus Operator's admission webhook (kube-prometheus-stack `prometheusOperator.tls.internalPort`). */
export const PROMETHEUS_OPERATOR_WEBHOOK_PORT = 10250;
/** Port of the OpenTelemetry Operator's admission webhook (chart value `manager.ports.webhookPort`). */
export const OTEL_OPERATOR_WEBHOOK_PORT = 9443;
/** Node exporter's port. */
export const NODE_EXPORTER_PORT = 9100;

const tcp = (ports: readonly number[]) => ports.map((port) => ({ port, protocol: "TCP" }));
const anyAddress = () => ({ ipBlock: { cidr: "0.0.0.0/0", except: [INSTANCE_METADATA_CIDR] } });
/** Peers for the cluster's own addresses (API server endpoints, nodes): the given blocks, or any address but the metadata one. */
const clusterAddresses = (cidrs: string[] | undefined) => (cidrs && cidrs.length > 0
    ? cidrs.map((cidr) => ({ ipBlock: { cidr, ...(inCidr(INSTANCE_METADATA_CIDR.split("/")[0], cidr) ? { except: [INSTANCE_METADATA_CIDR] } : {}) } }))
    : [anyAddress()]);

function inCidr(ip: string, cidr: string): boolean {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) {
        return false;
    }
    const toInt = (parts: string[]) => parts.reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(m[5]));
    const start = Math.floor(toInt(m.slice(1, 5)) / size) * size;
    const x = toInt(ip.split("."));
    return x >= start && x < start + size;
}
const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });

/** The baseline of every observability namespace: deny all, and DNS unless the namespace resolves no names. */
export function baselinePolicies(dns: boolean): NamespacePolicy[] {
    return [
        { name: "default-deny-all", spec: defaultDenySpec() },
        ...(dns ? [{ name: "allow-dns", spec: allowDnsSpec() }] : []),
    ];
}

/** Egress from the selected pods to the Kubernetes API server (controllers, service discovery, the Kubernetes filter). */
export function apiServerEgress(clusterCidrs: string[] | undefined, podSelector: Record<string, any> = {}): NamespacePolicy {
    return { name: "allow-kubernetes-api", spec: { podSelector, policyTypes: ["Egress"], egress: [{ to: clusterAddresses(clusterCidrs), ports: tcp(API_SERVER_PORTS) }] } };
}

/** Ingress to an admission webhook's port from the API server (the control plane is not a pod: an IP block, this port only). */
export function webhookIngress(clusterCidrs: string[] | undefined, port: number, podSelector: Record<string, any> = {}): NamespacePolicy {
    return { name: "allow-webhook-from-api-server", spec: { podSelector, policyTypes: ["Ingress"], ingress: [{ from: clusterAddresses(clusterCidrs), ports: tcp([port]) }] } };
}

/** Ingress to the selected pods' metrics port from the namespace Prometheus runs in. */
export function metricsIngress(podSelector: Record<string, any>, port: number, metricsNamespace: string): NamespacePolicy {
    return { name: "allow-metrics-scrape", spec: { podSelector, policyTypes: ["Ingress"], ingress: [{ from: [inNamespace(metricsNamespace)], ports: tcp([port]) }] } };
}

/** Monitoring's namespace: Prometheus, Alertmanager, Grafana, the operator and kube-state-metrics. */
export function monitoringPolicies(o: { prometheusClientNamespaces: string[]; prometheusPort: number; clusterCidrs?: string[] }): NamespacePolicy[] {
    const prometheus = { matchLabels: { "app.kubernetes.io/name": "prometheus" } };
    const alertmanager = { matchLabels: { "app.kubernetes.io/name": "alertmanager" } };
    const policies: NamespacePolicy[] = [
        ...baselinePolicies(true),
        // Grafana → Prometheus, Prometheus → Alertmanager, Alertmanager gossip, Prometheus scraping its neighbours.
        { name: "allow-same-namespace", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] } },
        apiServerEgress(o.clusterCidrs),
        webhookIngress(o.clusterCidrs, PROMETHEUS_OPERATOR_WEBHOOK_PORT),
        {
            // Scrape targets are any pod on any port (annotations and monitors choose them) and the nodes' ports.
            name: "allow-prometheus-scrape",
            spec: {
                podSelector: prometheus, policyTypes: ["Egress"],
                egress: [{ to: [{ namespaceSelector: {} }] }, { to: clusterAddresses(o.clusterCidrs), ports: tcp(NODE_SCRAPE_PORTS) }],
            },
        },
        // Receivers (Slack, PagerDuty, Opsgenie, webhooks) are HTTPS endpoints outside the cluster.
        { name: "allow-alertmanager-receivers", spec: { podSelector: alertmanager, policyTypes: ["Egress"], egress: [{ to: [anyAddress()], ports: tcp([443]) }] } },
    ];
    if (o.prometheusClientNamespaces.length > 0) {
        policies.push({
            name: "allow-prometheus-clients",
            spec: { podSelector: prometheus, policyTypes: ["Ingress"], ingress: [{ from: o.prometheusClientNamespaces.map(inNamespace), ports: tcp([o.prometheusPort]) }] },
        });
    }
    return policies;
}

/** Node exporter's namespace: only Prometheus's namespace in, on node exporter's port; nothing out (it resolves no names). */
export function nodeExporterPolicies(monitoringNamespace: string): NamespacePolicy[] {
    return [...baselinePolicies(false), metricsIngress({}, NODE_EXPORTER_PORT, monitoringNamespace)];
}

/** Logging's namespace: Fluent Bit writes to CloudWatch Logs (and STS for IRSA) on 443, reads pod metadata from the API, is scraped. */
export function loggingPolicies(o: { metricsPort: number; metricsNamespace: string; clusterCidrs?: string[] }): NamespacePolicy[] {
    return [
        ...baselinePolicies(true),
        apiServerEgress(o.clusterCidrs),
        { name: "allow-aws-endpoints", spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [anyAddress()], ports: tcp([443]) }] } },
        metricsIngress({}, o.metricsPort, o.metricsNamespace),
    ];
}

/** The port an exporter sends to: the endpoint's port, else 443 for https and awsxray, 80 for http. */
export function exporterPort(e: ExporterSettings): number {
    if (e.type === "awsxray" || e.endpoint === undefined) {
        return 443;
    }
    const explicit = /:(\d{1,5})(\/|$)/.exec(e.endpoint.replace(/^https?:\/\//, ""));
    if (explicit) {
        return Number(explicit[1]);
    }
    return e.endpoint.startsWith("http://") ? 80 : 443;
}

/**
 * Tracing's namespace: the operator (API server both ways), tier 1 receiving OTLP from the instrumented namespaces
 * and sending to tier 2 on 4317, tier 2 receiving from tier 1 only and sending to its exporter's port (in the
 * cluster or outside), both scraped from Prometheus's namespace.
 */
export function tracingPolicies(o: { namespace: string; instrumentedNamespaces: string[]; exporter: ExporterSettings; metricsNamespace: string; clusterCidrs?: string[] }): NamespacePolicy[] {
    const ingest = { matchLabels: collectorPodLabels(o.namespace, INGEST_COLLECTOR) };
    const sampler = { matchLabels: collectorPodLabels(o.namespace, SAMPLER_COLLECTOR) };
    // The operator and its certificate job talk to the API server; the collectors do not.
    const notCollectors = { matchExpressions: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["opentelemetry-collector"] }] };
    const policies: NamespacePolicy[] = [
        ...baselinePolicies(true),
        apiServerEgress(o.clusterCidrs, notCollectors),
        webhookIngress(o.clusterCidrs, OTEL_OPERATOR_WEBHOOK_PORT, notCollectors),
        {
            name: "allow-ingest-to-sampler",
            spec: { podSelector: ingest, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: sampler }], ports: tcp([DEFAULT_PORTS.otlpGrpc]) }] },
        },
        {
            name: "allow-sampler-from-ingest",
            spec: { podSelector: sampler, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: ingest }], ports: tcp([DEFAULT_PORTS.otlpGrpc]) }] },
        },
        {
            name: "allow-sampler-export",
            spec: { podSelector: sampler, policyTypes: ["Egress"], egress: [{ to: [anyAddress(), { namespaceSelector: {} }], ports: tcp([exporterPort(o.exporter)]) }] },
        },
        metricsIngress({ matchLabels: { "app.kubernetes.io/component": "opentelemetry-collector" } }, DEFAULT_PORTS.metrics, o.metricsNamespace),
    ];
    if (o.instrumentedNamespaces.length > 0) {
        policies.push({
            name: "allow-otlp-from-instrumented",
            spec: { podSelector: ingest, policyTypes: ["Ingress"], ingress: [{ from: o.instrumentedNamespaces.map(inNamespace), ports: tcp(OTLP_PORTS) }] },
        });
    }
    return policies;
}

/** Adds the problems of a `clusterCidrs` argument (IPv4 CIDR blocks, at least one when given). */
export function checkClusterCidrs(problems: Problems, path: string, cidrs: string[] | undefined): void {
    if (cidrs === undefined) {
        return;
    }
    if (!Array.isArray(cidrs) || cidrs.length === 0) {
        problems.add(path, "must list at least one CIDR block (leave it out for any address but the instance metadata one)");
        return;
    }
    cidrs.forEach((c, i) => {
        const why = typeof c === "string" ? cidrProblem(c) : "must be a string";
        problems.check(why === undefined && !/^0\.0\.0\.0\/0$/.test(c), `${path}[${i}]`, why ?? `${JSON.stringify(c)} is every address: leave clusterCidrs out instead`);
        if (why === undefined) {
            problems.check(/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(c), `${path}[${i}]`, `${JSON.stringify(c)} is not an IPv4 block`);
        }
    });
}
