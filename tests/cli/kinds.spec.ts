import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { classify, typeToken } from "../../cli/check/kinds";
import { installedKindTable } from "../../cli/check/kinds-derive";
import { KINDS, LISTS, SDK_VERSION } from "../../cli/check/kinds-table";

/** Every `__pulumiType` the installed @pulumi/kubernetes declares, read from its JavaScript. */
function sdkTypeTokens(): Set<string> {
    const root = path.dirname(require.resolve("@pulumi/kubernetes/package.json"));
    const tokens = new Set<string>();
    const walk = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, e.name);
            if (e.isDirectory() && e.name !== "node_modules") {
                walk(full);
            } else if (e.name.endsWith(".js")) {
                for (const m of fs.readFileSync(full, "utf8").matchAll(/__pulumiType = ['"]([^'"]+)['"]/g)) {
                    tokens.add(m[1]);
                }
            }
        }
    };
    walk(root);
    return tokens;
}

describe("k8sprod check: kinds and type tokens", () => {
    it("uses the kind table of the installed @pulumi/kubernetes (regenerate cli/check/kinds-table.ts after an upgrade)", () => {
        const pkg = JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8"));
        assert.strictEqual(SDK_VERSION, pkg.version);
        const installed = installedKindTable();
        assert.deepStrictEqual([...KINDS], installed.kinds);
        assert.deepStrictEqual([...LISTS], installed.lists);
        assert.ok(KINDS.length > 150, `${KINDS.length} kinds`);
    });

    it("maps every kind to a type token the SDK declares", () => {
        const tokens = sdkTypeTokens();
        const missing = KINDS.filter((gvk) => {
            const i = gvk.lastIndexOf("/");
            return !tokens.has(typeToken(gvk.slice(0, i), gvk.slice(i + 1)));
        });
        assert.deepStrictEqual(missing, []);
    });

    it("spells the core group core/v1 and keeps other groups as their apiVersion", () => {
        assert.strictEqual(typeToken("v1", "Pod"), "kubernetes:core/v1:Pod");
        assert.strictEqual(typeToken("apps/v1", "Deployment"), "kubernetes:apps/v1:Deployment");
        assert.strictEqual(typeToken("networking.k8s.io/v1", "NetworkPolicy"), "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        assert.strictEqual(typeToken("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
    });

    it("classifies resources, lists and unknown kinds", () => {
        assert.strictEqual(classify("apps/v1", "Deployment"), "resource");
        assert.strictEqual(classify("batch/v1", "CronJob"), "resource");
        assert.strictEqual(classify("v1", "List"), "list");
        assert.strictEqual(classify("apps/v1", "DeploymentList"), "list");
        assert.strictEqual(classify("monitoring.coreos.com/v1", "ServiceMonitor"), "unknown");
        assert.strictEqual(classify("v1", "Deployment"), "unknown");
    });
});
