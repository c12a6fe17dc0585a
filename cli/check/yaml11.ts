// The fast YAML path of `k8sprod check`: js-yaml (several times faster than the `yaml` library on
// Kubernetes manifests) with the scalar resolution kubectl uses (sigs.k8s.io/yaml over go-yaml v2):
// `yes` and `on` are booleans, `0644`, `0o644` and `0O644` octal, `0X1F` hex, `1_000` is 1000, while
// sexagesimal (`1:20`) and timestamps stay strings and `.inf` is refused. tests/cli/yaml11.spec.ts
// checks both this path and the `yaml` library path (used for documents with anchors, configured with
// the same resolution) against a table of spellings read by sigs.k8s.io/yaml itself
// (tests/fixtures/yaml-kubectl/), and against each other on every fixture and a generated corpus.
// Documents are cut at their `---` / `...` markers by a line scanner, so that each one keeps its index
// and its first line; documents that use anchors (aliases can expand without bound) or that need
// item positions go through the `yaml` library instead.
import * as jsyaml from "js-yaml";

/** js-yaml's own type definitions (exported as `types`, which @types/js-yaml does not declare). */
const types = (jsyaml as unknown as { types: Record<"null" | "timestamp" | "merge" | "binary" | "omap" | "pairs" | "set", jsyaml.Type> }).types;

/** An int or float kubectl cannot turn into JSON (infinity, NaN): it refuses the file. */
export class NotJsonNumberError extends Error {
    constructor(readonly scalar: string) {
        super(`${scalar} is a YAML float that JSON cannot hold (infinity or NaN); kubectl refuses the file. Quote it if a string is meant`);
        this.name = "NotJsonNumberError";
    }
}

/** Go's strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64) syntax, after go-yaml removed the underscores. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([1-9][0-9]*|0))$/;
/** go-yaml v2's yamlStyleFloat. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const SPECIAL_FLOATS = new Set([".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"]);

/**
 * The number kubectl reads for a plain scalar, or undefined when it reads a string. kubectl reads
 * manifests with sigs.k8s.io/yaml (YAMLToJSON over go-yaml v2, resolve.go): a scalar that starts with
 * a digit or a sign is an int when, with every "_" removed, Go's ParseInt or ParseUint (base 0: 0x, 0X,
 * 0o, 0O, 0b, 0B, a leading 0 for octal) reads it within 64 bits, else a float when it matches
 * yamlStyleFloat and ParseFloat reads it without overflow, else a string; a scalar that starts with "."
 * is a float when ParseFloat reads it as it is. Sexagesimal (`1:20`) and timestamps stay strings.
 * `.inf`/`.nan` are floats that YAMLToJSON cannot convert (NotJsonNumberError).
 * tests/fixtures/yaml-kubectl/ holds the ground truth this follows, produced by sigs.k8s.io/yaml itself.
 */
export function kubectlNumber(s: string): number | undefined {
    if (SPECIAL_FLOATS.has(s)) {
        throw new NotJsonNumberError(s);
    }
    const c = s.charCodeAt(0);
    if (c === 46) { // "."
        return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? finite(Number(s)) : undefined;
    }
    if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) {
        return undefined;
    }
    const plain = s.includes("_") ? s.replace(/_/g, "") : s;
    const m = GO_INT.exec(plain);
    if (m) {
        const [, sign, hex, oct, bin, oct0, dec] = m;
        const digits = hex ?? oct ?? bin ?? oct0 ?? dec;
        const radix = hex !== undefined ? 16 : oct !== undefined || oct0 !== undefined ? 8 : bin !== undefined ? 2 : 10;
        const magnitude = radix === 10 ? BigInt(digits) : BigInt(`0${radix === 16 ? "x" : radix === 8 ? "o" : "b"}${digits}`);
        const value = sign === "-" ? -magnitude : magnitude;
        if (value >= INT64_MIN && value <= UINT64_MAX) {
            return Number(value);
        }
    }
    if (GO_FLOAT.test(plain)) {
        return finite(Number(plain));
    }
    return undefined;
}

/** A float Go's ParseFloat reads without overflow (an overflowing one is an error there, so a string). */
function finite(n: number): number | undefined {
    return Number.isFinite(n) ? n : undefined;
}

const TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const FALSE = new Set(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]);

/** A js-yaml implicit type whose resolution is `read` (undefined: not this type); the last read is kept for construct. */
function implicitType(tag: string, read: (s: string) => unknown): jsyaml.Type {
    let last = "";
    let lastValue: unknown;
    const valueOf = (s: string) => {
        if (s !== last) {
            last = s;
            lastValue = undefined;
            lastValue = read(s);
        }
        return lastValue;
    };
    return new jsyaml.Type(tag, {
        kind: "scalar",
        resolve: (s: string | null) => s !== null && s !== "" && valueOf(s) !== undefined,
        construct: (s: string) => valueOf(s),
    });
}

