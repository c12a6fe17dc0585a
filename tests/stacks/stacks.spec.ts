// The three stacks (stacks/Pulumi.{dev,staging,prod}.yaml) run as `pulumi preview` would, offline: each builds one
// ProductionPlatform that differs where real environments do, and passes both packs at its own stage.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { analyze, EngineViolation, loadPack } from "../../cli/engine/analyzer";
import { readStackConfig, StackConfig } from "../../cli/plan/config";
import { ProgramRun, runStackProgram } from "../../cli/plan/program";
import { platformArgs, readStackSettings } from "../../stacks/config";
import { repoRoot } from "../helpers/policy";
import { assertValidObjects } from "../helpers/schema";
import { engineResources } from "../cluster/harness";

const PROGRAM = path.join(repoRoot, "dist", "stacks", "index.js");

/** Runs the compiled stack program afresh (another spec may have required it already). */
async function runProgram(cfg: StackConfig): Promise<ProgramRun> {
    for (const key of Object.keys(require.cache).filter((k) => k.startsWith(path.join(repoRoot, "dist", "stacks")))) {
        delete require.cache[key];
    }
    return runStackProgram(PROGRAM, cfg);
}

const stackConfig = (stack: string) => readStackConfig(path.join(repoRoot, "stacks", "Pulumi.yaml"), path.join(repoRoot, "stacks"), stack);
const policyConfig = (stack: string) => JSON.parse(fs.readFileSync(path.join(repoRoot, "stacks", "policy", `${stack}.json`), "utf8"));

describe("the dev, staging and prod stacks", function () {
    this.timeout(600_000);
    const runs: Record<string, ProgramRun> = {};
    const violations: Record<string, EngineViolation[]> = {};

    before(async () => {
        const packs = [loadPack(path.join(repoRoot, "policies", "aws")), loadPack(path.join(repoRoot, "policies", "kubernetes"))];
        for (const stack of ["dev", "staging", "prod"]) {
            runs[stack] = await runProgram(stackConfig(stack));
            violations[stack] = await analyze(packs, engineResources(runs[stack].registrations), { "k8sprod-kubernetes": policyConfig(stack) });
        }
    });

    const of = (stack: string, type: string) => runs[stack].registrations.filter((r) => r.type === type);

    it("each runs without errors and builds exactly one ProductionPlatform", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            assert.deepStrictEqual(runs[stack].errors, [], stack);
            assert.deepStrictEqual(of(stack, "k8sprod:platform:ProductionPlatform").map((r) => r.name), [`k8sprod-${stack}`]);
        }
    });

    it("gives prod a NAT gateway in each of three zones, dev and staging one", () => {
        const nat = (stack: string) => of(stack, "aws:ec2/natGateway:NatGateway").length;
        const zones = (stack: string) => of(stack, "aws:eks/nodeGroup:NodeGroup").length;
        assert.deepStrictEqual([nat("dev"), nat("staging"), nat("prod")], [1, 1, 3]);
        assert.deepStrictEqual([zones("dev"), zones("staging"), zones("prod")], [2, 3, 3]);
    });

    it("gives dev smaller nodes than staging and prod", () => {
        const types = (stack: string) => [...new Set(of(stack, "aws:eks/nodeGroup:NodeGroup").map((g) => g.inputs.instanceTypes.join(",")))];
        assert.deepStrictEqual(types("dev"), ["t3.large"]);
        assert.deepStrictEqual(types("prod"), ["m7i.large"]);
        const max = (stack: string) => of(stack, "aws:eks/nodeGroup:NodeGroup").reduce((s, g) => s + g.inputs.scalingConfig.maxSize, 0);
        assert.ok(max("dev") < max("staging") && max("staging") < max("prod"), `${max("dev")} ${max("staging")} ${max("prod")}`);
    });

    it("keeps the environments in separate networks, each cluster named after its environment and tagged with it", () => {
        const cidrs = ["dev", "staging", "prod"].map((s) => of(s, "aws:ec2/vpc:Vpc")[0].inputs.cidrBlock);
        assert.strictEqual(new Set(cidrs).size, 3, cidrs.join(" "));
        for (const stack of ["dev", "staging", "prod"]) {
            const cluster = of(stack, "aws:eks/cluster:Cluster")[0];
            assert.strictEqual(cluster.inputs.name, `k8sprod-${stack}`);
            assert.strictEqual(cluster.inputs.tags.Environment, stack);
        }
    });

    it("passes both packs with zero mandatory violations, dev at stage warn, staging at audit, prod at enforce", () => {
        assert.deepStrictEqual(["dev", "staging", "prod"].map((s) => policyConfig(s).stage), ["warn", "audit", "enforce"]);
        for (const stack of ["dev", "staging", "prod"]) {
            assert.deepStrictEqual(violations[stack].filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy}: ${v.message}`), [], stack);
        }
    });

    it("gives every stack the platform's exemptions (policies/kubernetes/examples/platform.json), each stack only its own stage", () => {
        const platform = JSON.parse(fs.readFileSync(path.join(repoRoot, "policies", "kubernetes", "examples", "platform.json"), "utf8"));
        for (const stack of ["dev", "staging", "prod"]) {
            const { stage, ...rest } = policyConfig(stack);
            const { stage: _platformStage, ...platformRest } = platform;
            assert.deepStrictEqual(rest, platformRest, `stacks/policy/${stack}.json drifted from platform.json (${stage})`);
        }
    });

    it("emits only Kubernetes objects that validate against the OpenAPI schema", async () => {
        const objects = runs.dev.registrations
            .filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm") && r.type !== "pulumi:providers:kubernetes")
            .map((r) => r.inputs);
        assert.ok(objects.length >= 15, `only ${objects.length} objects`);
        await assertValidObjects(objects);
    });

    it("lets the example api reach its database on TCP 5432 and nothing else but DNS", () => {
        const netpol = runs.prod.registrations.find((r) => r.name === "api-netpol")!;
        const db = runs.prod.registrations.find((r) => r.name === "database-statefulset")!;
        const egress = netpol.inputs.spec.egress;
        for (const [k, v] of Object.entries(egress[0].to[0].podSelector.matchLabels)) {
            assert.strictEqual(db.inputs.spec.template.metadata.labels[k], v, `the api's egress selector ${k}=${v} does not match the database pods`);
        }
        assert.deepStrictEqual(egress[0].ports, [{ port: 5432, protocol: "TCP" }]);
        assert.deepStrictEqual(egress[1].ports.map((p: any) => p.port), [53, 53]);
        const api = runs.prod.registrations.find((r) => r.name === "api-deployment")!;
        const env = api.inputs.spec.template.spec.containers[0].env;
        assert.deepStrictEqual(env.find((e: any) => e.name === "DATABASE_HOST"), { name: "DATABASE_HOST", value: `${db.inputs.spec.serviceName}.production.svc.cluster.local` });
    });
});

