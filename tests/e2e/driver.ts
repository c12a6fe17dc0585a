// Runs one Pulumi operation on the project's stack through the Automation API, with the stack program
// inline (the CLI then talks to the language runtime inside this process, so no
// pulumi-language-nodejs is needed), and prints one JSON line with what the engine reported. One
// process per operation: the SDK's runtime state is global.
//
// node dist/tests/e2e/driver.js '<json: DriverRequest>'
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import type { EngineEvent } from "@pulumi/pulumi/automation";

export interface DriverRequest {
    op: "up" | "preview" | "destroy" | "set-config" | "export";
    stack: string;
    /** The project folder (a copy of stacks/ whose Pulumi.yaml names the program by its absolute path). */
    workDir: string;
    /** The compiled stack program. */
    program: string;
    /** The Pulumi CLI. */
    pulumi: string;
    /** Executable policy analyzers (see policyLauncher in engine.e2e.ts). */
    policyPacks: string[];
    /** Their config files (`k8sprod policy-config`), in the same order; none: the packs' own levels. */
    policyPackConfigs?: string[];
    config?: Record<string, string>;
    /** set-config: the keys are paths into structured values ("k8sprod:app.apiImage"). */
    configPath?: boolean;
    /**
     * When set, a failed operation is reported in `error` (with the events seen until then) instead of
     * failing the driver: a preview that a mandatory policy stops is an expected result.
     */
    allowFailure?: boolean;
}

export interface DriverStep {
    op: string;
    urn: string;
    type: string;
    /** Top-level properties that differ (update and replace steps). */
    diffs: string[];
    /** Property paths of the detailed diff, with their kind ("update", "add", ...). */
    detailedDiff: Record<string, string>;
}

export interface DriverResult {
    changes: Record<string, number>;
    steps: DriverStep[];
    policy: { pack: string; policy: string; level: string; urn: string; message: string }[];
    warnings: string[];
    stdout: string;
    /** The stack's deployment (op "export"). */
    deployment?: any;
    error?: string;
    ms: number;
}

async function main(): Promise<void> {
    const req: DriverRequest = JSON.parse(process.argv[2]);
    const started = Date.now();
    const program = async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exported = require(req.program);
        return { ...exported };
    };
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(path.dirname(req.pulumi)), skipVersionCheck: true });
    const project = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(req.workDir, "Pulumi.yaml"), "utf8"))![1];
    const stack = await LocalWorkspace.createOrSelectStack({ stackName: req.stack, projectName: project, program }, { workDir: req.workDir, pulumiCommand, envVars: {} });
    const result: DriverResult = { changes: {}, steps: [], policy: [], warnings: [], stdout: "", ms: 0 };
    const onEvent = (e: EngineEvent) => {
        if (e.policyEvent) {
            const p = e.policyEvent;
            result.policy.push({ pack: p.policyPackName, policy: p.policyName, level: p.enforcementLevel, urn: p.resourceUrn ?? "", message: p.message });
        }
        if (e.diagnosticEvent && e.diagnosticEvent.severity === "warning") {
            result.warnings.push(e.diagnosticEvent.message);
        }
        if (e.resourcePreEvent) {
            const m = e.resourcePreEvent.metadata;
            const detailedDiff: Record<string, string> = {};
            for (const [k, v] of Object.entries(m.detailedDiff ?? {})) {
                detailedDiff[k] = v.diffKind;
            }
            result.steps.push({ op: m.op, urn: m.urn, type: m.type, diffs: m.diffs ?? [], detailedDiff });
        }
    };
    const onOutput = (s: string) => (result.stdout += s);
    try {
        switch (req.op) {
            case "set-config":
                for (const [k, v] of Object.entries(req.config ?? {})) {
                    await stack.setConfig(k, { value: v }, req.configPath);
                }
                break;
            case "export":
                result.deployment = (await stack.exportStack()).deployment;
                break;
            case "up": {
                const r = await stack.up({ policyPacks: req.policyPacks, policyPackConfigs: req.policyPackConfigs, onEvent, onOutput });
                result.changes = r.summary.resourceChanges ?? {};
                break;
            }
            case "preview": {
                const r = await stack.preview({ policyPacks: req.policyPacks, policyPackConfigs: req.policyPackConfigs, onEvent, onOutput, diff: true });
                result.changes = r.changeSummary ?? {};
                break;
            }
            case "destroy": {
                const r = await stack.destroy({ onEvent, onOutput });
                result.changes = r.summary.resourceChanges ?? {};
                break;
            }
        }
    } catch (e) {
        if (!req.allowFailure) {
            throw e;
        }
        result.error = String((e as Error).message ?? e);
    }
    result.ms = Date.now() - started;
    process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
});
