import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..", "..");
const SCRIPT = path.join(ROOT, "scripts", "node-runtime.js");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/**
 * A package root whose `node` devDependency is installed but broken as `pulumi package get-schema`'s
 * `npm install` left it: node_modules/node/bin/node gone, node_modules/.bin/node dangling. The `node`
 * package here is a stand-in with the real one's shape (a preinstall script that creates bin/node).
 */
function brokenRoot(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-node-runtime-"));
    const version = pkg.devDependencies.node;
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", devDependencies: { node: version }, allowScripts: pkg.allowScripts }));
    fs.mkdirSync(path.join(dir, "node_modules", "node"), { recursive: true });
    fs.mkdirSync(path.join(dir, "node_modules", ".bin"));
    fs.writeFileSync(path.join(dir, "node_modules", "node", "package.json"), JSON.stringify({
        name: "node", version,
        scripts: { preinstall: `mkdir -p bin && printf '#!/bin/sh\\necho v${version}\\n' > bin/node && chmod +x bin/node` },
        bin: { node: "bin/node" },
    }));
    fs.symlinkSync(path.join("..", "node", "bin", "node"), path.join(dir, "node_modules", ".bin", "node"));
    return dir;
}

function run(root: string, ...args: string[]) {
    const env: NodeJS.ProcessEnv = { ...process.env, K8SPROD_ROOT: root };
    delete env.npm_execpath;
    return spawnSync(process.execPath, [SCRIPT, ...args], { env, encoding: "utf8" });
}

describe("installing the package keeps the Node 22 runtime of the npm scripts (node_modules/.bin/node)", function () {
    this.timeout(600_000);

    it("npm runs the runtime check after every install of the package (postinstall)", () => {
        assert.strictEqual(pkg.scripts.postinstall, "node scripts/node-runtime.js");
    });

    it("approves the node runtime's install script for npm's allowScripts policy (npm 12 skips unapproved ones), pinned to its version", () => {
        assert.strictEqual(pkg.allowScripts?.[`node@${pkg.devDependencies.node}`], true);
    });

    it("--check reports a dangling node_modules/.bin/node and exits 1", () => {
        const dir = brokenRoot();
        try {
            const r = run(dir, "--check");
            assert.strictEqual(r.status, 1, r.stderr);
            assert.match(r.stderr, /node_modules\/node\/bin\/node is missing; run `npm rebuild node`/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("repairs it by re-running the node package's own install, and then the runtime runs", () => {
        const dir = brokenRoot();
        try {
            const r = run(dir);
            assert.strictEqual(r.status, 0, r.stderr);
            const v = spawnSync(path.join(dir, "node_modules", ".bin", "node"), [], { encoding: "utf8" });
            assert.strictEqual(v.stdout.trim(), `v${pkg.devDependencies.node}`);
            assert.strictEqual(run(dir, "--check").status, 0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("does nothing where the node devDependency is not installed (a consumer, or --omit=dev)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-node-runtime-"));
        try {
            fs.writeFileSync(path.join(dir, "package.json"), "{}");
            const r = run(dir);
            assert.deepStrictEqual([r.status, r.stderr], [0, ""]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("this checkout's runtime is whole", () => {
        const r = run(ROOT, "--check");
        assert.strictEqual(r.status, 0, r.stderr);
    });
});
