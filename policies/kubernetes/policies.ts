// The k8sprod-kubernetes pack: its name and its policies, in one list that the pack (index.ts), the
// offline engine and the tests all load.
import { Policies } from "@pulumi/policy";
import { disallowClusterAdminBinding, disallowDefaultNamespace, disallowRbacWildcards, disallowServiceAccountTokenAutomount, requireDedicatedServiceAccount } from "./access";
import {
    disallowZeroDisruptionPdb, requireHpaScaleBehavior, requireMinReplicas, requirePodDisruptionBudget, requireProbes, requireZoneSpread,
} from "./availability";
import { expandPackConfig } from "./config";
import { requireReadOnlyRootFilesystem } from "./containers";
import { allowedImageRegistries, disallowLatestTag } from "./images";
import { requireDefaultDenyNetworkPolicy, requireNamespacePodSecurity } from "./namespaces";
import { requireScrapeTarget } from "./observability";
import { podSecurityPolicies } from "./podSecurity";
import { requireGuaranteedQos, requireResourceLimits, requireResourceRequests } from "./resources";
import { requireHeadlessService, requireVolumeClaimStorageClass } from "./statefulsets";

export const packName = "k8sprod-kubernetes";

export const policies: Policies = [
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
    requireDedicatedServiceAccount,
    disallowServiceAccountTokenAutomount,
    disallowClusterAdminBinding,
    disallowRbacWildcards,
    disallowDefaultNamespace,
    requireNamespacePodSecurity,
    requireDefaultDenyNetworkPolicy,
    requireHeadlessService,
    requireVolumeClaimStorageClass,
    requireScrapeTarget,
];

/** The pack's config document (stage, pack-wide exemptions, per-policy config) as Pulumi policy config. */
export function expandConfig(doc: Record<string, any>): Record<string, any> {
    return expandPackConfig(doc, policies);
}
