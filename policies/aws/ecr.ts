// ECR: image repositories scan what is pushed, never let a tag move, and encrypt with a customer managed key.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, bool, obj, resourcePolicy, str, TYPES } from "./lib";

export const ecrScanOnPush: ResourceValidationPolicy = resourcePolicy({
    name: "ecr-scan-on-push",
    description: "Checks whether an ECR repository scans every image on push, so a known vulnerability is reported before the image is deployed.",
    enforcementLevel: "mandatory",
    types: [TYPES.ecrRepository],
    check: (ctx) => {
        if (bool(obj(ctx.props.imageScanningConfiguration)?.scanOnPush) !== true) {
            ctx.report(`${ctx.subject}: imageScanningConfiguration.scanOnPush is not true; set it to true so every pushed image is scanned.`);
        }
    },
    // Scanning changes no image and breaks no puller: a safe automatic fix.
    remediate: (ctx) => (bool(obj(ctx.props.imageScanningConfiguration)?.scanOnPush) !== true
        ? { ...ctx.props, imageScanningConfiguration: { ...(obj(ctx.props.imageScanningConfiguration) ?? {}), scanOnPush: true } }
        : undefined),
});

export const ecrImmutableTags: ResourceValidationPolicy = resourcePolicy({
    name: "ecr-immutable-tags",
    description: "Checks whether an ECR repository makes image tags immutable, so a tag deployed to production always names the same image.",
    enforcementLevel: "mandatory",
    types: [TYPES.ecrRepository],
    check: (ctx) => {
        const mutability = str(ctx.props.imageTagMutability) ?? "MUTABLE";
        if (mutability === "IMMUTABLE") {
            return;
        }
        if (mutability === "IMMUTABLE_WITH_EXCLUSION") {
            const filters = arr(ctx.props.imageTagMutabilityExclusionFilters).map((f) => str(obj(f)?.filter)).filter((f): f is string => !!f);
            ctx.report(`${ctx.subject}: imageTagMutability is IMMUTABLE_WITH_EXCLUSION, so tags matching ${filters.join(", ") || "its exclusion filters"} can be moved; set imageTagMutability to IMMUTABLE.`);
            return;
        }
        ctx.report(`${ctx.subject}: imageTagMutability is ${mutability}, so a pushed tag can be overwritten; set imageTagMutability to IMMUTABLE.`);
    },
});

export const ecrKmsEncryption: ResourceValidationPolicy = resourcePolicy({
    name: "ecr-kms-encryption",
    description: "Checks whether an ECR repository encrypts its images with a KMS key, so access to the images can be audited and revoked through the key.",
    enforcementLevel: "advisory",
    types: [TYPES.ecrRepository],
    check: (ctx) => {
        const enc = obj(arr(ctx.props.encryptionConfigurations)[0]);
        const type = str(enc?.encryptionType) ?? "AES256";
        if (type !== "KMS" && type !== "KMS_DSSE") {
            ctx.report(`${ctx.subject}: encryptionConfigurations[0].encryptionType is ${type}; set it to KMS with a customer managed kmsKey.`);
        }
    },
});
