// Tags: cost allocation and ownership.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { obj, resourcePolicy, TYPES } from "./lib";

/** Resource types the k8sprod components create that take tags. */
export const TAGGABLE_TYPES = [
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip", "aws:ec2/routeTable:RouteTable", "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/flowLog:FlowLog", TYPES.launchTemplate, TYPES.instance, TYPES.logGroup, TYPES.kmsKey, TYPES.iamRole,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider", TYPES.eksCluster, TYPES.eksNodeGroup, TYPES.eksAddon, TYPES.eksAccessEntry,
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", TYPES.ecrRepository,
];

export const requiredTags: ResourceValidationPolicy = resourcePolicy({
    name: "required-tags",
    description: "Checks whether taggable AWS resources carry the tags the organisation allocates cost and ownership by.",
    enforcementLevel: "advisory",
    types: TAGGABLE_TYPES,
    config: {
        tags: {
            type: "array", items: { type: "string", minLength: 1 }, default: ["Project", "Environment"],
            description: "Tag keys every taggable resource must have, with a non-empty value.",
        },
    },
    check: (ctx) => {
        const required = (Array.isArray(ctx.config.tags) ? ctx.config.tags : ["Project", "Environment"]).filter((t: unknown) => typeof t === "string");
        const tags = obj(ctx.props.tags) ?? {};
        const missing = required.filter((t: string) => typeof tags[t] !== "string" || tags[t] === "");
        if (missing.length > 0) {
            ctx.report(`${ctx.subject}: tags lack ${missing.join(", ")}; add them so its cost and owner can be traced.`);
        }
    },
});
