import * as assert from "assert";
import { PlatformNamespaceArgs, ProductionPlatform, ProductionPlatformArgs, validateProductionPlatformArgs } from "../../components/platform";
import { criticalPath, waitsFor } from "../../cli/plan/timings";
import { RecordingMocks } from "../helpers/mocks";
import { settle, valueOf } from "../helpers/outputs";
import { freshMocks, paths, refused } from "../cluster/harness";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const container = { name: "app", image: "example/app:1.0.0", ports: [{ name: "http", containerPort: 8080 }], resources: { requests: { cpu: "100m", memory: "128Mi" } }, probes: { readiness: { httpPath: "/ready" } } };
const shop: PlatformNamespaceArgs = {
    name: "shop",
    webServices: [{ name: "web", service: { containers: [container], verticalPodAutoscaler: true } }],
    statefulServices: [{ name: "db", service: { containers: [{ ...container, name: "db" }], volumeClaims: [{ name: "data", mountPath: "/data", size: "10Gi" }] } }],
};
const ARGS: ProductionPlatformArgs = {
    environment: "prod", region: "us-east-1", availabilityZones: ZONES, namespaces: [{ ...shop, settings: { backup: true } }],
    backup: { replicaRegion: "us-west-2" }, delivery: { imageRepositories: ["shop/api"] },
};

async function build(args: ProductionPlatformArgs): Promise<{ mocks: RecordingMocks; platform: ProductionPlatform }> {
    const mocks = await freshMocks();
    const platform = new ProductionPlatform("k8sprod-prod", args);
    await valueOf(platform.namespaces);
    await settle();
    return { mocks, platform };
}

