import { spawnSync } from "child_process";
import * as path from "path";
import { main } from "../../cli/main";
import type { IO } from "../../cli/io";

/** The repository root (tests run from dist/tests/cli). */
export const ROOT = path.resolve(__dirname, "..", "..", "..");
/** Source fixtures of the CLI tests (tests/fixtures/cli), read from the repository, not from dist/. */
export const FIXTURES = path.join(ROOT, "tests", "fixtures", "cli");
export const BIN = path.join(ROOT, "bin", "k8sprod");

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs the CLI in this process (the same `main` bin/k8sprod calls), with `stdin` as standard input. */
export async function cli(args: string[], stdin = ""): Promise<CliResult> {
    let stdout = "";
    let stderr = "";
    const io: IO = {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        stdin: async () => stdin,
        stderrIsTTY: false,
    };
    const code = await main(args, io);
    return { code, stdout, stderr };
}

/** Runs bin/k8sprod as a separate process, as a user or CI does. */
export function bin(args: string[], opts: { stdin?: string; cwd?: string } = {}): CliResult & { ms: number } {
    const started = Date.now();
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, input: opts.stdin ?? "", encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error) {
        throw r.error;
    }
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

export function fixture(...parts: string[]): string {
    return path.join(FIXTURES, ...parts);
}
