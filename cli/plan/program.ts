import { RecordingMocks, installMocks } from "../engine/mocks";
import type { Registration } from "../engine/mocks";
import { OFFLINE_ACCOUNT_ID, answerInvokes, partitionOf } from "./invokes";
import type { StackConfig } from "./config";

export interface ProgramRun {
    registrations: Registration[];
    /** Why the program failed, when it did (its resources up to then are still in `registrations`). */
    errors: string[];
    /** Invoke tokens the program made that nobody answers offline. */
    unanswered: string[];
}

/**
 * Runs a compiled stack program as `pulumi preview` runs it, with no engine: the SDK in preview
 * (dry-run) mode over the recording mock monitor, so every resource output the program does not
 * set is unknown, as in a real preview; the stack's config set as the language host sets it; the
 * program's module required inside the root `pulumi:pulumi:Stack` resource, its exports becoming
 * the stack's outputs. Resolves once every registration the program started has been recorded.
 */
export async function runStackProgram(programFile: string, cfg: StackConfig, onRegistered?: (count: number) => void, mode: "preview" | "update" = "preview"): Promise<ProgramRun> {
    // Loaded here, not at the top: `k8sprod check` never pays for the SDK's runtime.
    const pulumi = await import("@pulumi/pulumi");
    const settings = await import("@pulumi/pulumi/runtime/settings");
    const region = cfg.config["aws:region"];
    // "update" (for `k8sprod images`): every input is known, so a Helm release's values can be read even when
    // they hold another resource's output (which the mocks leave undefined).
    const mocks = answerInvokes(new RecordingMocks(mode === "preview" ? { ids: "unknown" } : { ids: "named", arns: { partition: partitionOf(String(region ?? "us-east-1")).partition, region: String(region ?? "us-east-1"), account: OFFLINE_ACCOUNT_ID } }), { region });
    await installMocks(mocks, { project: cfg.project, stack: cfg.stack, preview: mode === "preview", engineUrns: true });
    pulumi.runtime.setAllConfig(cfg.config, cfg.secretKeys);

    const errors: string[] = [];
    const noteError = (e: unknown): void => {
        const err = e as any;
        let message = String(err?.message ?? err);
        // The SDK wraps an input's failure ("error serializing property ...") around its cause.
        for (let c = err?.cause, depth = 0; c && depth < 5; c = c.cause, depth++) {
            message += ` ${String(c?.message ?? c)}`;
        }
        if (!errors.includes(message)) {
            errors.push(message);
        }
    };
    // The SDK reports errors from `apply` callbacks and registrations as unhandled rejections, as a
    // program run by the Pulumi CLI would see them.
    const onRejection = (e: unknown): void => noteError(e);
    process.on("unhandledRejection", onRejection);
    process.on("uncaughtException", onRejection);
    const ticker = onRegistered ? setInterval(() => onRegistered(mocks.registrations.length), 200) : undefined;
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const exported = require(programFile);
            const result = typeof exported === "function" ? exported() : exported;
            return await result;
        });
    } catch (e) {
        noteError(e);
    }
    try {
        await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    } catch (e) {
        noteError(e);
    }
    // Let rejections raised while draining reach the handler.
    await new Promise((resolve) => setImmediate(resolve));
    if (ticker) {
        clearInterval(ticker);
    }
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onRejection);
    onRegistered?.(mocks.registrations.length);
    return { registrations: mocks.registrations, errors, unanswered: [...new Set(mocks.unanswered)].sort() };
}
