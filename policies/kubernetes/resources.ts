// Resources: every container declares what it needs (requests) and how far it may go (limits), so the
// scheduler places pods honestly and one pod cannot starve a node of memory.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { parseQuantity } from "../../lib/quantity";
import { at, containerLabel, ContainerRef, containersOf, isHelmTestHook, obj, podPolicy, PodTemplate } from "./lib";

/** Containers whose resources count for scheduling: app and init containers (ephemeral ones take none). */
const RESOURCED = ["containers", "initContainers"] as const;

/** A request or limit is set when it is present and a quantity greater than zero (`0` means unset, as kube-score reads it). */
export function quantitySet(v: unknown): boolean {
    if (v === undefined || v === null) {
        return false;
    }
    if (typeof v !== "string" && typeof v !== "number") {
        return false;
    }
    const q = parseQuantity(v);
    // A value that is not a quantity is refused by the API server; it is not "unset", so it is not reported here.
    return q === undefined ? true : q > 0;
}

function each(pod: PodTemplate, fn: (ref: ContainerRef, resources: Record<string, any>) => void): void {
    for (const ref of containersOf(pod.spec, RESOURCED)) {
        fn(ref, obj(ref.c.resources) ?? {});
    }
}

export const requireResourceRequests: ResourceValidationPolicy = podPolicy({
    name: "require-resource-requests",
    description: "Checks whether every container and init container requests cpu and memory, so the scheduler places the pod on a node that can run it.",
    enforcementLevel: "mandatory",
    check: (ctx, pod) => {
        each(pod, (ref, res) => {
            const missing = ["cpu", "memory"].filter((r) => !quantitySet(at(res, "requests", r)));
            if (missing.length) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} sets no ${missing.join(" or ")} request; set ${pod.specPath}.${ref.path}.resources.requests.${missing.join(" and .")}.`);
            }
        });
    },
});

export const requireResourceLimits: ResourceValidationPolicy = podPolicy<{ requireCpuLimit: boolean }>({
    name: "require-resource-limits",
    description: "Checks whether every container and init container sets a memory limit (and a cpu limit when requireCpuLimit is on), so one pod cannot exhaust a node.",
    enforcementLevel: "mandatory",
    config: {
        requireCpuLimit: {
            type: "boolean",
            default: false,
            description: "Also require cpu limits. Off by default: a cpu limit throttles a container even when the node has idle cpu.",
        },
    },
    check: (ctx, pod) => {
        const wanted = ctx.config.requireCpuLimit === true ? ["cpu", "memory"] : ["memory"];
        each(pod, (ref, res) => {
            const missing = wanted.filter((r) => !quantitySet(at(res, "limits", r)));
            if (missing.length) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} sets no ${missing.join(" or ")} limit; set ${pod.specPath}.${ref.path}.resources.limits.${missing.join(" and .")}.`);
            }
        });
    },
});

/** Why a container keeps its pod out of the Guaranteed QoS class, or undefined when it does not. */
export function notGuaranteedReason(resources: Record<string, any>): string | undefined {
    const problems: string[] = [];
    for (const r of ["cpu", "memory"]) {
        const limit = at(resources, "limits", r);
        const request = at(resources, "requests", r);
        if (!quantitySet(limit)) {
            problems.push(`no ${r} limit`);
            continue;
        }
        // An unset request defaults to the limit.
        if (request === undefined || request === null) {
            continue;
        }
        const l = parseQuantity(limit);
        const q = typeof request === "string" || typeof request === "number" ? parseQuantity(request) : undefined;
        if (l === undefined || q === undefined || Math.abs(l - q) > 1e-12 * Math.max(1, Math.abs(l))) {
            problems.push(`a ${r} request (${JSON.stringify(request)}) different from its limit (${JSON.stringify(limit)})`);
        }
    }
    return problems.length ? problems.join(" and ") : undefined;
}

/**
 * Why a container's resources break the QoS practice, or undefined when they keep it: Guaranteed (limits
 * equal to requests), or Burstable within bounds: cpu and memory requested, each limited to at most
 * `maxRatio` × its request. With `maxRatio` 1 only Guaranteed passes.
 */