/** Scalars that can be numbers start with a sign, a digit or a dot. */
function numeric(s: string): boolean {
    const c = s.charCodeAt(0);
    return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

const BOOL = "tag:yaml.org,2002:bool";

/** The implicit scalar types of kubectl's reader, in the order in which they are tried. */
const implicit: jsyaml.Type[] = [
    types.null,
    implicitType(BOOL, (s) => (s.length > 5 ? undefined : TRUE.has(s) ? true : FALSE.has(s) ? false : undefined)),
    // One type for ints and floats (js-yaml keeps the first type whose resolve accepts a scalar).
    implicitType("tag:yaml.org,2002:float", (s) => (numeric(s) || SPECIAL_FLOATS.has(s) ? kubectlNumber(s) : undefined)),
    types.merge,
];

/**
 * The same resolution for the `yaml` library (documents with anchors go through it): its YAML 1.1
 * tags with the bool, int, float and timestamp ones replaced by kubectl's.
 */
export function kubectlCustomTags(tags: any[]): any[] {
    const replaced = new Set(["tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"]);
    const kept = tags.filter((t) => typeof t === "string" || !replaced.has(t.tag) || !t.default);
    const bool = {
        identify: (v: unknown) => typeof v === "boolean", default: true, tag: "tag:yaml.org,2002:bool",
        test: { test: (s: string) => TRUE.has(s) || FALSE.has(s) }, resolve: (s: string) => TRUE.has(s),
    };
    const number = {
        identify: (v: unknown) => typeof v === "number", default: true, tag: "tag:yaml.org,2002:float",
        test: { test: (s: string) => (numeric(s) || SPECIAL_FLOATS.has(s)) && kubectlNumber(s) !== undefined },
        resolve: (s: string) => kubectlNumber(s),
    };
    return [bool, number, ...kept];
}

/** kubectl's reading for js-yaml: the failsafe schema (str, seq, map) with kubectl's implicit scalars and YAML 1.1's explicit types. */
export const YAML_1_1_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
    implicit,
    explicit: [types.binary, types.omap, types.pairs, types.set],
});

/** One document of a YAML stream, as cut by `splitDocuments`. */
export interface DocumentChunk {
    /** The document's text (with its `---` marker line, when it has one). */
    text: string;
    /** 0-based line of the stream where `text` starts. */
    startLine: number;
    /** 0-based line of the document's first content line (not blank, not a comment, not a bare marker). */
    contentLine: number;
    /** Whether the document has content at all (an empty document reads as null). */
    hasContent: boolean;
}

const START = /^---(?:[ \t\r]|$)/;
const END = /^\.\.\.(?:[ \t\r]|$)/;
const DIRECTIVE = /^%/;

function isContent(line: string): boolean {
    const t = line.trim();
    return t !== "" && !t.startsWith("#");
}

/**
 * Cuts a YAML stream into its documents. A `---` line (at column 0) starts a document, a `...` line
 * ends one; YAML forbids both inside any content at column 0, so the cut is exact. Text before the
 * first `---` is a document only if it has content (a leading comment block is not). Directives
 * (`%YAML`) belong to the document that follows.
 */
export function splitDocuments(text: string): DocumentChunk[] {
    const lines = text.split("\n");
    const chunks: DocumentChunk[] = [];
    let start = 0;
    let explicit = false;
    let ended = false;
    const flush = (end: number) => {
        if (end <= start && !explicit) {
            return;
        }
        const body = lines.slice(start, end);
        let contentLine = -1;
        for (let i = 0; i < body.length; i++) {
            const line = i === 0 && explicit ? body[i].replace(START, "") : body[i];
            if (DIRECTIVE.test(line) || END.test(line)) {
                continue;
            }
            if (isContent(line)) {
                contentLine = start + i;
                break;
            }
        }
        if (explicit || contentLine >= 0) {
            chunks.push({ text: body.join("\n"), startLine: start, contentLine: contentLine >= 0 ? contentLine : start, hasContent: contentLine >= 0 });
        }
    };
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (START.test(line)) {
            // Directives just above a marker belong to the new document.
            let j = i;
            while (j > start && DIRECTIVE.test(lines[j - 1])) {
                j--;
            }
            flush(j);
            start = j;
            explicit = true;
            ended = false;
        } else if (END.test(line) && !ended) {
            flush(i + 1);
            start = i + 1;
            explicit = false;
            ended = true;
        }
    }
    flush(lines.length);
    return chunks;
}

/** Whether a document uses anchors (and so may use aliases): those go through the `yaml` library, which bounds alias expansion. */
export function usesAnchors(text: string): boolean {
    return /(?:^|[\s[{,])&[^\s,[\]{}]/m.test(text);
}

/** Parses one document with js-yaml and YAML 1.1 scalars; throws js-yaml's YAMLException. */
export function loadDocument(text: string): unknown {
    return jsyaml.load(text, { schema: YAML_1_1_SCHEMA });
}
