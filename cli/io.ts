/** Where a command reads and writes: the process's streams, or buffers in tests. */
export interface IO {
    stdout(text: string): void;
    stderr(text: string): void;
    /** Standard input, whole: its bytes (decoded and checked for binary content by the reader), or text in tests. */
    stdin(): Promise<string | Uint8Array>;
    /** Whether stderr is a terminal (progress is redrawn in place there, and printed as lines elsewhere). */
    stderrIsTTY: boolean;
}

function readStdin(): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        process.stdin.on("data", (c: Buffer) => chunks.push(c));
        process.stdin.on("end", () => resolve(Buffer.concat(chunks)));
        process.stdin.on("error", reject);
    });
}

export const processIO: IO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: readStdin,
    stderrIsTTY: Boolean(process.stderr.isTTY),
};

/** An error that ends a command with exit code 2 ("the input could not be used"), with its message. */
export class UsageError extends Error {
    constructor(readonly lines: string[]) {
        super(lines.join("\n"));
        this.name = "UsageError";
    }
}

/** Progress on stderr: one line per step, or a single line redrawn in place on a terminal. */
export class Progress {
    private live = false;

    constructor(private readonly io: IO, private readonly enabled: boolean) {}

    step(message: string): void {
        if (!this.enabled) {
            return;
        }
        if (this.io.stderrIsTTY) {
            this.io.stderr(`\r\x1b[2K${message}`);
            this.live = true;
        } else {
            this.io.stderr(`${message}\n`);
        }
    }

    done(): void {
        if (this.live) {
            this.io.stderr("\r\x1b[2K");
            this.live = false;
        }
    }
}
