// `k8sprod plan` on any Pulumi project (which program it runs is tests/cli/project.spec.ts's subject): the
// critical path and the cost it prints, and the artefacts --out writes (read back by `k8sprod check`).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import type { Registration } from "../../cli/engine/mocks";
import { stackCost } from "../../cli/plan/cost";
import { criticalPath, CREATE_TIMES, DEFAULT_CREATE_TIME } from "../../cli/plan/timings";
import { ROOT, bin } from "./helpers";
import { sarifErrors } from "./sarif";

function tempDir(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-project-"));
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
}

function reg(name: string, type: string, opts: Partial<Registration> = {}): Registration {
    return {
        type, name, urn: `urn:pulumi:s::p::${type}::${name}`, inputs: {}, wire: {}, parent: "", dependencies: [], propertyDependencies: {},
        provider: "", custom: true, remote: false, ...opts,
    };
}

describe("the critical path of pulumi up", () => {
    it("is the longest chain of create times, beside the serial sum; parallel branches do not add up", () => {
        const vpc = reg("vpc", "aws:ec2/vpc:Vpc");
        const nat = reg("nat", "aws:ec2/natGateway:NatGateway", { dependencies: [vpc.urn] });
        const cluster = reg("cluster", "aws:eks/cluster:Cluster", { propertyDependencies: { vpcConfig: [vpc.urn] } });
        const cp = criticalPath([vpc, nat, cluster]);
        const t = (type: string) => (CREATE_TIMES[type] ?? DEFAULT_CREATE_TIME).seconds;
        assert.strictEqual(cp.seconds, t("aws:ec2/vpc:Vpc") + t("aws:eks/cluster:Cluster"));
        assert.strictEqual(cp.serialSeconds, t("aws:ec2/vpc:Vpc") + t("aws:eks/cluster:Cluster") + t("aws:ec2/natGateway:NatGateway"));
        assert.deepStrictEqual(cp.chain.map((s) => s.name), ["vpc", "cluster"]);
    });

    it("waits for a provider's inputs, and for every resource of a component it depends on", () => {
        const cluster = reg("cluster", "aws:eks/cluster:Cluster");
        const provider = reg("k8s", "pulumi:providers:kubernetes", { propertyDependencies: { kubeconfig: [cluster.urn] } });
        const component = reg("vpa", "k8sprod:autoscaling:VerticalPodAutoscaler", { custom: false });
        const release = reg("vpa-release", "kubernetes:helm.sh/v3:Release", { parent: component.urn, provider: `${provider.urn}::id` });
        const deployment = reg("api", "kubernetes:apps/v1:Deployment", { dependencies: [component.urn] });
        const cp = criticalPath([cluster, provider, component, release, deployment]);
        assert.deepStrictEqual(cp.chain.map((s) => s.name), ["cluster", "vpa-release", "api"]);
        assert.strictEqual(cp.seconds, CREATE_TIMES["aws:eks/cluster:Cluster"].seconds + CREATE_TIMES["kubernetes:helm.sh/v3:Release"].seconds + CREATE_TIMES["kubernetes:apps/v1:Deployment"].seconds);
    });

    it("gives every create time a source", () => {
        for (const [type, t] of Object.entries(CREATE_TIMES)) {
            assert.ok(t.seconds > 0 && t.source.length > 10, type);
        }
    });
});

describe("the monthly cost of fixed resources", () => {
    it("prices the control plane, NAT gateways with their addresses, nodes with their volumes, and claimed storage", () => {
        const lt = reg("lt", "aws:ec2/launchTemplate:LaunchTemplate", { inputs: { blockDeviceMappings: [{ ebs: { volumeSize: 50 } }] } });
        const cost = stackCost([
            reg("c", "aws:eks/cluster:Cluster"),
            reg("nat", "aws:ec2/natGateway:NatGateway", { inputs: { connectivityType: "public" } }),
            reg("ip", "aws:ec2/eip:Eip"),
            lt,
            reg("ng", "aws:eks/nodeGroup:NodeGroup", { inputs: { instanceTypes: ["m7i.large"], scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 4 } }, propertyDependencies: { launchTemplate: [lt.urn] } }),
            reg("db", "kubernetes:apps/v1:StatefulSet", { inputs: { spec: { replicas: 3, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "50Gi" } } } }] } } }),
        ]);
        const m = (item: RegExp) => cost.lines.find((l) => item.test(l.item))?.monthly;
        assert.strictEqual(m(/^EKS control plane/), 73);
        assert.strictEqual(Number(m(/^NAT gateway/)!.toFixed(2)), 32.85);
        assert.strictEqual(Number(m(/^public IPv4/)!.toFixed(2)), 3.65);
        assert.strictEqual(Number(m(/^nodes of ng/)!.toFixed(2)), 147.17);
        assert.strictEqual(m(/^root volumes of ng/), 8);
        assert.strictEqual(m(/^volumes data of StatefulSet db/), 12);
        assert.strictEqual(Number(cost.monthly.toFixed(2)), Number((73 + 32.85 + 3.65 + 147.168 + 8 + 12).toFixed(2)));
        // at the maximum of 4 nodes: two more nodes and their volumes
        assert.strictEqual(Number((cost.monthlyAtMax - cost.monthly).toFixed(2)), Number((147.168 + 8).toFixed(2)));
    });

    it("names an instance type it has no price for instead of guessing one", () => {
        const cost = stackCost([reg("ng", "aws:eks/nodeGroup:NodeGroup", { inputs: { instanceTypes: ["x9z.huge"], scalingConfig: { desiredSize: 1, maxSize: 1 } } })]);
        const line = cost.lines.find((l) => l.item.startsWith("nodes of ng"))!;
        assert.strictEqual(line.monthly, undefined);
        assert.match(line.source, /no price for x9z\.huge/);
    });
});

