import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { childName, dns1123LabelProblem, dns1123SubdomainProblem } from "../lib/names";
import { DEFAULT_KUBERNETES_VERSION, EKS_ADDON_NAMES, KubernetesVersion, kubernetesVersionProblem } from "../../lib/versions";
import { cidrProblem } from "../network/cidr";
import { LOG_RETENTION_DAYS, MIN_AVAILABILITY_ZONES, Vpc, VpcArgs, vpcProblems, zoneKeys } from "../network/vpc";
import {
    ADDON_SERVICE_ACCOUNTS, addonVersion, defaultStorageClass, RECLAIM_POLICIES, STORAGE_DEFAULTS, volumeSnapshotClass, vpcCniConfiguration,
} from "./addons";
import { clusterTrustPolicy, issuerHost, MANAGED_POLICIES, nodeTrustPolicy, secretsKeyUsePolicy } from "../../lib/iam";
import { IrsaRole } from "./irsa";
import { checkKmsKeyArn, logsKmsKey } from "../lib/logsKey";
import { kubeconfigFor, regionOfArn } from "./kubeconfig";
import {
    AMI_TYPES, autoscalerDiscoveryTags, CAPACITY_TYPES, distributeNodes, instanceTypeProblem, launchTemplateSettings, NODE_DEFAULTS, TAINT_EFFECTS,
} from "./nodes";

/** Defaults of {@link EksClusterArgs} that are not node or storage settings. */
export const CLUSTER_DEFAULTS = {
    logRetentionDays: 90,
    kmsDeletionWindowDays: 30,
    bootstrapCreatorAdmin: true,
    /** Standard support only: a version past standard support is upgraded instead of billed for extended support. */
    supportType: "STANDARD",
} as const;

/** The log group EKS writes the control-plane logs of a cluster to (a fixed name). */
export function controlPlaneLogGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

/** Every control-plane log type; all are on. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** EKS access policies by short name. */
export const ACCESS_POLICIES: Record<string, string> = {
    "cluster-admin": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    admin: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy",
    edit: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
    view: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
};

/** A private subnet of an existing network. */
export interface ExistingSubnetArgs {
    /** The subnet's availability zone, e.g. `us-east-1a`; names the zone's node group. Required. */
    availabilityZone: string;
    /** The subnet id. Required. */
    subnetId: pulumi.Input<string>;
}

/** A network created elsewhere. */
export interface ExistingNetworkArgs {
    /** The VPC id. Required. */
    vpcId: pulumi.Input<string>;
    /** One private subnet per zone, each in a different zone; at least 2. Required. */
    privateSubnets: ExistingSubnetArgs[];
}

/** A taint on every node of the node groups. */
export interface NodeTaintArgs {
    /** Taint key. Required. */
    key: string;
    /** Taint value. Defaults to none. */
    value?: string;
    /** `NO_SCHEDULE`, `NO_EXECUTE` or `PREFER_NO_SCHEDULE`. Required. */
    effect: string;
}

/** The managed node groups: one per zone, all alike, so cluster-autoscaler can balance them. */
export interface EksNodeGroupArgs {
    /** EC2 instance types, most preferred first; at least one. Defaults to `["m7i.large"]`. */
    instanceTypes?: string[];
    /** Fewest nodes across the cluster, split evenly over the zones. Defaults to 3. Must not exceed `maxNodes`. */
    minNodes?: number;
    /** Most nodes across the cluster, split evenly over the zones; at least one per zone. Defaults to 10. */
    maxNodes?: number;
    /** Nodes to start with across the cluster, between `minNodes` and `maxNodes`. Defaults to `minNodes`. */
    desiredNodes?: number;
    /** Root volume size in GiB (gp3, encrypted). At least 20. Defaults to 50. */
    diskSizeGiB?: number;
    /** `ON_DEMAND` or `SPOT`. Defaults to `ON_DEMAND`. */
    capacityType?: string;
    /** EKS AMI type: `AL2023_x86_64_STANDARD`, `AL2023_ARM_64_STANDARD`, `BOTTLEROCKET_x86_64` or `BOTTLEROCKET_ARM_64`. Defaults to `AL2023_x86_64_STANDARD`. */
    amiType?: string;
    /** Kubernetes labels on every node. Defaults to none. */
    labels?: { [key: string]: string };
    /** Kubernetes taints on every node. Defaults to none. */
    taints?: NodeTaintArgs[];
    /** Nodes of a group replaced at once during an update. At least 1. Defaults to 1. */
    maxUnavailable?: number;
}

