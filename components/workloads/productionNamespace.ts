import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { childName, dns1123LabelProblem } from "../lib/names";
import { parseQuantity, quantityProblem } from "../../lib/quantity";
import { isPodSecurityStage, modesReached, POD_SECURITY_LEVELS, POD_SECURITY_STAGES } from "../../lib/podSecurity";
import { POD_SECURITY_VERSION } from "../../lib/versions";
import * as d from "./defaults";
import { allowDnsSpec, defaultDenySpec } from "./network";

/** Pod Security admission for the namespace. */
export interface PodSecurityArgs {
    /** Level: "restricted" (default), "baseline" or "privileged". Anything below restricted needs `exemptionReason`. */
    level?: string;
    /** Pod Security Standards version the labels pin (e.g. `v1.35`), so an upgrade never tightens rules unannounced. Defaults to the matrix's version. */
    version?: string;
    /**
     * How far along the migration path the namespace is: "warn" (warnings only), "audit" (warn + audit log) or
     * "enforce" (warn + audit + reject; default). Only the labels of the stages reached are set.
     */
    stage?: string;
    /** Why this namespace runs below restricted. Required when `level` is not restricted. */
    exemptionReason?: string;
}

/** Arguments of a {@link ProductionNamespace}. */
export interface ProductionNamespaceArgs {
    /** Pod Security Standards labels. Defaults to restricted, enforced, audited and warned, at the pinned version. */
    podSecurity?: PodSecurityArgs;
    /**
     * ResourceQuota entries, merged over the defaults (requests.cpu 20, requests.memory 40Gi, limits.cpu 40,
     * limits.memory 80Gi, pods 200, persistentvolumeclaims 50, requests.storage 2Ti, services.loadbalancers 2,
     * services.nodeports 0).
     */
    resourceQuota?: { [resource: string]: string };
    /** Default CPU and memory request for containers that declare none. Defaults to 100m / 128Mi. */
    defaultRequest?: { [resource: string]: string };
    /** Default CPU and memory limit for containers that declare none. Defaults to 500m / 256Mi. */
    defaultLimit?: { [resource: string]: string };
    /** Largest PersistentVolumeClaim allowed. Defaults to 1Ti. */
    maxClaimSize?: string;
    /** Allow every pod DNS lookups through kube-dns despite the default deny. Defaults to true. */
    allowDns?: boolean;
    /** Opt the namespace into the platform's scheduled backups (label `backup.k8sprod.io/enabled`). Defaults to false. */
    backup?: boolean;
    /** Extra labels for the Namespace. Pod Security labels cannot be set here. */
    labels?: { [key: string]: string };
}

const PSS_PREFIX = "pod-security.kubernetes.io/";

/** The Pod Security labels for a level, version and migration stage. */
export function podSecurityLabels(ps: PodSecurityArgs | undefined): Record<string, string> {
    const level = ps?.level ?? d.DEFAULT_POD_SECURITY_LEVEL;
    const version = ps?.version ?? POD_SECURITY_VERSION;
    const stage = ps?.stage;
    const reached = modesReached(isPodSecurityStage(stage) ? stage : "enforce");
    const labels: Record<string, string> = {};
    for (const mode of reached) {
        labels[`${PSS_PREFIX}${mode}`] = level;
        labels[`${PSS_PREFIX}${mode}-version`] = version;
    }
    return labels;
}

