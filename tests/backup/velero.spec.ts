/**
 * Velero under mocks: the chart values against the chart's own values.yaml and values.schema.json, the Velero
 * objects against Velero's CRDs, the buckets' protections, replication to the second region with its own key,
 * IAM documents through the least-privilege checker, and bad input refused with property paths.
 */
import * as assert from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { Velero, VeleroArgs, validateVeleroArgs } from "../../components/backup/velero";
import { DEFAULT_FREQUENT_SCHEDULE, veleroSchedule } from "../../components/backup";
import { mergeHelmValues } from "../../components/lib/helm";
import { replicationPolicy, tlsOnlyBucketPolicy, veleroPolicy } from "../../components/backup/bucket";
import { leastPrivilegeProblems, irsaTrustProblems } from "../../lib/iam";
import { BACKUP_LABEL, VELERO_FS_BACKUP_ANNOTATION, scheduleCoversNamespace } from "../../lib/backup";
import { HELM_CHARTS, VELERO_AWS_PLUGIN_IMAGE } from "../../lib/versions";
import { deniesInsecureTransport } from "../../policies/aws/s3";
import { RecordingMocks, Registration, installMocks } from "../helpers/mocks";
import { settle } from "../helpers/outputs";
import { schemaErrors } from "../helpers/schema";
import { refused, paths } from "../cluster/harness";
import { CHART_FIXTURES, loadChartFixture, typedFragments, valuesProblems } from "../helm/values-checker";
import { fragmentProblems } from "../helm/kubernetes-fragments";

