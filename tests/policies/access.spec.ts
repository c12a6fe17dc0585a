import * as assert from "assert";
import { evaluate } from "../../cli/engine/analyzer";
import { assertNotApplicable, assertNoViolation, assertViolation, kubernetesPack, violationsOfPolicy } from "../helpers/policy";
import { changed, deployment, goodStack, role, roleBinding, service } from "./stack";

describe("access", () => {
    describe("require-dedicated-service-account", () => {
        it("passes a workload with its own ServiceAccount", () => assertNoViolation("require-dedicated-service-account", goodStack()));
        it("fails an unset serviceAccountName, naming the property", () => assertViolation("require-dedicated-service-account",
            changed("Deployment", (d) => { delete d.spec.template.spec.serviceAccountName; }),
            ['Deployment "web" in namespace "shop" runs as the namespace\'s default ServiceAccount because spec.template.spec.serviceAccountName is unset']));
        it("fails serviceAccountName default", () => assertViolation("require-dedicated-service-account",
            changed("StatefulSet", (s) => { s.spec.template.spec.serviceAccountName = "default"; }), 'sets spec.template.spec.serviceAccountName to "default"'));
        it("does not apply to a Service", () => assertNotApplicable("require-dedicated-service-account", service()));
    });

    describe("disallow-service-account-token-automount", () => {
        it("passes pods that turn the token off", () => assertNoViolation("disallow-service-account-token-automount", goodStack()));
        it("passes pods that leave it unset when their ServiceAccount turns it off", () => assertNoViolation("disallow-service-account-token-automount",
            changed("Deployment", (d) => { delete d.spec.template.spec.automountServiceAccountToken; })));
        // The good stack binds the web ServiceAccount to a Role (it calls the API): these cases take the binding away.
        const unbound = (objects: Array<Record<string, any>>) => objects.filter((o) => o.kind !== "RoleBinding");
        it("fails automountServiceAccountToken true, naming the property", () => assertViolation("disallow-service-account-token-automount",
            unbound(changed("Deployment", (d) => { d.spec.template.spec.automountServiceAccountToken = true; })),
            ['Deployment "web" in namespace "shop" sets spec.template.spec.automountServiceAccountToken to true']));
        it("fails unset on the pod and on its ServiceAccount", () => assertViolation("disallow-service-account-token-automount",
            unbound(changed("ServiceAccount", (sa) => { delete sa.automountServiceAccountToken; }, "web").map((o) => o.kind === "Deployment" ? (delete o.spec.template.spec.automountServiceAccountToken, o) : o)),
            'ServiceAccount "web" does not set automountServiceAccountToken to false'));
        it("accepts the token of a workload whose ServiceAccount a RoleBinding of the stack binds (it calls the API)", () => assertNoViolation("disallow-service-account-token-automount",
            changed("Deployment", (d) => { d.spec.template.spec.automountServiceAccountToken = true; })));
        it("allows an exempted workload that calls the API", () => assertNoViolation("disallow-service-account-token-automount",
            changed("Deployment", (d) => { d.spec.template.spec.automountServiceAccountToken = true; }),
            { "disallow-service-account-token-automount": { exemptions: [{ name: "web", reason: "watches ConfigMaps" }] } }));
        it("does not look at objects without pods", async () => assert.deepStrictEqual(await violationsOfPolicy("disallow-service-account-token-automount", [service()]), []));
    });

    describe("disallow-cluster-admin-binding", () => {
        const binding = (kind: string) => ({
            apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { name: "ops-admin", ...(kind === "RoleBinding" ? { namespace: "shop" } : {}) },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "Group", name: "ops" }],
        });
        it("passes a binding to a narrow role", () => assertNoViolation("disallow-cluster-admin-binding", goodStack()));
        it("fails a ClusterRoleBinding to cluster-admin, naming roleRef and subjects", () => assertViolation("disallow-cluster-admin-binding",
            [binding("ClusterRoleBinding")], ['ClusterRoleBinding "ops-admin" binds roleRef ClusterRole "cluster-admin" to Group "ops"']));
        it("fails a RoleBinding to cluster-admin", () => assertViolation("disallow-cluster-admin-binding", [binding("RoleBinding")], 'RoleBinding "ops-admin" in namespace "shop"'));
        it("does not look at a Role without a binding", async () => assert.deepStrictEqual(await violationsOfPolicy("disallow-cluster-admin-binding", [role()]), []));
    });

    describe("disallow-rbac-wildcards", () => {
        const wild = (rule: Record<string, any>, kind = "Role") => ({ ...role(), kind, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"], ...rule }] });
        it("passes explicit rules", () => assertNoViolation("disallow-rbac-wildcards", goodStack()));
        it("fails a wildcard verb, naming the rule", () => assertViolation("disallow-rbac-wildcards", [wild({ verbs: ["*"] })],
            ['Role "web-config-reader" in namespace "shop": rules[0].verbs contains "*"']));
        it("fails wildcard resources and API groups in a ClusterRole", () => assertViolation("disallow-rbac-wildcards", [wild({ apiGroups: ["*"], resources: ["*/scale"] }, "ClusterRole")],
            ['ClusterRole "web-config-reader"', 'rules[0].apiGroups contains "*"', 'rules[0].resources contains "*/scale"']));
        it("does not apply to a RoleBinding", () => assertNotApplicable("disallow-rbac-wildcards", roleBinding()));
    });

    describe("disallow-default-namespace", () => {
        it("passes objects in their own namespace", () => assertNoViolation("disallow-default-namespace", goodStack()));
        it("fails metadata.namespace default", () => assertViolation("disallow-default-namespace",
            changed("Service", (s) => { s.metadata.namespace = "default"; }, "web"), ['Service "web" in namespace "default" sets metadata.namespace to "default"']));
        it("fails an unset namespace", async () => {
            const d = deployment();
            delete d.metadata.namespace;
            await assertViolation("disallow-default-namespace", [d], "leaves metadata.namespace unset, so it lands in the default namespace");
        });
        it("does not apply to cluster-scoped objects", () => assertNotApplicable("disallow-default-namespace",
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [] }, "namespaced"));
    });
});

