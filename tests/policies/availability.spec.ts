import * as assert from "assert";
import { assertNotApplicable, assertNoViolation, assertViolation, violationsOfPolicy } from "../helpers/policy";
import { changed, deployment, goodStack, hpa, namespace, pdb, service } from "./stack";

const without = (kind: string, name?: string) => goodStack().filter((o) => !(o.kind === kind && (name === undefined || o.metadata.name === name)));

describe("availability", () => {
    describe("require-min-replicas", () => {
        it("passes three replicas, and an HPA whose minReplicas is three", () => assertNoViolation("require-min-replicas", goodStack()));
        it("fails two replicas, naming the property", () => assertViolation("require-min-replicas",
            changed("StatefulSet", (s) => { s.spec.replicas = 2; }), ['StatefulSet "db" in namespace "shop" runs 2 replicas', "spec.replicas must be at least 3"]));
        it("fails a Deployment that leaves replicas unset (one replica)", () => assertViolation("require-min-replicas",
            without("HorizontalPodAutoscaler").map((o) => o.kind === "Deployment" ? (delete o.spec.replicas, o) : o), "runs 1 replica (spec.replicas is unset)"));
        it("reads the HPA's minReplicas when an HPA scales the workload", () => assertViolation("require-min-replicas",
            changed("HorizontalPodAutoscaler", (h) => { h.spec.minReplicas = 2; }), 'is scaled by HorizontalPodAutoscaler "web" whose spec.minReplicas is 2'));
        it("takes the threshold from config", () => assertNoViolation("require-min-replicas", changed("StatefulSet", (s) => { s.spec.replicas = 2; }), { "require-min-replicas": { minReplicas: 2 } }));
        it("does not look at DaemonSets or Jobs", async () => {
            const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: "shop" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [] } } } };
            assert.deepStrictEqual(await violationsOfPolicy("require-min-replicas", [ds]), []);
        });
    });

    describe("require-pod-disruption-budget", () => {
        it("passes workloads selected by a PDB", () => assertNoViolation("require-pod-disruption-budget", goodStack()));
        it("fails a replicated Deployment no PDB selects, naming the labels", () => assertViolation("require-pod-disruption-budget",
            without("PodDisruptionBudget", "web"), ['Deployment "web" in namespace "shop" runs up to 10 replicas but no PodDisruptionBudget', 'spec.template.metadata.labels {"app":"web"}']));
        it("fails when the PDB is in another namespace or selects other pods", async () => {
            await assertViolation("require-pod-disruption-budget", changed("PodDisruptionBudget", (p) => { p.metadata.namespace = "other"; }, "web"), 'Deployment "web"');
            await assertViolation("require-pod-disruption-budget", changed("PodDisruptionBudget", (p) => { p.spec.selector = { matchLabels: { app: "api" } }; }, "db"), 'StatefulSet "db"');
        });
        it("does not require a PDB for a single replica", async () => {
            const d = deployment("solo");
            d.spec.replicas = 1;
            assert.deepStrictEqual(await violationsOfPolicy("require-pod-disruption-budget", [namespace(), d]), []);
        });
        it("does not look at objects other than Deployments and StatefulSets", async () => {
            assert.deepStrictEqual(await violationsOfPolicy("require-pod-disruption-budget", [service()]), []);
        });
    });

    describe("disallow-zero-disruption-pdb", () => {
        it("passes a PDB that allows one disruption", () => assertNoViolation("disallow-zero-disruption-pdb", goodStack()));
        it("fails maxUnavailable 0", () => assertViolation("disallow-zero-disruption-pdb",
            changed("PodDisruptionBudget", (p) => { p.spec.maxUnavailable = 0; }, "web"), ['PodDisruptionBudget "web" in namespace "shop" sets spec.maxUnavailable to 0', "blocks every node drain"]));
        it("fails minAvailable 100%", () => assertViolation("disallow-zero-disruption-pdb",
            changed("PodDisruptionBudget", (p) => { delete p.spec.maxUnavailable; p.spec.minAvailable = "100%"; }, "db"), 'spec.minAvailable to "100%"'));
        it("fails minAvailable equal to the replicas it selects", () => assertViolation("disallow-zero-disruption-pdb",
            changed("PodDisruptionBudget", (p) => { delete p.spec.maxUnavailable; p.spec.minAvailable = 3; }, "db"), "sets spec.minAvailable to 3 but selects only 3 pods"));
        it("passes minAvailable below the replicas it selects", () => assertNoViolation("disallow-zero-disruption-pdb",
            changed("PodDisruptionBudget", (p) => { delete p.spec.maxUnavailable; p.spec.minAvailable = 2; }, "db")));
        it("does not look at objects other than PodDisruptionBudgets", async () => {
            assert.deepStrictEqual(await violationsOfPolicy("disallow-zero-disruption-pdb", [deployment()]), []);
        });
    });

    describe("require-hpa-scale-behavior", () => {
        it("passes an HPA with min ≥ 2, max > min and a scale-down window", () => assertNoViolation("require-hpa-scale-behavior", goodStack()));
        it("fails minReplicas 1, naming the property", () => assertViolation("require-hpa-scale-behavior",
            changed("HorizontalPodAutoscaler", (h) => { h.spec.minReplicas = 1; }), ['HorizontalPodAutoscaler "web" in namespace "shop": spec.minReplicas is 1 and must be at least 2']));
        it("fails maxReplicas not above minReplicas", () => assertViolation("require-hpa-scale-behavior",
            changed("HorizontalPodAutoscaler", (h) => { h.spec.maxReplicas = 3; }), "spec.maxReplicas (3) must be greater than spec.minReplicas (3)"));
        it("fails a missing scale-down stabilization window", () => assertViolation("require-hpa-scale-behavior",
            changed("HorizontalPodAutoscaler", (h) => { delete h.spec.behavior; }), "spec.behavior.scaleDown.stabilizationWindowSeconds is unset"));
        it("fails autoscaling/v1, which cannot set behavior", async () => {
            const v1 = { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "old", namespace: "shop" }, spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, minReplicas: 3, maxReplicas: 6 } };
            await assertViolation("require-hpa-scale-behavior", [v1], "autoscaling/v1 cannot set spec.behavior");
        });
        it("does not apply to a Deployment", () => assertNotApplicable("require-hpa-scale-behavior", deployment()));
        it("takes minReplicas from config", () => assertNoViolation("require-hpa-scale-behavior",
            changed("HorizontalPodAutoscaler", (h) => { h.spec.minReplicas = 1; }), { "require-hpa-scale-behavior": { minReplicas: 1 } }));
    });

    describe("require-zone-spread", () => {
        it("passes a zone topology spread constraint that selects the pods", () => assertNoViolation("require-zone-spread", goodStack()));
        it("passes preferred pod anti-affinity on the zone key", () => assertNoViolation("require-zone-spread", changed("Deployment", (d) => {
            delete d.spec.template.spec.topologySpreadConstraints;
            d.spec.template.spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] } } }] } };
        })));
        it("fails spreading by hostname only, naming the property", () => assertViolation("require-zone-spread",
            changed("Deployment", (d) => { d.spec.template.spec.topologySpreadConstraints[0].topologyKey = "kubernetes.io/hostname"; }),
            ['Deployment "web" in namespace "shop" does not spread its pods across zones', "spec.template.spec.topologySpreadConstraints", "topologyKey topology.kubernetes.io/zone"]));
        it("fails a zone constraint whose selector does not match the pods", () => assertViolation("require-zone-spread",
            changed("StatefulSet", (s) => { s.spec.template.spec.topologySpreadConstraints[0].labelSelector = { matchLabels: { app: "other" } }; }), 'StatefulSet "db"'));
        it("does not apply to a single replica", async () => {
            const d = deployment();
            d.spec.replicas = 1;
            delete d.spec.template.spec.topologySpreadConstraints;
            await assertNotApplicable("require-zone-spread", d, "at most one replica");
        });
        it("does not apply to a Service", () => assertNotApplicable("require-zone-spread", service()));
    });

    describe("require-probes", () => {
        it("passes containers with readiness and liveness probes", () => assertNoViolation("require-probes", goodStack()));
        it("fails a container without a readiness probe, naming the property", () => assertViolation("require-probes",
            changed("Deployment", (d) => { delete d.spec.template.spec.containers[0].readinessProbe; }),
            ['Deployment "web" in namespace "shop": container "app" has no readiness probe', "spec.template.spec.containers[0].readinessProbe"]));
        it("fails a probe with no handler", () => assertViolation("require-probes",
            changed("StatefulSet", (s) => { s.spec.template.spec.containers[0].livenessProbe = { periodSeconds: 10 }; }), "has no liveness probe"));
        it("does not apply to Jobs (they run to completion)", () => assertNotApplicable("require-probes",
            { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j", namespace: "shop" }, spec: { template: { spec: { containers: [{ name: "c", image: "x:1" }] } } } }));
        it("does not apply to a PodDisruptionBudget", () => assertNotApplicable("require-probes", pdb()));
        it("ignores init containers", () => assertNoViolation("require-probes", changed("Deployment", (d) => { d.spec.template.spec.initContainers = [{ name: "init", image: "x:1" }]; })));
        it("is not fooled by an HPA object", async () => { await assertNotApplicable("require-probes", hpa()); });
    });
});

describe("availability: a budget must budget", () => {
    it("require-pod-disruption-budget fails a PDB with neither minAvailable nor maxUnavailable", () => assertViolation("require-pod-disruption-budget",
        changed("PodDisruptionBudget", (p) => { delete p.spec.maxUnavailable; }, "web"), 'is selected by PodDisruptionBudget "web", which sets neither spec.minAvailable nor spec.maxUnavailable'));
});
