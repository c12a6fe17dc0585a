/** The IAM role (IRSA) of one Kubernetes service account, built from the pure documents in iam.ts. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../lib/names";
import { PolicyDocument, irsaTrustPolicy } from "./iam";

/** What an IRSA role needs to know about the cluster and the service account. */
export interface IrsaRoleArgs {
    oidcProviderArn: pulumi.Input<string>;
    oidcProviderUrl: pulumi.Input<string>;
    namespace: string;
    serviceAccount: string;
    /** The role's permissions. */
    policy: pulumi.Input<PolicyDocument>;
    /** Tags on the role. */
    tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

/**
 * Creates `${component}-irsa-role` (trust pinned to one service account) and its inline policy
 * `${component}-irsa-policy`, both children of `parent`.
 */
export function irsaRole(component: string, args: IrsaRoleArgs, parent: pulumi.Resource): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
    const trust = pulumi.all([args.oidcProviderArn, args.oidcProviderUrl]).apply(([arn, url]) =>
        JSON.stringify(irsaTrustPolicy({ oidcProviderArn: arn, oidcProviderUrl: url, namespace: args.namespace, serviceAccount: args.serviceAccount })));
    const role = new aws.iam.Role(childName(component, "irsa-role"), {
        description: `IRSA role of service account ${args.namespace}/${args.serviceAccount} (k8sprod ${component})`,
        assumeRolePolicy: trust,
        tags: args.tags,
    }, { parent });
    const policy = new aws.iam.RolePolicy(childName(component, "irsa-policy"), {
        role: role.name,
        policy: pulumi.output(args.policy).apply((p) => JSON.stringify(p)),
    }, { parent });
    return { role, policy };
}
