import * as fs from "fs";
import * as path from "path";
import type { Document, Node } from "yaml";
import { intFieldProblems } from "./intFields";
import { classify, servingApiVersions, typeToken } from "./kinds";
import { appendAll, cleanMessage } from "../util";
import { kubectlCustomTags, loadDocument, splitDocuments, usesAnchors } from "./yaml11";

/** The name a file is reported under: the path exactly as given on the command line ("-" is stdin). */
export type FileName = string;

/** One Kubernetes object read from a manifest, ready to be handed to the packs. */
export interface ManifestObject {
    file: FileName;
    /** Index of the YAML document within its file, from 0 (empty documents count). */
    document: number;
    /** Index within a `List` document's items, when the object came from one. */
    item?: number;
    /** 1-based line where the object starts. */
    line: number;
    apiVersion: string;
    kind: string;
    /** The Pulumi type token (`kubernetes:apps/v1:Deployment`). */
    type: string;
    /** `metadata.name` (or `metadata.generateName` when the object has only that). */
    name: string;
    namespace?: string;
    /** The object as `@pulumi/kubernetes` would register it: everything but `status` (an output). */
    object: Record<string, any>;
    /** The text of its document and the document's first line (0-based), to locate a field's line on demand. */
    source?: DocumentSource;
}

/** A document's text and where it starts in its file (0-based line), for locating fields in it. */
export interface DocumentSource {
    text: string;
    lineOffset: number;
}

/** An object of a kind the packs cannot be asked about (custom resources, kinds the SDK does not know). */
export interface UncheckedObject {
    file: FileName;
    document: number;
    item?: number;
    line: number;
    apiVersion: string;
    kind: string;
    name?: string;
    namespace?: string;
    reason: string;
    /** The object as read (for schema validation against a CustomResourceDefinition). */
    object?: Record<string, any>;
    source?: DocumentSource;
}

/** Why (part of) the input could not be used: always names the file, and the document and line when known. */
export interface InputError {
    file: FileName;
    document?: number;
    line?: number;
    message: string;
}

export interface ParsedManifests {
    objects: ManifestObject[];
    unchecked: UncheckedObject[];
    errors: InputError[];
}

export interface Source {
    file: FileName;
    text: string;
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** How a file is named in messages. */
export function displayName(file: FileName): string {
    return file === "-" ? "<stdin>" : file;
}

/** Formats an input error as one line: `file: document N, line L: message`. */
export function formatInputError(e: InputError): string {
    const where = [displayName(e.file)];
    if (e.document !== undefined) {
        where.push(`document ${e.document}`);
    }
    if (e.line !== undefined) {
        where.push(`line ${e.line}`);
    }
    return `${where.join(", ")}: ${e.message}`;
}

/**
 * Expands the command line's paths: a file stays as given, a directory becomes every
 * `.yaml`/`.yml`/`.json` file below it (sorted, hidden entries skipped), "-" is stdin.
 */
export function expandPaths(args: string[]): { files: FileName[]; errors: InputError[] } {
    const files: FileName[] = [];
    const errors: InputError[] = [];
    for (const arg of args) {
        if (arg === "-") {
            files.push(arg);
            continue;
        }
        let stat: fs.Stats;
        try {
            stat = fs.statSync(arg);
        } catch (e: any) {
            errors.push({ file: arg, message: e.code === "ENOENT" ? "no such file or directory" : `cannot read it (${e.code ?? e.message})` });
            continue;
        }
        if (stat.isDirectory()) {
            const found = walk(arg);
            if (found.length === 0) {
                errors.push({ file: arg, message: "the directory holds no .yaml, .yml or .json file" });
            }
            appendAll(files, found);
        } else {
            files.push(arg);
        }
    }
    return { files, errors };
}

function walk(dir: string): string[] {
    const out: string[] = [];
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
        if (entry.name.startsWith(".")) {
            continue;
        }
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            appendAll(out, walk(full));
        } else if (MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
            out.push(full);
        }
    }
    return out;
}

/** At most this many problems are listed per file; the rest are counted. */
export const MAX_ERRORS_PER_FILE = 20;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The text of a file's bytes, or why it is not text: a NUL byte or bytes that are not UTF-8 make it
 * a binary file (named as such, with the offset; its bytes are never quoted).
 */
export function decodeText(bytes: Uint8Array): { text: string } | { binary: string } {
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
        return { binary: `it holds a NUL byte at offset ${nul}` };
    }
    try {
        return { text: utf8.decode(bytes) };
    } catch {
        // Find the first invalid sequence, for the message.
        const at = firstInvalidUtf8(bytes);
        return { binary: `it is not UTF-8 text (byte 0x${bytes[at].toString(16).padStart(2, "0")} at offset ${at})` };
    }
}

