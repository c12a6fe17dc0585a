// Compact object schemas and the walker that validates Kubernetes objects against them.
//
// The Kubernetes OpenAPI schemas (and a CRD's openAPIV3Schema) are distilled into a small form that
// keeps only what validation needs: types, nullability, the fields of each object and which are
// required, map values, list items, enums, int-or-string and quantities, and whether an object takes
// unknown fields. `compactSchema` does the distilling (scripts/gen-kubernetes-schemas.mjs runs it at
// build time over the pinned Kubernetes schemas; `check` runs it on CRDs); `validateValue` walks an
// object against the result. No schema is compiled: each node is read as the walk reaches it, so a
// kind costs nothing until an object of that kind is seen.

/**
 * A schema node:
 * - `"string" | "integer" | "number" | "boolean" | "any" | "int-or-string" | "quantity"`, with a
 *   trailing `?` when null is allowed;
 * - `"@<definition>"`: a named definition of the same schema file;
 * - an object node.
 */
export type CNode = string | CObject;

export interface CObject {
    /** JSON type: object, array, string, integer, number, boolean. */
    t: string;
    /** 1 when null is allowed. */
    n?: 1;
    /** Object: its fields. */
    p?: Record<string, CNode>;
    /** Object: required fields. */
    r?: string[];
    /** Object: the schema of every value (a map). */
    a?: CNode;
    /** Object: 1 when unknown fields are allowed (x-kubernetes-preserve-unknown-fields, free-form objects). */
    o?: 1;
    /** Array: the schema of its items. */
    i?: CNode;
    /** Enum values (null excluded). */
    e?: unknown[];
}

/** A schema file: the kinds it covers and the definitions they reach. */
export interface CSchemaFile {
    /** Where the schemas come from (package, version, path). */
    source: string;
    /** Kubernetes minor, e.g. "1.35". */
    kubernetesVersion: string;
    /** `apiVersion/Kind` → definition name. */
    kinds: Record<string, string>;
    defs: Record<string, CNode>;
}

const PRIMITIVES = new Set(["string", "integer", "number", "boolean"]);

function refName(ref: string): string {
    const i = ref.lastIndexOf("/");
    return i >= 0 ? ref.slice(i + 1) : ref;
}

function typesOf(s: any): { types: string[]; nullable: boolean } {
    let types: string[] = Array.isArray(s.type) ? [...s.type] : typeof s.type === "string" ? [s.type] : [];
    let nullable = s.nullable === true;
    if (types.includes("null")) {
        nullable = true;
        types = types.filter((t) => t !== "null");
    }
    return { types, nullable };
}

/**
 * Distils a JSON schema (the Kubernetes JSON schemas, with `$ref`s to named definitions) or an
 * OpenAPI v3 structural schema (a CRD's openAPIV3Schema) into a compact node. Value validations other
 * than enums (patterns, bounds, CEL rules) are not kept.
 */
