import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

// Which program a Pulumi project runs, found as the Pulumi CLI and @pulumi/pulumi's Node.js runner find
// it (node_modules/@pulumi/pulumi/cmd/run/run.js): the project is the nearest Pulumi.yaml at or above
// the working directory; `main` (relative to the project folder) names the program, a file or a folder
// that Node resolves (its package.json `main`, then index.js, or index.ts under TypeScript); without
// `main`, the program is the project folder, or the `exports` / `main` of the nearest package.json
// when that file exists. The language host runs the program in the project folder.

export interface PulumiProject {
    /** The project folder (where Pulumi.yaml is). */
    dir: string;
    /** Pulumi.yaml (or Pulumi.yml). */
    file: string;
    name: string;
    /** The program to require: a file or a folder, absolute. */
    program: string;
    /** Where Pulumi.<stack>.yaml files live: `stackConfigDir`, or the project folder. */
    stackConfigDir: string;
    /** Whether the runner would load TypeScript (`runtime.options.typescript`, on by default). */
    typescript: boolean;
    /** The tsconfig the runner would use (`runtime.options.tsconfig`, or tsconfig.json in the project folder) if it exists. */
    tsconfig?: string;
}

/** Raised when there is no usable project; the message names the file or folder. */
export class ProjectError extends Error {}

/** The nearest Pulumi.yaml (or Pulumi.yml) at or above `dir`, as the Pulumi CLI looks for it. */
export function findProjectFile(dir: string): string | undefined {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
        for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
            const f = path.join(d, name);
            if (fs.existsSync(f)) {
                return f;
            }
        }
        if (path.dirname(d) === d) {
            return undefined;
        }
    }
}

/** The nearest folder at or above `dir` with a package.json (the runner's npm package root), or `dir`. */
function packageRootOf(programPath: string): string {
    let start: string;
    try {
        start = fs.statSync(programPath).isDirectory() ? programPath : path.dirname(programPath);
    } catch {
        start = path.dirname(programPath);
    }
    for (let d = start; ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, "package.json"))) {
            return d;
        }
        if (path.dirname(d) === d) {
            return start;
        }
    }
}

/** The entry point of a package.json when the project has no `main`: `exports` (".": default, require, import), then `main`. */
function packageEntrypoint(pkg: any): string | undefined {
    const exp = pkg?.exports;
    if (typeof exp === "string") {
        return exp;
    }
    if (exp && typeof exp === "object") {
        const dot = exp["."];
        if (typeof dot === "string") {
            return dot;
        }
        if (dot && typeof dot === "object") {
            return dot.default || dot.require || dot.import;
        }
        return undefined;
    }
    return typeof pkg?.main === "string" && pkg.main !== "" ? pkg.main : undefined;
}

/** Reads the project around `cwd` and resolves its program as the Node.js runner does. */
export function resolveProject(cwd: string): PulumiProject {
    const file = findProjectFile(cwd);
    if (!file) {
        throw new ProjectError(`${path.resolve(cwd)}: no Pulumi.yaml here or in any folder above (run k8sprod plan in a Pulumi project, or pass --cwd)`);
    }
    let doc: any;
    try {
        doc = parse(fs.readFileSync(file, "utf8"));
    } catch (e: any) {
        throw new ProjectError(`${file}: invalid YAML: ${String(e.message).split("\n")[0]}`);
    }
    const dir = path.dirname(file);
    if (typeof doc?.name !== "string" || doc.name === "") {
        throw new ProjectError(`${file}: the project has no name`);
    }
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    if (runtime !== "nodejs") {
        throw new ProjectError(`${file}: runtime is ${JSON.stringify(runtime)}; k8sprod plan runs Node.js programs (runtime: nodejs)`);
    }
    const options = typeof doc.runtime === "object" ? doc.runtime?.options ?? {} : {};
    if (doc.main !== undefined && typeof doc.main !== "string") {
        throw new ProjectError(`${file}: main must be a path`);
    }
    let program = path.join(dir, doc.main ?? ".");
    if (doc.main === undefined || doc.main === "." || doc.main === "") {
        const root = packageRootOf(program);
        const pkgFile = path.join(root, "package.json");
        let pkg: any;
        try {
            pkg = fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, "utf8")) : undefined;
        } catch (e: any) {
            throw new ProjectError(`${pkgFile}: not valid JSON (${e.message})`);
        }
        const entry = packageEntrypoint(pkg);
        if (entry && fs.existsSync(path.join(root, entry))) {
            program = path.join(root, entry);
        }
    }
    if (!fs.existsSync(program)) {
        throw new ProjectError(`${file}: the program ${path.relative(dir, program) || "."} (main) does not exist`);
    }
    const tsconfig = path.resolve(dir, typeof options.tsconfig === "string" ? options.tsconfig : "tsconfig.json");
    return {
        dir,
        file,
        name: doc.name,
        program,
        stackConfigDir: path.resolve(dir, typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : "."),
        typescript: options.typescript !== false,
        ...(fs.existsSync(tsconfig) ? { tsconfig } : {}),
    };
}

/** The stacks that have a config file in `dir` (`Pulumi.<stack>.yaml`), sorted. */
export function stacksIn(dir: string): string[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}
