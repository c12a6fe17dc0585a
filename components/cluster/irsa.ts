import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isKnown, Problems } from "../lib/errors";
import { childName, dns1123LabelProblem, dns1123SubdomainProblem } from "../lib/names";
import { irsaTrustPolicy, leastPrivilegeProblems, PolicyDocument } from "../../lib/iam";

/** Managed policies an IRSA role may never carry: they are the opposite of least privilege. */
export const FORBIDDEN_MANAGED_POLICIES = [/\/AdministratorAccess$/, /\/PowerUserAccess$/, /\/IAMFullAccess$/];

/** Arguments of {@link IrsaRole}. */
export interface IrsaRoleArgs {
    /** ARN of the cluster's IAM OIDC provider (EksCluster.oidcProviderArn). Required. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL, `https://oidc.eks.<region>.amazonaws.com/id/<id>` (EksCluster.oidcIssuerUrl). Required. */
    oidcIssuerUrl: pulumi.Input<string>;
    /** Namespace of the one service account that may assume the role. Required. */
    namespace: string;
    /** Name of the one service account that may assume the role. Required. */
    serviceAccount: string;
    /**
     * An inline permissions policy (JSON). Refused when it allows `*` or `service:*`, uses NotAction/NotResource, or
     * allows write actions on `*` without a condition. At least one of `policyDocument` and `managedPolicyArns`.
     */
    policyDocument?: pulumi.Input<string>;
    /**
     * AWS or customer managed policies to attach. AdministratorAccess, PowerUserAccess and IAMFullAccess are refused.
     * At least one of `policyDocument` and `managedPolicyArns`. Defaults to none.
     */
    managedPolicyArns?: string[];
    /** Tags on the role. Defaults to none. */
    tags?: { [key: string]: string };
}

/** Adds every problem with `args` to `problems`. */
export function irsaRoleProblems(args: IrsaRoleArgs, problems: Problems): void {
    const ns = dns1123LabelProblem(args.namespace);
    problems.check(ns === undefined, "namespace", ns ?? "");
    const sa = dns1123SubdomainProblem(args.serviceAccount);
    problems.check(sa === undefined, "serviceAccount", sa ?? "");
    const arns = args.managedPolicyArns ?? [];
    if (args.policyDocument === undefined && arns.length === 0) {
        problems.add("policyDocument", "an IRSA role needs permissions: give policyDocument or managedPolicyArns");
    }
    arns.forEach((arn, i) => {
        if (!/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\//.test(arn)) {
            problems.add(`managedPolicyArns[${i}]`, `"${arn}" is not an IAM policy ARN`);
        } else if (FORBIDDEN_MANAGED_POLICIES.some((re) => re.test(arn))) {
            problems.add(`managedPolicyArns[${i}]`, `"${arn}" grants far more than one workload needs; write a policy for what it does`);
        }
    });
    if (isKnown(args.policyDocument)) {
        const reason = policyDocumentProblem(args.policyDocument);
        problems.check(reason === undefined, "policyDocument", reason ?? "");
    }
}

/** Why an inline policy document is refused, or undefined when it is acceptable. */
export function policyDocumentProblem(json: string): string | undefined {
    let doc: PolicyDocument;
    try {
        doc = JSON.parse(json);
    } catch (e) {
        return `is not JSON: ${(e as Error).message}`;
    }
    if (!doc || !Array.isArray(doc.Statement)) {
        return "is not an IAM policy document (no Statement list)";
    }
    const found = leastPrivilegeProblems(doc);
    return found.length > 0 ? `is not least privilege: ${found.join("; ")}` : undefined;
}

/**
 * An IAM role for one Kubernetes service account (IRSA): its trust policy pins the token's `sub` to
 * `system:serviceaccount:<namespace>:<serviceAccount>` and its `aud` to STS, and its permissions are checked
 * for least privilege before anything is created.
 */
export class IrsaRole extends pulumi.ComponentResource {
    /** The role's ARN, for the service account's `eks.amazonaws.com/role-arn` annotation. */
    public readonly roleArn: pulumi.Output<string>;
    /** The role's name. */
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("k8sprod:cluster:IrsaRole", name, {}, opts);
        const problems = new Problems();
        irsaRoleProblems(args, problems);
        problems.throwIfAny(`IrsaRole ${name}`);

        const trust = pulumi.all([args.oidcProviderArn, args.oidcIssuerUrl])
            .apply(([arn, url]) => JSON.stringify(irsaTrustPolicy(arn, url, args.namespace, args.serviceAccount)));
        const role = new aws.iam.Role(childName(name, "role"), {
            assumeRolePolicy: trust,
            description: `IRSA role of ${args.namespace}/${args.serviceAccount}`,
            tags: args.tags,
        }, { parent: this });

        (args.managedPolicyArns ?? []).forEach((arn) => {
            new aws.iam.RolePolicyAttachment(childName(name, "attach", arn.split("/").pop()!), { role: role.name, policyArn: arn }, { parent: this });
        });
        if (args.policyDocument !== undefined) {
            new aws.iam.RolePolicy(childName(name, "inline"), {
                role: role.id,
                policy: pulumi.output(args.policyDocument).apply((json) => {
                    const reason = policyDocumentProblem(json);
                    if (reason) {
                        throw new pulumi.ResourceError(`IrsaRole ${name}: policyDocument ${reason}`, this);
                    }
                    return json;
                }),
            }, { parent: this });
        }

        this.roleArn = role.arn;
        this.roleName = role.name;
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
    }
}
