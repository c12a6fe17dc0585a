/**
 * Pure builders for NetworkPolicies: the namespace's default deny, DNS egress, and a workload's own
 * allow-list of ingress sources and egress targets. Kubernetes NetworkPolicies are additive: a pod
 * selected by any policy of a type accepts only what some policy of that type allows.
 */
import * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { collectorEgressRule } from "../observability/instrumentation";
import { KUBE_DNS } from "./defaults";
import { NetworkPeerArgs, NetworkPortArgs } from "./types";

const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$|^[0-9a-fA-F:]+\/\d{1,3}$/;

/** Why a CIDR is refused, or undefined when it is well formed. */
export function cidrProblem(cidr: string): string | undefined {
    const m = CIDR.exec(cidr);
    if (!m) {
        return `"${cidr}" is not a CIDR block (e.g. 10.0.0.0/16)`;
    }
    if (m[1] !== undefined) {
        const octets = m.slice(1, 5).map(Number);
        if (octets.some((o) => o > 255) || Number(m[5]) > 32) {
            return `"${cidr}" is not a valid IPv4 CIDR block`;
        }
    }
    return undefined;
}

/** Checks a list of peers (ingress sources or egress targets). */
export function validatePeers(problems: Problems, path: string, peers: NetworkPeerArgs[] | undefined, direction: "ingress" | "egress"): void {
    (peers ?? []).forEach((peer, i) => {
        const p = `${path}[${i}]`;
        const hasPods = peer.podLabels !== undefined;
        const hasNs = peer.namespace !== undefined;
        const hasCidr = peer.cidr !== undefined;
        if (!problems.check(hasPods || hasNs || hasCidr, p, "give podLabels, namespace or cidr: an empty peer would allow everything")) {
            return;
        }
        if (hasCidr) {
            problems.check(!hasPods && !hasNs, p, "cidr cannot be combined with podLabels or namespace");
            const why = cidrProblem(peer.cidr!);
            problems.check(why === undefined, `${p}.cidr`, why ?? "");
            (peer.except ?? []).forEach((e, j) => {
                const w = cidrProblem(e);
                problems.check(w === undefined, `${p}.except[${j}]`, w ?? "");
            });
        } else {
            problems.check(peer.except === undefined, `${p}.except`, "except needs cidr");
        }
        if (direction === "egress") {
            problems.check((peer.ports ?? []).length > 0, `${p}.ports`, "egress targets need ports: allow the traffic you mean, not every port");
        }
        validatePorts(problems, `${p}.ports`, peer.ports);
    });
}

function validatePorts(problems: Problems, path: string, ports: NetworkPortArgs[] | undefined): void {
    (ports ?? []).forEach((port, j) => {
        problems.check(Number.isInteger(port.port) && port.port >= 1 && port.port <= 65535, `${path}[${j}].port`,
            `${JSON.stringify(port.port)} is not a port number (1–65535)`);
        if (port.protocol !== undefined) {
            problems.check(PROTOCOLS.includes(port.protocol), `${path}[${j}].protocol`, `"${port.protocol}" is not one of ${PROTOCOLS.join(", ")}`);
        }
    });
}

/** A NetworkPolicy peer from the args: pods by labels (optionally in another namespace), a namespace, or an IP block. */
export function peer(p: NetworkPeerArgs, ownNamespace: pulumi.Input<string>): Record<string, any> {
    if (p.cidr !== undefined) {
        return { ipBlock: { cidr: p.cidr, ...(p.except ? { except: p.except } : {}) } };
    }
    const out: Record<string, any> = {};
    if (p.podLabels !== undefined) {
        out.podSelector = { matchLabels: p.podLabels };
    }
    // Pods in another namespace need a namespaceSelector; pods in the same one must not get one
    // (a namespaceSelector without podSelector selects every pod of the namespace).
    if (p.namespace !== undefined) {
        out.namespaceSelector = {
            matchLabels: { "kubernetes.io/metadata.name": p.namespace },
        };
        if (p.podLabels !== undefined) {
            return pulumi.all([p.namespace, ownNamespace]).apply(([ns, own]) =>
                ns === own ? { podSelector: out.podSelector } : out) as unknown as Record<string, any>;
        }
    }
    return out;
}

function ports(list: NetworkPortArgs[]): Array<Record<string, any>> {
    return list.map((x) => ({ port: x.port, protocol: x.protocol ?? "TCP" }));
}

/** Egress to kube-dns on UDP and TCP 53. */
export function dnsEgressRule(): Record<string, any> {
    return {
        to: [{
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": KUBE_DNS.namespace } },
            podSelector: { matchLabels: KUBE_DNS.labels },
        }],
        ports: [{ port: KUBE_DNS.port, protocol: "UDP" }, { port: KUBE_DNS.port, protocol: "TCP" }],
    };
}

/** The namespace's baseline: select every pod, allow nothing in or out. */
export function defaultDenySpec(): types.input.networking.v1.NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** DNS for every pod of the namespace, so default-deny does not break name resolution. */
export function allowDnsSpec(): types.input.networking.v1.NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Egress"], egress: [dnsEgressRule()] };
}

export interface WorkloadPolicyInputs {
    selector: Record<string, string>;
    namespace: pulumi.Input<string>;
    /** Service ports (what ingress sources may reach when they name no ports). */
    servicePorts: NetworkPortArgs[];
    ingressFrom: NetworkPeerArgs[];
    egressTo: NetworkPeerArgs[];
    /** Port and namespace Prometheus scrapes from, when the workload exposes metrics. */
    metrics?: { port: number; namespace: string };
    allowDns: boolean;
    /** Namespace of the tier-1 trace collector the pods send OTLP to, when the workload is traced. */
    tracingCollectorNamespace?: string;
}

/** The workload's allow-list: only the declared sources in, only the declared targets (and DNS) out. */
export function workloadPolicySpec(w: WorkloadPolicyInputs): types.input.networking.v1.NetworkPolicySpec {
    const ingress = w.ingressFrom.map((src) => ({
        from: [peer(src, w.namespace)],
        ports: ports(src.ports && src.ports.length > 0 ? src.ports : w.servicePorts),
    }));
    if (w.metrics) {
        ingress.push({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": w.metrics.namespace } } }],
            ports: ports([{ port: w.metrics.port }]),
        });
    }
    const egress = w.egressTo.map((dst) => ({ to: [peer(dst, w.namespace)], ports: ports(dst.ports ?? []) }));
    if (w.allowDns) {
        egress.push(dnsEgressRule() as { to: Array<Record<string, any>>; ports: Array<Record<string, any>> });
    }
    if (w.tracingCollectorNamespace !== undefined) {
        egress.push(collectorEgressRule(w.tracingCollectorNamespace));
    }
    return {
        podSelector: { matchLabels: w.selector },
        policyTypes: ["Ingress", "Egress"],
        ingress,
        egress,
    };
}
