import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease, releaseValues } from "../../components/lib/helm";
import { RecordingMocks, installMocks } from "../helpers/mocks";
import { settle } from "../helpers/outputs";

const PIN = { chart: "example", version: "1.2.3", repo: "https://charts.example.com", appVersion: "9.9.9" };

describe("chartRelease (components/lib/helm)", () => {
    it("installs a pinned chart from its repository as one atomic Helm release that keeps history", async () => {
        const mocks = new RecordingMocks();
        await installMocks(mocks);
        const parent = new pulumi.ComponentResource("test:index:Parent", "p", {});
        chartRelease("p-release", { chart: PIN, releaseName: "example", namespace: "tools", defaults: { a: 1 }, owned: [] }, { parent });
        await settle();
        const r = mocks.get("kubernetes:helm.sh/v3:Release", "p-release");
        assert.deepStrictEqual(
            { chart: r.inputs.chart, version: r.inputs.version, repo: r.inputs.repositoryOpts.repo, name: r.inputs.name, namespace: r.inputs.namespace },
            { chart: "example", version: "1.2.3", repo: "https://charts.example.com", name: "example", namespace: "tools" });
        assert.strictEqual(r.inputs.atomic, true);
        assert.strictEqual(r.inputs.cleanupOnFail, true);
        assert.strictEqual(r.inputs.createNamespace, false);
        assert.strictEqual(r.inputs.maxHistory, 10);
        assert.strictEqual(r.inputs.timeout, 600);
        assert.strictEqual(r.parent, mocks.get("test:index:Parent", "p").urn);
    });

    it("fails the deployment, naming the field, when a value known only at deploy time sets an owned field", async () => {
        const rejections: unknown[] = [];
        const collect = (e: unknown) => rejections.push(e);
        // The failing Output also rejects promises the SDK keeps internally; collect those here.
        process.on("unhandledRejection", collect);
        try {
            await installMocks(new RecordingMocks());
            const parent = new pulumi.ComponentResource("test:index:Parent", "p", {});
            const values = releaseValues({ image: { repository: "r" } }, pulumi.output({ image: { tag: "latest" } }),
                [{ path: ["image", "tag"], value: "v1.0.0", reason: "the tag follows the version matrix" }], parent);
            await assert.rejects((values as any).promise(), (e: any) => {
                assert.ok(pulumi.ResourceError.isInstance(e), `${e}`);
                assert.match(e.message, /values\.image\.tag is set by the component and cannot be overridden: the tag follows the version matrix/);
                return true;
            });
            await new Promise((resolve) => setTimeout(resolve, 50));
        } finally {
            process.off("unhandledRejection", collect);
        }
        for (const e of rejections) {
            assert.match(String((e as Error)?.message ?? e), /values\.image\.tag is set by the component/);
        }
    });
});
