// How `k8sprod check` reads YAML, checked two ways. Scalars: both of its paths (js-yaml for most
// documents, the `yaml` library for documents with anchors) against a table of spellings read by
// kubectl's own reader, sigs.k8s.io/yaml (tests/fixtures/yaml-kubectl). Documents: the fast path
// (js-yaml + kubectl's scalars + a document splitter) against the `yaml` library configured with the
// same scalars, as the oracle for structure: both must read every YAML fixture of the repository, a
// generated Helm-like stream, and a generated corpus of scalars to the same documents and values.
import * as assert from "assert";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments, stringify } from "yaml";
import { kubectlCustomTags, loadDocument, splitDocuments, usesAnchors } from "../../cli/check/yaml11";
import { ROOT } from "./helpers";

/** The documents of a stream as the `yaml` library reads them (YAML 1.1), or undefined when it reports an error. */
function oracle(text: string): unknown[] | undefined {
    const docs = parseAllDocuments(text, { version: "1.1", customTags: kubectlCustomTags });
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

/** Equal as values: NaN equals NaN, dates by time, objects key by key (fast path's value first). */
function same(a: unknown, b: unknown): boolean {
    if (Object.is(a, b)) {
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
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same((a as any)[k], (b as any)[k]));
}

describe("k8sprod check reads YAML scalars as kubectl does (sigs.k8s.io/yaml)", () => {
    // Produced by tests/tools/yaml-kubectl (sigs.k8s.io/yaml v1.6.0 over go.yaml.in/yaml/v2 v2.4.2, from
    // the Go module proxy) from spellings.txt: one {"in", "json" | "error"} line per spelling.
    const table = fs.readFileSync(path.join(ROOT, "tests", "fixtures", "yaml-kubectl", "kubectl.jsonl"), "utf8").trim().split("\n")
        .map((l) => JSON.parse(l) as { in: string; json?: unknown; error?: string });

    const readers: Array<[string, (text: string) => unknown]> = [
        ["the fast path (js-yaml)", (text) => loadDocument(text)],
        ["the anchors path (the yaml library)", (text) => {
            const doc = parseAllDocuments(text, { version: "1.1", customTags: kubectlCustomTags }) as any[];
            if (doc[0].errors.length > 0) {
                throw new Error(doc[0].errors[0].message);
            }
            return doc[0].toJS();
        }],
    ];
    for (const [name, read] of readers) {
        it(`${name}: the same value for every spelling of the table, and an error where kubectl cannot convert to JSON`, () => {
            assert.ok(table.length > 140, `${table.length} spellings`);
            const wrong: string[] = [];
            for (const row of table) {
                let got: unknown;
                let error: string | undefined;
                try {
                    got = (read(`v: ${row.in}\n`) as any).v;
                } catch (e: any) {
                    error = e.message;
                }
                if (row.error !== undefined) {
                    if (error === undefined || !/JSON cannot hold/.test(error)) {
                        wrong.push(`${row.in}: kubectl fails (${row.error}), got ${JSON.stringify(got)}`);
                    }
                } else if (error !== undefined || !Object.is(got, row.json) && !(typeof got === "number" && typeof row.json === "number" && got === row.json)) {
                    wrong.push(`${row.in}: kubectl ${JSON.stringify(row.json)}, got ${error ?? `${JSON.stringify(got)} (${typeof got})`}`);
                }
            }
            assert.deepStrictEqual(wrong, []);
        });
    }

    it("reads 0o0, 0X0 and 0B1 as numbers, 1:20 and timestamps as strings (the spellings that differ from YAML 1.1)", () => {
        assert.deepStrictEqual(loadDocument("a: 0o0\nb: 0X0\nc: 0B1\nd: 1:20\ne: 2001-12-14\nf: 0o17\n"), { a: 0, b: 0, c: 1, d: "1:20", e: "2001-12-14", f: 15 });
    });
});

describe("k8sprod check: the fast YAML path agrees with the yaml library", () => {
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

    it("resolves plain scalars alike: booleans, octal, underscores, sexagesimal, special floats, timestamps", () => {
        const fixed = ["yes", "No", "ON", "off", "y", "N", "true", "FALSE", "0644", "0o644", "0x1F", "0b101", "1_000", "190:20:30", "190:20:30.15",
            "1.5", "1e3", "-1.5E-3", ".5", "+.5e-3", ".inf", "-.Inf", ".NaN", "~", "null", "Null", "", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
            "+12", "-0", "00", "08", "0.", "1_0.5_0", "=", "<<x", "0b", "0x", "._", "1__0", "abc", "Yes please", "E0", ".", "-.e3", "1.e3", "._5", "1_.5"];
        const generated = fc.sample(fc.stringMatching(/^[-+]?[0-9a-fA-Fxob._:]{1,10}$/), { numRuns: 3000, seed: 20240611 });
        let compared = 0;
        let refused = 0;
        for (const s of [...fixed, ...generated]) {
            if (/[:#]\s|:$|^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) {
                continue; // not a plain scalar
            }
            const doc = parseAllDocuments(`v: ${s}`, { version: "1.1", customTags: kubectlCustomTags }) as any[];
            let got: unknown;
            let fastError = false;
            try {
                got = (loadDocument(`v: ${s}`) as any)?.v;
            } catch {
                fastError = true;
            }
            if (doc[0].errors.length > 0) {
                // the yaml library refuses only what kubectl cannot convert (.inf, .nan): so must the fast path
                assert.ok(fastError && /JSON cannot hold/.test(doc[0].errors[0].message), `${JSON.stringify(s)}: ${doc[0].errors[0].message}`);
                refused++;
                continue;
            }
            assert.ok(!fastError, `${JSON.stringify(s)}: the fast path refused it`);
            const expected = doc[0].toJS()?.v;
            assert.ok(same(got, expected), `${JSON.stringify(s)}: fast path ${String(got)} (${typeof got}), yaml library ${String(expected)} (${typeof expected})`);
            compared++;
        }
        assert.ok(compared > 1000, `${compared} scalars compared`);
        assert.ok(refused > 0, "the corpus has scalars kubectl refuses");
    });
});
