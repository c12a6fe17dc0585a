// False positives and misses seen when `k8sprod check` ran over 15 public Helm charts (issue 8), each
// on a stream of its shape (tests/fixtures/chart-shapes, written here): what must not be reported is
// not, and what must be is.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { analyze, EngineViolation } from "../../cli/engine/analyzer";
import { kubernetesPack, repoRoot, resourceOf } from "../helpers/policy";

const DIR = path.join(repoRoot, "tests", "fixtures", "chart-shapes");

function objects(file: string): Array<Record<string, any>> {
    return parseAllDocuments(fs.readFileSync(path.join(DIR, file), "utf8")).map((d) => d.toJS()).filter((o) => o && typeof o === "object");
}

async function check(file: string, config?: Record<string, any>, extra: Array<Record<string, any>> = []): Promise<EngineViolation[]> {
    const objs = [...objects(file), ...extra];
    return analyze([kubernetesPack()], objs.map((o, i) => resourceOf(o, `${o.kind}-${o.metadata?.namespace ?? ""}-${o.metadata?.name ?? i}`)), config);
}

const about = (vs: EngineViolation[], policy: string, name?: string) => vs.filter((v) => v.policy === policy && (name === undefined || v.message.includes(`"${name}"`)));

describe("chart shapes: false positives and misses seen on 15 Helm charts", () => {
    describe("Helm test hooks (helm.sh/hook: test) are not workloads", () => {
        let vs: EngineViolation[];
        before(async () => {
            vs = await check("helm-test-hook.yaml");
        });
        it("are not asked for probes, a dedicated ServiceAccount, no token, a QoS class or a namespace default-deny of their own", () => {
            for (const p of ["require-probes", "require-dedicated-service-account", "disallow-service-account-token-automount", "require-guaranteed-qos"]) {
                assert.deepStrictEqual(about(vs, p, "dashboards-test").map((v) => v.message), [], p);
            }
        });
        it("are still checked for what the cluster will refuse or run: Pod Security, images, resources", async () => {
            const [deployment, hook] = objects("helm-test-hook.yaml");
            hook.spec.securityContext.runAsNonRoot = false;
            hook.spec.containers[0].image = "registry.example.com/bats:latest";
            delete hook.spec.containers[0].resources;
            const found = await analyze([kubernetesPack()], [resourceOf(deployment), resourceOf(hook)]);
            for (const p of ["pod-security-run-as-non-root", "disallow-latest-tag", "require-resource-requests"]) {
                assert.strictEqual(about(found, p, "dashboards-test").length, 1, p);
            }
        });
        it("leave the release's Deployment checked as before", () => {
            // The Deployment is in a namespace the stream does not declare: default-deny is still its concern.
            // (The advisory hardening policies of issue 13 — ephemeral-storage, uid/gid — also report on it; the mandatory ones are these.)
            // allowed-image-registries (issue 11's default list) refuses registry.example.com, for the Deployment and the hook alike.
            assert.deepStrictEqual(vs.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy).sort(),
                ["allowed-image-registries", "allowed-image-registries", "require-default-deny-network-policy", "require-pod-disruption-budget"]);
            assert.match(about(vs, "require-default-deny-network-policy")[0].message, /runs Deployment "dashboards" in namespace "monitoring", but no NetworkPolicy/);
        });
    });

    describe("require-probes and run-to-completion pods", () => {
        let vs: EngineViolation[];
        before(async () => {
            vs = await check("run-to-completion.yaml");
        });
        it("asks nothing of Jobs, CronJobs, nor bare Pods with restartPolicy Never or OnFailure", () => {
            for (const name of ["db-migrate", "nightly-report", "cache-warmup", "schema-check"]) {
                assert.deepStrictEqual(about(vs, "require-probes", name), [], name);
            }
        });
        it("still asks a long-running bare Pod (restartPolicy Always, the default) for its probes", () => {
            assert.strictEqual(about(vs, "require-probes", "sidecar-proxy").length, 1);
        });
    });

    describe("disallow-service-account-token-automount and controllers that call the API", () => {
        let vs: EngineViolation[];
        before(async () => {
            vs = await check("controller-rbac.yaml");
        });
        it("accepts the token where the stream binds the ServiceAccount to a ClusterRole or a Role (a RoleBinding subject defaults to the binding's namespace)", () => {
            assert.deepStrictEqual(about(vs, "disallow-service-account-token-automount", "cert-issuer").map((v) => v.message), []);
            assert.deepStrictEqual(about(vs, "disallow-service-account-token-automount", "webhook").map((v) => v.message), []);
        });
        it("still refuses the token of a workload whose ServiceAccount nothing binds", () => {
            const [v] = about(vs, "disallow-service-account-token-automount", "cainjector");
            assert.ok(v, JSON.stringify(vs.map((x) => x.message)));
            assert.match(v.message, /sets spec.template.spec.automountServiceAccountToken to true, and no RoleBinding or ClusterRoleBinding in the stack binds ServiceAccount "cainjector"/);
        });
        it("can be told to accept no bound ServiceAccount (allowBoundServiceAccounts false)", async () => {
            const strict = await check("controller-rbac.yaml", { "disallow-service-account-token-automount": { allowBoundServiceAccounts: false } });
            assert.strictEqual(about(strict, "disallow-service-account-token-automount").length, 3);
        });
        it("does not count a binding in another namespace", async () => {
            const moved = objects("controller-rbac.yaml").map((o) => o.kind === "RoleBinding" ? { ...o, metadata: { ...o.metadata, namespace: "elsewhere" } } : o);
            const found = await analyze([kubernetesPack()], moved.map((o, i) => resourceOf(o, `o${i}`)));
            assert.strictEqual(about(found, "disallow-service-account-token-automount", "webhook").length, 1);
        });
    });

    describe("require-volume-claim-storage-class and the cluster's default class", () => {
        it("accepts claims without a class when the stream has the default StorageClass", async () => {
            assert.deepStrictEqual(about(await check("default-storageclass.yaml"), "require-volume-claim-storage-class").map((v) => v.message), []);
        });
        it("accepts them when config names the cluster's default class, and checks that class against allowedStorageClasses", async () => {
            const withoutClass = objects("default-storageclass.yaml").filter((o) => o.kind !== "StorageClass");
            const run = (config?: Record<string, any>) => analyze([kubernetesPack()], withoutClass.map((o, i) => resourceOf(o, `o${i}`)), config);
            assert.strictEqual(about(await run(), "require-volume-claim-storage-class").length, 2);
            assert.strictEqual(about(await run({ "require-volume-claim-storage-class": { clusterDefaultStorageClass: "gp3-encrypted" } }), "require-volume-claim-storage-class").length, 0);
            const refused = about(await run({ "require-volume-claim-storage-class": { clusterDefaultStorageClass: "gp2", allowedStorageClasses: ["gp3-encrypted"] } }), "require-volume-claim-storage-class");
            assert.strictEqual(refused.length, 2);
            assert.match(refused[0].message, /gets the default class "gp2" \(clusterDefaultStorageClass in config\); it must be one of gp3-encrypted/);
        });
        it("does not take a StorageClass that is not annotated as the default", async () => {
            const notDefault = objects("default-storageclass.yaml").map((o) => o.kind === "StorageClass" ? { ...o, metadata: { name: o.metadata.name } } : o);
            const found = await analyze([kubernetesPack()], notDefault.map((o, i) => resourceOf(o, `o${i}`)));
            assert.strictEqual(about(found, "require-volume-claim-storage-class").length, 2);
        });
    });

    describe("require-default-deny-network-policy", () => {
        it("reports a namespace the stream does not declare once, not once per workload", async () => {
            const vs = about(await check("namespace-many-workloads.yaml"), "require-default-deny-network-policy");
            assert.strictEqual(vs.length, 1, vs.map((v) => v.message).join("\n"));
            assert.match(vs[0].message, /^Namespace "gitops" \(not declared in the stack\) runs Deployment "gitops-server" in namespace "gitops" \(and 7 other workloads there: Deployment "gitops-repo-server", .*, \.\.\.\), but no NetworkPolicy denies Ingress and Egress traffic by default/);
        });
        it("moves the one report to the next workload when the first is exempt", async () => {
            const vs = about(await check("namespace-many-workloads.yaml", { "require-default-deny-network-policy": { exemptions: [{ name: "gitops-server", reason: "test" }] } }), "require-default-deny-network-policy");
            assert.strictEqual(vs.length, 1);
            assert.match(vs[0].message, /runs Deployment "gitops-repo-server" in namespace "gitops" \(and 6 other workloads/);
        });
    });

    describe("disallow-cluster-admin-binding judges a role by its rules, not only its name", () => {
        let vs: EngineViolation[];
        before(async () => {
            vs = await check("cluster-admin-equivalent.yaml");
        });
        it("refuses bindings to a ClusterRole and a Role that grant every verb on every resource", () => {
            const found = about(vs, "disallow-cluster-admin-binding");
            assert.deepStrictEqual(found.map((v) => v.message.split(" binds ")[0]).sort(), ['ClusterRoleBinding "rollouts-superuser"', 'RoleBinding "namespace-owner" in namespace "rollouts"']);
            assert.match(found.find((v) => v.message.startsWith("ClusterRoleBinding"))!.message, /roleRef ClusterRole "rollouts-superuser", whose rules grant every verb on every resource .*: cluster-admin by another name to ServiceAccount "rollouts"/);
        });
        it("does not call a broad but bounded role cluster-admin", () => {
            assert.deepStrictEqual(about(vs, "disallow-cluster-admin-binding", "rollouts-reader"), []);
        });
        it("looks up a Role in the binding's own namespace only", async () => {
            const elsewhere = objects("cluster-admin-equivalent.yaml").map((o) => o.kind === "Role" ? { ...o, metadata: { ...o.metadata, namespace: "other" } } : o);
            const found = about(await analyze([kubernetesPack()], elsewhere.map((o, i) => resourceOf(o, `o${i}`))), "disallow-cluster-admin-binding");
            assert.strictEqual(found.length, 1);
        });
    });
});
