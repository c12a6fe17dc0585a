import { Command, CommanderError, Option } from "commander";
import { UsageError, processIO } from "./io";
import type { IO } from "./io";
import { packageVersion } from "./packs";

// `k8sprod`: the offline engine. Exit codes (DESIGN.md): 0 no mandatory violation, 1 mandatory
// violations, 2 the input could not be used (a message names the file, document and reason).

const FORMATS = ["text", "json", "sarif"] as const;

function collect(value: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), value];
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: IO = processIO): Promise<number> {
    let code = 0;
    const program = new Command();
    program
        .name("k8sprod")
        .description("Enforce production Kubernetes practices offline: check Kubernetes YAML, or plan a stack, against the policy packs.")
        .version(packageVersion(), "-V, --version")
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
        .showHelpAfterError("(k8sprod --help for usage)");

    program.command("check")
        .description("Check Kubernetes manifests (YAML or JSON, multi-document, List kinds, Helm template output) against the Kubernetes pack.")
        .argument("<paths...>", "files, directories (every .yaml/.yml/.json below), or - for standard input")
        .addOption(new Option("-f, --format <format>", "report format").choices(FORMATS).default("text"))
        .option("--each-file", "check every file as its own stack (stack policies see one file at a time)", false)
        .option("--policy-config <file>", "policy config JSON: enforcement levels and properties per policy, pack-wide keys")
        .option("--policy-pack <dir>", "a policy pack folder to evaluate (repeatable; default: the bundled Kubernetes pack)", collect)
        .option("--allow-empty", "accept input with no Kubernetes object (by default empty input is an error: a failed `helm template` prints nothing)", false)
        .option("--kubernetes-version <minor>", "the Kubernetes minor whose OpenAPI schemas objects are validated against (default: the newest supported)")
        .option("--crd <path>", "a CustomResourceDefinition file or folder: custom resources are validated against its schema (repeatable; CRDs in the input count too)", collect)
        .action(async (paths: string[], opts: any) => {
            const { check, renderCheckChunks } = await import("./check/check");
            const { exitCodeOf } = await import("./report/report");
            const result = await check(paths, {
                format: opts.format, eachFile: opts.eachFile, policyConfig: opts.policyConfig, policyPacks: opts.policyPack, allowEmpty: opts.allowEmpty,
                kubernetesVersion: opts.kubernetesVersion, crds: opts.crd,
            }, io);
            const rendering = performance.now();
            for (const chunk of renderCheckChunks(result, opts.format)) {
                io.stdout(chunk);
            }
            code = exitCodeOf(result.report);
            if (process.env.K8SPROD_TIMINGS) {
                // For the bench: where the time of a check goes, in ms, and the peak resident memory (KiB), on one line of stderr.
                const t = { ...result.timings, render: performance.now() - rendering, process: performance.now(), maxRssKiB: process.resourceUsage().maxRSS };
                io.stderr(`k8sprod-timings ${JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])))}\n`);
            }
        });

    program.command("plan")
        .description("Run a Pulumi project's program offline (no cloud account, no Pulumi CLI), as `pulumi preview` would, and evaluate every policy pack. "
            + "The project is the nearest Pulumi.yaml at or above the working directory (or --cwd); its `main` names the program (TypeScript or JavaScript).")
        .option("-s, --stack <name>", "the stack whose config (Pulumi.<name>.yaml in the project's stackConfigDir) the program runs with; default: the only stack there")
        .option("-C, --cwd <dir>", "plan the project in this folder instead of the working directory")
        .addOption(new Option("-f, --format <format>", "report format").choices(FORMATS).default("text"))
        .option("-o, --out <dir>", "also write report.txt, report.json, report.sarif, kubernetes.yaml (the Kubernetes objects) and graph.mmd (the resource graph, Mermaid) into this folder")
        .option("--policy-config <file>", "policy config JSON: enforcement levels and properties per policy, pack-wide keys")
        .option("--policy-pack <dir>", "a policy pack folder to evaluate (repeatable; default: every pack k8sprod ships)", collect)
        .option("--project <dir>", "the same as --cwd")
        .option("--program <path>", "run this program instead of the one Pulumi.yaml names")
        .option("--config-dir <dir>", "read Pulumi.<stack>.yaml from here instead of the project's stackConfigDir")
        .option("--kubernetes-version <minor>", "the Kubernetes minor whose OpenAPI schemas objects are validated against (default: the stack's kubernetesVersion config, else the newest supported)")
        .option("--no-progress", "do not show progress on stderr")
        .action(async (opts: any) => {
            const { plan } = await import("./plan/plan");
            code = await plan({
                stack: opts.stack,
                format: opts.format,
                out: opts.out,
                policyConfig: opts.policyConfig,
                policyPacks: opts.policyPack,
                program: opts.program,
                configDir: opts.configDir,
                projectDir: opts.cwd ?? opts.project,
                progress: opts.progress,
                kubernetesVersion: opts.kubernetesVersion,
            }, io);
        });

    program.command("images")
        .description("List every container image a stack (planned offline) or a set of manifests deploys, including the images of the pinned Helm releases, for a scanner in CI.")
        .argument("[paths...]", "manifest files, directories, or - for standard input (or use --stack)")
        .option("-s, --stack <name>", "plan this stack's program instead of reading manifests: the project is found as `plan` finds it (the nearest Pulumi.yaml at or above the working directory, or --cwd)")
        .addOption(new Option("-f, --format <format>", "output format: one image per line, or JSON with where each is used").choices(["text", "json"]).default("text"))
        .option("-C, --cwd <dir>", "with --stack: the project in this folder instead of the working directory")
        .option("--program <path>", "with --stack: run this program instead of the one Pulumi.yaml names")
        .option("--config-dir <dir>", "with --stack: read Pulumi.<stack>.yaml from here instead of the project's stackConfigDir")
        .action(async (paths: string[], opts: any) => {
            // Loaded only for this command: `check` and `plan` never pay for it.
            const { images, renderImages } = await import("./images/images");
            const report = await images(paths, { format: opts.format, stack: opts.stack, projectDir: opts.cwd, program: opts.program, configDir: opts.configDir }, io);
            io.stdout(renderImages(report, opts.format));
        });

    program.command("policy-config")
        .description("Write the expanded policy config that `pulumi preview --policy-pack <pack> --policy-pack-config <file>` reads (stage, pack-wide exemptions and defaults resolved per policy), so the real CLI evaluates as `check` and `plan` do.")
        .option("--policy-config <file>", "the policy config document to expand (default: none, the pack's own levels and defaults)")
        .option("--policy-pack <dir>", "the policy pack folder (default: the bundled Kubernetes pack)")
        .option("-o, --output <file>", "write the result to this file (default: standard output)")
        .action(async (opts: any) => {
            const { policyConfig } = await import("./policyConfig");
            code = await policyConfig({ policyConfig: opts.policyConfig, policyPack: opts.policyPack, output: opts.output }, io);
        });

    try {
        await program.parseAsync(argv, { from: "user" });
    } catch (e) {
        if (e instanceof CommanderError) {
            // Help and version exit 0; a usage error (unknown option, missing argument) is an input error.
            return e.exitCode === 0 ? 0 : 2;
        }
        if (e instanceof UsageError) {
            io.stderr(e.lines.map((l) => `error: ${l}`).join("\n") + "\n");
            return 2;
        }
        throw e;
    }
    return code;
}
