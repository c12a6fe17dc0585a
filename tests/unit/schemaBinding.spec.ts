import * as assert from "assert";
import { unboundReason } from "../helpers/schemaBinding";

describe("schema reference binding check (tests/helpers/schemaBinding.ts)", () => {
    it("the binding check refuses what the binder refuses", () => {
        const s = { types: { "k8sprod:index:A": {} }, dependencies: [{ name: "kubernetes", version: "4.34.2" }] };
        // What the analyzer wrote for a kubernetes.Provider output: not a resource.
        assert.match(unboundReason("/kubernetes/v4.34.2/schema.json#/resources/kubernetes", s)!, /not a <package>:<module>:<name> token/);
        assert.match(unboundReason("/kubernetes/v4.34.2/schema.json#/resources/kubernetes:core%2Fv1:Gone", s)!, /does not define/);
        assert.match(unboundReason("/kubernetes/v9.0.0/schema.json#/provider", s)!, /not among the schema's dependencies/);
        assert.match(unboundReason("#/types/k8sprod:index:B", s)!, /does not define/);
        assert.match(unboundReason("pulumi.json#/Anything", s)!, /not a reference/);
        assert.strictEqual(unboundReason("/kubernetes/v4.34.2/schema.json#/resources/kubernetes:core%2Fv1:Namespace", s), undefined);
        assert.strictEqual(unboundReason("/kubernetes/v4.34.2/schema.json#/provider", s), undefined);
        assert.strictEqual(unboundReason("#/types/k8sprod:index:A", s), undefined);
    });
});