export function compactSchema(s: any): CNode {
    if (!s || typeof s !== "object") {
        return "any";
    }
    if (typeof s.$ref === "string") {
        return `@${refName(s.$ref)}`;
    }
    const { types, nullable } = typesOf(s);
    const q = nullable ? "?" : "";
    if (s["x-kubernetes-int-or-string"] === true) {
        return `int-or-string${q}`;
    }
    const alternatives = s.oneOf ?? s.anyOf;
    if (types.length === 0 && Array.isArray(alternatives) && alternatives.length > 0
        && alternatives.every((a: any) => a && typeof a === "object" && a.type !== undefined && Object.keys(a).every((k) => k === "type" || k === "format"))) {
        // `oneOf: [{type: string}, {type: integer}]`: how the JSON schemas spell IntOrString and Quantity.
        const all = alternatives.map(typesOf);
        const set = new Set(all.flatMap((a: { types: string[] }) => a.types));
        const altQ = nullable || all.some((a: { nullable: boolean }) => a.nullable) ? "?" : "";
        if (set.size === 2 && set.has("string") && set.has("integer")) {
            return `int-or-string${altQ}`;
        }
        if (set.size === 2 && set.has("string") && set.has("number")) {
            return `quantity${altQ}`;
        }
        return "any";
    }
    let type = types.length === 1 ? types[0] : undefined;
    if (types.length === 0) {
        if (s.properties || s.additionalProperties !== undefined) {
            type = "object";
        } else if (s.items) {
            type = "array";
        } else {
            return "any";
        }
    }
    if (!type) {
        return "any";
    }
    if (type === "object") {
        const node: CObject = { t: "object" };
        if (nullable) {
            node.n = 1;
        }
        const props = s.properties && typeof s.properties === "object" ? s.properties : undefined;
        if (props) {
            node.p = {};
            for (const k of Object.keys(props)) {
                node.p[k] = compactSchema(props[k]);
            }
        }
        if (s["x-kubernetes-embedded-resource"] === true) {
            // An embedded object (a CRD's pod template, ...) is a Kubernetes object: it has these too.
            node.p ??= {};
            for (const k of ["apiVersion", "kind"]) {
                node.p[k] ??= "string?";
            }
            node.p.metadata ??= { t: "object", n: 1, o: 1 };
        }
        if (Array.isArray(s.required) && s.required.length > 0) {
            node.r = [...s.required];
        }
        if (s.additionalProperties && typeof s.additionalProperties === "object") {
            node.a = compactSchema(s.additionalProperties);
        } else if (s.additionalProperties === true || s["x-kubernetes-preserve-unknown-fields"] === true || (!props && s.additionalProperties === undefined)) {
            node.o = 1;
        }
        return node;
    }
    if (type === "array") {
        const node: CObject = { t: "array", i: s.items ? compactSchema(s.items) : "any" };
        if (nullable) {
            node.n = 1;
        }
        return node;
    }
    if (!PRIMITIVES.has(type)) {
        return "any";
    }
    if (Array.isArray(s.enum) && s.enum.length > 0) {
        const node: CObject = { t: type, e: s.enum.filter((v: unknown) => v !== null) };
        if (nullable || s.enum.includes(null)) {
            node.n = 1;
        }
        return node;
    }
    return `${type}${q}`;
}

/** The definition names a node reaches (for distilling a schema file to the kinds it needs). */
export function referencedDefinitions(node: CNode, out: Set<string> = new Set()): Set<string> {
    if (typeof node === "string") {
        if (node.startsWith("@")) {
            out.add(node.slice(1));
        }
        return out;
    }
    for (const child of [...Object.values(node.p ?? {}), node.a, node.i]) {
        if (child !== undefined) {
            referencedDefinitions(child, out);
        }
    }
    return out;
}

// ------------------------------------------------------------------------------------------------
// Validation
// ------------------------------------------------------------------------------------------------

/** A path into an object: field names and list indexes. */
export type ValuePath = Array<string | number>;

export interface SchemaFinding {
    path: ValuePath;
    /** What is wrong, without the path (e.g. `unknown field`, `"three" is a string, not an integer`). */
    problem: string;
}

/** `spec.template.spec.containers[0].image` */
export function formatPath(path: ValuePath): string {
    let out = "";
    for (const p of path) {
        if (typeof p === "number") {
            out += `[${p}]`;
        } else if (/^[A-Za-z_$][\w$-]*$/.test(p)) {
            out += out ? `.${p}` : p;
        } else {
            out += `[${JSON.stringify(p)}]`;
        }
    }
    return out;
}

