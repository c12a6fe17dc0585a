import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { loadAnalyzer } from "../engine/contract";
import type { EngineResource } from "../engine/contract";
import type { Registration } from "../engine/mocks";
import { Progress, UsageError } from "../io";
import type { IO } from "../io";
import { bundledPacks, docsBaseUri, packageVersion, readPacksAndConfig } from "../packs";
import { buildReport, exitCodeOf, jsonReportChunks } from "../report/report";
import type { Report, ReportContext } from "../report/report";
import { policyInfos, renderSarifChunks } from "../report/sarif";
import type { PolicyInfo } from "../report/sarif";
import { notEvaluatedLines, violationLines } from "../report/text";
import { readStackConfig } from "./config";
import type { StackConfig } from "./config";
import { kubernetesYaml, mermaidGraph, writeArtifacts } from "./artifacts";
import { renderCost, stackCost } from "./cost";
import type { CostLine, StackCost } from "./cost";
import { ProgramRun, runStackProgram } from "./program";
import { findProjectFile as findProjectFileIn, resolveProgram } from "./project";
import { DEFAULT_KUBERNETES_VERSION } from "../../lib/versions";
import { SCHEMA_POLICY_INFO } from "../check/schema/kubernetes";
import { planSchemaViolations } from "../check/schema/plan-schema";
import { defaultProjectDir } from "./project";
import type { ResolvedProgram } from "./project";
import { criticalPath, renderCriticalPath } from "./timings";
import type { CriticalPath } from "./timings";
import { renderCounts, renderTree } from "./tree";
import { registerTypeScript } from "./typescript";

export interface PlanOptions {
    /** The stack; defaults to the only stack with a config file, and must be given when there are several. */
    stack?: string;
    format: "text" | "json" | "sarif";
    policyConfig?: string;
    /** Policy pack folders; defaults to every pack in policies/. */
    policyPacks?: string[];
    /** The compiled program; defaults to the program the project's Pulumi.yaml names (resolveProgram). */
    program?: string;
    /** Where Pulumi.<stack>.yaml lives; defaults to the project's stackConfigDir. */
    configDir?: string;
    /**
     * Where to look for the project: the nearest folder at or above it with a Pulumi.yaml, as the Pulumi CLI
     * looks from its working directory. Defaults to the working directory.
     */
    projectDir?: string;
    /** Folder to write the reports, the Kubernetes objects and the resource graph into. */
    out?: string;
    progress: boolean;
    /** Kubernetes minor for schema validation; default: the stack's `<project>:kubernetesVersion`, else the newest supported. */
    kubernetesVersion?: string;
}

/** The nearest folder at or above `dir` that holds a project file, or `dir` itself when none does. */
export function findProjectDir(dir: string): string {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
        if (findProjectFileIn(d)) {
            return d;
        }
        if (path.dirname(d) === d) {
            return path.resolve(dir);
        }
    }
}

/** The project's stackConfigDir (or its folder) when the program is given with --program and not resolved. */
function stackConfigDirOf(root: string): string {
    const file = findProjectFileIn(root);
    try {
        const doc = file ? parse(fs.readFileSync(file, "utf8")) : undefined;
        return path.resolve(root, typeof doc?.stackConfigDir === "string" ? doc.stackConfigDir : ".");
    } catch {
        return root;
    }
}

