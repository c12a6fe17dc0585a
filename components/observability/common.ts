/** What the three observability components share: namespaces with their Pod Security level, and validators. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { childName } from "../lib/names";
import type { NamespacePolicy } from "./network";
import { POD_SECURITY_VERSION } from "../../lib/versions";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** The labels that make a namespace enforce, audit and warn at one Pod Security level (pinned version). */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"]) {
        labels[`pod-security.kubernetes.io/${mode}`] = level;
        labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
    }
    return labels;
}

/** The Namespace object of a platform namespace (pure, for tests). */
export function namespaceObject(name: string, level: PodSecurityLevel, reason?: string): Record<string, any> {
    return {
        metadata: {
            name,
            labels: { ...podSecurityLabels(level), "app.kubernetes.io/managed-by": "k8sprod" },
            ...(reason ? { annotations: { "k8sprod.io/pod-security-reason": reason } } : {}),
        },
    };
}

/** Creates a platform namespace as a child of `parent`. */
export function platformNamespace(resourceName: string, name: string, level: PodSecurityLevel, reason: string | undefined, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(resourceName, namespaceObject(name, level, reason), opts);
}

/** Creates a namespace's NetworkPolicies as children of `component` (Pulumi names `${component}-netpol-<namespace>-<policy>`). */
export function createNamespacePolicies(component: string, namespace: string, policies: NamespacePolicy[], opts: pulumi.CustomResourceOptions): k8s.networking.v1.NetworkPolicy[] {
    return policies.map((p) => new k8s.networking.v1.NetworkPolicy(childName(component, "netpol", `${namespace}-${p.name}`), {
        metadata: { name: p.name, namespace, labels: { "app.kubernetes.io/managed-by": "k8sprod" } },
        spec: p.spec,
    }, opts));
}

/** Checks a whole number in [min, max] at `path` (no-op when undefined). */
export function checkInteger(problems: Problems, path: string, v: number | undefined, min: number, max: number, what = ""): void {
    if (v === undefined) {
        return;
    }
    problems.check(typeof v === "number" && Number.isInteger(v) && v >= min && v <= max, path,
        `${JSON.stringify(v)} is not allowed: give a whole number from ${min} to ${max}${what ? ` ${what}` : ""}`);
}

/** Checks a number (not necessarily whole) in [min, max]. */
export function checkNumber(problems: Problems, path: string, v: number | undefined, min: number, max: number, what = ""): void {
    if (v === undefined) {
        return;
    }
    problems.check(typeof v === "number" && Number.isFinite(v) && v >= min && v <= max, path,
        `${JSON.stringify(v)} is outside ${min}–${max}${what ? ` ${what}` : ""}`);
}

/** Why `text` is not a Prometheus duration such as 15d or 12h (for retention), or undefined. */
export function prometheusRetentionProblem(text: unknown): string | undefined {
    return typeof text === "string" && /^(\d+(ms|s|m|h|d|w|y))+$/.test(text) && !/^(0+(ms|s|m|h|d|w|y))+$/.test(text)
        ? undefined
        : `${JSON.stringify(text)} is not a positive Prometheus duration (e.g. 15d, 12h)`;
}

/** Why `text` is not a Prometheus byte size such as 45GB or 500MB (for retention size), or undefined. */
export function prometheusSizeProblem(text: unknown): string | undefined {
    return typeof text === "string" && /^[1-9]\d*(B|KB|MB|GB|TB|PB|EB)$/.test(text)
        ? undefined
        : `${JSON.stringify(text)} is not a Prometheus byte size (e.g. 45GB, 500MB)`;
}
