// ProductionPlatform composes WebService's `tracing` option with Tracing coherently: a traced WebService must be in
// a namespace Tracing instruments (where its `k8sprod` Instrumentation is), waits for Tracing so that the
// Instrumentation exists when its pods are admitted, and the observability NetworkPolicies reach the API server and
// nodes inside the platform's VPC block.
import * as assert from "assert";
import { PlatformNamespaceArgs, ProductionPlatform, ProductionPlatformArgs } from "../../components/platform";
import { RecordingMocks } from "../helpers/mocks";
import { settle, valueOf } from "../helpers/outputs";
import { freshMocks, paths, refused } from "../cluster/harness";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const container = { name: "app", image: "example/app:1.0.0", ports: [{ name: "http", containerPort: 8080 }], resources: { requests: { cpu: "100m", memory: "128Mi" } } };
const traced = (ns: string, extra: Record<string, any> = {}): PlatformNamespaceArgs => ({
    name: ns, webServices: [{ name: `${ns}-web`, service: { containers: [container], tracing: { language: "java", ...extra } } }],
});
const BASE: ProductionPlatformArgs = { environment: "prod", region: "us-east-1", availabilityZones: ZONES, backup: { replicaRegion: "us-west-2" } };

async function build(args: ProductionPlatformArgs): Promise<RecordingMocks> {
    const mocks = await freshMocks();
    const platform = new ProductionPlatform("k8sprod-prod", args);
    await valueOf(platform.namespaces);
    await settle();
    return mocks;
}

describe("ProductionPlatform: traced workloads", function () {
    this.timeout(600_000);

    it("instruments the traced WebService's namespace and creates the WebService after Tracing", async () => {
        const mocks = await build({ ...BASE, namespaces: [traced("shop")] });
        const tracing = mocks.get("k8sprod:observability:Tracing", "k8sprod-prod-tracing");
        const web = mocks.get("k8sprod:workloads:WebService", "shop-web");
        assert.ok(web.dependencies.includes(tracing.urn) || web.dependencies.some((u) => u.includes("k8sprod:observability:Tracing$")), web.dependencies.join(", "));
        const inst = mocks.kubernetesObjects().find((o) => o.kind === "Instrumentation")!;
        assert.deepStrictEqual([inst.metadata.namespace, inst.metadata.name], ["shop", "k8sprod"]);
        const deployment = mocks.kubernetesObjects().find((o) => o.kind === "Deployment" && o.metadata.name === "shop-web")!;
        assert.strictEqual(deployment.spec.template.metadata.annotations["instrumentation.opentelemetry.io/inject-java"], inst.metadata.name);
        const otlp = mocks.kubernetesObjects().find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "allow-otlp-from-instrumented")!;
        assert.deepStrictEqual(otlp.spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }]);
    });

    it("limits the observability namespaces' API server and node peers to the VPC's block", async () => {
        for (const [network, cidr] of [[undefined, "10.0.0.0/16"], [{ cidrBlock: "10.42.0.0/16" }, "10.42.0.0/16"]] as const) {
            const mocks = await build({ ...BASE, ...(network ? { network } : {}), namespaces: [traced("shop")] });
            const api = mocks.kubernetesObjects().filter((o) => o.kind === "NetworkPolicy" && o.metadata.name === "allow-kubernetes-api");
            assert.deepStrictEqual(api.map((p) => p.metadata.namespace).sort(), ["logging", "monitoring", "tracing"]);
            for (const p of api) {
                assert.deepStrictEqual(p.spec.egress[0].to, [{ ipBlock: { cidr } }], p.metadata.namespace);
            }
        }
    });

    it("refuses a traced WebService outside the traced namespaces, without Tracing, or pointed at other collectors; and traced namespaces it does not create", async () => {
        const mocks = await freshMocks();
        const e = await refused(() => new ProductionPlatform("bad", {
            ...BASE,
            observability: { tracedNamespaces: ["shop", "elsewhere"] },
            namespaces: [traced("shop", { collectorNamespace: "otel" }), traced("blog")],
        }));
        assert.deepStrictEqual(paths(e).sort(), [
            "namespaces[0].webServices[0].service.tracing.collectorNamespace",
            "namespaces[1].webServices[0].service.tracing",
            "observability.tracedNamespaces[1]",
        ]);
        assert.match(e.message, /namespace blog is not in observability.tracedNamespaces/);
        const off = await refused(() => new ProductionPlatform("bad", { ...BASE, addons: { tracing: false }, namespaces: [traced("shop")] }));
        assert.deepStrictEqual(paths(off), ["namespaces[0].webServices[0].service.tracing"]);
        assert.match(off.message, /needs the tracing add-on/);
        assert.deepStrictEqual(mocks.registrations, []);
        // Its own Instrumentation (another name) is the user's to create: no tracedNamespaces check then.
        await build({ ...BASE, observability: { tracedNamespaces: [] }, namespaces: [traced("shop", { instrumentation: "custom" })] });
    });
});