/** Who may use the cluster's API, through an EKS access entry. */
export interface ClusterAccessEntryArgs {
    /** A short name for the entry (DNS label); names the child resources. Required. */
    name: string;
    /** The IAM role or user ARN. Required. */
    principalArn: pulumi.Input<string>;
    /** `cluster-admin`, `admin`, `edit` or `view` (the EKS access policies). Required. */
    policy: string;
    /** Limits the policy to these namespaces; empty means the whole cluster. Defaults to the whole cluster. */
    namespaces?: string[];
    /** Kubernetes groups for RBAC bindings you write yourself. Defaults to none. */
    kubernetesGroups?: string[];
}

/** Arguments of {@link EksCluster}. */
export interface EksClusterArgs {
    /** The EKS cluster's name (letters, digits, `-`, `_`; at most 100). Defaults to the component's name. */
    clusterName?: string;
    /** Kubernetes minor from the version matrix (1.33, 1.34, 1.35); others are refused. Defaults to 1.35. */
    kubernetesVersion?: string;
    /** The VPC to create (3 zones by default). Conflicts with `existingNetwork`. Defaults to a Vpc with its defaults. */
    network?: VpcArgs;
    /** Use a network created elsewhere instead of creating one. Conflicts with `network`. */
    existingNetwork?: ExistingNetworkArgs;
    /**
     * CIDR blocks that may reach the public API endpoint. Empty keeps the endpoint private only (reach it from inside
     * the VPC, a VPN or a peered network). `0.0.0.0/0` is refused. Defaults to empty.
     */
    publicAccessCidrs?: string[];
    /** Days the control-plane log group keeps logs; a CloudWatch retention period. Defaults to 90. */
    logRetentionDays?: number;
    /**
     * Days before the KMS keys this component creates (secrets, control-plane logs, the network's flow logs) are
     * deleted after the cluster is destroyed (7–30); `network.flowLogs.kmsDeletionWindowDays` overrides it for the
     * flow-log key. Defaults to 30.
     */
    kmsDeletionWindowDays?: number;
    /**
     * ARN of a KMS key (in the cluster's region) that encrypts the control-plane log group. Its key policy must let
     * CloudWatch Logs (`logs.<region>.amazonaws.com`) use it for `/aws/eks/<clusterName>/cluster`, or creating the
     * group fails. Defaults to a key this component creates: rotation on, deleted after `kmsDeletionWindowDays`, and
     * a policy that lets CloudWatch Logs use it for that group only (the account administers it).
     */
    controlPlaneLogsKmsKeyArn?: pulumi.Input<string>;
    /** IAM principals that may use the cluster, through access entries (authentication mode API). Defaults to none. */
    accessEntries?: ClusterAccessEntryArgs[];
    /**
     * Whether the identity that creates the cluster gets cluster-admin through an access entry. The component needs it
     * to create the StorageClass unless an access entry gives that identity access. Defaults to true.
     */
    bootstrapCreatorAdmin?: boolean;
    /** The node groups. Defaults to 3–10 m7i.large nodes across the zones. */
    nodeGroup?: EksNodeGroupArgs;
    /** Add-on version overrides by add-on name (`vpc-cni`, `coredns`, …). Defaults to the version matrix. */
    addonVersions?: { [name: string]: string };
    /** Name of the default StorageClass (encrypted gp3). Defaults to `gp3-encrypted`. */
    storageClassName?: string;
    /** The default StorageClass's reclaim policy, `Retain` or `Delete`. Defaults to `Retain`. */
    storageReclaimPolicy?: string;
    /** Name of the EBS VolumeSnapshotClass. Defaults to `ebs-snapshots`. */
    volumeSnapshotClassName?: string;
    /** Tags on every taggable child, and on EBS volumes the CSI driver creates. Tags never influence names. Defaults to none. */
    tags?: { [key: string]: string };
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;

/** The zone keys of the cluster's network: zone names, or `zone1…` when the VPC is given a count. */
export function clusterZoneKeys(args: EksClusterArgs): string[] {
    return args.existingNetwork ? args.existingNetwork.privateSubnets.map((s) => s.availabilityZone) : zoneKeys(args.network ?? {});
}

/** Adds every problem with `args` to `problems`. `name` is the component's name (the default cluster name). */
export function eksClusterProblems(name: string, args: EksClusterArgs, problems: Problems): void {
    const clusterName = args.clusterName ?? name;
    problems.check(CLUSTER_NAME.test(clusterName) && clusterName.length <= 100, "clusterName",
        `"${clusterName}" is not an EKS cluster name (letters, digits, '-' and '_', starting with a letter or digit, at most 100)`);

    const version = args.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const vp = kubernetesVersionProblem(version);
    problems.check(vp === undefined, "kubernetesVersion", vp ?? "");

    if (args.network && args.existingNetwork) {
        problems.add("existingNetwork", "conflicts with network: create a network or use an existing one, not both");
    }
    if (args.existingNetwork) {
        const subnets = args.existingNetwork.privateSubnets;
        problems.check(subnets.length >= MIN_AVAILABILITY_ZONES, "existingNetwork.privateSubnets",
            `${subnets.length} subnet${subnets.length === 1 ? "" : "s"} given; a production cluster spans at least ${MIN_AVAILABILITY_ZONES} zones so that one zone failing does not take it down`);
        subnets.forEach((s, i) => {
            problems.check(subnets.findIndex((o) => o.availabilityZone === s.availabilityZone) === i, `existingNetwork.privateSubnets[${i}].availabilityZone`,
                `"${s.availabilityZone}" already has a subnet; give one subnet per zone`);
        });
    } else {
        vpcProblems(args.network ?? {}, problems.under("network"));
    }

    (args.publicAccessCidrs ?? []).forEach((c, i) => {
        const cp = cidrProblem(c);
        if (!problems.check(cp === undefined, `publicAccessCidrs[${i}]`, cp ?? "")) {
            return;
        }
        problems.check(!c.endsWith("/0"), `publicAccessCidrs[${i}]`, `${c} opens the API endpoint to the whole internet; list the networks that need it, or keep it private`);
    });

    const retention = args.logRetentionDays ?? CLUSTER_DEFAULTS.logRetentionDays;
    problems.check((LOG_RETENTION_DAYS as readonly number[]).includes(retention), "logRetentionDays",
        `${retention} is not a CloudWatch Logs retention period (${LOG_RETENTION_DAYS.join(", ")})`);
    const window = args.kmsDeletionWindowDays ?? CLUSTER_DEFAULTS.kmsDeletionWindowDays;
    problems.check(Number.isInteger(window) && window >= 7 && window <= 30, "kmsDeletionWindowDays", `${window} must be a whole number of days from 7 to 30`);
    checkKmsKeyArn(problems, "controlPlaneLogsKmsKeyArn", args.controlPlaneLogsKmsKeyArn);

    const names = new Set<string>();
    (args.accessEntries ?? []).forEach((e, i) => {
        const path = `accessEntries[${i}]`;
        const np = dns1123LabelProblem(e.name);
        problems.check(np === undefined, `${path}.name`, np ?? "");
        problems.check(!names.has(e.name), `${path}.name`, `"${e.name}" is used by another access entry`);
        names.add(e.name);
        problems.check(e.policy in ACCESS_POLICIES, `${path}.policy`, `"${e.policy}" is not one of ${Object.keys(ACCESS_POLICIES).join(", ")}`);
        (e.namespaces ?? []).forEach((ns, j) => {
            const p = dns1123LabelProblem(ns);
            problems.check(p === undefined, `${path}.namespaces[${j}]`, p ?? "");
        });
        if (e.policy === "cluster-admin" && (e.namespaces ?? []).length > 0) {
            problems.add(`${path}.namespaces`, "cluster-admin applies to the whole cluster; use admin, edit or view for namespaces");
        }
    });

    const ng = args.nodeGroup ?? {};
    const p = problems.under("nodeGroup");
    const types = ng.instanceTypes ?? [...NODE_DEFAULTS.instanceTypes];
    if (p.check(types.length > 0, "instanceTypes", "no instance types given; list at least one, such as m7i.large")) {
        types.forEach((t, i) => {
            const tp = instanceTypeProblem(t);
            p.check(tp === undefined, `instanceTypes[${i}]`, tp ?? "");
        });
    }
    const zones = clusterZoneKeys(args).length;
    const min = ng.minNodes ?? NODE_DEFAULTS.minNodes;
    const max = ng.maxNodes ?? NODE_DEFAULTS.maxNodes;
    const desired = ng.desiredNodes ?? min;
    p.check(Number.isInteger(min) && min >= 0, "minNodes", `${min} must be a whole number, 0 or more`);
    if (p.check(Number.isInteger(max) && max >= 1, "maxNodes", `${max} must be a whole number, 1 or more`)) {
        p.check(max >= zones, "maxNodes", `${max} nodes cannot give each of the ${zones} zones' node groups at least one`);
        if (p.check(min <= max, "minNodes", `minNodes ${min} is greater than maxNodes ${max}`)) {
            p.check(Number.isInteger(desired) && desired >= min && desired <= max, "desiredNodes", `${desired} must lie between minNodes ${min} and maxNodes ${max}`);
        }
    }
    const disk = ng.diskSizeGiB ?? NODE_DEFAULTS.diskSizeGiB;
    p.check(Number.isInteger(disk) && disk >= 20 && disk <= 16384, "diskSizeGiB", `${disk} must be a whole number of GiB from 20 to 16384`);
    const capacity = ng.capacityType ?? NODE_DEFAULTS.capacityType;
    p.check((CAPACITY_TYPES as readonly string[]).includes(capacity), "capacityType", `"${capacity}" is not one of ${CAPACITY_TYPES.join(", ")}`);
    const ami = ng.amiType ?? NODE_DEFAULTS.amiType;
    p.check((AMI_TYPES as readonly string[]).includes(ami), "amiType", `"${ami}" is not one of ${AMI_TYPES.join(", ")}`);
    const unavailable = ng.maxUnavailable ?? NODE_DEFAULTS.maxUnavailable;
    p.check(Number.isInteger(unavailable) && unavailable >= 1, "maxUnavailable", `${unavailable} must be a whole number, 1 or more`);
    Object.keys(ng.labels ?? {}).forEach((k) => {
        const name = k.includes("/") ? k.split("/").pop()! : k;
        p.check(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name), `labels.${k}`, `"${k}" is not a Kubernetes label key`);
    });
    (ng.taints ?? []).forEach((t, i) => {
        p.check((TAINT_EFFECTS as readonly string[]).includes(t.effect), `taints[${i}].effect`, `"${t.effect}" is not one of ${TAINT_EFFECTS.join(", ")}`);
        p.check(t.key.length > 0, `taints[${i}].key`, "a taint needs a key");
    });

