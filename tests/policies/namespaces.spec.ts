import * as assert from "assert";
import { evaluate } from "../../cli/engine/analyzer";
import { assertNotApplicable, assertNoViolation, assertViolation, kubernetesPack, resourceOf, violationsOfPolicy } from "../helpers/policy";
import { changed, defaultDeny, deployment, goodStack, namespace, NS } from "./stack";

describe("namespaces and network", () => {
    describe("require-namespace-pod-security", () => {
        it("passes a namespace that enforces, audits and warns restricted", () => assertNoViolation("require-namespace-pod-security", goodStack()));
        it("fails a missing warn label, naming it", () => assertViolation("require-namespace-pod-security",
            changed("Namespace", (n) => { delete n.metadata.labels["pod-security.kubernetes.io/warn"]; }),
            ['Namespace "shop" must declare Pod Security level restricted for enforce, audit and warn', 'metadata.labels["pod-security.kubernetes.io/warn"] is unset']));
        it("fails enforce baseline", () => assertViolation("require-namespace-pod-security",
            changed("Namespace", (n) => { n.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"; }), 'metadata.labels["pod-security.kubernetes.io/enforce"] is "baseline"'));
        it("allows a lower level where config says so, with its reason", async () => {
            const logging = namespace("logging");
            logging.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged";
            const config = { "require-namespace-pod-security": { namespaceLevels: [{ namespace: "logging", level: "privileged", reason: "fluent-bit reads /var/log from the node" }] } };
            await assertNoViolation("require-namespace-pod-security", [logging], config);
            await assertViolation("require-namespace-pod-security", [logging], 'is "privileged"');
        });
        it("accepts a namespace on its way (warn, then audit, before enforce) as far as the stage config allows", async () => {
            const warnOnly = namespace();
            delete warnOnly.metadata.labels["pod-security.kubernetes.io/enforce"];
            delete warnOnly.metadata.labels["pod-security.kubernetes.io/audit"];
            const audited = namespace();
            delete audited.metadata.labels["pod-security.kubernetes.io/enforce"];
            // At the default stage (enforce) both are refused.
            await assertViolation("require-namespace-pod-security", [warnOnly], 'metadata.labels["pod-security.kubernetes.io/enforce"] is unset');
            await assertViolation("require-namespace-pod-security", [audited], 'metadata.labels["pod-security.kubernetes.io/enforce"] is unset');
            // The pack-wide stage sets how far every namespace must have come.
            await assertNoViolation("require-namespace-pod-security", [warnOnly], { stage: "warn" });
            await assertNoViolation("require-namespace-pod-security", [audited], { stage: "audit" });
            const v = await assertViolation("require-namespace-pod-security", [warnOnly], ["must declare Pod Security level restricted for audit and warn (config allows it to be at stage audit of warn → audit → enforce)",
                'metadata.labels["pod-security.kubernetes.io/audit"] is unset'], { stage: "audit" });
            assert.ok(!v.message.includes("enforce\"] is unset"), v.message);
            // One namespace at a time, with its reason, while the pack enforces.
            const config = { "require-namespace-pod-security": { namespaceStages: [{ namespace: NS, stage: "audit", reason: "the shop team is fixing its pods (ticket SHOP-12)" }] } };
            await assertNoViolation("require-namespace-pod-security", [audited], config);
            await assertViolation("require-namespace-pod-security", [warnOnly], "audit\"] is unset", config);
            await assertViolation("require-namespace-pod-security", [namespace("other"), { ...audited, metadata: { ...audited.metadata, name: "other2" } }], "other2", config);
            // A label that is set must still name the required level, whatever the stage.
            const lowWarn = namespace();
            lowWarn.metadata.labels = { "pod-security.kubernetes.io/warn": "baseline" };
            await assertViolation("require-namespace-pod-security", [lowWarn], 'warn"] is "baseline"', { stage: "warn" });
        });
        it("remediates only the labels of the stages the config requires", async () => {
            const ns = namespace();
            ns.metadata.labels = {};
            const ev = await evaluate([kubernetesPack()], [resourceOf(ns)], { "require-namespace-pod-security": { enforcementLevel: "remediate", stage: "audit" } });
            const rem = ev.remediations.find((r) => r.policy === "require-namespace-pod-security");
            assert.deepStrictEqual(rem?.properties?.metadata.labels, { "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" });
        });
        it("is exempted by namespace for kube-system", async () => {
            const ks = { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } };
            await assertNotApplicable("require-namespace-pod-security", ks, "system", { exemptions: [{ namespace: "kube-system", reason: "system namespace managed by EKS" }] });
        });
        it("does not apply to a Deployment", () => assertNotApplicable("require-namespace-pod-security", deployment()));
        it("remediates by adding the missing labels only, when set to remediate", async () => {
            const ns = namespace();
            delete ns.metadata.labels["pod-security.kubernetes.io/audit"];
            ns.metadata.labels["pod-security.kubernetes.io/warn"] = "baseline";
            const ev = await evaluate([kubernetesPack()], [resourceOf(ns)], { "require-namespace-pod-security": "remediate" });
            const rem = ev.remediations.find((r) => r.policy === "require-namespace-pod-security");
            assert.ok(rem?.properties, JSON.stringify(ev.remediations));
            assert.deepStrictEqual(rem.properties.metadata.labels, {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "baseline",
            });
            // The label it must not change is still reported (as mandatory, as the SDK does after a remediation).
            const v = ev.violations.find((x) => x.policy === "require-namespace-pod-security");
            assert.ok(v && v.message.includes('warn"] is "baseline"') && !v.message.includes('audit"] is unset'), JSON.stringify(ev.violations));
            assert.strictEqual(v.enforcementLevel, "mandatory");
        });
    });

    describe("require-default-deny-network-policy", () => {
        it("passes a namespace with a deny-all policy for Ingress and Egress", () => assertNoViolation("require-default-deny-network-policy", goodStack()));
        it("passes deny-all split into two policies", () => assertNoViolation("require-default-deny-network-policy", [
            ...goodStack().filter((o) => o.kind !== "NetworkPolicy"),
            { ...defaultDeny(), metadata: { name: "deny-in", namespace: NS }, spec: { podSelector: {}, policyTypes: ["Ingress"] } },
            { ...defaultDeny(), metadata: { name: "deny-out", namespace: NS }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }] }] } },
        ]));
        it("fails a namespace with no NetworkPolicy, on the Namespace", () => assertViolation("require-default-deny-network-policy",
            goodStack().filter((o) => o.kind !== "NetworkPolicy"), ['Namespace "shop" runs workloads but no NetworkPolicy denies Ingress and Egress traffic by default', "spec.podSelector {}"]));
        it("fails a policy that covers Ingress only (policyTypes defaults)", () => assertViolation("require-default-deny-network-policy",
            changed("NetworkPolicy", (p) => { delete p.spec.policyTypes; }), "denies Egress traffic by default"));
        it("fails an allow-all rule", () => assertViolation("require-default-deny-network-policy",
            changed("NetworkPolicy", (p) => { p.spec.ingress = [{}]; }), "denies Ingress traffic by default"));
        it("fails a policy that selects only some pods", () => assertViolation("require-default-deny-network-policy",
            changed("NetworkPolicy", (p) => { p.spec.podSelector = { matchLabels: { app: "web" } }; }), "Ingress and Egress"));
        it("reports once, on a workload, when the namespace is not in the stack", () => assertViolation("require-default-deny-network-policy",
            [deployment()], ['Namespace "shop" (not declared in the stack) runs Deployment "web" in namespace "shop", but no NetworkPolicy']));
        it("does not look at namespaces without workloads", async () => assert.deepStrictEqual(await violationsOfPolicy("require-default-deny-network-policy", [namespace()]), []));
    });
});
