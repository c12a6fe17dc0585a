import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { childName, dns1123LabelProblem } from "../lib/names";
import { parseQuantity, quantityProblem } from "../../lib/quantity";
import { VELERO_FS_BACKUP_ANNOTATION } from "../../lib/backup";
import {
    createDisruptionBudget, createNetworkPolicy, createServiceAccount, networkPorts, podTemplate, validateCommon,
} from "./common";
import * as d from "./defaults";
import { commonLabels, disruptionBudget, selectorLabels, servicePorts, validateDisruptionBudget, validateReplicaCount } from "./pod";
import { WorkloadSpecArgs } from "./types";

/** A persistent volume every replica gets its own copy of (a volumeClaimTemplate). */
export interface VolumeClaimArgs {
    /** Volume name (DNS-1123 label), e.g. `data`. */
    name: string;
    /** Where the volume is mounted in every container. */
    mountPath: string;
    /** Requested size, e.g. `100Gi`. */
    size: string;
    /** StorageClass. Defaults to gp3-encrypted, the encrypted gp3 class EksCluster installs. */
    storageClassName?: string;
    /** Access modes. Defaults to ReadWriteOnce. */
    accessModes?: string[];
    /** Back this volume up with Velero's file-system backup. Defaults to true. */
    backup?: boolean;
}

/** A {@link StatefulService}'s arguments apart from its namespace (the form ProductionPlatform's namespaces take). */
export interface StatefulServiceSpecArgs extends WorkloadSpecArgs {
    /** Persistent volumes, one claim per replica each. At least one: a StatefulService keeps state. */
    volumeClaims: VolumeClaimArgs[];
    /** Replicas. Defaults to 3; at least 2. */
    replicas?: number;
    /**
     * "OrderedReady" (default: one pod at a time, each Ready before the next, as quorum systems need) or
     * "Parallel" (all pods at once, for peers that do not depend on each other).
     */
    podManagementPolicy?: string;
    /**
     * Keep the volumes when the StatefulSet is deleted or scaled down. Defaults to true: data outlives
     * the pods; delete claims deliberately.
     */
    retainVolumes?: boolean;
}

/** Arguments of a {@link StatefulService}. */
export interface StatefulServiceArgs extends StatefulServiceSpecArgs {
    /** Namespace to deploy into (e.g. a ProductionNamespace's `name`). Required; `default` is refused. */
    namespace: pulumi.Input<string>;
}

const POD_MANAGEMENT = ["OrderedReady", "Parallel"];
const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
const DEFAULT_STATEFUL_GRACE_SECONDS = 60;

/** Every problem with a StatefulService's args (empty when they are fine). */
export function validateStatefulServiceArgs(name: string, args: StatefulServiceArgs): Problems {
    const problems = new Problems();
    validateCommon(problems, name, args);
    validateReplicaCount(problems, "replicas", args.replicas);
    validateDisruptionBudget(problems, args.disruptionBudget, args.replicas ?? d.DEFAULT_STATEFUL_REPLICAS);
    if (args.podManagementPolicy !== undefined) {
        problems.check(POD_MANAGEMENT.includes(args.podManagementPolicy), "podManagementPolicy",
            `"${args.podManagementPolicy}" is not one of ${POD_MANAGEMENT.join(", ")}`);
    }
    if (!Array.isArray(args.volumeClaims) || args.volumeClaims.length === 0) {
        problems.add("volumeClaims", "at least one volume claim is required; a workload without state is a WebService");
        return problems;
    }
    const names = new Set<string>();
    const writable = new Set((args.containers ?? []).flatMap((c) => ["/tmp", ...(c.writablePaths ?? [])]));
    args.volumeClaims.forEach((v, i) => {
        const path = `volumeClaims[${i}]`;
        const why = typeof v.name === "string" ? dns1123LabelProblem(v.name) : "a name is required";
        if (problems.check(why === undefined, `${path}.name`, why ?? "")) {
            problems.check(!names.has(v.name), `${path}.name`, `"${v.name}" names two claims`);
            problems.check(!v.name.startsWith("w-"), `${path}.name`, `"${v.name}" starts with w-, which is kept for writable emptyDir volumes`);
            names.add(v.name);
        }
        if (problems.check(typeof v.mountPath === "string" && v.mountPath.startsWith("/") && v.mountPath !== "/", `${path}.mountPath`,
            `${JSON.stringify(v.mountPath)} must be an absolute directory other than /`)) {
            problems.check(!writable.has(v.mountPath), `${path}.mountPath`, `${v.mountPath} is also a writable emptyDir path`);
        }
        const sizeWhy = quantityProblem(v.size ?? "");
        if (problems.check(sizeWhy === undefined, `${path}.size`, sizeWhy ?? "")) {
            problems.check(parseQuantity(v.size)! >= 2 ** 30, `${path}.size`, `${v.size} is below 1Gi, the smallest EBS volume`);
        }
        if (v.storageClassName !== undefined) {
            const w = dns1123LabelProblem(v.storageClassName);
            problems.check(w === undefined, `${path}.storageClassName`, w ?? "");
        }
        if (v.accessModes !== undefined) {
            problems.check(v.accessModes.length > 0 && v.accessModes.every((m) => ACCESS_MODES.includes(m)), `${path}.accessModes`,
                `each access mode must be one of ${ACCESS_MODES.join(", ")}`);
        }
    });
    return problems;
}