    Object.keys(args.addonVersions ?? {}).forEach((k) => {
        problems.check((EKS_ADDON_NAMES as readonly string[]).includes(k), `addonVersions.${k}`, `"${k}" is not an add-on this component installs (${EKS_ADDON_NAMES.join(", ")})`);
    });
    for (const [path, value] of [["storageClassName", args.storageClassName], ["volumeSnapshotClassName", args.volumeSnapshotClassName]] as const) {
        if (value !== undefined) {
            const sp = dns1123SubdomainProblem(value);
            problems.check(sp === undefined, path, sp ?? "");
        }
    }
    const reclaim = args.storageReclaimPolicy ?? STORAGE_DEFAULTS.reclaimPolicy;
    problems.check((RECLAIM_POLICIES as readonly string[]).includes(reclaim), "storageReclaimPolicy", `"${reclaim}" is not one of ${RECLAIM_POLICIES.join(", ")}`);
}

/** Arguments of {@link EksCluster.serviceAccountRole}. */
export interface ServiceAccountRoleArgs {
    namespace: string;
    serviceAccount: string;
    policyDocument?: pulumi.Input<string>;
    managedPolicyArns?: string[];
}

/** Each cluster's Kubernetes provider, behind the `provider` accessor (see there why it is not a property). */
const clusterProviders = new WeakMap<EksCluster, k8s.Provider>();

