import Ajv from "ajv";
import * as assert from "assert";
import * as path from "path";
import { loadPack } from "../../cli/engine/analyzer";
import { kubernetesPack, repoRoot, violationsOf } from "../helpers/policy";
import { schemaErrors } from "../helpers/schema";
import { goodStack } from "./stack";

describe("the happy-path stack of the policy tests", () => {
    it("is valid Kubernetes (every object against the OpenAPI schema)", async () => {
        for (const o of goodStack()) {
            assert.deepStrictEqual(await schemaErrors(o), [], `${o.kind} ${o.metadata.name}`);
        }
    });

    it("passes every policy of the pack, with no advisory either", async () => {
        const vs = await violationsOf(goodStack());
        assert.deepStrictEqual(vs.map((v) => `${v.policy}: ${v.message}`), []);
    });

    it("the pack has exactly the policies the issue names (they are the interface of reports and CI configs)", () => {
        const expected = [
            "pod-security-host-namespaces", "pod-security-privileged", "pod-security-capabilities", "pod-security-host-path-volumes",
            "pod-security-host-ports", "pod-security-apparmor", "pod-security-selinux", "pod-security-proc-mount", "pod-security-seccomp",
            "pod-security-sysctls", "pod-security-windows-host-process", "pod-security-host-probes", "pod-security-allow-privilege-escalation",
            "pod-security-restricted-volumes", "pod-security-run-as-non-root", "pod-security-run-as-user",
            "require-resource-requests", "require-resource-limits", "require-guaranteed-qos",
            "require-read-only-root-filesystem",
            "require-min-replicas", "require-pod-disruption-budget", "disallow-zero-disruption-pdb", "require-hpa-scale-behavior",
            "require-zone-spread", "require-probes",
            "disallow-latest-tag", "allowed-image-registries", "require-image-digest",
            "require-dedicated-service-account", "disallow-service-account-token-automount", "disallow-cluster-admin-binding",
            "disallow-rbac-wildcards", "disallow-default-namespace",
            "require-namespace-pod-security", "require-default-deny-network-policy",
            "require-headless-service", "require-volume-claim-storage-class",
            "require-backup-schedule",
            // Issue 13: practices the peer linters check.
            "disallow-replicas-with-hpa", "require-ephemeral-storage", "disallow-secret-env", "require-pdb-unhealthy-pod-eviction-policy",
            "require-high-uid-gid",
            "disallow-argocd-project-wildcards", "restrict-argocd-cluster-resources", "disallow-argocd-default-project",
            // Issue 9: observability.
            "require-scrape-target",
        ];
        assert.deepStrictEqual(kubernetesPack().policies.map((p) => p.name).sort(), [...expected].sort());
    });

    it("every policy has a description starting \"Checks whether\", an enforcement level and a config schema with exemptions", () => {
        for (const p of kubernetesPack().policies) {
            assert.match(p.description, /^Checks whether /, p.name);
            // Opt-in policies ship disabled; every other policy blocks or warns.
            assert.ok(["advisory", "mandatory"].includes(p.enforcementLevel) || (p.name === "require-image-digest" && p.enforcementLevel === "disabled"), p.name);
            assert.ok(p.configSchema?.properties?.exemptions, p.name);
            for (const [k, s] of Object.entries<any>(p.configSchema.properties)) {
                assert.ok(Object.prototype.hasOwnProperty.call(s, "default"), `${p.name}.${k} has no default`);
            }
        }
        // Opt-in policies (turned on per environment in the policy config) are the exception, by name.
        assert.deepStrictEqual(kubernetesPack().policies.filter((p) => p.enforcementLevel === "disabled").map((p) => p.name), ["require-image-digest"]);
    });

    it("every policy's config defaults validate against its own schema (the engine validates only config that differs from them)", () => {
        const ajv = new Ajv({ allErrors: true, strict: false });
        for (const p of [...kubernetesPack().policies, ...loadPack(path.join(repoRoot, "policies", "aws")).policies]) {
            const props = p.configSchema?.properties ?? {};
            const defaults = Object.fromEntries(Object.entries<any>(props).map(([k, s]) => [k, s.default]));
            const validate = ajv.compile({ type: "object", properties: props, ...(p.configSchema?.required?.length ? { required: p.configSchema.required } : {}) });
            assert.ok(validate(defaults), `${p.name}: ${JSON.stringify(validate.errors)}`);
        }
    });
});