describe("k8sprod plan on a TypeScript project of its own (no build step)", function () {
    this.timeout(600_000);
    let dir: string;
    let out: string;
    let r: ReturnType<typeof bin>;

    before(() => {
        dir = tempDir({
            "Pulumi.yaml": "name: shop\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: src/index.ts\nstackConfigDir: stacks\n",
            "stacks/Pulumi.test.yaml": "config:\n  shop:replicas: 2\n",
            "src/index.ts": [
                'import * as pulumi from "@pulumi/pulumi";',
                'import * as k8s from "@pulumi/kubernetes";',
                'import { labels } from "./labels";',
                "const replicas: number = new pulumi.Config().requireNumber(\"replicas\");",
                'const ns = new k8s.core.v1.Namespace("shop", { metadata: { name: "shop", labels } });',
                'new k8s.apps.v1.Deployment("web", { metadata: { name: "web", namespace: ns.metadata.name }, spec: { replicas,',
                '  selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } },',
                '  spec: { containers: [{ name: "web", image: "nginx:latest" }] } } } });',
                'export const namespace = ns.metadata.name;',
            ].join("\n"),
            "src/labels.ts": 'export const labels: Record<string, string> = { team: "shop" };\n',
        });
        // The project's dependencies: this package's node_modules, as an installed project would have its own.
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        out = path.join(dir, "out");
        r = bin(["plan", "--out", out, "--no-progress"], { cwd: path.join(dir, "src") });
    });

    it("finds the project above the working directory, picks its only stack and compiles its TypeScript", () => {
        assert.strictEqual(r.code, 1, r.stderr);
        assert.match(r.stdout, /Previewing update \(test\), offline/);
        assert.match(r.stdout, /kubernetes:apps\/v1:Deployment +web +create/);
        assert.match(r.stdout, /\[mandatory\] k8sprod-kubernetes\/disallow-latest-tag/);
    });

    it("prints the critical path beside the serial sum, and the cost of fixed resources", () => {
        assert.match(r.stdout, /Critical path of `pulumi up`.*\n {4}\S+ along the longest dependency chain; \S+ if every resource were created one after another/);
        assert.match(r.stdout, /Monthly cost of fixed resources: none found/);
    });

    it("writes the reports, the Kubernetes objects and the resource graph", () => {
        assert.deepStrictEqual(fs.readdirSync(out).sort(), ["graph.mmd", "kubernetes.yaml", "report.json", "report.sarif", "report.txt"]);
        assert.strictEqual(fs.readFileSync(path.join(out, "report.txt"), "utf8"), r.stdout);
        const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8"));
        assert.ok(report.violations.some((v: any) => v.policy === "disallow-latest-tag" && v.enforcementLevel === "mandatory"));
        assert.ok(report.plan.criticalPathSeconds > 0 && report.plan.criticalPathSeconds <= report.plan.serialSeconds);
        assert.deepStrictEqual(sarifErrors(JSON.parse(fs.readFileSync(path.join(out, "report.sarif"), "utf8"))), []);
        const docs = parseAllDocuments(fs.readFileSync(path.join(out, "kubernetes.yaml"), "utf8")).map((d) => d.toJS());
        assert.deepStrictEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), ["Namespace/shop", "Deployment/web"]);
        assert.strictEqual(docs[1].spec.replicas, 2);
        const graph = fs.readFileSync(path.join(out, "graph.mmd"), "utf8");
        assert.match(graph, /^flowchart LR\n/);
        // the Deployment waits for its Namespace (its metadata.namespace is the Namespace's output)
        const idOf = (name: string) => new RegExp(`(r\\d+)\\["[^"]*<br/>${name}"\\]`).exec(graph)![1];
        assert.ok(graph.includes(`${idOf("shop")} --> ${idOf("web")}`), graph);
    });

    it("writes YAML that k8sprod check reads as it reads any manifest, with the same verdict", () => {
        const check = bin(["check", path.join(out, "kubernetes.yaml"), "--format", "json"]);
        assert.strictEqual(check.code, 1, check.stderr);
        const report = JSON.parse(check.stdout);
        assert.deepStrictEqual(report.resources.map((x: any) => x.name).sort(), ["shop", "web"]);
        assert.ok(report.violations.some((v: any) => v.policy === "disallow-latest-tag" && v.resource.name === "web"));
    });
});
