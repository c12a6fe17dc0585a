import * as assert from "assert";
import { ChartFixture, documentedInComment, loadChartFixture, valuesProblems } from "./values-checker";

const text = `
replicas: 1
image:
  repository: example/app
  tag: ""
resources: {}
tolerations: []
nameOverride:
extraArgs:
  v: 4
probe:
  httpGet:
    path: /healthz
pdb:
  enabled: false
  # minAvailable: 1
`;
const chart: ChartFixture = {
    name: "example",
    chartYaml: { version: "1.0.0" },
    defaults: { replicas: 1, image: { repository: "example/app", tag: "" }, resources: {}, tolerations: [], nameOverride: null, extraArgs: { v: 4 }, probe: { httpGet: { path: "/healthz" } }, pdb: { enabled: false } },
    valuesText: text,
};

describe("Helm values key checker (tests/helm)", () => {
    it("accepts keys that exist, with values of the default's type", () => {
        assert.deepStrictEqual(valuesProblems(chart, { replicas: 3, image: { tag: "v1" }, pdb: { enabled: true } }), []);
    });

    it("flags a key the chart does not have, with its path", () => {
        assert.deepStrictEqual(valuesProblems(chart, { replicaCount: 3, image: { tagg: "v1" } }), [
            "replicaCount: no such key in example 1.0.0 values.yaml",
            "image.tagg: no such key in example 1.0.0 values.yaml",
        ]);
    });

    it("treats null, {} and [] defaults as free-form and does not descend into them", () => {
        assert.deepStrictEqual(valuesProblems(chart, { resources: { limits: { cpu: "1" } }, tolerations: [{ key: "a" }], nameOverride: "x" }), []);
    });

    it("descends into non-empty maps", () => {
        assert.deepStrictEqual(valuesProblems(chart, { probe: { httpGet: { pth: "/x" } } }), ["probe.httpGet.pth: no such key in example 1.0.0 values.yaml"]);
    });

    it("flags a value whose type differs from the default's", () => {
        assert.strictEqual(valuesProblems(chart, { replicas: "3" }).length, 1);
        assert.strictEqual(valuesProblems(chart, { image: "example/app:v1" }).length, 1);
        assert.strictEqual(valuesProblems(chart, { tolerations: { key: "a" } }).length, 1);
    });

    it("treats a map named free-form as free-form, and refuses a name that is not a map", () => {
        assert.strictEqual(valuesProblems(chart, { extraArgs: { "balance-similar-node-groups": true } }).length, 1);
        assert.deepStrictEqual(valuesProblems(chart, { extraArgs: { "balance-similar-node-groups": true } }, { freeForm: [["extraArgs"]] }), []);
        assert.strictEqual(valuesProblems(chart, {}, { freeForm: [["replicas"]] }).length, 1);
    });

    it("allows a commented key only where the values file has that comment", () => {
        assert.deepStrictEqual(valuesProblems(chart, { pdb: { minAvailable: 1 } }, { commented: [{ path: ["pdb", "minAvailable"], reason: "documented" }] }), []);
        const bogus = valuesProblems(chart, { pdb: { maxUnavailable: 1 } }, { commented: [{ path: ["pdb", "maxUnavailable"], reason: "not documented" }] });
        assert.deepStrictEqual(bogus, ['pdb.maxUnavailable: allowed as a commented key, but example/values.yaml has no comment "# maxUnavailable:"']);
        assert.ok(documentedInComment(text, "minAvailable"));
        assert.ok(!documentedInComment(text, "replicas"));
    });

    it("finds a misspelt key in a real chart's defaults", () => {
        const ca = loadChartFixture("cluster-autoscaler");
        assert.deepStrictEqual(valuesProblems(ca, { replicaCount: 2 }), []);
        assert.deepStrictEqual(valuesProblems(ca, { replicasCount: 2 }), ["replicasCount: no such key in cluster-autoscaler 9.59.0 values.yaml"]);
    });
});
