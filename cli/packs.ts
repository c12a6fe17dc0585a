import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";

/** The k8sprod package root (the folder with its package.json), found from the running file. */
export function packageRoot(): string {
    let dir = __dirname;
    for (;;) {
        const pkg = path.join(dir, "package.json");
        if (fs.existsSync(pkg)) {
            try {
                if (JSON.parse(fs.readFileSync(pkg, "utf8")).name === "k8sprod") {
                    return dir;
                }
            } catch {
                // not ours; keep looking
            }
        }
        const up = path.dirname(dir);
        if (up === dir) {
            throw new Error(`cannot find the k8sprod package root above ${__dirname}`);
        }
        dir = up;
    }
}

export function packageVersion(): string {
    return JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")).version;
}

/**
 * What the policies' docs URLs (`docs/<file>.md#<anchor>`) are relative to in reports: the
 * repository's files at this version when package.json names a GitHub repository, else the docs of
 * this installation (a file: URI).
 */
export function docsBaseUri(): string {
    const root = packageRoot();
    try {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        const repo = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
        const m = typeof repo === "string" ? /github\.com[/:]([^/]+\/[^/.]+)/.exec(repo) : null;
        if (m) {
            return `https://github.com/${m[1]}/blob/v${pkg.version}/`;
        }
    } catch {
        // fall back to the installed docs
    }
    return pathToFileURL(root + path.sep).href;
}

/** Every policy pack in the package's policies/ folder: the folders that hold a PulumiPolicy.yaml, sorted. */
export function bundledPacks(): string[] {
    const dir = path.join(packageRoot(), "policies");
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, "PulumiPolicy.yaml")))
        .map((e) => path.join(dir, e.name))
        .sort();
}

/** The pack `check` uses by default: the Kubernetes pack. */
export function kubernetesPack(): string {
    return path.join(packageRoot(), "policies", "kubernetes");
}

/** Checks that each folder is a policy pack; returns one message per folder that is not. */
export function packProblems(dirs: string[]): string[] {
    return dirs.flatMap((d) => fs.existsSync(path.join(d, "PulumiPolicy.yaml")) ? [] : [`${d}: not a policy pack (no PulumiPolicy.yaml)`]);
}

/**
 * What `check` and `plan` both read before evaluating: the pack folders (each must be a pack) and the
 * optional policy config file. Problems are appended to `problems`; the config is returned.
 */
export function readPacksAndConfig(packs: string[], configFile: string | undefined, problems: string[]): Record<string, any> | undefined {
    problems.push(...packProblems(packs));
    if (configFile === undefined) {
        return undefined;
    }
    const c = readPolicyConfig(configFile);
    if (c.error) {
        problems.push(c.error);
    }
    return c.config;
}

/**
 * Reads a policy config file: JSON as `pulumi preview --policy-pack-config` takes it,
 * `{"<policy>": "<level>" | {"enforcementLevel": "<level>", ...properties}, "all": "<level>", ...pack-wide keys}`.
 * Only the file's shape is checked here; the analyzer validates each policy's properties against
 * the policy's own schema.
 */
export function readPolicyConfig(file: string): { config?: Record<string, any>; error?: string } {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e: any) {
        return { error: `${file}: cannot read the policy config (${e.code ?? e.message})` };
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (e: any) {
        return { error: `${file}: the policy config is not valid JSON: ${e.message}` };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return { error: `${file}: the policy config must be a JSON object keyed by policy name` };
    }
    return { config: value as Record<string, any> };
}
