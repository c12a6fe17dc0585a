import * as assert from "assert";
import { StatefulService } from "../../components/workloads";
import { assertValidObjects } from "../helpers/schema";
import { dbArgs, podSpec, record } from "./fixtures";

const STS = "kubernetes:apps/v1:StatefulSet";
const SERVICE = "kubernetes:core/v1:Service";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

describe("StatefulService", () => {
    it("emits only objects that validate against the Kubernetes OpenAPI schema", async () => {
        const mocks = await record(() => new StatefulService("database", dbArgs()));
        const objects = mocks.kubernetesObjects();
        assert.deepStrictEqual(new Set(objects.map((o) => o.kind)),
            new Set(["ServiceAccount", "Service", "StatefulSet", "PodDisruptionBudget", "NetworkPolicy"]));
        await assertValidObjects(objects);
    });

    it("gives the StatefulSet a headless Service for stable identities", async () => {
        const mocks = await record(() => new StatefulService("database", dbArgs()));
        const svc = mocks.get(SERVICE, "database-headless").inputs;
        assert.strictEqual(svc.spec.clusterIP, "None");
        assert.strictEqual(mocks.get(STS, "database-statefulset").inputs.spec.serviceName, svc.metadata.name);
        assert.deepStrictEqual(svc.spec.ports, [{ name: "postgres", port: 5432, targetPort: "postgres", protocol: "TCP" }]);
    });

    it("claims an encrypted gp3 volume per replica, ReadWriteOnce by default, and mounts it", async () => {
        const sts = (await record(() => new StatefulService("database", dbArgs()))).get(STS, "database-statefulset").inputs.spec;
        assert.strictEqual(sts.replicas, 3);
        assert.strictEqual(sts.volumeClaimTemplates.length, 1);
        const claim = sts.volumeClaimTemplates[0];
        assert.strictEqual(claim.metadata.name, "data");
        assert.deepStrictEqual(claim.spec, { accessModes: ["ReadWriteOnce"], storageClassName: "gp3-encrypted", resources: { requests: { storage: "100Gi" } } });
        const mounts = sts.template.spec.containers[0].volumeMounts;
        assert.ok(mounts.some((m: any) => m.name === "data" && m.mountPath === "/var/lib/postgresql/data"), JSON.stringify(mounts));
    });

    it("uses the storage class and access modes it is given", async () => {
        const args = dbArgs({ volumeClaims: [{ name: "data", mountPath: "/data", size: "20Gi", storageClassName: "io2", accessModes: ["ReadWriteOncePod"] }] });
        const claim = (await record(() => new StatefulService("database", args))).get(STS, "database-statefulset").inputs.spec.volumeClaimTemplates[0];
        assert.strictEqual(claim.spec.storageClassName, "io2");
        assert.deepStrictEqual(claim.spec.accessModes, ["ReadWriteOncePod"]);
    });

    it("keeps volumes when the set is deleted or scaled down", async () => {
        const sts = (await record(() => new StatefulService("database", dbArgs()))).get(STS, "database-statefulset").inputs.spec;
        assert.deepStrictEqual(sts.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        assert.strictEqual(sts.podManagementPolicy, "OrderedReady");
    });

    it("annotates its pods so Velero backs up the volumes", async () => {
        const meta = (await record(() => new StatefulService("database", dbArgs({
            volumeClaims: [
                { name: "data", mountPath: "/data", size: "10Gi" },
                { name: "scratch", mountPath: "/scratch", size: "10Gi", backup: false },
            ],
        })))).get(STS, "database-statefulset").inputs.spec.template.metadata;
        assert.strictEqual(meta.annotations["backup.velero.io/backup-volumes"], "data");
    });

    it("applies the same security, resource and spread defaults as a WebService", async () => {
        const spec = podSpec((await record(() => new StatefulService("database", dbArgs()))).get(STS, "database-statefulset"));
        const c = spec.containers[0];
        assert.strictEqual(spec.securityContext.runAsNonRoot, true);
        assert.strictEqual(c.securityContext.readOnlyRootFilesystem, true);
        assert.deepStrictEqual(c.securityContext.capabilities, { drop: ["ALL"] });
        assert.deepStrictEqual(c.resources, {
            requests: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "256Mi" },
            limits: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "768Mi" },
        });
        assert.deepStrictEqual(c.readinessProbe.exec, { command: ["pg_isready", "-U", "postgres"] });
        assert.deepStrictEqual(c.livenessProbe.tcpSocket, { port: 5432 });
        assert.strictEqual(spec.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
        assert.deepStrictEqual(spec.topologySpreadConstraints[0].matchLabelKeys, ["controller-revision-hash"]);
        assert.strictEqual(spec.automountServiceAccountToken, false);
        assert.strictEqual(spec.serviceAccountName, "database");
        assert.strictEqual(spec.terminationGracePeriodSeconds, 60);
    });

    it("allows one replica down at a time", async () => {
        const pdb = (await record(() => new StatefulService("database", dbArgs()))).get(PDB, "database-pdb").inputs.spec;
        assert.strictEqual(pdb.minAvailable, 2);
    });

    it("lets in only the api on 5432 besides its own replicas", async () => {
        const np = (await record(() => new StatefulService("database", dbArgs()))).get(NETPOL, "database-netpol").inputs.spec;
        const self = { podSelector: { matchLabels: { "app.kubernetes.io/name": "database", "app.kubernetes.io/instance": "database" } } };
        assert.deepStrictEqual(np.ingress, [
            { from: [self], ports: [{ port: 5432, protocol: "TCP" }] },
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" } } }], ports: [{ port: 5432, protocol: "TCP" }] },
        ]);
        assert.deepStrictEqual(np.egress[0], { to: [self], ports: [{ port: 5432, protocol: "TCP" }] });
        assert.strictEqual(np.egress.length, 2, "replicas and DNS only");
    });
});
