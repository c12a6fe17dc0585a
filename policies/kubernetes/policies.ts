// The k8sprod-kubernetes pack: its name and its policies, in one list that the pack (index.ts), the
// offline engine and the tests all load.
import { Policies } from "@pulumi/policy";
import { expandPackConfig } from "./config";
import { allowedImageRegistries, disallowLatestTag } from "./images";

export const packName = "k8sprod-kubernetes";

export const policies: Policies = [
    disallowLatestTag,
    allowedImageRegistries,
];

/** The pack's config document (stage, pack-wide exemptions, per-policy config) as Pulumi policy config. */
export function expandConfig(doc: Record<string, any>): Record<string, any> {
    return expandPackConfig(doc, policies);
}
