import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { jsonChunks } from "../../cli/report/report";
import { cleanMessage, excerpt } from "../../cli/util";
import { BIN, ROOT, bin, cli, fixture } from "./helpers";

// Input that is empty, binary, hostile or mistyped, and output that must reach a pipe whole.

function tmpdir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-hostile-"));
}

/** Runs bin/k8sprod with stdout and stderr as pipes that are read slowly (as `k8sprod ... 2>&1 | less` would). */
function slowPipes(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        // Start reading only after a pause, so the pipes fill up while the process is finishing.
        child.stdout.pause();
        child.stderr.pause();
        child.stdout.on("data", (d) => out.push(d));
        child.stderr.on("data", (d) => err.push(d));
        setTimeout(() => {
            child.stdout.resume();
            child.stderr.resume();
        }, 1500);
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    });
}

describe("k8sprod check on hostile input", function () {
    this.timeout(10 * 60 * 1000);
    const cwd = process.cwd();
    before(() => process.chdir(ROOT));
    after(() => process.chdir(cwd));

    describe("input with no Kubernetes object is an input error (fail closed)", () => {
        it("empty standard input (a failed `helm template` piped in) exits 2 and says so", async () => {
            const r = await cli(["check", "-"], "");
            assert.strictEqual(r.code, 2, r.stdout);
            assert.match(r.stderr, /standard input is empty/);
            assert.strictEqual(r.stdout, "");
        });

        it("an empty file, and a file of comments and separators only, exit 2", async () => {
            const dir = tmpdir();
            fs.writeFileSync(path.join(dir, "empty.yaml"), "");
            fs.writeFileSync(path.join(dir, "comments.yaml"), "# Source: chart/templates/off.yaml\n---\n# nothing rendered\n---\n");
            for (const f of ["empty.yaml", "comments.yaml"]) {
                const r = await cli(["check", path.join(dir, f)]);
                assert.strictEqual(r.code, 2, `${f}: ${r.stdout}`);
                assert.match(r.stderr, /no Kubernetes object in the input/);
            }
        });

        it("--allow-empty accepts it", async () => {
            const r = await cli(["check", "--allow-empty", "-"], "# nothing\n");
            assert.strictEqual(r.code, 0, r.stderr);
            assert.match(r.stdout, /0 resources checked/);
        });
    });

    describe("a binary file", () => {
        it("is named as binary, with the offset, and none of its bytes reach the message", async () => {
            const dir = tmpdir();
            const file = path.join(dir, "image.yaml");
            const bytes = Buffer.alloc(2 * 1024 * 1024);
            for (let i = 0; i < bytes.length; i++) {
                bytes[i] = (i * 7919 + 13) % 251; // every byte value but a few, NULs included
            }
            fs.writeFileSync(file, bytes);
            const r = await cli(["check", file]);
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /image\.yaml: the file is binary, not YAML or JSON text: it holds a NUL byte at offset \d+/);
            assert.ok(r.stderr.length < 300, `stderr has ${r.stderr.length} characters`);
            assert.match(r.stderr, /^[\x20-\x7e\n]*$/);
        });

        it("bytes that are not UTF-8 (no NUL) are named too", async () => {
            const dir = tmpdir();
            const file = path.join(dir, "latin1.yaml");
            fs.writeFileSync(file, Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x74, 0xe9, 0x0a]));
            const r = await cli(["check", file]);
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /latin1\.yaml: the file is binary, not YAML or JSON text: it is not UTF-8 text \(byte 0xe9 at offset 3\)/);
        });
    });

    it("a parser message quotes a short, escaped excerpt of the input, never a whole line of it", async () => {
        const long = `key: "${"\u0007x".repeat(50_000)}\n`;
        const r = await cli(["check", "-"], `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: [unclosed\n${long}`);
        assert.strictEqual(r.code, 2);
        for (const line of r.stderr.trim().split("\n")) {
            assert.ok(line.length < 400, `a ${line.length}-character line: ${line.slice(0, 200)}`);
        }
        assert.ok(!r.stderr.includes("\u0007"), "a raw control character reached stderr");
    });

    it("excerpt and cleanMessage escape control characters and cut long text", () => {
        assert.strictEqual(excerpt("a\u0000b\"c\\"), "\"a\\u0000b\\\"c\\\\\"");
        assert.strictEqual(excerpt("x".repeat(100), 10), `"${"x".repeat(10)}…"`);
        assert.strictEqual(cleanMessage(`Unexpected scalar "${"\u0001".repeat(100)}" at 3`), `Unexpected scalar "${"\\u0001".repeat(40)}…" at 3`);
    });

    it("lists at most 20 problems per file and counts the rest", async () => {
        const docs = Array.from({ length: 50 }, (_, i) => `apiVersion: v1\nmetadata: {name: n${i}}\n`).join("---\n");
        const r = await cli(["check", "-"], docs);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(r.stderr.match(/kind is missing/g)?.length, 20);
        assert.match(r.stderr, /30 more problems in this file are not shown/);
    });

    it("writes the whole of a long stderr to a pipe before exiting (no cut at 64 KiB)", async () => {
        const dir = tmpdir();
        const count = 3000;
        for (let i = 0; i < count; i++) {
            fs.writeFileSync(path.join(dir, `broken-${String(i).padStart(5, "0")}-${"x".repeat(60)}.yaml`), "apiVersion: v1\nmetadata: {name: a}\n");
        }
        const r = await slowPipes(["check", dir]);
        assert.strictEqual(r.code, 2);
        assert.ok(r.stderr.length > 200 * 1024, `stderr has ${r.stderr.length} bytes`);
        assert.strictEqual(r.stderr.match(/: not a Kubernetes object: kind is missing\n/g)?.length, count);
        assert.match(r.stderr, new RegExp(`broken-0${count - 1}-x+\\.yaml, document 0, line 1: not a Kubernetes object: kind is missing\\n$`));
    });

    it("writes the whole of a long report to a pipe before exiting", async () => {
        const r = await slowPipes(["check", "-f", "json", "--policy-config", path.relative(ROOT, fixture("only-latest.json")), path.relative(ROOT, fixture("helm-output.yaml"))]);
        assert.strictEqual(r.code, 1, r.stderr);
        assert.strictEqual(JSON.parse(r.stdout).summary.mandatory, 1);
    });

    describe("a known kind under the wrong group", () => {
        it("is an input error that names the apiVersion that serves it", async () => {
            const r = await cli(["check", "-"], "apiVersion: v1\nkind: Deployment\nmetadata: {name: web}\n");
            assert.strictEqual(r.code, 2, r.stdout);
            assert.match(r.stderr, /<stdin>, document 0, line 1: Deployment is not served by apiVersion v1: the API server refuses it; use apiVersion apps\/v1\n/);
        });

        it("names every group that serves the kind (Event is in the core group and in events.k8s.io)", async () => {
            const r = await cli(["check", "-"], "apiVersion: apps/v1\nkind: Event\nmetadata: {name: e}\n");
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /Event is not served by apiVersion apps\/v1: .*use apiVersion (v1 or events\.k8s\.io\/v1|events\.k8s\.io\/v1 or v1)/);
        });

        it("leaves custom resources that reuse a built-in kind's name, and newer versions of a built-in group, as not checked", async () => {
            const r = await cli(["check", "-f", "json", "-"], "apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: a}\n---\napiVersion: apps/v9\nkind: Deployment\nmetadata: {name: b}\n");
            assert.strictEqual(r.code, 0, r.stderr);
            assert.deepStrictEqual(JSON.parse(r.stdout).unchecked.map((u: any) => `${u.apiVersion}/${u.kind}`), ["example.com/v1/Deployment", "apps/v9/Deployment"]);
        });
    });

    describe("numbers as kubectl reads them", () => {
        const pod = (runAsUser: string, port = "8080") => "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n"
            + `  securityContext:\n    runAsNonRoot: true\n    runAsUser: ${runAsUser}\n    seccompProfile: {type: RuntimeDefault}\n`
            + "  containers:\n  - name: c\n    image: x:1\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n"
            + `    ports:\n    - containerPort: ${port}\n`;
        const runAsUserViolations = async (text: string) => {
            const r = await cli(["check", "-f", "json", "-"], text);
            assert.ok(r.code === 0 || r.code === 1, r.stderr);
            return JSON.parse(r.stdout).violations.filter((v: any) => v.policy === "pod-security-run-as-user");
        };

        it("runAsUser: 0o0 is root (kubectl reads 0o0 as the integer 0), and so is 0X0", async () => {
            assert.strictEqual((await runAsUserViolations(pod("0o0"))).length, 1);
            assert.strictEqual((await runAsUserViolations(pod("0X0"))).length, 1);
            assert.strictEqual((await runAsUserViolations(pod("1000"))).length, 0);
        });

        it("a sexagesimal runAsUser (a string to kubectl, refused by the server) is an input error naming the file, line and field", async () => {
            const r = await cli(["check", "-"], pod("1:20"));
            assert.strictEqual(r.code, 2, r.stdout);
            assert.match(r.stderr, /<stdin>, document 0, line 7: Pod shop\/p: spec\.securityContext\.runAsUser must be an integer, not the string "1:20" \(kubectl reads 1:20 as a string/);
        });

        it("a quoted port, in a List item, is an input error at its own line", async () => {
            const list = `apiVersion: v1\nkind: List\nitems:\n- ${pod("1000", "\"80\"").replace(/\n(?=.)/g, "\n  ")}`;
            const r = await cli(["check", "-"], list);
            assert.strictEqual(r.code, 2, r.stdout);
            assert.match(r.stderr, /document 0, line 17: items\[0\]: Pod shop\/p: spec\.containers\[0\]\.ports\[0\]\.containerPort must be an integer, not the string "80"/);
        });

        it(".inf, which kubectl cannot convert to JSON, is an input error", async () => {
            const r = await cli(["check", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: .inf\n");
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /\.inf is a YAML float that JSON cannot hold/);
        });
    });

    it("the header counts every object read, checked or not", async () => {
        const r = await cli(["check", "--policy-config", path.relative(ROOT, fixture("only-latest.json")), path.relative(ROOT, fixture("helm-output.yaml"))]);
        assert.match(r.stdout, /^k8sprod check: 4 objects from 1 file \(3 checked, 1 not checked\)\n/);
    });

    it("bin/k8sprod reads binary standard input as binary", () => {
        const r = bin(["check", "-"], { stdin: "apiVersion: v1\u0000\n" });
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /<stdin>: standard input is binary, not YAML or JSON text: it holds a NUL byte at offset 14/);
    });

    it("JSON in pieces matches JSON.stringify for every shape (empty lists and objects, nesting, undefined)", () => {
        const values: unknown[] = [
            {}, [], { a: [] }, { a: {} }, [1, [2, [3, [4, [5]]]]], { a: undefined, b: [undefined, 1], c: "x\ny" },
            { resources: Array.from({ length: 5 }, (_, i) => ({ i, n: { deep: [i] } })), s: { n: 1 } }, null, "s", 3,
        ];
        for (const v of values) {
            for (const batch of [1, 2, 100]) {
                for (const depth of [0, 1, 6]) {
                    assert.strictEqual([...jsonChunks(v, batch, depth)].join(""), JSON.stringify(v, null, 2), `${JSON.stringify(v)} batch ${batch} depth ${depth}`);
                }
            }
        }
    });
});