const ACCOUNT = "123456789012";
const ARGS: VeleroArgs = {
    clusterName: "prod",
    region: "us-east-1",
    replicaRegion: "us-west-2",
    oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC`,
    oidcProviderUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
    backupNamespaces: ["production"],
    tags: { Project: "k8sprod" },
};

async function deploy(args: Partial<VeleroArgs> = {}): Promise<RecordingMocks> {
    const mocks = new RecordingMocks()
        .onResource("aws:s3/bucket:Bucket", (a) => ({ bucket: `${a.name}-abc123`, arn: `arn:aws:s3:::${a.name}-abc123`, id: `${a.name}-abc123` }))
        .onResource("aws:kms/key:Key", (a) => ({ arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${a.name}` }))
        .onResource("aws:iam/role:Role", (a) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${a.name}`, name: a.name }));
    await installMocks(mocks, {});
    new Velero("velero", { ...ARGS, ...args });
    await settle();
    return mocks;
}

const one = (mocks: RecordingMocks, type: string, name: string): Registration => {
    const r = mocks.registrations.find((x) => x.type === type && x.name === name);
    assert.ok(r, `no ${type} ${name}; have ${mocks.registrations.map((x) => `${x.type} ${x.name}`).join(", ")}`);
    return r;
};
const values = (mocks: RecordingMocks) => one(mocks, "kubernetes:helm.sh/v3:Release", "velero-release").inputs.values;
const customResources = (mocks: RecordingMocks, kind: string) => mocks.registrations
    .filter((r) => r.type.endsWith(`:${kind}`) && r.type.startsWith("kubernetes:")).map((r) => r.inputs);

describe("Velero", function () {
    this.timeout(900_000);
    let mocks: RecordingMocks;
    before(async () => {
        mocks = await deploy();
    });

    it("installs the pinned velero chart atomically, into its own namespace", () => {
        const r = one(mocks, "kubernetes:helm.sh/v3:Release", "velero-release").inputs;
        assert.strictEqual(r.chart, "velero");
        assert.strictEqual(r.version, HELM_CHARTS.velero.version);
        assert.deepStrictEqual(r.repositoryOpts, { repo: "https://vmware-tanzu.github.io/helm-charts" });
        assert.strictEqual(r.namespace, "velero");
        assert.strictEqual(r.atomic, true);
        const chart = loadChartFixture("velero").chartYaml;
        assert.strictEqual(chart.version, HELM_CHARTS.velero.version);
        assert.strictEqual(chart.appVersion, HELM_CHARTS.velero.appVersion);
    });

    it("sets only keys the chart's values.yaml has, with Kubernetes fragments that are valid objects", async () => {
        const v = values(mocks);
        const chart = loadChartFixture("velero");
        const typed = [
            { path: ["resources"], kind: "ResourceRequirements" as const },
            { path: ["nodeAgent", "resources"], kind: "ResourceRequirements" as const },
            { path: ["podSecurityContext"], kind: "PodSecurityContext" as const },
            { path: ["containerSecurityContext"], kind: "SecurityContext" as const },
        ];
        // initContainers is a list of containers the chart renders verbatim; metrics labels are free-form maps.
        assert.deepStrictEqual(valuesProblems(chart, v, { typed, freeForm: [["metrics", "serviceMonitor", "additionalLabels"]] }), []);
        const fragments = typedFragments(v, typed);
        assert.strictEqual(fragments.length, typed.length);
        const problems = (await Promise.all(fragments.map((f) => fragmentProblems(f.kind, f.value, f.path.join("."))))).flat();
        assert.deepStrictEqual(problems, []);
    });

    it("passes the chart's values.schema.json", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(CHART_FIXTURES, "velero", "values.schema.json"), "utf8"));
        const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
        // Helm validates the chart's defaults with the release's values coalesced over them (maps merge, lists replace).
        const merged = mergeHelmValues(loadChartFixture("velero").defaults, values(mocks), []);
        const ok = validate(merged);
        assert.ok(ok, JSON.stringify(validate.errors, null, 2));
        // The schema is not a rubber stamp: a wrong type is refused.
        assert.ok(!validate({ ...merged, deployNodeAgent: "yes" }));
    });

    it("authenticates with IRSA only: the server's service account carries the role, no credentials secret", () => {
        const v = values(mocks);
        assert.deepStrictEqual(v.credentials, { useSecret: false });
        assert.strictEqual(v.serviceAccount.server.name, "velero-server");
        assert.strictEqual(v.serviceAccount.server.annotations["eks.amazonaws.com/role-arn"], `arn:aws:iam::${ACCOUNT}:role/velero-irsa-role`);
        const trust = JSON.parse(one(mocks, "aws:iam/role:Role", "velero-irsa-role").inputs.assumeRolePolicy);
        assert.deepStrictEqual(irsaTrustProblems(trust), []);
        assert.strictEqual(trust.Statement[0].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"], "system:serviceaccount:velero:velero-server");
    });

    it("runs the pinned AWS plugin, CSI snapshots, and file-system backup only for annotated volumes (node-agent on)", () => {
        const v = values(mocks);
        assert.strictEqual(v.initContainers.length, 1);
        assert.strictEqual(v.initContainers[0].image, VELERO_AWS_PLUGIN_IMAGE);
        assert.strictEqual(v.configuration.features, "EnableCSI");
        assert.strictEqual(v.configuration.defaultVolumesToFsBackup, false);
        assert.strictEqual(v.deployNodeAgent, true);
        assert.strictEqual(v.snapshotsEnabled, false, "no VolumeSnapshotLocation: snapshots are CSI snapshots");
        assert.strictEqual(v.backupsEnabled, false, "the BackupStorageLocation is a typed object");
        assert.strictEqual(v.metrics.enabled, true);
        assert.strictEqual(v.metrics.serviceMonitor.enabled, true);
        assert.strictEqual(v.containerSecurityContext.readOnlyRootFilesystem, true);
        assert.strictEqual(v.podSecurityContext.runAsNonRoot, true);
    });

    it("writes a BackupStorageLocation and Schedules that Velero's CRDs accept", async () => {
        const objects = [...customResources(mocks, "BackupStorageLocation"), ...customResources(mocks, "Schedule")];
        assert.strictEqual(objects.length, 3);
        for (const o of objects) {
            assert.deepStrictEqual(await schemaErrors(o), [], `${o.kind} ${o.metadata.name}`);
        }
        const [bsl] = customResources(mocks, "BackupStorageLocation");
        assert.strictEqual(bsl.spec.provider, "aws");
        assert.strictEqual(bsl.spec.default, true);
        assert.strictEqual(bsl.spec.objectStorage.bucket, "velero-bucket-abc123");
        assert.deepStrictEqual(bsl.spec.config, { region: "us-east-1" });
    });

    it("backs the labelled namespaces up hourly (kept 72 h) and the whole cluster daily (kept 30 days)", () => {
        const schedules = Object.fromEntries(customResources(mocks, "Schedule").map((s) => [s.metadata.name, s]));
        const frequent = schedules["namespaces-frequent"];
        assert.strictEqual(frequent.spec.schedule, "0 * * * *");
        assert.strictEqual(frequent.spec.template.ttl, "72h0m0s");
        assert.deepStrictEqual(frequent.spec.template.includedNamespaces, ["production"]);
        assert.strictEqual(frequent.spec.template.defaultVolumesToFsBackup, false);
        assert.strictEqual(frequent.spec.template.snapshotVolumes, true);
        const daily = schedules["cluster-daily"];
        assert.strictEqual(daily.spec.schedule, "0 3 * * *");
        assert.strictEqual(daily.spec.template.ttl, "720h0m0s");
        assert.deepStrictEqual(daily.spec.template.includedNamespaces, ["*"]);
        assert.strictEqual(daily.spec.template.includeClusterResources, true);
        assert.ok(scheduleCoversNamespace(frequent.spec.template, "production"));
        assert.ok(!scheduleCoversNamespace(frequent.spec.template, "other"));
        assert.ok(scheduleCoversNamespace(daily.spec.template, "anything"));
    });

    it("takes other timings, and no frequent schedule without namespaces", async () => {
        const m = await deploy({ backupNamespaces: [], clusterSchedule: { schedule: "@every 12h", ttl: "336h" }, extraSchedules: { weekly: { schedule: "0 4 * * 0", ttl: "2160h", includedNamespaces: ["production"] } } });
        const names = customResources(m, "Schedule").map((s) => s.metadata.name).sort();
        assert.deepStrictEqual(names, ["cluster-daily", "weekly"]);
        const daily = customResources(m, "Schedule").find((s) => s.metadata.name === "cluster-daily")!;
        assert.strictEqual(daily.spec.schedule, "@every 12h");
        assert.strictEqual(daily.spec.template.ttl, "336h0m0s");
        for (const s of customResources(m, "Schedule")) {
            assert.deepStrictEqual(await schemaErrors(s), []);
        }
    });

    for (const role of ["bucket", "replica"]) {
        it(`protects the ${role} bucket: versioning, SSE-KMS with its own rotating key, no public access, TLS only, noncurrent versions expire`, () => {
            const key = one(mocks, "aws:kms/key:Key", `velero-${role}-key`).inputs;
            assert.strictEqual(key.enableKeyRotation, true);
            assert.strictEqual(key.rotationPeriodInDays, 365);
            assert.strictEqual(one(mocks, "aws:s3/bucketVersioning:BucketVersioning", `velero-${role}-versioning`).inputs.versioningConfiguration.status, "Enabled");
            const sse = one(mocks, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `velero-${role}-encryption`).inputs;
            assert.deepStrictEqual(sse.rules[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/velero-${role}-key` });
            const pab = one(mocks, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `velero-${role}-public-access-block`).inputs;
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
                assert.strictEqual(pab[k], true, k);
            }
            const policy = one(mocks, "aws:s3/bucketPolicy:BucketPolicy", `velero-${role}-tls-only`).inputs.policy;
            assert.ok(deniesInsecureTransport(policy), policy);
            assert.ok(JSON.parse(policy).Statement[0].Resource.includes(`arn:aws:s3:::velero-${role}-abc123/*`));
            const lifecycle = one(mocks, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `velero-${role}-lifecycle`).inputs;
            assert.strictEqual(lifecycle.rules[0].noncurrentVersionExpiration.noncurrentDays, 30);
            assert.strictEqual(one(mocks, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", `velero-${role}-ownership`).inputs.rule.objectOwnership, "BucketOwnerEnforced");
            assert.strictEqual(one(mocks, "aws:s3/bucket:Bucket", `velero-${role}`).inputs.forceDestroy, false);
        });
    }

    it("puts the replica bucket and its key in the second region, and replicates everything there with that key", () => {
        const provider = one(mocks, "pulumi:providers:aws", "velero-replica-region");
        assert.strictEqual(provider.inputs.region, "us-west-2");
        for (const name of ["velero-replica", "velero-replica-key", "velero-replica-versioning"]) {
            const r = mocks.registrations.find((x) => x.name === name)!;
            assert.ok(r.provider.startsWith(provider.urn), `${name} uses the replica-region provider`);
        }
        assert.ok(!one(mocks, "aws:s3/bucket:Bucket", "velero-bucket").provider.startsWith(provider.urn));
        const rc = one(mocks, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "velero-replication").inputs;
        assert.strictEqual(rc.bucket, "velero-bucket-id", "the primary bucket's id (as the mocks give it)");
        assert.deepStrictEqual(one(mocks, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "velero-replication").propertyDependencies.bucket, [one(mocks, "aws:s3/bucket:Bucket", "velero-bucket").urn]);
        const rule = rc.rules[0];
        assert.strictEqual(rule.status, "Enabled");
        assert.strictEqual(rule.destination.bucket, "arn:aws:s3:::velero-replica-abc123");
        assert.strictEqual(rule.destination.encryptionConfiguration.replicaKmsKeyId, `arn:aws:kms:us-east-1:${ACCOUNT}:key/velero-replica-key`);
        assert.notStrictEqual(rule.destination.encryptionConfiguration.replicaKmsKeyId, one(mocks, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "velero-bucket-encryption").inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId);
        assert.strictEqual(rule.sourceSelectionCriteria.sseKmsEncryptedObjects.status, "Enabled");
        assert.strictEqual(rule.deleteMarkerReplication.status, "Enabled");
    });

    it("gives Velero and replication least-privilege documents scoped to the two buckets and keys", () => {
        const velero = JSON.parse(one(mocks, "aws:iam/rolePolicy:RolePolicy", "velero-irsa-inline").inputs.policy);
        assert.deepStrictEqual(leastPrivilegeProblems(velero), []);
        const resources = velero.Statement.flatMap((s: any) => s.Resource);
        assert.deepStrictEqual(resources.sort(), [`arn:aws:kms:us-east-1:${ACCOUNT}:key/velero-bucket-key`, "arn:aws:s3:::velero-bucket-abc123", "arn:aws:s3:::velero-bucket-abc123/*"].sort());
        const actions = velero.Statement.flatMap((s: any) => s.Action);
        assert.ok(!actions.some((a: string) => a.startsWith("ec2:")), "CSI snapshots: Velero itself needs no EC2 action");
        const replication = JSON.parse(one(mocks, "aws:iam/rolePolicy:RolePolicy", "velero-replication-policy").inputs.policy);
        assert.deepStrictEqual(leastPrivilegeProblems(replication), []);
        assert.ok(replication.Statement.every((s: any) => s.Resource.every((r: string) => r.includes("velero-bucket") || r.includes("velero-replica"))));
        // The checker is not a rubber stamp for these documents: widen one and it objects.
        const wide = structuredClone(velero);
        wide.Statement[0].Resource = ["*"];
        assert.ok(leastPrivilegeProblems(wide).length > 0);
    });

    it("pure documents: Velero's policy has no wildcard action, replication decrypts only through S3 of each region", () => {
        const doc = veleroPolicy("arn:aws:s3:::b", "arn:aws:kms:us-east-1:1:key/k", "us-east-1");
        assert.ok(doc.Statement.every((s) => [s.Action].flat().every((a) => !String(a).includes("*"))));
        const rep = replicationPolicy({ sourceBucketArn: "arn:aws:s3:::a", sourceKeyArn: "ka", sourceRegion: "us-east-1", replicaBucketArn: "arn:aws:s3:::b", replicaKeyArn: "kb", replicaRegion: "us-west-2" });
        assert.deepStrictEqual(rep.Statement.find((s) => s.Sid === "DecryptSource")!.Condition, { StringLike: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } });
        assert.deepStrictEqual(rep.Statement.find((s) => s.Sid === "EncryptReplica")!.Condition, { StringLike: { "kms:ViaService": "s3.us-west-2.amazonaws.com" } });
        assert.strictEqual(tlsOnlyBucketPolicy("arn:aws:s3:::b").Statement[0].Effect, "Deny");
    });

    it("adds Object Lock to both buckets only when asked", async () => {
        assert.ok(!mocks.registrations.some((r) => r.type === "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"));
        assert.strictEqual(one(mocks, "aws:s3/bucket:Bucket", "velero-bucket").inputs.objectLockEnabled, false);
        const m = await deploy({ objectLock: { mode: "COMPLIANCE", days: 7 } });
        for (const role of ["bucket", "replica"]) {
            assert.strictEqual(one(m, "aws:s3/bucket:Bucket", `velero-${role}`).inputs.objectLockEnabled, true);
            assert.deepStrictEqual(one(m, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", `velero-${role}-object-lock`).inputs.rule,
                { defaultRetention: { mode: "COMPLIANCE", days: 7 } });
        }
    });

    it("creates the alerts as a PrometheusRule the Prometheus Operator's CRD accepts", async () => {
        const [rule] = customResources(mocks, "PrometheusRule");
        assert.deepStrictEqual(await schemaErrors(rule), []);
        const alerts = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
        assert.deepStrictEqual(alerts, ["VeleroBackupFailed", "VeleroNoSuccessfulBackup"]);
    });

    it("runs in a namespace labelled privileged with its reason, with egress limited to HTTPS", () => {
        const ns = one(mocks, "kubernetes:core/v1:Namespace", "velero-namespace").inputs;
        assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.match(ns.metadata.annotations["k8sprod.io/pod-security-exemption"], /node-agent/);
        assert.strictEqual(ns.metadata.labels[BACKUP_LABEL], undefined);
        const np = one(mocks, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "velero-allow-velero").inputs;
        assert.deepStrictEqual(np.spec.egress, [{ ports: [{ protocol: "TCP", port: 443 }] }]);
    });

    it("refuses owned Helm values with their paths", async () => {
        const e = await refused(() => new Velero("v", { ...ARGS, values: { credentials: { useSecret: true }, configuration: { defaultVolumesToFsBackup: true } } }));
        assert.deepStrictEqual(paths(e).sort(), ["values.configuration.defaultVolumesToFsBackup", "values.credentials"]);
        assert.match(e.message, new RegExp(VELERO_FS_BACKUP_ANNOTATION.replace(/\./g, "\\.")));
    });
});

