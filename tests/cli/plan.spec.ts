import * as assert from "assert";
import * as path from "path";
import { ROOT, bin, fixture } from "./helpers";
import { sarifErrors } from "./sarif";

// `k8sprod plan` runs the stack program in its own process (the SDK's runtime state is global), so
// these tests run bin/k8sprod. The fixture program is tests/fixtures/plan-program (compiled to
// dist/), the fixture pack tests/fixtures/plan-pack reports what it received.
const PROGRAM = path.join(ROOT, "dist", "tests", "fixtures", "plan-program", "index.js");
const CONFIG_DIR = path.join(ROOT, "tests", "fixtures", "plan-program");
const TEST_PACK = path.join(ROOT, "tests", "fixtures", "plan-pack");
const fixturePlan = (...args: string[]) => bin(["plan", "--cwd", CONFIG_DIR, "--program", PROGRAM, ...args]);

describe("k8sprod plan", function () {
    this.timeout(600000);

    describe("on a fixture program, with a pack that reports what it receives", () => {
        let r: ReturnType<typeof bin>;
        let report: any;
        before(() => {
            r = fixturePlan("--stack", "dev", "--policy-pack", TEST_PACK, "--format", "json");
            report = JSON.parse(r.stdout);
        });

        it("exits 0: the pack's violations are advisory", () => {
            assert.strictEqual(r.code, 0, r.stderr);
            assert.deepStrictEqual(report.summary, { resources: 4, mandatory: 0, advisory: 2, notEvaluated: 1 });
        });

        it("registers the program's resources under the root stack, with the URNs the engine would give them", () => {
            // The engine qualifies a child's type with its parent's, except the root stack's.
            assert.deepStrictEqual(report.resources.map((x: any) => [x.type, x.name, x.urn]), [
                ["pulumi:pulumi:Stack", "planfixture-dev", "urn:pulumi:dev::planfixture::pulumi:pulumi:Stack::planfixture-dev"],
                ["planfixture:index:Shop", "shop", "urn:pulumi:dev::planfixture::planfixture:index:Shop::shop"],
                ["kubernetes:core/v1:Namespace", "shop-ns", "urn:pulumi:dev::planfixture::planfixture:index:Shop$kubernetes:core/v1:Namespace::shop-ns"],
                ["kubernetes:apps/v1:Deployment", "shop-web", "urn:pulumi:dev::planfixture::planfixture:index:Shop$kubernetes:apps/v1:Deployment::shop-web"],
            ]);
        });

        it("answers the program's lookups, reads the stack config (project namespace, defaults, objects) and runs in preview mode", () => {
            const v = report.violations.find((x: any) => x.policy === "report-deployment");
            assert.strictEqual(v.message,
                "zones=eu-west-1a,eu-west-1b,eu-west-1c account=123456789012 greeting=hello dryRun=true replicas=3 "
                + "parent=urn:pulumi:dev::planfixture::planfixture:index:Shop::shop");
            assert.strictEqual(v.resource.name, "shop-web");
        });

        it("hands outputs that a preview does not know to the pack as unknown values, and reports the policy as not evaluated, not as a violation", () => {
            assert.strictEqual(report.violations.find((x: any) => x.policy === "touch-unknown"), undefined);
            assert.deepStrictEqual(report.notEvaluated, [{
                policyPack: "plan-fixture-pack", policy: "touch-unknown", urn: report.resources[3].urn,
                reason: "string value at .metadata.annotations.namespaceId can't be known during preview",
                resource: { type: "kubernetes:apps/v1:Deployment", name: "shop-web", namespace: "shop" },
            }]);
        });

        it("SARIF: a policy not evaluated is a notification of the run, with its reason, and no result", () => {
            const s = fixturePlan("--stack", "dev", "--policy-pack", TEST_PACK, "--format", "sarif");
            const log = JSON.parse(s.stdout);
            assert.deepStrictEqual(sarifErrors(log), []);
            assert.deepStrictEqual(log.runs[0].results.map((x: any) => x.ruleId).sort(), ["report-deployment", "report-stack"]);
            const notes = log.runs[0].invocations[0].toolExecutionNotifications;
            assert.strictEqual(notes.length, 1);
            assert.strictEqual(notes[0].associatedRule.id, "touch-unknown");
            assert.match(notes[0].message.text, /not evaluated on shop-web during preview: string value at \.metadata\.annotations\.namespaceId can't be known/);
        });

        it("hands the stack policies every resource with its parent and dependencies", () => {
            const v = report.violations.find((x: any) => x.policy === "report-stack");
            assert.strictEqual(v.message, "resources=kubernetes:apps/v1:Deployment,kubernetes:core/v1:Namespace,planfixture:index:Shop,pulumi:pulumi:Stack "
                + "parent=planfixture:index:Shop dependencies=kubernetes:core/v1:Namespace");
            // a stack-wide violation is attributed to the stack resource
            assert.strictEqual(v.urn, "urn:pulumi:dev::planfixture::pulumi:pulumi:Stack::planfixture-dev");
            assert.deepStrictEqual(v.resource, { type: "pulumi:pulumi:Stack", name: "planfixture-dev" });
        });

        it("warns that a secure config value cannot be decrypted offline, and shows progress on stderr", () => {
            assert.match(r.stderr, /planfixture:dbPassword is a secret that cannot be decrypted offline/);
            assert.match(r.stderr, /running the dev stack's program offline/);
            assert.match(r.stderr, /4 resources registered/);
        });
    });

    it("prints the resource tree like pulumi preview, with counts per type", () => {
        const r = fixturePlan("--stack", "dev", "--policy-pack", TEST_PACK, "--no-progress");
        assert.strictEqual(r.code, 0, r.stderr);
        const lines = r.stdout.split("\n");
        const row = (type: string, name: string) => lines.find((l) => l.includes(type) && l.includes(name));
        assert.match(row("pulumi:pulumi:Stack", "planfixture-dev") ?? "", /^ \+ {3}pulumi:pulumi:Stack +planfixture-dev +create$/);
        assert.match(row("planfixture:index:Shop", "shop") ?? "", /^ \+ {3}└─ planfixture:index:Shop +shop +create$/);
        assert.match(row("kubernetes:core/v1:Namespace", "shop-ns") ?? "", /^ \+ {6}├─ kubernetes:core\/v1:Namespace +shop-ns +create$/);
        assert.match(row("kubernetes:apps/v1:Deployment", "shop-web") ?? "", /^ \+ {6}└─ kubernetes:apps\/v1:Deployment +shop-web +create$/);
        assert.match(r.stdout, /Resources:\n {4}\+ 4 to create/);
        assert.match(r.stdout, /Resources by type:\n( {4}1 {2}\S+\n){4}/);
        assert.match(r.stdout, /Not evaluated during preview .*\n {2}plan-fixture-pack\/touch-unknown on Deployment shop\/shop-web: string value at \.metadata\.annotations\.namespaceId can't be known during preview\n/);
        assert.doesNotMatch(r.stdout, /\[advisory\] plan-fixture-pack\/touch-unknown/);
        assert.match(r.stdout, /; 0 mandatory, 2 advisory violations; 1 not evaluated during preview\n/);
        assert.doesNotMatch(r.stderr, /resources registered/);
    });

    it("evaluates every pack in policies/ by default, and exits 1 on a mandatory violation", () => {
        const only = path.relative(ROOT, fixture("only-latest.json"));
        const latest = fixturePlan("--stack", "dev", "--policy-config", only, "--format", "json");
        assert.strictEqual(latest.code, 1, latest.stderr);
        const report = JSON.parse(latest.stdout);
        assert.deepStrictEqual(report.violations.map((v: any) => [v.policyPack, v.policy, v.enforcementLevel, v.resource.name]), [
            ["k8sprod-kubernetes", "disallow-latest-tag", "mandatory", "shop-web"],
        ]);
        const pinned = fixturePlan("--stack", "pinned", "--policy-config", only, "--format", "sarif");
        assert.strictEqual(pinned.code, 0, pinned.stderr);
        const log = JSON.parse(pinned.stdout);
        assert.deepStrictEqual(sarifErrors(log), []);
        assert.deepStrictEqual(log.runs[0].results, []);
    });

    describe("a program that cannot be planned (exit 2)", () => {
        it("names the config the program requires and the stack lacks", () => {
            const r = fixturePlan("--stack", "broken", "--no-progress");
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /the broken stack's program failed/);
            assert.match(r.stderr, /planfixture:replicas/);
            assert.strictEqual(r.stdout, "");
        });

        it("names an invoke the offline engine does not answer", () => {
            const r = fixturePlan("--stack", "unanswered", "--no-progress");
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /does not answer these invokes: aws:ec2\/getVpc:getVpc/);
        });

        it("names a stack that has no config file", () => {
            const r = fixturePlan("--stack", "nope", "--no-progress");
            assert.strictEqual(r.code, 2);
            assert.match(r.stderr, /Pulumi\.nope\.yaml: no such stack config \(stack "nope"\)/);
        });
    });

    it("runs the prod stack's program offline: every lookup it makes is answered", () => {
        const r = bin(["plan", "--stack", "prod", "--format", "json", "--no-progress"]);
        // 0 or 1 is the packs' verdict on the stack; 2 would mean the program could not be planned
        assert.notStrictEqual(r.code, 2, r.stderr);
        const report = JSON.parse(r.stdout);
        const types = report.resources.map((x: any) => x.type);
        for (const t of ["aws:ec2/vpc:Vpc", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "kubernetes:apps/v1:Deployment"]) {
            assert.ok(types.includes(t), `no ${t} in the plan`);
        }
        // one private subnet per answered availability zone
        const subnets = report.resources.filter((x: any) => x.type === "aws:ec2/subnet:Subnet").map((x: any) => x.name);
        assert.ok(subnets.some((n: string) => /private-[a-z]{2}-[a-z]+-\d[abc]$/.test(n)), JSON.stringify(subnets));
    });

    describe("on the project's prod stack (what npm start runs)", () => {
        it("plans the platform and the application with zero mandatory violations from every pack", () => {
            const r = bin(["plan", "--stack", "prod", "--policy-config", "stacks/policy/prod.json", "--format", "json", "--no-progress"]);
            const report = JSON.parse(r.stdout);
            assert.strictEqual(r.code, 0, `${r.stderr}\n${JSON.stringify(report.violations.filter((v: any) => v.enforcementLevel === "mandatory"), null, 2)}`);
            assert.strictEqual(report.summary.mandatory, 0);
            // The project's components trip none of the Kubernetes pack's policies, at any level.
            assert.deepStrictEqual(report.violations.filter((v: any) => v.policyPack === "k8sprod-kubernetes").map((v: any) => `${v.policy}: ${v.message}`), []);
        });

        it("encrypts every log group with a customer-managed key, and log-group-encryption decides each during preview", () => {
            const r = bin(["plan", "--stack", "prod", "--policy-config", "stacks/policy/prod.json", "--format", "json", "--no-progress"]);
            const report = JSON.parse(r.stdout);
            const groups = report.resources.filter((x: any) => x.type === "aws:cloudwatch/logGroup:LogGroup").map((x: any) => x.name).sort();
            // The control-plane group, the VPC's flow-log group and Logging's four class groups are all there to be checked.
            assert.deepStrictEqual(groups, ["application", "audit", "platform", "security"].map((c) => `k8sprod-prod-logging-${c}`)
                .concat(["k8sprod-prod-cluster-control-plane", "k8sprod-prod-cluster-network-flow-logs"]).sort());
            assert.deepStrictEqual(report.violations.filter((v: any) => v.policy === "log-group-encryption").map((v: any) => v.message), []);
            assert.deepStrictEqual(report.notEvaluated.filter((n: any) => n.policy === "log-group-encryption").map((n: any) => `${n.resource.name}: ${n.reason}`), []);
        });
    });

    describe("on the project's dev stack", () => {
        let r: ReturnType<typeof bin>;
        let report: any;
        before(() => {
            r = bin(["plan", "--stack", "dev", "--policy-config", "stacks/policy/dev.json", "--format", "json", "--no-progress"]);
            report = JSON.parse(r.stdout);
        });

        it("plans the stack with zero mandatory violations from every pack", () => {
            assert.strictEqual(r.code, 0, `${r.stderr}\n${JSON.stringify(report.violations.filter((v: any) => v.enforcementLevel === "mandatory"), null, 2)}`);
            assert.strictEqual(report.summary.mandatory, 0);
        });

        it("registers the platform and the example application's workloads", () => {
            const types = new Set(report.resources.map((x: any) => x.type));
            for (const t of ["pulumi:pulumi:Stack", "k8sprod:platform:ProductionPlatform", "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:Namespace"]) {
                assert.ok(types.has(t), `no ${t} in the plan`);
            }
            assert.strictEqual(report.resources[0].urn, "urn:pulumi:dev::k8sprod::pulumi:pulumi:Stack::k8sprod-dev");
        });
    });

    it("asks for --stack when the project has several stacks", () => {
        const r = bin(["plan", "--no-progress"]);
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /Pulumi\.yaml: the project has several stacks \(dev, prod, staging\): choose one with --stack/);
        assert.strictEqual(r.stdout, "");
    });
});
