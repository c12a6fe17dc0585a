// Availability: enough replicas, spread across zones, protected from voluntary disruptions, scaled
// with damped behaviour, and only sent traffic when ready (and restarted when stuck).
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import {
    arr, at, containerLabel, containersOf, intOrStringNumber, kindOf, num, obj, plain, podPolicy, podTemplateOf,
    replicasOf, resourcePolicy, runToCompletionReason, selectorMatches, stackPolicy, str, stringMap, T,
} from "./lib";

const WORKLOAD_TYPES = new Set<string>([...T.deployments, ...T.statefulSets]);
const HPA_TYPES = new Set<string>(T.hpa);
const PDB_TYPES = new Set<string>(T.pdb);

/** Finds the HorizontalPodAutoscaler of the stack that scales a workload (same namespace, kind and name). */
export type HpaLookup = (workload: PolicyResource) => PolicyResource | undefined;

/** Indexes the stack's HorizontalPodAutoscalers by namespace, target kind and target name. */
export function hpaLookup(resources: PolicyResource[], namespaceOf: (r: PolicyResource) => string): HpaLookup {
    const index = new Map<string, PolicyResource>();
    for (const r of resources) {
        if (!HPA_TYPES.has(r.type)) {
            continue;
        }
        try {
            const kind = at(r.props, "spec", "scaleTargetRef", "kind");
            const name = at(r.props, "spec", "scaleTargetRef", "name");
            if (typeof kind === "string" && typeof name === "string") {
                index.set(`${namespaceOf(r)}/${kind}/${name}`, r);
            }
        } catch {
            // An HPA whose target is unknown during preview scales nothing we can name.
        }
    }
    return (workload) => index.size === 0 ? undefined
        : index.get(`${namespaceOf(workload)}/${kindOf(workload.type)}/${str(at(workload.props, "metadata", "name")) ?? workload.name}`);
}

/** The pod template labels of a workload. */
function templateLabels(r: PolicyResource): Record<string, string> {
    return stringMap(at(r.props, "spec", "template", "metadata", "labels"));
}

export const requireMinReplicas: StackValidationPolicy = stackPolicy<{ minReplicas: number }>({
    name: "require-min-replicas",
    description: "Checks whether every Deployment and StatefulSet runs at least the configured number of replicas (its HorizontalPodAutoscaler's minReplicas when one scales it), so losing a node or a zone leaves it serving.",
    enforcementLevel: "mandatory",
    config: {
        minReplicas: { type: "integer", minimum: 1, default: 3, description: "Fewest replicas (or HPA minReplicas) allowed. Defaults to 3: one per zone." },
    },
    check: (ctx) => {
        const min = num(ctx.config.minReplicas) ?? 3;
        const hpaFor = hpaLookup(ctx.resources, ctx.namespace);
        for (const r of ctx.resources) {
            if (!WORKLOAD_TYPES.has(r.type)) {
                continue;
            }
            ctx.guard(() => {
                const hpa = hpaFor(r);
                if (hpa) {
                    const hpaMin = at(hpa.props, "spec", "minReplicas") ?? 1;
                    if (typeof hpaMin === "number" && hpaMin < min) {
                        ctx.report(r, `${ctx.subject(r)} is scaled by HorizontalPodAutoscaler "${hpa.props?.metadata?.name ?? hpa.name}" whose spec.minReplicas is ${hpaMin}; it must be at least ${min}.`);
                    }
                    return;
                }
                const replicas = replicasOf(r.props);
                if (replicas !== undefined && replicas < min) {
                    const set = at(r.props, "spec", "replicas");
                    ctx.report(r, `${ctx.subject(r)} runs ${replicas} replica${replicas === 1 ? "" : "s"}${set === undefined || set === null ? " (spec.replicas is unset)" : ""}; spec.replicas must be at least ${min}.`);
                }
            });
        }
    },
});

/** The most replicas a workload runs: its HPA's maxReplicas, else spec.replicas (default 1). */
function maxReplicas(hpaFor: HpaLookup, r: PolicyResource): number | undefined {
    const hpa = hpaFor(r);
    if (hpa) {
        return num(at(hpa.props, "spec", "maxReplicas"));
    }
    return replicasOf(r.props);
}

