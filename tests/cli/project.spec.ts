import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { pwdAndEntryPoint, resolveProgram } from "../../cli/plan/project";
import { ROOT, bin } from "./helpers";

// The rules mirrored here are pulumi/pulumi's pkg/engine/project.go (getPwdMain) and
// node_modules/@pulumi/pulumi/cmd/run/run.js (the package manifest's exports/main when the entry
// point is ".", then `require`/`import` of the file or folder).

/** A throwaway project under dist/ (so that `@pulumi/pulumi` resolves from the repository). */
function project(files: Record<string, string>): string {
    const base = path.join(ROOT, "dist", ".tmp-projects");
    fs.mkdirSync(base, { recursive: true });
    const dir = fs.mkdtempSync(path.join(base, "p-"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

const yaml = (main?: string, extra = "") => `name: tproj\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n${main === undefined ? "" : `main: ${main}\n`}${extra}`;

describe("resolveProgram: the program Pulumi.yaml names, as the engine and @pulumi/pulumi's runner find it", () => {
    after(() => fs.rmSync(path.join(ROOT, "dist", ".tmp-projects"), { recursive: true, force: true }));

    it("this repository's project runs the compiled stack program, not the library (package.json main)", () => {
        const r = resolveProgram(path.dirname(resolveProgramProjectFile()));
        assert.strictEqual(r.program, path.join(ROOT, "dist", "stacks", "index.js"));
        assert.notStrictEqual(r.program, path.join(ROOT, JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).main));
        assert.strictEqual(r.stackConfigDir, path.join(ROOT, "stacks"));
        assert.ok(fs.existsSync(path.join(r.stackConfigDir, "Pulumi.dev.yaml")));
        assert.deepStrictEqual(r.warnings, []);
    });

    it("a main folder without a manifest of its own runs the enclosing package's main (the runner walks up)", () => {
        const dir = project({ "Pulumi.yaml": yaml("prog/"), "package.json": JSON.stringify({ name: "x", main: "lib.js" }), "lib.js": "", "prog/index.js": "" });
        const r = resolveProgram(dir);
        assert.strictEqual(r.pwd, path.join(dir, "prog"));
        assert.strictEqual(r.entryPoint, ".");
        assert.strictEqual(r.packageRoot, dir);
        assert.strictEqual(r.program, path.join(dir, "lib.js"));
    });

    it("a main folder with its own package.json uses that manifest's main", () => {
        const dir = project({
            "Pulumi.yaml": yaml("prog"), "package.json": JSON.stringify({ name: "x", main: "lib.js" }), "lib.js": "",
            "prog/package.json": JSON.stringify({ name: "y", main: "run.js" }), "prog/run.js": "", "prog/index.js": "",
        });
        assert.strictEqual(resolveProgram(dir).program, path.join(dir, "prog", "run.js"));
    });

    it("a main file is run as it is: the runner's --pwd is its folder, the entry point its base name", () => {
        const dir = project({ "Pulumi.yaml": yaml("out/app/main.js"), "package.json": JSON.stringify({ name: "x", main: "lib.js" }), "lib.js": "", "out/app/main.js": "" });
        const r = resolveProgram(dir);
        assert.deepStrictEqual([r.pwd, r.entryPoint, r.program], [path.join(dir, "out", "app"), "main.js", path.join(dir, "out", "app", "main.js")]);
    });

    it("without main: package.json exports (string, or exports['.'] default/require/import) win over main", () => {
        const a = project({ "Pulumi.yaml": yaml(), "package.json": JSON.stringify({ name: "x", main: "lib.js", exports: "./e.js" }), "lib.js": "", "e.js": "" });
        assert.strictEqual(resolveProgram(a).program, path.join(a, "e.js"));
        const b = project({ "Pulumi.yaml": yaml(), "package.json": JSON.stringify({ name: "x", main: "lib.js", exports: { ".": { require: "./r.js", import: "./i.mjs" } } }), "lib.js": "", "r.js": "" });
        assert.strictEqual(resolveProgram(b).program, path.join(b, "r.js"));
    });

    it("an entry in package.json that does not exist warns and falls back to the folder's index.js", () => {
        const dir = project({ "Pulumi.yaml": yaml(), "package.json": JSON.stringify({ name: "x", main: "dist/gone.js" }), "index.js": "" });
        const r = resolveProgram(dir);
        assert.strictEqual(r.program, path.join(dir, "index.js"));
        assert.match(r.warnings.join("\n"), /Could not find entry point 'dist\/gone.js' specified in package.json/);
    });

    it("an ES module package imports a folder's index file in the runner's order (index.js before index.mjs)", () => {
        const dir = project({ "Pulumi.yaml": yaml("src"), "package.json": JSON.stringify({ name: "x", type: "module" }), "src/index.mjs": "", "src/index.ts": "" });
        const r = resolveProgram(dir);
        assert.strictEqual(r.moduleKind, "module");
        assert.strictEqual(r.program, path.join(dir, "src", "index.mjs"));
    });

    it("a TypeScript project (the default) runs index.ts when no JavaScript is there", () => {
        const dir = project({ "Pulumi.yaml": "name: tproj\nruntime: nodejs\n", "package.json": JSON.stringify({ name: "x" }), "index.ts": "" });
        assert.strictEqual(resolveProgram(dir).program, path.join(dir, "index.ts"));
    });

    it("refuses, naming the file, a main that does not exist, a runtime other than nodejs, and a folder without a project", () => {
        const dir = project({ "Pulumi.yaml": yaml("nowhere/"), "package.json": "{}" });
        assert.throws(() => resolveProgram(dir), (e: Error) => e.message.includes(path.join(dir, "Pulumi.yaml")) && /project 'main' could not be read/.test(e.message));
        const py = project({ "Pulumi.yaml": "name: p\nruntime: python\n" });
        assert.throws(() => resolveProgram(py), /only nodejs programs/);
        assert.throws(() => resolveProgram(path.join(py, "..")), /no Pulumi project here/);
    });

    it("getPwdMain: no main is the project folder and '.'", () => {
        assert.deepStrictEqual(pwdAndEntryPoint("/p", undefined), { pwd: "/p", entryPoint: "." });
    });
});

describe("k8sprod plan runs the program resolveProgram finds", function () {
    this.timeout(180000);
    after(() => fs.rmSync(path.join(ROOT, "dist", ".tmp-projects"), { recursive: true, force: true }));

    it("in a project whose main folder defers to the package's main, plan runs the package's main (as pulumi up would), in the runner's folder", () => {
        const program = (which: string) => `const pulumi = require("@pulumi/pulumi");\n`
            + `new pulumi.ComponentResource("tproj:index:Ran", "${which}-" + require("path").basename(process.cwd()), {}, {});\n`;
        const dir = project({
            "Pulumi.yaml": yaml("prog/"),
            "Pulumi.dev.yaml": "config: {}\n",
            "package.json": JSON.stringify({ name: "tproj", main: "lib.js" }),
            "lib.js": program("package-main"),
            "prog/index.js": program("folder-index"),
        });
        const r = bin(["plan", "--project", dir, "--stack", "dev", "--format", "json", "--no-progress"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const names = JSON.parse(r.stdout).resources.filter((x: any) => x.type === "tproj:index:Ran").map((x: any) => x.name);
        assert.deepStrictEqual(names, ["package-main-prog"]);
    });
});

/** The repository's project file: where the layout puts it. */
function resolveProgramProjectFile(): string {
    for (const candidate of [path.join(ROOT, "stacks", "Pulumi.yaml"), path.join(ROOT, "Pulumi.yaml")]) {
        if (fs.existsSync(candidate)) {
            return candidate;
        }
    }
    throw new Error("no Pulumi.yaml in the repository");
}