describe("ProductionPlatform (components/platform)", function () {
    this.timeout(600_000);
    let mocks: RecordingMocks;
    let platform: ProductionPlatform;
    before(async () => {
        ({ mocks, platform } = await build(ARGS));
    });

    const one = (type: string) => {
        const found = mocks.ofType(type);
        assert.strictEqual(found.length, 1, `${type}: ${found.map((r) => r.name).join(", ")}`);
        return found[0];
    };
    /** The one registration of `type` named `name` (Velero, Argo CD and the restore drill bring their own namespaces and workloads). */
    const named = (type: string, name: string) => mocks.get(type, name);
    const inNamespace = (type: string, ns: string) => mocks.ofType(type).filter((r) => r.inputs?.metadata?.namespace === ns);

    it("builds the cluster with its network, the four autoscalers and the namespace with its workloads", () => {
        assert.strictEqual(one("k8sprod:cluster:EksCluster").name, "k8sprod-prod-cluster");
        assert.strictEqual(one("k8sprod:network:Vpc").name, "k8sprod-prod-cluster-network");
        for (const t of ["ClusterAutoscaler", "MetricsServer", "VerticalPodAutoscaler", "PrometheusAdapter"]) {
            one(`k8sprod:autoscaling:${t}`);
        }
        // The namespace asked for, and the add-ons' own: Velero's, Argo CD's and the restore drill's scratch namespace.
        assert.deepStrictEqual(mocks.ofType("k8sprod:workloads:ProductionNamespace").map((r) => r.name).sort(), ["argocd", "restore-drill", "shop", "velero"]);
        assert.deepStrictEqual(inNamespace("kubernetes:apps/v1:Deployment", "shop").map((r) => r.inputs.metadata.name), ["web"]);
        assert.deepStrictEqual(inNamespace("kubernetes:apps/v1:StatefulSet", "shop").map((r) => r.inputs.metadata.name), ["db"]);
    });

    it("puts the AWS resources in the region through its own provider and tags them with the environment", () => {
        // The platform's region, and Velero's replica region (backup.replicaRegion).
        assert.deepStrictEqual(mocks.ofType("pulumi:providers:aws").map((r) => r.name).sort(), ["k8sprod-prod-aws", "k8sprod-prod-velero-replica-region"]);
        const provider = named("pulumi:providers:aws", "k8sprod-prod-aws");
        assert.strictEqual(provider.inputs.region, "us-east-1");
        assert.strictEqual(named("pulumi:providers:aws", "k8sprod-prod-velero-replica-region").inputs.region, "us-west-2");
        const cluster = one("aws:eks/cluster:Cluster");
        assert.ok(cluster.provider.startsWith(provider.urn), cluster.provider);
        assert.strictEqual(cluster.inputs.tags.Environment, "prod");
    });

    it("deploys every Kubernetes object through the cluster's provider", async () => {
        const k8s = one("pulumi:providers:kubernetes");
        const objects = mocks.registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.ok(objects.length > 10);
        for (const r of objects) {
            assert.ok(r.provider.startsWith(k8s.urn), `${r.type} ${r.name}`);
        }
        assert.deepStrictEqual(await valueOf(platform.namespaces), ["shop"]);
        assert.deepStrictEqual(await valueOf(platform.serviceHosts), { web: "web.shop.svc.cluster.local", db: "db.shop.svc.cluster.local" });
    });

    it("is no more serial than its dependencies: namespaces and add-ons wait for the cluster, not for each other", () => {
        const byUrn = new Map(mocks.registrations.map((r) => [r.urn, r]));
        const ns = named("kubernetes:core/v1:Namespace", "shop-namespace");
        const adapter = mocks.registrations.find((r) => r.name === "k8sprod-prod-prometheus-adapter-release")!;
        const direct = (r: typeof ns) => waitsFor(r).map((u) => byUrn.get(u)?.type ?? u);
        assert.ok(!direct(ns).some((t) => t.startsWith("k8sprod:autoscaling") || t.startsWith("kubernetes:helm")), direct(ns).join(", "));
        assert.ok(!direct(adapter).some((t) => t.startsWith("k8sprod:workloads") || t === "kubernetes:core/v1:Namespace"), direct(adapter).join(", "));
        const cp = criticalPath(mocks.registrations);
        assert.ok(cp.seconds < cp.serialSeconds / 2, `${cp.seconds} of ${cp.serialSeconds}`);
    });

    it("orders a WebService that asks for a VerticalPodAutoscaler after the VPA's CRDs", () => {
        const web = mocks.get("k8sprod:workloads:WebService", "web");
        const vpa = one("k8sprod:autoscaling:VerticalPodAutoscaler");
        assert.ok(web.dependencies.includes(vpa.urn) || web.dependencies.some((u) => u.includes("k8sprod-prod-vpa")), web.dependencies.join(", "));
        const db = mocks.get("k8sprod:workloads:StatefulService", "db");
        assert.ok(!db.dependencies.some((u) => u.includes("vpa")), db.dependencies.join(", "));
    });

    it("composes observability, backups and delivery: the adapter reads Monitoring's Prometheus, Velero backs up the namespaces that ask", async () => {
        for (const t of ["k8sprod:observability:Monitoring", "k8sprod:observability:Logging", "k8sprod:observability:Tracing", "k8sprod:backup:Velero",
            "k8sprod:backup:RestoreDrill", "k8sprod:delivery:GitOps", "k8sprod:delivery:ImageRepository"]) {
            one(t);
        }
        const adapter = one("k8sprod:autoscaling:PrometheusAdapter");
        // A dependency on a component reaches the engine as dependencies on its children.
        assert.ok(adapter.dependencies.some((u) => u.endsWith("::k8sprod-prod-monitoring") || u.includes("k8sprod:observability:Monitoring$kubernetes:helm.sh/v3:Release::")), adapter.dependencies.join(", "));
        assert.match(await valueOf(platform.prometheusUrl), /^http:\/\/.+monitoring/);
        assert.ok(await valueOf(platform.backupBucketName));
        const drill = mocks.registrations.find((r) => r.type === "kubernetes:batch/v1:CronJob" && JSON.stringify(r.inputs).includes("shop"));
        assert.ok(drill, "the restore drill restores namespace shop");
    });

    it("instruments the platform's namespaces only once they exist", () => {
        const tracing = one("k8sprod:observability:Tracing");
        const ns = named("k8sprod:workloads:ProductionNamespace", "shop");
        assert.ok(tracing.dependencies.includes(ns.urn) || tracing.dependencies.some((u) => u.includes("shop-namespace")), tracing.dependencies.join(", "));
    });

    it("encrypts every log group it creates with a KMS key created before the group", () => {
        const groups = mocks.ofType("aws:cloudwatch/logGroup:LogGroup");
        assert.strictEqual(groups.length, 6, groups.map((g) => g.name).join(", "));
        const keys = new Map(mocks.ofType("aws:kms/key:Key").map((k) => [k.urn, k]));
        for (const g of groups) {
            assert.match(String(g.inputs.kmsKeyId), /^arn:aws:kms:us-east-1:123456789012:key\//, g.name);
            const key = g.dependencies.map((d) => keys.get(d)).find((k) => k !== undefined);
            assert.ok(key, `${g.name} depends on its key`);
            assert.strictEqual(key.inputs.enableKeyRotation, true, key.name);
        }
    });

    it("passes the user's log keys on to the cluster and its network", async () => {
        const cp = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
        const flow = "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000";
        const { mocks: m } = await build({ ...ARGS, controlPlaneLogsKmsKeyArn: cp, network: { flowLogs: { kmsKeyArn: flow } } });
        assert.strictEqual(m.get("aws:cloudwatch/logGroup:LogGroup", "k8sprod-prod-cluster-control-plane").inputs.kmsKeyId, cp);
        assert.strictEqual(m.get("aws:cloudwatch/logGroup:LogGroup", "k8sprod-prod-cluster-network-flow-logs").inputs.kmsKeyId, flow);
        assert.ok(!m.ofType("aws:kms/key:Key").some((k) => /control-plane-logs-key|flow-logs-key/.test(k.name)));
        const bad = validateProductionPlatformArgs("p", { ...ARGS, controlPlaneLogsKmsKeyArn: "alias/mine", network: { flowLogs: { kmsKeyArn: "mine" } } });
        assert.deepStrictEqual(bad.items.map((p) => p.propertyPath).sort(), ["controlPlaneLogsKmsKeyArn", "network.flowLogs.kmsKeyArn"]);
    });

    it("switches add-ons off", async () => {
        const { mocks: m } = await build({ ...ARGS, namespaces: [], addons: { clusterAutoscaler: false, prometheusAdapter: false, backups: false, tracing: false, gitOps: false } });
        const types = new Set(m.registrations.map((r) => r.type));
        for (const t of ["k8sprod:autoscaling:ClusterAutoscaler", "k8sprod:autoscaling:PrometheusAdapter", "k8sprod:backup:Velero", "k8sprod:observability:Tracing", "k8sprod:delivery:GitOps"]) {
            assert.ok(!types.has(t), t);
        }
        assert.ok(types.has("k8sprod:autoscaling:MetricsServer") && types.has("k8sprod:observability:Monitoring"));
    });
});

describe("ProductionPlatform input checks", () => {
    it("reports every problem at once, with paths into the namespaces and workloads, before anything is registered", async () => {
        const mocks = await freshMocks();
        const e = await refused(() => new ProductionPlatform("bad", {
            environment: "Prod",
            region: "us-east-1",
            availabilityZones: ["us-east-1a", "eu-west-1b"],
            kubernetesVersion: "1.29",
            addons: { verticalPodAutoscaler: false },
            backup: { replicaRegion: "us-east-1" },
            namespaces: [
                shop,
                { name: "shop", webServices: [{ name: "web", service: { containers: [{ ...container, image: "example/app" }] } }] },
            ],
        }));
        assert.deepStrictEqual(paths(e).sort(), [
            "availabilityZones[1]",
            "backup.replicaRegion",
            "environment",
            "kubernetesVersion",
            "namespaces[0].webServices[0].service.verticalPodAutoscaler",
            "namespaces[1].name",
            "namespaces[1].webServices[0].name",
            "namespaces[1].webServices[0].service.containers[0].image",
        ]);
        assert.match(e.message, /"eu-west-1b" is not a zone of region us-east-1/);
        assert.match(e.message, /"web" is also a workload in namespace shop/);
        assert.deepStrictEqual(mocks.registrations, []);
    });

    it("builds Argo CD for a platform without namespaces, and refuses a team namespace the platform lacks before anything is registered", async () => {
        assert.deepStrictEqual(validateProductionPlatformArgs("p", { environment: "dev", namespaces: [], addons: { backups: false } }).items, []);
        const { mocks: empty } = await build({ ...ARGS, namespaces: [], addons: { backups: false } });
        assert.strictEqual(empty.ofType("k8sprod:delivery:GitOps").length, 1);
        const mocks = await freshMocks();
        const e = await refused(() => new ProductionPlatform("bad", {
            environment: "dev", availabilityZones: ZONES, addons: { backups: false }, namespaces: [shop],
            delivery: { teams: [{ name: "pay", sourceRepos: ["https://github.com/acme/pay.git"], namespaces: ["payments"] }] },
        }));
        assert.deepStrictEqual(paths(e), ["delivery.teams[0].namespaces[0]"]);
        assert.match(e.message, /"payments" is not a ProductionNamespace of the platform \(shop\)/);
        assert.deepStrictEqual(mocks.registrations, []);
    });

    it("accepts the stacks' shape without a region (the stack's aws:region then applies)", () => {
        assert.deepStrictEqual(validateProductionPlatformArgs("p", { environment: "dev", availabilityZones: ["us-east-1a", "us-east-1b"], backup: { replicaRegion: "us-west-2" } }).items, []);
    });

    it("asks for a replica region while backups are on, and for none when they are off", () => {
        assert.deepStrictEqual(validateProductionPlatformArgs("p", { environment: "dev" }).items.map((p) => p.propertyPath), ["backup.replicaRegion"]);
        assert.deepStrictEqual(validateProductionPlatformArgs("p", { environment: "dev", addons: { backups: false } }).items, []);
    });
});
