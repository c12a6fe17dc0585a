// Mocks for the cluster and network tests: every registration recorded, the few invokes a component makes
// answered with fixed values, and the outputs AWS would compute (ARNs, the OIDC issuer, endpoints) filled in.
import * as pulumi from "@pulumi/pulumi";
import { installMocks, Registration, RecordingMocks } from "../helpers/mocks";
import { settle, thrown } from "../helpers/outputs";
import { EngineResource } from "../../cli/engine/analyzer";
import { toEngineResource } from "../../cli/plan/plan";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
export const ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/** Recording mocks that answer the AWS lookups and compute plausible AWS outputs. */
function awsMocks(): RecordingMocks {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
    return new RecordingMocks()
        .onInvoke("aws:index/getAvailabilityZones:getAvailabilityZones", () => ({ names: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"], zoneIds: ["use1-az1", "use1-az2", "use1-az4", "use1-az6"] }))
        .onInvoke("aws:index/getRegion:getRegion", () => ({ id: REGION, name: REGION, region: REGION }))
        .onInvoke("aws:index/getCallerIdentity:getCallerIdentity", () => ({ id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "AIDATEST" }))
        .onInvoke("aws:index/getPartition:getPartition", () => ({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }))
        .onResource("aws:eks/cluster:Cluster", (a) => ({
            arn: arn("eks", `cluster/${a.inputs.name}`),
            endpoint: "https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com",
            certificateAuthority: { data: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" },
            identities: [{ oidcs: [{ issuer: ISSUER }] }],
            vpcConfig: { ...a.inputs.vpcConfig, clusterSecurityGroupId: "sg-0cluster" },
        }))
        .onResource("aws:iam/openIdConnectProvider:OpenIdConnectProvider", () => ({ arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER.replace("https://", "")}` }))
        .onResource("aws:iam/role:Role", (a) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${a.name}`, name: a.name }))
        .onResource("aws:kms/key:Key", (a) => ({ arn: arn("kms", `key/${a.name}`) }))
        .onResource("aws:cloudwatch/logGroup:LogGroup", (a) => ({ arn: arn("logs", `log-group:${a.inputs.name ?? a.name}`), name: a.inputs.name ?? a.name }))
        .onResource("aws:ec2/launchTemplate:LaunchTemplate", () => ({ latestVersion: 1 }))
        .onResource("aws:eks/nodeGroup:NodeGroup", (a) => ({ nodeGroupName: a.name }))
        .onResource("aws:ec2/vpc:Vpc", (a) => ({ arn: arn("ec2", `vpc/${a.name}-id`) }))
        // A bucket's id is its name; the provider names an unnamed bucket (here as the mocks name the id).
        .onResource("aws:s3/bucket:Bucket", (a) => ({ bucket: a.inputs.bucket ?? `${a.name}-id`, arn: `arn:aws:s3:::${a.inputs.bucket ?? `${a.name}-id`}` }));
}

/** Installs fresh mocks and returns them. */
export async function freshMocks(): Promise<RecordingMocks> {
    const mocks = awsMocks();
    await installMocks(mocks, { stack: "test" });
    return mocks;
}

/** Children of a component: every registration except the component itself (and the stack). */
export function childrenOf(mocks: RecordingMocks, componentType: string): Registration[] {
    return mocks.registrations.filter((r) => r.type !== componentType && r.type !== "pulumi:pulumi:Stack");
}

/** Runs a constructor that must refuse its input; returns the error once the runtime has settled. */
export async function refused(fn: () => unknown): Promise<any> {
    const e = thrown(fn);
    await settle();
    return e;
}

/** The property paths of an InputPropertiesError. */
export function paths(e: any): string[] {
    assertInputError(e);
    return (e.errors ?? []).map((x: { propertyPath: string }) => x.propertyPath);
}

function assertInputError(e: any): void {
    if (!(e instanceof pulumi.InputPropertiesError)) {
        throw new Error(`expected an InputPropertiesError, got ${e?.stack ?? e}`);
    }
}

/** Registrations as the offline engine hands them to the packs. */
export function engineResources(regs: Registration[]): EngineResource[] {
    return regs.map(toEngineResource);
}
