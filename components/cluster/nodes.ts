/**
 * Node group arithmetic and launch template data: pure functions, tested without mocks.
 */

/** Defaults of the node groups, in one place. */
export const NODE_DEFAULTS = {
    instanceTypes: ["m7i.large"],
    /** The seed's 3–10 nodes across the cluster. */
    minNodes: 3,
    maxNodes: 10,
    diskSizeGiB: 50,
    diskIops: 3000,
    diskThroughputMiBps: 125,
    capacityType: "ON_DEMAND",
    amiType: "AL2023_x86_64_STANDARD",
    maxUnavailable: 1,
    /** AL2023 EKS AMIs boot from this device. */
    rootDeviceName: "/dev/xvda",
} as const;

export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export const TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] as const;
/** AMI types whose root device is `/dev/xvda` and that the launch template here suits. */
export const AMI_TYPES = ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64"] as const;

/** Node counts of one zone's group. */
export interface ZoneScaling {
    minSize: number;
    maxSize: number;
    desiredSize: number;
}

/**
 * Splits cluster-wide node counts over the zones' groups as evenly as possible (the first zones take the
 * remainder), so the per-zone counts add up to the totals: 3–10 over 3 zones is 1–4, 1–3, 1–3.
 */
export function distributeNodes(zoneCount: number, minNodes: number, maxNodes: number, desiredNodes: number): ZoneScaling[] {
    const split = (total: number, i: number) => Math.floor(total / zoneCount) + (i < total % zoneCount ? 1 : 0);
    return Array.from({ length: zoneCount }, (_, i) => ({
        minSize: split(minNodes, i),
        maxSize: split(maxNodes, i),
        desiredSize: split(desiredNodes, i),
    }));
}

/** The launch template settings that matter for security: IMDSv2 only, hop limit 1, encrypted gp3 root volume. */
export interface LaunchTemplateSettings {
    metadataOptions: {
        httpEndpoint: "enabled";
        httpTokens: "required";
        httpPutResponseHopLimit: number;
        instanceMetadataTags: "disabled";
    };
    blockDeviceMappings: Array<{
        deviceName: string;
        ebs: { volumeSize: number; volumeType: "gp3"; iops: number; throughput: number; encrypted: "true"; deleteOnTermination: "true" };
    }>;
}

/**
 * Launch template data for every node group: instance metadata only through IMDSv2 session tokens with a hop
 * limit of 1 (so pods, one network hop away, cannot reach the node role's credentials), and an encrypted gp3
 * root volume.
 */
export function launchTemplateSettings(diskSizeGiB: number, iops: number = NODE_DEFAULTS.diskIops, throughput: number = NODE_DEFAULTS.diskThroughputMiBps): LaunchTemplateSettings {
    return {
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        blockDeviceMappings: [{
            deviceName: NODE_DEFAULTS.rootDeviceName,
            ebs: { volumeSize: diskSizeGiB, volumeType: "gp3", iops, throughput, encrypted: "true", deleteOnTermination: "true" },
        }],
    };
}

/** The tags cluster-autoscaler's auto-discovery looks for on a node group. */
export function autoscalerDiscoveryTags(clusterName: string): Record<string, string> {
    return {
        "k8s.io/cluster-autoscaler/enabled": "true",
        [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
    };
}

/** EC2 instance type names: family and size, `m7i.large`, `c6g.2xlarge`. */
export function instanceTypeProblem(t: string): string | undefined {
    return /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(t) ? undefined : `"${t}" is not an EC2 instance type such as m7i.large`;
}
