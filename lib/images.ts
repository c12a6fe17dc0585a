/**
 * Pure code shared by components and packs: imports no provider SDK, never components/ or policies/.
 *
 * The images a pinned Helm release installs, read from the version matrix (`HELM_CHART_IMAGES`) and the
 * release's own values (an override of a repository or a tag, a component switched on or off).
 */
import { ChartImagePin, HELM_CHART_IMAGES } from "./versions";

/** One image a release installs, and which part of the chart runs it. */
export interface ReleaseImage {
    image: string;
    role: string;
}

function valueAt(values: unknown, path: readonly string[]): unknown {
    let node = values;
    for (const key of path) {
        if (node === null || typeof node !== "object" || Array.isArray(node)) {
            return undefined;
        }
        node = (node as Record<string, unknown>)[key];
    }
    return node;
}

/** The first non-empty string among `paths` in `values`, or `fallback`; an override that is not a string is an error. */
function override(values: unknown, paths: readonly string[][] | undefined, fallback: string, what: string): string {
    for (const path of paths ?? []) {
        const v = valueAt(values, path);
        if (v === undefined || v === null || v === "") {
            continue;
        }
        if (typeof v !== "string") {
            throw new Error(`values.${path.join(".")} (the ${what}) is ${JSON.stringify(v) ?? String(v)}, not a string: the image cannot be known`);
        }
        return v;
    }
    return fallback;
}

function enabled(pin: ChartImagePin, values: unknown): boolean {
    return (pin.when ?? []).every((c) => {
        const v = valueAt(values, c.path);
        const actual = typeof v === "boolean" ? v : c.default;
        return actual === c.equals;
    });
}

/**
 * Every image a release of `chart` at `version` installs with `values`. Throws when the version matrix has no
 * image pins for that chart version (an unknown chart must never read as "no images").
 */
export function releaseImages(chart: string, version: string, values: unknown): ReleaseImage[] {
    const pins = HELM_CHART_IMAGES[`${chart}@${version}`];
    if (!pins) {
        throw new Error(`chart ${chart} ${version} has no image pins in lib/versions.ts (HELM_CHART_IMAGES); add the images it installs`);
    }
    return pins.filter((p) => enabled(p, values)).map((p) => {
        const path = override(values, p.repositoryPaths, p.repository, `repository of ${p.role}`);
        const repository = p.registry === undefined ? path : `${override(values, p.registryPaths, p.registry, `registry of ${p.role}`)}/${path}`;
        const tag = override(values, p.tagPaths, p.tag, `tag of ${p.role}`);
        return { image: `${repository}:${tag}`, role: p.role };
    });
}