/**
 * A production EKS cluster: a supported Kubernetes version from the version matrix, secrets encrypted with a
 * rotating KMS key, every control-plane log type in a KMS-encrypted log group with retention, a private API endpoint,
 * authentication through access entries, an OIDC provider for IRSA, one managed node group per zone from a
 * launch template that requires IMDSv2 (hop limit 1) and encrypts gp3 root volumes, the core add-ons (vpc-cni
 * enforcing NetworkPolicy, coredns, kube-proxy, the EBS CSI driver through IRSA, the snapshot controller), a
 * default encrypted gp3 StorageClass and a VolumeSnapshotClass, a kubeconfig and a Kubernetes provider.
 */
export class EksCluster extends pulumi.ComponentResource {
    /** The EKS cluster's name. */
    public readonly clusterName: pulumi.Output<string>;
    /** The EKS cluster's ARN. */
    public readonly clusterArn: pulumi.Output<string>;
    /** The cluster's AWS region (from its ARN). */
    public readonly region: pulumi.Output<string>;
    /** The Kubernetes minor the control plane runs. */
    public readonly kubernetesVersion: pulumi.Output<string>;
    /** The API server endpoint. */
    public readonly endpoint: pulumi.Output<string>;
    /** The cluster's certificate authority (base64 PEM). */
    public readonly certificateAuthorityData: pulumi.Output<string>;
    /** The security group EKS created for the control plane and the nodes. */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** The OIDC issuer URL (`https://oidc.eks…`). */
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    /** The OIDC issuer without its scheme, as IAM condition keys use it. */
    public readonly oidcProviderUrl: pulumi.Output<string>;
    /** The IAM OIDC provider's ARN, the principal of IRSA trust policies. */
    public readonly oidcProviderArn: pulumi.Output<string>;
    /** The KMS key that encrypts Kubernetes secrets. */
    public readonly secretsKeyArn: pulumi.Output<string>;
    /** The control-plane log group. */
    public readonly logGroupName: pulumi.Output<string>;
    /** The KMS key that encrypts the control-plane log group (`controlPlaneLogsKmsKeyArn`, or the one this component creates). */
    public readonly logsKeyArn: pulumi.Output<string>;
    /** The node instance role's ARN. */
    public readonly nodeRoleArn: pulumi.Output<string>;
    /** The managed node group names, one per zone in zone order. */
    public readonly nodeGroupNames: pulumi.Output<string[]>;
    /** The availability zones the node groups run in, in zone order. */
    public readonly availabilityZones: pulumi.Output<string[]>;
    /** The VPC id. */
    public readonly vpcId: pulumi.Output<string>;
    /** The private subnet ids, in zone order. */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** The default StorageClass's name. */
    public readonly storageClassName: pulumi.Output<string>;
    /** The VolumeSnapshotClass's name. */
    public readonly volumeSnapshotClassName: pulumi.Output<string>;
    /**
     * A kubeconfig (JSON) that authenticates with `aws eks get-token`; secret. From languages other than
     * TypeScript, build a Kubernetes provider from it (the `provider` accessor is TypeScript-only).
     */
    public readonly kubeconfig: pulumi.Output<string>;

