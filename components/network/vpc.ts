import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { childName } from "../lib/names";
import { checkKmsKeyArn, logsKmsKey } from "../lib/logsKey";
import { cidrProblem, parseCidr, planSubnets, subnetCidrProblems } from "./cidr";

/** Defaults of {@link VpcArgs}, in one place. */
export const VPC_DEFAULTS = {
    cidrBlock: "10.0.0.0/16",
    availabilityZoneCount: 3,
    /** Private subnets are 3 bits longer than the VPC (a /19 in a /16: 8,187 usable addresses for pods). */
    privatePrefixOffset: 3,
    /** Public subnets are 8 bits longer than the VPC (a /24 in a /16): they hold only load balancers and NAT. */
    publicPrefixOffset: 8,
    natGateways: "one-per-zone",
    flowLogRetentionDays: 90,
    flowLogKmsDeletionWindowDays: 30,
    flowLogTrafficType: "ALL",
} as const;

/** The fewest zones a production network may span: one zone failing must not take the cluster down. */
export const MIN_AVAILABILITY_ZONES = 2;

export const NAT_GATEWAY_MODES = ["one-per-zone", "single"] as const;

/** Interface endpoints a private cluster needs to pull images and assume IRSA roles without a NAT. */
export const PRIVATE_CLUSTER_INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "sts"] as const;

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const TRAFFIC_TYPES = ["ACCEPT", "REJECT", "ALL"];

