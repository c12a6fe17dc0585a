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
    op: "up" | "preview" | "destroy" | "set-config";
    stack: string;
    /** The project folder (stacks/). */
    workDir: string;
    /** The compiled stack program. */
    program: string;
    /** The Pulumi CLI. */
    pulumi: string;
    /** Executable policy analyzers (see policyLauncher in engine.e2e.ts). */
    policyPacks: string[];
    config?: Record<string, string>;
}

export interface DriverResult {
    changes: Record<string, number>;
    steps: { op: string; urn: string; type: string }[];
    policy: { pack: string; policy: string; level: string; urn: string; message: string }[];
    warnings: string[];
    stdout: string;
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
            result.steps.push({ op: m.op, urn: m.urn, type: m.type });
        }
    };
    const onOutput = (s: string) => (result.stdout += s);
    switch (req.op) {
        case "set-config":
            for (const [k, v] of Object.entries(req.config ?? {})) {
                await stack.setConfig(k, { value: v });
            }
            break;
        case "up": {
            const r = await stack.up({ policyPacks: req.policyPacks, onEvent, onOutput });
            result.changes = r.summary.resourceChanges ?? {};
            break;
        }
        case "preview": {
            const r = await stack.preview({ policyPacks: req.policyPacks, onEvent, onOutput, diff: true });
            result.changes = r.changeSummary ?? {};
            break;
        }
        case "destroy": {
            const r = await stack.destroy({ onEvent, onOutput });
            result.changes = r.summary.resourceChanges ?? {};
            break;
        }
    }
    result.ms = Date.now() - started;
    process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
});
