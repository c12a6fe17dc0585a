/**
 * EtcdBackup and RestoreDrill under mocks, and the schedule checks: the CronJobs mount the repository's scripts
 * byte for byte, are valid Kubernetes, carry the least-privilege RBAC the drill needs, and bad input (retention 0,
 * a cron expression that does not parse, a TTL shorter than the period) is refused with its property path.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EtcdBackup, EtcdBackupArgs } from "../../components/backup/etcdBackup";
import { RestoreDrill } from "../../components/backup/restoreDrill";
import { canonicalDuration, cronProblem, longestGapSeconds, validateSchedule } from "../../components/backup/schedule";
import { Problems } from "../../components/lib/errors";
import { RecordingMocks, Registration, installMocks } from "../helpers/mocks";
import { settle } from "../helpers/outputs";
import { schemaErrors } from "../helpers/schema";
import { paths, refused } from "../cluster/harness";

const SCRIPTS = path.join(__dirname, "..", "..", "..", "components", "backup", "scripts");

async function deploy(program: () => void): Promise<RecordingMocks> {
    const mocks = new RecordingMocks();
    await installMocks(mocks, {});
    program();
    await settle();
    return mocks;
}
const one = (mocks: RecordingMocks, type: string, name: string): Registration => {
    const r = mocks.registrations.find((x) => x.type === type && x.name === name);
    assert.ok(r, `no ${type} ${name}`);
    return r;
};
const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));

const ETCD: EtcdBackupArgs = { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/etcd-snapshot:3.5.21", bucket: "backups-abc", region: "us-east-1" };

describe("EtcdBackup", function () {
    this.timeout(900_000);

    it("runs the repository's snapshot script, byte for byte, on a control-plane node with the etcd PKI read-only", async () => {
        const mocks = await deploy(() => new EtcdBackup("etcd", { ...ETCD, kmsKeyArn: "arn:aws:kms:us-east-1:1:key/k" }));
        const cm = one(mocks, "kubernetes:core/v1:ConfigMap", "etcd-script").inputs;
        assert.strictEqual(cm.data["etcd-snapshot.sh"], fs.readFileSync(path.join(SCRIPTS, "etcd-snapshot.sh"), "utf8"));
        const cron = one(mocks, "kubernetes:batch/v1:CronJob", "etcd-cronjob").inputs;
        assert.deepStrictEqual(await schemaErrors({ apiVersion: "batch/v1", kind: "CronJob", ...cron }), []);
        assert.strictEqual(cron.spec.schedule, "0 */6 * * *");
        assert.strictEqual(cron.spec.concurrencyPolicy, "Forbid");
        const pod = cron.spec.jobTemplate.spec.template.spec;
        assert.strictEqual(pod.hostNetwork, true);
        assert.deepStrictEqual(pod.nodeSelector, { "node-role.kubernetes.io/control-plane": "" });
        assert.ok(pod.tolerations.some((t: any) => t.key === "node-role.kubernetes.io/control-plane"));
        assert.deepStrictEqual(pod.volumes.find((v: any) => v.name === "etcd-pki").hostPath, { path: "/etc/kubernetes/pki/etcd", type: "Directory" });
        const c = pod.containers[0];
        assert.deepStrictEqual(c.command, ["bash", "/scripts/etcd-snapshot.sh"]);
        assert.ok(c.volumeMounts.find((m: any) => m.name === "etcd-pki").readOnly);
        const env = envOf(c);
        assert.strictEqual(env.ETCDCTL_ENDPOINTS, "https://127.0.0.1:2379");
        assert.strictEqual(env.ETCD_CACERT, "/etc/etcd-pki/ca.crt");
        assert.strictEqual(env.ETCD_CERT, "/etc/etcd-pki/server.crt");
        assert.strictEqual(env.ETCD_KEY, "/etc/etcd-pki/server.key");
        assert.strictEqual(env.SNAPSHOT_TARGET, "s3://backups-abc/etcd");
        assert.strictEqual(env.SNAPSHOT_KMS_KEY_ID, "arn:aws:kms:us-east-1:1:key/k");
        assert.strictEqual(env.RETAIN_COUNT, "28");
        assert.strictEqual(env.RETAIN_DAYS, "7");
        // Every variable the CronJob sets is one the script reads.
        const script = fs.readFileSync(path.join(SCRIPTS, "etcd-snapshot.sh"), "utf8");
        for (const name of Object.keys(env).filter((n) => !["AWS_REGION", "HOME"].includes(n))) {
            assert.ok(script.includes(`\${${name}`) || script.includes(`${name}=`), `the script does not read ${name}`);
        }
        const ns = one(mocks, "kubernetes:core/v1:Namespace", "etcd-backup-namespace").inputs;
        assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.match(ns.metadata.annotations["k8sprod.io/pod-security-exemption"], /hostPath.*hostNetwork/);
    });

    it("refuses retention 0, a cron expression that does not parse and a plain-HTTP endpoint, all at once", async () => {
        const mocks = new RecordingMocks();
        await installMocks(mocks, {});
        const e = await refused(() => new EtcdBackup("etcd", { ...ETCD, retainCount: 0, retainDays: 0, schedule: "every hour", endpoints: "http://10.0.0.1:2379", image: "etcd:latest" }));
        assert.deepStrictEqual(paths(e).sort(), ["endpoints", "image", "retainCount", "retainDays", "schedule"]);
        assert.match(e.message, /retainCount: 0 is not allowed: keep at least 1 snapshot/);
        assert.deepStrictEqual(mocks.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
    });
});

