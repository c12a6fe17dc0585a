import * as fs from "fs";
import * as path from "path";

// TypeScript programs are planned as the Pulumi CLI runs them, without a build step: every `.ts` file the
// program requires is compiled to CommonJS when it is loaded (the language host does the same through
// ts-node). k8sprod transpiles only (it does not type check: run `tsc --noEmit` for that), with the project's
// own `typescript` package and its tsconfig's options.

/** Installs the `.ts` loader for the project of `projectFile`; returns the function that removes it again. */
export function registerTypeScript(projectFile: string, tsconfig: string | undefined): () => void {
    const projectDir = path.dirname(projectFile);
    let tsPath: string;
    try {
        tsPath = require.resolve("typescript", { paths: [projectDir, __dirname] });
    } catch {
        throw new Error(`${projectFile}: the program is TypeScript but no \`typescript\` package is installed for it `
            + "(npm install --save-dev typescript), or compile it and point `main` at the JavaScript");
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require(tsPath) as typeof import("typescript");
    let options: import("typescript").CompilerOptions = {};
    if (tsconfig) {
        const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
        if (read.error) {
            throw new Error(`${tsconfig}: ${ts.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
        }
        options = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfig)).options;
    }
    const compilerOptions: import("typescript").CompilerOptions = {
        target: ts.ScriptTarget.ES2020,
        esModuleInterop: true,
        ...options,
        // What a require hook needs, whatever the tsconfig says.
        module: ts.ModuleKind.CommonJS,
        inlineSourceMap: true,
        sourceMap: false,
        declaration: false,
        declarationMap: false,
        composite: false,
        incremental: false,
        noEmit: false,
    };
    const extensions = (require as any).extensions as Record<string, (m: any, f: string) => void>;
    const previous = extensions[".ts"];
    extensions[".ts"] = (module: any, filename: string) => {
        const source = fs.readFileSync(filename, "utf8");
        const out = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false });
        module._compile(out.outputText, filename);
    };
    return () => {
        if (previous) {
            extensions[".ts"] = previous;
        } else {
            delete extensions[".ts"];
        }
    };
}
