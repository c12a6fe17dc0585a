import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { VerticalPodAutoscaler, VerticalPodAutoscalerArgs } from "../../components/autoscaling/verticalPodAutoscaler";
import { HELM_CHARTS } from "../../lib/versions";
import { thrown } from "../helpers/outputs";
import { RELEASE, deploy, freshMocks, theRelease } from "./harness";

async function releaseValues(args: VerticalPodAutoscalerArgs = {}): Promise<Record<string, any>> {
    const mocks = await deploy(() => new VerticalPodAutoscaler("vpa", args));
    return theRelease(mocks).inputs.values;
}

describe("VerticalPodAutoscaler", () => {
    it("installs the pinned FairwindsOps vpa chart, atomically, as a child of the component", async () => {
        const mocks = await deploy(() => new VerticalPodAutoscaler("vpa", {}));
        const release = mocks.get(RELEASE, "vpa-release");
        assert.strictEqual(release.inputs.chart, "vpa");
        assert.strictEqual(release.inputs.version, HELM_CHARTS.verticalPodAutoscaler.version);
        assert.strictEqual(release.inputs.version, "5.0.0");
        assert.deepStrictEqual(release.inputs.repositoryOpts, { repo: "https://charts.fairwinds.com/stable" });
        assert.strictEqual(release.inputs.namespace, "kube-system");
        assert.strictEqual(release.inputs.atomic, true);
        assert.strictEqual(release.parent, mocks.get("k8sprod:autoscaling:VerticalPodAutoscaler", "vpa").urn);
    });

    it("runs the recommender only by default: VPAs in Off mode get recommendations and no pod is restarted", async () => {
        const v = await releaseValues();
        assert.strictEqual(v.recommender.enabled, true);
        assert.strictEqual(v.updater.enabled, false);
        assert.strictEqual(v.admissionController.enabled, false);
    });

    it("leaves the chart's bundled metrics-server off (MetricsServer installs it)", async () => {
        assert.deepStrictEqual((await releaseValues())["metrics-server"], { enabled: false });
    });

    it("runs the updater and the admission controller together when asked", async () => {
        const v = await releaseValues({ updater: true, admissionController: true });
        assert.strictEqual(v.updater.enabled, true);
        assert.strictEqual(v.admissionController.enabled, true);
        const initialOnly = await releaseValues({ admissionController: true });
        assert.strictEqual(initialOnly.updater.enabled, false);
        assert.strictEqual(initialOnly.admissionController.enabled, true);
    });

    it("sets requests and limits, a pinned-image pull policy, and the restricted context on every part", async () => {
        const v = await releaseValues();
        assert.deepStrictEqual(v.recommender.resources, { requests: { cpu: "50m", memory: "500Mi" }, limits: { cpu: "500m", memory: "1000Mi" } });
        for (const part of ["recommender", "updater", "admissionController"]) {
            assert.strictEqual(v[part].image.pullPolicy, "IfNotPresent", part);
            assert.strictEqual(v[part].podSecurityContext.runAsNonRoot, true, part);
            assert.strictEqual(v[part].podSecurityContext.runAsUser, 65534, part);
            assert.strictEqual(v[part].securityContext.allowPrivilegeEscalation, false, part);
            assert.deepStrictEqual(v[part].securityContext.capabilities, { drop: ["ALL"] }, part);
            assert.ok(v[part].resources.limits.memory, part);
        }
    });

    it("merges user values, such as recommender flags, over the defaults", async () => {
        const v = await releaseValues({ values: { recommender: { extraArgs: { "pod-recommendation-min-memory-mb": 64 }, replicaCount: 2 } } });
        assert.deepStrictEqual(v.recommender.extraArgs, { "pod-recommendation-min-memory-mb": 64 });
        assert.strictEqual(v.recommender.replicaCount, 2);
        assert.strictEqual(v.recommender.enabled, true);
        assert.strictEqual(v.recommender.image.pullPolicy, "IfNotPresent");
    });

    it("refuses an updater without the admission controller, and owned values, before creating anything", async () => {
        const mocks = await freshMocks();
        const e = thrown(() => new VerticalPodAutoscaler("vpa", { updater: true, values: { updater: { enabled: true }, "metrics-server": { enabled: true }, recommender: { securityContext: {} } } }));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), `${e}`);
        assert.deepStrictEqual(e.errors.map((x: any) => x.propertyPath), ["updater", "values.updater.enabled", "values.metrics-server", "values.recommender.securityContext"]);
        assert.match(e.message, /needs admissionController: true/);
        assert.strictEqual(mocks.registrations.length, 0);
    });
});
