// The NetworkPolicies of the observability namespaces: every namespace the three components create is default-deny
// for ingress and egress (by the Kubernetes pack's own reading, too), and the connections each part needs are
// allowed while their near misses are not, evaluated with NetworkPolicy semantics over everything the platform's
// components emit together (tests/helpers/netpol.ts). Pod labels are the ones the charts and operators give
// their pods: Prometheus and Alertmanager `app.kubernetes.io/name` (Prometheus Operator), the collectors'
// `app.kubernetes.io/component`/`instance` (OpenTelemetry Operator 0.158.0, manifestutils.SelectorLabels).
import * as assert from "assert";
import { Logging, Monitoring, Tracing, TracingArgs } from "../../components/observability";
import { ProductionNamespace, WebService } from "../../components/workloads";
import { KUBE_DNS } from "../../components/workloads/defaults";
import { defaultDenied } from "../../policies/kubernetes/namespaces";
import { apiArgs } from "../workloads/fixtures";
import { Endpoint, PolicyObject, allowed } from "../helpers/netpol";
import { CLUSTER, deploy } from "./harness";
import { RecordingMocks } from "../helpers/mocks";
import { thrown } from "../helpers/outputs";
import * as pulumi from "@pulumi/pulumi";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const pod = (namespace: string, labels: Record<string, string> = {}): Endpoint => ({ namespace, labels });
const PROMETHEUS = pod("monitoring", { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus" });
const ALERTMANAGER = pod("monitoring", { "app.kubernetes.io/name": "alertmanager" });
const GRAFANA = pod("monitoring", { "app.kubernetes.io/name": "grafana" });
const PROM_OPERATOR = pod("monitoring", { app: "kube-prometheus-stack-operator" });
const NODE_EXPORTER = pod("node-exporter", { "app.kubernetes.io/name": "prometheus-node-exporter" });
const FLUENT_BIT = pod("logging", { "app.kubernetes.io/name": "fluent-bit", "app.kubernetes.io/instance": "fluent-bit" });
const collector = (name: string) => pod("tracing", { "app.kubernetes.io/component": "opentelemetry-collector", "app.kubernetes.io/instance": `tracing.${name}`, "app.kubernetes.io/managed-by": "opentelemetry-operator" });
const INGEST = collector("traces-ingest");
const SAMPLER = collector("traces-sampler");
const OTEL_OPERATOR = pod("tracing", { "app.kubernetes.io/name": "opentelemetry-operator", "app.kubernetes.io/component": "controller-manager" });
const ADAPTER = pod("kube-system", { "app.kubernetes.io/name": "prometheus-adapter" });
const KUBE_DNS_POD = pod(KUBE_DNS.namespace, KUBE_DNS.labels);
const API = pod("production", { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" });
const API_SERVER: Endpoint = { ip: "10.0.12.34" };
const AWS_ENDPOINT: Endpoint = { ip: "52.94.133.131" };
const METADATA: Endpoint = { ip: "169.254.169.254" };

const XRAY: TracingArgs = { exporter: { type: "awsxray" }, region: CLUSTER.region, oidcProviderArn: CLUSTER.oidcProviderArn, oidcProviderUrl: CLUSTER.oidcProviderUrl };

/** The VPC block the nodes and the API server endpoints are in. */
const VPC = ["10.0.0.0/16"];

/** The platform's observability with a traced WebService in `production`, as one program. */
async function platform(tracing: TracingArgs = XRAY, cidrs: string[] | null = VPC): Promise<RecordingMocks> {
    const clusterCidrs = cidrs ?? undefined;
    return deploy(() => {
        new Monitoring("monitoring", { clusterCidrs });
        new Logging("logging", { ...CLUSTER, clusterCidrs });
        new Tracing("tracing", { ...tracing, instrumentedNamespaces: ["production"], clusterCidrs });
        new ProductionNamespace("production", {});
        new WebService("api", apiArgs({ tracing: { language: "java" } }));
    });
}

function policiesOf(mocks: RecordingMocks): PolicyObject[] {
    return mocks.kubernetesObjects().filter((o) => o.kind === "NetworkPolicy") as PolicyObject[];
}

describe("Observability NetworkPolicies", () => {
    let policies: PolicyObject[];
    let mocks: RecordingMocks;
    before(async () => {
        mocks = await platform();
        policies = policiesOf(mocks);
    });

    it("makes every namespace the components create default-deny for ingress and egress", async () => {
        const created = mocks.ofType(NAMESPACE).map((r) => r.inputs.metadata.name).filter((n: string) => n !== "production").sort();
        assert.deepStrictEqual(created, ["logging", "monitoring", "node-exporter", "tracing"]);
        for (const ns of created) {
            const mine = policies.filter((p) => p.metadata.namespace === ns);
            const deny = mine.find((p) => p.metadata.name === "default-deny-all");
            assert.deepStrictEqual(deny?.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }, ns);
            // The pack's reading: some policy selects every pod for each direction and none of them allows all.
            assert.deepStrictEqual(defaultDenied(mine.map((p) => ({ props: p }) as any)), { Ingress: true, Egress: true }, ns);
            // Nothing else an arbitrary pod of another namespace may reach, on any port tried.
            for (const port of [80, 443, 4317, 8080, 9090, 9093, 3000]) {
                assert.ok(!allowed(policies, pod("elsewhere"), pod(ns, { "app.kubernetes.io/name": "prometheus" }), port), `${ns}:${port}`);
            }
        }
    });

    it("lets every pod that resolves names reach kube-dns, and node exporter none", () => {
        for (const p of [PROMETHEUS, GRAFANA, FLUENT_BIT, INGEST, SAMPLER, OTEL_OPERATOR]) {
            assert.ok(allowed(policies, p, KUBE_DNS_POD, 53, "UDP"), JSON.stringify(p));
            assert.ok(allowed(policies, p, KUBE_DNS_POD, 53, "TCP"), JSON.stringify(p));
        }
        assert.ok(!allowed(policies, NODE_EXPORTER, KUBE_DNS_POD, 53, "UDP"));
    });

    it("lets Prometheus scrape across namespaces: workloads' metrics, Fluent Bit, the collectors, node exporter, kubelets", () => {
        assert.ok(allowed(policies, PROMETHEUS, API, 9090), "the WebService's metricsPort");
        assert.ok(!allowed(policies, PROMETHEUS, API, 8080), "not the WebService's serving port");
        assert.ok(allowed(policies, PROMETHEUS, FLUENT_BIT, 2020));
        assert.ok(allowed(policies, PROMETHEUS, INGEST, 8888));
        assert.ok(allowed(policies, PROMETHEUS, SAMPLER, 8888));
        assert.ok(allowed(policies, PROMETHEUS, NODE_EXPORTER, 9100));
        assert.ok(allowed(policies, PROMETHEUS, { ip: "10.0.33.7" }, 10250), "kubelet and cAdvisor on the node address");
        assert.ok(!allowed(policies, PROMETHEUS, AWS_ENDPOINT, 10250), "node ports only inside clusterCidrs");
        assert.ok(!allowed(policies, GRAFANA, FLUENT_BIT, 2020), "only Prometheus scrapes out of the namespace");
        assert.ok(!allowed(policies, FLUENT_BIT, INGEST, 8888), "metrics ports are open to the monitoring namespace only");
        assert.ok(!allowed(policies, PROMETHEUS, FLUENT_BIT, 2021));
    });

    it("lets Grafana query Prometheus, Prometheus reach Alertmanager, Alertmanager reach its receivers on 443 only", () => {
        assert.ok(allowed(policies, GRAFANA, PROMETHEUS, 9090));
        assert.ok(allowed(policies, PROMETHEUS, ALERTMANAGER, 9093));
        assert.ok(allowed(policies, ALERTMANAGER, ALERTMANAGER, 9094, "UDP"), "gossip between replicas");
        assert.ok(allowed(policies, ALERTMANAGER, AWS_ENDPOINT, 443));
        assert.ok(!allowed(policies, ALERTMANAGER, AWS_ENDPOINT, 25));
        assert.ok(!allowed(policies, GRAFANA, AWS_ENDPOINT, 443), "Grafana does not reach the internet");
        assert.ok(!allowed(policies, ALERTMANAGER, METADATA, 80));
    });

    it("lets PrometheusAdapter's namespace query Prometheus, and no other", () => {
        assert.ok(allowed(policies, ADAPTER, PROMETHEUS, 9090));
        assert.ok(!allowed(policies, API, PROMETHEUS, 9090));
        assert.ok(!allowed(policies, ADAPTER, ALERTMANAGER, 9093));
    });

    it("lets the API server call the operators' webhooks, and the operators watch the API", () => {
        assert.ok(allowed(policies, API_SERVER, PROM_OPERATOR, 10250));
        assert.ok(allowed(policies, API_SERVER, OTEL_OPERATOR, 9443));
        assert.ok(!allowed(policies, API_SERVER, GRAFANA, 3000));
        assert.ok(!allowed(policies, API_SERVER, INGEST, 9443), "the webhook rule is not the collectors'");
        assert.ok(allowed(policies, PROM_OPERATOR, API_SERVER, 443));
        assert.ok(allowed(policies, OTEL_OPERATOR, API_SERVER, 443));
        assert.ok(!allowed(policies, SAMPLER, API_SERVER, 6443), "the collectors do not call the API");
        assert.ok(!allowed(policies, GRAFANA, AWS_ENDPOINT, 443), "the API rule stays inside clusterCidrs");
        assert.ok(!allowed(policies, AWS_ENDPOINT, PROM_OPERATOR, 10250), "webhook calls only from clusterCidrs");
    });

    it("without clusterCidrs, allows the API server's ports to any address but the instance metadata one", async () => {
        const open = policiesOf(await platform(XRAY, null));
        assert.ok(allowed(open, GRAFANA, AWS_ENDPOINT, 443));
        assert.ok(allowed(open, AWS_ENDPOINT, PROM_OPERATOR, 10250));
        assert.ok(!allowed(open, GRAFANA, AWS_ENDPOINT, 80));
        assert.ok(!allowed(open, GRAFANA, METADATA, 443));
        assert.ok(!allowed(open, PROMETHEUS, METADATA, 10250));
    });

    it("refuses clusterCidrs that are empty, malformed or every address, with their paths", () => {
        const err = thrown(() => new Monitoring("m", { clusterCidrs: ["10.0.0.0/33", "0.0.0.0/0", "fd00::/8"] }));
        assert.ok(pulumi.InputPropertiesError.isInstance(err));
        assert.deepStrictEqual(err.errors.map((e: any) => e.propertyPath), ["clusterCidrs[0]", "clusterCidrs[1]", "clusterCidrs[2]"]);
        const empty = thrown(() => new Tracing("t", { ...XRAY, clusterCidrs: [] }));
        assert.deepStrictEqual(empty.errors.map((e: any) => e.propertyPath), ["clusterCidrs"]);
        const logging = thrown(() => new Logging("l", { ...CLUSTER, clusterCidrs: ["10.0.0.300/16"], metricsNamespace: "Monitoring" }));
        assert.deepStrictEqual(logging.errors.map((e: any) => e.propertyPath).sort(), ["clusterCidrs[0]", "metricsNamespace"]);
    });

    it("lets Fluent Bit write to CloudWatch Logs and read pod metadata on 443, never the instance metadata", () => {
        assert.ok(allowed(policies, FLUENT_BIT, AWS_ENDPOINT, 443));
        assert.ok(allowed(policies, FLUENT_BIT, API_SERVER, 443));
        assert.ok(!allowed(policies, FLUENT_BIT, AWS_ENDPOINT, 80));
        assert.ok(!allowed(policies, FLUENT_BIT, METADATA, 80));
        assert.ok(!allowed(policies, FLUENT_BIT, METADATA, 443));
    });

    it("lets the traced workload send OTLP to tier 1, tier 1 load-balance to tier 2, tier 2 export, and nothing more", () => {
        for (const port of [4317, 4318]) {
            assert.ok(allowed(policies, API, INGEST, port), `OTLP ${port}`);
            assert.ok(!allowed(policies, pod("elsewhere"), INGEST, port), "a namespace that is not instrumented");
            assert.ok(!allowed(policies, API, SAMPLER, port), "workloads never reach tier 2");
        }
        assert.ok(allowed(policies, INGEST, SAMPLER, 4317));
        assert.ok(!allowed(policies, INGEST, AWS_ENDPOINT, 443), "tier 1 does not export");
        assert.ok(allowed(policies, SAMPLER, AWS_ENDPOINT, 443), "X-Ray (and STS for IRSA)");
        assert.ok(!allowed(policies, SAMPLER, METADATA, 443));
        assert.ok(!allowed(policies, SAMPLER, INGEST, 4317));
    });

    it("opens tier 2's egress on the OTLP backend's own port, in the cluster or outside", async () => {
        const inCluster = policiesOf(await platform({ exporter: { type: "otlp", endpoint: "tempo.observability.svc:4317", insecure: true } }));
        assert.ok(allowed(inCluster, SAMPLER, pod("observability", { app: "tempo" }), 4317));
        assert.ok(!allowed(inCluster, SAMPLER, AWS_ENDPOINT, 443));
        const outside = policiesOf(await platform({ exporter: { type: "otlphttp", endpoint: "https://otlp.example.com:4318/v1/traces" } }));
        assert.ok(allowed(outside, SAMPLER, AWS_ENDPOINT, 4318));
        assert.ok(!allowed(outside, SAMPLER, AWS_ENDPOINT, 443));
        const https = policiesOf(await platform({ exporter: { type: "otlphttp", endpoint: "https://otlp.example.com" } }));
        assert.ok(allowed(https, SAMPLER, AWS_ENDPOINT, 443));
    });

    it("follows prometheusClientNamespaces and metricsNamespace when given", async () => {
        const custom = policiesOf(await deploy(() => {
            new Monitoring("monitoring", { namespace: "prom", nodeExporterNamespace: "nodes", prometheusClientNamespaces: ["custom-metrics"] });
            new Logging("logging", { ...CLUSTER, metricsNamespace: "prom" });
        }));
        const prom = pod("prom", { "app.kubernetes.io/name": "prometheus" });
        assert.ok(allowed(custom, pod("custom-metrics"), prom, 9090));
        assert.ok(!allowed(custom, ADAPTER, prom, 9090));
        assert.ok(allowed(custom, prom, pod("nodes"), 9100));
        assert.ok(allowed(custom, prom, FLUENT_BIT, 2020));
        assert.ok(!allowed(custom, PROMETHEUS, FLUENT_BIT, 2020), "the default monitoring namespace no longer scrapes it");
    });
});
