/**
 * The one way k8sprod installs third-party software: a pinned Helm chart from its upstream repository,
 * installed as a `kubernetes:helm.sh/v3:Release`, with the user's values deep-merged over the
 * component's defaults and the component's own fields laid on top, where the user cannot change them.
 *
 * Why a Release and not `helm.v4.Chart`: a Release is Helm itself (embedded in the provider). Chart
 * hooks run (the VPA admission controller's certificate jobs), `lookup` sees the cluster (metrics-server
 * reuses its certificate), CRDs in `crds/` are installed the Helm way, a failed upgrade rolls back
 * (`atomic`), and on-call engineers see and roll back the release with the `helm` CLI. A v4 Chart renders
 * the templates client-side into separate Pulumi resources: hooks become plain objects, `lookup` returns
 * nothing, and charts that generate certificates with `genCA` produce a new one on every preview. The
 * provider's documentation itself recommends the Release for production. What the Release costs: the
 * rendered objects are not separate resources, so a policy pack sees the chart, version and values of
 * the Release (which the packs can check) and not the Deployments inside it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import deepmerge from "deepmerge";
import { Problems, isKnown } from "./errors";
import { HelmChartPin } from "../../lib/versions";

/** Helm values: a YAML map. */
export type HelmValues = { [key: string]: any };

/** A field of the chart's values that the component sets and the user cannot override. */
export interface OwnedValue {
    /** Path of the field in the chart's values, one key per element (keys may contain dots). */
    path: string[];
    /** The value the component sets there (a whole subtree when it owns a map). */
    value: pulumi.Input<any>;
    /** Why the component owns it, shown when a user tries to set it. */
    reason: string;
}

/** How long Helm may take to install or upgrade before the release fails (and, being atomic, rolls back). */
export const DEFAULT_HELM_TIMEOUT_SECONDS = 600;
/** Release revisions Helm keeps for `helm rollback`. */
export const DEFAULT_HELM_MAX_HISTORY = 10;

/** True for a plain `{...}` object (not an array, an Output, a class instance or null). */
export function isPlainObject(v: unknown): v is HelmValues {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
        return false;
    }
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

/** `values.rbac.serviceAccount`, or `values.podAnnotations["eks.amazonaws.com/role-arn"]` for keys that are not identifiers. */
export function valuesPath(path: readonly string[], root = "values"): string {
    return path.reduce((acc, key) => (/^[A-Za-z_$][\w$-]*$/.test(key) ? `${acc}.${key}` : `${acc}[${JSON.stringify(key)}]`), root);
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
    return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

/**
 * The places where `user` sets a field the component owns: a user key at an owned path, inside an
 * owned subtree, or a non-map value above one (which would replace it). Parts of `user` that are not
 * known yet (Outputs) are skipped here; {@link mergeHelmValues} checks them again once known.
 */
export function ownedValueConflicts(user: unknown, owned: ReadonlyArray<Pick<OwnedValue, "path" | "reason">>): Array<{ path: string[]; reason: string }> {
    const found: Array<{ path: string[]; reason: string }> = [];
    const walk = (node: unknown, path: string[]): void => {
        if (!isPlainObject(node)) {
            return;
        }
        for (const [key, value] of Object.entries(node)) {
            const here = [...path, key];
            const hit = owned.find((o) => startsWith(here, o.path));
            if (hit) {
                found.push({ path: here, reason: hit.reason });
                continue;
            }
            const below = owned.find((o) => startsWith(o.path, here));
            if (below && isKnown(value) && !isPlainObject(value)) {
                found.push({ path: here, reason: below.reason });
                continue;
            }
            walk(value, here);
        }
    };
    walk(user, []);
    return found;
}

/**
 * Adds a problem for every owned field the user's values set, and for values that are not a map.
 * Call it from a component's validation, before any child exists.
 */
export function checkUserValues(problems: Problems, values: pulumi.Input<HelmValues> | undefined, owned: ReadonlyArray<Pick<OwnedValue, "path" | "reason">>, argName = "values"): void {
    if (!isKnown(values)) {
        return;
    }
    if (!isPlainObject(values)) {
        problems.add(argName, "must be a map of Helm values");
        return;
    }
    for (const c of ownedValueConflicts(values, owned)) {
        problems.add(valuesPath(c.path, argName), `is set by the component and cannot be overridden: ${c.reason}`);
    }
}

/** Sets `value` at `path` inside `target`, creating maps on the way. */
function setPath(target: HelmValues, path: readonly string[], value: unknown): void {
    let node = target;
    for (const key of path.slice(0, -1)) {
        if (!isPlainObject(node[key])) {
            node[key] = {};
        }
        node = node[key];
    }
    node[path[path.length - 1]] = value;
}

/** A deep copy of plain maps and lists (leaves are kept as they are). */
function copy<T>(v: T): T {
    if (Array.isArray(v)) {
        return v.map(copy) as T;
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) as T;
    }
    return v;
}

