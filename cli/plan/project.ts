import * as fs from "fs";
import * as path from "path";
import { readDocument } from "./config";
import { packageRoot } from "../packs";

/**
 * Where the Pulumi CLI and `@pulumi/pulumi`'s Node.js runner find a project's program. Two steps,
 * each mirrored from the code that performs it:
 *
 * 1. The engine (pkg/engine/project.go `getPwdMain` in pulumi/pulumi) turns Pulumi.yaml's `main` into a
 *    working directory and an entry point: no `main` -> the project folder and `.`; a folder -> that
 *    folder and `.`; a file -> its folder and its base name. A `main` that does not exist is an error.
 * 2. The runner (`@pulumi/pulumi/cmd/run/run.js`) changes into that directory. With entry point `.` it
 *    looks for the nearest package.json/package.yaml at or above the directory and, if the manifest
 *    has `exports` (a string, or `exports["."]` as a string or its `default`/`require`/`import`) or else
 *    `main`, runs that file when it exists (otherwise warns and keeps the directory). A CommonJS
 *    program is then `require`d (a directory as `dir/`: its package.json `main`, else index.js); an ES
 *    module package (`"type": "module"`) imports the file, or a directory's index.js/.mjs/.ts/.mts.
 *
 * So a `main` naming a folder does not by itself choose the folder's index.js: the package's own
 * `main` wins when the folder has no package.json of its own.
 */
export interface ResolvedProgram {
    /** Absolute path of the project file (Pulumi.yaml, Pulumi.yml or Pulumi.json). */
    projectFile: string;
    /** The project's name. */
    project: string;
    /** The runtime's name (`runtime` or `runtime.name`). */
    runtime: string;
    /** `runtime.options`, as written. */
    runtimeOptions: Record<string, unknown>;
    /** Folder of the stacks' config files (`stackConfigDir`, relative to the project), absolute. */
    stackConfigDir: string;
    /** The directory the runner changes into (`--pwd`). */
    pwd: string;
    /** The entry point the engine passes: `.` or a file name in `pwd`. */
    entryPoint: string;
    /** The folder of the package manifest the runner found (or `pwd` when there is none). */
    packageRoot: string;
    /** The file the runner loads, absolute. */
    program: string;
    /** How the runner loads it. */
    moduleKind: "commonjs" | "module";
    /** Warnings the runner would print while resolving. */
    warnings: string[];
}

/**
 * This package's own Pulumi project: stacks/ (its Pulumi.yaml names the compiled program). It is not
 * at the repository root because the root holds PulumiPlugin.yaml, and the Pulumi CLI refuses a folder
 * with both ("detected both PulumiPlugin.yaml and Pulumi.yaml"); see docs/packaging.md.
 */
export function defaultProjectDir(): string {
    return path.join(packageRoot(), "stacks");
}

/** The file names the Pulumi CLI accepts for a project, in its order. */
export const PROJECT_FILE_NAMES = ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"];
const MANIFEST_NAMES = ["package.json", "package.yaml"];

/** The project file in `projectDir`, or undefined. */
export function findProjectFile(projectDir: string): string | undefined {
    for (const name of PROJECT_FILE_NAMES) {
        const p = path.join(projectDir, name);
        if (fs.existsSync(p)) {
            return p;
        }
    }
    return undefined;
}

function isDirectory(p: string): boolean {
    try {
        return fs.statSync(p).isDirectory();
    } catch {
        return false;
    }
}

/** The engine's getPwdMain: Pulumi.yaml's `main` as a working directory and an entry point. */
export function pwdAndEntryPoint(root: string, main: string | undefined, projectFile = path.join(root, "Pulumi.yaml")): { pwd: string; entryPoint: string } {
    if (main === undefined || main === "") {
        return { pwd: root, entryPoint: "." };
    }
    // filepath.Clean: no trailing separator.
    const target = path.resolve(root, main);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(target);
    } catch (e: any) {
        throw new Error(`${projectFile}: project 'main' could not be read: ${target} (${e.code ?? e.message})`, { cause: e });
    }
    return stat.isDirectory() ? { pwd: target, entryPoint: "." } : { pwd: path.dirname(target), entryPoint: path.basename(target) };
}

/** The nearest package manifest at or above `dir` (package.json preferred to package.yaml in one folder). */
function searchUpManifest(dir: string): string | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
        for (const name of MANIFEST_NAMES) {
            const p = path.join(d, name);
            if (fs.existsSync(p)) {
                return p;
            }
        }
        if (path.dirname(d) === d) {
            return undefined;
        }
    }
}

function readManifest(dir: string): any {
    for (const name of MANIFEST_NAMES) {
        const p = path.join(dir, name);
        if (fs.existsSync(p)) {
            try {
                return readDocument(p) ?? {};
            } catch {
                return {};
            }
        }
    }
    return {};
}

