import { loadAnalyzer } from "../engine/contract";
import type { EngineResource, EngineViolation, PackHandle } from "../engine/contract";
import { UsageError } from "../io";
import type { IO } from "../io";
import { docsBaseUri, kubernetesPack, packageVersion, readPacksAndConfig } from "../packs";
import { appendAll } from "../util";
import { buildReport, exitCodeOf, jsonReportChunks, locationKey, mergeReports } from "../report/report";
import type { Report, ReportContext, ReportUnchecked, ResourceLocation } from "../report/report";
import { policyInfos, renderSarifChunks } from "../report/sarif";
import type { PolicyInfo } from "../report/sarif";
import { renderCheckTextChunks } from "../report/text";
import { displayName, expandPaths, formatInputError, parseSource, readSources } from "./manifests";
import type { InputError, ManifestObject, UncheckedObject } from "./manifests";
import { schemaFindings } from "./schema/check-schema";
import { SCHEMA_POLICY, SCHEMA_POLICY_INFO } from "./schema/kubernetes";

export type Format = "text" | "json" | "sarif";

export interface CheckOptions {
    format: Format;
    /** Every file is its own stack (stack policies see one file at a time). */
    eachFile: boolean;
    policyConfig?: string;
    /** Policy pack folders; defaults to the bundled Kubernetes pack. */
    policyPacks?: string[];
    /** Accept input with no Kubernetes object (by default it is an input error: a failed `helm template` prints nothing). */
    allowEmpty?: boolean;
    /** Kubernetes minor whose OpenAPI schemas objects are validated against (default: lib/versions.ts's default). */
    kubernetesVersion?: string;
    /** Files or folders with CustomResourceDefinitions: custom resources are validated against their schemas. */
    crds?: string[];
}

/** The project and stack names in the URNs of checked objects. */
export const CHECK_PROJECT = "k8sprod";
export const CHECK_STACK = "check";