describe("a broken stack config", function () {
    this.timeout(600_000);

    async function runWith(config: Record<string, string>): Promise<ProgramRun> {
        return runProgram({ project: "k8sprod", stack: "broken", config, secretKeys: [], undecryptable: [] });
    }

    it("stops the program with one error naming the file and every bad key: unknown key, wrong type, unsupported version", async () => {
        const base = stackConfig("dev").config;
        const run = await runWith({
            ...base,
            "k8sprod:nodeGroupSize": "3",
            "k8sprod:logRetentionDays": "ninety",
            "k8sprod:kubernetesVersion": "1.29",
            "k8sprod:nodeGroup": JSON.stringify({ instanceTypes: ["t3.large"], minNodes: "two" }),
        });
        assert.strictEqual(run.errors.length, 1, run.errors.join("\n---\n"));
        const message = run.errors[0];
        assert.match(message, /stacks\/Pulumi\.broken\.yaml has 4 invalid settings/);
        assert.match(message, /k8sprod:nodeGroupSize: unknown setting/);
        assert.match(message, /k8sprod:logRetentionDays: must be a number, not "ninety"/);
        assert.match(message, /k8sprod:kubernetesVersion: Kubernetes "1\.29" is not supported; choose one of 1\.33, 1\.34, 1\.35/);
        assert.match(message, /k8sprod:nodeGroup\.minNodes: must be integer/);
        // nothing but the stack itself was registered
        assert.deepStrictEqual(run.registrations.map((r) => r.type), ["pulumi:pulumi:Stack"]);
    });

    it("names a missing environment and a missing region", async () => {
        const { ["k8sprod:environment"]: _e, ["aws:region"]: _r, ...rest } = stackConfig("dev").config;
        const run = await runWith(rest);
        assert.match(run.errors.join("\n"), /k8sprod:environment: is required/);
        assert.match(run.errors.join("\n"), /aws:region: is required/);
    });
});

describe("stack settings for the log keys", () => {
    it("takes a control-plane log key and a flow-log key from the stack file to the platform, and refuses a key that is not a string", () => {
        const cp = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
        const flow = "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000";
        const { settings, region } = readStackSettings({
            "aws:region": "us-east-1", "k8sprod:environment": "prod", "k8sprod:controlPlaneLogsKmsKeyArn": cp,
            "k8sprod:network": JSON.stringify({ flowLogs: { kmsKeyArn: flow } }),
        }, "Pulumi.prod.yaml");
        const args = platformArgs(settings, region);
        assert.strictEqual(args.controlPlaneLogsKmsKeyArn, cp);
        assert.strictEqual(args.network?.flowLogs?.kmsKeyArn, flow);
        assert.throws(() => readStackSettings({ "aws:region": "us-east-1", "k8sprod:environment": "prod", "k8sprod:network": JSON.stringify({ flowLogs: { kmsKeyArn: 7 } }) }, "Pulumi.prod.yaml"),
            /k8sprod:network\.flowLogs\.kmsKeyArn/);
    });
});
