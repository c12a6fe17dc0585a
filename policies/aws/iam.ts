// IAM: roles assumed with web identity (IRSA) are bound to one service account.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { irsaTrustProblems, PolicyDocument } from "../../lib/iam";
import { arr, obj, readKnown, resourcePolicy, str, TYPES } from "./lib";

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
        // An unknown document (a JSON string computed from the OIDC provider, as preview sees a new
        // cluster's) throws on this read: the SDK reports the policy as not run during preview.
        const raw = ctx.props.assumeRolePolicy;
        if (raw === undefined) {
            return;
        }
        const doc = parse(raw);
        if (!doc) {
            ctx.report(`${ctx.subject}: assumeRolePolicy is not a JSON policy document, so its trust cannot be checked; write it as JSON.`);
            return;
        }
        // A document given as an object can be partly unknown: check each statement from its known
        // parts, report what is wrong there, and stay undecided only about what needs the unknown parts.
        let undecided: Error | undefined;
        for (const [i, s] of (arr(doc.Statement).map(obj).filter((x) => x !== undefined) as PolicyDocument["Statement"]).entries()) {
            const action = readKnown(() => arr(s.Action).concat(typeof s.Action === "string" ? [s.Action] : []).map(String));
            const effect = readKnown(() => s.Effect);
            const federated = readKnown(() => {
                const p = obj(s.Principal)?.Federated;
                return (Array.isArray(p) ? p : [p]).map((x) => str(x) ?? "");
            });
            const webIdentity = action.value?.includes("sts:AssumeRoleWithWebIdentity");
            const oidc = federated.value?.some((x) => x.includes("oidc-provider/"));
            if (webIdentity === false || oidc === false) {
                continue; // not a web-identity statement, whatever the unknown parts are
            }
            if (action.unknown || federated.unknown || effect.unknown) {
                undecided ??= action.unknown ?? federated.unknown ?? effect.unknown;
                continue;
            }
            const problems = readKnown(() => irsaTrustProblems({ Version: "2012-10-17", Statement: [{ ...s, Sid: s.Sid ?? String(i) }] }));
            if (problems.unknown) {
                undecided ??= problems.unknown;
                continue;
            }
            for (const problem of problems.value) {
                ctx.report(`${ctx.subject}: assumeRolePolicy ${problem}; add StringEquals conditions on "<issuer>:sub" = "system:serviceaccount:<namespace>:<name>" and "<issuer>:aud" = "sts.amazonaws.com".`);
            }
        }
        if (undecided) {
            throw undecided;
        }
    },
});
