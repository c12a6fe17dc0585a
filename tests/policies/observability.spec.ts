import * as assert from "assert";
import { assertNoViolation, assertViolation, violationsOfPolicy } from "../helpers/policy";
import { deployment, goodStack, service } from "./stack";

/** The good stack's Deployment with a metrics port, and its Service exposing it. */
function withMetrics(annotate = false): Array<Record<string, any>> {
    const d = deployment();
    d.spec.template.spec.containers[0].ports.push({ name: "metrics", containerPort: 9090 });
    if (annotate) {
        d.spec.template.metadata.annotations = { "prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus.io/path": "/metrics" };
    }
    const s = service();
    s.metadata.labels = { app: "web" };
    s.spec.ports.push({ name: "http-metrics", port: 9090, targetPort: "metrics" });
    return [...goodStack().filter((o) => o.kind !== "Deployment" && o.kind !== "Service"), d, s];
}

const serviceMonitor = (namespaceSelector?: Record<string, unknown>, labels: Record<string, string> = { app: "web" }) => ({
    apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor",
    metadata: { name: "web", namespace: "monitoring" },
    spec: { selector: { matchLabels: labels }, endpoints: [{ port: "http-metrics" }], ...(namespaceSelector ? { namespaceSelector } : {}) },
});

describe("observability", () => {
    describe("require-scrape-target", () => {
        it("passes pods annotated for the kubernetes-pods job (what WebService writes), and their Service", () => assertNoViolation("require-scrape-target", withMetrics(true)));
        it("passes a workload and Service selected by a ServiceMonitor in another namespace that names theirs", () => assertNoViolation("require-scrape-target",
            [...withMetrics(), serviceMonitor({ matchNames: ["shop"] })]));
        it("passes a workload selected by a PodMonitor in its namespace", async () => {
            const objects = withMetrics().filter((o) => o.kind !== "Service");
            objects.push({ apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata: { name: "web", namespace: "shop" }, spec: { selector: { matchLabels: { app: "web" } }, podMetricsEndpoints: [{ port: "metrics" }] } });
            await assertNoViolation("require-scrape-target", objects);
        });
        it("fails a workload with a metrics port and neither annotations nor a monitor, naming the port's path", () => assertViolation("require-scrape-target",
            withMetrics().filter((o) => o.kind !== "Service"),
            ['Deployment "web" in namespace "shop": container "app" exposes metrics port "metrics" (spec.template.spec.containers[0].ports[1])']));
        it("fails a Service with a metrics port that no ServiceMonitor selects", () => assertViolation("require-scrape-target",
            withMetrics(), ['Service "web" in namespace "shop" exposes metrics port "http-metrics" (spec.ports[1])']));
        it("fails when the ServiceMonitor watches another namespace or selects other labels", async () => {
            await assertViolation("require-scrape-target", [...withMetrics(), serviceMonitor()], "exposes metrics port");
            await assertViolation("require-scrape-target", [...withMetrics(), serviceMonitor({ any: true }, { app: "api" })], "exposes metrics port");
        });
        it("ignores ports not named for metrics, and follows a configured pattern", async () => {
            assert.deepStrictEqual(await violationsOfPolicy("require-scrape-target", goodStack()), []);
            await assertViolation("require-scrape-target", goodStack(), 'exposes metrics port "http"', { "require-scrape-target": { metricsPortPattern: "^http$" } });
        });
        it("is advisory", async () => {
            const v = await assertViolation("require-scrape-target", withMetrics(), "exposes metrics port");
            assert.strictEqual(v.enforcementLevel, "advisory");
        });
    });
});