function firstInvalidUtf8(b: Uint8Array): number {
    let i = 0;
    while (i < b.length) {
        const c = b[i];
        const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
        if (n < 0) {
            return i;
        }
        for (let k = 1; k <= n; k++) {
            if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) {
                return i;
            }
        }
        i += n + 1;
    }
    return 0;
}

/** Reads every file (stdin for "-"); unreadable and binary files become input errors. */
export async function readSources(files: FileName[], stdin: () => Promise<string | Uint8Array>): Promise<{ sources: Source[]; errors: InputError[] }> {
    const sources: Source[] = [];
    const errors: InputError[] = [];
    for (const file of files) {
        let raw: string | Uint8Array;
        try {
            raw = file === "-" ? await stdin() : fs.readFileSync(file);
        } catch (e: any) {
            errors.push({ file, message: `cannot read it (${e.code ?? e.message})` });
            continue;
        }
        const decoded = typeof raw === "string" ? (raw.includes("\0") ? { binary: `it holds a NUL character at offset ${raw.indexOf("\0")}` } : { text: raw }) : decodeText(raw);
        if ("binary" in decoded) {
            errors.push({ file, message: `${file === "-" ? "standard input" : "the file"} is binary, not YAML or JSON text: ${decoded.binary}` });
            continue;
        }
        sources.push({ file, text: decoded.text });
    }
    return { sources, errors };
}

/** Caps a file's problems at MAX_ERRORS_PER_FILE, with one line that counts the rest. */
export function capErrors(errors: InputError[]): InputError[] {
    if (errors.length <= MAX_ERRORS_PER_FILE) {
        return errors;
    }
    const kept = errors.slice(0, MAX_ERRORS_PER_FILE);
    kept.push({ file: errors[0].file, message: `${errors.length - MAX_ERRORS_PER_FILE} more problems in this file are not shown` });
    return kept;
}

/**
 * Parses one file: YAML (as kubectl reads it: `yes`/`on` are booleans, `0644` and `0o644` are octal, `1:20` a string),
 * multi-document, or JSON. Empty documents (Helm's `---` separators, comment-only documents) are
 * skipped but keep their index; `List` kinds are expanded into their items.
 */
export function parseSource(src: Source): ParsedManifests {
    const out: ParsedManifests = { objects: [], unchecked: [], errors: [] };
    if (src.file !== "-" && path.extname(src.file).toLowerCase() === ".json") {
        parseJson(src, out);
    } else {
        parseYaml(src, out);
    }
    out.errors = capErrors(out.errors);
    return out;
}

function parseJson(src: Source, out: ParsedManifests): void {
    let value: unknown;
    try {
        value = JSON.parse(src.text);
    } catch (e: any) {
        const m = /position (\d+)/.exec(e.message);
        const line = m ? lineOf(src.text, Number(m[1])) : undefined;
        out.errors.push({ file: src.file, document: 0, line, message: `invalid JSON: ${cleanMessage(String(e.message).replace(/ in JSON at position.*$/, ""))}` });
        return;
    }
    const mark = marks(out);
    readDocument(value, src.file, 0, () => 1, out);
    attachSource(out, mark, { text: src.text, lineOffset: 0 });
}

/** How many objects and unchecked objects have been read so far. */
function marks(out: ParsedManifests): [number, number] {
    return [out.objects.length, out.unchecked.length];
}

/** Gives the objects read since `mark` the document they came from. */
function attachSource(out: ParsedManifests, mark: [number, number], source: DocumentSource): void {
    for (let i = mark[0]; i < out.objects.length; i++) {
        out.objects[i].source = source;
    }
    for (let i = mark[1]; i < out.unchecked.length; i++) {
        out.unchecked[i].source = source;
    }
}

function lineOf(text: string, offset: number): number {
    let line = 1;
    for (let i = 0; i < offset && i < text.length; i++) {
        if (text.charCodeAt(i) === 10) {
            line++;
        }
    }
    return line;
}

