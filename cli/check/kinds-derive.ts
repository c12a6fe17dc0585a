import * as fs from "fs";

/**
 * The kinds `@pulumi/kubernetes` registers as resources when it reads YAML (its `yaml.ConfigFile`):
 * every `case "<apiVersion>/<Kind>"` of its parser, and every list kind it expands into its items.
 * Read as text from the installed package, so the CLI's table can be regenerated and checked
 * against the exact SDK version the project pins without loading the SDK at run time.
 */
export interface KindTable {
    /** `apiVersion/Kind` of every kind registered as a resource, sorted. */
    kinds: string[];
    /** `apiVersion/Kind` of every list kind expanded into its items, sorted. */
    lists: string[];
}

export function deriveKindTable(yamlJsSource: string): KindTable {
    const kinds = [...yamlJsSource.matchAll(/case "([^"]+\/[^"]+)":/g)].map((m) => m[1]);
    const lists = [...yamlJsSource.matchAll(/\(gvk === "([^"]+)"\)/g)].map((m) => m[1]);
    if (kinds.length === 0 || lists.length === 0) {
        throw new Error("could not find the kind switch in @pulumi/kubernetes/yaml/yaml.js: the SDK's layout changed");
    }
    return { kinds: [...new Set(kinds)].sort(), lists: [...new Set(lists)].sort() };
}

export function installedKindTable(): KindTable {
    return deriveKindTable(fs.readFileSync(require.resolve("@pulumi/kubernetes/yaml/yaml.js"), "utf8"));
}

/** Prints cli/check/kinds-table.ts for the installed @pulumi/kubernetes (`node dist/cli/check/kinds-derive.js`). */
function main(): void {
    const pkg = JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8"));
    const table = installedKindTable();
    const lines = [
        `// Generated from @pulumi/kubernetes ${pkg.version} (yaml/yaml.js) by \`node dist/cli/check/kinds-derive.js\`.`,
        "// Do not edit: regenerate when the SDK is upgraded (tests/cli/kinds.spec.ts fails until then).",
        `export const SDK_VERSION = ${JSON.stringify(pkg.version)};`,
        "",
        "/** `apiVersion/Kind` of every kind the SDK registers as a resource. */",
        "export const KINDS: readonly string[] = [",
        ...table.kinds.map((k) => `    ${JSON.stringify(k)},`),
        "];",
        "",
        "/** `apiVersion/Kind` of every list kind the SDK expands into its items. */",
        "export const LISTS: readonly string[] = [",
        ...table.lists.map((k) => `    ${JSON.stringify(k)},`),
        "];",
        "",
    ];
    process.stdout.write(lines.join("\n"));
}

if (require.main === module) {
    main();
}
