// WebService's `tracing` option: the OpenTelemetry Operator's injection annotation (keys and value semantics of
// operator 0.158.0, internal/instrumentation/annotation.go and docs/auto-instrumentation/README.md at tag v0.158.0),
// NetworkPolicy egress to the tier-1 collector, and its coherence with what Tracing creates.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ProductionNamespace, WebService, WebServiceArgs } from "../../components/workloads";
import { Tracing } from "../../components/observability/tracing";
import { collectorObject } from "../../components/observability/tracing";
import { collectorPodLabels, INGEST_COLLECTOR } from "../../components/observability/instrumentation";
import { thrown } from "../helpers/outputs";
import { violationsOf } from "../helpers/policy";
import { assertValidObjects } from "../helpers/schema";
import { apiArgs, podSpec, record } from "./fixtures";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function annotationsOf(mocks: Awaited<ReturnType<typeof record>>): Record<string, string> {
    return mocks.get(DEPLOYMENT, "api-deployment").inputs.spec.template.metadata.annotations;
}

/** The egress rules of the workload's NetworkPolicy that reach port 4317 or 4318. */
function otlpEgress(mocks: Awaited<ReturnType<typeof record>>): Array<Record<string, any>> {
    const spec = mocks.get(NETPOL, "api-netpol").inputs.spec;
    return spec.egress.filter((r: any) => (r.ports ?? []).some((p: any) => p.port === 4317 || p.port === 4318));
}

function problemsOf(args: WebServiceArgs): Array<{ propertyPath: string; reason: string }> {
    const err = thrown(() => new WebService("api", args));
    assert.ok(pulumi.InputPropertiesError.isInstance(err), `expected an InputPropertiesError, got ${err}`);
    return err.errors;
}