describe("RestoreDrill", function () {
    this.timeout(900_000);

    it("runs the repository's drill script weekly as a restricted, non-root job that is not retried", async () => {
        const mocks = await deploy(() => new RestoreDrill("drill", { sourceNamespace: "production", scheduleName: "namespaces-frequent", pushgatewayUrl: "http://pushgateway.monitoring:9091" }));
        const cm = one(mocks, "kubernetes:core/v1:ConfigMap", "drill-script").inputs;
        assert.strictEqual(cm.data["restore-drill.sh"], fs.readFileSync(path.join(SCRIPTS, "restore-drill.sh"), "utf8"));
        const cron = one(mocks, "kubernetes:batch/v1:CronJob", "drill-cronjob").inputs;
        assert.deepStrictEqual(await schemaErrors({ apiVersion: "batch/v1", kind: "CronJob", ...cron }), []);
        assert.strictEqual(cron.spec.schedule, "0 5 * * 1");
        assert.strictEqual(cron.spec.jobTemplate.spec.backoffLimit, 0);
        const pod = cron.spec.jobTemplate.spec.template.spec;
        assert.strictEqual(pod.securityContext.runAsNonRoot, true);
        assert.strictEqual(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
        const env = envOf(pod.containers[0]);
        assert.strictEqual(env.DRILL_SOURCE_NAMESPACE, "production");
        assert.strictEqual(env.DRILL_SCHEDULE, "namespaces-frequent");
        assert.strictEqual(env.DRILL_SCRATCH_NAMESPACE, "drill-production");
        assert.strictEqual(env.DRILL_PUSHGATEWAY_URL, "http://pushgateway.monitoring:9091");
        const np = one(mocks, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "drill-allow-api").inputs;
        assert.deepStrictEqual(np.spec.egress[0].ports.map((p: any) => p.port), [443, 9091]);
        const ns = one(mocks, "kubernetes:core/v1:Namespace", "restore-drill-namespace").inputs;
        assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("may create Restores in Velero's namespace, and read and delete only its scratch namespace", async () => {
        const mocks = await deploy(() => new RestoreDrill("drill", { sourceNamespace: "production", scheduleName: "hourly" }));
        const velero = one(mocks, "kubernetes:rbac.authorization.k8s.io/v1:Role", "drill-velero-role").inputs;
        assert.strictEqual(velero.metadata.namespace, "velero");
        assert.deepStrictEqual(velero.rules, [{ apiGroups: ["velero.io"], resources: ["restores"], verbs: ["create", "get"] }]);
        const cluster = one(mocks, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "drill-cluster-role").inputs;
        const nsRule = cluster.rules.find((r: any) => r.resources.includes("namespaces"));
        assert.deepStrictEqual(nsRule, { apiGroups: [""], resources: ["namespaces"], resourceNames: ["drill-production"], verbs: ["get", "delete"] });
        const apps = cluster.rules.find((r: any) => r.apiGroups.includes("apps"));
        assert.deepStrictEqual(apps.verbs, ["get", "list", "watch"]);
        assert.ok(cluster.rules.every((r: any) => !r.verbs.includes("*") && !r.resources.includes("*")));
    });

    it("refuses a scratch namespace equal to the source, a bad cron and short timeouts, with their paths", async () => {
        const e = await refused(() => new RestoreDrill("drill", { sourceNamespace: "production", scheduleName: "hourly", scratchNamespace: "production", schedule: "0 5 * * 8", restoreTimeoutSeconds: 10 }));
        assert.deepStrictEqual(paths(e).sort(), ["restoreTimeoutSeconds", "schedule", "scratchNamespace"]);
    });
});

describe("schedule checks", () => {
    it("accept Velero's cron forms and refuse what robfig/cron's standard parser would", () => {
        for (const ok of ["0 * * * *", "*/15 * * * *", "0 3 * * 1-5", "@daily", "@hourly", "@every 6h", "@every 90m"]) {
            assert.strictEqual(cronProblem(ok), undefined, ok);
        }
        for (const bad of ["", "* * *", "0 0 * * * *", "61 * * * *", "0 25 * * *", "@fortnightly", "@every soon", "hourly"]) {
            assert.ok(cronProblem(bad), bad);
        }
    });

    it("measure the longest gap between runs, not the first one", () => {
        assert.strictEqual(longestGapSeconds("0 * * * *"), 3600);
        assert.strictEqual(longestGapSeconds("@daily"), 86400);
        assert.strictEqual(longestGapSeconds("0 9 * * 1-5"), 3 * 86400, "Friday to Monday");
        assert.strictEqual(longestGapSeconds("0 0 1 * *"), 31 * 86400);
        assert.strictEqual(longestGapSeconds("@every 6h"), 21600);
        assert.strictEqual(canonicalDuration("72h"), "72h0m0s");
        assert.strictEqual(canonicalDuration("1h30m"), "1h30m0s");
    });

    it("refuse a TTL shorter than the longest gap, and a TTL of 0", () => {
        const check = (s: Record<string, any>) => {
            const p = new Problems();
            validateSchedule(p.under("s"), s);
            return p.items.map((i) => `${i.propertyPath}: ${i.reason}`);
        };
        assert.deepStrictEqual(check({ schedule: "0 9 * * 1-5", ttl: "72h" }), []);
        assert.match(check({ schedule: "0 9 * * 1-5", ttl: "48h" })[0], /^s\.ttl: 48h is shorter than the schedule's period \(72h0m0s/);
        assert.match(check({ schedule: "@daily", ttl: "0" })[0], /^s\.ttl: a TTL of 0/);
        assert.deepStrictEqual(check({ schedule: "@daily", ttl: "24h", includedNamespaces: ["Bad_NS"] }).map((x) => x.split(":")[0]), ["s.includedNamespaces[0]"]);
    });
});