/** Every problem with a ProductionNamespace's args. */
export function validateProductionNamespaceArgs(name: string, args: ProductionNamespaceArgs): Problems {
    const problems = new Problems();
    const why = dns1123LabelProblem(name);
    problems.check(why === undefined, "name", `${why} (the name is the namespace's name)`);
    problems.check(!["default", "kube-system", "kube-public", "kube-node-lease"].includes(name), "name", `"${name}" is a system namespace`);
    const ps = args.podSecurity;
    if (ps?.level !== undefined) {
        problems.check((POD_SECURITY_LEVELS as readonly string[]).includes(ps.level), "podSecurity.level", `"${ps.level}" is not one of ${POD_SECURITY_LEVELS.join(", ")}`);
        if (ps.level !== "restricted") {
            problems.check(typeof ps.exemptionReason === "string" && ps.exemptionReason.trim().length > 0, "podSecurity.exemptionReason",
                `level ${ps.level} is below restricted; say why in exemptionReason`);
        }
    }
    if (ps?.stage !== undefined) {
        problems.check(isPodSecurityStage(ps.stage), "podSecurity.stage", `"${ps.stage}" is not one of ${POD_SECURITY_STAGES.join(" → ")}`);
    }
    if (ps?.version !== undefined) {
        problems.check(/^(v1\.\d+|latest)$/.test(ps.version), "podSecurity.version", `"${ps.version}" is not a Pod Security version (v1.35 or latest)`);
    }
    for (const [key, value] of Object.entries(args.resourceQuota ?? {})) {
        const w = quantityProblem(value);
        // 0 is a meaningful quota (e.g. no NodePorts), so only malformed or negative values are refused.
        problems.check(w === undefined || parseQuantity(value) === 0, `resourceQuota.${key}`, w ?? "");
    }
    for (const field of ["defaultRequest", "defaultLimit"] as const) {
        for (const [key, value] of Object.entries(args[field] ?? {})) {
            problems.check(["cpu", "memory"].includes(key), `${field}.${key}`, `${key} is not cpu or memory`);
            const w = quantityProblem(value);
            problems.check(w === undefined, `${field}.${key}`, w ?? "");
        }
    }
    const req = { ...d.DEFAULT_CONTAINER_REQUEST, ...(args.defaultRequest ?? {}) } as Record<string, string>;
    const lim = { ...d.DEFAULT_CONTAINER_LIMIT, ...(args.defaultLimit ?? {}) } as Record<string, string>;
    for (const key of ["cpu", "memory"]) {
        const r = parseQuantity(req[key]);
        const l = parseQuantity(lim[key]);
        if (r !== undefined && l !== undefined) {
            problems.check(l >= r, `defaultLimit.${key}`, `the default limit ${lim[key]} is below the default request ${req[key]}`);
        }
    }
    if (args.maxClaimSize !== undefined) {
        const w = quantityProblem(args.maxClaimSize);
        problems.check(w === undefined, "maxClaimSize", w ?? "");
    }
    for (const key of Object.keys(args.labels ?? {})) {
        problems.check(!key.startsWith(PSS_PREFIX), `labels.${key}`, "Pod Security labels come from podSecurity");
    }
    return problems;
}

/**
 * A namespace ready for production workloads: Pod Security Standards labels (restricted, enforced, at a
 * pinned version), a default-deny NetworkPolicy for ingress and egress with DNS allowed, a ResourceQuota
 * and a LimitRange, and an opt-in backup label.
 */
export class ProductionNamespace extends pulumi.ComponentResource {
    /** The namespace's name (the component's name). */
    public readonly name: pulumi.Output<string>;
    /** The Pod Security level enforced (or warned/audited, by stage). */
    public readonly podSecurityLevel: pulumi.Output<string>;

    constructor(name: string, args: ProductionNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): bad input registers nothing, not even the component.
        validateProductionNamespaceArgs(name, args ?? {}).throwIfAny(`ProductionNamespace ${name}`);
        super("k8sprod:workloads:ProductionNamespace", name, {}, opts);
        args = args ?? {};

        const labels = {
            ...(args.labels ?? {}),
            ...podSecurityLabels(args.podSecurity),
            ...(args.backup ? { [d.BACKUP_LABEL]: "true" } : {}),
            "app.kubernetes.io/managed-by": "k8sprod",
        };
        const exemption = args.podSecurity?.exemptionReason;
        const ns = new k8s.core.v1.Namespace(childName(name, "namespace"), {
            metadata: { name, labels, ...(exemption ? { annotations: { "k8sprod.io/pod-security-exemption": exemption } } : {}) },
        }, { parent: this });
        const namespace = ns.metadata.name;
        const childOpts = { parent: this, dependsOn: [ns] };

        new k8s.networking.v1.NetworkPolicy(childName(name, "default-deny"), {
            metadata: { name: "default-deny-all", namespace },
            spec: defaultDenySpec(),
        }, childOpts);
        if (args.allowDns ?? true) {
            new k8s.networking.v1.NetworkPolicy(childName(name, "allow-dns"), {
                metadata: { name: "allow-dns", namespace },
                spec: allowDnsSpec(),
            }, childOpts);
        }

        new k8s.core.v1.ResourceQuota(childName(name, "quota"), {
            metadata: { name: "default", namespace },
            spec: { hard: { ...d.DEFAULT_RESOURCE_QUOTA, ...(args.resourceQuota ?? {}) } },
        }, childOpts);

        new k8s.core.v1.LimitRange(childName(name, "limits"), {
            metadata: { name: "default", namespace },
            spec: {
                limits: [
                    {
                        type: "Container",
                        defaultRequest: { ...d.DEFAULT_CONTAINER_REQUEST, ...(args.defaultRequest ?? {}) },
                        default: { ...d.DEFAULT_CONTAINER_LIMIT, ...(args.defaultLimit ?? {}) },
                    },
                    { type: "PersistentVolumeClaim", max: { storage: args.maxClaimSize ?? d.DEFAULT_MAX_CLAIM_SIZE } },
                ],
            },
        }, childOpts);

        this.name = namespace;
        this.podSecurityLevel = pulumi.output(args.podSecurity?.level ?? d.DEFAULT_POD_SECURITY_LEVEL);
        this.registerOutputs({ name: this.name, podSecurityLevel: this.podSecurityLevel });
    }
}
