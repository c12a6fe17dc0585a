// The pack's configuration: enforcement per policy, the pack-wide stage (warn → audit → enforce),
// exemptions by namespace and name (config, never code), thresholds, and refusal of bad config.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadPack, resolvePackConfig } from "../../cli/engine/analyzer";
import { expandConfig, policies } from "../../policies/kubernetes/policies";
import { kubernetesPack, repoRoot, violationsOf } from "../helpers/policy";
import { changed } from "./stack";

/** A stack that breaks a mandatory policy (latest tag) and an advisory one (QoS). */
const broken = () => changed("Deployment", (d) => {
    d.spec.template.spec.containers[0].image = "nginx:latest";
    d.spec.template.spec.containers[0].resources.requests.memory = "64Mi";
});

const levelOf = async (config: Record<string, any> | undefined, policy: string) =>
    (await violationsOf(broken(), config)).filter((v) => v.policy === policy).map((v) => v.enforcementLevel);

describe("pack configuration", () => {
    it("enforce (the default stage): each policy at its own level", async () => {
        assert.deepStrictEqual(await levelOf(undefined, "disallow-latest-tag"), ["mandatory"]);
        assert.deepStrictEqual(await levelOf({ stage: "enforce" }, "require-guaranteed-qos"), ["advisory"]);
    });

    it("audit: nothing blocks unless a policy is promoted by name", async () => {
        assert.deepStrictEqual(await levelOf({ stage: "audit" }, "disallow-latest-tag"), ["advisory"]);
        assert.deepStrictEqual(await levelOf({ stage: "audit", "disallow-latest-tag": "mandatory" }, "disallow-latest-tag"), ["mandatory"]);
    });

    it("warn (the first stage): nothing blocks at all, even a policy set to mandatory; disabled stays disabled", async () => {
        assert.deepStrictEqual(await levelOf({ stage: "warn", "disallow-latest-tag": "mandatory" }, "disallow-latest-tag"), ["advisory"]);
        assert.deepStrictEqual(await levelOf({ stage: "warn", "disallow-latest-tag": { enforcementLevel: "disabled" } }, "disallow-latest-tag"), []);
    });

    it("speaks the field guide's one stage vocabulary, warn → audit → enforce: the former observe is refused and named", () => {
        assert.throws(() => resolvePackConfig(kubernetesPack(), { stage: "observe" }),
            /stage: "observe" is not one of warn, audit, enforce .*"observe" is now "warn", and the former "warn" is "audit"/);
        for (const stage of ["warn", "audit", "enforce"]) {
            assert.strictEqual(expandConfig({ stage })["require-namespace-pod-security"].stage, stage);
        }
    });

    it("refuses unknown keys and unknown policy names with their path, in the pack's own expansion and in the engine", () => {
        // The pack (policies/kubernetes/config.ts), as `k8sprod policy-config` and the engine call it.
        assert.throws(() => expandConfig({ "require-min-replica": 2 }), /require-min-replica: unknown key: no policy of that name in the pack/);
        assert.throws(() => expandConfig({ "require-min-replicas": { minReplica: 2 } }), /require-min-replicas.minReplica: unknown key \(enforcementLevel, minReplicas, exemptions\)/);
        assert.throws(() => expandConfig({ podSecurity: { defaultLevl: "baseline" } }), /podSecurity.defaultLevl: unknown key/);
        assert.throws(() => expandConfig({ exemptions: [{ namespace: "x", reason: "y", kinds: "Pod" }] }), /exemptions\[0\].kinds: unknown key/);
        // The engine (cli/engine/analyzer.ts), for a pack with no expansion of its own, and with every other problem at once.
        const aws = loadPack(path.join(repoRoot, "policies", "aws"));
        assert.throws(() => resolvePackConfig(aws, { "required-tags": { tag: ["Owner"] }, "no-such": "advisory" }),
            (e: any) => /required-tags.tag: unknown key/.test(e.message) && /no-such: no such policy in pack k8sprod-aws/.test(e.message));
        assert.throws(() => resolvePackConfig(kubernetesPack(), { "require-min-replicas": { minReplica: 2, minReplicas: 0 } }),
            (e: any) => /require-min-replicas.minReplica: unknown key/.test(e.message) && /require-min-replicas.minReplicas: must be >= 1/.test(e.message)
                && e.message.split("minReplica: unknown key").length === 2);
    });

    it("sets enforcement per policy, and for all policies with `all` (Pulumi's own config format)", async () => {
        assert.deepStrictEqual(await levelOf({ all: "advisory" }, "disallow-latest-tag"), ["advisory"]);
        assert.deepStrictEqual(await levelOf({ all: "advisory", "require-guaranteed-qos": "mandatory" }, "require-guaranteed-qos"), ["mandatory"]);
    });

    it("expands pack-wide exemptions into every policy's (or the listed policies') exemptions, keeping the reason", () => {
        const out = expandConfig({ exemptions: [{ namespace: "kube-system", reason: "EKS system components" }, { name: "fluent-bit", kind: "DaemonSet", policies: ["pod-security-host-path-volumes"], reason: "reads node logs" }] });
        assert.strictEqual(Object.keys(out).length, policies.length);
        assert.deepStrictEqual(out["pod-security-host-path-volumes"].exemptions, [
            { namespace: "kube-system", reason: "EKS system components" },
            { name: "fluent-bit", kind: "DaemonSet", reason: "reads node logs" },
        ]);
        assert.deepStrictEqual(out["disallow-latest-tag"].exemptions, [{ namespace: "kube-system", reason: "EKS system components" }]);
    });

    it("gives podSecurity.defaultLevel to every pod-security policy, a policy's own entry winning", () => {
        const out = expandConfig({ podSecurity: { defaultLevel: "baseline" }, "pod-security-privileged": { defaultLevel: "restricted" } });
        assert.strictEqual(out["pod-security-capabilities"].defaultLevel, "baseline");
        assert.strictEqual(out["pod-security-privileged"].defaultLevel, "restricted");
        assert.strictEqual(out["disallow-latest-tag"], undefined);
    });

    it("refuses an exemption without a reason, an unknown stage and unknown policies, naming every problem at once", () => {
        assert.throws(() => resolvePackConfig(kubernetesPack(), {
            stage: "sometimes", exemptions: [{ namespace: "kube-system" }, { reason: "no selector" }], "no-such-policy": "mandatory",
        }), (e: any) => [/stage: "sometimes" is not one of warn, audit, enforce/, /exemptions\[0\].reason: an exemption must say why/, /exemptions\[1\]: give a namespace, a name or a kind/]
            .every((re) => re.test(e.message)));
        assert.throws(() => resolvePackConfig(kubernetesPack(), { "no-such-policy": "mandatory", "require-min-replicas": { minReplicas: 0 } }),
            (e: any) => /no-such-policy: unknown key: no policy of that name/.test(e.message) && /require-min-replicas.minReplicas: must be >= 1/.test(e.message));
        assert.throws(() => resolvePackConfig(kubernetesPack(), { "disallow-latest-tag": { exemptions: [{ name: "x" }] } }), /disallow-latest-tag.exemptions.0: must have required property 'reason'/);
    });

    it("refuses `all: mandatory` with stage audit (they contradict)", () => {
        assert.throws(() => resolvePackConfig(kubernetesPack(), { stage: "audit", all: "mandatory" }), /all: stage "audit" makes every policy advisory/);
    });

    it("fills every schema default, as the CLI does before Configure", () => {
        const resolved = resolvePackConfig(kubernetesPack());
        assert.strictEqual(resolved["require-min-replicas"].properties.minReplicas, 3);
        assert.strictEqual(resolved["require-resource-limits"].properties.requireCpuLimit, false);
        assert.strictEqual(resolved["pod-security-seccomp"].properties.defaultLevel, "restricted");
        assert.deepStrictEqual(resolved["disallow-rbac-wildcards"].properties.exemptions, []);
        assert.strictEqual(resolved["require-guaranteed-qos"].enforcementLevel, "advisory");
    });
});