describe("access: custom resources", () => {
    it("disallow-default-namespace does not apply to custom resources, whose scope only their CRD knows", () => assertNotApplicable("disallow-default-namespace",
        { apiVersion: "snapshot.storage.k8s.io/v1", kind: "VolumeSnapshotClass", metadata: { name: "ebs" }, driver: "ebs.csi.aws.com", deletionPolicy: "Delete" }, "custom resource"));
});

describe("access: the provider's default namespace", () => {
    it("an object without metadata.namespace lands in its provider's namespace, not in default (all three analyzer paths)", async () => {
        const provider = { urn: "urn:pulumi:test::k8sprod::pulumi:providers:kubernetes::apps", type: "pulumi:providers:kubernetes", name: "apps", properties: { namespace: "apps" } };
        const d = deployment();
        delete d.metadata.namespace;
        const r = { urn: "urn:pulumi:test::k8sprod::kubernetes:apps/v1:Deployment::web", type: "kubernetes:apps/v1:Deployment", name: "web", properties: d, provider: `${provider.urn}::04f0c2a3-id` };
        for (const protocol of ["direct", "handlers", "protobuf"] as const) {
            const ev = await evaluate([kubernetesPack()], [provider, r], undefined, { protocol });
            assert.deepStrictEqual(ev.violations.filter((v) => v.policy === "disallow-default-namespace"), [], protocol);
            const net = ev.violations.find((v) => v.policy === "require-default-deny-network-policy");
            assert.ok(net?.message.includes('Deployment "web" in namespace "apps"'), `${protocol}: ${net?.message}`);
        }
    });
});