describe("WebService tracing option", () => {
    it("annotates the pod template for the language, naming the namespace's Instrumentation, and opens egress to tier 1 only", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({ tracing: { language: "java" } })));
        const annotations = annotationsOf(mocks);
        assert.strictEqual(annotations["instrumentation.opentelemetry.io/inject-java"], "k8sprod");
        assert.strictEqual(annotations["instrumentation.opentelemetry.io/container-names"], undefined, "one container: the operator's default is the first");
        assert.strictEqual(annotations["prometheus.io/scrape"], "true", "the scrape annotations stay");
        assert.deepStrictEqual(otlpEgress(mocks), [{
            to: [{
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tracing" } },
                podSelector: { matchLabels: { "app.kubernetes.io/component": "opentelemetry-collector", "app.kubernetes.io/instance": "tracing.traces-ingest" } },
            }],
            ports: [{ port: 4317, protocol: "TCP" }, { port: 4318, protocol: "TCP" }],
        }]);
        await assertValidObjects(mocks.kubernetesObjects());
    });

    it("adds nothing without the option", async () => {
        const mocks = await record(() => new WebService("api", apiArgs()));
        assert.deepStrictEqual(Object.keys(annotationsOf(mocks)).filter((k) => k.startsWith("instrumentation.opentelemetry.io/")), []);
        assert.deepStrictEqual(otlpEgress(mocks), []);
    });

    it("names the containers, another Instrumentation and another collector namespace when given", async () => {
        const args = apiArgs({ tracing: { language: "python", containers: ["api"], instrumentation: "python-sdk", collectorNamespace: "otel" } });
        args.containers.push({ ...args.containers[0], name: "sidecar", ports: [] , probes: { readiness: { tcp: true, port: 8080 }, liveness: { tcp: true, port: 8080 }, startup: { tcp: true, port: 8080 } } });
        const mocks = await record(() => new WebService("api", args));
        const annotations = annotationsOf(mocks);
        assert.strictEqual(annotations["instrumentation.opentelemetry.io/inject-python"], "python-sdk");
        assert.strictEqual(annotations["instrumentation.opentelemetry.io/container-names"], "api");
        assert.strictEqual(otlpEgress(mocks)[0].to[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"], "otel");
        assert.strictEqual(otlpEgress(mocks)[0].to[0].podSelector.matchLabels["app.kubernetes.io/instance"], "otel.traces-ingest");
    });

    it("keeps the pod within the Kubernetes pack: tracing adds no violation, and none is mandatory", async () => {
        const image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api:1.4.2";
        const messages = async (tracing?: WebServiceArgs["tracing"]) => {
            const mocks = await record(() => {
                new ProductionNamespace("production", {});
                const args = apiArgs({ tracing });
                args.containers[0].image = image;
                new WebService("api", args);
            });
            return (await violationsOf(mocks.kubernetesObjects())).map((v) => `${v.enforcementLevel} ${v.policy}: ${v.message}`).sort();
        };
        const traced = await messages({ language: "nodejs" });
        assert.deepStrictEqual(traced.filter((m) => m.startsWith("mandatory")), []);
        assert.deepStrictEqual(traced, await messages(undefined));
    });

    it("refuses bad values with their property paths, before creating anything", async () => {
        const bad = (tracing: any) => problemsOf(apiArgs({ tracing }));
        const go = bad({ language: "go" });
        assert.match(go.find((p) => p.propertyPath === "tracing.language")!.reason, /privileged/);
        assert.match(bad({ language: "ruby" }).find((p) => p.propertyPath === "tracing.language")!.reason, /not one of java, nodejs, python, dotnet, sdk/);
        assert.match(bad({ language: "nginx" }).find((p) => p.propertyPath === "tracing.language")!.reason, /read-only root filesystem/);
        const many = bad({ language: "java", containers: ["api", "nope"], instrumentation: "tracing/k8sprod", collectorNamespace: "Tracing" });
        assert.deepStrictEqual(many.map((p) => p.propertyPath).sort(), ["tracing.collectorNamespace", "tracing.containers[1]", "tracing.instrumentation"]);
        assert.match(many.find((p) => p.propertyPath === "tracing.containers[1]")!.reason, /"nope" is not one of the workload's containers \(api\)/);
        assert.match(bad({ language: "java", containers: [] }).find((p) => p.propertyPath === "tracing.containers")!.reason, /at least one/);
        const mocks = await record(() => assert.throws(() => new WebService("api", apiArgs({ tracing: { language: "go" } }))));
        assert.strictEqual(mocks.registrations.length, 0);
    });

    it("is coherent with Tracing: the annotation names the Instrumentation Tracing creates there, the egress selects tier 1's pods", async () => {
        const ws = await record(() => new WebService("api", apiArgs({ tracing: { language: "dotnet" } })));
        const tracing = await record(() => new Tracing("tracing", { exporter: { type: "otlp", endpoint: "tempo.observability.svc:4317" }, instrumentedNamespaces: ["production"] }));
        const inst = tracing.kubernetesObjects().find((o) => o.kind === "Instrumentation")!;
        assert.strictEqual(inst.metadata.namespace, apiArgs().namespace);
        assert.strictEqual(inst.metadata.name, annotationsOf(ws)["instrumentation.opentelemetry.io/inject-dotnet"]);
        assert.match(inst.spec.exporter.endpoint, /^http:\/\/traces-ingest-collector\.tracing\.svc:4318$/);
        // The egress selects the labels the operator gives tier 1's pods; the collector object spreads those same pods.
        const selected = otlpEgress(ws)[0].to[0].podSelector.matchLabels;
        assert.deepStrictEqual(selected, collectorPodLabels("tracing", INGEST_COLLECTOR));
        const spreadLabels = collectorObject({ name: INGEST_COLLECTOR, namespace: "tracing", mode: "deployment", replicas: 2, config: {} }).spec.topologySpreadConstraints[0].labelSelector.matchLabels;
        assert.strictEqual(spreadLabels["app.kubernetes.io/instance"], selected["app.kubernetes.io/instance"]);
        assert.ok(podSpec(ws.get(DEPLOYMENT, "api-deployment")).containers.length === 1);
    });
});
