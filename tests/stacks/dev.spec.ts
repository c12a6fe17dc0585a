import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { RecordingMocks, installMocks } from "../helpers/mocks";
import { settle } from "../helpers/outputs";
import { assertValidObjects } from "../helpers/schema";

const ROOT = path.join(__dirname, "..", "..", "..");

/** Runs the stack program (compiled) with `stacks/Pulumi.<stack>.yaml` as its config, under recording mocks. */
async function runStack(stack: string): Promise<RecordingMocks> {
    const mocks = new RecordingMocks();
    await installMocks(mocks, { project: "k8sprod", stack });
    const config = YAML.parse(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config ?? {};
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
    const entry = require.resolve(path.join(ROOT, "dist", "stacks", "index.js"));
    delete require.cache[entry];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(entry);
    await settle();
    return mocks;
}

describe("stack dev", () => {
    let mocks: RecordingMocks;
    before(async () => {
        mocks = await runStack("dev");
    });

    it("deploys the example api, database and their namespace", () => {
        const components = mocks.registrations.filter((r) => r.type.startsWith("k8sprod:")).map((r) => `${r.type} ${r.name}`).sort();
        assert.deepStrictEqual(components, [
            "k8sprod:workloads:ProductionNamespace production",
            "k8sprod:workloads:StatefulService database",
            "k8sprod:workloads:WebService api",
        ]);
    });

    it("emits only Kubernetes objects that validate against the OpenAPI schema", async () => {
        const objects = mocks.kubernetesObjects();
        assert.ok(objects.length >= 15, `only ${objects.length} objects`);
        await assertValidObjects(objects);
    });

    it("lets the api reach the database on TCP 5432 and nothing else but DNS", () => {
        const egress = mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-netpol").inputs.spec.egress;
        const dbLabels = mocks.get("kubernetes:apps/v1:StatefulSet", "database-statefulset").inputs.spec.template.metadata.labels;
        assert.strictEqual(egress.length, 2);
        const selector = egress[0].to[0].podSelector.matchLabels;
        for (const [k, v] of Object.entries(selector)) {
            assert.strictEqual(dbLabels[k], v, `the api's egress selector ${k}=${v} does not match the database pods`);
        }
        assert.deepStrictEqual(egress[0].ports, [{ port: 5432, protocol: "TCP" }]);
        assert.deepStrictEqual(egress[1].ports.map((p: any) => p.port), [53, 53]);
    });

    it("lets only the api into the database besides its own replicas", () => {
        const ingress = mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "database-netpol").inputs.spec.ingress;
        const apiLabels = mocks.get("kubernetes:apps/v1:Deployment", "api-deployment").inputs.spec.template.metadata.labels;
        const sources = ingress.map((r: any) => r.from[0].podSelector.matchLabels["app.kubernetes.io/name"]);
        assert.deepStrictEqual(sources, ["database", "api"]);
        assert.strictEqual(apiLabels["app.kubernetes.io/name"], "api");
    });

    it("reads the database password from a Secret mounted as a file, never from plain config or the environment", () => {
        const spec = mocks.get("kubernetes:apps/v1:StatefulSet", "database-statefulset").inputs.spec.template.spec;
        const c = spec.containers[0];
        assert.deepStrictEqual(c.env.find((e: any) => e.name === "POSTGRES_PASSWORD_FILE"), { name: "POSTGRES_PASSWORD_FILE", value: "/run/secrets/postgres/password" });
        assert.ok(!c.env.some((e: any) => e.name === "POSTGRES_PASSWORD" || e.valueFrom?.secretKeyRef), JSON.stringify(c.env));
        const mount = c.volumeMounts.find((m: any) => m.mountPath === "/run/secrets/postgres/password");
        assert.ok(mount?.readOnly, JSON.stringify(c.volumeMounts));
        const volume = spec.volumes.find((v: any) => v.name === mount.name);
        assert.deepStrictEqual(volume.secret.items, [{ key: "password", path: "password" }]);
        assert.strictEqual(volume.secret.secretName, "database-credentials");
    });
});
