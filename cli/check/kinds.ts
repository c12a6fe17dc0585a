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
    // Velero Schedules: require-backup-schedule reads them to see which namespaces are backed up.
    "velero.io/v1/Schedule",
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
    /** A custom resource the bundled packs have policies for ({@link CHECKED_CUSTOM_KINDS}): checked, but not a built-in kind (its schema is its CRD's). */
    | "custom"
    /** Anything else (custom resources, kinds this SDK does not know): reported as not checked. */
    | "unknown";

export function classify(apiVersion: string, kind: string): KindClass {
    const gvk = `${apiVersion}/${kind}`;
    if (known.has(gvk)) {
        return "resource";
    }
    if (custom.has(gvk)) {
        return "custom";
    }
    if (lists.has(gvk)) {
        return "list";
    }
    return "unknown";
}

/** The group of an apiVersion ("" for the core group's "v1"). */
function groupOf(apiVersion: string): string {
    const slash = apiVersion.lastIndexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Kubernetes' version priority: GA before beta before alpha, higher numbers first. */
function versionRank(apiVersion: string): number {
    const v = /v(\d+)(?:(alpha|beta)(\d+))?$/.exec(apiVersion);
    if (!v) {
        return 0;
    }
    const stage = v[2] === undefined ? 3 : v[2] === "beta" ? 2 : 1;
    return stage * 1e6 + Number(v[1]) * 1e3 + Number(v[3] ?? 0);
}

const byKind = new Map<string, string[]>();
const builtInGroups = new Set<string>();
for (const gvk of KINDS) {
    const slash = gvk.lastIndexOf("/");
    const apiVersion = gvk.slice(0, slash);
    const kind = gvk.slice(slash + 1);
    byKind.set(kind, [...(byKind.get(kind) ?? []), apiVersion]);
    builtInGroups.add(groupOf(apiVersion));
}

/**
 * When `kind` is a built-in kind written under a built-in group that does not serve it (`apiVersion:
 * v1` with `kind: Deployment`, a typo the API server refuses), the apiVersions that do serve it: the
 * preferred version of each group (GA ones only, when the kind has one), best first (`["apps/v1"]`). Undefined when the group is not a
 * built-in one (a custom resource may reuse a built-in kind's name) or when the group serves the kind
 * at another version (a newer API the SDK does not know yet).
 */
export function servingApiVersions(apiVersion: string, kind: string): string[] | undefined {
    const group = groupOf(apiVersion);
    const candidates = byKind.get(kind);
    if (!candidates || !builtInGroups.has(group) || candidates.includes(apiVersion) || candidates.some((c) => groupOf(c) === group)) {
        return undefined;
    }
    const best = new Map<string, string>();
    for (const c of candidates) {
        const g = groupOf(c);
        const current = best.get(g);
        if (current === undefined || versionRank(c) > versionRank(current)) {
            best.set(g, c);
        }
    }
    // Only GA versions when there is one (extensions/v1beta1 Deployments are long gone from servers).
    const all = [...best.values()];
    const ga = all.filter((v) => versionRank(v) >= 3e6);
    return (ga.length > 0 ? ga : all).sort((a, b) => versionRank(b) - versionRank(a) || (a < b ? -1 : 1));
}
