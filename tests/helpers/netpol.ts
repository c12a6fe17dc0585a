/**
 * A small evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1, as the API reference defines
 * them) for tests: is a connection from one endpoint to another on a port allowed by the policies of both sides?
 * A pod is isolated for a direction when some policy of its namespace selects it for that direction; an isolated
 * pod accepts (or sends) only what some rule of such a policy allows. Rules without peers match every peer, rules
 * without ports every port. IP blocks match only endpoints given as addresses (the API server, AWS endpoints):
 * whether an ipBlock also matches pod IPs is implementation-defined, so the tests never rely on it.
 */

/** A pod (namespace and labels) or an address outside the pod network. */
export type Endpoint = { namespace: string; labels: Record<string, string> } | { ip: string };

export interface PolicyObject {
    metadata: { name: string; namespace: string };
    spec: Record<string, any>;
}

function selectorMatches(selector: Record<string, any> | undefined, labels: Record<string, string>): boolean {
    if (selector === undefined) {
        return true;
    }
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[k] !== v) {
            return false;
        }
    }
    for (const e of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const ok = e.operator === "In" ? has && e.values.includes(labels[e.key])
            : e.operator === "NotIn" ? !has || !e.values.includes(labels[e.key])
                : e.operator === "Exists" ? has
                    : e.operator === "DoesNotExist" ? !has : false;
        if (!ok) {
            return false;
        }
    }
    return true;
}

function ipToInt(ip: string): number {
    return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipToInt(base) / size) * size;
    const x = ipToInt(ip);
    return x >= start && x < start + size;
}

function peerMatches(peer: Record<string, any>, policyNamespace: string, other: Endpoint): boolean {
    if (peer.ipBlock) {
        return "ip" in other && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(other.ip, c));
    }
    if ("ip" in other) {
        return false;
    }
    const nsLabels = { "kubernetes.io/metadata.name": other.namespace };
    if (peer.namespaceSelector !== undefined) {
        if (!selectorMatches(peer.namespaceSelector, nsLabels)) {
            return false;
        }
    } else if (other.namespace !== policyNamespace) {
        return false;
    }
    return selectorMatches(peer.podSelector, other.labels);
}

function portMatches(ports: Array<Record<string, any>> | undefined, port: number, protocol: string): boolean {
    if (!ports || ports.length === 0) {
        return true;
    }
    return ports.some((p) => (p.port === undefined || p.port === port) && (p.protocol ?? "TCP") === protocol);
}

function typesOf(spec: Record<string, any>): string[] {
    return spec.policyTypes ?? (spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
}

/** Whether `self` may send (Egress) or accept (Ingress) a connection with `other` on the port, by its namespace's policies. */
function sideAllows(policies: PolicyObject[], self: Endpoint, other: Endpoint, dir: "Ingress" | "Egress", port: number, protocol: string): boolean {
    if ("ip" in self) {
        return true;
    }
    const selecting = policies.filter((p) => p.metadata.namespace === self.namespace && typesOf(p.spec).includes(dir) && selectorMatches(p.spec.podSelector, self.labels));
    if (selecting.length === 0) {
        return true;
    }
    const key = dir === "Ingress" ? "ingress" : "egress";
    const peers = dir === "Ingress" ? "from" : "to";
    return selecting.some((p) => (p.spec[key] ?? []).some((rule: Record<string, any>) =>
        portMatches(rule.ports, port, protocol)
        && (rule[peers] === undefined || rule[peers].length === 0 || rule[peers].some((peer: Record<string, any>) => peerMatches(peer, p.metadata.namespace, other)))));
}

/** Whether a connection from `from` to `to` on `port` is allowed by the egress policies of one side and the ingress policies of the other. */
export function allowed(policies: PolicyObject[], from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
    return sideAllows(policies, from, to, "Egress", port, protocol) && sideAllows(policies, to, from, "Ingress", port, protocol);
}
