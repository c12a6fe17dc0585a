import * as assert from "assert";
import { ProductionNamespace, podSecurityLabels } from "../../components/workloads";
import { POD_SECURITY_VERSION } from "../../lib/versions";
import { analyze } from "../../cli/engine/analyzer";
import { kubernetesPack, resourceOf } from "../helpers/policy";
import { assertValidObjects } from "../helpers/schema";
import { thrown } from "../helpers/outputs";
import { record } from "./fixtures";

const NS = "kubernetes:core/v1:Namespace";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("ProductionNamespace", () => {
    it("emits only objects that validate against the Kubernetes OpenAPI schema", async () => {
        const mocks = await record(() => new ProductionNamespace("production", { backup: true }));
        const objects = mocks.kubernetesObjects();
        assert.deepStrictEqual(objects.map((o) => o.kind).sort(), ["LimitRange", "Namespace", "NetworkPolicy", "NetworkPolicy", "ResourceQuota"]);
        await assertValidObjects(objects);
    });

    it("enforces, audits and warns at restricted with the version pinned", async () => {
        const labels = (await record(() => new ProductionNamespace("production", {}))).get(NS, "production-namespace").inputs.metadata.labels;
        for (const mode of ["enforce", "audit", "warn"]) {
            assert.strictEqual(labels[`pod-security.kubernetes.io/${mode}`], "restricted");
            assert.strictEqual(labels[`pod-security.kubernetes.io/${mode}-version`], POD_SECURITY_VERSION);
        }
        assert.match(POD_SECURITY_VERSION, /^v1\.\d+$/);
    });

    it("follows the migration path warn → audit → enforce, setting only the stages reached", () => {
        const modes = (stage: string) => Object.keys(podSecurityLabels({ stage })).filter((k) => !k.endsWith("-version")).map((k) => k.split("/")[1]);
        assert.deepStrictEqual(modes("warn"), ["warn"]);
        assert.deepStrictEqual(modes("audit"), ["warn", "audit"]);
        assert.deepStrictEqual(modes("enforce"), ["warn", "audit", "enforce"]);
    });

    it("at each stage of the migration path, passes require-namespace-pod-security when the pack's stage (or the namespace's entry) allows that stage", async () => {
        const namespaceAt = async (stage: string) => (await record(() => new ProductionNamespace("production", { podSecurity: { stage } }))).kubernetesObjects().filter((o) => o.kind === "Namespace");
        const nsViolations = async (stage: string, config?: Record<string, any>) =>
            (await analyze([kubernetesPack()], (await namespaceAt(stage)).map((o) => resourceOf(o)), config)).filter((v) => v.policy === "require-namespace-pod-security");
        for (const stage of ["warn", "audit", "enforce"]) {
            assert.deepStrictEqual((await nsViolations(stage, { stage })).map((v) => v.message), [], `pack stage ${stage}`);
            assert.deepStrictEqual((await nsViolations(stage, { "require-namespace-pod-security": { namespaceStages: [{ namespace: "production", stage, reason: "migrating" }] } })).map((v) => v.message), [], `namespace entry ${stage}`);
        }
        // Ahead of the config it is fine; behind it, refused.
        assert.deepStrictEqual((await nsViolations("enforce", { stage: "warn" })).length, 0);
        assert.strictEqual((await nsViolations("warn")).length, 1);
        assert.strictEqual((await nsViolations("audit", { stage: "enforce" })).length, 1);
    });

    it("denies all ingress and egress by default and allows DNS to kube-dns", async () => {
        const mocks = await record(() => new ProductionNamespace("production", {}));
        const deny = mocks.get(NETPOL, "production-default-deny").inputs;
        assert.strictEqual(deny.metadata.namespace, "production");
        assert.deepStrictEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const dns = mocks.get(NETPOL, "production-allow-dns").inputs.spec;
        assert.deepStrictEqual(dns.podSelector, {});
        assert.deepStrictEqual(dns.policyTypes, ["Egress"]);
        assert.deepStrictEqual(dns.egress[0].to, [{
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        }]);
        assert.deepStrictEqual(dns.egress[0].ports, [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }]);
    });

    it("sets a ResourceQuota with no NodePorts, merging overrides over the defaults", async () => {
        const mocks = await record(() => new ProductionNamespace("production", { resourceQuota: { pods: "50" } }));
        const hard = mocks.get("kubernetes:core/v1:ResourceQuota", "production-quota").inputs.spec.hard;
        assert.strictEqual(hard.pods, "50");
        assert.strictEqual(hard["services.nodeports"], "0");
        assert.strictEqual(hard["requests.cpu"], "20");
    });

    it("gives containers without resources a default request and limit", async () => {
        const limits = (await record(() => new ProductionNamespace("production", {}))).get("kubernetes:core/v1:LimitRange", "production-limits").inputs.spec.limits;
        assert.deepStrictEqual(limits[0], { type: "Container", defaultRequest: { cpu: "100m", memory: "128Mi" }, default: { cpu: "500m", memory: "256Mi" } });
        assert.deepStrictEqual(limits[1], { type: "PersistentVolumeClaim", max: { storage: "1Ti" } });
    });

    it("labels the namespace for backups only when asked", async () => {
        const off = (await record(() => new ProductionNamespace("production", {}))).get(NS, "production-namespace").inputs.metadata.labels;
        assert.strictEqual(off["backup.k8sprod.io/enabled"], undefined);
        const on = (await record(() => new ProductionNamespace("production", { backup: true }))).get(NS, "production-namespace").inputs.metadata.labels;
        assert.strictEqual(on["backup.k8sprod.io/enabled"], "true");
    });

    it("runs below restricted only with a written reason, recorded on the namespace", async () => {
        const err = thrown(() => new ProductionNamespace("agents", { podSecurity: { level: "privileged" } }));
        assert.deepStrictEqual(err.errors.map((e: any) => e.propertyPath), ["podSecurity.exemptionReason"]);
        const mocks = await record(() => new ProductionNamespace("agents", { podSecurity: { level: "privileged", exemptionReason: "node log collector reads /var/log" } }));
        const meta = mocks.get(NS, "agents-namespace").inputs.metadata;
        assert.strictEqual(meta.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.strictEqual(meta.annotations["k8sprod.io/pod-security-exemption"], "node log collector reads /var/log");
    });

    it("refuses bad input with every property path at once", () => {
        const err = thrown(() => new ProductionNamespace("Prod_NS", {
            podSecurity: { stage: "block", version: "1.35" },
            resourceQuota: { pods: "many" },
            defaultRequest: { cpu: "500mm" },
            labels: { "pod-security.kubernetes.io/enforce": "privileged" },
        }));
        assert.deepStrictEqual(err.errors.map((e: any) => e.propertyPath).sort(), [
            "defaultRequest.cpu", "labels.pod-security.kubernetes.io/enforce", "name", "podSecurity.stage", "podSecurity.version", "resourceQuota.pods",
        ]);
    });
});
