// The k8sprod-aws pack: its name and its policies, in one list that the pack (index.ts), the offline engine and
// the tests all load.
import { Policies } from "@pulumi/policy";
import { withMetadata } from "../../lib/policyMetadata";
import { metadata } from "./metadata";
import { eksControlPlaneLogging, eksMultiAz, eksPrivateEndpoint, eksSecretsEncryption, eksSupportedVersion } from "./eks";
import { nodeGroupAutoscalingTags, requireImdsv2 } from "./compute";
import { ecrImmutableTags, ecrKmsEncryption, ecrScanOnPush } from "./ecr";
import { kmsKeyRotation } from "./encryption";
import { logGroupEncryption, logGroupRetention } from "./logging";
import { irsaTrustScoped } from "./iam";
import { requiredTags } from "./tags";
import { backupBucketProtection } from "./s3";

export const packName = "k8sprod-aws";

export const policies: Policies = withMetadata<Policies[number]>([
    eksMultiAz,
    eksSecretsEncryption,
    eksPrivateEndpoint,
    eksControlPlaneLogging,
    eksSupportedVersion,
    requireImdsv2,
    nodeGroupAutoscalingTags,
    kmsKeyRotation,
    logGroupRetention,
    logGroupEncryption,
    irsaTrustScoped,
    requiredTags,
    backupBucketProtection,
    ecrScanOnPush,
    ecrImmutableTags,
    ecrKmsEncryption,
], metadata);
