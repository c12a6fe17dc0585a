import { releaseImages } from "../../lib/images";
import { containerLabel, containersOf, podTemplateOf } from "../../policies/kubernetes/lib";
import { expandPaths, formatInputError, parseSource, readSources } from "../check/manifests";
import { UsageError } from "../io";
import type { IO } from "../io";
import { runProject, selectProject } from "../plan/plan";

/** Where an image is used: a container of a Kubernetes object, or a part of a Helm release. */
export interface ImageSource {
    /** `Deployment`, `StatefulSet`, ... or `HelmRelease`. */
    kind: string;
    /** Object name (metadata.name), or the release name. */
    name: string;
    namespace?: string;
    /** `container "api"` / `init container "migrate"` for objects. */
    container?: string;
    /** `argo-cd 10.1.1` for releases. */
    chart?: string;
    /** What part of the chart runs the image, for releases. */
    role?: string;
    /** The manifest file and document, in manifest mode. */
    file?: string;
    document?: number;
}

/** One image and every place it is used. */
export interface ImageEntry {
    image: string;
    sources: ImageSource[];
}

/** The `--format json` document: every image, sorted, each with its sources. */
export interface ImagesReport {
    images: ImageEntry[];
}

export interface ImagesOptions {
    format: "text" | "json";
    /** Plan this stack's program instead of reading manifests. */
    stack?: string;
    /** The folder to find the project in (default: the working directory, as `plan`). */
    projectDir?: string;
    /** The program instead of the one the project's `main` names. */
    program?: string;
    /** The folder of `Pulumi.<stack>.yaml` instead of the project's `stackConfigDir`. */
    configDir?: string;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** Images of one resource (a pod-carrying Kubernetes object or a Helm release), as the engine registers it. */
export function imagesOfResource(type: string, props: Record<string, any>, name: string, where: Partial<ImageSource> = {}): Array<{ image: string; source: ImageSource }> {
    const namespace = typeof props?.metadata?.namespace === "string" ? props.metadata.namespace : typeof props?.namespace === "string" ? props.namespace : undefined;
    if (type === HELM_RELEASE) {
        if (props.values?.__pulumiUnknown === true || typeof props.chart !== "string" || typeof props.version !== "string") {
            throw new Error("the release's chart, version or values are not known; its images cannot be listed");
        }
        const chart = String(props.chart ?? "");
        const version = String(props.version ?? "");
        const release = typeof props.name === "string" && props.name !== "" ? props.name : name;
        return releaseImages(chart, version, props.values ?? {}).map((r) => ({
            image: r.image,
            source: { kind: "HelmRelease", name: release, ...(namespace ? { namespace } : {}), chart: `${chart} ${version}`, role: r.role, ...where },
        }));
    }
    const pod = podTemplateOf(type, props);
    if (!pod) {
        return [];
    }
    const kind = type.slice(type.lastIndexOf(":") + 1);
    const objectName = typeof props?.metadata?.name === "string" ? props.metadata.name : name;
    return containersOf(pod.spec).map((ref) => {
        const image = ref.c.image;
        if (typeof image !== "string" || image.trim() === "") {
            throw new Error(`${kind} ${namespace ? `${namespace}/` : ""}${objectName}: ${containerLabel(ref)} has ${image === undefined ? "no image" : "an image that is not known (an output of another resource?)"} at ${pod.specPath}.${ref.path}.image`);
        }
        return { image: image.trim(), source: { kind, name: objectName, ...(namespace ? { namespace } : {}), container: containerLabel(ref), ...where } };
    });
}

/** Groups uses by image, sorted by image. */
export function groupImages(uses: Array<{ image: string; source: ImageSource }>): ImagesReport {
    const byImage = new Map<string, ImageSource[]>();
    for (const u of uses) {
        byImage.set(u.image, [...(byImage.get(u.image) ?? []), u.source]);
    }
    return { images: [...byImage.keys()].sort().map((image) => ({ image, sources: byImage.get(image)! })) };
}

async function fromStack(opts: ImagesOptions): Promise<ImagesReport> {
    // The same project, program and stack config `k8sprod plan` (and `pulumi up`) would use.
    const problems: string[] = [];
    const project = selectProject(opts, problems);
    const cfg = project.cfg;
    if (problems.length > 0 || !cfg) {
        throw new UsageError(problems);
    }
    let run;
    try {
        run = await runProject({ ...project, cfg }, undefined, "update");
    } catch (e: any) {
        throw new UsageError([e.message]);
    }
    if (run.errors.length > 0) {
        throw new UsageError([`the ${cfg.stack} stack's program failed (${project.program}):`, ...run.errors.map((e) => `  ${e.split("\n")[0]}`)]);
    }
    const uses = [];
    const errors: string[] = [];
    for (const r of run.registrations) {
        try {
            uses.push(...imagesOfResource(r.type, r.inputs ?? {}, r.name));
        } catch (e: any) {
            errors.push(`${r.urn}: ${e.message}`);
        }
    }
    if (errors.length > 0) {
        throw new UsageError(errors);
    }
    return groupImages(uses);
}

async function fromManifests(paths: string[], io: IO): Promise<ImagesReport> {
    const expanded = expandPaths(paths);
    const read = await readSources(expanded.files, io.stdin);
    const errors = [...expanded.errors, ...read.errors].map(formatInputError);
    const uses = [];
    for (const src of read.sources) {
        const parsed = parseSource(src);
        errors.push(...parsed.errors.map(formatInputError));
        for (const o of parsed.objects) {
            try {
                uses.push(...imagesOfResource(o.type, o.object, o.name, { file: o.file, document: o.document }));
            } catch (e: any) {
                errors.push(`${o.file}: document ${o.document}, line ${o.line}: ${e.message}`);
            }
        }
    }
    if (errors.length > 0) {
        throw new UsageError(errors);
    }
    return groupImages(uses);
}

/** `k8sprod images`: every image a stack (planned offline) or a set of manifests deploys. */
export async function images(paths: string[], opts: ImagesOptions, io: IO): Promise<ImagesReport> {
    if ((opts.stack !== undefined) === (paths.length > 0)) {
        throw new UsageError(["give either manifest paths or --stack <name>, not both and not neither"]);
    }
    return opts.stack !== undefined ? fromStack(opts) : fromManifests(paths, io);
}

/** Plain lines (one image each, for `xargs trivy image`), or the JSON report. */
export function renderImages(report: ImagesReport, format: "text" | "json"): string {
    if (format === "json") {
        return JSON.stringify(report, null, 2) + "\n";
    }
    return report.images.map((i) => `${i.image}\n`).join("");
}
