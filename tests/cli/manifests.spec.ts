import * as assert from "assert";
import * as fs from "fs";
import { expandPaths, formatInputError, parseSource } from "../../cli/check/manifests";
import { fixture } from "./helpers";

function parseFile(file: string) {
    return parseSource({ file, text: fs.readFileSync(file, "utf8") });
}

describe("k8sprod check: reading manifests", () => {
    it("reads Helm template output: comments, --- separators and empty documents, keeping document indexes", () => {
        const file = fixture("helm-output.yaml");
        const parsed = parseFile(file);
        assert.deepStrictEqual(parsed.errors, []);
        assert.deepStrictEqual(parsed.objects.map((o) => [o.kind, o.name, o.document]), [
            ["ServiceAccount", "shop-web", 0],
            ["ConfigMap", "shop-web-config", 1],
            // documents 2 (comments only) and 3 (an empty `---`) are skipped but counted
            ["Deployment", "shop-web", 4],
        ]);
        assert.deepStrictEqual(parsed.unchecked.map((u) => [u.kind, u.document]), [["ServiceMonitor", 5]]);
    });

    it("gives each object the line its document starts on, after the comments", () => {
        const parsed = parseFile(fixture("helm-output.yaml"));
        const lines = fs.readFileSync(fixture("helm-output.yaml"), "utf8").split("\n");
        for (const o of parsed.objects) {
            assert.strictEqual(lines[o.line - 1], `apiVersion: ${o.apiVersion}`, `${o.kind} ${o.name} at line ${o.line}`);
        }
    });

    it("expands v1 List and typed lists (DeploymentList) into their items, each with its own line", () => {
        const file = fixture("list.yaml");
        const parsed = parseFile(file);
        assert.deepStrictEqual(parsed.errors, []);
        assert.deepStrictEqual(parsed.objects.map((o) => [o.name, o.document, o.item]), [
            ["pinned", 0, 0], ["floating", 0, 1], ["from-typed-list", 1, 0],
        ]);
        const lines = fs.readFileSync(file, "utf8").split("\n");
        for (const o of parsed.objects) {
            assert.match(lines[o.line - 1], /- apiVersion: apps\/v1/, `${o.name} at line ${o.line}`);
        }
    });

    it("reads JSON, and drops status (an output, which @pulumi/kubernetes does not send as an input)", () => {
        const parsed = parseFile(fixture("deployment.json"));
        assert.deepStrictEqual(parsed.errors, []);
        assert.strictEqual(parsed.objects.length, 1);
        const o = parsed.objects[0];
        assert.strictEqual(o.type, "kubernetes:apps/v1:Deployment");
        assert.strictEqual(o.name, "json-web");
        assert.strictEqual(o.namespace, "shop");
        assert.strictEqual(o.object.status, undefined);
        assert.strictEqual(o.object.spec.template.spec.containers[0].image, "nginx:latest");
    });

    it("reads YAML as kubectl does (YAML 1.1): yes is true, 0644 is octal, a lone dot is a string", () => {
        const text = [
            "apiVersion: v1", "kind: Pod", "metadata: {name: p}",
            "spec:", "  securityContext: {runAsNonRoot: yes}", "  containers: [{name: c, image: i, args: [., E0, 1_000]}]",
            "  volumes: [{name: v, configMap: {name: c, defaultMode: 0644}}]",
        ].join("\n");
        const o = parseSource({ file: "pod.yaml", text }).objects[0];
        assert.strictEqual(o.object.spec.securityContext.runAsNonRoot, true);
        assert.strictEqual(o.object.spec.volumes[0].configMap.defaultMode, 0o644);
        assert.deepStrictEqual(o.object.spec.containers[0].args, [".", "E0", 1000]);
    });

    it("names the file, the document and the line of a YAML syntax error", () => {
        const parsed = parseFile(fixture("broken-syntax.yaml"));
        assert.strictEqual(parsed.errors.length > 0, true);
        const e = parsed.errors[0];
        assert.strictEqual(e.file, fixture("broken-syntax.yaml"));
        assert.strictEqual(e.document, 1);
        // the unclosed flow mapping opens on line 10
        assert.ok(e.line !== undefined && e.line >= 10 && e.line <= 13, `line ${e.line}`);
        assert.match(formatInputError(e), /broken-syntax\.yaml, document 1, line \d+: invalid YAML/);
    });

    it("refuses documents that are not Kubernetes objects, naming each one and what is missing", () => {
        const parsed = parseFile(fixture("broken-object.yaml"));
        assert.deepStrictEqual(parsed.errors.map((e) => [e.document, e.line]), [[1, 7], [2, 11]]);
        assert.match(parsed.errors[0].message, /kind is missing/);
        assert.match(parsed.errors[1].message, /metadata\.name is missing/);
        assert.deepStrictEqual(parsed.objects.map((o) => o.name), ["fine"]);
    });

    it("refuses a document that is a list or a scalar, and a List whose items are not a list", () => {
        assert.match(parseSource({ file: "x.yaml", text: "- a\n- b\n" }).errors[0].message, /a sequence, not a mapping/);
        assert.match(parseSource({ file: "x.yaml", text: "just text\n" }).errors[0].message, /a string, not a mapping/);
        assert.match(parseSource({ file: "x.yaml", text: "apiVersion: v1\nkind: List\nitems: {}\n" }).errors[0].message, /items must be a list/);
    });

    it("refuses a name or namespace that YAML does not read as a string, and says to quote it", () => {
        const errors = parseSource({ file: "x.yaml", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: no\n" }).errors;
        assert.deepStrictEqual(errors.map((e) => [e.document, e.line, e.message]), [[0, 1, "ConfigMap: metadata.namespace must be a string, not false (quote it)"]]);
    });

    it("reports invalid JSON with its line", () => {
        const errors = parseSource({ file: "x.json", text: "{\n  \"kind\": \"Pod\",\n  oops\n}" }).errors;
        assert.strictEqual(errors.length, 1);
        assert.strictEqual(errors[0].document, 0);
        assert.strictEqual(errors[0].line, 3);
    });

    it("treats kinds @pulumi/kubernetes does not know as not checked, not as errors", () => {
        const text = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: team}\n---\napiVersion: apps/v1\nkind: Frobnicator\nmetadata: {name: f}\n";
        const parsed = parseSource({ file: "w.yaml", text });
        assert.deepStrictEqual(parsed.errors, []);
        assert.deepStrictEqual(parsed.objects, []);
        assert.deepStrictEqual(parsed.unchecked.map((u) => [u.apiVersion, u.kind, u.name, u.namespace, u.document]), [
            ["example.com/v1", "Widget", "w", "team", 0], ["apps/v1", "Frobnicator", "f", undefined, 1],
        ]);
    });

    it("expands directories into their .yaml/.yml/.json files, sorted and recursive, and names missing paths", () => {
        const { files, errors } = expandPaths([fixture("dir"), fixture("nope.yaml"), "-"]);
        assert.deepStrictEqual(files, [fixture("dir", "a.yaml"), fixture("dir", "nested", "b.json"), "-"]);
        assert.deepStrictEqual(errors.map((e) => [e.file, e.message]), [[fixture("nope.yaml"), "no such file or directory"]]);
    });

    it("skips an empty file and a {} document", () => {
        assert.deepStrictEqual(parseSource({ file: "e.yaml", text: "" }), { objects: [], unchecked: [], errors: [] });
        assert.deepStrictEqual(parseSource({ file: "e.yaml", text: "# only a comment\n---\n{}\n" }), { objects: [], unchecked: [], errors: [] });
    });
});
