import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..", "..");

// How a component schema's references bind, for tests/unit/componentSchema.spec.ts and schemaBinding.spec.ts.

/**
 * The tokens of the package schemas a component schema may reference, distilled from the providers'
 * schemas (each fixture names its source). tests/fixtures/schemas/<package>.tokens.json.
 */
function packageTokens(name: string): { version: string; provider: boolean; resources: Set<string>; types: Set<string>; functions: Set<string> } | undefined {
    const file = path.join(ROOT, "tests", "fixtures", "schemas", `${name}.tokens.json`);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const j = JSON.parse(fs.readFileSync(file, "utf8"));
    return { version: j.version, provider: j.provider, resources: new Set(j.resources), types: new Set(j.types), functions: new Set(j.functions) };
}

/** Every `$ref` in a schema, with where it is. */
export function refsOf(v: unknown, at = "", out: { ref: string; at: string }[] = []): { ref: string; at: string }[] {
    if (Array.isArray(v)) {
        v.forEach((x, i) => refsOf(x, `${at}/${i}`, out));
    } else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
            if (k === "$ref" && typeof x === "string") {
                out.push({ ref: x, at });
            } else {
                refsOf(x, `${at}/${k}`, out);
            }
        }
    }
    return out;
}

const BUILTIN = new Set(["pulumi.json#/Any", "pulumi.json#/Archive", "pulumi.json#/Asset", "pulumi.json#/Json"]);

/**
 * Why `ref` would not bind, as Pulumi's schema binder (pkg/codegen/schema) reads references: a
 * builtin (`pulumi.json#/Any` ...), a local `#/types/<token>`, `#/resources/<token>` or `#/provider`,
 * or the same in another package, `/<package>/v<version>/schema.json#/...`, which must be a declared
 * dependency. Undefined when it binds.
 */
export function unboundReason(ref: string, schema: any): string | undefined {
    if (BUILTIN.has(ref)) {
        return undefined;
    }
    const m = /^(?:\/([a-z0-9-]+)\/v([^/]+)\/schema\.json)?#\/(types|resources|functions|provider)(?:\/(.+))?$/.exec(ref);
    if (!m) {
        return "is not a reference the binder reads";
    }
    const [, pkg, version, section, rawToken] = m;
    const token = rawToken === undefined ? undefined : decodeURIComponent(rawToken);
    if (section === "provider") {
        if (token !== undefined) {
            return "has a path after #/provider";
        }
    } else if (token === undefined || !/^[^:]+:[^:]*:[^:]+$/.test(token)) {
        return `names ${JSON.stringify(token)}, which is not a <package>:<module>:<name> token`;
    }
    if (!pkg) {
        if (section === "provider") {
            return schema.provider ? undefined : "names this package's provider, which the schema does not have";
        }
        return schema[section]?.[token!] ? undefined : `names ${section} ${token}, which this schema does not define`;
    }
    if (!(schema.dependencies ?? []).some((d: any) => d.name === pkg && d.version === version)) {
        return `names package ${pkg} v${version}, which is not among the schema's dependencies`;
    }
    const tokens = packageTokens(pkg);
    if (!tokens) {
        return `names package ${pkg}, whose schema has no fixture in tests/fixtures/schemas (distil its tokens there)`;
    }
    if (section === "provider") {
        return tokens.provider ? undefined : `names ${pkg}'s provider, which its schema does not have`;
    }
    const set = section === "types" ? tokens.types : section === "resources" ? tokens.resources : tokens.functions;
    return set.has(token!) ? undefined : `names ${section} ${token}, which ${pkg}'s schema (v${tokens.version}) does not define`;
}

