// The prod stack (stacks/Pulumi.prod.yaml) run as `pulumi preview` would run it, offline: the platform is built,
// the example app goes onto it through the cluster's Kubernetes provider, and both packs pass it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { analyze, EngineViolation, loadPack } from "../../cli/engine/analyzer";
import { readStackConfig } from "../../cli/plan/config";
import { ProgramRun, runStackProgram } from "../../cli/plan/program";
import { repoRoot } from "../helpers/policy";
import { VELERO_TYPES, scheduleCoversNamespace } from "../../lib/backup";
import { FREQUENT_SCHEDULE_NAME } from "../../components/backup/velero";
import { engineResources } from "./harness";

const PROGRAM = path.join(repoRoot, "dist", "stacks", "index.js");

describe("prod stack (stacks/Pulumi.prod.yaml)", () => {
    let run: ProgramRun;
    let violations: EngineViolation[];

    before(async () => {
        // Another spec may have run the program in this process already: run it afresh.
        for (const key of Object.keys(require.cache).filter((k) => k.startsWith(path.join(repoRoot, "dist", "stacks")))) {
            delete require.cache[key];
        }
        const cfg = readStackConfig(path.join(repoRoot, "stacks", "Pulumi.yaml"), path.join(repoRoot, "stacks"), "prod");
        run = await runStackProgram(PROGRAM, cfg);
        const packs = [loadPack(path.join(repoRoot, "policies", "aws")), loadPack(path.join(repoRoot, "policies", "kubernetes"))];
        // The prod stack's policy config, as `npm start` passes it (stacks/policy/prod.json: the platform's exemptions, each with its reason).
        violations = await analyze(packs, engineResources(run.registrations), {
            "k8sprod-kubernetes": JSON.parse(fs.readFileSync(path.join(repoRoot, "stacks", "policy", "prod.json"), "utf8")),
        });
    });

    it("runs without errors or unanswered lookups", () => {
        assert.deepStrictEqual(run.errors, []);
        assert.deepStrictEqual(run.unanswered, []);
    });

    it("builds the cluster across the three configured zones, a node group in each", () => {
        const types = (t: string) => run.registrations.filter((r) => r.type === t);
        assert.strictEqual(types("k8sprod:cluster:EksCluster").length, 1);
        assert.deepStrictEqual(types("aws:ec2/subnet:Subnet").filter((s) => s.name.includes("-private-")).map((s) => s.inputs.availabilityZone).sort(), ["us-east-1a", "us-east-1b", "us-east-1c"]);
        assert.deepStrictEqual(types("aws:eks/nodeGroup:NodeGroup").map((g) => g.name).sort(), ["k8sprod-prod-cluster-nodes-us-east-1a", "k8sprod-prod-cluster-nodes-us-east-1b", "k8sprod-prod-cluster-nodes-us-east-1c"]);
        assert.strictEqual(types("aws:eks/cluster:Cluster")[0].inputs.name, "k8sprod-prod");
    });

    it("installs the autoscalers and deploys the app through the cluster's Kubernetes provider", () => {
        for (const t of ["k8sprod:platform:ProductionPlatform", "k8sprod:autoscaling:ClusterAutoscaler", "k8sprod:autoscaling:MetricsServer", "k8sprod:autoscaling:VerticalPodAutoscaler", "k8sprod:autoscaling:PrometheusAdapter",
            "k8sprod:workloads:WebService", "k8sprod:workloads:StatefulService"]) {
            assert.strictEqual(run.registrations.filter((r) => r.type === t).length, 1, t);
        }
        const provider = run.registrations.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "k8sprod-prod-cluster-k8s");
        assert.ok(provider);
        const k8sObjects = run.registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.ok(k8sObjects.length > 10);
        for (const r of k8sObjects) {
            assert.ok(r.provider.startsWith(provider.urn), `${r.type} ${r.name} is deployed with the cluster's provider`);
        }
    });

    it("composes Monitoring, Logging and Tracing, and PrometheusAdapter reads the Prometheus that Monitoring installs", () => {
        for (const t of ["k8sprod:observability:Monitoring", "k8sprod:observability:Logging", "k8sprod:observability:Tracing"]) {
            assert.strictEqual(run.registrations.filter((r) => r.type === t).length, 1, t);
        }
        const adapter = run.registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "prometheus-adapter");
        assert.ok(adapter);
        assert.deepStrictEqual(adapter.inputs.values.prometheus, { url: "http://prometheus-operated.monitoring.svc", port: 9090 });
        const stack = run.registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack");
        assert.strictEqual(stack?.inputs.namespace, "monitoring");
    });

    it("tags every AWS resource, so required-tags (advisory) reports nothing", () => {
        assert.deepStrictEqual(violations.filter((v) => v.policy === "required-tags").map((v) => v.message), []);
    });

    it("backs every StatefulService of the example app up with the frequent Schedule, and drills its restore", () => {
        const statefulSets = run.registrations.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
        assert.ok(statefulSets.length > 0);
        const schedules = run.registrations.filter((r) => r.type === VELERO_TYPES.schedule).map((r) => r.inputs);
        const frequent = schedules.find((s) => s.metadata.name === FREQUENT_SCHEDULE_NAME);
        assert.ok(frequent, "the frequent schedule exists");
        for (const sts of statefulSets) {
            const ns = sts.inputs.metadata.namespace;
            assert.ok(scheduleCoversNamespace(frequent.spec.template, ns), `namespace ${ns} of StatefulSet ${sts.inputs.metadata.name} is on the frequent schedule`);
        }
        // require-backup-schedule ran and found nothing to report (it is not merely not applicable).
        assert.deepStrictEqual(violations.filter((v) => v.policy === "require-backup-schedule"), []);
        const drill = run.registrations.find((r) => r.type === "kubernetes:batch/v1:CronJob" && r.inputs.metadata.name === "restore-drill");
        assert.ok(drill);
        const env = Object.fromEntries(drill.inputs.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        assert.strictEqual(env.DRILL_SCHEDULE, FREQUENT_SCHEDULE_NAME);
        assert.strictEqual(env.DRILL_SOURCE_NAMESPACE, statefulSets[0].inputs.metadata.namespace);
    });

    it("passes both packs with zero mandatory violations", () => {
        assert.deepStrictEqual(violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policyPack}/${v.policy}: ${v.message}`), []);
    });
});