/** Flow log settings. */
export interface VpcFlowLogArgs {
    /** Whether VPC flow logs are written to CloudWatch Logs. Defaults to true. */
    enabled?: boolean;
    /** Days the flow log group keeps records; one of the CloudWatch retention periods. Defaults to 90. */
    retentionDays?: number;
    /** Which traffic is recorded: `ACCEPT`, `REJECT` or `ALL`. Defaults to `ALL`. */
    trafficType?: string;
    /**
     * ARN of a KMS key (in the VPC's region) that encrypts the flow log group, `/k8sprod/flow-logs/<vpc id>`. Its key
     * policy must let CloudWatch Logs (`logs.<region>.amazonaws.com`) use it for that group, or creating the group
     * fails. Defaults to a key this component creates: rotation on, and a policy that lets CloudWatch Logs use it
     * for that group only (the account administers it).
     */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * Days before the flow-log key this component creates is deleted once the VPC is destroyed (7–30). Ignored with
     * `kmsKeyArn`. Defaults to 30 (inside an EksCluster, the cluster's `kmsDeletionWindowDays`).
     */
    kmsDeletionWindowDays?: number;
}

/** Arguments of {@link Vpc}. */
export interface VpcArgs {
    /** The VPC's IPv4 block. Defaults to `10.0.0.0/16`. */
    cidrBlock?: string;
    /**
     * The availability zones to use, by name (`us-east-1a`). Children are named after each zone, so reordering
     * the list recreates nothing. Conflicts with `availabilityZoneCount`. At least 2. Defaults to the first
     * `availabilityZoneCount` zones the region reports as available.
     */
    availabilityZones?: string[];
    /**
     * How many zones to use when `availabilityZones` is not given; the names are looked up at deploy time and the
     * children are named `zone1`, `zone2`, … Conflicts with `availabilityZones`. At least 2. Defaults to 3.
     */
    availabilityZoneCount?: number;
    /**
     * Prefix length of each private subnet. Defaults to the VPC prefix + 3 (a /19 in a /16).
     * Ignored when `privateSubnetCidrs` is given.
     */
    privateSubnetPrefixLength?: number;
    /**
     * Prefix length of each public subnet. Defaults to the VPC prefix + 8 (a /24 in a /16).
     * Ignored when `publicSubnetCidrs` is given.
     */
    publicSubnetPrefixLength?: number;
    /**
     * Explicit private subnet blocks, one per zone in zone order; they must lie inside the VPC and overlap no other
     * subnet. Must be given together with `publicSubnetCidrs`. Defaults to the computed plan.
     */
    privateSubnetCidrs?: string[];
    /** Explicit public subnet blocks, one per zone in zone order. Must be given together with `privateSubnetCidrs`. */
    publicSubnetCidrs?: string[];
    /**
     * `one-per-zone` (a NAT gateway in every zone: a zone failure leaves the others their egress) or `single`
     * (one NAT gateway in the first zone: cheaper, but every zone loses egress when that zone fails).
     * Defaults to `one-per-zone`.
     */
    natGateways?: string;
    /** VPC flow logs. Defaults to all traffic into a KMS-encrypted CloudWatch log group kept 90 days. */
    flowLogs?: VpcFlowLogArgs;
    /**
     * Creates the endpoints a cluster with no internet egress needs: interface endpoints for ECR (api, dkr) and STS,
     * and an S3 gateway endpoint (ECR image layers live in S3). Defaults to false.
     */
    privateClusterEndpoints?: boolean;
    /** More interface endpoint services by short name (`logs`, `ec2`, `elasticloadbalancing`). Defaults to none. */
    extraInterfaceEndpoints?: string[];
    /**
     * The EKS cluster that will use the subnets; adds the `kubernetes.io/cluster/<name>: shared` tag. Defaults to
     * no cluster tag (EKS does not require it).
     */
    clusterName?: string;
    /** Tags on every taggable child. Tags never influence names. Defaults to none. */
    tags?: { [key: string]: string };
}

/** The zone keys children are named after: the zone names, or `zone1…zoneN` when only a count is given. */
export function zoneKeys(args: Pick<VpcArgs, "availabilityZones" | "availabilityZoneCount">): string[] {
    if (args.availabilityZones && args.availabilityZones.length > 0) {
        return [...args.availabilityZones];
    }
    const n = args.availabilityZoneCount ?? VPC_DEFAULTS.availabilityZoneCount;
    return Array.from({ length: Math.max(0, n) }, (_, i) => `zone${i + 1}`);
}

/** The subnet blocks the VPC will have: the explicit ones, or the computed plan. Assumes valid args. */
export function subnetLayout(args: VpcArgs): { privateCidrs: string[]; publicCidrs: string[] } {
    if (args.privateSubnetCidrs && args.publicSubnetCidrs) {
        return { privateCidrs: [...args.privateSubnetCidrs], publicCidrs: [...args.publicSubnetCidrs] };
    }
    const cidrBlock = args.cidrBlock ?? VPC_DEFAULTS.cidrBlock;
    const vpcPrefix = parseCidr(cidrBlock)?.prefix ?? 16;
    const plan = planSubnets({
        vpcCidr: cidrBlock,
        zoneCount: zoneKeys(args).length,
        privatePrefix: args.privateSubnetPrefixLength ?? vpcPrefix + VPC_DEFAULTS.privatePrefixOffset,
        publicPrefix: args.publicSubnetPrefixLength ?? vpcPrefix + VPC_DEFAULTS.publicPrefixOffset,
    });
    if (typeof plan === "string") {
        throw new Error(plan);
    }
    return plan;
}

/** Adds every problem with `args` to `problems` (paths relative to the args object). */
export function vpcProblems(args: VpcArgs, problems: Problems): void {
    const cidrBlock = args.cidrBlock ?? VPC_DEFAULTS.cidrBlock;
    const vpcOk = problems.check(cidrProblem(cidrBlock) === undefined, "cidrBlock", cidrProblem(cidrBlock) ?? "");
    const vpc = parseCidr(cidrBlock);
    if (vpc && (vpc.prefix < 16 || vpc.prefix > 24)) {
        problems.add("cidrBlock", `a VPC block must be between /16 and /24, not /${vpc.prefix}`);
    }

    let zoneCount: number;
    if (args.availabilityZones !== undefined && args.availabilityZoneCount !== undefined) {
        problems.add("availabilityZoneCount", "conflicts with availabilityZones: give the zone names or a count, not both");
    }
    if (args.availabilityZones !== undefined) {
        zoneCount = args.availabilityZones.length;
        problems.check(zoneCount >= MIN_AVAILABILITY_ZONES, "availabilityZones",
            `${zoneCount} zone${zoneCount === 1 ? "" : "s"} given; a production network spans at least ${MIN_AVAILABILITY_ZONES} so that one zone failing does not take the cluster with it`);
        args.availabilityZones.forEach((z, i) => {
            problems.check(/^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/.test(z), `availabilityZones[${i}]`, `"${z}" is not an availability zone name such as us-east-1a`);
            problems.check(args.availabilityZones!.indexOf(z) === i, `availabilityZones[${i}]`, `"${z}" is listed twice`);
        });
    } else {
        zoneCount = args.availabilityZoneCount ?? VPC_DEFAULTS.availabilityZoneCount;
        problems.check(Number.isInteger(zoneCount) && zoneCount >= MIN_AVAILABILITY_ZONES && zoneCount <= 6, "availabilityZoneCount",
            `${zoneCount} zones requested; use between ${MIN_AVAILABILITY_ZONES} (so that one zone failing does not take the cluster with it) and 6`);
    }

    const explicitPrivate = args.privateSubnetCidrs;
    const explicitPublic = args.publicSubnetCidrs;
    if ((explicitPrivate === undefined) !== (explicitPublic === undefined)) {
        problems.add(explicitPrivate ? "publicSubnetCidrs" : "privateSubnetCidrs", "privateSubnetCidrs and publicSubnetCidrs are given together or not at all");
    } else if (explicitPrivate && explicitPublic) {
        problems.check(explicitPrivate.length === zoneCount, "privateSubnetCidrs", `${explicitPrivate.length} blocks given for ${zoneCount} zones; give one per zone`);
        problems.check(explicitPublic.length === zoneCount, "publicSubnetCidrs", `${explicitPublic.length} blocks given for ${zoneCount} zones; give one per zone`);
        for (const p of subnetCidrProblems(cidrBlock, [{ path: "privateSubnetCidrs", cidrs: explicitPrivate }, { path: "publicSubnetCidrs", cidrs: explicitPublic }])) {
            problems.add(p.path, p.reason);
        }
    } else if (vpcOk && vpc && zoneCount >= 1) {
        const plan = planSubnets({
            vpcCidr: cidrBlock,
            zoneCount,
            privatePrefix: args.privateSubnetPrefixLength ?? vpc.prefix + VPC_DEFAULTS.privatePrefixOffset,
            publicPrefix: args.publicSubnetPrefixLength ?? vpc.prefix + VPC_DEFAULTS.publicPrefixOffset,
        });
        if (typeof plan === "string") {
            const path = args.privateSubnetPrefixLength !== undefined ? "privateSubnetPrefixLength"
                : args.publicSubnetPrefixLength !== undefined ? "publicSubnetPrefixLength" : "cidrBlock";
            problems.add(path, plan);
        }
    }

    const nat = args.natGateways ?? VPC_DEFAULTS.natGateways;
    problems.check((NAT_GATEWAY_MODES as readonly string[]).includes(nat), "natGateways", `"${nat}" is not one of ${NAT_GATEWAY_MODES.join(", ")}`);

    const retention = args.flowLogs?.retentionDays ?? VPC_DEFAULTS.flowLogRetentionDays;
    problems.check((LOG_RETENTION_DAYS as readonly number[]).includes(retention), "flowLogs.retentionDays",
        `${retention} is not a CloudWatch Logs retention period (${LOG_RETENTION_DAYS.join(", ")})`);
    const traffic = args.flowLogs?.trafficType ?? VPC_DEFAULTS.flowLogTrafficType;
    problems.check(TRAFFIC_TYPES.includes(traffic), "flowLogs.trafficType", `"${traffic}" is not one of ${TRAFFIC_TYPES.join(", ")}`);
    checkKmsKeyArn(problems, "flowLogs.kmsKeyArn", args.flowLogs?.kmsKeyArn);
    const window = args.flowLogs?.kmsDeletionWindowDays ?? VPC_DEFAULTS.flowLogKmsDeletionWindowDays;
    problems.check(Number.isInteger(window) && window >= 7 && window <= 30, "flowLogs.kmsDeletionWindowDays", `${window} must be a whole number of days from 7 to 30`);
    if (args.flowLogs?.kmsKeyArn !== undefined && args.flowLogs.kmsDeletionWindowDays !== undefined) {
        problems.add("flowLogs.kmsDeletionWindowDays", "conflicts with flowLogs.kmsKeyArn: the window applies only to a key this component creates");
    }

    (args.extraInterfaceEndpoints ?? []).forEach((s, i) => {
        problems.check(/^[a-z0-9][a-z0-9.-]*$/.test(s), `extraInterfaceEndpoints[${i}]`, `"${s}" is not an endpoint service short name such as logs or ec2`);
    });
}

/** Tags for one child: the user's tags, a Name, and any extra. */
function tagsFor(args: VpcArgs, nameTag: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...(args.tags ?? {}), ...extra, Name: nameTag };
}