/**
 * Resolves the program a Pulumi project runs, as `pulumi up` in `projectDir` would (see the
 * interface's comment). Throws an Error naming the file when the project cannot run: no project
 * file, a runtime other than nodejs, a `main` that does not exist, or no file to load.
 */
export function resolveProgram(projectDir: string): ResolvedProgram {
    const root = path.resolve(projectDir);
    const projectFile = findProjectFile(root);
    if (!projectFile) {
        throw new Error(`${root}: no Pulumi project here (none of ${PROJECT_FILE_NAMES.join(", ")})`);
    }
    const doc = readDocument(projectFile);
    if (typeof doc?.name !== "string" || doc.name === "") {
        throw new Error(`${projectFile}: the project has no name`);
    }
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    if (runtime !== "nodejs") {
        throw new Error(`${projectFile}: runtime ${JSON.stringify(runtime)}: only nodejs programs can be resolved`);
    }
    const runtimeOptions = typeof doc.runtime === "object" && doc.runtime?.options && typeof doc.runtime.options === "object" ? doc.runtime.options : {};
    if (doc.main !== undefined && typeof doc.main !== "string") {
        throw new Error(`${projectFile}: main must be a string`);
    }
    const { pwd, entryPoint } = pwdAndEntryPoint(root, doc.main, projectFile);

    const warnings: string[] = [];
    let program = entryPoint === "." ? pwd : path.join(pwd, entryPoint);
    const manifest = searchUpManifest(isDirectory(program) ? program : path.dirname(program));
    if (!manifest) {
        warnings.push("Could not find a package.json or package.yaml file for the program. Using the Pulumi program directory as the project root.");
    }
    const packageRoot = manifest ? path.dirname(manifest) : (isDirectory(program) ? program : path.dirname(program));
    const pkg = manifest ? readManifest(packageRoot) : {};
    if (entryPoint === ".") {
        const entry = (e: unknown) => {
            if (typeof e !== "string") {
                // The runner joins it to the package root as it is; a missing value names no file.
                warnings.push(`Could not find entry point '${String(e)}' specified in package.json; using '${program}' instead`);
                return;
            }
            const p = path.join(packageRoot, e);
            if (fs.existsSync(p)) {
                program = p;
            } else {
                warnings.push(`Could not find entry point '${e}' specified in package.json; using '${program}' instead`);
            }
        };
        if (typeof pkg.exports === "string") {
            entry(pkg.exports);
        } else if (typeof pkg.exports === "object" && pkg.exports !== null) {
            const dot = pkg.exports["."];
            if (typeof dot === "string") {
                entry(dot);
            } else if (typeof dot === "object" && dot !== null) {
                entry(dot.default || dot.require || dot.import);
            }
        } else if (pkg.main) {
            entry(pkg.main);
        }
    }
    const moduleKind = pkg.type === "module" ? "module" : "commonjs";
    // The language host runs TypeScript (registers ts-node) unless `runtime.options.typescript` is false.
    const typescript = runtimeOptions.typescript !== false;
    const file = moduleKind === "module" ? esmEntry(program) : cjsEntry(program, typescript);
    if (!file) {
        throw new Error(`${projectFile}: no program to run: ${program} names no file the runner can load`);
    }
    return {
        projectFile,
        project: doc.name,
        runtime,
        runtimeOptions,
        stackConfigDir: path.resolve(root, typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : "."),
        pwd,
        entryPoint,
        packageRoot,
        program: file,
        moduleKind,
        warnings,
    };
}

/**
 * What `require(program)` loads (a directory as `dir/`), by Node's own resolution; with ts-node
 * registered, `.ts` is one more extension (tried after Node's own).
 */
function cjsEntry(program: string, typescript: boolean): string | undefined {
    const dir = isDirectory(program);
    const spec = dir && !program.endsWith(path.sep) ? program + path.sep : program;
    try {
        return require.resolve(spec);
    } catch {
        const ts = dir ? path.join(program, "index.ts") : `${program}.ts`;
        return typescript && fs.existsSync(ts) ? ts : undefined;
    }
}

/** What the runner imports for an ES module package: the file, or a directory's index file. */
function esmEntry(program: string): string | undefined {
    let p: string;
    try {
        p = fs.realpathSync(path.resolve(program));
    } catch {
        return undefined;
    }
    if (!isDirectory(p)) {
        return p;
    }
    for (const index of ["index.js", "index.mjs", "index.ts", "index.mts"]) {
        if (fs.existsSync(path.join(p, index))) {
            return path.join(p, index);
        }
    }
    return undefined;
}