/** The stacks that have a config file in `dir` (`Pulumi.<stack>.yaml`), sorted. */
export function stacksIn(dir: string): string[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** The Pulumi.yaml of the project: in the config folder or the nearest folder above it. */
function findProjectFile(configDir: string, root: string): string {
    let dir = configDir;
    for (;;) {
        const candidate = path.join(dir, "Pulumi.yaml");
        if (fs.existsSync(candidate)) {
            return candidate;
        }
        const up = path.dirname(dir);
        if (up === dir || dir === root) {
            return path.join(root, "Pulumi.yaml");
        }
        dir = up;
    }
}

/** A registration as the analyzer receives it: its inputs in wire form, its parent, dependencies and provider. */
export function toEngineResource(r: Registration): EngineResource {
    const out: EngineResource = { urn: r.urn, type: r.type, name: r.name, properties: r.wire, dependencies: r.dependencies };
    if (r.parent) {
        out.parent = r.parent;
    }
    if (r.provider) {
        out.provider = r.provider;
    }
    const ns = r.type.startsWith("kubernetes:") ? r.inputs?.metadata?.namespace : undefined;
    if (typeof ns === "string" && ns !== "") {
        out.namespace = ns;
    }
    return out;
}

/** Which project, program, stack config folder and stack to run (each optional, resolved as `pulumi` does). */
export interface ProjectSelection {
    /** The folder to look for the project in (its nearest Pulumi.yaml at or above); default: the working directory. */
    projectDir?: string;
    /** The program to run instead of the one the project's `main` names. */
    program?: string;
    /** The folder of `Pulumi.<stack>.yaml` instead of the project's `stackConfigDir`. */
    configDir?: string;
    /** The stack; may be left out when the config folder holds exactly one. */
    stack?: string;
}

/** A project resolved for an offline run: its program, config folder and the stack's config. */
export interface SelectedProject {
    root: string;
    program: string;
    configDir: string;
    resolved?: ResolvedProgram;
    cfg?: StackConfig;
}

/**
 * Resolves the project as the Pulumi CLI does: the nearest project at or above the given folder (or the
 * working directory); with neither a project folder given nor a project around the working directory, this
 * package's own (stacks/). What makes the run impossible (no such stack, a missing program) is added to
 * `problems`, so the caller can report it with its own; a project whose program cannot be resolved throws.
 */
export function selectProject(sel: ProjectSelection, problems: string[]): SelectedProject {
    const found = findProjectDir(sel.projectDir ?? process.cwd());
    const root = sel.projectDir || findProjectFileIn(found) ? found : defaultProjectDir();
    // The program and the folder it runs in are the ones `pulumi up` in the project would use.
    let resolved: ResolvedProgram | undefined;
    if (!sel.program) {
        try {
            resolved = resolveProgram(root);
        } catch (e: any) {
            throw new UsageError([...problems, `${e.message}${root === defaultProjectDir() ? " (run `npm run build`)" : ""}`]);
        }
    }
    const program = sel.program ? path.resolve(sel.program) : resolved?.program ?? path.join(root, "dist", "stacks", "index.js");
    const configDir = sel.configDir ? path.resolve(sel.configDir) : resolved?.stackConfigDir ?? stackConfigDirOf(root);
    let stack = sel.stack;
    if (stack === undefined) {
        const stacks = stacksIn(configDir);
        if (stacks.length !== 1) {
            throw new UsageError([stacks.length === 0
                ? `${configDir}: no Pulumi.<stack>.yaml here: pass --stack <name> (the stack's config file must exist)`
                : `${resolved?.projectFile ?? root}: the project has several stacks (${stacks.join(", ")}): choose one with --stack`]);
        }
        stack = stacks[0];
    }
    let cfg: StackConfig | undefined;
    try {
        cfg = readStackConfig(sel.configDir || !resolved ? findProjectFile(configDir, root) : resolved.projectFile, configDir, stack);
    } catch (e: any) {
        problems.push(e.message);
    }
    if (sel.program && !fs.existsSync(program)) {
        problems.push(`${program}: the stack program is missing`);
    }
    return { root, program, configDir, resolved, cfg };
}

/**
 * Runs a selected project's program under the offline engine, in the folder the runner changes into (derived
 * from Pulumi.yaml's main), compiling TypeScript as it is loaded, as the language host's ts-node does.
 */
export async function runProject(p: SelectedProject & { cfg: StackConfig }, onRegistered?: (count: number) => void, mode: "preview" | "update" = "preview"): Promise<ProgramRun> {
    const { root, program, configDir, resolved } = p;
    const cwd = process.cwd();
    let unregister: (() => void) | undefined;
    try {
        process.chdir(resolved?.pwd ?? path.dirname(findProjectFile(configDir, root)));
        if (/\.[cm]?ts$/.test(program) || (resolved && resolved.runtimeOptions.typescript !== false && /\.ts$/.test(resolved.program) && program === resolved.program)) {
            unregister = registerTypeScript(resolved?.projectFile ?? path.join(root, "Pulumi.yaml"), tsconfigOf(root, resolved));
        }
        return await runStackProgram(program, p.cfg, onRegistered, mode);
    } finally {
        unregister?.();
        process.chdir(cwd);
    }
}

export async function plan(opts: PlanOptions, io: IO): Promise<number> {
    const problems: string[] = [];
    const project = selectProject(opts, problems);
    const { program } = project;
    const packs = (opts.policyPacks && opts.policyPacks.length > 0 ? opts.policyPacks : bundledPacks()).map((p) => path.resolve(p));
    const config = readPacksAndConfig(packs, opts.policyConfig, problems);
    const cfg = project.cfg;
    if (problems.length > 0 || !cfg) {
        throw new UsageError(problems);
    }
    for (const key of cfg.undecryptable) {
        io.stderr(`warning: ${key} is a secret that cannot be decrypted offline; the program reads a placeholder\n`);
    }

    const progress = new Progress(io, opts.progress);
    const started = Date.now();
    progress.step(`k8sprod plan: running the ${cfg.stack} stack's program offline (preview mode, mocked cloud)...`);
    let run;
    try {
        const live = io.stderrIsTTY ? (n: number) => progress.step(`k8sprod plan: running the ${cfg.stack} stack's program: ${n} resources registered`) : undefined;
        run = await runProject({ ...project, cfg }, live);
    } catch (e: any) {
        progress.done();
        throw new UsageError([e.message]);
    }
    if (run.errors.length > 0) {
        progress.done();
        const lines = [`the ${cfg.stack} stack's program failed (${program}):`, ...run.errors.flatMap((e) => e.split("\n").filter((l) => l.trim() !== "").slice(0, 6).map((l) => `  ${l}`))];
        if (run.unanswered.length > 0) {
            lines.push(`  the offline engine does not answer these invokes: ${run.unanswered.join(", ")} (cli/plan/invokes.ts lists what it answers)`);
        }
        throw new UsageError(lines);
    }
    const resources = run.registrations.map(toEngineResource);
    // Schema validation of every Kubernetes object the program registers (unknown values are skipped).
    const version = opts.kubernetesVersion ?? cfg.config[`${cfg.project}:kubernetesVersion`] ?? DEFAULT_KUBERNETES_VERSION;
    let schemaViolations;
    try {
        schemaViolations = planSchemaViolations(resources, version);
    } catch (e: any) {
        progress.done();
        throw new UsageError([`k8sprod plan: --kubernetes-version ${version}: ${e.message}`]);
    }
    progress.step(`k8sprod plan: ${resources.length} resources registered in ${((Date.now() - started) / 1000).toFixed(1)} s; evaluating ${packs.length} policy pack(s)...`);

    let violations;
    let packNames: string[];
    let policies: PolicyInfo[];
    try {
        const analyzer = loadAnalyzer();
        const handles = packs.map((p) => analyzer.loadPack(p));
        packNames = handles.map((h) => `${h.name}@${h.version}`);
        policies = [SCHEMA_POLICY_INFO, ...policyInfos(handles)];
        violations = packs.length > 0 ? await analyzer.analyze(handles, resources, config) : [];
    } catch (e: any) {
        progress.done();
        throw new UsageError([`k8sprod plan: the packs could not evaluate the stack${opts.policyConfig ? ` (policy config ${opts.policyConfig})` : ""}: ${e.message}`]);
    }
    progress.done();
    if (opts.progress) {
        io.stderr(`k8sprod plan: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    const ctx: ReportContext = {
        command: `plan --stack ${cfg.stack}`,
        locations: new Map(),
        stackResource: { type: "pulumi:pulumi:Stack", name: `${cfg.project}-${cfg.stack}` },
        stackUrn: run.registrations.find((r) => r.type === "pulumi:pulumi:Stack")?.urn,
    };
    const report: PlanReport = buildReport(resources, [...schemaViolations, ...violations], ctx);
    const cp = criticalPath(run.registrations);
    const cost = stackCost(run.registrations);
    report.plan = {
        criticalPathSeconds: cp.seconds,
        serialSeconds: cp.serialSeconds,
        criticalPath: cp.chain.map((x) => ({ urn: x.urn, seconds: x.seconds })),
        monthlyCost: round2(cost.monthly),
        monthlyCostAtMax: round2(cost.monthlyAtMax),
        costLines: cost.lines.map((l) => ({ ...l, ...(l.monthly !== undefined ? { monthly: round2(l.monthly) } : {}) })),
    };
    const code = exitCodeOf(report);
    const render: Record<PlanOptions["format"], () => Iterable<string>> = {
        json: () => jsonReportChunks(report),
        sarif: () => renderSarifChunks(report, ctx, { version: packageVersion(), exitCode: code, policies, docsBase: docsBaseUri() }),
        text: () => [renderPlanText(run.registrations, report, ctx, cfg.stack, packNames, cp, cost)],
    };
    for (const chunk of render[opts.format]()) {
        io.stdout(chunk);
    }
    if (opts.out) {
        const dir = path.resolve(opts.out);
        const whole = (f: PlanOptions["format"]) => [...render[f]()].join("");
        const written = writeArtifacts(dir, {
            "report.txt": whole("text"),
            "report.json": whole("json"),
            "report.sarif": whole("sarif"),
            "kubernetes.yaml": kubernetesYaml(run.registrations),
            "graph.mmd": mermaidGraph(run.registrations, cp),
        });
        io.stderr(`k8sprod plan: wrote ${written.map((f) => path.relative(process.cwd(), f) || f).join(", ")}\n`);
    }
    return code;
}

/** The plan's JSON report: the report contract plus the plan's own figures (added fields only). */
export interface PlanReport extends Report {
    plan?: {
        criticalPathSeconds: number;
        serialSeconds: number;
        criticalPath: Array<{ urn: string; seconds: number }>;
        monthlyCost: number;
        monthlyCostAtMax: number;
        costLines: CostLine[];
    };
}

function round2(n: number): number {
    return Math.round(n * 100) / 100;
}

/** The tsconfig the language host would use: `runtime.options.tsconfig`, or tsconfig.json in the project folder, if it exists. */
function tsconfigOf(root: string, resolved: ResolvedProgram | undefined): string | undefined {
    const option = resolved?.runtimeOptions.tsconfig;
    const file = path.resolve(root, typeof option === "string" ? option : "tsconfig.json");
    return fs.existsSync(file) ? file : undefined;
}

export function renderPlanText(registrations: Registration[], report: Report, ctx: ReportContext, stack: string, packs: string[], cp: CriticalPath, cost: StackCost): string {
    const parts = [renderTree(registrations, stack)];
    if (report.violations.length > 0) {
        parts.push(["Policy violations:", ...violationLines(report, ctx)].join("\n") + "\n");
    }
    if (report.notEvaluated.length > 0) {
        parts.push(["Not evaluated during preview (the policy needs values that are unknown until deployment):", ...notEvaluatedLines(report)].join("\n") + "\n");
    }
    parts.push(renderCounts(registrations));
    parts.push(renderCriticalPath(cp));
    parts.push(renderCost(cost));
    const s = report.summary;
    parts.push(`Policy packs: ${packs.length > 0 ? packs.join(", ") : "none"}; ${s.mandatory} mandatory, ${s.advisory} advisory violation${s.advisory === 1 ? "" : "s"}`
        + `${s.notEvaluated > 0 ? `; ${s.notEvaluated} not evaluated during preview` : ""}\n`);
    return parts.join("\n");
}