/**
 * A VPC for an EKS cluster: a public and a private subnet in each of N availability zones, laid out by a pure CIDR
 * plan, an internet gateway, NAT per zone (or one, by explicit choice), the subnet tags the AWS load balancer
 * integration discovers, VPC flow logs with retention in a KMS-encrypted log group, and optional endpoints for a private cluster.
 */
export class Vpc extends pulumi.ComponentResource {
    /** The VPC's id. */
    public readonly vpcId: pulumi.Output<string>;
    /** The VPC's IPv4 block. */
    public readonly cidrBlock: pulumi.Output<string>;
    /** The availability zone names, in zone order. */
    public readonly availabilityZones: pulumi.Output<string[]>;
    /** Private subnet ids (nodes, pods, internal load balancers, the control plane's network interfaces), in zone order. */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Public subnet ids (internet-facing load balancers, NAT gateways), in zone order. */
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** The private route table of each zone, in zone order. */
    public readonly privateRouteTableIds: pulumi.Output<string[]>;
    /** The NAT gateway ids (one per zone, or one). */
    public readonly natGatewayIds: pulumi.Output<string[]>;
    /** The CloudWatch log group that receives the flow logs; empty when flow logs are off. */
    public readonly flowLogGroupName: pulumi.Output<string>;
    /** The KMS key that encrypts the flow log group (`flowLogs.kmsKeyArn`, or the one this component creates); empty when flow logs are off. */
    public readonly flowLogKmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k8sprod:network:Vpc", name, {}, opts);
        const problems = new Problems();
        vpcProblems(args, problems);
        problems.throwIfAny(`Vpc ${name}`);