/** The volumeClaimTemplates of the StatefulSet. */
export function volumeClaimTemplates(claims: VolumeClaimArgs[], labels: Record<string, string>): Array<Record<string, any>> {
    return claims.map((v) => ({
        metadata: { name: v.name, labels },
        spec: {
            accessModes: v.accessModes ?? d.DEFAULT_ACCESS_MODES,
            storageClassName: v.storageClassName ?? d.DEFAULT_STORAGE_CLASS,
            resources: { requests: { storage: v.size } },
        },
    }));
}

/** Velero's opt-in annotation (lib/backup.ts, shared with Velero) for file-system backup of the named pod volumes. */
export function backupAnnotations(claims: VolumeClaimArgs[]): Record<string, string> {
    const names = claims.filter((v) => v.backup ?? true).map((v) => v.name);
    return names.length > 0 ? { [VELERO_FS_BACKUP_ANNOTATION]: names.join(",") } : {};
}

/**
 * A stateful service with production defaults: a StatefulSet with a headless Service for stable
 * identities, a volume claim template per volume (encrypted gp3 by default, retained when the set is
 * deleted or scaled down), Velero backup annotations for its volumes, the restricted security context,
 * requests and limits, probes, zone spread, a PodDisruptionBudget, a dedicated ServiceAccount and a
 * NetworkPolicy that lets in only the declared clients.
 */
export class StatefulService extends pulumi.ComponentResource {
    /** Name of the StatefulSet, headless Service and ServiceAccount. */
    public readonly name: pulumi.Output<string>;
    /** Namespace the service runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Labels that select the pods: give them to a client's `egressTo`. */
    public readonly selectorLabels: pulumi.Output<{ [key: string]: string }>;
    /** DNS name of the headless Service; replica N is `<name>-N.<serviceHost>`. */
    public readonly serviceHost: pulumi.Output<string>;
    /** Name of the dedicated ServiceAccount. */
    public readonly serviceAccountName: pulumi.Output<string>;

    constructor(name: string, args: StatefulServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): bad input registers nothing, not even the component.
        validateStatefulServiceArgs(name, args).throwIfAny(`StatefulService ${name}`);
        super("k8sprod:workloads:StatefulService", name, {}, opts);

        const selector = selectorLabels(name);
        const labels = commonLabels(name, "stateful");
        const namespace = pulumi.output(args.namespace);
        const replicas = args.replicas ?? d.DEFAULT_STATEFUL_REPLICAS;
        const retain = args.retainVolumes ?? true;

        const sa = createServiceAccount(this, name, args.namespace, labels, args.serviceAccount);

        // Headless: no virtual IP, one DNS record per pod. Not-ready pods are published too so that
        // peers can find each other while a cluster forms.
        const headless = new k8s.core.v1.Service(childName(name, "headless"), {
            metadata: { name, namespace: args.namespace, labels },
            spec: { clusterIP: "None", publishNotReadyAddresses: true, selector, ports: servicePorts(args.containers) },
        }, { parent: this });

        const mounts = args.volumeClaims.map((v) => ({ name: v.name, mountPath: v.mountPath }));
        const withGrace = { ...args, terminationGracePeriodSeconds: args.terminationGracePeriodSeconds ?? DEFAULT_STATEFUL_GRACE_SECONDS };
        new k8s.apps.v1.StatefulSet(childName(name, "statefulset"), {
            metadata: { name, namespace: args.namespace, labels },
            spec: {
                serviceName: headless.metadata.name,
                replicas,
                podManagementPolicy: args.podManagementPolicy ?? "OrderedReady",
                updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
                revisionHistoryLimit: 5,
                persistentVolumeClaimRetentionPolicy: retain
                    ? { whenDeleted: "Retain", whenScaled: "Retain" }
                    : { whenDeleted: "Delete", whenScaled: "Delete" },
                selector: { matchLabels: selector },
                template: podTemplate(withGrace, labels, selector, sa.metadata.name, {
                    revisionKey: "controller-revision-hash",
                    extraMounts: mounts,
                    annotations: backupAnnotations(args.volumeClaims),
                }),
                volumeClaimTemplates: volumeClaimTemplates(args.volumeClaims, labels),
            },
        }, { parent: this });

        createDisruptionBudget(this, name, args.namespace, labels, selector, disruptionBudget(args.disruptionBudget, replicas));

        // Replicas talk to each other (replication, gossip) on the service ports.
        const peers = { podLabels: selector, ports: networkPorts(args.containers) };
        createNetworkPolicy(this, name, args.namespace, labels, {
            selector,
            servicePorts: networkPorts(args.containers),
            ingressFrom: [peers, ...(args.ingressFrom ?? [])],
            egressTo: [peers, ...(args.egressTo ?? [])],
            metrics: args.metricsPort !== undefined ? { port: args.metricsPort, namespace: args.metricsNamespace ?? d.DEFAULT_METRICS_NAMESPACE } : undefined,
            allowDns: args.allowDns ?? true,
        });

        this.name = headless.metadata.name;
        this.namespace = namespace;
        this.selectorLabels = pulumi.output(selector);
        this.serviceHost = pulumi.interpolate`${headless.metadata.name}.${namespace}.svc.cluster.local`;
        this.serviceAccountName = sa.metadata.name;
        this.registerOutputs({
            name: this.name, namespace: this.namespace, selectorLabels: this.selectorLabels,
            serviceHost: this.serviceHost, serviceAccountName: this.serviceAccountName,
        });
    }
}