export const requirePodDisruptionBudget: StackValidationPolicy = stackPolicy({
    name: "require-pod-disruption-budget",
    description: "Checks whether every Deployment and StatefulSet with more than one replica is selected by a PodDisruptionBudget in its namespace that sets minAvailable or maxUnavailable, so node drains and upgrades keep it serving.",
    enforcementLevel: "mandatory",
    check: (ctx) => {
        // Each budget's namespace and selector, read once.
        const pdbs: Array<{ p: PolicyResource; ns: string; selector: unknown }> = [];
        for (const p of ctx.resources) {
            if (PDB_TYPES.has(p.type)) {
                ctx.guard(() => pdbs.push({ p, ns: ctx.namespace(p), selector: plain(at(p.props, "spec", "selector")) }));
            }
        }
        const hpaFor = hpaLookup(ctx.resources, ctx.namespace);
        for (const r of ctx.resources) {
            if (!WORKLOAD_TYPES.has(r.type)) {
                continue;
            }
            ctx.guard(() => {
                const replicas = maxReplicas(hpaFor, r);
                if (replicas === undefined || replicas <= 1) {
                    return;
                }
                const ns = ctx.namespace(r);
                const labels = templateLabels(r);
                const selecting = pdbs.filter((b) => b.ns === ns && selectorMatches(b.selector, labels)).map((b) => b.p);
                if (selecting.length === 0) {
                    ctx.report(r, `${ctx.subject(r)} runs up to ${replicas} replicas but no PodDisruptionBudget in namespace "${ns}" selects its pods (spec.template.metadata.labels ${JSON.stringify(labels)}); add one whose spec.selector matches them.`);
                    return;
                }
                // A budget with neither minAvailable nor maxUnavailable protects nothing: every pod may be evicted.
                const protecting = selecting.filter((p) => ["minAvailable", "maxUnavailable"].some((f) => {
                    const v = at(p.props, "spec", f);
                    return v !== undefined && v !== null;
                }));
                if (protecting.length === 0) {
                    const names = selecting.map((p) => `"${str(at(p.props, "metadata", "name")) ?? p.name}"`).join(", ");
                    ctx.report(r, `${ctx.subject(r)} is selected by PodDisruptionBudget ${names}, which sets neither spec.minAvailable nor spec.maxUnavailable and so protects nothing; set one of them.`);
                }
            });
        }
    },
});

/** Whether a percentage or count is zero ("0", 0, "0%"). */
function isZero(v: unknown): boolean {
    return v === 0 || v === "0" || v === "0%";
}

export const disallowZeroDisruptionPdb: StackValidationPolicy = stackPolicy({
    name: "disallow-zero-disruption-pdb",
    description: "Checks whether every PodDisruptionBudget allows at least one voluntary disruption (not maxUnavailable 0, not minAvailable 100% or at least the replicas it selects), so nodes can still be drained.",
    enforcementLevel: "mandatory",
    check: (ctx) => {
        const hpaFor = hpaLookup(ctx.resources, ctx.namespace);
        // Each workload's namespace, pod labels and replicas (its HPA's minReplicas when scaled), read once.
        let workloads: Array<{ ns: string; labels: Record<string, string>; replicas: number | undefined }> | undefined;
        const workloadsOnce = () => {
            if (!workloads) {
                workloads = [];
                for (const w of ctx.resources) {
                    if (WORKLOAD_TYPES.has(w.type)) {
                        const hpa = hpaFor(w);
                        workloads.push({ ns: ctx.namespace(w), labels: templateLabels(w), replicas: hpa ? num(at(hpa.props, "spec", "minReplicas")) ?? 1 : replicasOf(w.props) });
                    }
                }
            }
            return workloads;
        };
        for (const p of ctx.resources) {
            if (!PDB_TYPES.has(p.type)) {
                continue;
            }
            ctx.guard(() => {
                const spec = obj(at(p.props, "spec")) ?? {};
                const subject = ctx.subject(p);
                if (isZero(spec.maxUnavailable)) {
                    ctx.report(p, `${subject} sets spec.maxUnavailable to ${JSON.stringify(spec.maxUnavailable)}, which blocks every node drain; allow at least one pod to be unavailable.`);
                    return;
                }
                const minAvailable = spec.minAvailable;
                if (minAvailable === "100%") {
                    ctx.report(p, `${subject} sets spec.minAvailable to "100%", which blocks every node drain; lower it.`);
                    return;
                }
                const n = intOrStringNumber(minAvailable);
                if (n === undefined) {
                    return;
                }
                const ns = ctx.namespace(p);
                const selector = plain(spec.selector);
                let selected = 0;
                let any = false;
                for (const w of workloadsOnce()) {
                    if (w.ns !== ns || !selectorMatches(selector, w.labels)) {
                        continue;
                    }
                    if (w.replicas === undefined) {
                        return;
                    }
                    selected += w.replicas;
                    any = true;
                }
                if (any && n >= selected) {
                    ctx.report(p, `${subject} sets spec.minAvailable to ${JSON.stringify(minAvailable)} but selects only ${selected} pod${selected === 1 ? "" : "s"}, which blocks every node drain; spec.minAvailable must be below the replicas it selects.`);
                }
            });
        }
    },
});

