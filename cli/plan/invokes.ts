import { parseAllDocuments } from "yaml";
import type { RecordingMocks } from "../engine/mocks";

// What `plan` answers in place of the cloud: the read-only lookups a stack program makes during a
// preview, with fixed, plausible answers. Everything else is refused (the program fails with the
// invoke's token), so a program that starts depending on a lookup nobody answers is noticed.

/** The AWS account the offline plan pretends to run in: the example account of the AWS documentation. */
export const OFFLINE_ACCOUNT_ID = "123456789012";

export interface InvokeContext {
    /** `aws:region` from the stack config, when set. */
    region?: string;
}

export function partitionOf(region: string): { partition: string; dnsSuffix: string; reverseDnsPrefix: string } {
    if (region.startsWith("cn-")) {
        return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" };
    }
    if (region.startsWith("us-gov-")) {
        return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    }
    return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
}

/** `us-east-1` -> `use1`, the prefix of the region's zone ids. */
function zoneIdPrefix(region: string): string {
    const parts = region.split("-");
    return parts.length >= 3 ? `${parts.slice(0, -2).join("")}${parts[parts.length - 2][0]}${parts[parts.length - 1]}` : region;
}

function regionOf(args: Record<string, any>, ctx: InvokeContext, token: string): string {
    const region = args.region ?? ctx.region;
    if (typeof region !== "string" || region === "") {
        throw new Error(`${token} needs a region: set aws:region in the stack's config file`);
    }
    return region;
}

/** Registers the answers on `mocks`. */
export function answerInvokes(mocks: RecordingMocks, ctx: InvokeContext): RecordingMocks {
    return mocks
        .onInvoke("aws:index/getAvailabilityZones:getAvailabilityZones", (args) => {
            const region = regionOf(args, ctx, "aws:index/getAvailabilityZones:getAvailabilityZones");
            const exclude = new Set<string>([...(args.excludeNames ?? []), ...(args.excludeZoneIds ?? [])]);
            const zones = ["a", "b", "c"]
                .map((suffix, i) => ({ name: `${region}${suffix}`, zoneId: `${zoneIdPrefix(region)}-az${i + 1}` }))
                .filter((z) => !exclude.has(z.name) && !exclude.has(z.zoneId));
            return {
                id: region,
                names: zones.map((z) => z.name),
                zoneIds: zones.map((z) => z.zoneId),
                groupNames: zones.map(() => region),
                state: args.state,
                region,
            };
        })
        .onInvoke("aws:index/getRegion:getRegion", (args) => {
            const region = regionOf(args, ctx, "aws:index/getRegion:getRegion");
            return { id: region, name: region, region, endpoint: `ec2.${region}.${partitionOf(region).dnsSuffix}`, description: region };
        })
        .onInvoke("aws:index/getPartition:getPartition", () => {
            const p = partitionOf(ctx.region ?? "us-east-1");
            return { id: p.partition, ...p };
        })
        .onInvoke("aws:index/getCallerIdentity:getCallerIdentity", () => {
            const p = partitionOf(ctx.region ?? "us-east-1");
            return {
                id: OFFLINE_ACCOUNT_ID,
                accountId: OFFLINE_ACCOUNT_ID,
                arn: `arn:${p.partition}:iam::${OFFLINE_ACCOUNT_ID}:user/k8sprod-plan`,
                userId: "AIDAK8SPRODOFFLINEPLAN",
            };
        })
        .onInvoke("kubernetes:yaml:decode", (args) => {
            const docs = parseAllDocuments(String(args.text ?? ""));
            const result = (Array.isArray(docs) ? docs : []).map((d) => {
                if (d.errors.length > 0) {
                    throw new Error(`kubernetes:yaml:decode: ${d.errors[0].message}`);
                }
                return d.toJS();
            }).filter((o) => o !== null && o !== undefined);
            return { result };
        });
}
