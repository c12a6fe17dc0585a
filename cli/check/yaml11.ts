// The fast YAML path of `k8sprod check`: js-yaml (several times faster than the `yaml` library on
// Kubernetes manifests) with the scalar resolution of YAML 1.1, as kubectl reads manifests (`yes`
// and `on` are booleans, `0644` is octal, `1_000` is 1000). The YAML 1.1 rules below follow the
// `yaml` library's YAML 1.1 schema (its tags, regular expressions and order), and a differential
// test (tests/cli/yaml11.spec.ts) checks that both read every fixture and a generated corpus of
// scalars to the same values. Documents are cut at their `---` / `...` markers by a line scanner, so
// that each one keeps its index and its first line; documents that use anchors (aliases can expand
// without bound) or that need item positions go through the `yaml` library instead.
import * as jsyaml from "js-yaml";

/** js-yaml's own type definitions (exported as `types`, which @types/js-yaml does not declare). */
const types = (jsyaml as unknown as { types: Record<"null" | "timestamp" | "merge" | "binary" | "omap" | "pairs" | "set", jsyaml.Type> }).types;

function intOf(str: string, prefix: number, radix: number): number {
    const sign = str[0];
    const offset = sign === "-" || sign === "+" ? prefix + 1 : prefix;
    const n = parseInt(str.substring(offset).replace(/_/g, ""), radix);
    return sign === "-" ? -1 * n : n;
}

function sexagesimal(str: string): number {
    const sign = str[0];
    const parts = sign === "-" || sign === "+" ? str.substring(1) : str;
    const res = parts.replace(/_/g, "").split(":").reduce((acc, p) => acc * 60 + Number(p), 0);
    return sign === "-" ? -1 * res : res;
}

/**
 * A js-yaml scalar type for one tag, made of forms tried in order (js-yaml keeps one implicit type
 * per tag, so the `yaml` library's several int and float types become one each, their forms in the
 * library's order). `maybe` rules out most scalars by their first character before any regex runs;
 * the form found by `resolve` is kept for the `construct` call that follows it.
 */
function scalar(tag: string, maybe: (s: string) => boolean, forms: Array<[{ test(s: string): boolean }, (s: string) => unknown]>): jsyaml.Type {
    let last = "";
    let lastForm: ((s: string) => unknown) | undefined;
    const formOf = (s: string) => {
        if (s !== last) {
            last = s;
            lastForm = maybe(s) ? forms.find(([test]) => test.test(s))?.[1] : undefined;
        }
        return lastForm;
    };
    return new jsyaml.Type(tag, {
        kind: "scalar",
        resolve: (s: string | null) => s !== null && s !== "" && formOf(s) !== undefined,
        construct: (s: string) => formOf(s)!(s),
    });
}

/** Scalars that can be numbers start with a sign, a digit or a dot. */
function numeric(s: string): boolean {
    const c = s.charCodeAt(0);
    return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

/** A float form that also needs a digit before the exponent. */
function mantissaWithDigit(re: RegExp): { test(s: string): boolean } {
    return { test: (s) => re.test(s) && /[0-9]/.test(s.replace(/[eE][-+]?[0-9]+$/, "")) };
}

const TRUE = new Set(["Y", "y", "Yes", "yes", "YES", "True", "true", "TRUE", "On", "on", "ON"]);
const FALSE = new Set(["N", "n", "No", "no", "NO", "False", "false", "FALSE", "Off", "off", "OFF"]);

const INT = "tag:yaml.org,2002:int";
const FLOAT = "tag:yaml.org,2002:float";
const BOOL = "tag:yaml.org,2002:bool";

/** YAML 1.1's implicit scalar types, in the order in which they are tried. */
const implicit: jsyaml.Type[] = [
    types.null,
    // the `yaml` library's /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/ and its false counterpart
    scalar(BOOL, (s) => s.length <= 5, [
        [{ test: (s) => TRUE.has(s) }, () => true],
        [{ test: (s) => FALSE.has(s) }, () => false],
    ]),
    scalar(INT, numeric, [
        [/^[-+]?0b[0-1_]+$/, (s) => intOf(s, 2, 2)],
        [/^[-+]?0[0-7_]+$/, (s) => intOf(s, 1, 8)],
        [/^[-+]?[0-9][0-9_]*$/, (s) => intOf(s, 0, 10)],
        [/^[-+]?0x[0-9a-fA-F_]+$/, (s) => intOf(s, 2, 16)],
        // sexagesimal (190:20:30); the `yaml` library tries it after the floats, which never contain ":"
        [/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/, sexagesimal],
    ]),
    scalar(FLOAT, numeric, [
        [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) =>
            s.slice(-3).toLowerCase() === "nan" ? NaN : s[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY],
        // The `yaml` library also takes a mantissa without any digit ("E0", ".", "+.e3") for a float,
        // and reads it as NaN; YAML 1.1's float needs a digit, and kubectl's reader (go-yaml) reads
        // those as strings, as here.
        [mantissaWithDigit(/^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/), (s) => parseFloat(s.replace(/_/g, ""))],
        [mantissaWithDigit(/^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/), (s) => parseFloat(s.replace(/_/g, ""))],
        [/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/, sexagesimal],
    ]),
    types.timestamp,
    types.merge,
];

/** YAML 1.1 for js-yaml: the failsafe schema (str, seq, map) with 1.1's implicit scalars and its explicit types. */
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