export const requireHpaScaleBehavior: ResourceValidationPolicy = resourcePolicy<{ minReplicas: number }>({
    name: "require-hpa-scale-behavior",
    description: "Checks whether every HorizontalPodAutoscaler keeps at least the configured minReplicas, can scale (maxReplicas above minReplicas), and sets a scale-down stabilization window, so it neither drops to one pod nor flaps.",
    enforcementLevel: "mandatory",
    types: T.hpa,
    config: {
        minReplicas: { type: "integer", minimum: 1, default: 2, description: "Fewest spec.minReplicas allowed. Defaults to 2." },
    },
    check: (ctx) => {
        const min = num(ctx.config.minReplicas) ?? 2;
        const spec = obj(ctx.props.spec) ?? {};
        const hpaMin = spec.minReplicas ?? 1;
        const problems: string[] = [];
        if (typeof hpaMin === "number" && hpaMin < min) {
            problems.push(`spec.minReplicas is ${hpaMin}${spec.minReplicas === undefined ? " (unset)" : ""} and must be at least ${min}`);
        }
        const hpaMax = spec.maxReplicas;
        if (typeof hpaMax === "number" && typeof hpaMin === "number" && hpaMax <= hpaMin) {
            problems.push(`spec.maxReplicas (${hpaMax}) must be greater than spec.minReplicas (${hpaMin})`);
        }
        if (ctx.type.endsWith("autoscaling/v1:HorizontalPodAutoscaler")) {
            problems.push("autoscaling/v1 cannot set spec.behavior; use autoscaling/v2 and set spec.behavior.scaleDown.stabilizationWindowSeconds");
        } else if (num(at(spec, "behavior", "scaleDown", "stabilizationWindowSeconds")) === undefined) {
            problems.push("spec.behavior.scaleDown.stabilizationWindowSeconds is unset");
        }
        if (problems.length) {
            ctx.report(`${ctx.subject}: ${problems.join("; ")}.`);
        }
    },
});

export const ZONE_KEY = "topology.kubernetes.io/zone";
export const HOSTNAME_KEY = "kubernetes.io/hostname";

/** How a pod template spreads across a topology key: a topology spread constraint or pod anti-affinity on the key that selects its own pods. */
export function spreadsAcross(podSpec: Record<string, any>, labels: Record<string, string>, key: string): boolean {
    for (const c of arr(podSpec.topologySpreadConstraints)) {
        const tsc = obj(c);
        if (tsc && tsc.topologyKey === key && selectorMatches(tsc.labelSelector, labels)) {
            return true;
        }
    }
    const anti = obj(at(podSpec, "affinity", "podAntiAffinity")) ?? {};
    for (const term of arr(anti.requiredDuringSchedulingIgnoredDuringExecution)) {
        const t = obj(term);
        if (t && t.topologyKey === key && selectorMatches(t.labelSelector, labels)) {
            return true;
        }
    }
    for (const weighted of arr(anti.preferredDuringSchedulingIgnoredDuringExecution)) {
        const t = obj(at(weighted, "podAffinityTerm"));
        if (t && t.topologyKey === key && selectorMatches(t.labelSelector, labels)) {
            return true;
        }
    }
    return false;
}

