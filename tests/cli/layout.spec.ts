import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { resolveProgram } from "../../cli/plan/project";
import { ROOT } from "./helpers";

// How the Pulumi CLI finds what encloses a folder (pulumi/pulumi sdk/go/common/workspace, v3.276.0):
// DetectProjectPathFrom / DetectPluginPathFrom walk up to the nearest Pulumi.{yaml,yml,json} /
// PulumiPlugin.{yaml,yml,json}; LoadBaseProjectFrom (used by `pulumi plugin install`, `pulumi package
// add`, `pulumi install`) takes the innermost of the two and fails with
// "detected both PulumiPlugin.yaml and Pulumi.yaml in <dir>" when both are in the same folder.
// A local plugin source (`pulumi package add <dir>`) is loaded from <dir>/PulumiPlugin.yaml exactly.
const PROJECT = ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"];
const PLUGIN = ["PulumiPlugin.yaml", "PulumiPlugin.yml", "PulumiPlugin.json"];
const SKIP = new Set(["node_modules", "dist", ".git"]);

function nearest(dir: string, names: string[]): string | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
        const hit = names.map((n) => path.join(d, n)).find((p) => fs.existsSync(p));
        if (hit) {
            return hit;
        }
        if (path.dirname(d) === d) {
            return undefined;
        }
    }
}

/** What LoadBaseProjectFrom(wd) returns: the innermost project or plugin file, or its error. */
function baseProject(wd: string): { file?: string; error?: string } {
    const plugin = nearest(wd, PLUGIN);
    const project = nearest(wd, PROJECT);
    if (!plugin || !project) {
        return { file: plugin ?? project };
    }
    const depth = (p: string) => path.resolve(p).split(path.sep).length;
    if (depth(plugin) === depth(project)) {
        return { error: `detected both ${path.basename(plugin)} and ${path.basename(project)} in ${path.dirname(plugin)}` };
    }
    return { file: depth(plugin) > depth(project) ? plugin : project };
}

function folders(dir: string, out: string[] = []): string[] {
    out.push(dir);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory() && !SKIP.has(e.name)) {
            folders(path.join(dir, e.name), out);
        }
    }
    return out;
}

describe("repository layout: pulumi plugin install, pulumi up and pulumi package add all work", () => {
    it("no folder holds both a Pulumi project and a plugin file (the CLI refuses such a folder)", () => {
        const both = folders(ROOT).filter((d) => PROJECT.some((n) => fs.existsSync(path.join(d, n))) && PLUGIN.some((n) => fs.existsSync(path.join(d, n))));
        assert.deepStrictEqual(both.map((d) => path.relative(ROOT, d) || "."), []);
    });

    it("pulumi plugin install works where the provider SDKs' install scripts run it, and in every source folder", () => {
        const places = [ROOT, path.join(ROOT, "node_modules", "@pulumi", "kubernetes"), path.join(ROOT, "node_modules", "@pulumi", "aws"),
            path.join(ROOT, "policies", "kubernetes"), path.join(ROOT, "components"), path.join(ROOT, "stacks")];
        for (const wd of places) {
            const r = baseProject(wd);
            assert.strictEqual(r.error, undefined, `${path.relative(ROOT, wd) || "."}: ${r.error}`);
        }
    });

    it("pulumi package add <repository> finds PulumiPlugin.yaml (runtime nodejs) at the root", () => {
        const text = fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8");
        assert.match(text, /^runtime: nodejs$/m);
        assert.strictEqual(baseProject(ROOT).file, path.join(ROOT, "PulumiPlugin.yaml"));
    });

    it("pulumi up in stacks/ (or pulumi up -C stacks) runs the stack program with the stacks' config", () => {
        const wd = path.join(ROOT, "stacks");
        assert.strictEqual(nearest(wd, PROJECT), path.join(wd, "Pulumi.yaml"));
        const r = resolveProgram(wd);
        assert.strictEqual(r.program, path.join(ROOT, "dist", "stacks", "index.js"));
        assert.ok(fs.existsSync(path.join(r.stackConfigDir, "Pulumi.prod.yaml")));
    });

    it("the detection refuses a folder with both files, as the CLI does", () => {
        const dir = fs.mkdtempSync(path.join(ROOT, "dist", "layout-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\nruntime: nodejs\n");
            fs.writeFileSync(path.join(dir, "PulumiPlugin.yaml"), "runtime: nodejs\n");
            assert.strictEqual(baseProject(dir).error, `detected both PulumiPlugin.yaml and Pulumi.yaml in ${dir}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
