import * as assert from "assert";
import { WebService } from "../../components/workloads";
import { analyze } from "../../cli/engine/analyzer";
import { kubernetesPack, resourceOf } from "../helpers/policy";
import { assertValidObjects } from "../helpers/schema";
import { apiArgs, podSpec, record } from "./fixtures";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SA = "kubernetes:core/v1:ServiceAccount";
const SERVICE = "kubernetes:core/v1:Service";

describe("WebService", () => {
    it("emits only objects that validate against the Kubernetes OpenAPI schema and the VPA CRD", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({
            verticalPodAutoscaler: true,
            serviceAccount: { rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }], clusterRoles: ["view"] },
            ingressFrom: [{ namespace: "ingress", podLabels: { app: "gateway" } }, { cidr: "10.0.0.0/16", except: ["10.0.5.0/24"] }],
        })));
        const objects = mocks.kubernetesObjects();
        assert.deepStrictEqual(new Set(objects.map((o) => o.kind)), new Set([
            "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service", "HorizontalPodAutoscaler",
            "PodDisruptionBudget", "NetworkPolicy", "VerticalPodAutoscaler",
        ]));
        await assertValidObjects(objects);
    });

    it("keeps its default QoS (Burstable, limits 2 × requests, the field guide's starting point) within what require-guaranteed-qos accepts", async () => {
        const objects = (await record(() => new WebService("api", apiArgs()))).kubernetesObjects();
        const deployment = objects.find((o) => o.kind === "Deployment")!;
        const resources = deployment.spec.template.spec.containers[0].resources;
        assert.notDeepStrictEqual(resources.limits, resources.requests, "the default is Burstable");
        const qos = (config?: Record<string, any>) => analyze([kubernetesPack()], objects.map((o) => resourceOf(o)), config)
            .then((vs) => vs.filter((v) => v.policy === "require-guaranteed-qos").map((v) => v.message));
        assert.deepStrictEqual(await qos(), []);
        // Asked for Guaranteed only, the policy names the default; qos "Guaranteed" meets it.
        assert.strictEqual((await qos({ "require-guaranteed-qos": { maxLimitToRequestRatio: 1 } })).length, 1);
        const guaranteed = (await record(() => new WebService("api", apiArgs({ qos: "Guaranteed" })))).kubernetesObjects();
        assert.deepStrictEqual((await analyze([kubernetesPack()], guaranteed.map((o) => resourceOf(o)), { "require-guaranteed-qos": { maxLimitToRequestRatio: 1 } }))
            .filter((v) => v.policy === "require-guaranteed-qos"), []);
    });

    it("parents every child to the component and prefixes its name", async () => {
        const mocks = await record(() => new WebService("api", apiArgs()));
        const component = mocks.get("k8sprod:workloads:WebService", "api");
        const children = mocks.registrations.filter((r) => r.custom);
        assert.ok(children.length >= 6);
        for (const child of children) {
            assert.strictEqual(child.parent, component.urn, `${child.type} ${child.name} is not a child of the component`);
            assert.ok(child.name.startsWith("api-"), child.name);
        }
    });

    it("runs with the restricted security context and a writable /tmp only", async () => {
        const spec = podSpec((await record(() => new WebService("api", apiArgs()))).get(DEPLOYMENT, "api-deployment"));
        assert.deepStrictEqual(spec.securityContext, { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
        const c = spec.containers[0];
        assert.deepStrictEqual(c.securityContext, {
            allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
            capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepStrictEqual(c.volumeMounts, [{ name: "w-tmp", mountPath: "/tmp" }]);
        assert.deepStrictEqual(spec.volumes, [{ name: "w-tmp", emptyDir: { sizeLimit: "256Mi" } }]);
    });

    it("mounts an emptyDir for each declared writable path", async () => {
        const args = apiArgs();
        args.containers[0].writablePaths = ["/var/cache/nginx"];
        const spec = podSpec((await record(() => new WebService("api", args))).get(DEPLOYMENT, "api-deployment"));
        assert.deepStrictEqual(spec.containers[0].volumeMounts.map((m: any) => m.mountPath), ["/tmp", "/var/cache/nginx"]);
        assert.deepStrictEqual(spec.volumes.map((v: any) => v.name), ["w-tmp", "w-var-cache-nginx"]);
    });

    it("sets requests and limits, with limits at twice the requests by default", async () => {
        const c = podSpec((await record(() => new WebService("api", apiArgs()))).get(DEPLOYMENT, "api-deployment")).containers[0];
        assert.deepStrictEqual(c.resources, {
            requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "256Mi" },
            limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "512Mi" },
        });
    });

    it("sets limits equal to requests for Guaranteed QoS", async () => {
        const c = podSpec((await record(() => new WebService("api", apiArgs({ qos: "Guaranteed" })))).get(DEPLOYMENT, "api-deployment")).containers[0];
        assert.deepStrictEqual(c.resources, {
            requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "256Mi" },
            limits: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "512Mi" },
        });
    });

    it("keeps an explicit limit", async () => {
        const args = apiArgs();
        args.containers[0].resources.limits = { memory: "1Gi" };
        const c = podSpec((await record(() => new WebService("api", args))).get(DEPLOYMENT, "api-deployment")).containers[0];
        assert.deepStrictEqual(c.resources.limits, { cpu: "500m", memory: "1Gi", "ephemeral-storage": "512Mi" });
    });

    it("scales with an autoscaling/v2 HPA: 3–10 replicas at 70 % CPU, slow down, fast up", async () => {
        const mocks = await record(() => new WebService("api", apiArgs()));
        const hpa = mocks.get(HPA, "api-hpa").inputs;
        assert.strictEqual(hpa.apiVersion, "autoscaling/v2");
        assert.deepStrictEqual(hpa.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "api" });
        assert.strictEqual(hpa.spec.minReplicas, 3);
        assert.strictEqual(hpa.spec.maxReplicas, 10);
        assert.deepStrictEqual(hpa.spec.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
        assert.deepStrictEqual(hpa.spec.behavior.scaleDown, { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] });
        assert.deepStrictEqual(hpa.spec.behavior.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 30 }] });
    });

    it("leaves the replica count to the autoscaler", async () => {
        const deployment = (await record(() => new WebService("api", apiArgs()))).get(DEPLOYMENT, "api-deployment");
        assert.strictEqual(deployment.inputs.spec.replicas, undefined);
    });

    it("scales on memory, per-pod custom metrics and external metrics when asked", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({
            autoscaling: {
                memoryUtilization: 80,
                podsMetrics: [{ name: "http_requests_per_second", averageValue: "100" }],
                externalMetrics: [{ name: "queue_messages_ready", selector: { queue: "orders" }, averageValue: "30" }],
            },
        })));
        const metrics = mocks.get(HPA, "api-hpa").inputs.spec.metrics;
        assert.deepStrictEqual(metrics.map((m: any) => m.type), ["Resource", "Resource", "Pods", "External"]);
        assert.deepStrictEqual(metrics[1].resource, { name: "memory", target: { type: "Utilization", averageUtilization: 80 } });
        assert.deepStrictEqual(metrics[2].pods, { metric: { name: "http_requests_per_second" }, target: { type: "AverageValue", averageValue: "100" } });
        assert.deepStrictEqual(metrics[3].external, { metric: { name: "queue_messages_ready", selector: { matchLabels: { queue: "orders" } } }, target: { type: "AverageValue", averageValue: "30" } });
    });

    it("uses a fixed replica count and no HPA when replicas is given", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({ replicas: 4 })));
        assert.strictEqual(mocks.get(DEPLOYMENT, "api-deployment").inputs.spec.replicas, 4);
        assert.strictEqual(mocks.ofType(HPA).length, 0);
        assert.deepStrictEqual(mocks.get(PDB, "api-pdb").inputs.spec.minAvailable, 3);
    });

    it("derives the PodDisruptionBudget from the replica floor", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({ autoscaling: { minReplicas: 5, maxReplicas: 20 } })));
        const pdb = mocks.get(PDB, "api-pdb").inputs.spec;
        assert.strictEqual(pdb.minAvailable, 4);
        assert.deepStrictEqual(pdb.selector, { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" } });
    });

    it("selects its own pods with the PDB, Service and HPA target", async () => {
        const mocks = await record(() => new WebService("api", apiArgs()));
        const podLabels = mocks.get(DEPLOYMENT, "api-deployment").inputs.spec.template.metadata.labels;
        for (const selector of [mocks.get(PDB, "api-pdb").inputs.spec.selector.matchLabels, mocks.get(SERVICE, "api-service").inputs.spec.selector]) {
            for (const [k, v] of Object.entries(selector)) {
                assert.strictEqual(podLabels[k], v);
            }
        }
    });

    it("spreads replicas across zones and nodes", async () => {
        const spec = podSpec((await record(() => new WebService("api", apiArgs()))).get(DEPLOYMENT, "api-deployment"));
        const [zone, host] = spec.topologySpreadConstraints;
        assert.strictEqual(zone.topologyKey, "topology.kubernetes.io/zone");
        assert.strictEqual(zone.whenUnsatisfiable, "DoNotSchedule");
        assert.strictEqual(zone.maxSkew, 1);
        assert.deepStrictEqual(zone.matchLabelKeys, ["pod-template-hash"]);
        assert.strictEqual(host.topologyKey, "kubernetes.io/hostname");
        const preferred = spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
        assert.strictEqual(preferred[0].podAffinityTerm.topologyKey, "topology.kubernetes.io/zone");
        assert.deepStrictEqual(preferred[0].podAffinityTerm.labelSelector.matchLabels, zone.labelSelector.matchLabels);
    });

    it("has readiness, liveness and startup probes on the first port by default", async () => {
        const c = podSpec((await record(() => new WebService("api", apiArgs()))).get(DEPLOYMENT, "api-deployment")).containers[0];
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
            assert.deepStrictEqual(probe.httpGet, { path: "/healthz", port: 8080 });
        }
        assert.strictEqual(c.startupProbe.failureThreshold, 30);
        assert.strictEqual(c.livenessProbe.failureThreshold, 3);
    });

    it("runs as a dedicated ServiceAccount without a mounted token", async () => {
        const mocks = await record(() => new WebService("api", apiArgs()));
        const sa = mocks.get(SA, "api-sa").inputs;
        assert.strictEqual(sa.metadata.name, "api");
        assert.strictEqual(sa.automountServiceAccountToken, false);
        const spec = podSpec(mocks.get(DEPLOYMENT, "api-deployment"));
        assert.strictEqual(spec.serviceAccountName, "api");
        assert.strictEqual(spec.automountServiceAccountToken, false);
        assert.strictEqual(mocks.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").length, 0);
    });

    it("mounts the token only when asked", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({ serviceAccount: { automountToken: true } })));
        assert.strictEqual(mocks.get(SA, "api-sa").inputs.automountServiceAccountToken, true);
        assert.strictEqual(podSpec(mocks.get(DEPLOYMENT, "api-deployment")).automountServiceAccountToken, true);
    });

    it("binds a Role with the declared rules, and ClusterRoles only inside its namespace", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({
            serviceAccount: { rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"], resourceNames: ["api-config"] }], clusterRoles: ["view"] },
        })));
        const role = mocks.get("kubernetes:rbac.authorization.k8s.io/v1:Role", "api-role").inputs;
        assert.deepStrictEqual(role.rules, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"], resourceNames: ["api-config"] }]);
        const bindings = mocks.ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").map((b) => b.inputs);
        assert.deepStrictEqual(bindings.map((b) => b.roleRef).sort((a, b) => a.kind.localeCompare(b.kind)), [
            { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
            { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "api" },
        ]);
        assert.strictEqual(mocks.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").length, 0);
        for (const b of bindings) {
            assert.deepStrictEqual(b.subjects, [{ kind: "ServiceAccount", name: "api", namespace: "production" }]);
        }
    });

    it("allows egress only to the database on 5432 and DNS, and ingress only from declared sources and Prometheus", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({ ingressFrom: [{ namespace: "ingress-nginx" }] })));
        const np = mocks.get(NETPOL, "api-netpol").inputs.spec;
        assert.deepStrictEqual(np.policyTypes, ["Ingress", "Egress"]);
        assert.deepStrictEqual(np.podSelector, { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" } });
        assert.deepStrictEqual(np.egress[0], {
            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "database", "app.kubernetes.io/instance": "database" } } }],
            ports: [{ port: 5432, protocol: "TCP" }],
        });
        assert.strictEqual(np.egress.length, 2);
        assert.deepStrictEqual(np.egress[1].ports, [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }]);
        assert.deepStrictEqual(np.ingress[0], {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
            ports: [{ port: 8080, protocol: "TCP" }, { port: 9090, protocol: "TCP" }],
        });
        assert.deepStrictEqual(np.ingress[1], {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
            ports: [{ port: 9090, protocol: "TCP" }],
        });
        assert.strictEqual(np.ingress.length, 2);
    });

    it("selects pods of another namespace with both selectors, and of its own with the pod selector alone", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({
            ingressFrom: [{ namespace: "edge", podLabels: { app: "gateway" } }, { namespace: "production", podLabels: { app: "worker" } }],
        })));
        const ingress = mocks.get(NETPOL, "api-netpol").inputs.spec.ingress;
        assert.deepStrictEqual(ingress[0].from, [{ podSelector: { matchLabels: { app: "gateway" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "edge" } } }]);
        assert.deepStrictEqual(ingress[1].from, [{ podSelector: { matchLabels: { app: "worker" } } }]);
    });

    it("annotates pods for Prometheus when a metrics port is given", async () => {
        const meta = (await record(() => new WebService("api", apiArgs()))).get(DEPLOYMENT, "api-deployment").inputs.spec.template.metadata;
        assert.deepStrictEqual(meta.annotations, { "prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus.io/path": "/metrics" });
    });

    it("adds no scrape annotations and no metrics ingress without a metrics port", async () => {
        const mocks = await record(() => new WebService("api", apiArgs({ metricsPort: undefined })));
        assert.deepStrictEqual(mocks.get(DEPLOYMENT, "api-deployment").inputs.spec.template.metadata.annotations, {});
        assert.strictEqual(mocks.get(NETPOL, "api-netpol").inputs.spec.ingress.length, 0);
    });

    it("creates a VerticalPodAutoscaler in Off mode only when asked", async () => {
        const without = await record(() => new WebService("api", apiArgs()));
        assert.strictEqual(without.ofType("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler").length, 0);
        const withVpa = await record(() => new WebService("api", apiArgs({ verticalPodAutoscaler: true })));
        const vpa = withVpa.get("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler", "api-vpa").inputs;
        assert.strictEqual(vpa.spec.updatePolicy.updateMode, "Off");
        assert.deepStrictEqual(vpa.spec.targetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "api" });
    });

    it("exposes a ClusterIP Service on the declared ports", async () => {
        const svc = (await record(() => new WebService("api", apiArgs()))).get(SERVICE, "api-service").inputs.spec;
        assert.strictEqual(svc.type, "ClusterIP");
        assert.deepStrictEqual(svc.ports, [
            { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
            { name: "metrics", port: 9090, targetPort: "metrics", protocol: "TCP" },
        ]);
    });

    it("rolls out without taking a pod down first", async () => {
        const strategy = (await record(() => new WebService("api", apiArgs()))).get(DEPLOYMENT, "api-deployment").inputs.spec.strategy;
        assert.deepStrictEqual(strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } });
    });
});