describe("pack configuration: the platform example (policies/kubernetes/examples/platform.json)", () => {
    const platform = () => JSON.parse(fs.readFileSync(path.join(repoRoot, "policies", "kubernetes", "examples", "platform.json"), "utf8"));
    const fluentBit = () => {
        const [d] = changed("Deployment", () => undefined).filter((o) => o.kind === "Deployment");
        return {
            apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "fluent-bit", namespace: "logging" },
            spec: { selector: d.spec.selector, template: { metadata: d.spec.template.metadata, spec: {
                ...d.spec.template.spec, automountServiceAccountToken: true, serviceAccountName: "fluent-bit",
                securityContext: { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } },
                volumes: [{ name: "varlog", hostPath: { path: "/var/log" } }],
            } } },
        };
    };

    it("is a valid config for the pack", () => {
        resolvePackConfig(kubernetesPack(), platform());
    });

    it("exempts the log collector from what it needs, and from nothing else", async () => {
        const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "logging", labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" } } };
        const without = (await violationsOf([ns, fluentBit()])).map((v) => v.policy);
        for (const p of ["pod-security-restricted-volumes", "pod-security-run-as-non-root", "pod-security-run-as-user", "disallow-service-account-token-automount"]) {
            assert.ok(without.includes(p), `${p} without the exemptions`);
        }
        const withConfig = (await violationsOf([ns, fluentBit()], platform())).map((v) => v.policy);
        assert.deepStrictEqual(withConfig.filter((p) => p !== "require-default-deny-network-policy"), []);
        const other = fluentBit();
        other.metadata.name = "node-exporter";
        assert.ok((await violationsOf([ns, other], platform())).some((v) => v.policy === "pod-security-restricted-volumes"));
    });
});

describe("pack configuration: the Argo CD exemptions of the platform example", () => {
    const platform = () => JSON.parse(fs.readFileSync(path.join(repoRoot, "policies", "kubernetes", "examples", "platform.json"), "utf8"));
    const withToken = (name: string) => {
        const [d] = changed("Deployment", () => undefined).filter((o) => o.kind === "Deployment");
        return { ...d, metadata: { ...d.metadata, name, namespace: "argocd" }, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, automountServiceAccountToken: true } } } };
    };
    const wildcardRole = (name: string) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
    const policiesOf = async (objects: Array<Record<string, any>>, config?: Record<string, any>) => (await violationsOf(objects, config)).map((v) => v.policy);

    it("lets the Argo CD API server keep its API token, and nothing else in argocd", async () => {
        assert.ok((await policiesOf([withToken("argocd-server")])).includes("disallow-service-account-token-automount"));
        assert.ok(!(await policiesOf([withToken("argocd-server")], platform())).includes("disallow-service-account-token-automount"));
        // The repo server runs without a token (GitOps sets it so), so it has no exemption.
        assert.ok((await policiesOf([withToken("argocd-repo-server")], platform())).includes("disallow-service-account-token-automount"));
    });

    it("lets Argo CD's own ClusterRoles use wildcards, and no other ClusterRole", async () => {
        assert.ok(!(await policiesOf([wildcardRole("argocd-application-controller")], platform())).includes("disallow-rbac-wildcards"));
        assert.ok((await policiesOf([wildcardRole("argocd-application-controller")])).includes("disallow-rbac-wildcards"));
        assert.ok((await policiesOf([wildcardRole("argocd-notifications")], platform())).includes("disallow-rbac-wildcards"));
    });
});
