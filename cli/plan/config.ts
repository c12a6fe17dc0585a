import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** What the Pulumi CLI would hand the program: the project, and its config as the language host sets it. */
export interface StackConfig {
    project: string;
    stack: string;
    /** `namespace:key` -> value as the program reads it (strings; structured values as JSON). */
    config: Record<string, string>;
    /** Keys whose values are secrets. */
    secretKeys: string[];
    /** Keys with `secure:` values, which cannot be decrypted offline (the program reads a placeholder). */
    undecryptable: string[];
    /** The config file read (undefined when the stack has none). */
    file?: string;
}

/** The placeholder a `secure:` value reads as: the offline engine has no key to decrypt it. */
export const SECRET_PLACEHOLDER = "[secret: not decrypted offline]";

function asConfigValue(v: unknown): string {
    if (typeof v === "string") {
        return v;
    }
    if (typeof v === "number" || typeof v === "boolean") {
        return String(v);
    }
    return JSON.stringify(v);
}

/** `key` in project `p` is `p:key`; a key that has a namespace keeps it (`aws:region`). */
export function namespacedKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function isSecure(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as any).secure === "string";
}

/** Replaces nested `{secure: ...}` values with the placeholder, collecting whether any was found. */
function stripSecure(v: unknown, found: { secret: boolean }): unknown {
    if (isSecure(v)) {
        found.secret = true;
        return SECRET_PLACEHOLDER;
    }
    if (Array.isArray(v)) {
        return v.map((x) => stripSecure(x, found));
    }
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripSecure(x, found)]));
    }
    return v;
}

/**
 * Reads the project (Pulumi.yaml: its name, and the defaults of its `config:` section) and the
 * stack's config file (`<configDir>/Pulumi.<stack>.yaml`, `config:` map) as the Pulumi CLI does:
 * keys without a namespace belong to the project, strings pass as they are, numbers and booleans
 * as their text, structured values as JSON. Throws an Error naming the file when it cannot be used.
 */
export function readStackConfig(projectFile: string, configDir: string, stack: string): StackConfig {
    const projectDoc = readDocument(projectFile);
    const project = projectDoc?.name;
    if (typeof project !== "string" || project === "") {
        throw new Error(`${projectFile}: the project has no name`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const undecryptable: string[] = [];
    const projectConfig = projectDoc.config ?? {};
    if (typeof projectConfig !== "object" || Array.isArray(projectConfig)) {
        throw new Error(`${projectFile}: config must be a map`);
    }
    for (const [key, decl] of Object.entries<any>(projectConfig)) {
        const value = typeof decl === "object" && decl !== null && !Array.isArray(decl) ? (decl.value ?? decl.default) : decl;
        if (value !== undefined) {
            config[namespacedKey(project, key)] = asConfigValue(value);
        }
    }
    const file = path.join(configDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`${file}: no such stack config (stack "${stack}")`);
    }
    const stackDoc = readDocument(file) ?? {};
    const stackConfig = stackDoc.config ?? {};
    if (typeof stackConfig !== "object" || Array.isArray(stackConfig)) {
        throw new Error(`${file}: config must be a map of keys to values`);
    }
    for (const [key, raw] of Object.entries<any>(stackConfig)) {
        const k = namespacedKey(project, key);
        const found = { secret: false };
        const value = stripSecure(raw, found);
        if (found.secret) {
            secretKeys.push(k);
            undecryptable.push(k);
        }
        config[k] = asConfigValue(value);
    }
    return { project, stack, config, secretKeys, undecryptable, file };
}

/** A YAML file, or JSON when its name ends in `.json`; an Error names the file and what is wrong. */
export function readDocument(file: string): any {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e: any) {
        throw new Error(`${file}: cannot read it (${e.code ?? e.message})`, { cause: e });
    }
    const json = file.endsWith(".json");
    try {
        return json ? JSON.parse(text) : parse(text);
    } catch (e: any) {
        throw new Error(`${file}: invalid ${json ? "JSON" : "YAML"}: ${String(e.message).split("\n")[0]}`, { cause: e });
    }
}
