// The k8sprod-kubernetes pack: its name and its policies, in one list that the pack (index.ts), the
// offline engine and the tests all load.
import { Policies } from "@pulumi/policy";
import { withMetadata } from "../../lib/policyMetadata";
import { metadata } from "./metadata";
import { disallowClusterAdminBinding, disallowDefaultNamespace, disallowRbacWildcards, disallowServiceAccountTokenAutomount, requireDedicatedServiceAccount } from "./access";
import {
    disallowReplicasWithHpa, disallowZeroDisruptionPdb, requireHpaScaleBehavior, requireMinReplicas, requirePdbUnhealthyPodEvictionPolicy,
    requirePodDisruptionBudget, requireProbes, requireZoneSpread,
} from "./availability";
import { expandPackConfig } from "./config";
import { disallowSecretEnv, requireHighUidGid, requireReadOnlyRootFilesystem } from "./containers";
import { disallowArgoCdDefaultProject, disallowArgoCdProjectWildcards, restrictArgoCdClusterResources } from "./gitops";
import { allowedImageRegistries, disallowLatestTag, requireImageDigest } from "./images";
import { requireDefaultDenyNetworkPolicy, requireNamespacePodSecurity } from "./namespaces";
import { requireScrapeTarget } from "./observability";
import { podSecurityPolicies } from "./podSecurity";
import { requireEphemeralStorage, requireGuaranteedQos, requireResourceLimits, requireResourceRequests } from "./resources";
import { requireHeadlessService, requireVolumeClaimStorageClass } from "./statefulsets";
import { requireBackupSchedule } from "./backup";

export const packName = "k8sprod-kubernetes";

export const policies: Policies = withMetadata<Policies[number]>([
    ...podSecurityPolicies,
    requireResourceRequests,
    requireResourceLimits,
    requireGuaranteedQos,
    requireReadOnlyRootFilesystem,
    requireMinReplicas,
    requirePodDisruptionBudget,
    disallowZeroDisruptionPdb,
    requireHpaScaleBehavior,
    requireZoneSpread,
    requireProbes,
    disallowLatestTag,
    allowedImageRegistries,
    requireImageDigest,
    requireDedicatedServiceAccount,
    disallowServiceAccountTokenAutomount,
    disallowClusterAdminBinding,
    disallowRbacWildcards,
    disallowDefaultNamespace,
    requireNamespacePodSecurity,
    requireDefaultDenyNetworkPolicy,
    requireHeadlessService,
    requireVolumeClaimStorageClass,
    requireBackupSchedule,
    // Issue 13: practices the peer linters check.
    disallowReplicasWithHpa,
    requireEphemeralStorage,
    disallowSecretEnv,
    requirePdbUnhealthyPodEvictionPolicy,
    requireHighUidGid,
    // requireImageDigest is listed once, with the image policies above (main listed it twice).
    disallowArgoCdProjectWildcards,
    restrictArgoCdClusterResources,
    disallowArgoCdDefaultProject,
    // Observability.
    requireScrapeTarget,
], metadata);

/** The pack's config document (stage, pack-wide exemptions, per-policy config) as Pulumi policy config. */
export function expandConfig(doc: Record<string, any>): Record<string, any> {
    return expandPackConfig(doc, policies);
}