    /**
     * A Kubernetes provider for this cluster: pass it to the components that deploy onto it.
     *
     * An accessor, not a property, so that it stays out of the package schema: Pulumi's component
     * analyzer writes a provider as `#/resources/kubernetes`, which names no resource, and a schema
     * with that reference does not bind (`pulumi package add` would fail). Other languages use
     * `kubeconfig`.
     */
    public get provider(): k8s.Provider {
        return clusterProviders.get(this)!;
    }

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k8sprod:cluster:EksCluster", name, {}, opts);
        const problems = new Problems();
        eksClusterProblems(name, args, problems);
        problems.throwIfAny(`EksCluster ${name}`);

        const parent = { parent: this };
        const clusterName = args.clusterName ?? name;
        const version = (args.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION) as KubernetesVersion;
        const tags = args.tags ?? {};
        const ng = args.nodeGroup ?? {};
        const keys = clusterZoneKeys(args);
        const window = args.kmsDeletionWindowDays ?? CLUSTER_DEFAULTS.kmsDeletionWindowDays;

        // Network: the zones, one private subnet per zone.
        let vpcId: pulumi.Output<string>;
        let zoneNames: pulumi.Output<string[]>;
        let subnetIds: pulumi.Output<string>[];
        if (args.existingNetwork) {
            vpcId = pulumi.output(args.existingNetwork.vpcId);
            zoneNames = pulumi.output(args.existingNetwork.privateSubnets.map((s) => s.availabilityZone));
            subnetIds = args.existingNetwork.privateSubnets.map((s) => pulumi.output(s.subnetId));
        } else {
            // The flow-log key is deleted after the cluster's window unless the network says otherwise.
            const network: VpcArgs = { tags, ...args.network, clusterName };
            if (args.network?.flowLogs?.kmsKeyArn === undefined) {
                network.flowLogs = { kmsDeletionWindowDays: window, ...args.network?.flowLogs };
            }
            const vpc = new Vpc(childName(name, "network"), network, parent);
            vpcId = vpc.vpcId;
            zoneNames = vpc.availabilityZones;
            subnetIds = keys.map((_, i) => vpc.privateSubnetIds.apply((ids) => ids[i]));
        }

