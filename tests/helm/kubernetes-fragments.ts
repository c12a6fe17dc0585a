import * as fs from "fs";
import * as path from "path";

/**
 * Checks Kubernetes objects that a chart passes verbatim into its pod spec (`resources`,
 * `securityContext`, `podSecurityContext`, `topologySpreadConstraints`) against the Kubernetes API types
 * compiled into `kubernetes-models`: field names from the package's type declarations (nested types
 * followed), values by its schema validator. A chart's values.yaml cannot say which of these fields
 * exist; the Kubernetes API can.
 */

export type FragmentKind = "PodSecurityContext" | "SecurityContext" | "ResourceRequirements" | "TopologySpreadConstraint";

const MODELS = path.join(__dirname, "..", "..", "..", "node_modules", "kubernetes-models", "v1");

// kubernetes-models is ESM only: load it with a real dynamic import (see tests/helpers/schema.ts).
const importModule = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;

interface Shape {
    /** Field name → the type file of a nested object (or of a list's items), or null for a leaf. */
    fields: Map<string, string | null>;
}

const shapes = new Map<string, Shape>();

/** The field names of the interface declared in `kubernetes-models/v1/<file>.d.ts`. */
function shapeOf(file: string): Shape {
    const cached = shapes.get(file);
    if (cached) {
        return cached;
    }
    const text = fs.readFileSync(path.join(MODELS, `${file}.d.ts`), "utf8");
    const imports = new Map<string, string>();
    for (const m of text.matchAll(/^import \{ (\w+) \} from "\.\/(\w+)\.js";$/gm)) {
        imports.set(m[1], m[2]);
    }
    const body = /^export interface I\w+ \{\n([\s\S]*?)^\}/m.exec(text);
    if (!body) {
        throw new Error(`kubernetes-models/v1/${file}.d.ts declares no interface`);
    }
    const fields = new Map<string, string | null>();
    // A field's type is on its line: a name, `Array<name>`, or the start of an inline map (`{`).
    for (const m of body[1].matchAll(/^ {4}"(\w+)"\??: (.+?);?$/gm)) {
        const type = /^(?:Array<)?(\w+)>?$/.exec(m[2])?.[1];
        fields.set(m[1], type && imports.has(type) ? imports.get(type)! : null);
    }
    const shape = { fields };
    shapes.set(file, shape);
    return shape;
}

function keyProblems(file: string, value: unknown, where: string): string[] {
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => keyProblems(file, item, `${where}[${i}]`));
    }
    if (value === null || typeof value !== "object") {
        return [];
    }
    const shape = shapeOf(file);
    return Object.entries(value).flatMap(([k, v]) => {
        if (!shape.fields.has(k)) {
            return [`${where}.${k}: no such field in Kubernetes ${file}`];
        }
        const nested = shape.fields.get(k);
        return nested ? keyProblems(nested, v, `${where}.${k}`) : [];
    });
}

/** Every problem of `value` as a Kubernetes `kind` (field names and value types). */
export async function fragmentProblems(kind: FragmentKind, value: unknown, where: string = kind): Promise<string[]> {
    const items = kind === "TopologySpreadConstraint" ? (Array.isArray(value) ? value : [value]) : [value];
    const problems: string[] = [];
    const mod = await importModule(`kubernetes-models/v1/${kind}`);
    const Model = mod[kind];
    items.forEach((item, i) => {
        const at = items.length > 1 || kind === "TopologySpreadConstraint" ? `${where}[${i}]` : where;
        problems.push(...keyProblems(kind, item, at));
        try {
            new Model(item).validate();
        } catch (e: any) {
            const errors = e?.errors as Array<{ instancePath: string; message: string }> | undefined;
            problems.push(...(errors ? errors.map((x) => `${at}${x.instancePath.replace(/\//g, ".")}: ${x.message}`) : [`${at}: ${e.message}`]));
        }
    });
    return problems;
}
