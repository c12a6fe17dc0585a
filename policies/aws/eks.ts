// EKS control plane: zones, secrets encryption, endpoint exposure, control-plane logs, supported versions.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/versions";
import { arr, bool, obj, readKnown, resourcePolicy, stackPolicy, str, TYPES } from "./lib";

/** The subnets a cluster's vpcConfig names, found through its dependencies or by id. */
function clusterSubnets(cluster: PolicyResource, all: PolicyResource[]): PolicyResource[] {
    const byProperty = arr(cluster.propertyDependencies?.vpcConfig).filter((d: PolicyResource) => d.type === TYPES.subnet);
    if (byProperty.length > 0) {
        return byProperty;
    }
    const byDependency = arr(cluster.dependencies).filter((d: PolicyResource) => d.type === TYPES.subnet);
    if (byDependency.length > 0) {
        return byDependency;
    }
    const ids = arr(obj(cluster.props.vpcConfig)?.subnetIds).filter((x) => typeof x === "string");
    return all.filter((r) => r.type === TYPES.subnet && ids.includes(str(r.props.id) ?? ""));
}

export const eksMultiAz: StackValidationPolicy = stackPolicy({
    name: "eks-multi-az",
    description: "Checks whether every EKS cluster's subnets span enough availability zones that one zone failing leaves the cluster running.",
    enforcementLevel: "mandatory",
    config: {
        minZones: { type: "integer", minimum: 2, default: 2, description: "The fewest distinct availability zones a cluster's subnets must span." },
    },
    check: (resources, config, report) => {
        const minZones = typeof config.minZones === "number" ? config.minZones : 2;
        for (const cluster of resources.filter((r) => r.type === TYPES.eksCluster)) {
            const subnets = clusterSubnets(cluster, resources);
            if (subnets.length === 0) {
                // The subnets live outside this stack; EKS itself refuses fewer than two zones.
                continue;
            }
            const zones = new Set(subnets.map((s) => str(s.props.availabilityZone) ?? str(s.props.availabilityZoneId) ?? "?"));
            if (zones.size < minZones) {
                report(`EKS cluster "${cluster.name}": vpcConfig.subnetIds span ${zones.size} availability zone${zones.size === 1 ? "" : "s"} (${[...zones].sort().join(", ")}), fewer than the ${minZones} required; add a subnet in another zone so a zone failure does not take the cluster down.`, cluster.urn);
            }
        }
    },
});

export const eksSecretsEncryption: ResourceValidationPolicy = resourcePolicy({
    name: "eks-secrets-encryption",
    description: "Checks whether an EKS cluster encrypts Kubernetes secrets with a KMS key (envelope encryption), so a copy of etcd does not reveal them.",
    enforcementLevel: "mandatory",
    types: [TYPES.eksCluster],
    check: (ctx) => {
        // Decided from what preview knows: the key's ARN is usually unknown until the key exists, but
        // a keyArn that is set (known or not) is a key. Only an unknown encryptionConfig or resources
        // list leaves the policy undecided (the read throws, and the SDK reports it as not run).
        const given = ctx.props.encryptionConfig;
        const configs = Array.isArray(given) ? given : obj(given) ? [given] : [];
        const ok = configs.some((c) => {
            const config = obj(c);
            const provider = obj(config?.provider);
            if (!config || !arr(config.resources).includes("secrets") || !provider || !("keyArn" in provider)) {
                return false;
            }
            const key = readKnown(() => provider.keyArn);
            return key.unknown !== undefined || (str(key.value) ?? "") !== "";
        });
        if (!ok) {
            ctx.report(`${ctx.subject}: encryptionConfig does not encrypt "secrets" with a KMS key; set encryptionConfig to { provider: { keyArn }, resources: ["secrets"] } with a key that rotates.`);
        }
    },
});

export const eksPrivateEndpoint: ResourceValidationPolicy = resourcePolicy({
    name: "eks-private-endpoint",
    description: "Checks whether an EKS cluster's API endpoint is reachable privately and, when it is public at all, only from listed networks.",
    enforcementLevel: "mandatory",
    types: [TYPES.eksCluster],
    check: (ctx) => {
        const vpc = obj(ctx.props.vpcConfig) ?? {};
        if (bool(vpc.endpointPrivateAccess) !== true) {
            ctx.report(`${ctx.subject}: vpcConfig.endpointPrivateAccess is not true, so nodes reach the API server over the internet; set it to true.`);
        }
        // EKS turns the public endpoint on when endpointPublicAccess is not set.
        if (bool(vpc.endpointPublicAccess) !== false) {
            const cidrs = arr(vpc.publicAccessCidrs).filter((c) => typeof c === "string");
            if (cidrs.length === 0 || cidrs.some((c) => c.endsWith("/0"))) {
                ctx.report(`${ctx.subject}: vpcConfig.endpointPublicAccess is on and publicAccessCidrs ${cidrs.length === 0 ? "is not set" : `includes ${cidrs.filter((c) => c.endsWith("/0")).join(", ")}`}, so the API server is reachable from the whole internet; set endpointPublicAccess to false or list only the networks that need it in publicAccessCidrs.`);
            }
        }
    },
});

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksControlPlaneLogging: ResourceValidationPolicy = resourcePolicy({
    name: "eks-control-plane-logging",
    description: "Checks whether an EKS cluster sends its control-plane logs (api, audit, authenticator, controllerManager, scheduler) to CloudWatch Logs.",
    enforcementLevel: "mandatory",
    types: [TYPES.eksCluster],
    config: {
        requiredLogTypes: {
            type: "array", items: { type: "string", enum: CONTROL_PLANE_LOG_TYPES }, default: CONTROL_PLANE_LOG_TYPES,
            description: "Control-plane log types that must be enabled.",
        },
    },
    check: (ctx) => {
        const required = arr(ctx.config.requiredLogTypes ?? CONTROL_PLANE_LOG_TYPES).filter((t) => typeof t === "string");
        const enabled = arr(ctx.props.enabledClusterLogTypes);
        const missing = required.filter((t) => !enabled.includes(t));
        if (missing.length > 0) {
            ctx.report(`${ctx.subject}: enabledClusterLogTypes lacks ${missing.join(", ")}; enable every control-plane log type so an incident can be reconstructed.`);
        }
    },
});

export const eksSupportedVersion: ResourceValidationPolicy = resourcePolicy({
    name: "eks-supported-version",
    description: "Checks whether an EKS cluster pins a Kubernetes version from the supported range of the version matrix.",
    enforcementLevel: "mandatory",
    types: [TYPES.eksCluster],
    config: {
        versions: {
            type: "array", items: { type: "string", pattern: "^1\\.[0-9]+$" }, default: [...SUPPORTED_KUBERNETES_VERSIONS],
            description: "Kubernetes minors a cluster may run.",
        },
    },
    check: (ctx) => {
        const versions = arr(ctx.config.versions ?? SUPPORTED_KUBERNETES_VERSIONS).filter((v) => typeof v === "string");
        const version = str(ctx.props.version);
        if (version === undefined) {
            ctx.report(`${ctx.subject}: version is not set, so EKS picks one and upgrades are unplanned; set version to one of ${versions.join(", ")}.`);
        } else if (!versions.includes(version)) {
            ctx.report(`${ctx.subject}: version ${version} is outside the supported range; set version to one of ${versions.join(", ")}.`);
        }
    },
});