        const parent = { parent: this };
        const keys = zoneKeys(args);
        const layout = subnetLayout(args);
        const cidrBlock = args.cidrBlock ?? VPC_DEFAULTS.cidrBlock;

        const zoneNames: pulumi.Output<string[]> = args.availabilityZones
            ? pulumi.output([...args.availabilityZones])
            : aws.getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }, parent)
                .names.apply((names) => {
                    if (names.length < keys.length) {
                        throw new pulumi.ResourceError(`Vpc ${name}: ${keys.length} availability zones requested but the region offers only ${names.length} (${names.join(", ")})`, this);
                    }
                    return names.slice(0, keys.length);
                });

        const vpc = new aws.ec2.Vpc(childName(name, "vpc"), {
            cidrBlock,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: tagsFor(args, name),
        }, parent);
        const igw = new aws.ec2.InternetGateway(childName(name, "igw"), { vpcId: vpc.id, tags: tagsFor(args, name) }, parent);

        const clusterTag: Record<string, string> = args.clusterName ? { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" } : {};
        const publicRouteTable = new aws.ec2.RouteTable(childName(name, "public"), { vpcId: vpc.id, tags: tagsFor(args, `${name}-public`) }, parent);
        new aws.ec2.Route(childName(name, "public-internet"), {
            routeTableId: publicRouteTable.id,
            destinationCidrBlock: "0.0.0.0/0",
            gatewayId: igw.id,
        }, parent);

        const publicSubnets: aws.ec2.Subnet[] = [];
        const privateSubnets: aws.ec2.Subnet[] = [];
        keys.forEach((key, i) => {
            const az = zoneNames.apply((z) => z[i]);
            const pub = new aws.ec2.Subnet(childName(name, "public", key), {
                vpcId: vpc.id,
                cidrBlock: layout.publicCidrs[i],
                availabilityZone: az,
                mapPublicIpOnLaunch: false,
                tags: tagsFor(args, `${name}-public-${key}`, { ...clusterTag, "kubernetes.io/role/elb": "1" }),
            }, parent);
            new aws.ec2.RouteTableAssociation(childName(name, "public", key), { subnetId: pub.id, routeTableId: publicRouteTable.id }, parent);
            publicSubnets.push(pub);
            privateSubnets.push(new aws.ec2.Subnet(childName(name, "private", key), {
                vpcId: vpc.id,
                cidrBlock: layout.privateCidrs[i],
                availabilityZone: az,
                mapPublicIpOnLaunch: false,
                tags: tagsFor(args, `${name}-private-${key}`, { ...clusterTag, "kubernetes.io/role/internal-elb": "1" }),
            }, parent));
        });

        const natMode = args.natGateways ?? VPC_DEFAULTS.natGateways;
        const natKeys = natMode === "single" ? [keys[0]] : keys;
        const nats = natKeys.map((key, i) => {
            const eip = new aws.ec2.Eip(childName(name, "nat", key), { domain: "vpc", tags: tagsFor(args, `${name}-nat-${key}`) }, parent);
            return new aws.ec2.NatGateway(childName(name, "nat", key), {
                allocationId: eip.id,
                subnetId: publicSubnets[i].id,
                connectivityType: "public",
                tags: tagsFor(args, `${name}-nat-${key}`),
            }, { parent: this, dependsOn: [igw] });
        });

        const privateRouteTables = keys.map((key, i) => {
            const rt = new aws.ec2.RouteTable(childName(name, "private", key), { vpcId: vpc.id, tags: tagsFor(args, `${name}-private-${key}`) }, parent);
            new aws.ec2.Route(childName(name, "private-egress", key), {
                routeTableId: rt.id,
                destinationCidrBlock: "0.0.0.0/0",
                natGatewayId: nats[natMode === "single" ? 0 : i].id,
            }, parent);
            new aws.ec2.RouteTableAssociation(childName(name, "private", key), { subnetId: privateSubnets[i].id, routeTableId: rt.id }, parent);
            return rt;
        });

        let flowLogGroupName: pulumi.Output<string> = pulumi.output("");
        let flowLogKmsKeyArn: pulumi.Output<string> = pulumi.output("");
        if (args.flowLogs?.enabled ?? true) {
            // Named after the VPC id: unique in the account, and known before the group (and its key) are created,
            // so the key policy can name exactly this group.
            const groupName = vpc.id.apply(vpcFlowLogGroupName);
            const kmsKeyArn = args.flowLogs?.kmsKeyArn !== undefined
                ? pulumi.output(args.flowLogs.kmsKeyArn)
                : logsKmsKey(childName(name, "flow-logs-key"), {
                    description: pulumi.interpolate`Encryption of the flow log group of VPC ${vpc.id}`,
                    deletionWindowInDays: args.flowLogs?.kmsDeletionWindowDays ?? VPC_DEFAULTS.flowLogKmsDeletionWindowDays,
                    logGroupNames: [groupName],
                    tags: tagsFor(args, `${name}-flow-logs`),
                }, parent).arn;
            const group = new aws.cloudwatch.LogGroup(childName(name, "flow-logs"), {
                name: groupName,
                retentionInDays: args.flowLogs?.retentionDays ?? VPC_DEFAULTS.flowLogRetentionDays,
                // The key exists before the group: the group's kmsKeyId depends on it.
                kmsKeyId: kmsKeyArn,
                tags: tagsFor(args, `${name}-flow-logs`),
            }, parent);
            const role = new aws.iam.Role(childName(name, "flow-logs"), {
                assumeRolePolicy: JSON.stringify(flowLogTrustPolicy()),
                tags: tagsFor(args, `${name}-flow-logs`),
            }, parent);
            new aws.iam.RolePolicy(childName(name, "flow-logs"), {
                role: role.id,
                policy: group.arn.apply((arn) => JSON.stringify(flowLogWritePolicy(arn))),
            }, parent);
            new aws.ec2.FlowLog(childName(name, "flow-logs"), {
                vpcId: vpc.id,
                trafficType: args.flowLogs?.trafficType ?? VPC_DEFAULTS.flowLogTrafficType,
                logDestinationType: "cloud-watch-logs",
                logDestination: group.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
                tags: tagsFor(args, `${name}-flow-logs`),
            }, parent);
            flowLogGroupName = group.name;
            flowLogKmsKeyArn = kmsKeyArn;
        }

        const services = [
            ...(args.privateClusterEndpoints ? PRIVATE_CLUSTER_INTERFACE_ENDPOINTS : []),
            ...(args.extraInterfaceEndpoints ?? []),
        ].filter((s, i, all) => all.indexOf(s) === i);
        if (services.length > 0 || args.privateClusterEndpoints) {
            const region = aws.getRegionOutput({}, parent).region;
            if (services.length > 0) {
                const sg = new aws.ec2.SecurityGroup(childName(name, "endpoints"), {
                    vpcId: vpc.id,
                    description: "HTTPS from inside the VPC to its interface endpoints",
                    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [cidrBlock], description: "HTTPS from the VPC" }],
                    tags: tagsFor(args, `${name}-endpoints`),
                }, parent);
                for (const service of services) {
                    new aws.ec2.VpcEndpoint(childName(name, "endpoint", service.replace(/\./g, "-")), {
                        vpcId: vpc.id,
                        serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
                        vpcEndpointType: "Interface",
                        privateDnsEnabled: true,
                        subnetIds: privateSubnets.map((s) => s.id),
                        securityGroupIds: [sg.id],
                        tags: tagsFor(args, `${name}-${service}`),
                    }, parent);
                }
            }
            if (args.privateClusterEndpoints) {
                new aws.ec2.VpcEndpoint(childName(name, "endpoint", "s3"), {
                    vpcId: vpc.id,
                    serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
                    vpcEndpointType: "Gateway",
                    routeTableIds: privateRouteTables.map((rt) => rt.id),
                    tags: tagsFor(args, `${name}-s3`),
                }, parent);
            }
        }

        this.vpcId = vpc.id;
        this.cidrBlock = vpc.cidrBlock;
        this.availabilityZones = zoneNames;
        this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
        this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));
        this.privateRouteTableIds = pulumi.all(privateRouteTables.map((rt) => rt.id));
        this.natGatewayIds = pulumi.all(nats.map((n) => n.id));
        this.flowLogGroupName = flowLogGroupName;
        this.flowLogKmsKeyArn = flowLogKmsKeyArn;
        this.registerOutputs({
            vpcId: this.vpcId,
            cidrBlock: this.cidrBlock,
            availabilityZones: this.availabilityZones,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            privateRouteTableIds: this.privateRouteTableIds,
            natGatewayIds: this.natGatewayIds,
            flowLogGroupName: this.flowLogGroupName,
            flowLogKmsKeyArn: this.flowLogKmsKeyArn,
        });
    }
}

/** The flow log group of a VPC. */
export function vpcFlowLogGroupName(vpcId: string): string {
    return `/k8sprod/flow-logs/${vpcId}`;
}

/** Trust policy that lets only the VPC Flow Logs service assume the flow log role. */
export function flowLogTrustPolicy(): Record<string, any> {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
        }],
    };
}

/** Permission to write flow log records into one log group, and nothing else. */
export function flowLogWritePolicy(logGroupArn: string): Record<string, any> {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [logGroupArn, `${logGroupArn}:*`],
        }],
    };
}