const mergeOptions: deepmerge.Options = {
    // Helm replaces lists; it merges only maps.
    arrayMerge: (_target, source) => copy(source),
    // Lists count as mergeable only so that deepmerge copies them (through arrayMerge) instead of sharing them.
    isMergeableObject: (v) => isPlainObject(v) || Array.isArray(v),
};

/**
 * The values handed to Helm: `user` deep-merged over `defaults` (maps merge key by key, lists and
 * scalars replace), then every owned field set over the result (replacing, not merging). Pure: inputs
 * are not changed.
 * Throws when `user` sets an owned field (the components refuse that earlier, with the property path).
 */
export function mergeHelmValues(defaults: HelmValues, user: HelmValues | undefined, owned: ReadonlyArray<{ path: string[]; value: unknown; reason: string }>): HelmValues {
    const conflicts = ownedValueConflicts(user ?? {}, owned);
    if (conflicts.length > 0) {
        throw new Error(conflicts.map((c) => `${valuesPath(c.path)} is set by the component and cannot be overridden: ${c.reason}`).join("; "));
    }
    const merged = deepmerge<HelmValues>(defaults, user ?? {}, mergeOptions);
    // An owned field replaces whatever the defaults had there: it is the component's whole answer.
    for (const o of owned) {
        setPath(merged, o.path, copy(o.value));
    }
    return merged;
}

/**
 * {@link mergeHelmValues} once every input is known. A user value that sets an owned field (possible
 * only through an Output, since known values are refused up front) fails with a `ResourceError` on `parent`.
 */
export function releaseValues(defaults: pulumi.Input<HelmValues>, user: pulumi.Input<HelmValues> | undefined, owned: OwnedValue[], parent: pulumi.Resource): pulumi.Output<HelmValues> {
    const ownedValues = pulumi.all(owned.map((o) => pulumi.output(o.value)));
    return pulumi.all([pulumi.output(defaults), pulumi.output(user ?? {}), ownedValues]).apply(([d, u, resolved]) => {
        const withValues = owned.map((o, i) => ({ path: o.path, reason: o.reason, value: resolved[i] }));
        try {
            return mergeHelmValues(d as HelmValues, u as HelmValues, withValues);
        } catch (e) {
            throw new pulumi.ResourceError((e as Error).message, parent);
        }
    });
}

/** What {@link chartRelease} installs. */
export interface ChartReleaseArgs {
    /** The pinned chart (from `HELM_CHARTS` in versions.ts). */
    chart: HelmChartPin;
    /** Helm release name; the chart derives object names from it. */
    releaseName: string;
    /** Namespace to install into; it must exist. */
    namespace: pulumi.Input<string>;
    /** The component's defaults. */
    defaults: pulumi.Input<HelmValues>;
    /** The user's values, deep-merged over the defaults. */
    values?: pulumi.Input<HelmValues>;
    /** Fields the component owns, set last. */
    owned: OwnedValue[];
    /** Seconds Helm may take. Defaults to {@link DEFAULT_HELM_TIMEOUT_SECONDS}. */
    timeoutSeconds?: number;
}

/**
 * Installs a pinned chart as one atomic Helm release. The caller passes `parent` (and, through it,
 * the Kubernetes provider) in `opts`. A user value that turns out, once known, to set an owned field
 * fails the deployment with a `ResourceError` on the parent.
 */
export function chartRelease(name: string, args: ChartReleaseArgs, opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource }): k8s.helm.v3.Release {
    const values = releaseValues(args.defaults, args.values, args.owned, opts.parent);
    return new k8s.helm.v3.Release(name, {
        name: args.releaseName,
        chart: args.chart.chart,
        version: args.chart.version,
        repositoryOpts: { repo: args.chart.repo },
        namespace: args.namespace,
        createNamespace: false,
        values,
        atomic: true,
        cleanupOnFail: true,
        maxHistory: DEFAULT_HELM_MAX_HISTORY,
        timeout: args.timeoutSeconds ?? DEFAULT_HELM_TIMEOUT_SECONDS,
    }, opts);
}
