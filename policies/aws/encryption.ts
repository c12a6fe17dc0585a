// Keys: customer managed KMS keys rotate.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { bool, resourcePolicy, str, TYPES } from "./lib";

/** Only symmetric encryption keys support automatic rotation. */
function rotatable(props: Record<string, any>): boolean {
    const spec = str(props.customerMasterKeySpec) ?? "SYMMETRIC_DEFAULT";
    const usage = str(props.keyUsage) ?? "ENCRYPT_DECRYPT";
    return spec === "SYMMETRIC_DEFAULT" && usage === "ENCRYPT_DECRYPT";
}

export const kmsKeyRotation: ResourceValidationPolicy = resourcePolicy({
    name: "kms-key-rotation",
    description: "Checks whether a symmetric KMS key has automatic rotation turned on, so a leaked key version stops protecting new data within a year.",
    enforcementLevel: "mandatory",
    types: [TYPES.kmsKey],
    check: (ctx) => {
        if (rotatable(ctx.props) && bool(ctx.props.enableKeyRotation) !== true) {
            ctx.report(`${ctx.subject}: enableKeyRotation is not true; set it to true.`);
        }
    },
    // Turning rotation on changes no data and breaks no caller: a safe automatic fix.
    remediate: (ctx) => (rotatable(ctx.props) && bool(ctx.props.enableKeyRotation) !== true ? { ...ctx.props, enableKeyRotation: true } : undefined),
});