/** A Kubernetes quantity (`100m`, `1.5Gi`, `2e3`), as resource.ParseQuantity accepts it. */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Values the offline engine treats as not known yet (preview's unknowns) and secrets (checked unwrapped). */
export interface WalkOptions {
    /** Whether a value is unknown (not validated). */
    unknown?: (v: unknown) => boolean;
    /** Returns the value a wrapped one (a secret) stands for; the value itself otherwise. */
    unwrap?: (v: unknown) => unknown;
    /** Stop after this many findings (default 50). */
    limit?: number;
}

function describeValue(v: unknown): string {
    if (Array.isArray(v)) {
        return "a list";
    }
    if (v === null) {
        return "null";
    }
    if (typeof v === "object") {
        return "a mapping";
    }
    const text = JSON.stringify(v);
    const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
    if (typeof v === "number") {
        return Number.isInteger(v) ? `${shown} (an integer)` : `${shown} (a number)`;
    }
    return `${shown} (a ${typeof v})`;
}

const WANTED: Record<string, string> = {
    string: "a string", integer: "an integer", number: "a number", boolean: "a boolean (true or false)",
    "int-or-string": "an integer or a string", quantity: "a quantity (a number, or a string such as 500m or 1Gi)",
    object: "a mapping", array: "a list",
};

/**
 * Validates `value` against `node` (definitions resolved in `defs`); appends what is wrong to `out`.
 * Strict, as the API server's strict field validation: a field the schema does not name is an
 * error unless the object keeps unknown fields.
 */
export function validateValue(value: unknown, node: CNode, defs: Record<string, CNode>, opts: WalkOptions = {}, out: SchemaFinding[] = []): SchemaFinding[] {
    const limit = opts.limit ?? 50;
    // One path, pushed and popped as the walk descends; copied only into a finding.
    const path: ValuePath = [];
    const at = (): ValuePath => [...path];
    const atChild = (k: string | number): ValuePath => [...path, k];
    const walk = (v: unknown, n: CNode, owner: string | undefined): void => {
        if (out.length >= limit) {
            return;
        }
        if (opts.unwrap) {
            v = opts.unwrap(v);
        }
        if (opts.unknown?.(v)) {
            return;
        }
        while (typeof n === "string" && n.charCodeAt(0) === 64 /* @ */) {
            owner = n.slice(1);
            const d = defs[owner];
            if (d === undefined) {
                return; // a definition the file does not carry: accept
            }
            n = d;
        }
        if (typeof n === "string") {
            const nullable = n.endsWith("?");
            const base = nullable ? n.slice(0, -1) : n;
            if (base === "any") {
                return;
            }
            if (v === null) {
                if (!nullable) {
                    out.push({ path: at(), problem: `must not be null: it must be ${WANTED[base] ?? base}` });
                }
                return;
            }
            if (!primitiveOk(base, v)) {
                out.push({ path: at(), problem: `${describeValue(v)} must be ${WANTED[base] ?? base}` });
            } else if (base === "quantity" && typeof v === "string" && !QUANTITY.test(v)) {
                out.push({ path: at(), problem: `${describeValue(v)} is not a valid quantity (e.g. 500m, 128Mi, 1.5, 2Gi)` });
            }
            return;
        }
        if (v === null) {
            if (!n.n) {
                out.push({ path: at(), problem: `must not be null: it must be ${WANTED[n.t] ?? n.t}` });
            }
            return;
        }
        if (n.t === "object") {
            if (typeof v !== "object" || Array.isArray(v)) {
                out.push({ path: at(), problem: `${describeValue(v)} must be a mapping` });
                return;
            }
            const o = v as Record<string, unknown>;
            for (const k of Object.keys(o)) {
                const child = n.p?.[k];
                if (child !== undefined || n.a !== undefined) {
                    path.push(k);
                    walk(o[k], child ?? n.a!, owner);
                    path.pop();
                } else if (!n.o) {
                    out.push({ path: atChild(k), problem: `unknown field${owner ? ` (${shortName(owner)} has no field "${k}")` : ""}` });
                }
                if (out.length >= limit) {
                    return;
                }
            }
            for (const k of n.r ?? []) {
                if (o[k] === undefined) {
                    out.push({ path: atChild(k), problem: `required field is missing${owner ? ` (${shortName(owner)} requires it)` : ""}` });
                }
            }
            return;
        }
        if (n.t === "array") {
            if (!Array.isArray(v)) {
                out.push({ path: at(), problem: `${describeValue(v)} must be a list` });
                return;
            }
            const items = n.i ?? "any";
            for (let i = 0; i < v.length && out.length < limit; i++) {
                path.push(i);
                walk(v[i], items, owner);
                path.pop();
            }
            return;
        }
        if (!primitiveOk(n.t, v)) {
            out.push({ path: at(), problem: `${describeValue(v)} must be ${WANTED[n.t] ?? n.t}` });
            return;
        }
        if (n.e && !n.e.includes(v)) {
            out.push({ path: at(), problem: `${describeValue(v)} is not one of ${n.e.map((e) => JSON.stringify(e)).join(", ")}` });
        }
    };
    walk(value, node, undefined);
    return out;
}

function primitiveOk(base: string, v: unknown): boolean {
    switch (base) {
        case "string":
            return typeof v === "string";
        case "integer":
            return typeof v === "number" && Number.isInteger(v);
        case "number":
            return typeof v === "number" && Number.isFinite(v);
        case "boolean":
            return typeof v === "boolean";
        case "int-or-string":
            return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
        case "quantity":
            return typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
        default:
            return true;
    }
}

/** `io.k8s.api.core.v1.Container` → `Container`. */
export function shortName(def: string): string {
    const i = def.lastIndexOf(".");
    return i >= 0 ? def.slice(i + 1) : def;
}