/** How a pod template spreads across zones (see spreadsAcross). */
export function spreadsAcrossZones(podSpec: Record<string, any>, labels: Record<string, string>): boolean {
    return spreadsAcross(podSpec, labels, ZONE_KEY);
}

export const requireZoneSpread: ResourceValidationPolicy = resourcePolicy<{ zones: number; hostnameSpread: boolean }>({
    name: "require-zone-spread",
    description: `Checks whether every Deployment and StatefulSet that runs more than one replica spreads its pods across zones (a topology spread constraint or pod anti-affinity on ${ZONE_KEY} that selects its own pods), and, when it runs more replicas than there are zones, also across nodes (${HOSTNAME_KEY}).`,
    enforcementLevel: "mandatory",
    types: [...T.deployments, ...T.statefulSets],
    config: {
        zones: { type: "integer", minimum: 1, default: 3, description: "Zones the cluster's nodes run in. Above this many replicas, two replicas share a zone, and they must also spread across nodes. Defaults to 3." },
        hostnameSpread: { type: "boolean", default: true, description: "Require the spread across nodes when replicas exceed zones. Defaults to true." },
    },
    check: (ctx) => {
        const replicas = at(ctx.props, "spec", "replicas");
        if (typeof replicas === "number" && replicas <= 1) {
            ctx.notApplicable("runs at most one replica");
        }
        const pod = podTemplateOf(ctx.type, ctx.props);
        if (!pod) {
            return;
        }
        const labels = stringMap(pod.metadata.labels);
        if (!spreadsAcrossZones(pod.spec, labels)) {
            ctx.report(`${ctx.subject} does not spread its pods across zones; add ${pod.specPath}.topologySpreadConstraints (or podAntiAffinity) with topologyKey ${ZONE_KEY} and a labelSelector matching ${pod.metadataPath}.labels.`);
        }
        const zones = num(ctx.config.zones) ?? 3;
        if (ctx.config.hostnameSpread !== false && typeof replicas === "number" && replicas > zones && !spreadsAcross(pod.spec, labels, HOSTNAME_KEY)) {
            ctx.report(`${ctx.subject} runs ${replicas} replicas in ${zones} zones, so replicas share a zone, but it does not spread them across nodes: one node can hold several; add ${pod.specPath}.topologySpreadConstraints (or podAntiAffinity) with topologyKey ${HOSTNAME_KEY} and a labelSelector matching ${pod.metadataPath}.labels.`);
        }
    },
});

/**
 * spec.replicas as the program sent it, by URN. Under the Pulumi CLI a stack policy sees each resource's
 * outputs: for a Kubernetes workload the live object, where the API server has defaulted spec.replicas (1) or
 * the autoscaler has set it, whether or not the program did; the engine passes analyzers no internal keys, so
 * the Kubernetes provider's record of the inputs (__inputs) never reaches them. The inputs do: the engine
 * analyzes every resource (validateResource, with its inputs) before it analyzes the stack, in the same pack
 * process, and so does `k8sprod plan`. A URN with no record (a stack analyzed alone) falls back to its props.
 */
const sentReplicas = new Map<string, unknown>();
/** A record of "set, value unknown until deploy" (a computed count in a preview). */
const UNKNOWN_REPLICAS = Symbol("unknown");

const replicasWithHpa: StackValidationPolicy = stackPolicy({
    name: "disallow-replicas-with-hpa",
    description: "Checks whether no Deployment or StatefulSet sets spec.replicas while a HorizontalPodAutoscaler scales it: every apply would reset the replica count the autoscaler chose (dropping capacity under load) until the autoscaler scales it back.",
    enforcementLevel: "mandatory",
    check: (ctx) => {
        const hpaFor = hpaLookup(ctx.resources, ctx.namespace);
        for (const r of ctx.resources) {
            if (!WORKLOAD_TYPES.has(r.type)) {
                continue;
            }
            ctx.guard(() => {
                const hpa = hpaFor(r);
                const replicas = sentReplicas.has(r.urn) ? sentReplicas.get(r.urn) : at(r.props, "spec", "replicas");
                if (hpa && replicas !== undefined && replicas !== null) {
                    const shown = replicas === UNKNOWN_REPLICAS ? "a value known at deploy" : JSON.stringify(replicas);
                    ctx.report(r, `${ctx.subject(r)} sets spec.replicas to ${shown} while HorizontalPodAutoscaler "${str(at(hpa.props, "metadata", "name")) ?? hpa.name}" scales it; remove spec.replicas and let the autoscaler own the count (its spec.minReplicas is the floor).`);
                }
            });
        }
    },
});

