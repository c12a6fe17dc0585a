import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { FragmentKind } from "./kubernetes-fragments";

/**
 * Checks Helm values against a chart's own default `values.yaml` (copied upstream files under
 * tests/fixtures/charts/<chart>/), following the key-checker notes of ../shared/charts/INDEX.md:
 * - a key must exist in the defaults;
 * - a default of null, `{}` or `[]` means "key exists, contents free-form": nothing below it is checked;
 * - the checker descends only into maps that are non-empty in the defaults;
 * - a scalar may replace a scalar of the same type (or null); a list replaces a list; a map merges into a map;
 * - maps the chart documents as free-form although their default is non-empty (cluster-autoscaler
 *   `extraArgs`) are named by the caller;
 * - keys that the values.yaml documents only in a comment (`# limits:` under `resources`) are allowed
 *   when the caller names them, and only if that comment is really in the file;
 * - Kubernetes objects the chart passes verbatim into its pod spec (security contexts, resources,
 *   spread constraints) are named by the caller with their Kubernetes kind; their fields are checked
 *   against the Kubernetes API types (kubernetes-fragments.ts) instead of the chart's example keys.
 */

export const CHART_FIXTURES = path.join(__dirname, "..", "..", "..", "tests", "fixtures", "charts");

/** A chart's copied files. */
export interface ChartFixture {
    name: string;
    chartYaml: Record<string, any>;
    defaults: Record<string, any>;
    /** The raw values.yaml text (comments included). */
    valuesText: string;
}

export function loadChartFixture(name: string): ChartFixture {
    const dir = path.join(CHART_FIXTURES, name);
    const valuesText = fs.readFileSync(path.join(dir, "values.yaml"), "utf8");
    return {
        name,
        chartYaml: YAML.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")),
        defaults: YAML.parse(valuesText) ?? {},
        valuesText,
    };
}

/** A key the chart documents only in a comment, allowed with the reason given. */
export interface CommentedKey {
    path: string[];
    reason: string;
}

export interface CheckOptions {
    /** Maps whose contents are free-form although their default is not empty. */
    freeForm?: string[][];
    /** Keys present in values.yaml only as comments. */
    commented?: CommentedKey[];
    /** Kubernetes objects passed verbatim to the pod spec, checked by kind elsewhere. */
    typed?: TypedPath[];
}

/** A values path whose value the chart hands to Kubernetes as an object of `kind`. */
export interface TypedPath {
    path: string[];
    kind: FragmentKind;
}

function isMap(v: unknown): v is Record<string, any> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
    return v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
}

function show(p: string[]): string {
    return p.map((k) => (/^[A-Za-z_][\w-]*$/.test(k) ? k : JSON.stringify(k))).join(".");
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/** True when `valuesText` has a commented-out key `key:` (e.g. `    # limits:`, or `# - seriesQuery:` in a list). */
export function documentedInComment(valuesText: string, key: string): boolean {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`^\\s*#+\\s*(?:-\\s+)?${escaped}\\s*:`, "m").test(valuesText);
}

/** Every problem of `values` against the chart's defaults; empty when every key is allowed. */
export function valuesProblems(chart: ChartFixture, values: Record<string, any>, opts: CheckOptions = {}): string[] {
    const problems: string[] = [];
    for (const c of opts.commented ?? []) {
        if (!documentedInComment(chart.valuesText, c.path[c.path.length - 1])) {
            problems.push(`${show(c.path)}: allowed as a commented key, but ${chart.name}/values.yaml has no comment "# ${c.path[c.path.length - 1]}:"`);
        }
    }
    for (const f of opts.freeForm ?? []) {
        const d = f.reduce<any>((node, k) => (isMap(node) ? node[k] : undefined), chart.defaults);
        if (!isMap(d)) {
            problems.push(`${show(f)}: named free-form, but it is not a map in ${chart.name}/values.yaml`);
        }
    }
    const walk = (value: any, dflt: any, here: string[], dfltKnown: boolean): void => {
        if (opts.typed?.some((t) => same(t.path, here))) {
            return;
        }
        if (opts.freeForm?.some((f) => same(f, here))) {
            if (!isMap(value) && value !== null) {
                problems.push(`${show(here)}: must be a map (the chart's default is one)`);
            }
            return;
        }
        if (!dfltKnown) {
            // A commented key: the chart documents it but gives no default to compare with.
            return;
        }
        if (value === null || dflt === null || dflt === undefined) {
            return;
        }
        if (isEmpty(dflt)) {
            // `{}` or `[]`: contents free-form, but a map stays a map and a list a list.
            if (Array.isArray(dflt) !== Array.isArray(value) || isMap(dflt) !== isMap(value)) {
                problems.push(`${show(here)}: must be a ${Array.isArray(dflt) ? "list" : "map"} (the chart's default is an empty one), got ${JSON.stringify(value)}`);
            }
            return;
        }
        if (isMap(dflt)) {
            if (!isMap(value)) {
                problems.push(`${show(here)}: must be a map (the chart's default is one), got ${JSON.stringify(value)}`);
                return;
            }
            for (const [k, v] of Object.entries(value)) {
                const next = [...here, k];
                if (Object.prototype.hasOwnProperty.call(dflt, k)) {
                    walk(v, dflt[k], next, true);
                } else if (opts.commented?.some((c) => same(c.path, next))) {
                    walk(v, undefined, next, false);
                } else {
                    problems.push(`${show(next)}: no such key in ${chart.name} ${chart.chartYaml.version} values.yaml`);
                }
            }
            return;
        }
        if (Array.isArray(dflt)) {
            if (!Array.isArray(value)) {
                problems.push(`${show(here)}: must be a list (the chart's default is one), got ${JSON.stringify(value)}`);
            }
            return;
        }
        if (typeof value !== typeof dflt) {
            problems.push(`${show(here)}: must be a ${typeof dflt} like the chart's default ${JSON.stringify(dflt)}, got ${JSON.stringify(value)}`);
        }
    };
    walk(values, chart.defaults, [], true);
    return problems;
}

/** Leaf paths of `values` (maps descended, lists and scalars are leaves), for assertions. */
export function leafPaths(values: Record<string, any>, prefix: string[] = []): string[][] {
    return Object.entries(values).flatMap(([k, v]) => (isMap(v) && Object.keys(v).length > 0 ? leafPaths(v, [...prefix, k]) : [[...prefix, k]]));
}

/** The Kubernetes objects at the typed paths of `values`, for fragmentProblems. */
export function typedFragments(values: Record<string, any>, typed: TypedPath[]): Array<TypedPath & { value: unknown }> {
    return typed.flatMap((t) => {
        const value = t.path.reduce<any>((node, k) => (isMap(node) ? node[k] : undefined), values);
        return value === undefined || value === null ? [] : [{ ...t, value }];
    });
}