/** The URN of a checked object: `ns/name` as its resource name, as `@pulumi/kubernetes`'s YAML support names it. */
export function objectUrn(o: Pick<ManifestObject, "type" | "name" | "namespace">): string {
    return `urn:pulumi:${CHECK_STACK}::${CHECK_PROJECT}::${o.type}::${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

function toResource(o: ManifestObject): EngineResource {
    const r: EngineResource = { urn: objectUrn(o), type: o.type, name: o.name, properties: o.object, file: o.file, document: o.document };
    if (o.namespace !== undefined) {
        r.namespace = o.namespace;
    }
    return r;
}

/** Objects that one stack cannot hold together: the same type, namespace and name twice. */
function duplicates(objects: ManifestObject[]): InputError[] {
    const seen = new Map<string, ManifestObject>();
    const errors: InputError[] = [];
    for (const o of objects) {
        const urn = objectUrn(o);
        const first = seen.get(urn);
        if (first) {
            errors.push({
                file: o.file, document: o.document, line: o.line,
                message: `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name} is also defined in ${first.file} (document ${first.document}, line ${first.line}); `
                    + "one stack cannot hold two objects of the same kind, namespace and name (use --each-file to check each file as its own stack)",
            });
        } else {
            seen.set(urn, o);
        }
    }
    return errors;
}

export interface CheckResult {
    report: Report;
    ctx: ReportContext;
    files: number;
    /** The loaded packs' policies (for the SARIF rules). */
    policies: PolicyInfo[];
    /** Milliseconds spent reading and parsing the input, loading the packs, and analyzing. */
    timings: { parse: number; schema: number; load: number; analyze: number };
}

/**
 * Reads the manifests and evaluates the packs. Throws UsageError (exit 2) when the input cannot be
 * used, before any pack is loaded.
 */
export async function check(paths: string[], opts: CheckOptions, io: IO): Promise<CheckResult> {
    const errors: InputError[] = [];
    const t0 = performance.now();
    if (paths.length === 0) {
        throw new UsageError(["k8sprod check: give at least one file, directory, or - for standard input"]);
    }
    if (paths.filter((p) => p === "-").length > 1) {
        throw new UsageError(["k8sprod check: standard input (-) can be given only once"]);
    }
    const expanded = expandPaths(paths);
    appendAll(errors, expanded.errors);
    const read = await readSources(expanded.files, io.stdin);
    appendAll(errors, read.errors);
    const stacks: ManifestObject[][] = [];
    const unchecked: ReportUnchecked[] = [];
    const all: ManifestObject[] = [];
    const uncheckedObjects: UncheckedObject[] = [];
    for (const src of read.sources) {
        const parsed = parseSource(src);
        appendAll(errors, parsed.errors);
        appendAll(all, parsed.objects);
        appendAll(uncheckedObjects, parsed.unchecked);
        if (src.file === "-" && src.text.trim() === "" && !opts.allowEmpty) {
            errors.push({ file: "-", message: "standard input is empty: the command that feeds it may have failed (use `set -o pipefail`); --allow-empty accepts empty input" });
        }
        if (opts.eachFile) {
            stacks.push(parsed.objects);
        }
        for (const u of parsed.unchecked) {
            const entry: ReportUnchecked = { file: u.file, document: u.document, apiVersion: u.apiVersion, kind: u.kind, reason: u.reason };
            if (u.name !== undefined) {
                entry.name = u.name;
            }
            if (u.namespace !== undefined) {
                entry.namespace = u.namespace;
            }
            unchecked.push(entry);
        }
    }
    if (!opts.eachFile) {
        stacks.push(all);
    }
    for (const s of stacks) {
        appendAll(errors, duplicates(s));
    }
    if (errors.length === 0 && all.length === 0 && unchecked.length === 0 && !opts.allowEmpty) {
        const what = read.sources.length === 1 ? displayName(read.sources[0].file) : `${read.sources.length} files`;
        errors.push({ file: what, message: "no Kubernetes object in the input (it is empty, or holds only comments and separators); --allow-empty accepts that" });
    }
    const packs = opts.policyPacks && opts.policyPacks.length > 0 ? opts.policyPacks : [kubernetesPack()];
    const problems = errors.map(formatInputError);
    const config = readPacksAndConfig(packs, opts.policyConfig, problems);
    // Schema validation: every object against its kind's schema (problems with --crd are input errors).
    const t1a = performance.now();
    const schema = await schemaFindings(all, uncheckedObjects, { kubernetesVersion: opts.kubernetesVersion, crds: opts.crds ?? [] }, io, problems);
    if (problems.length > 0) {
        throw new UsageError(problems);
    }

    const t1 = performance.now();
    const analyzer = loadAnalyzer();
    let handles: PackHandle[];
    try {
        handles = packs.map((p) => analyzer.loadPack(p));
    } catch (e: any) {
        throw new UsageError([`k8sprod check: cannot load the policy pack: ${e.message}`]);
    }
    const t2 = performance.now();
    const perStack: Array<{ resources: EngineResource[]; violations: EngineViolation[] }> = [];
    for (const [i, s] of stacks.entries()) {
        const resources = s.map(toResource);
        // The schema findings of the stack's objects, and (in the stack of their file) of custom resources.
        const inStack = new Set(s);
        const stackFiles = opts.eachFile ? new Set(s.map((o) => o.file)) : undefined;
        const schemaViolations = schema.violations.filter((v) => v.object ? inStack.has(v.object)
            : stackFiles ? stackFiles.has(v.file) || (s.length === 0 && read.sources[i]?.file === v.file) : true).map((v) => v.violation);
        let violations: EngineViolation[] = [];
        if (resources.length > 0) {
            try {
                violations = await analyzer.analyze(handles, resources, config);
            } catch (e: any) {
                throw new UsageError([`k8sprod check: the packs could not evaluate the input${opts.policyConfig ? ` (policy config ${opts.policyConfig})` : ""}: ${e.message}`]);
            }
        }
        perStack.push({ resources, violations: [...schemaViolations, ...violations] });
    }
    const t3 = performance.now();
    const locations = new Map<string, ResourceLocation>();
    for (const o of all) {
        const urn = objectUrn(o);
        locations.set(locationKey(urn, o.file), { file: o.file, document: o.document, line: o.line });
    }
    for (const [urn, r] of schema.customResources) {
        locations.set(locationKey(urn, r.file), { file: r.file, document: r.document, line: r.line });
    }
    const ctx: ReportContext = {
        command: `check ${paths.join(" ")}`,
        locations,
        stackResource: { type: "pulumi:pulumi:Stack", name: `${CHECK_PROJECT}-${CHECK_STACK}` },
    };
    const report = mergeReports(perStack.map((p) => buildReport(p.resources, p.violations, ctx)));
    // Schema findings of custom resources name the resource (it is not one the packs saw).
    for (const v of report.violations) {
        const cr = schema.customResources.get(v.urn);
        if (cr && v.policy === SCHEMA_POLICY) {
            v.resource = { type: cr.type, name: cr.name, ...(cr.namespace ? { namespace: cr.namespace } : {}), file: cr.file, document: cr.document };
        }
    }
    report.unchecked = unchecked;
    return { report, ctx, files: read.sources.length, policies: [SCHEMA_POLICY_INFO, ...policyInfos(handles)], timings: { parse: t1a - t0, schema: t1 - t1a, load: t2 - t1, analyze: t3 - t2 } };
}

/** Renders a check result in the chosen format, in pieces (a report of any size is written without one string for all of it). */
export function renderCheckChunks(result: CheckResult, format: Format): Iterable<string> {
    const code = exitCodeOf(result.report);
    switch (format) {
        case "json":
            return jsonReportChunks(result.report);
        case "sarif":
            return renderSarifChunks(result.report, result.ctx, { version: packageVersion(), exitCode: code, policies: result.policies, docsBase: docsBaseUri() });
        default:
            return renderCheckTextChunks(result.report, result.ctx, result.files);
    }
}

/** Renders a check result in the chosen format, as one string. */
export function renderCheck(result: CheckResult, format: Format): string {
    return [...renderCheckChunks(result, format)].join("");
}
