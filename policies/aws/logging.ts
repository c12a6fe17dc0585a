// Logs: every log group has a retention.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { num, readKnown, resourcePolicy, TYPES } from "./lib";

export const logGroupRetention: ResourceValidationPolicy = resourcePolicy({
    name: "log-group-retention",
    description: "Checks whether a CloudWatch log group has a retention period of at least the configured minimum (without one, logs are kept, and billed, forever).",
    enforcementLevel: "mandatory",
    types: [TYPES.logGroup],
    config: {
        minimumDays: { type: "integer", minimum: 1, default: 30, description: "The shortest retention accepted, in days." },
    },
    check: (ctx) => {
        const min = typeof ctx.config.minimumDays === "number" ? ctx.config.minimumDays : 30;
        const days = num(ctx.props.retentionInDays);
        if (days === undefined || days === 0) {
            ctx.report(`${ctx.subject}: retentionInDays is not set, so its logs are kept and billed forever; set retentionInDays (at least ${min}).`);
        } else if (days < min) {
            ctx.report(`${ctx.subject}: retentionInDays is ${days}, shorter than the ${min} days required to investigate an incident; raise it.`);
        }
    },
});

export const logGroupEncryption: ResourceValidationPolicy = resourcePolicy({
    name: "log-group-encryption",
    description: "Checks whether a CloudWatch log group is encrypted with a customer-managed KMS key (kmsKeyId), so access to its logs is also governed by the key's policy and can be revoked by disabling the key.",
    // Advisory: CloudWatch Logs always encrypts at rest (with a key AWS owns); a customer-managed key adds control
    // over who reads the logs, which an organisation may decide it does not need. The k8sprod components set one.
    enforcementLevel: "advisory",
    types: [TYPES.logGroup],
    check: (ctx) => {
        // Decided from what preview knows: the ARN of a key created in the same stack is unknown until the key
        // exists, but a kmsKeyId that is set (known or not) names a customer-managed key, which is all this
        // policy asks. Only a kmsKeyId that is absent, empty or not a string is reported.
        const key = "kmsKeyId" in ctx.props ? readKnown(() => ctx.props.kmsKeyId) : { value: undefined };
        if (key.unknown !== undefined) {
            return;
        }
        if (typeof key.value !== "string" || key.value.trim() === "") {
            ctx.report(`${ctx.subject}: kmsKeyId is not set, so its logs are encrypted only with a key AWS owns; set kmsKeyId to a KMS key whose policy lets logs.<region>.amazonaws.com use it for this group.`);
        }
    },
});
