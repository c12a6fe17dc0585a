// The practices the peer linters (kube-score, kube-linter, Polaris) check and the pack learned in
// issue 13: each with a failing and a passing fixture written here from the good stack.
import * as assert from "assert";
import { disallowReplicasWithHpa } from "../../policies/kubernetes/availability";
import { assertNotApplicable, assertNoViolation, assertViolation, resourceOf, violationsOfPolicy } from "../helpers/policy";
import { changed, deployment, goodStack, hpa, pdb, service } from "./stack";

describe("practices from the peers", () => {
    describe("disallow-replicas-with-hpa", () => {
        it("passes a Deployment that leaves replicas to its HorizontalPodAutoscaler", () => assertNoViolation("disallow-replicas-with-hpa", goodStack()));
        it("fails a Deployment that sets replicas while an HPA scales it, naming both", async () => {
            const v = await assertViolation("disallow-replicas-with-hpa", changed("Deployment", (d) => { d.spec.replicas = 3; }),
                ['Deployment "web" in namespace "shop" sets spec.replicas to 3 while HorizontalPodAutoscaler "web" scales it', "remove spec.replicas"]);
            assert.strictEqual(v.enforcementLevel, "mandatory");
        });
        it("fails a StatefulSet scaled by an HPA that sets replicas", () => {
            const stack = goodStack();
            stack.push({ ...hpa("db"), spec: { ...hpa("db").spec, scaleTargetRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: "db" } } });
            return assertViolation("disallow-replicas-with-hpa", stack, 'StatefulSet "db" in namespace "shop" sets spec.replicas to 3');
        });
        it("passes replicas when the HPA scales another workload, or lives in another namespace", async () => {
            await assertNoViolation("disallow-replicas-with-hpa", [deployment(), hpa("other")]);
            const elsewhere = hpa();
            elsewhere.metadata.namespace = "elsewhere";
            await assertNoViolation("disallow-replicas-with-hpa", [deployment(), elsewhere]);
        });
        // Under the Pulumi CLI a stack policy sees outputs (the live object: spec.replicas defaulted by the API
        // server or set by the autoscaler) while each resource was analyzed with its inputs first; the real
        // engine's e2e (tests/e2e) found the dev stack refused for a count it never set.
        it("judges the replicas the program sent (the inputs analyzed first), not the live object's count", () => {
            const run = (sent: Record<string, any>) => {
                const live = { ...sent, spec: { ...sent.spec, replicas: 3 }, status: { replicas: 3 } };
                const resource = (o: Record<string, any>) => ({ ...resourceOf(o), props: o, opts: {}, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined });
                const urn = resourceOf(sent).urn;
                (disallowReplicasWithHpa as any).validateResource({ type: resourceOf(sent).type, urn, name: resourceOf(sent).name, props: sent, opts: {}, getConfig: () => ({}) }, () => assert.fail("validateResource reports nothing"));
                const reported: string[] = [];
                disallowReplicasWithHpa.validateStack({ resources: [resource(live), resource(hpa())], getConfig: () => ({}) } as any, (message: string) => reported.push(message));
                return reported;
            };
            const left = deployment();
            delete left.spec.replicas;
            assert.deepStrictEqual(run(left), []);
            const set = deployment();
            set.spec.replicas = 2;
            const reported = run(set);
            assert.strictEqual(reported.length, 1);
            assert.ok(reported[0].includes('Deployment "web" in namespace "shop" sets spec.replicas to 2 while'), reported[0]);
        });
        it("honours an exemption from config", () => assertNoViolation("disallow-replicas-with-hpa", [deployment(), hpa()],
            { "disallow-replicas-with-hpa": { exemptions: [{ name: "web", reason: "the chart sets replicas; the HPA is being rolled out" }] } }));
    });

    describe("require-ephemeral-storage", () => {
        it("passes containers that request and limit ephemeral-storage", () => assertNoViolation("require-ephemeral-storage", goodStack()));
        it("fails, as advisory, a container without them, naming both properties", async () => {
            const v = await assertViolation("require-ephemeral-storage", changed("Deployment", (d) => {
                const r = d.spec.template.spec.containers[0].resources;
                delete r.requests["ephemeral-storage"];
                delete r.limits["ephemeral-storage"];
            }), ['Deployment "web" in namespace "shop": container "app" sets no ephemeral-storage request and no limit',
                'spec.template.spec.containers[0].resources.requests["ephemeral-storage"] and spec.template.spec.containers[0].resources.limits["ephemeral-storage"]']);
            assert.strictEqual(v.enforcementLevel, "advisory");
        });
        it("fails an init container with only a request", () => assertViolation("require-ephemeral-storage", changed("StatefulSet", (s) => {
            s.spec.template.spec.initContainers = [{ name: "migrate", image: "registry.example.com/m:1.0.0", resources: { requests: { "ephemeral-storage": "64Mi" } } }];
        }), ['init container "migrate" sets no ephemeral-storage limit', "initContainers[0].resources.limits"]));
        it("does not apply to a Service", () => assertNotApplicable("require-ephemeral-storage", service()));
    });

    describe("disallow-secret-env", () => {
        it("passes a Secret mounted as a file", () => assertNoViolation("disallow-secret-env", changed("Deployment", (d) => {
            d.spec.template.spec.volumes.push({ name: "db", secret: { secretName: "db", defaultMode: 0o440 } });
            d.spec.template.spec.containers[0].volumeMounts.push({ name: "db", mountPath: "/run/secrets/db", readOnly: true });
            d.spec.template.spec.containers[0].env = [{ name: "DB_PASSWORD_FILE", value: "/run/secrets/db/password" }, { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }];
        })));
        it("fails, as advisory, a secretKeyRef in env, naming Secret, key, variable and path", async () => {
            const v = await assertViolation("disallow-secret-env", changed("Deployment", (d) => {
                d.spec.template.spec.containers[0].env = [{ name: "A", value: "1" }, { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }];
            }), ['container "app" reads Secret "db" key "password" into environment variable "DB_PASSWORD"', "spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef"]);
            assert.strictEqual(v.enforcementLevel, "advisory");
        });
        it("fails envFrom a Secret, in init containers too", () => assertViolation("disallow-secret-env", changed("Deployment", (d) => {
            d.spec.template.spec.initContainers = [{ name: "init", image: "registry.example.com/i:1.0.0", envFrom: [{ configMapRef: { name: "c" } }, { secretRef: { name: "all-keys" } }] }];
        }), ['init container "init" reads every key of Secret "all-keys"', "initContainers[0].envFrom[1].secretRef"]));
    });

    describe("require-pdb-unhealthy-pod-eviction-policy", () => {
        it("passes AlwaysAllow", () => assertNoViolation("require-pdb-unhealthy-pod-eviction-policy", goodStack()));
        it("fails, as advisory, a budget that does not set it", async () => {
            const budget = pdb();
            delete budget.spec.unhealthyPodEvictionPolicy;
            const v = await assertViolation("require-pdb-unhealthy-pod-eviction-policy", budget,
                ['PodDisruptionBudget "web" in namespace "shop" does not set spec.unhealthyPodEvictionPolicy', "set it to AlwaysAllow"]);
            assert.strictEqual(v.enforcementLevel, "advisory");
        });
        it("fails IfHealthyBudget unless config allows it", async () => {
            const budget = pdb();
            budget.spec.unhealthyPodEvictionPolicy = "IfHealthyBudget";
            await assertViolation("require-pdb-unhealthy-pod-eviction-policy", budget, 'sets spec.unhealthyPodEvictionPolicy to "IfHealthyBudget"; it must be AlwaysAllow');
            await assertNoViolation("require-pdb-unhealthy-pod-eviction-policy", budget, { "require-pdb-unhealthy-pod-eviction-policy": { allowed: ["AlwaysAllow", "IfHealthyBudget"] } });
        });
        it("does not apply to a Deployment", () => assertNotApplicable("require-pdb-unhealthy-pod-eviction-policy", deployment()));
    });

    describe("require-high-uid-gid", () => {
        it("passes uid and gid 10001 set on the pod", () => assertNoViolation("require-high-uid-gid", goodStack()));
        it("fails, as advisory, a uid below 10000 and an unset gid", async () => {
            const v = await assertViolation("require-high-uid-gid", changed("Deployment", (d) => {
                d.spec.template.spec.securityContext.runAsUser = 999;
                delete d.spec.template.spec.securityContext.runAsGroup;
            }), ['Deployment "web" in namespace "shop": container "app": runAsUser is 999 and runAsGroup is unset', "to at least 10000"]);
            assert.strictEqual(v.enforcementLevel, "advisory");
        });
        it("reads a container's own securityContext before the pod's", async () => {
            await assertViolation("require-high-uid-gid", changed("Deployment", (d) => { d.spec.template.spec.containers[0].securityContext.runAsGroup = 0; }), "runAsGroup is 0");
            await assertNoViolation("require-high-uid-gid", changed("Deployment", (d) => {
                delete d.spec.template.spec.securityContext.runAsUser;
                Object.assign(d.spec.template.spec.containers[0].securityContext, { runAsUser: 20000 });
            }));
        });
        it("takes the minimum from config", () => assertNoViolation("require-high-uid-gid", changed("Deployment", (d) => {
            d.spec.template.spec.securityContext.runAsUser = 1001;
            d.spec.template.spec.securityContext.runAsGroup = 1001;
        }), { "require-high-uid-gid": { minimum: 1000 } }));
    });

    describe("require-zone-spread, when replicas exceed zones", () => {
        const five = (change?: (d: Record<string, any>) => void) => {
            const d = deployment();
            d.spec.replicas = 5;
            change?.(d);
            return d;
        };
        it("fails 5 replicas in 3 zones spread only by zone, naming the hostname key", () => assertViolation("require-zone-spread", five(),
            ['Deployment "web" in namespace "shop" runs 5 replicas in 3 zones', "topologyKey kubernetes.io/hostname"]));
        it("passes with a hostname spread constraint, or preferred anti-affinity on the hostname", async () => {
            await assertNoViolation("require-zone-spread", five((d) => d.spec.template.spec.topologySpreadConstraints.push(
                { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } })));
            await assertNoViolation("require-zone-spread", five((d) => {
                d.spec.template.spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } } } }] } };
            }));
        });
        it("does not ask for it at or below the zone count, or when config has more zones or turns it off", async () => {
            await assertNoViolation("require-zone-spread", deployment());
            await assertNoViolation("require-zone-spread", five(), { "require-zone-spread": { zones: 6 } });
            await assertNoViolation("require-zone-spread", five(), { "require-zone-spread": { hostnameSpread: false } });
        });
        it("does not count a hostname constraint that selects other pods", () => assertViolation("require-zone-spread", five((d) => d.spec.template.spec.topologySpreadConstraints.push(
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "other" } } })), "runs 5 replicas"));
    });

    describe("require-image-digest (opt-in)", () => {
        const tagged = () => changed("Deployment", (d) => { d.spec.template.spec.containers[0].image = "registry.example.com/web:1.4.2"; });
        it("is disabled by default", async () => assert.deepStrictEqual(await violationsOfPolicy("require-image-digest", tagged()), []));
        it("fails a tag without a digest once enabled", () => assertViolation("require-image-digest", tagged(),
            ['container "app" uses image "registry.example.com/web:1.4.2", which is not pinned by digest', "spec.template.spec.containers[0].image"], { "require-image-digest": "mandatory" }));
        it("passes a digest once enabled", () => assertNoViolation("require-image-digest", changed("Deployment", (d) => {
            d.spec.template.spec.containers[0].image = `registry.example.com/web:1.4.2@sha256:${"a".repeat(64)}`;
        }).filter((o) => o.kind === "Deployment"), { "require-image-digest": "advisory" }));
    });
});