function parseYaml(src: Source, out: ParsedManifests): void {
    const text = src.text.charCodeAt(0) === 0xfeff ? src.text.slice(1) : src.text;
    splitDocuments(text).forEach((chunk, index) => {
        if (!chunk.hasContent) {
            return; // an empty document: a separator, or only comments
        }
        const line = chunk.contentLine + 1;
        let itemLines: number[] | undefined;
        const itemLine = (i: number): number => {
            // Positions of list items, read with the `yaml` library on the (rare) List documents only.
            itemLines ??= yamlLibraryDocument(chunk.text, chunk.startLine).itemLines;
            return itemLines[i] ?? line;
        };
        if (usesAnchors(chunk.text)) {
            const doc = yamlLibraryDocument(chunk.text, chunk.startLine);
            if (doc.errors.length > 0) {
                appendAll(out.errors, doc.errors.map((e) => ({ file: src.file, document: index, line: e.line, message: `invalid YAML: ${cleanMessage(e.message)}` })));
                return;
            }
            itemLines = doc.itemLines;
            const mark = marks(out);
            readDocument(doc.value, src.file, index, itemLine, out, line, fieldLines(chunk.text, chunk.startLine));
            attachSource(out, mark, { text: chunk.text, lineOffset: chunk.startLine });
            return;
        }
        let value: unknown;
        try {
            value = loadDocument(chunk.text);
        } catch (e: any) {
            const at = typeof e?.mark?.line === "number" ? chunk.startLine + e.mark.line + 1 : line;
            out.errors.push({ file: src.file, document: index, line: at, message: `invalid YAML: ${cleanMessage(e?.reason ?? String(e?.message ?? e))}` });
            return;
        }
        const mark = marks(out);
        readDocument(value, src.file, index, itemLine, out, line, fieldLines(chunk.text, chunk.startLine));
        attachSource(out, mark, { text: chunk.text, lineOffset: chunk.startLine });
    });
}

/**
 * One document read with the `yaml` library (YAML 1.1): its value, its errors with their lines, and
 * the line of each item of its `items` list. Used for documents with anchors (the library bounds
 * alias expansion) and for the item positions of List documents.
 */
function yamlLibraryDocument(text: string, lineOffset: number): { value: unknown; errors: Array<{ line: number; message: string }>; itemLines: number[] } {
    // Loaded here, not at start-up: most input never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LineCounter, isMap, isSeq, parseAllDocuments } = require("yaml") as typeof import("yaml");
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { version: "1.1", lineCounter, prettyErrors: false, customTags: kubectlCustomTags });
    const doc = (Array.isArray(docs) ? docs[0] : undefined) as Document.Parsed | undefined;
    if (!doc) {
        return { value: null, errors: [], itemLines: [] };
    }
    const lineAt = (offset: number) => lineCounter.linePos(offset).line + lineOffset;
    const errors = doc.errors.map((e) => ({ line: lineAt(e.pos[0]), message: firstLine(e.message) }));
    if (errors.length > 0) {
        return { value: null, errors, itemLines: [] };
    }
    let value: unknown;
    try {
        value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e: any) {
        const start = (doc.contents as Node | null)?.range?.[0] ?? 0;
        return { value: null, errors: [{ line: lineAt(start), message: firstLine(String(e.message)) }], itemLines: [] };
    }
    const itemLines: number[] = [];
    const contents = doc.contents as Node | null;
    if (isMap(contents)) {
        const items = contents.get("items", true);
        if (isSeq(items)) {
            for (const item of items.items as Node[]) {
                itemLines.push(item?.range ? lineAt(item.range[0]) : NaN);
            }
        }
    }
    return { value, errors, itemLines: itemLines.map((l) => (Number.isNaN(l) ? 0 : l)) };
}

/** A lookup of the line of a field (by its path in the document), made with the `yaml` library when first used (only for errors). */
function fieldLines(text: string, lineOffset: number): (path: Array<string | number>) => number | undefined {
    let doc: Document.Parsed | undefined;
    let counter: import("yaml").LineCounter | undefined;
    return (path) => {
        if (!doc) {
            // Loaded lazily, as in yamlLibraryDocument: only an input error needs the line of a field.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { LineCounter, parseAllDocuments } = require("yaml") as typeof import("yaml");
            counter = new LineCounter();
            const docs = parseAllDocuments(text, { version: "1.1", lineCounter: counter, prettyErrors: false, customTags: kubectlCustomTags });
            doc = (Array.isArray(docs) ? docs[0] : undefined) as Document.Parsed | undefined;
        }
        const node = doc?.getIn(path, true) as Node | undefined;
        return node?.range ? counter!.linePos(node.range[0]).line + lineOffset : undefined;
    };
}

function firstLine(message: string): string {
    return message.split("\n")[0].trim();
}

function isPlainObject(v: unknown): v is Record<string, any> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

type FieldLine = (path: Array<string | number>) => number | undefined;

