import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { makeObject } from "../../bench/check";
import { compactSchema, validateValue } from "../../cli/check/schema/compact";
import { KubernetesSchemas, shippedSchemaVersions } from "../../cli/check/schema/kubernetes";
import { kindOfType, planSchemaViolations } from "../../cli/check/schema/plan-schema";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/versions";
import { POD_TYPES, T } from "../../policies/kubernetes/lib";
import { goodStack } from "../policies/stack";
import { cli, fixture, ROOT } from "./helpers";
import { sarifErrors } from "./sarif";

const schemaViolations = (report: any) => report.violations.filter((v: any) => v.policy === "valid-schema");

describe("k8sprod check: schema validation", () => {
    it("reports a string where a boolean belongs, an unknown container field, a bad quantity and a missing required field, with path and line", async () => {
        const r = await cli(["check", "-f", "json", fixture("schema", "invalid.yaml")]);
        assert.strictEqual(r.code, 1, r.stderr);
        const found = schemaViolations(JSON.parse(r.stdout));
        const byPath = new Map(found.map((v: any) => [v.path, v]));
        const replicas: any = byPath.get("spec.paused");
        assert.ok(replicas, JSON.stringify(found, null, 2));
        assert.strictEqual(replicas.enforcementLevel, "mandatory");
        assert.strictEqual(replicas.policyPack, "k8sprod-schema");
        assert.strictEqual(replicas.line, 9);
        assert.strictEqual(replicas.resource.file, fixture("schema", "invalid.yaml"));
        assert.match(replicas.message, /^Deployment "web" in namespace "shop": spec\.paused: "sometimes" \(a string\) must be a boolean \(true or false\) \(Kubernetes 1\.35 schema, line 9\)\.$/);
        const unknown: any = byPath.get("spec.template.spec.containers[0].imagePulPolicy");
        assert.ok(unknown && unknown.line === 19 && /unknown field \(Container has no field "imagePulPolicy"\)/.test(unknown.message), JSON.stringify(found));
        const cpu: any = byPath.get("spec.template.spec.containers[0].resources.requests.cpu");
        assert.ok(cpu && /"100mm" \(a string\) is not a valid quantity/.test(cpu.message) && cpu.line === 21, JSON.stringify(found));
        const port: any = byPath.get("spec.ports[0].port");
        assert.ok(port && /required field is missing \(ServicePort requires it\)/.test(port.message) && port.resource.type === "kubernetes:core/v1:Service", JSON.stringify(found));
        assert.strictEqual(port.line, 31);
        assert.strictEqual(found.length, 4, JSON.stringify(found.map((v: any) => v.path)));
    });

    it("shows schema findings in the text and SARIF reports, at the finding's line", async () => {
        const text = await cli(["check", fixture("schema", "invalid.yaml")]);
        assert.match(text.stdout, /\[mandatory\] k8sprod-schema\/valid-schema\n\s+Deployment "web" in namespace "shop": spec\.paused: "sometimes"/);
        const sarif = JSON.parse((await cli(["check", "-f", "sarif", fixture("schema", "invalid.yaml")])).stdout);
        assert.deepStrictEqual(sarifErrors(sarif), []);
        const results = sarif.runs[0].results.filter((x: any) => x.ruleId === "valid-schema");
        assert.strictEqual(results.length, 4);
        assert.deepStrictEqual(results.map((x: any) => x.locations[0].physicalLocation.region.startLine).sort((a: number, b: number) => a - b), [9, 19, 21, 31]);
        assert.ok(results.every((x: any) => x.level === "error"));
    });

    it("reports an apiVersion the configured Kubernetes version does not serve", async () => {
        const r = await cli(["check", "-f", "json", fixture("schema", "removed-api.yaml")]);
        const [v] = schemaViolations(JSON.parse(r.stdout));
        assert.ok(v, r.stdout);
        assert.strictEqual(v.path, "apiVersion");
        assert.match(v.message, /extensions\/v1beta1 Deployment is not served by Kubernetes 1\.35/);
        assert.strictEqual(r.code, 1);
    });

    it("reports a string in an integer field (replicas: \"three\") as a schema finding naming the line and path (exit 1)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-schema-"));
        try {
            const file = path.join(dir, "three.yaml");
            fs.writeFileSync(file, fs.readFileSync(fixture("schema", "invalid.yaml"), "utf8").replace('paused: "sometimes"', 'replicas: "three"'));
            const r = await cli(["check", "-f", "json", file]);
            assert.strictEqual(r.code, 1);
            const found = schemaViolations(JSON.parse(r.stdout)).filter((v: any) => v.path === "spec.replicas");
            assert.strictEqual(found.length, 1);
            assert.strictEqual(found[0].line, 9);
            assert.match(found[0].message, /spec\.replicas: "three" \(a string\) must be an integer/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("validates against the configured Kubernetes version, and refuses one whose schemas do not ship", async () => {
        const ok = await cli(["check", "-f", "json", "--kubernetes-version", "1.33", fixture("schema", "invalid.yaml")]);
        assert.ok(schemaViolations(JSON.parse(ok.stdout)).every((v: any) => v.message.includes("Kubernetes 1.33 schema")));
        const bad = await cli(["check", "--kubernetes-version", "1.20", fixture("schema", "invalid.yaml")]);
        assert.strictEqual(bad.code, 2);
        assert.match(bad.stderr, /--kubernetes-version 1\.20: no Kubernetes 1\.20 schemas ship with k8sprod \(available: 1\.33, 1\.34, 1\.35\)/);
    });

    it("validates custom resources against a CustomResourceDefinition given with --crd, and leaves them unchecked without one", async () => {
        const without = JSON.parse((await cli(["check", "-f", "json", fixture("schema", "backups.yaml")])).stdout);
        assert.deepStrictEqual(schemaViolations(without), []);
        assert.strictEqual(without.unchecked.length, 2);
        const r = await cli(["check", "-f", "json", "--crd", fixture("schema", "crd.yaml"), fixture("schema", "backups.yaml")]);
        assert.strictEqual(r.code, 1, r.stderr);
        const found = schemaViolations(JSON.parse(r.stdout));
        assert.deepStrictEqual(found.map((v: any) => v.path).sort(), ["spec.retention", "spec.retentionDays", "spec.schedule"]);
        for (const v of found) {
            assert.strictEqual(v.resource.name, "broken");
            assert.strictEqual(v.resource.type, "kubernetes:example.k8sprod.dev/v1:Backup");
            assert.strictEqual(v.resource.file, fixture("schema", "backups.yaml"));
            assert.match(v.message, /^Backup "broken" in namespace "shop": .*\(its CustomResourceDefinition, line \d+\)\.$/);
        }
        assert.strictEqual(found.find((v: any) => v.path === "spec.retentionDays").line, 19);
    });

    it("does not hold a custom resource the packs check (an Argo CD Application) to the built-in schemas", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-schema-"));
        try {
            const file = path.join(dir, "app.yaml");
            fs.writeFileSync(file, stringify({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "shop", namespace: "argocd" }, spec: { project: "shop" } }));
            const r = JSON.parse((await cli(["check", "-f", "json", file])).stdout);
            assert.deepStrictEqual(schemaViolations(r), []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("uses a CustomResourceDefinition found in the input itself", async () => {
        const r = await cli(["check", "-f", "json", fixture("schema", "crd.yaml"), fixture("schema", "backups.yaml")]);
        assert.deepStrictEqual(schemaViolations(JSON.parse(r.stdout)).map((v: any) => v.path).sort(), ["spec.retention", "spec.retentionDays", "spec.schedule"]);
    });

    it("refuses a --crd path that holds no CustomResourceDefinition", async () => {
        const r = await cli(["check", "--crd", fixture("schema", "backups.yaml"), fixture("schema", "backups.yaml")]);
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /--crd .*backups\.yaml: --crd: the file holds no CustomResourceDefinition/);
    });

    it("finds nothing in valid objects: the bench corpus's kinds, every kind of the policies' happy path", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-schema-"));
        try {
            const file = path.join(dir, "corpus.yaml");
            const objects = [...Array.from({ length: 16 }, (_, i) => makeObject(i)), ...goodStack()];
            fs.writeFileSync(file, objects.map((o) => `---\n${stringify(o)}`).join(""));
            const r = JSON.parse((await cli(["check", "-f", "json", file])).stdout);
            assert.deepStrictEqual(schemaViolations(r), []);
            assert.strictEqual(r.resources.length, objects.length);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("k8sprod schemas: the shipped files and the walker", () => {
    it("ship one file per supported Kubernetes minor, naming their pinned source", () => {
        assert.deepStrictEqual(shippedSchemaVersions(), [...SUPPORTED_KUBERNETES_VERSIONS]);
        for (const v of SUPPORTED_KUBERNETES_VERSIONS) {
            const file = JSON.parse(fs.readFileSync(path.join(ROOT, "schemas", "kubernetes", `v${v}.json`), "utf8"));
            assert.match(file.source, /^PyPI kubernetes-validate 1\.37\.0 \(kubernetes_validate-1\.37\.0-py3-none-any\.whl, sha256 [0-9a-f]{64}\)/);
            assert.strictEqual(file.kubernetesVersion, v);
        }
    });

    it("cover every current kind the Kubernetes pack's policies name", () => {
        const schemas = new KubernetesSchemas("1.35");
        const tokens = [...POD_TYPES, ...Object.values(T).flat()];
        const current = ["kubernetes:apps/v1:", "kubernetes:core/v1:", "kubernetes:batch/v1:", "kubernetes:policy/v1:", "kubernetes:autoscaling/v2:",
            "kubernetes:networking.k8s.io/v1:", "kubernetes:rbac.authorization.k8s.io/v1:"];
        for (const t of tokens.filter((x) => current.some((c) => x.startsWith(c)))) {
            const k = kindOfType(t);
            assert.ok(k, t);
            assert.ok(schemas.servesKind(k.apiVersion, k.kind), `${t} has no schema`);
        }
    });

    it("accepts null where the schema allows it, int-or-string, quantities as numbers, maps of any key, and refuses null where it does not", () => {
        const node = compactSchema({
            type: "object", required: ["a"],
            properties: {
                a: { type: "string" }, b: { type: ["integer", "null"] }, port: { oneOf: [{ type: "string" }, { type: "integer" }] },
                q: { oneOf: [{ type: "string" }, { type: "number" }] }, labels: { type: "object", additionalProperties: { type: "string" } },
                list: { type: "array", items: { type: "boolean" } }, mode: { type: "string", enum: ["On", "Off"] },
            },
        });
        assert.deepStrictEqual(validateValue({ a: "x", b: null, port: "http", q: 1.5, labels: { "any/key": "v" }, list: [true], mode: "On" }, node, {}), []);
        const problems = validateValue({ a: null, port: 1.5, q: "1 Gi", labels: { k: 1 }, list: ["yes"], mode: "Maybe", extra: 1 }, node, {}).map((f) => `${f.path.join(".")}: ${f.problem}`);
        assert.deepStrictEqual(problems, [
            "a: must not be null: it must be a string",
            "port: 1.5 (a number) must be an integer or a string",
            "q: \"1 Gi\" (a string) is not a valid quantity (e.g. 500m, 128Mi, 1.5, 2Gi)",
            "labels.k: 1 (an integer) must be a string",
            "list.0: \"yes\" (a string) must be a boolean (true or false)",
            "mode: \"Maybe\" (a string) is not one of \"On\", \"Off\"",
            "extra: unknown field",
        ]);
    });

    it("plan: validates wire inputs, unwrapping secrets and skipping values unknown during preview", () => {
        const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const deployment = (spec: Record<string, any>) => ({
            urn: "urn:pulumi:dev::k8sprod::kubernetes:apps/v1:Deployment::web", type: "kubernetes:apps/v1:Deployment", name: "web", namespace: "shop",
            properties: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" }, spec },
        });
        const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: unknown, env: [{ name: "A", value: secret("x") }] }] } };
        assert.deepStrictEqual(planSchemaViolations([deployment({ selector: { matchLabels: { app: "web" } }, replicas: unknown, template })], "1.35"), []);
        const bad = planSchemaViolations([deployment({ selector: { matchLabels: { app: "web" } }, replicas: secret("three"), template, paused: "no" })], "1.35");
        assert.deepStrictEqual(bad.map((v) => v.path), ["spec.replicas", "spec.paused"]);
        assert.match(bad[0].message, /^Deployment "web" in namespace "shop": spec\.replicas: "three" \(a string\) must be an integer \(Kubernetes 1\.35 schema\)\.$/);
        assert.ok(bad.every((v) => v.policy === "valid-schema" && v.enforcementLevel === "mandatory"));
        assert.strictEqual(kindOfType("kubernetes:helm.sh/v3:Release"), undefined);
        // Custom resources the packs check (Argo CD's) have no schema without their CRD: not validated.
        assert.strictEqual(kindOfType("kubernetes:argoproj.io/v1alpha1:Application"), undefined);
        const app = { urn: "urn:pulumi:prod::k8sprod::kubernetes:argoproj.io/v1alpha1:Application::shop", type: "kubernetes:argoproj.io/v1alpha1:Application", name: "shop",
            properties: { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "shop", namespace: "argocd" }, spec: { project: "shop" } } };
        assert.deepStrictEqual(planSchemaViolations([app], "1.35"), []);
    });
});
