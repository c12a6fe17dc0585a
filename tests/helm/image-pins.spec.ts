import * as assert from "assert";
import deepmerge from "deepmerge";
import { HELM_CHARTS, HELM_CHART_IMAGES, PLATFORM_IMAGE_REGISTRIES } from "../../lib/versions";
import { imageAllowed } from "../../policies/kubernetes/images";
import { ChartFixture, loadChartFixture } from "./values-checker";

const FIXTURE: Record<string, string> = {
    "cluster-autoscaler": "cluster-autoscaler", "metrics-server": "metrics-server", vpa: "vpa", "prometheus-adapter": "prometheus-adapter", "argo-cd": "argo-cd", velero: "velero",
    "kube-prometheus-stack": "kube-prometheus-stack", "fluent-bit": "fluent-bit", "opentelemetry-operator": "opentelemetry-operator",
};
/** Subcharts whose defaults Helm merges under their name (the parent's block over the subchart's values.yaml). */
const SUBCHARTS: Record<string, string[]> = { "kube-prometheus-stack": ["grafana", "kube-state-metrics", "prometheus-node-exporter"] };
const subchartAppVersion = (name: string, sub: string) => String(loadChartFixture(`${FIXTURE[name]}/charts/${sub}`).chartYaml.appVersion);

function chart(name: string): ChartFixture {
    const c = loadChartFixture(FIXTURE[name]);
    if (name === "argo-cd") {
        // Helm merges argo-cd's `redis-ha` block over the subchart's own defaults.
        c.defaults["redis-ha"] = deepmerge(loadChartFixture("redis-ha").defaults, c.defaults["redis-ha"], { arrayMerge: (_t, s) => s });
    }
    for (const sub of SUBCHARTS[name] ?? []) {
        c.defaults[sub] = deepmerge(loadChartFixture(`${FIXTURE[name]}/charts/${sub}`).defaults, c.defaults[sub] ?? {}, { arrayMerge: (_t, s) => s });
    }
    return c;
}

const at = (o: any, path: string[]) => path.reduce((n, k) => (n && typeof n === "object" ? n[k] : undefined), o);

describe("image pins of the version matrix against each chart's values.yaml", () => {
    it("pins the images of every chart the matrix installs, at the pinned version", () => {
        assert.deepStrictEqual(Object.keys(HELM_CHART_IMAGES).sort(), Object.values(HELM_CHARTS).map((c) => `${c.chart}@${c.version}`).sort());
    });

    for (const [key, pins] of Object.entries(HELM_CHART_IMAGES)) {
        const [name] = key.split("@");
        it(`${key}: repository, tag and switches are the chart's defaults`, () => {
            const c = chart(name);
            for (const pin of pins) {
                const appVersion = pin.subchart ? subchartAppVersion(name, pin.subchart) : String(c.chartYaml.appVersion);
                if (pin.registry !== undefined || pin.registryPaths !== undefined) {
                    // The chart consults the paths in order (a global registry first); the default is the first non-empty one.
                    const registry = (pin.registryPaths ?? []).map((p) => at(c.defaults, p)).find((v) => typeof v === "string" && v !== "");
                    assert.strictEqual(pin.registry, registry, `${pin.role}: registry`);
                }
                // The chart's default is the last (most general) path that holds a non-empty value.
                const repo = [...(pin.repositoryPaths ?? [])].reverse().map((p) => at(c.defaults, p)).find((v) => typeof v === "string" && v !== "");
                assert.strictEqual(pin.repository, repo, `${pin.role}: repository`);
                const tag = (pin.tagPaths ?? []).map((p) => at(c.defaults, p)).find((v) => typeof v === "string" && v !== "");
                if (tag !== undefined) {
                    assert.strictEqual(pin.tag, tag, `${pin.role}: tag`);
                } else {
                    // An empty tag falls back to the appVersion (metrics-server prefixes a v).
                    assert.ok([appVersion, `v${appVersion}`].includes(pin.tag), `${pin.role}: tag ${pin.tag} vs appVersion ${appVersion}`);
                    // An empty default is "" or a key with no value (null); both make the template fall back.
                    assert.ok((pin.tagPaths ?? []).every((p) => at(c.defaults, p) === "" || at(c.defaults, p) === null), `${pin.role}: tag paths exist with an empty default`);
                }
                for (const w of pin.when ?? []) {
                    assert.strictEqual(at(c.defaults, w.path), w.default, `${pin.role}: default of ${w.path.join(".")}`);
                }
            }
        });
    }

    it("every platform image comes from a registry of PLATFORM_IMAGE_REGISTRIES (what allowed-image-registries admits by default)", () => {
        const images = Object.values(HELM_CHART_IMAGES).flat().map((p) => `${p.registry === undefined ? "" : `${p.registry}/`}${p.repository}:${p.tag}`);
        assert.deepStrictEqual(images.filter((i) => !imageAllowed(i, [...PLATFORM_IMAGE_REGISTRIES])), []);
    });
});
