import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, bin, cli, fixture } from "./helpers";
import { sarifErrors } from "./sarif";

// The CLI's behaviour, with the pack narrowed to one policy (disallow-latest-tag) by --policy-config,
// so that these tests follow the command line and not the pack's growing list of policies.
const rel = (p: string) => path.relative(ROOT, p);
const ONLY_LATEST = rel(fixture("only-latest.json"));
const LATEST_ADVISORY = rel(fixture("latest-advisory.json"));

describe("k8sprod check", function () {
    this.timeout(600000);
    const cwd = process.cwd();
    before(() => process.chdir(ROOT));
    after(() => process.chdir(cwd));

    describe("the JSON report", () => {
        let result: { code: number; stdout: string; stderr: string };
        let report: any;
        const file = rel(fixture("helm-output.yaml"));
        before(async () => {
            result = await cli(["check", "--format", "json", "--policy-config", ONLY_LATEST, file]);
            report = JSON.parse(result.stdout);
        });

        it("exits 1 when a mandatory violation is found", () => {
            assert.strictEqual(result.code, 1, result.stderr);
        });

        it("lists every checked object with its URN, type, name, namespace, file as given and document", () => {
            assert.deepStrictEqual(report.resources, [
                { urn: "urn:pulumi:check::k8sprod::kubernetes:core/v1:ServiceAccount::shop/shop-web", type: "kubernetes:core/v1:ServiceAccount", name: "shop-web", namespace: "shop", file, document: 0 },
                { urn: "urn:pulumi:check::k8sprod::kubernetes:core/v1:ConfigMap::shop/shop-web-config", type: "kubernetes:core/v1:ConfigMap", name: "shop-web-config", namespace: "shop", file, document: 1 },
                { urn: "urn:pulumi:check::k8sprod::kubernetes:apps/v1:Deployment::shop/shop-web", type: "kubernetes:apps/v1:Deployment", name: "shop-web", namespace: "shop", file, document: 4 },
            ]);
        });

        it("reports the violation with the contract's fields, naming the object by metadata.name", () => {
            assert.strictEqual(report.violations.length, 1);
            const v = report.violations[0];
            assert.deepStrictEqual(Object.keys(v).sort(), ["enforcementLevel", "message", "policy", "policyPack", "resource", "urn"]);
            assert.strictEqual(v.policyPack, "k8sprod-kubernetes");
            assert.strictEqual(v.policy, "disallow-latest-tag");
            assert.strictEqual(v.enforcementLevel, "mandatory");
            assert.strictEqual(v.urn, report.resources[2].urn);
            assert.deepStrictEqual(v.resource, { type: "kubernetes:apps/v1:Deployment", name: "shop-web", namespace: "shop", file, document: 4 });
            assert.match(v.message, /shop-web/);
            assert.match(v.message, /latest/);
        });

        it("counts resources and violations by level", () => {
            assert.deepStrictEqual(report.summary, { resources: 3, mandatory: 1, advisory: 0, notEvaluated: 0 });
        });

        it("reports the custom resource as not checked", () => {
            assert.deepStrictEqual(report.unchecked.map((u: any) => [u.file, u.document, u.apiVersion, u.kind, u.name, u.namespace]), [
                [file, 5, "monitoring.coreos.com/v1", "ServiceMonitor", "shop-web", "shop"],
            ]);
            assert.match(report.unchecked[0].reason, /not a kind @pulumi\/kubernetes knows/);
        });
    });

    it("exits 0 when the violations are advisory, and counts them", async () => {
        const r = await cli(["check", "-f", "json", "--policy-config", LATEST_ADVISORY, rel(fixture("helm-output.yaml"))]);
        assert.strictEqual(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.deepStrictEqual(report.summary, { resources: 3, mandatory: 0, advisory: 1, notEvaluated: 0 });
        assert.strictEqual(report.violations[0].enforcementLevel, "advisory");
    });

    it("exits 0 on a compliant object", async () => {
        const r = await cli(["check", "-f", "json", "--policy-config", ONLY_LATEST, rel(fixture("pinned.yaml"))]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(JSON.parse(r.stdout).violations, []);
    });

    it("checks List items and JSON files one by one", async () => {
        const list = rel(fixture("list.yaml"));
        const json = rel(fixture("deployment.json"));
        const r = await cli(["check", "-f", "json", "--policy-config", ONLY_LATEST, list, json]);
        assert.strictEqual(r.code, 1, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.deepStrictEqual(report.resources.map((x: any) => [x.name, x.file, x.document]), [
            ["pinned", list, 0], ["floating", list, 0], ["from-typed-list", list, 1], ["json-web", json, 0],
        ]);
        assert.deepStrictEqual(report.violations.map((v: any) => [v.resource.name, v.resource.file]), [["floating", list], ["json-web", json]]);
    });

    it("reads standard input for -, reporting its file as -", async () => {
        const text = fs.readFileSync(fixture("helm-output.yaml"), "utf8");
        const r = await cli(["check", "-f", "json", "--policy-config", ONLY_LATEST, "-"], text);
        assert.strictEqual(r.code, 1, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.deepStrictEqual(report.violations.map((v: any) => [v.resource.name, v.resource.file, v.resource.document]), [["shop-web", "-", 4]]);
    });

    describe("input that cannot be used (exit 2)", () => {
        it("names the file, the document and the line of a YAML error, and checks nothing", async () => {
            const file = rel(fixture("broken-syntax.yaml"));
            const r = await cli(["check", "-f", "json", file]);
            assert.strictEqual(r.code, 2);
            assert.strictEqual(r.stdout, "");
            assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, "\\.")}, document 1, line \\d+: invalid YAML`));
        });

        it("names every broken document of every file at once", async () => {
            const r = await cli(["check", rel(fixture("broken-syntax.yaml")), rel(fixture("broken-object.yaml")), rel(fixture("nope.yaml"))]);
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /broken-syntax\.yaml, document 1, line \d+/);
            assert.match(r.stderr, /broken-object\.yaml, document 1, line 7: not a Kubernetes object: kind is missing/);
            assert.match(r.stderr, /broken-object\.yaml, document 2, line 11: Deployment: metadata\.name is missing/);
            assert.match(r.stderr, /nope\.yaml: no such file or directory/);
        });

        it("refuses a policy config the pack rejects, naming the file and the policy", async () => {
            const config = rel(fixture("bad-config.json"));
            const r = await cli(["check", "--policy-config", config, rel(fixture("pinned.yaml"))]);
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /bad-config\.json/);
            assert.match(r.stderr, /disallow-latest-tag/);
            assert.match(r.stderr, /sometimes/);
        });

        it("refuses a policy config that is missing or not a JSON object", async () => {
            const missing = await cli(["check", "--policy-config", "nope.json", rel(fixture("pinned.yaml"))]);
            assert.strictEqual(missing.code, 2);
            assert.match(missing.stderr, /nope\.json: cannot read the policy config/);
            const notObject = await cli(["check", "--policy-config", rel(fixture("list.yaml")), rel(fixture("pinned.yaml"))]);
            assert.strictEqual(notObject.code, 2);
            assert.match(notObject.stderr, /list\.yaml: the policy config is not valid JSON/);
        });

        it("refuses usage errors: no path, an unknown format, an unknown option", async () => {
            assert.strictEqual((await cli(["check"])).code, 2);
            assert.strictEqual((await cli(["check", "--format", "xml", "x.yaml"])).code, 2);
            assert.strictEqual((await cli(["check", "--frobnicate", "x.yaml"])).code, 2);
        });
    });

    it("reports objects of unknown kinds as not checked, without failing", async () => {
        const text = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
        const r = await cli(["check", "-"], text);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /Not checked:\n {2}<stdin> \(document 0\): example\.com\/v1\/Widget w: /);
        assert.match(r.stdout, /0 resources checked/);
    });

    describe("--each-file", () => {
        const a = rel(fixture("pinned.yaml"));
        const b = rel(fixture("dir", "a.yaml"));

        it("refuses, in one stack, two objects of the same kind, namespace and name, pointing at --each-file", async () => {
            const r = await cli(["check", a, b]);
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /Deployment shop\/pinned-web is also defined in .*pinned\.yaml \(document 0, line 1\).*--each-file/);
        });

        it("lets stack policies see every file of a run together, and one file at a time with --each-file", async () => {
            // A Deployment in one file, the PodDisruptionBudget that selects it in another.
            const config = rel(fixture("only-pdb.json"));
            const dir = rel(fixture("stack"));
            const together = await cli(["check", "-f", "json", "--policy-config", config, dir]);
            assert.strictEqual(together.code, 0, together.stderr);
            assert.deepStrictEqual(JSON.parse(together.stdout).violations, []);
            const apart = await cli(["check", "--each-file", "-f", "json", "--policy-config", config, dir]);
            assert.strictEqual(apart.code, 1, apart.stderr);
            assert.deepStrictEqual(JSON.parse(apart.stdout).violations.map((v: any) => [v.policy, v.resource.name, v.resource.file]), [
                ["require-pod-disruption-budget", "api", path.join(dir, "deployment.yaml")],
            ]);
        });

        it("checks every file as its own stack, in one process", async () => {
            const r = await cli(["check", "--each-file", "-f", "json", "--policy-config", ONLY_LATEST, a, b, rel(fixture("deployment.json"))]);
            assert.strictEqual(r.code, 1, r.stderr);
            const report = JSON.parse(r.stdout);
            assert.deepStrictEqual(report.resources.map((x: any) => [x.name, x.file]), [["pinned-web", a], ["pinned-web", b], ["json-web", rel(fixture("deployment.json"))]]);
            assert.deepStrictEqual(report.violations.map((v: any) => v.resource.file), [rel(fixture("deployment.json"))]);
            assert.deepStrictEqual(report.summary, { resources: 3, mandatory: 1, advisory: 0, notEvaluated: 0 });
        });
    });

    it("prints a text report naming the file, document and line of each violation", async () => {
        const file = rel(fixture("helm-output.yaml"));
        const r = await cli(["check", "--policy-config", ONLY_LATEST, file]);
        assert.strictEqual(r.code, 1);
        const deploymentLine = fs.readFileSync(fixture("helm-output.yaml"), "utf8").split("\n").indexOf("kind: Deployment");
        assert.ok(r.stdout.includes(`${file} (document 4, line ${deploymentLine}): Deployment shop/shop-web`), r.stdout);
        assert.match(r.stdout, /\[mandatory\] k8sprod-kubernetes\/disallow-latest-tag/);
        assert.match(r.stdout, /Not checked:/);
        assert.match(r.stdout, /3 resources checked: 1 mandatory violation, 0 advisory violations, 1 object not checked/);
    });

    describe("the SARIF report", () => {
        let log: any;
        let code: number;
        const file = rel(fixture("helm-output.yaml"));
        before(async () => {
            const r = await cli(["check", "--format", "sarif", "--policy-config", LATEST_ADVISORY, file, rel(fixture("deployment.json"))]);
            code = r.code;
            log = JSON.parse(r.stdout);
        });

        it("is valid SARIF 2.1.0", () => {
            assert.deepStrictEqual(sarifErrors(log), []);
            assert.strictEqual(log.version, "2.1.0");
            // and the validator does reject an invalid log
            assert.notDeepStrictEqual(sarifErrors({ version: "2.1.0", runs: [{ results: [] }] }), []);
        });

        it("has one rule per violated policy and one result per violation, at the object's file and line", () => {
            assert.strictEqual(code, 0);
            const run = log.runs[0];
            assert.strictEqual(run.tool.driver.name, "k8sprod");
            assert.deepStrictEqual(run.tool.driver.rules.map((r: any) => [r.id, r.properties.policyPack]), [["disallow-latest-tag", "k8sprod-kubernetes"]]);
            assert.strictEqual(run.results.length, 2);
            const deploymentLine = fs.readFileSync(fixture("helm-output.yaml"), "utf8").split("\n").indexOf("kind: Deployment");
            const first = run.results[0];
            assert.strictEqual(first.ruleId, "disallow-latest-tag");
            assert.strictEqual(first.ruleIndex, 0);
            assert.strictEqual(first.level, "warning");
            assert.strictEqual(first.locations[0].physicalLocation.artifactLocation.uri, file);
            assert.strictEqual(first.locations[0].physicalLocation.region.startLine, deploymentLine);
            assert.strictEqual(first.locations[0].logicalLocations[0].fullyQualifiedName, "urn:pulumi:check::k8sprod::kubernetes:apps/v1:Deployment::shop/shop-web");
            assert.strictEqual(run.results[1].locations[0].physicalLocation.artifactLocation.uri, rel(fixture("deployment.json")));
        });

        it("describes each rule for code scanning: short and full description, markdown help with the remediation, a help URI into docs/, tags, security-severity", () => {
            const rule = log.runs[0].tool.driver.rules[0];
            assert.strictEqual(rule.fullDescription.text, "Checks whether every container image names a tag other than latest, or a digest, so a rollout is reproducible and a rollback returns to the same bits.");
            assert.match(rule.shortDescription.text, /^Checks whether .*[.!?]$/);
            assert.match(rule.fullDescription.text, /^Checks whether /);
            assert.ok(rule.fullDescription.text.startsWith(rule.shortDescription.text));
            assert.match(rule.help.markdown, /\*\*Remediation:\*\* Pin every image to a version tag or a digest/);
            assert.match(rule.help.text, /Remediation: Pin every image/);
            assert.match(rule.helpUri, /^(https|file):\/\/.*\/docs\/policies-kubernetes\.md#images-imagests$/);
            assert.deepStrictEqual(rule.properties.tags, ["supply-chain", "images"]);
            assert.strictEqual(rule.properties["security-severity"], "5.5");
            assert.strictEqual(rule.properties.severity, "medium");
        });

        it("marks mandatory violations as errors", async () => {
            const r = await cli(["check", "--format", "sarif", "--policy-config", ONLY_LATEST, file]);
            const l = JSON.parse(r.stdout);
            assert.deepStrictEqual(sarifErrors(l), []);
            assert.strictEqual(l.runs[0].results[0].level, "error");
            assert.strictEqual(l.runs[0].invocations[0].exitCode, 1);
        });
    });

    describe("bin/k8sprod, as a separate process", () => {
        it("exits 0, 1 and 2 as DESIGN.md says", () => {
            assert.strictEqual(bin(["check", "--policy-config", ONLY_LATEST, rel(fixture("pinned.yaml"))]).code, 0);
            assert.strictEqual(bin(["check", "--policy-config", ONLY_LATEST, rel(fixture("deployment.json"))]).code, 1);
            const broken = bin(["check", rel(fixture("broken-syntax.yaml"))]);
            assert.strictEqual(broken.code, 2);
            assert.match(broken.stderr, /broken-syntax\.yaml, document 1, line \d+/);
        });

        it("reads standard input", () => {
            const r = bin(["check", "-f", "json", "--policy-config", ONLY_LATEST, "-"], { stdin: fs.readFileSync(fixture("deployment.json"), "utf8") });
            assert.strictEqual(r.code, 1, r.stderr);
            assert.strictEqual(JSON.parse(r.stdout).violations[0].resource.file, "-");
        });

        it("prints help and its version with exit 0", () => {
            const help = bin(["--help"]);
            assert.strictEqual(help.code, 0);
            assert.match(help.stdout, /check \[options\] <paths\.\.\.>/);
            assert.match(help.stdout, /plan \[options\]/);
            const version = bin(["--version"]);
            assert.strictEqual(version.code, 0);
            assert.strictEqual(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
        });
    });
});
