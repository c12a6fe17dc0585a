import * as fs from "fs";
import * as path from "path";
import { loadAnalyzer } from "../engine/contract";
import type { EngineResource } from "../engine/contract";
import type { Registration } from "../engine/mocks";
import { Progress, UsageError } from "../io";
import type { IO } from "../io";
import { bundledPacks, docsBaseUri, packageRoot, packageVersion, readPacksAndConfig } from "../packs";
import { buildReport, exitCodeOf, jsonReportChunks } from "../report/report";
import type { Report, ReportContext } from "../report/report";
import { policyInfos, renderSarifChunks } from "../report/sarif";
import type { PolicyInfo } from "../report/sarif";
import { notEvaluatedLines, violationLines } from "../report/text";
import { readStackConfig } from "./config";
import type { StackConfig } from "./config";
import { runStackProgram } from "./program";
import { DEFAULT_KUBERNETES_VERSION } from "../../lib/versions";
import { SCHEMA_POLICY_INFO } from "../check/schema/kubernetes";
import { planSchemaViolations } from "../check/schema/plan-schema";
import { resolveProgram } from "./project";
import type { ResolvedProgram } from "./project";
import { renderCounts, renderTree } from "./tree";

export interface PlanOptions {
    stack: string;
    format: "text" | "json" | "sarif";
    policyConfig?: string;
    /** Policy pack folders; defaults to every pack in policies/. */
    policyPacks?: string[];
    /** The compiled program; defaults to the program the project's Pulumi.yaml names (resolveProgram). */
    program?: string;
    /** Where Pulumi.<stack>.yaml lives; defaults to the project's stackConfigDir. */
    configDir?: string;
    /** The Pulumi project folder; defaults to this package's root. */
    projectDir?: string;
    progress: boolean;
    /** Kubernetes minor for schema validation; default: the stack's `<project>:kubernetesVersion`, else the newest supported. */
    kubernetesVersion?: string;
}

/** The Pulumi.yaml of the project: in the config folder or the nearest folder above it. */
export function findProjectFile(configDir: string, root: string): string {
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

export async function plan(opts: PlanOptions, io: IO): Promise<number> {
    const root = opts.projectDir ? path.resolve(opts.projectDir) : packageRoot();
    const problems: string[] = [];
    // The program and the folder it runs in are the ones `pulumi up` in the project would use.
    let resolved: ResolvedProgram | undefined;
    if (!opts.program) {
        try {
            resolved = resolveProgram(root);
        } catch (e: any) {
            problems.push(`${e.message}${root === packageRoot() ? " (run `npm run build`)" : ""}`);
        }
    }
    const program = opts.program ? path.resolve(opts.program) : resolved?.program ?? path.join(root, "dist", "stacks", "index.js");
    const configDir = opts.configDir ? path.resolve(opts.configDir) : resolved?.stackConfigDir ?? path.join(root, "stacks");
    const packs = (opts.policyPacks && opts.policyPacks.length > 0 ? opts.policyPacks : bundledPacks()).map((p) => path.resolve(p));
    let cfg: StackConfig | undefined;
    try {
        cfg = readStackConfig(opts.configDir || !resolved ? findProjectFile(configDir, root) : resolved.projectFile, configDir, opts.stack);
    } catch (e: any) {
        problems.push(e.message);
    }
    if (opts.program && !fs.existsSync(program)) {
        problems.push(`${program}: the compiled stack program is missing`);
    } else if (resolved && /\.[cm]?ts$/.test(program)) {
        problems.push(`${program}: k8sprod plan runs compiled JavaScript; point Pulumi.yaml's main at the compiled program or pass --program`);
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
    try {
        // The runner changes into the folder the engine derives from Pulumi.yaml's main.
        process.chdir(resolved?.pwd ?? path.dirname(findProjectFile(configDir, root)));
        const live = io.stderrIsTTY ? (n: number) => progress.step(`k8sprod plan: running the ${cfg.stack} stack's program: ${n} resources registered`) : undefined;
        run = await runStackProgram(program, cfg, live);
    } finally {
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
    const report = buildReport(resources, [...schemaViolations, ...violations], ctx);
    const code = exitCodeOf(report);
    switch (opts.format) {
        case "json":
            for (const chunk of jsonReportChunks(report)) {
                io.stdout(chunk);
            }
            break;
        case "sarif":
            for (const chunk of renderSarifChunks(report, ctx, { version: packageVersion(), exitCode: code, policies, docsBase: docsBaseUri() })) {
                io.stdout(chunk);
            }
            break;
        default:
            io.stdout(renderPlanText(run.registrations, report, ctx, cfg.stack, packNames));
    }
    return code;
}

export function renderPlanText(registrations: Registration[], report: Report, ctx: ReportContext, stack: string, packs: string[]): string {
    const parts = [renderTree(registrations, stack)];
    if (report.violations.length > 0) {
        parts.push(["Policy violations:", ...violationLines(report, ctx)].join("\n") + "\n");
    }
    if (report.notEvaluated.length > 0) {
        parts.push(["Not evaluated during preview (the policy needs values that are unknown until deployment):", ...notEvaluatedLines(report)].join("\n") + "\n");
    }
    parts.push(renderCounts(registrations));
    const s = report.summary;
    parts.push(`Policy packs: ${packs.length > 0 ? packs.join(", ") : "none"}; ${s.mandatory} mandatory, ${s.advisory} advisory violation${s.advisory === 1 ? "" : "s"}`
        + `${s.notEvaluated > 0 ? `; ${s.notEvaluated} not evaluated during preview` : ""}\n`);
    return parts.join("\n");
}
