// IAM: roles assumed with web identity (IRSA) are bound to one service account.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { irsaTrustProblems, PolicyDocument } from "../../lib/iam";
import { arr, obj, resourcePolicy, str, TYPES } from "./lib";

function parse(v: unknown): PolicyDocument | undefined {
    if (typeof v === "string") {
        try {
            return JSON.parse(v);
        } catch {
            return undefined;
        }
    }
    return obj(v) as PolicyDocument | undefined;
}

export const irsaTrustScoped: ResourceValidationPolicy = resourcePolicy({
    name: "irsa-trust-scoped",
    description: "Checks whether an IAM role assumable with an OIDC web identity pins the token's sub to one service account and its aud to STS, so no other workload can assume it.",
    enforcementLevel: "mandatory",
    types: [TYPES.iamRole],
    check: (ctx) => {
        const raw = ctx.props.assumeRolePolicy;
        if (raw === undefined) {
            return;
        }
        const doc = parse(raw);
        if (!doc) {
            ctx.report(`${ctx.subject}: assumeRolePolicy is not a JSON policy document, so its trust cannot be checked; write it as JSON.`);
            return;
        }
        const statements = arr(doc.Statement).map(obj).filter((s) => s !== undefined) as PolicyDocument["Statement"];
        const federated = statements.filter((s) => {
            const p = obj(s.Principal)?.Federated;
            const principals = Array.isArray(p) ? p : [p];
            return principals.some((x) => (str(x) ?? "").includes("oidc-provider/"));
        });
        if (federated.length === 0) {
            return;
        }
        for (const problem of irsaTrustProblems({ Version: "2012-10-17", Statement: federated })) {
            ctx.report(`${ctx.subject}: assumeRolePolicy ${problem}; add StringEquals conditions on "<issuer>:sub" = "system:serviceaccount:<namespace>:<name>" and "<issuer>:aud" = "sts.amazonaws.com".`);
        }
    },
});
