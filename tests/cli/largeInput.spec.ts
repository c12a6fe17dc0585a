import * as assert from "assert";
import { check, renderCheckChunks } from "../../cli/check/check";
import type { CheckResult } from "../../cli/check/check";
import type { IO } from "../../cli/io";
import { buildReport, jsonChunks } from "../../cli/report/report";
import type { ReportContext } from "../../cli/report/report";
import { renderSarif } from "../../cli/report/sarif";
import { renderCheckText } from "../../cli/report/text";
import type { EngineResource, EngineViolation } from "../../cli/engine/contract";

// Large input through every report format. Sized, not timed: these tests assert what is printed for
// 100,000 objects (and for reports far larger than the stack allows to spread into a call), never
// how long it took (bench/check.ts measures that).

function io(stdin: string): IO {
    return { stdout: () => undefined, stderr: () => undefined, stdin: async () => stdin, stderrIsTTY: false };
}

/** `n` objects: the first `deployments` bare Deployments (about 14 violations each), then ConfigMaps. */
function manifests(n: number, deployments: number): string {
    const docs: string[] = [];
    for (let i = 0; i < n; i++) {
        docs.push(i < deployments
            ? `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\n  namespace: ns${i % 50}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: d${i}}}\n`
                + `  template:\n    metadata: {labels: {app: d${i}}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n`
            : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  namespace: ns${i % 50}\ndata: {k: v}\n`);
    }
    return docs.join("---\n");
}

const render = (result: CheckResult, format: "text" | "json" | "sarif") => [...renderCheckChunks(result, format)].join("");

describe("k8sprod check on 100,000 objects, in every format", function () {
    // Sized: one check of 100,000 objects, rendered three times. The timeout only guards against a hang.
    this.timeout(30 * 60 * 1000);
    const N = 100_000;
    let result: CheckResult;
    before(async () => {
        result = await check(["-"], { format: "text", eachFile: false }, io(manifests(N, 2_000)));
    });
    after(() => {
        result = undefined as any;
    });

    it("checks every object", () => {
        assert.strictEqual(result.report.summary.resources, N);
        assert.ok(result.report.summary.mandatory > 2_000, JSON.stringify(result.report.summary));
    });

    it("text: lists every violation and ends with the summary line", () => {
        const text = render(result, "text");
        assert.match(text, /^k8sprod check: 100000 objects from 1 file\n/);
        const s = result.report.summary;
        assert.strictEqual(text.match(/^ {4}\[mandatory\] /gm)?.length, s.mandatory);
        assert.ok(text.endsWith(`100000 resources checked: ${s.mandatory} mandatory violations, ${s.advisory} advisory violations\n`), text.slice(-200));
    });

    it("json: parses back to the report", () => {
        const report = JSON.parse(render(result, "json"));
        assert.strictEqual(report.resources.length, N);
        assert.strictEqual(report.violations.length, result.report.violations.length);
        assert.deepStrictEqual(report.summary, result.report.summary);
    });

    it("sarif: one result per violation", () => {
        const log = JSON.parse(render(result, "sarif"));
        assert.strictEqual(log.runs[0].results.length, result.report.violations.length);
        assert.strictEqual(log.runs[0].results[result.report.violations.length - 1].locations[0].logicalLocations[0].kind, "resource");
    });
});

describe("the report renderers on reports larger than a call's arguments can hold", () => {
    // 400,000 violations: spreading their lines into push() overflows the stack (RangeError).
    const resources: EngineResource[] = [];
    const violations: EngineViolation[] = [];
    for (let i = 0; i < 100_000; i++) {
        const urn = `urn:pulumi:check::k8sprod::kubernetes:apps/v1:Deployment::ns/d${i}`;
        resources.push({ urn, type: "kubernetes:apps/v1:Deployment", name: `d${i}`, namespace: "ns", properties: {}, file: "big.yaml", document: i });
        for (const policy of ["p-a", "p-b", "p-c"]) {
            violations.push({ policyPack: "k8sprod-kubernetes", policy, enforcementLevel: "mandatory", urn, message: `Deployment "d${i}": a\nsecond line` });
        }
        violations.push({ policyPack: "k8sprod-aws", policy: "p-d", enforcementLevel: "advisory", urn,
            message: `can't run policy 'p-d' from policy pack 'k8sprod-aws@v0.1.0' during preview: string value at .x can't be known during preview` });
    }
    const ctx: ReportContext = { command: "check big.yaml", locations: new Map(), stackResource: { type: "pulumi:pulumi:Stack", name: "k8sprod-check" } };
    const report = buildReport(resources, violations, ctx, []);

    it("text renders every violation line", () => {
        const text = renderCheckText(report, ctx, 1);
        assert.strictEqual(text.match(/^ {8}second line$/gm)?.length, 300_000);
        assert.strictEqual(text.match(/^ {2}k8sprod-aws\/p-d on Deployment ns\/d\d+: string value at \.x can't be known during preview$/gm)?.length, 100_000);
    });

    it("JSON in pieces is byte for byte JSON.stringify's", () => {
        assert.strictEqual([...jsonChunks(report)].join(""), JSON.stringify(report, null, 2));
    });

    it("SARIF renders every result and every notification", () => {
        const log = JSON.parse(renderSarif(report, ctx, { version: "0.0.0", exitCode: 1 }));
        assert.strictEqual(log.runs[0].results.length, 300_000);
        assert.strictEqual(log.runs[0].invocations[0].toolExecutionNotifications.length, 100_000);
    });
});
