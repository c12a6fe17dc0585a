// The workload templates follow the practices the pack learned in issue 13: ephemeral-storage
// requests and limits, secrets as files, high uid/gid, unhealthy-pod eviction, no replicas beside an
// HPA, hostname spread — and pass those policies with their defaults.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { StatefulService, WebService } from "../../components/workloads";
import { thrown } from "../helpers/outputs";
import { violationsOf } from "../helpers/policy";
import { assertValidObjects } from "../helpers/schema";
import { apiArgs, dbArgs, podSpec, record } from "./fixtures";

const STS = "kubernetes:apps/v1:StatefulSet";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const NEW_POLICIES = ["disallow-replicas-with-hpa", "require-ephemeral-storage", "disallow-secret-env", "require-pdb-unhealthy-pod-eviction-policy",
    "require-high-uid-gid", "require-zone-spread"];

const withSecretFile = () => dbArgs({
    containers: [{
        ...dbArgs().containers[0],
        env: { POSTGRES_PASSWORD_FILE: "/run/secrets/postgres/password" },
        secretFiles: { "/run/secrets/postgres/password": { secretName: "database-credentials", key: "password" } },
    }],
});

describe("workload templates and the practices from the peers", () => {
    it("request 256Mi of ephemeral-storage and limit it to the request plus each writable volume, unless told otherwise", async () => {
        const api = (await record(() => new WebService("api", apiArgs()))).get(DEPLOYMENT, "api-deployment");
        const r = podSpec(api).containers[0].resources;
        assert.strictEqual(r.requests["ephemeral-storage"], "256Mi");
        assert.strictEqual(r.limits["ephemeral-storage"], "512Mi"); // /tmp's emptyDir (256Mi) + the request
        const db = (await record(() => new StatefulService("database", dbArgs()))).get(STS, "database-statefulset");
        assert.strictEqual(podSpec(db).containers[0].resources.limits["ephemeral-storage"], "768Mi"); // /tmp and /var/run/postgresql
        const given = apiArgs();
        given.containers[0].resources = { requests: { cpu: "250m", memory: "256Mi", ephemeralStorage: "1Gi" }, limits: { ephemeralStorage: "2Gi" } };
        const custom = (await record(() => new WebService("api", given))).get(DEPLOYMENT, "api-deployment");
        assert.deepStrictEqual([podSpec(custom).containers[0].resources.requests["ephemeral-storage"], podSpec(custom).containers[0].resources.limits["ephemeral-storage"]], ["1Gi", "2Gi"]);
    });

    it("refuse an ephemeral-storage limit below its request", () => {
        const args = apiArgs();
        args.containers[0].resources = { requests: { cpu: "250m", memory: "256Mi", ephemeralStorage: "1Gi" }, limits: { ephemeralStorage: "100Mi" } };
        const e: any = thrown(() => new WebService("api", args));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), String(e));
        assert.ok(e.errors.some((p: any) => p.propertyPath === "containers[0].resources.limits.ephemeralStorage" && /the limit 100Mi is below the request 1Gi/.test(p.reason)), JSON.stringify(e.errors));
    });

    it("mount secretFiles as read-only files readable by the pod's group, with no environment variable holding the secret", async () => {
        const mocks = await record(() => new StatefulService("database", withSecretFile()));
        const spec = podSpec(mocks.get(STS, "database-statefulset"));
        const c = spec.containers[0];
        const mount = c.volumeMounts.find((m: any) => m.mountPath === "/run/secrets/postgres/password");
        assert.ok(mount, JSON.stringify(c.volumeMounts));
        assert.strictEqual(mount.readOnly, true);
        assert.strictEqual(mount.subPath, "password");
        const volume = spec.volumes.find((v: any) => v.name === mount.name);
        assert.deepStrictEqual(volume.secret, { secretName: "database-credentials", items: [{ key: "password", path: "password" }], defaultMode: 0o440 });
        assert.ok(!(c.env ?? []).some((e: any) => e.valueFrom?.secretKeyRef), JSON.stringify(c.env));
        await assertValidObjects(mocks.kubernetesObjects());
    });

    it("refuse a secret file path that is relative or inside a writable path", () => {
        const args = withSecretFile();
        args.containers[0].secretFiles = { "password": { secretName: "s", key: "k" }, "/var/run/postgresql/pw": { secretName: "s", key: "k" } };
        const e: any = thrown(() => new StatefulService("database", args));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), String(e));
        const reasons = e.errors.map((p: any) => `${p.propertyPath}: ${p.reason}`).join("\n");
        assert.match(reasons, /containers\[0\]\.secretFiles\["password"\]: "password" must be an absolute file path/);
        assert.match(reasons, /containers\[0\]\.secretFiles\["\/var\/run\/postgresql\/pw"\]: \/var\/run\/postgresql\/pw is inside the writable path \/var\/run\/postgresql/);
    });

    it("pass the new policies with their defaults: a web service with an HPA and a database reading its password from a file", async () => {
        const mocks = await record(() => {
            new WebService("api", apiArgs());
            new StatefulService("database", withSecretFile());
        });
        const found = (await violationsOf(mocks.kubernetesObjects())).filter((v) => NEW_POLICIES.includes(v.policy));
        assert.deepStrictEqual(found.map((v) => `${v.policy}: ${v.message}`), []);
    });

    it("are flagged by disallow-secret-env when they use secretEnv (advisory)", async () => {
        const args = dbArgs();
        args.containers[0].secretEnv = { POSTGRES_PASSWORD: { secretName: "database-credentials", key: "password" } };
        const mocks = await record(() => new StatefulService("database", args));
        const found = (await violationsOf(mocks.kubernetesObjects())).filter((v) => v.policy === "disallow-secret-env");
        assert.strictEqual(found.length, 1);
        assert.strictEqual(found[0].enforcementLevel, "advisory");
    });
});
