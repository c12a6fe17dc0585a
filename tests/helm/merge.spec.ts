import * as assert from "assert";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../components/lib/errors";
import { checkUserValues, mergeHelmValues, ownedValueConflicts, valuesPath } from "../../components/lib/helm";

const owned = [
    { path: ["rbac", "serviceAccount"], value: { create: true, name: "sa", annotations: { "eks.amazonaws.com/role-arn": "arn" } }, reason: "IRSA binding" },
    { path: ["securityContext"], value: { runAsNonRoot: true }, reason: "restricted" },
];

describe("Helm values merge (components/lib/helm)", () => {
    it("merges maps key by key, at every depth", () => {
        const v = mergeHelmValues({ a: { b: { c: 1, d: 2 }, e: 3 } }, { a: { b: { d: 20, f: 30 } } }, []);
        assert.deepStrictEqual(v, { a: { b: { c: 1, d: 20, f: 30 }, e: 3 } });
    });

    it("replaces lists, as Helm does, instead of concatenating them", () => {
        const v = mergeHelmValues({ tolerations: [{ key: "a" }, { key: "b" }], args: ["--x"] }, { tolerations: [{ key: "c" }] }, []);
        assert.deepStrictEqual(v, { tolerations: [{ key: "c" }], args: ["--x"] });
    });

    it("replaces scalars, and lets null replace a map (Helm then drops the key)", () => {
        const v = mergeHelmValues({ replicas: 2, pdb: { enabled: true } }, { replicas: 3, pdb: null }, []);
        assert.deepStrictEqual(v, { replicas: 3, pdb: null });
    });

    it("sets owned fields last, over defaults and user values", () => {
        const v = mergeHelmValues({ securityContext: { runAsUser: 0 }, rbac: { create: true } }, { rbac: { pspEnabled: false } }, owned);
        assert.deepStrictEqual(v.securityContext, { runAsNonRoot: true });
        assert.deepStrictEqual(v.rbac, { create: true, pspEnabled: false, serviceAccount: owned[0].value });
    });

    it("refuses user values that set an owned field, naming it", () => {
        assert.throws(() => mergeHelmValues({}, { rbac: { serviceAccount: { name: "other" } } }, owned), /values\.rbac\.serviceAccount is set by the component/);
    });

    it("changes none of its inputs", () => {
        const defaults = { a: { b: 1 }, l: [1] };
        const user = { a: { c: 2 }, l: [2] };
        const before = JSON.stringify([defaults, user]);
        const v = mergeHelmValues(defaults, user, owned);
        v.a.b = 99;
        (v.l as number[]).push(3);
        assert.strictEqual(JSON.stringify([defaults, user]), before);
    });

    it("keeps every user leaf and every owned field (property test)", () => {
        const key = fc.constantFrom("a", "b", "c", "d", "resources", "podLabels");
        const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }));
        const tree = fc.letrec((tie) => ({
            node: fc.dictionary(key, fc.oneof({ depthSize: "small" }, leaf, tie("node")), { maxKeys: 4 }),
        })).node as fc.Arbitrary<Record<string, any>>;
        fc.assert(fc.property(tree, tree, (defaults, user) => {
            const merged = mergeHelmValues(defaults, user, owned);
            const check = (u: Record<string, any>, m: Record<string, any>): void => {
                for (const [k, val] of Object.entries(u)) {
                    if (val !== null && typeof val === "object" && !Array.isArray(val)) {
                        if (Object.keys(val).length > 0) {
                            check(val, m[k]);
                        }
                    } else {
                        assert.deepStrictEqual(m[k], val);
                    }
                }
            };
            check(user, merged);
            assert.deepStrictEqual(merged.rbac.serviceAccount, owned[0].value);
            assert.deepStrictEqual(merged.securityContext, owned[1].value);
        }), { numRuns: 200 });
    });
});

describe("owned Helm values (components/lib/helm)", () => {
    it("finds a user key at, inside, or replacing an owned field", () => {
        const found = ownedValueConflicts({
            securityContext: { runAsUser: 0 },
            rbac: { serviceAccount: { annotations: {} } },
        }, owned).map((c) => c.path.join("."));
        assert.deepStrictEqual(found, ["securityContext", "rbac.serviceAccount"]);
        assert.deepStrictEqual(ownedValueConflicts({ rbac: null }, owned).map((c) => c.path.join(".")), ["rbac"]);
        assert.deepStrictEqual(ownedValueConflicts({ rbac: { create: false }, podLabels: { a: "b" } }, owned), []);
    });

    it("leaves values not known yet to the deploy-time check", () => {
        assert.deepStrictEqual(ownedValueConflicts({ rbac: pulumi.output({ serviceAccount: {} }) }, owned), []);
    });

    it("reports each conflict as a problem with its property path", () => {
        const problems = new Problems();
        checkUserValues(problems, { securityContext: {}, podAnnotations: { "a.b/c": "x" }, rbac: { serviceAccount: { name: "x" } } }, owned);
        assert.deepStrictEqual(problems.items.map((p) => p.propertyPath), ["values.securityContext", "values.rbac.serviceAccount"]);
        const notAMap = new Problems();
        checkUserValues(notAMap, ["x"] as any, owned);
        assert.deepStrictEqual(notAMap.items.map((p) => p.propertyPath), ["values"]);
    });

    it("quotes keys that are not identifiers in property paths", () => {
        assert.strictEqual(valuesPath(["podAnnotations", "eks.amazonaws.com/role-arn"]), 'values.podAnnotations["eks.amazonaws.com/role-arn"]');
        assert.strictEqual(valuesPath(["metrics-server", "enabled"]), "values.metrics-server.enabled");
    });
});
