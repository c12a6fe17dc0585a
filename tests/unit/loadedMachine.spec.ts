import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

// The suite runs on a loaded 2-core machine (CI, and developers' machines shared with builds): no test
// may depend on wall time. Timeouts are guards against hangs, far above what the slowest test takes
// there (the largest, 100,000 objects through the CLI, about 2 minutes at a load average of 30), and
// property tests are sized (numRuns), never timed. This test keeps it so.

const ROOT = path.resolve(__dirname, "..", "..", "..");
const MIN_TIMEOUT_MS = 600_000;
const MIN_CHILD_TIMEOUT_MS = 300_000;

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
            return e.name === "fixtures" ? [] : sources(full);
        }
        return e.name.endsWith(".ts") && e.name !== "loadedMachine.spec.ts" ? [full] : [];
    });
}

/** Numeric literals as written in TypeScript (`600_000`, `10 * 60 * 1000`). */
function evalNumber(expr: string): number | undefined {
    return /^[\d_\s*]+$/.test(expr) ? expr.split("*").map((x) => Number(x.replace(/[_\s]/g, ""))).reduce((a, b) => a * b, 1) : undefined;
}

describe("the test suite on a loaded machine", () => {
    it("mocha's default timeout is a hang guard of at least 10 minutes", () => {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, ".mocharc.json"), "utf8"));
        assert.ok(config.timeout >= MIN_TIMEOUT_MS, `.mocharc.json timeout ${config.timeout}`);
    });

    it("no suite or test sets a tighter timeout, and no child process is killed after less than 5 minutes", () => {
        const tight: string[] = [];
        for (const file of sources(path.join(ROOT, "tests"))) {
            const text = fs.readFileSync(file, "utf8");
            for (const m of text.matchAll(/this\.timeout\(([^)]*)\)/g)) {
                const ms = evalNumber(m[1]);
                if (ms === undefined || (ms !== 0 && ms < MIN_TIMEOUT_MS)) {
                    tight.push(`${path.relative(ROOT, file)}: this.timeout(${m[1]})`);
                }
            }
            for (const m of text.matchAll(/\btimeout:\s*([\d_\s*]+)[,}]/g)) {
                const ms = evalNumber(m[1].trim());
                if (ms !== undefined && ms < MIN_CHILD_TIMEOUT_MS) {
                    tight.push(`${path.relative(ROOT, file)}: timeout: ${m[1].trim()}`);
                }
            }
        }
        assert.deepStrictEqual(tight, []);
    });

    it("no test asserts on elapsed time", () => {
        const timed: string[] = [];
        for (const file of sources(path.join(ROOT, "tests"))) {
            const lines = fs.readFileSync(file, "utf8").split("\n");
            lines.forEach((line, i) => {
                if (/assert.*\b(ms|elapsed|readyMs|portMs|duration)\b\s*[<>]/.test(line) || /assert.*(Date\.now|performance\.now|hrtime)/.test(line)) {
                    timed.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
                }
            });
        }
        assert.deepStrictEqual(timed, []);
    });
});