describe("Velero bad input", () => {
    it("refuses every problem at once, with its property path, before any child exists", async () => {
        const mocks = new RecordingMocks();
        await installMocks(mocks, {});
        const e = await refused(() => new Velero("v", {
            ...ARGS,
            replicaRegion: "us-east-1",
            frequentSchedule: { ttl: "30m" },
            clusterSchedule: { schedule: "0 3 * *" },
            extraSchedules: { monthly: { schedule: "61 * * * *", ttl: "720h" }, weekly: { schedule: "0 0 * * 0", ttl: "0" } },
            noncurrentVersionDays: 0,
            objectLock: { mode: "WORM", days: 0 },
        }));
        assert.strictEqual(e.constructor.name, "InputPropertiesError");
        assert.deepStrictEqual(paths(e).sort(), [
            "clusterSchedule.schedule", "extraSchedules.monthly.schedule", "extraSchedules.weekly.ttl", "frequentSchedule.ttl",
            "noncurrentVersionDays", "objectLock.days", "objectLock.mode", "replicaRegion",
        ]);
        assert.match(e.message, /frequentSchedule\.ttl: 30m is shorter than the schedule's period \(1h0m0s between runs of "0 \* \* \* \*"\)/);
        assert.match(e.message, /replicaRegion: "us-east-1" is the primary region too/);
        assert.match(e.message, /clusterSchedule\.schedule: "0 3 \* \*" has 4 fields/);
        assert.match(e.message, /extraSchedules\.monthly\.schedule: "61 \* \* \* \*" does not parse/);
        assert.match(e.message, /noncurrentVersionDays: 0 is not allowed/);
        assert.deepStrictEqual(mocks.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
    });

    it("refuses a missing replica region and malformed regions", () => {
        const p = validateVeleroArgs({ ...ARGS, replicaRegion: undefined as any, region: "Mars" }).items.map((i) => i.propertyPath).sort();
        assert.deepStrictEqual(p, ["region", "replicaRegion"]);
    });

    it("accepts the defaults and a TTL equal to the period", () => {
        assert.deepStrictEqual(validateVeleroArgs(ARGS).items, []);
        assert.deepStrictEqual(validateVeleroArgs({ ...ARGS, frequentSchedule: { schedule: "0 */6 * * *", ttl: "6h" } }).items, []);
        assert.deepStrictEqual(validateVeleroArgs({ ...ARGS, frequentSchedule: { schedule: "0 */6 * * *", ttl: "5h59m" } }).items.map((i) => i.propertyPath), ["frequentSchedule.ttl"]);
    });
});

describe("veleroSchedule", () => {
    // The API server stores no empty metadata.labels: `labels: {}` sent on every apply is a change on every
    // `pulumi up` (the real engine's e2e saw the dev stack's Schedule updated by a second, unchanged up).
    it("sends metadata.labels only when there are labels", () => {
        const bare = veleroSchedule("app-hourly", { ...DEFAULT_FREQUENT_SCHEDULE, includedNamespaces: ["shop"] }, { namespace: "velero", storageLocation: "default" });
        assert.deepStrictEqual(bare.metadata, { name: "app-hourly", namespace: "velero" });
        const labelled = veleroSchedule("app-hourly", DEFAULT_FREQUENT_SCHEDULE, { namespace: "velero", storageLocation: "default", labels: { team: "shop" } });
        assert.deepStrictEqual(labelled.metadata.labels, { team: "shop" });
    });
});
