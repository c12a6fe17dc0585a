import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import * as YAML from "yaml";

/**
 * Validates Kubernetes objects against schemas nobody here wrote: built-in kinds against the
 * Kubernetes OpenAPI schema compiled into `kubernetes-models`, custom resources against the
 * `openAPIV3Schema` of their upstream CRD in `tests/fixtures/crds/`.
 */

const CRD_DIR = path.join(__dirname, "..", "..", "..", "tests", "fixtures", "crds");

let crdValidators: Map<string, ValidateFunction> | undefined;

function loadCrds(): Map<string, ValidateFunction> {
    if (crdValidators) {
        return crdValidators;
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
    const validators = new Map<string, ValidateFunction>();
    for (const file of fs.readdirSync(CRD_DIR).filter((f) => f.endsWith(".yaml"))) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(CRD_DIR, file), "utf8"))) {
            const crd = doc.toJS();
            if (crd?.kind !== "CustomResourceDefinition") {
                continue;
            }
            for (const version of crd.spec.versions) {
                const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
                validators.set(key, ajv.compile(version.schema.openAPIV3Schema));
            }
        }
    }
    crdValidators = validators;
    return validators;
}

/**
 * CRD patterns are Go (RE2) regular expressions; the one RE2 construct they use that JavaScript lacks
 * is an inline flag group such as `(?i)` at the start (after an optional `^`), which becomes a RegExp flag here.
 */
function goRegExp(pattern: string, flags: string): RegExp {
    const m = /^(\^?)\(\?([imsU]+)\)/.exec(pattern);
    if (!m) {
        return new RegExp(pattern, flags);
    }
    const extra = m[2].replace(/[^ims]/g, "");
    return new RegExp(m[1] + pattern.slice(m[0].length), flags + extra);
}
goRegExp.code = "goRegExp";

/** `apps/v1` + `Deployment` → the kubernetes-models module path, or undefined for a custom group. */
function modelPath(apiVersion: string, kind: string): string {
    return `kubernetes-models/${apiVersion}/${kind}`;
}

// kubernetes-models is ESM with only an "import" export condition: load it with a real dynamic import
// (TypeScript's CommonJS output would turn `import()` into `require()`).
const importModule = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;

/** @pulumi/pulumi's secret signature (rpc.specialSecretSig) and the key it sits under. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A registration's inputs as the API server would get them at deploy time: secrets unwrapped, and every value
 * unknown during the preview (`{ __pulumiUnknown: true }` in the mocks' inputs) left out, with the JSON pointer
 * of each such value, so that only what is known is judged, as plan's schema step does.
 */
export function knownPart(value: unknown, at = "", unknowns: string[] = []): { value: unknown; unknowns: string[] } {
    let v = value;
    while (v && typeof v === "object" && (v as any)[SECRET_SIG_KEY] === SECRET_SIG) {
        v = (v as any).value;
    }
    if (v && typeof v === "object" && (v as any).__pulumiUnknown === true) {
        unknowns.push(at);
        return { value: undefined, unknowns };
    }
    if (Array.isArray(v)) {
        return { value: v.map((x, i) => knownPart(x, `${at}/${i}`, unknowns).value), unknowns };
    }
    if (v && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
            const known = knownPart(x, `${at}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, unknowns).value;
            if (known !== undefined) {
                out[k] = known;
            }
        }
        return { value: out, unknowns };
    }
    return { value: v, unknowns };
}

interface SchemaError {
    instancePath: string;
    message?: string;
    params?: Record<string, any>;
}

/** Whether an error is about a value that is unknown until the update (at or under it, or its absence). */
function aboutUnknown(e: SchemaError, unknowns: string[]): boolean {
    const missing = e.params?.missingProperty;
    const at = typeof missing === "string" ? `${e.instancePath}/${missing}` : e.instancePath;
    return unknowns.some((u) => at === u || at.startsWith(`${u}/`) || e.instancePath === u || e.instancePath.startsWith(`${u}/`));
}

/** Returns the schema errors of one object (empty when valid); throws for a kind no schema knows. */
export async function schemaErrors(input: Record<string, any>): Promise<string[]> {
    const { value, unknowns } = knownPart(input);
    const obj = value as Record<string, any>;
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
        return [`object has no apiVersion/kind: ${JSON.stringify(obj).slice(0, 200)}`];
    }
    const crd = loadCrds().get(`${apiVersion}/${kind}`);
    if (crd) {
        return crd(obj) ? [] : (crd.errors ?? []).filter((e) => !aboutUnknown(e, unknowns)).map((e) => `${kind} ${e.instancePath} ${e.message}`);
    }
    let mod: any;
    try {
        mod = await importModule(modelPath(apiVersion, kind));
    } catch {
        throw new Error(`No schema for ${apiVersion} ${kind}: neither kubernetes-models nor tests/fixtures/crds has it`);
    }
    const Model = mod[kind];
    try {
        new Model(obj).validate();
        return [];
    } catch (e: any) {
        const errors = e?.errors as SchemaError[] | undefined;
        return errors ? errors.filter((x) => !aboutUnknown(x, unknowns)).map((x) => `${kind} ${x.instancePath} ${x.message}`) : [`${kind}: ${e.message}`];
    }
}

/** Throws one error listing every schema problem of every object. */
export async function assertValidObjects(objects: Array<Record<string, any>>): Promise<void> {
    const problems: string[] = [];
    for (const obj of objects) {
        const name = obj?.metadata?.name ?? "(unnamed)";
        for (const err of await schemaErrors(obj)) {
            problems.push(`${obj.kind}/${name}: ${err}`);
        }
    }
    if (problems.length > 0) {
        throw new Error(`Schema violations:\n${problems.join("\n")}`);
    }
}
