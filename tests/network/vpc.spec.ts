import * as assert from "assert";
import { Vpc, VpcArgs } from "../../components/network/vpc";
import { RecordingMocks } from "../helpers/mocks";
import { settle, valueOf } from "../helpers/outputs";
import { childrenOf, freshMocks, paths, refused } from "../cluster/harness";
import { allowedPrincipals, logsMayUseFor } from "../helpers/logsKey";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

async function build(args: VpcArgs): Promise<{ mocks: RecordingMocks; vpc: Vpc }> {
    const mocks = await freshMocks();
    const vpc = new Vpc("net", args);
    await valueOf(vpc.privateSubnetIds);
    await settle();
    return { mocks, vpc };
}

describe("Vpc (components/network)", () => {
    it("puts a public and a private subnet in each zone, named after the zone", async () => {
        const { mocks, vpc } = await build({ availabilityZones: ZONES });
        const subnets = mocks.ofType("aws:ec2/subnet:Subnet");
        assert.deepStrictEqual(subnets.map((s) => s.name).sort(), ZONES.flatMap((z) => [`net-private-${z}`, `net-public-${z}`]).sort());
        assert.deepStrictEqual(ZONES.map((z) => mocks.get("aws:ec2/subnet:Subnet", `net-private-${z}`).inputs.availabilityZone), ZONES);
        assert.deepStrictEqual(await valueOf(vpc.availabilityZones), ZONES);
        assert.ok(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false));
    });

    it("tags public subnets for internet-facing and private subnets for internal load balancers", async () => {
        const { mocks } = await build({ availabilityZones: ZONES, clusterName: "prod" });
        const pub = mocks.get("aws:ec2/subnet:Subnet", "net-public-us-east-1a").inputs.tags;
        const priv = mocks.get("aws:ec2/subnet:Subnet", "net-private-us-east-1a").inputs.tags;
        assert.strictEqual(pub["kubernetes.io/role/elb"], "1");
        assert.strictEqual(priv["kubernetes.io/role/internal-elb"], "1");
        assert.strictEqual(priv["kubernetes.io/cluster/prod"], "shared");
    });

    it("gives every zone its own NAT gateway and route by default", async () => {
        const { mocks } = await build({ availabilityZones: ZONES });
        const nats = mocks.ofType("aws:ec2/natGateway:NatGateway");
        assert.strictEqual(nats.length, 3);
        const natBySubnet = new Map(nats.map((n) => [n.inputs.subnetId, n.urn]));
        assert.strictEqual(natBySubnet.size, 3, "each NAT gateway sits in a different public subnet");
        for (const z of ZONES) {
            const route = mocks.get("aws:ec2/route:Route", `net-private-egress-${z}`);
            assert.strictEqual(route.inputs.natGatewayId, `net-nat-${z}-id`);
        }
    });

    it("uses one NAT gateway for every zone when asked to save cost", async () => {
        const { mocks } = await build({ availabilityZones: ZONES, natGateways: "single" });
        assert.strictEqual(mocks.ofType("aws:ec2/natGateway:NatGateway").length, 1);
        assert.ok(mocks.ofType("aws:ec2/route:Route").filter((r) => r.name.startsWith("net-private-egress")).every((r) => r.inputs.natGatewayId === "net-nat-us-east-1a-id"));
    });

    it("encrypts the flow log group, named after the VPC, with a rotating key that CloudWatch Logs may use for that group only", async () => {
        const { mocks, vpc } = await build({ availabilityZones: ZONES });
        const group = mocks.get("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs");
        const key = mocks.get("aws:kms/key:Key", "net-flow-logs-key");
        assert.strictEqual(group.inputs.name, "/k8sprod/flow-logs/net-vpc-id");
        assert.strictEqual(group.inputs.kmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/net-flow-logs-key");
        assert.ok(group.dependencies.includes(key.urn), "the key exists before the group");
        assert.strictEqual(await valueOf(vpc.flowLogKmsKeyArn), "arn:aws:kms:us-east-1:123456789012:key/net-flow-logs-key");
        assert.deepStrictEqual([key.inputs.enableKeyRotation, key.inputs.deletionWindowInDays], [true, 30]);
        const doc = JSON.parse(key.inputs.policy);
        assert.deepStrictEqual(allowedPrincipals(doc).sort(), ["AWS:arn:aws:iam::123456789012:root", "Service:logs.us-east-1.amazonaws.com"]);
        const arn = (name: string) => `arn:aws:logs:us-east-1:123456789012:log-group:${name}`;
        assert.ok(logsMayUseFor(doc, "logs.us-east-1.amazonaws.com", arn("/k8sprod/flow-logs/net-vpc-id")));
        assert.ok(!logsMayUseFor(doc, "logs.us-east-1.amazonaws.com", arn("/k8sprod/flow-logs/vpc-other")));
        assert.ok(!logsMayUseFor(doc, "logs.us-west-2.amazonaws.com", arn("/k8sprod/flow-logs/net-vpc-id").replace("us-east-1", "us-west-2")), "another region's CloudWatch Logs");
    });

    it("uses a flow-log key the user gives instead of creating one, and creates neither key nor group with flow logs off", async () => {
        const given = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const { mocks } = await build({ availabilityZones: ZONES, flowLogs: { kmsKeyArn: given } });
        assert.strictEqual(mocks.get("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs").inputs.kmsKeyId, given);
        assert.deepStrictEqual(mocks.ofType("aws:kms/key:Key"), []);
        const off = await build({ availabilityZones: ZONES, flowLogs: { enabled: false } });
        assert.deepStrictEqual([off.mocks.ofType("aws:kms/key:Key").length, off.mocks.ofType("aws:cloudwatch/logGroup:LogGroup").length], [0, 0]);
        assert.strictEqual(await valueOf(off.vpc.flowLogKmsKeyArn), "");
    });

    it("writes flow logs to a log group with retention, through a role that may only write there", async () => {
        const { mocks } = await build({ availabilityZones: ZONES });
        const flow = mocks.get("aws:ec2/flowLog:FlowLog", "net-flow-logs");
        assert.strictEqual(flow.inputs.trafficType, "ALL");
        assert.strictEqual(flow.inputs.logDestinationType, "cloud-watch-logs");
        assert.strictEqual(mocks.get("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs").inputs.retentionInDays, 90);
        const policy = JSON.parse(mocks.get("aws:iam/rolePolicy:RolePolicy", "net-flow-logs").inputs.policy);
        assert.deepStrictEqual(policy.Statement[0].Resource, ["arn:aws:logs:us-east-1:123456789012:log-group:/k8sprod/flow-logs/net-vpc-id", "arn:aws:logs:us-east-1:123456789012:log-group:/k8sprod/flow-logs/net-vpc-id:*"]);
        const trust = JSON.parse(mocks.get("aws:iam/role:Role", "net-flow-logs").inputs.assumeRolePolicy);
        assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "vpc-flow-logs.amazonaws.com" });
    });

    it("creates the ECR, STS and S3 endpoints of a private cluster", async () => {
        const { mocks } = await build({ availabilityZones: ZONES, privateClusterEndpoints: true });
        const endpoints = mocks.ofType("aws:ec2/vpcEndpoint:VpcEndpoint");
        assert.deepStrictEqual(endpoints.map((e) => e.inputs.serviceName).sort(),
            ["com.amazonaws.us-east-1.ecr.api", "com.amazonaws.us-east-1.ecr.dkr", "com.amazonaws.us-east-1.s3", "com.amazonaws.us-east-1.sts"]);
        const s3 = mocks.get("aws:ec2/vpcEndpoint:VpcEndpoint", "net-endpoint-s3");
        assert.strictEqual(s3.inputs.vpcEndpointType, "Gateway");
        assert.strictEqual(s3.inputs.routeTableIds.length, 3);
    });

    it("creates no endpoints and makes no region lookup by default", async () => {
        const { mocks } = await build({ availabilityZones: ZONES });
        assert.strictEqual(mocks.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").length, 0);
    });

    it("looks the zones up when given only a count, and names children zone1..N", async () => {
        const { mocks, vpc } = await build({ availabilityZoneCount: 3 });
        assert.deepStrictEqual(await valueOf(vpc.availabilityZones), ["us-east-1a", "us-east-1b", "us-east-1c"]);
        assert.ok(mocks.get("aws:ec2/subnet:Subnet", "net-private-zone3"));
        assert.strictEqual(mocks.ofType("aws:ec2/subnet:Subnet").length, 6);
    });

    describe("refuses bad input before creating anything", () => {
        it("one zone", async () => {
            await freshMocks();
            const e = await refused(() => new Vpc("net", { availabilityZones: ["us-east-1a"] }));
            assert.deepStrictEqual(paths(e), ["availabilityZones"]);
            assert.match(e.message, /at least 2/);
        });

        it("overlapping subnet CIDRs", async () => {
            const mocks = await freshMocks();
            const e = await refused(() => new Vpc("net", {
                availabilityZones: ["us-east-1a", "us-east-1b"],
                privateSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19"],
                publicSubnetCidrs: ["10.0.96.0/24", "10.0.32.0/24"],
            }));
            assert.deepStrictEqual(paths(e), ["publicSubnetCidrs[1]"]);
            assert.match(e.message, /overlaps 10\.0\.32\.0\/19/);
            assert.deepStrictEqual(childrenOf(mocks, "k8sprod:network:Vpc"), []);
        });

        it("every problem at once", async () => {
            await freshMocks();
            const e = await refused(() => new Vpc("net", { cidrBlock: "10.0.0.1/16", availabilityZoneCount: 1, natGateways: "none", flowLogs: { retentionDays: 10 } }));
            assert.deepStrictEqual(paths(e).sort(), ["availabilityZoneCount", "cidrBlock", "flowLogs.retentionDays", "natGateways"]);
        });

        it("a flow-log key that is not a KMS key ARN, a deletion window out of range, and a window beside a given key", async () => {
            const mocks = await freshMocks();
            const e = await refused(() => new Vpc("net", { availabilityZones: ZONES, flowLogs: { kmsKeyArn: "1234abcd", kmsDeletionWindowDays: 3 } }));
            assert.deepStrictEqual(paths(e), ["flowLogs.kmsKeyArn", "flowLogs.kmsDeletionWindowDays", "flowLogs.kmsDeletionWindowDays"]);
            assert.match(e.message, /"1234abcd" is not a KMS key ARN/);
            assert.match(e.message, /3 must be a whole number of days from 7 to 30/);
            assert.match(e.message, /conflicts with flowLogs\.kmsKeyArn/);
            assert.deepStrictEqual(childrenOf(mocks, "k8sprod:network:Vpc"), []);
        });
    });
});