export function qosProblem(resources: Record<string, any>, maxRatio: number): string | undefined {
    const guaranteed = notGuaranteedReason(resources);
    if (guaranteed === undefined || maxRatio <= 1) {
        return guaranteed;
    }
    const problems: string[] = [];
    for (const r of ["cpu", "memory"]) {
        const limit = at(resources, "limits", r);
        const request = at(resources, "requests", r);
        if (!quantitySet(limit)) {
            problems.push(`no ${r} limit, so its burst is unbounded`);
            continue;
        }
        // An unset request defaults to the limit (ratio 1).
        if (request === undefined || request === null) {
            continue;
        }
        const l = parseQuantity(limit);
        const q = typeof request === "string" || typeof request === "number" ? parseQuantity(request) : undefined;
        if (l === undefined || q === undefined || q <= 0) {
            problems.push(`a ${r} request (${JSON.stringify(request)}) that does not bound its limit (${JSON.stringify(limit)})`);
        } else if (l > q * maxRatio * (1 + 1e-12)) {
            problems.push(`a ${r} limit (${JSON.stringify(limit)}) ${+(l / q).toFixed(2)} × its request (${JSON.stringify(request)}), above ${maxRatio} ×`);
        }
    }
    return problems.length ? problems.join(" and ") : undefined;
}

export const requireGuaranteedQos: ResourceValidationPolicy = podPolicy<{ maxLimitToRequestRatio: number }>({
    name: "require-guaranteed-qos",
    description: "Checks whether every container and init container is in the Guaranteed QoS class (cpu and memory limits equal to requests) or, as the field guide allows, bursts within bounds: cpu and memory limits at most maxLimitToRequestRatio × the requests (2 by default; 1 demands Guaranteed).",
    enforcementLevel: "advisory",
    config: {
        maxLimitToRequestRatio: {
            type: "number",
            minimum: 1,
            default: 2,
            description: "Largest limit/request ratio accepted for cpu and memory. 2 (default) is the field guide's starting point for Burstable pods; 1 accepts only the Guaranteed class (limits equal to requests).",
        },
    },
    check: (ctx, pod) => {
        if (isHelmTestHook(ctx.props)) {
            ctx.notApplicable("a Helm test hook (helm.sh/hook: test) runs to completion when `helm test` runs it; eviction classes matter to long-running pods");
        }
        const ratio = typeof ctx.config.maxLimitToRequestRatio === "number" ? ctx.config.maxLimitToRequestRatio : 2;
        each(pod, (ref, res) => {
            const reason = qosProblem(res, ratio);
            if (reason) {
                const fix = ratio <= 1 ? "make .requests equal to .limits for cpu and memory"
                    : `make .requests equal to .limits for cpu and memory (Guaranteed), or keep each limit within ${ratio} × its request`;
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} has ${reason}, so the pod is ${ratio <= 1 ? "not in the Guaranteed QoS class" : "neither Guaranteed nor bounded Burstable"}; in ${pod.specPath}.${ref.path}.resources, ${fix}.`);
            }
        });
    },
});

export const requireEphemeralStorage: ResourceValidationPolicy = podPolicy({
    name: "require-ephemeral-storage",
    description: "Checks whether every container and init container requests and limits ephemeral-storage, so logs, emptyDir volumes and writable layers cannot fill a node's disk and get unrelated pods evicted under disk pressure.",
    enforcementLevel: "advisory",
    check: (ctx, pod) => {
        each(pod, (ref, res) => {
            const missing = ["requests", "limits"].filter((k) => !quantitySet(at(res, k, "ephemeral-storage")));
            if (missing.length) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} sets no ephemeral-storage ${missing.map((m) => m.replace(/s$/, "")).join(" and no ")}; set ${missing.map((m) => `${pod.specPath}.${ref.path}.resources.${m}["ephemeral-storage"]`).join(" and ")}.`);
            }
        });
    },
});