        // Secrets encryption and control-plane logs.
        const key = new aws.kms.Key(childName(name, "secrets"), {
            description: `Envelope encryption of Kubernetes secrets in EKS cluster ${clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: window,
            tags,
        }, parent);
        // EKS writes to this exact name; creating the group first is what gives it a retention and a key.
        const logGroupName = controlPlaneLogGroupName(clusterName);
        const logsKeyArn = args.controlPlaneLogsKmsKeyArn !== undefined
            ? pulumi.output(args.controlPlaneLogsKmsKeyArn)
            : logsKmsKey(childName(name, "control-plane-logs-key"), {
                description: `Encryption of the control-plane log group of EKS cluster ${clusterName}`,
                deletionWindowInDays: window,
                logGroupNames: [logGroupName],
                tags,
            }, parent).arn;
        const logGroup = new aws.cloudwatch.LogGroup(childName(name, "control-plane"), {
            name: logGroupName,
            retentionInDays: args.logRetentionDays ?? CLUSTER_DEFAULTS.logRetentionDays,
            // The key exists before the group: the group's kmsKeyId depends on it.
            kmsKeyId: logsKeyArn,
            tags,
        }, parent);

        // The control plane's role.
        const clusterRole = new aws.iam.Role(childName(name, "cluster"), { assumeRolePolicy: JSON.stringify(clusterTrustPolicy()), tags }, parent);
        const clusterPolicy = new aws.iam.RolePolicyAttachment(childName(name, "cluster"), { role: clusterRole.name, policyArn: MANAGED_POLICIES.cluster }, parent);
        const keyUse = new aws.iam.RolePolicy(childName(name, "cluster-kms"), {
            role: clusterRole.id,
            policy: key.arn.apply((arn) => JSON.stringify(secretsKeyUsePolicy(arn))),
        }, parent);

        const publicCidrs = args.publicAccessCidrs ?? [];
        const cluster = new aws.eks.Cluster(childName(name, "cluster"), {
            name: clusterName,
            version,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: publicCidrs.length > 0,
                ...(publicCidrs.length > 0 ? { publicAccessCidrs: publicCidrs } : {}),
            },
            encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
            accessConfig: {
                authenticationMode: "API",
                bootstrapClusterCreatorAdminPermissions: args.bootstrapCreatorAdmin ?? CLUSTER_DEFAULTS.bootstrapCreatorAdmin,
            },
            // The add-ons below are EKS managed add-ons with pinned versions; EKS installs no unmanaged copies.
            bootstrapSelfManagedAddons: false,
            upgradePolicy: { supportType: CLUSTER_DEFAULTS.supportType },
            tags,
        }, { parent: this, dependsOn: [logGroup, clusterPolicy, keyUse] });

        // IRSA.
        const issuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
        const oidc = new aws.iam.OpenIdConnectProvider(childName(name, "oidc"), {
            url: issuer,
            clientIdLists: ["sts.amazonaws.com"],
            tags,
        }, parent);

        // Access entries.
        for (const entry of args.accessEntries ?? []) {
            const accessEntry = new aws.eks.AccessEntry(childName(name, "access", entry.name), {
                clusterName: cluster.name,
                principalArn: entry.principalArn,
                kubernetesGroups: entry.kubernetesGroups,
                type: "STANDARD",
                tags,
            }, parent);
            const namespaces = entry.namespaces ?? [];
            new aws.eks.AccessPolicyAssociation(childName(name, "access", entry.name), {
                clusterName: cluster.name,
                principalArn: accessEntry.principalArn,
                policyArn: ACCESS_POLICIES[entry.policy],
                accessScope: namespaces.length > 0 ? { type: "namespace", namespaces } : { type: "cluster" },
            }, parent);
        }

        // Add-ons that nodes need to become Ready come before the nodes.
        const addon = (addonName: (typeof EKS_ADDON_NAMES)[number], extra: Partial<aws.eks.AddonArgs>, dependsOn: pulumi.Resource[] = []) =>
            new aws.eks.Addon(childName(name, "addon", addonName), {
                clusterName: cluster.name,
                addonName,
                addonVersion: addonVersion(version, addonName, args.addonVersions),
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags,
                ...extra,
            }, { parent: this, dependsOn });
        const irsa = (role: string, sa: { namespace: string; name: string }, policyArn: string) => new IrsaRole(childName(name, role), {
            oidcProviderArn: oidc.arn,
            oidcIssuerUrl: issuer,
            namespace: sa.namespace,
            serviceAccount: sa.name,
            managedPolicyArns: [policyArn],
            tags,
        }, parent);
        const cniRole = irsa("vpc-cni", ADDON_SERVICE_ACCOUNTS["vpc-cni"], MANAGED_POLICIES.cni);
        const vpcCni = addon("vpc-cni", {
            serviceAccountRoleArn: cniRole.roleArn,
            configurationValues: JSON.stringify(vpcCniConfiguration()),
        });
        const kubeProxy = addon("kube-proxy", {});

        // Nodes: one managed node group per zone, all from one launch template.
        const nodeRole = new aws.iam.Role(childName(name, "node"), { assumeRolePolicy: JSON.stringify(nodeTrustPolicy()), tags }, parent);
        const nodePolicies = [MANAGED_POLICIES.workerNode, MANAGED_POLICIES.registryPull].map((arn) =>
            new aws.iam.RolePolicyAttachment(childName(name, "node", arn.split("/").pop()!), { role: nodeRole.name, policyArn: arn }, parent));
        const lt = launchTemplateSettings(ng.diskSizeGiB ?? NODE_DEFAULTS.diskSizeGiB);
        const launchTemplate = new aws.ec2.LaunchTemplate(childName(name, "nodes"), {
            description: `Nodes of EKS cluster ${clusterName}: IMDSv2 only, encrypted gp3 root volume`,
            metadataOptions: lt.metadataOptions,
            blockDeviceMappings: lt.blockDeviceMappings,
            tagSpecifications: Object.keys(tags).length > 0
                ? ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags }))
                : undefined,
            updateDefaultVersion: true,
            tags,
        }, parent);
        const min = ng.minNodes ?? NODE_DEFAULTS.minNodes;
        const scaling = distributeNodes(keys.length, min, ng.maxNodes ?? NODE_DEFAULTS.maxNodes, ng.desiredNodes ?? min);
        const nodeGroups = keys.map((key, i) => new aws.eks.NodeGroup(childName(name, "nodes", key), {
            clusterName: cluster.name,
            nodeRoleArn: nodeRole.arn,
            subnetIds: [subnetIds[i]],
            instanceTypes: ng.instanceTypes ?? [...NODE_DEFAULTS.instanceTypes],
            capacityType: ng.capacityType ?? NODE_DEFAULTS.capacityType,
            amiType: ng.amiType ?? NODE_DEFAULTS.amiType,
            scalingConfig: scaling[i],
            updateConfig: { maxUnavailable: ng.maxUnavailable ?? NODE_DEFAULTS.maxUnavailable },
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply((v) => String(v)) },
            labels: ng.labels,
            taints: ng.taints,
            tags: { ...tags, ...autoscalerDiscoveryTags(clusterName) },
        }, {
            parent: this,
            dependsOn: [vpcCni, kubeProxy, ...nodePolicies],
            // cluster-autoscaler changes the desired size; Pulumi must not reset it on every update.
            ignoreChanges: ["scalingConfig.desiredSize"],
        }));

        // Add-ons that run as pods need nodes.
        addon("coredns", {}, nodeGroups);
        const ebsRole = irsa("ebs-csi", ADDON_SERVICE_ACCOUNTS["aws-ebs-csi-driver"], MANAGED_POLICIES.ebsCsi);
        const ebsCsi = addon("aws-ebs-csi-driver", {
            serviceAccountRoleArn: ebsRole.roleArn,
            ...(Object.keys(tags).length > 0 ? { configurationValues: JSON.stringify(ebsCsiConfiguration(tags)) } : {}),
        }, nodeGroups);
        const snapshotController = addon("snapshot-controller", {}, nodeGroups);

        // Kubeconfig and provider.
        const kubeconfig = pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority, cluster.arn]).apply(([n, endpoint, ca, arn]) =>
            JSON.stringify(kubeconfigFor({ clusterName: n, endpoint, certificateAuthorityData: ca?.data ?? "", region: regionOfArn(arn) })));
        const provider = new k8s.Provider(childName(name, "k8s"), {
            kubeconfig: pulumi.secret(kubeconfig),
            enableServerSideApply: true,
        }, { parent: this, dependsOn: nodeGroups });

        // Storage.
        const scName = args.storageClassName ?? STORAGE_DEFAULTS.storageClassName;
        const sc = defaultStorageClass(scName, args.storageReclaimPolicy ?? STORAGE_DEFAULTS.reclaimPolicy);
        new k8s.storage.v1.StorageClass(childName(name, "storage-class"), {
            metadata: sc.metadata,
            provisioner: sc.provisioner,
            parameters: sc.parameters,
            reclaimPolicy: sc.reclaimPolicy,
            volumeBindingMode: sc.volumeBindingMode,
            allowVolumeExpansion: sc.allowVolumeExpansion,
        }, { parent: this, provider, dependsOn: [ebsCsi] });
        const vscName = args.volumeSnapshotClassName ?? STORAGE_DEFAULTS.volumeSnapshotClassName;
        const vsc = volumeSnapshotClass(vscName, STORAGE_DEFAULTS.snapshotDeletionPolicy);
        new k8s.apiextensions.CustomResource(childName(name, "snapshot-class"), {
            apiVersion: vsc.apiVersion,
            kind: vsc.kind,
            metadata: vsc.metadata,
            driver: vsc.driver,
            deletionPolicy: vsc.deletionPolicy,
        }, { parent: this, provider, dependsOn: [ebsCsi, snapshotController] });

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.region = cluster.arn.apply((arn) => regionOfArn(arn) ?? "");
        this.kubernetesVersion = cluster.version;
        this.endpoint = cluster.endpoint;
        this.certificateAuthorityData = cluster.certificateAuthority.apply((ca) => ca?.data ?? "");
        this.clusterSecurityGroupId = cluster.vpcConfig.apply((c) => c?.clusterSecurityGroupId ?? "");
        this.oidcIssuerUrl = issuer;
        this.oidcProviderUrl = issuer.apply(issuerHost);
        this.oidcProviderArn = oidc.arn;
        this.secretsKeyArn = key.arn;
        this.logGroupName = logGroup.name;
        this.logsKeyArn = logsKeyArn;
        this.nodeRoleArn = nodeRole.arn;
        this.nodeGroupNames = pulumi.all(nodeGroups.map((g) => g.nodeGroupName));
        this.availabilityZones = zoneNames;
        this.vpcId = vpcId;
        this.privateSubnetIds = pulumi.all(subnetIds);
        this.storageClassName = pulumi.output(scName);
        this.volumeSnapshotClassName = pulumi.output(vscName);
        this.kubeconfig = pulumi.secret(kubeconfig);
        clusterProviders.set(this, provider);
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            kubernetesVersion: this.kubernetesVersion,
            endpoint: this.endpoint,
            oidcProviderArn: this.oidcProviderArn,
            oidcIssuerUrl: this.oidcIssuerUrl,
            logsKeyArn: this.logsKeyArn,
            nodeGroupNames: this.nodeGroupNames,
            availabilityZones: this.availabilityZones,
            kubeconfig: this.kubeconfig,
        });
    }

    /**
     * A least-privilege IRSA role for one service account of this cluster (see {@link IrsaRole}), a child of the cluster.
     */
    serviceAccountRole(name: string, args: ServiceAccountRoleArgs): IrsaRole {
        return new IrsaRole(name, { ...args, oidcProviderArn: this.oidcProviderArn, oidcIssuerUrl: this.oidcIssuerUrl }, { parent: this });
    }
}

/** aws-ebs-csi-driver configuration: the cluster's tags on every volume and snapshot the driver creates. */
export function ebsCsiConfiguration(tags: { [key: string]: string }): Record<string, unknown> {
    return { controller: { extraVolumeTags: { ...tags } } };
}