export const disallowReplicasWithHpa: StackValidationPolicy = {
    ...replicasWithHpa,
    // Records what the program sent (see sentReplicas); reports nothing itself.
    validateResource: (args: ResourceValidationArgs) => {
        if (!WORKLOAD_TYPES.has(args.type)) {
            return;
        }
        try {
            sentReplicas.set(args.urn, at(args.props, "spec", "replicas"));
        } catch (e) {
            if (!(e instanceof UnknownValueError)) {
                throw e;
            }
            sentReplicas.set(args.urn, UNKNOWN_REPLICAS);
        }
    },
} as StackValidationPolicy;

const UNHEALTHY_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

export const requirePdbUnhealthyPodEvictionPolicy: ResourceValidationPolicy = resourcePolicy<{ allowed: string[] }>({
    name: "require-pdb-unhealthy-pod-eviction-policy",
    description: "Checks whether every PodDisruptionBudget sets spec.unhealthyPodEvictionPolicy to an allowed value (AlwaysAllow by default), so pods that are running but not ready (crash-looping, misconfigured) can still be evicted and do not block node drains.",
    enforcementLevel: "advisory",
    types: T.pdb,
    config: {
        allowed: {
            type: "array", items: { type: "string", enum: UNHEALTHY_POLICIES }, minItems: 1, default: ["AlwaysAllow"],
            description: "Values allowed. Defaults to [AlwaysAllow], which Kubernetes recommends for most workloads; add IfHealthyBudget for workloads that must not lose an unready pod.",
        },
    },
    check: (ctx) => {
        const allowed = arr(ctx.config.allowed).filter((v): v is string => typeof v === "string");
        const value = at(ctx.props, "spec", "unhealthyPodEvictionPolicy");
        if (value === undefined || value === null) {
            ctx.report(`${ctx.subject} does not set spec.unhealthyPodEvictionPolicy, so running but unready pods it selects cannot be evicted while the budget is exhausted and can block node drains; set it to ${allowed.join(" or ")}.`);
        } else if (!allowed.includes(value)) {
            ctx.report(`${ctx.subject} sets spec.unhealthyPodEvictionPolicy to ${JSON.stringify(value)}; it must be ${allowed.join(" or ")}.`);
        }
    },
});

/** A probe is set when it is an object with a handler (exec, httpGet, tcpSocket or grpc). */
function probeSet(p: unknown): boolean {
    const o = obj(p);
    return !!o && ["exec", "httpGet", "tcpSocket", "grpc"].some((h) => o[h] !== undefined && o[h] !== null);
}

/** Long-running kinds: pods that serve, not run-to-completion Jobs. */
const SERVING_TYPES = ["kubernetes:core/v1:Pod", ...T.deployments, ...T.statefulSets, "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1beta2:DaemonSet", "kubernetes:extensions/v1beta1:DaemonSet", "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:apps/v1beta2:ReplicaSet", "kubernetes:extensions/v1beta1:ReplicaSet", "kubernetes:core/v1:ReplicationController"];

export const requireProbes: ResourceValidationPolicy = podPolicy({
    name: "require-probes",
    description: "Checks whether every container of a long-running workload has a readiness probe (traffic only when ready) and a liveness probe (restart when stuck); pods that run to completion (Jobs, CronJobs, Pods with restartPolicy Never or OnFailure, Helm test hooks) are not applicable.",
    enforcementLevel: "mandatory",
    types: SERVING_TYPES,
    check: (ctx, pod) => {
        const done = runToCompletionReason(ctx.type, ctx.props);
        if (done) {
            ctx.notApplicable(done);
        }
        for (const ref of containersOf(pod.spec, ["containers"])) {
            const missing = ["readinessProbe", "livenessProbe"].filter((p) => !probeSet(ref.c[p]));
            if (missing.length) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} has no ${missing.map((m) => m.replace("Probe", " probe")).join(" and no ")}; set ${missing.map((m) => `${pod.specPath}.${ref.path}.${m}`).join(" and ")}.`);
            }
        }
    },
});
