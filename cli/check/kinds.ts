import { KINDS, LISTS } from "./kinds-table";

const known = new Set(KINDS);
/**
 * Custom resources the bundled packs have policies for (Argo CD's). A program registers them through
 * `apiextensions.CustomResource` under the same `kubernetes:<group>/<version>:<Kind>` token, so `check`
 * hands them to the packs as `plan` does instead of reporting them as not checked.
 */
export const CHECKED_CUSTOM_KINDS: readonly string[] = [
    "argoproj.io/v1alpha1/AppProject",
    "argoproj.io/v1alpha1/Application",
    "argoproj.io/v1alpha1/ApplicationSet",
];
const custom = new Set(CHECKED_CUSTOM_KINDS);
const lists = new Set(LISTS);

/**
 * The Pulumi type token of a Kubernetes kind, as `@pulumi/kubernetes` spells it: the core group
 * ("v1") is `core/v1`, every other group keeps its apiVersion (`apps/v1`, `networking.k8s.io/v1`).
 * `kubernetes:apps/v1:Deployment`, `kubernetes:core/v1:Pod`.
 */
export function typeToken(apiVersion: string, kind: string): string {
    const groupVersion = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${groupVersion}:${kind}`;
}

export type KindClass =
    /** A kind `@pulumi/kubernetes` registers as a resource: it is checked. */
    | "resource"
    /** A list kind (`v1/List`, `apps/v1/DeploymentList`, ...): its items are read instead. */
    | "list"
    /** Anything else (custom resources, kinds this SDK does not know): reported as not checked. */
    | "unknown";

export function classify(apiVersion: string, kind: string): KindClass {
    const gvk = `${apiVersion}/${kind}`;
    if (known.has(gvk) || custom.has(gvk)) {
        return "resource";
    }
    if (lists.has(gvk)) {
        return "list";
    }
    return "unknown";
}