function readDocument(value: unknown, file: FileName, document: number, itemLine: (i: number) => number, out: ParsedManifests, line = 1, fieldLine?: FieldLine): void {
    if (value === null || value === undefined) {
        return; // an empty document: a separator, or only comments
    }
    if (!isPlainObject(value)) {
        out.errors.push({ file, document, line, message: `not a Kubernetes object: the document is ${Array.isArray(value) ? "a sequence" : `a ${typeof value}`}, not a mapping` });
        return;
    }
    if (Object.keys(value).length === 0) {
        return; // `{}`: nothing to check, as kubectl and Pulumi skip it
    }
    readObject(value, file, document, undefined, line, out, itemLine, fieldLine);
}

function readObject(obj: Record<string, any>, file: FileName, document: number, item: number | undefined, line: number, out: ParsedManifests, itemLine: (i: number) => number,
    fieldLine?: FieldLine): void {
    const at = { file, document, line };
    const what = item === undefined ? "" : `items[${item}]: `;
    const problems: string[] = [];
    if (typeof obj.apiVersion !== "string" || obj.apiVersion === "") {
        problems.push(obj.apiVersion === undefined ? "apiVersion is missing" : "apiVersion must be a non-empty string");
    }
    if (typeof obj.kind !== "string" || obj.kind === "") {
        problems.push(obj.kind === undefined ? "kind is missing" : "kind must be a non-empty string");
    }
    if (problems.length > 0) {
        out.errors.push({ ...at, message: `${what}not a Kubernetes object: ${problems.join("; ")}` });
        return;
    }
    const apiVersion: string = obj.apiVersion;
    const kind: string = obj.kind;
    const cls = classify(apiVersion, kind);
    if (cls === "list" && item === undefined) {
        const items = obj.items ?? [];
        if (!Array.isArray(items)) {
            out.errors.push({ ...at, message: `${kind}: items must be a list` });
            return;
        }
        items.forEach((it: unknown, i: number) => {
            const l = itemLine(i);
            if (!isPlainObject(it)) {
                out.errors.push({ file, document, line: l, message: `items[${i}]: not a Kubernetes object: it is not a mapping` });
                return;
            }
            readObject(it, file, document, i, l, out, itemLine, fieldLine && ((p) => fieldLine(["items", i, ...p])));
        });
        return;
    }
    const metadata = obj.metadata;
    if (metadata !== undefined && metadata !== null && !isPlainObject(metadata)) {
        out.errors.push({ ...at, message: `${what}${kind}: metadata must be a mapping` });
        return;
    }
    const name = metadata?.name ?? metadata?.generateName;
    for (const field of ["name", "generateName", "namespace"]) {
        const v = metadata?.[field];
        if (v !== undefined && v !== null && typeof v !== "string") {
            // e.g. `namespace: no`, which YAML 1.1 reads as the boolean false
            out.errors.push({ ...at, message: `${what}${kind}: metadata.${field} must be a string, not ${typeof v === "object" ? (Array.isArray(v) ? "a sequence" : "a mapping") : JSON.stringify(v)} (quote it)` });
            return;
        }
    }
    const namespace = typeof metadata?.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : undefined;
    const serving = cls === "unknown" ? servingApiVersions(apiVersion, kind) : undefined;
    if (serving) {
        out.errors.push({
            ...at,
            message: `${what}${kind} is not served by apiVersion ${apiVersion}: the API server refuses it; use apiVersion ${serving.join(" or ")}`,
        });
        return;
    }
    if (cls !== "resource" && cls !== "custom") {
        out.unchecked.push({
            file, document, item, line, apiVersion, kind,
            name: typeof name === "string" ? name : undefined,
            namespace,
            object: obj,
            reason: cls === "list"
                ? `a ${kind} inside a list is not expanded`
                : `${apiVersion}/${kind} is not a kind @pulumi/kubernetes knows (a custom resource, or a newer API): the packs cannot check it`,
        });
        return;
    }
    if (typeof name !== "string" || name === "") {
        out.errors.push({ ...at, message: `${what}${kind}: metadata.name is missing (every object needs a name, or a generateName)` });
        return;
    }
    const refused = intFieldProblems(kind, obj);
    if (refused.length > 0) {
        for (const p of refused) {
            out.errors.push({ file, document, line: fieldLine?.(p.path) ?? line, message: `${what}${kind} ${namespace ? `${namespace}/` : ""}${name}: ${p.message}` });
        }
        return;
    }
    const { status: _status, ...inputs } = obj;
    out.objects.push({ file, document, item, line, apiVersion, kind, type: typeToken(apiVersion, kind), name, namespace, object: inputs });
}
