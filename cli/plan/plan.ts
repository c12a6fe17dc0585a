import * as fs from "fs";
import * as path from "path";
import { loadAnalyzer } from "../engine/contract";
import type { EngineResource } from "../engine/contract";
import type { Registration } from "../engine/mocks";
import { Progress, UsageError } from "../io";
import type { IO } from "../io";
import { bundledPacks, packageVersion, readPacksAndConfig } from "../packs";
import { buildReport, exitCodeOf } from "../report/report";
import type { Report, ReportContext } from "../report/report";
import { renderSarif } from "../report/sarif";
import { violationLines } from "../report/text";
import { readStackConfig } from "./config";
import type { StackConfig } from "./config";
import { kubernetesYaml, mermaidGraph, writeArtifacts } from "./artifacts";
import { renderCost, stackCost } from "./cost";
import type { CostLine, StackCost } from "./cost";
import { runStackProgram } from "./program";
import { resolveProject, stacksIn } from "./project";
import type { PulumiProject } from "./project";
import { criticalPath, renderCriticalPath } from "./timings";
import type { CriticalPath } from "./timings";
import { registerTypeScript } from "./typescript";
import { renderCounts, renderTree } from "./tree";

export interface PlanOptions {
    /** The stack; defaults to the only stack with a config file, and must be given when there are several. */
    stack?: string;
    format: "text" | "json" | "sarif";
    policyConfig?: string;
    /** Policy pack folders; defaults to every pack in policies/. */
    policyPacks?: string[];
    /** Where to look for the project (the nearest Pulumi.yaml at or above it); defaults to the working directory. */
    cwd?: string;
    /** The program to run instead of the one Pulumi.yaml names (a file or folder, JavaScript or TypeScript). */
    program?: string;
    /** Where Pulumi.<stack>.yaml lives instead of the project's `stackConfigDir`. */
    configDir?: string;
    /** Folder to write the reports, the Kubernetes objects and the resource graph into. */
    out?: string;
    progress: boolean;
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

export async function plan(opts: PlanOptions, io: IO): Promise<number> {
    const problems: string[] = [];
    let project: PulumiProject;
    try {
        project = resolveProject(opts.cwd ?? process.cwd());
    } catch (e: any) {
        throw new UsageError([e.message]);
    }
    const program = opts.program ? path.resolve(opts.program) : project.program;
    const configDir = opts.configDir ? path.resolve(opts.configDir) : project.stackConfigDir;
    const packs = (opts.policyPacks && opts.policyPacks.length > 0 ? opts.policyPacks : bundledPacks()).map((p) => path.resolve(p));
    let stack = opts.stack;
    if (stack === undefined) {
        const stacks = stacksIn(configDir);
        if (stacks.length !== 1) {
            throw new UsageError([stacks.length === 0
                ? `${configDir}: no Pulumi.<stack>.yaml here: pass --stack <name> (the stack's config file must exist)`
                : `${project.file}: the project has several stacks (${stacks.join(", ")}): choose one with --stack`]);
        }
        stack = stacks[0];
    }
    let cfg: StackConfig | undefined;
    try {
        cfg = readStackConfig(project.file, configDir, stack);
    } catch (e: any) {
        problems.push(e.message);
    }
    if (!fs.existsSync(program)) {
        problems.push(`${program}: the stack program is missing`);
    }
    const config = readPacksAndConfig(packs, opts.policyConfig, problems);
    if (problems.length > 0 || !cfg) {
        throw new UsageError(problems);
    }
    for (const key of cfg.undecryptable) {
        io.stderr(`warning: ${key} is a secret that cannot be decrypted offline; the program reads a placeholder\n`);
    }

    const progress = new Progress(io, opts.progress);
    const started = Date.now();
    progress.step(`k8sprod plan: running the ${cfg.stack} stack's program offline (preview mode, mocked cloud)...`);
    const cwd = process.cwd();
    let run;
    let unregister: (() => void) | undefined;
    try {
        // The Pulumi CLI runs a program in its project folder; TypeScript is compiled as it is loaded.
        process.chdir(project.dir);
        if (project.typescript && needsTypeScript(program)) {
            unregister = registerTypeScript(project);
        }
        const live = io.stderrIsTTY ? (n: number) => progress.step(`k8sprod plan: running the ${cfg.stack} stack's program: ${n} resources registered`) : undefined;
        run = await runStackProgram(program, cfg, live);
    } catch (e: any) {
        progress.done();
        throw new UsageError([e.message]);
    } finally {
        unregister?.();
        process.chdir(cwd);
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
    progress.step(`k8sprod plan: ${resources.length} resources registered in ${((Date.now() - started) / 1000).toFixed(1)} s; evaluating ${packs.length} policy pack(s)...`);

    let violations;
    let packNames: string[];
    try {
        const analyzer = loadAnalyzer();
        const handles = packs.map((p) => analyzer.loadPack(p));
        packNames = handles.map((h) => `${h.name}@${h.version}`);
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
    const report: PlanReport = buildReport(resources, violations, ctx);
    const cp = criticalPath(run.registrations);
    const cost = stackCost(run.registrations);
    report.plan = {
        criticalPathSeconds: cp.seconds,
        serialSeconds: cp.serialSeconds,
        criticalPath: cp.chain.map((s) => ({ urn: s.urn, seconds: s.seconds })),
        monthlyCost: round2(cost.monthly),
        monthlyCostAtMax: round2(cost.monthlyAtMax),
        costLines: cost.lines.map((l) => ({ ...l, ...(l.monthly !== undefined ? { monthly: round2(l.monthly) } : {}) })),
    };
    const code = exitCodeOf(report);
    const render = {
        text: () => renderPlanText(run.registrations, report, ctx, cfg.stack, packNames, cp, cost),
        json: () => JSON.stringify(report, null, 2) + "\n",
        sarif: () => renderSarif(report, ctx, { version: packageVersion(), exitCode: code }),
    };
    const printed = render[opts.format]();
    io.stdout(printed);
    if (opts.out) {
        const dir = path.resolve(opts.out);
        const written = writeArtifacts(dir, {
            "report.txt": opts.format === "text" ? printed : render.text(),
            "report.json": opts.format === "json" ? printed : render.json(),
            "report.sarif": opts.format === "sarif" ? printed : render.sarif(),
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

/** Whether requiring `program` loads TypeScript: a .ts file, or a folder whose entry Node cannot find without the .ts loader. */
function needsTypeScript(program: string): boolean {
    if (program.endsWith(".ts")) {
        return true;
    }
    try {
        require.resolve(program);
        return false;
    } catch {
        return true;
    }
}

export function renderPlanText(registrations: Registration[], report: Report, ctx: ReportContext, stack: string, packs: string[], cp: CriticalPath, cost: StackCost): string {
    const parts = [renderTree(registrations, stack)];
    if (report.violations.length > 0) {
        parts.push(["Policy violations:", ...violationLines(report, ctx)].join("\n") + "\n");
    }
    parts.push(renderCounts(registrations));
    parts.push(renderCriticalPath(cp));
    parts.push(renderCost(cost));
    const s = report.summary;
    parts.push(`Policy packs: ${packs.length > 0 ? packs.join(", ") : "none"}; ${s.mandatory} mandatory, ${s.advisory} advisory violation${s.advisory === 1 ? "" : "s"}\n`);
    return parts.join("\n");
}
