/** Defaults and validators the four autoscaling components share. */
import { Problems } from "../lib/errors";
import { dns1123LabelProblem, dns1123SubdomainProblem } from "../lib/names";

/** Namespace every autoscaling component installs into by default: it exists on every EKS cluster. */
export const DEFAULT_NAMESPACE = "kube-system";

/**
 * PriorityClass of the autoscaling add-ons: the scheduler places them before application pods, and
 * evicts them last, because scaling (and `kubectl top`, HPA) stops when they are gone.
 */
export const SYSTEM_CLUSTER_CRITICAL = "system-cluster-critical";

/** Container security context of the restricted Pod Security level. Owned by the components. */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** Pod security context of the restricted Pod Security level, for a non-root `uid`. Owned by the components. */
export function restrictedPodSecurityContext(uid: number): Record<string, unknown> {
    return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

/** `nobody`: the non-root identity the autoscaler images are built to run as. */
export const NOBODY_UID = 65534;

/**
 * Why `text` is not a non-negative Go duration (`10m`, `1h30m`, `45s`, `0`), or undefined when it is one.
 * Go durations are what the autoscaler flags parse.
 */
export function goDurationProblem(text: string): string | undefined {
    if (typeof text !== "string" || text.trim() === "") {
        return "must be a duration such as 10m, 1h30m or 45s";
    }
    if (text.startsWith("-")) {
        return `"${text}" is negative; a delay must be zero or more`;
    }
    if (text === "0" || /^\+?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(text)) {
        return undefined;
    }
    return `"${text}" is not a duration (use a number and a unit: ns, us, ms, s, m, h, e.g. 10m or 1h30m)`;
}

/** Seconds in a valid Go duration string. */
export function goDurationSeconds(text: string): number {
    if (text === "0") {
        return 0;
    }
    const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
    let total = 0;
    for (const m of text.replace(/^\+/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
        total += Number(m[1]) * unit[m[2]];
    }
    return total;
}

/** Checks a namespace name (DNS-1123 label). */
export function checkNamespace(problems: Problems, path: string, namespace: string | undefined): void {
    if (namespace === undefined) {
        return;
    }
    const p = typeof namespace === "string" ? dns1123LabelProblem(namespace) : "must be a string";
    if (p) {
        problems.add(path, p);
    }
}

/** Checks a Kubernetes object name such as a service account (DNS-1123 subdomain). */
export function checkObjectName(problems: Problems, path: string, name: string | undefined): void {
    if (name === undefined) {
        return;
    }
    const p = typeof name === "string" ? dns1123SubdomainProblem(name) : "must be a string";
    if (p) {
        problems.add(path, p);
    }
}

/** Helm release names: DNS-1123 labels of at most 53 characters (Helm's limit). */
export function checkReleaseName(problems: Problems, path: string, name: string | undefined): void {
    if (name === undefined) {
        return;
    }
    const p = typeof name === "string" ? dns1123LabelProblem(name) : "must be a string";
    if (p) {
        problems.add(path, p);
    } else if (name.length > 53) {
        problems.add(path, `"${name}" is longer than 53 characters, Helm's limit for release names`);
    }
}

/** Checks a replica count: a whole number from `min` to `max`. */
export function checkReplicas(problems: Problems, path: string, replicas: number | undefined, min: number, max = 10): void {
    if (replicas === undefined) {
        return;
    }
    problems.check(Number.isInteger(replicas) && replicas >= min && replicas <= max, path,
        `${replicas} is not allowed: give a whole number from ${min} to ${max}`);
}
