// The fast YAML path (js-yaml + YAML 1.1 scalars + a document splitter) against the `yaml` library
// in YAML 1.1 mode, as the oracle: both must read every YAML fixture of the repository, a generated
// Helm-like stream, and a generated corpus of scalars to the same documents and values.
import * as assert from "assert";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { loadDocument, splitDocuments, usesAnchors } from "../../cli/check/yaml11";
import { ROOT } from "./helpers";

/** The documents of a stream as the `yaml` library reads them (YAML 1.1), or undefined when it reports an error. */
function oracle(text: string): unknown[] | undefined {
    const docs = parseAllDocuments(text, { version: "1.1" });
    const list = Array.isArray(docs) ? docs : [];
    if (list.some((d) => d.errors.length > 0)) {
        return undefined;
    }
    return list.map((d) => d.toJS({ maxAliasCount: 1000 }));
}

/** The documents of a stream as the fast path reads them. */
function fast(text: string): unknown[] {
    return splitDocuments(text).map((c) => (c.hasContent ? loadDocument(c.text) : null));
}

function yamlFiles(dir: string): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
            out.push(...yamlFiles(full));
        } else if (/\.ya?ml$/.test(e.name)) {
            out.push(full);
        }
    }
    return out.sort();
}

/**
 * The one deliberate difference: the yaml library also takes a float mantissa without any digit
 * ("E0", ".", "+.e3") for a float and reads it as NaN; YAML 1.1's float needs a digit, and kubectl's
 * reader (go-yaml) and the fast path read such a scalar as a string.
 */
function digitlessMantissa(s: string): boolean {
    const floatExp = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
    const float = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
    return (floatExp.test(s) || float.test(s)) && !/[0-9]/.test(s.replace(/[eE][-+]?[0-9]+$/, ""));
}

/** Equal as values: NaN equals NaN, dates by time, objects key by key (fast path's value first). */
function same(a: unknown, b: unknown): boolean {
    if (Object.is(a, b)) {
        return true;
    }
    if (typeof a === "string" && Number.isNaN(b) && digitlessMantissa(a)) {
        return true;
    }
    if (a instanceof Date && b instanceof Date) {
        return a.getTime() === b.getTime();
    }
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
        return false;
    }
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    // a key the yaml library read as NaN is the key "NaN" there
    const keyInB = (k: string) => (digitlessMantissa(k) && !Object.prototype.hasOwnProperty.call(b, k) ? "NaN" : k);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, keyInB(k)) && same((a as any)[k], (b as any)[keyInB(k)]));
}

describe("k8sprod check: the fast YAML 1.1 path agrees with the yaml library", () => {
    it("reads every YAML fixture of the repository to the same documents", () => {
        const files = yamlFiles(path.join(ROOT, "tests", "fixtures"));
        assert.ok(files.length > 200, `${files.length} files`);
        const disagreements: string[] = [];
        let documents = 0;
        for (const file of files) {
            const text = fs.readFileSync(file, "utf8");
            const expected = oracle(text);
            if (expected === undefined || usesAnchors(text)) {
                continue; // the CLI reads those with the yaml library itself
            }
            const got = fast(text);
            documents += got.length;
            if (!same(got, expected)) {
                disagreements.push(path.relative(ROOT, file));
            }
        }
        assert.deepStrictEqual(disagreements, []);
        assert.ok(documents > 250, `${documents} documents compared`);
    });

    it("cuts Helm-like streams at the same documents: markers, comments, empty documents, directives, document ends", () => {
        const streams = [
            "---\n# Source: a\napiVersion: v1\nkind: A\n---\n# Source: b\n---\n---\napiVersion: v1\nkind: B\n",
            "# leading comment\n\napiVersion: v1\nkind: A\n...\n---\nkind: B\n...\n",
            "%YAML 1.1\n---\nkind: A\n---\n--- {kind: B}\n--- |\n  text\n  --- not a marker\n",
            "kind: A\nlist:\n- ---x\n- '---'\nblock: |\n  ---\n  ...\n",
            "\ufeffkind: A\r\n---\r\nkind: B\r\n",
            "",
            "# only a comment\n",
        ];
        for (const s of streams) {
            const text = s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
            assert.ok(same(fast(text), oracle(text)), JSON.stringify(s));
        }
    });

    it("reads a generated stream of random manifests to the same values", () => {
        const value = fc.letrec((tie) => ({
            leaf: fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null),
                fc.constantFrom("yes", "no", "on", "off", "y", "n", "0644", "1_000", "0x1F", "1:30", ".inf", "~", "2024-01-02")),
            node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(fc.string({ minLength: 1 }), tie("node"), { maxKeys: 4 })),
        })).node;
        fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), (docs) => {
            // Written as a stream: some values as plain scalars (so that YAML 1.1 resolves them), some quoted.
            const text = docs.map((d) => `---\n# Source: generated\n${stringify({ doc: d }, { aliasDuplicateObjects: false })}`).join("");
            const expected = oracle(text);
            return expected === undefined || same(fast(text), expected);
        }), { numRuns: 300, seed: 20240611 });
    });

    it("resolves plain scalars as YAML 1.1 does: booleans, octal, underscores, sexagesimal, special floats, timestamps", () => {
        const fixed = ["yes", "No", "ON", "off", "y", "N", "true", "FALSE", "0644", "0o644", "0x1F", "0b101", "1_000", "190:20:30", "190:20:30.15",
            "1.5", "1e3", "-1.5E-3", ".5", "+.5e-3", ".inf", "-.Inf", ".NaN", "~", "null", "Null", "", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
            "+12", "-0", "00", "08", "0.", "1_0.5_0", "=", "<<x", "0b", "0x", "._", "1__0", "abc", "Yes please", "E0", ".", "-.e3", "1.e3", "._5", "1_.5"];
        const generated = fc.sample(fc.stringMatching(/^[-+]?[0-9a-fA-Fxob._:]{1,10}$/), { numRuns: 3000, seed: 20240611 });
        let compared = 0;
        let different = 0;
        for (const s of [...fixed, ...generated]) {
            if (/[:#]\s|:$|^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) {
                continue; // not a plain scalar
            }
            let expected: unknown;
            try {
                expected = parse(`v: ${s}`, { version: "1.1" })?.v;
            } catch {
                continue;
            }
            const got = (loadDocument(`v: ${s}`) as any)?.v;
            if (digitlessMantissa(s)) {
                assert.strictEqual(got, s, JSON.stringify(s));
                assert.ok(Number.isNaN(expected), JSON.stringify(s));
                different++;
                continue;
            }
            assert.ok(same(got, expected), `${JSON.stringify(s)}: fast path ${String(got)} (${typeof got}), yaml library ${String(expected)} (${typeof expected})`);
            compared++;
        }
        assert.ok(compared > 1000, `${compared} scalars compared`);
        assert.ok(different > 0, "the corpus has digitless mantissas");
    });
});
