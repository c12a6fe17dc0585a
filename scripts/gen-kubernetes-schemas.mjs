#!/usr/bin/env node
// Generates schemas/kubernetes/v<minor>.json: the Kubernetes OpenAPI schemas of each supported
// Kubernetes minor, distilled (cli/check/schema/compact.ts) to the kinds `check` and `plan` know
// (cli/check/kinds-table.ts, the kinds @pulumi/kubernetes registers) and the definitions they reach.
//
// Source (pinned): the strict JSON schemas that PyPI's `kubernetes-validate` 1.37.0 ships
// (kubernetes_validate/kubernetes-json-schema/v1.<minor>.0-local-strict/_definitions.json), which
// are generated from the Kubernetes OpenAPI v2 spec of each release.
//
// Usage: npm run build && node scripts/gen-kubernetes-schemas.mjs [DIR]
//   DIR: an unpacked kubernetes-validate wheel; without it, the pinned wheel is downloaded with
//   `pip download` (PyPI) into a temporary folder and its sha256 checked.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGE = "kubernetes-validate";
const VERSION = "1.37.0";
const WHEEL = "kubernetes_validate-1.37.0-py3-none-any.whl";
const SHA256 = "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9";

const { compactSchema, referencedDefinitions } = require(path.join(ROOT, "dist/cli/check/schema/compact.js"));
const { KINDS } = require(path.join(ROOT, "dist/cli/check/kinds-table.js"));
const { SUPPORTED_KUBERNETES_VERSIONS } = require(path.join(ROOT, "dist/lib/versions.js"));

function unpackedWheel() {
    if (process.argv[2]) {
        return path.resolve(process.argv[2]);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-schemas-"));
    execFileSync("pip", ["download", `${PACKAGE}==${VERSION}`, "--no-deps", "--only-binary=:all:", "-d", dir], { stdio: "inherit" });
    const wheel = path.join(dir, WHEEL);
    const sum = createHash("sha256").update(fs.readFileSync(wheel)).digest("hex");
    if (sum !== SHA256) {
        throw new Error(`${WHEEL}: sha256 ${sum}, expected ${SHA256}`);
    }
    execFileSync("python3", ["-m", "zipfile", "-e", wheel, path.join(dir, "unpacked")], { stdio: "inherit" });
    return path.join(dir, "unpacked");
}

const wheelDir = unpackedWheel();
const outDir = path.join(ROOT, "schemas", "kubernetes");
fs.mkdirSync(outDir, { recursive: true });

for (const minor of SUPPORTED_KUBERNETES_VERSIONS) {
    const rel = `kubernetes_validate/kubernetes-json-schema/v${minor}.0-local-strict/_definitions.json`;
    const all = JSON.parse(fs.readFileSync(path.join(wheelDir, rel), "utf8")).$defs;
    // apiVersion/Kind → definition, from each definition's x-kubernetes-group-version-kind.
    const byKind = new Map();
    for (const [name, def] of Object.entries(all)) {
        for (const gvk of def["x-kubernetes-group-version-kind"] ?? []) {
            const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
            byKind.set(`${apiVersion}/${gvk.kind}`, name);
        }
    }
    const kinds = {};
    for (const k of KINDS) {
        if (byKind.has(k)) {
            kinds[k] = byKind.get(k);
        }
    }
    // The definitions the kinds reach, distilled.
    const defs = {};
    const todo = Object.values(kinds);
    while (todo.length > 0) {
        const name = todo.pop();
        if (defs[name] !== undefined || all[name] === undefined) {
            continue;
        }
        defs[name] = compactSchema(all[name]);
        for (const ref of referencedDefinitions(defs[name])) {
            todo.push(ref);
        }
    }
    const sorted = Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
    const file = {
        source: `PyPI ${PACKAGE} ${VERSION} (${WHEEL}, sha256 ${SHA256}): ${rel}`,
        kubernetesVersion: minor,
        kinds,
        defs: sorted,
    };
    const out = path.join(outDir, `v${minor}.json`);
    fs.writeFileSync(out, JSON.stringify(file) + "\n");
    console.log(`${path.relative(ROOT, out)}: ${Object.keys(kinds).length} kinds, ${Object.keys(sorted).length} definitions, ${(fs.statSync(out).size / 1024).toFixed(0)} KiB`);
}
