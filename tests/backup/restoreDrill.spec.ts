/**
 * The restore drill script (the file RestoreDrill's CronJob mounts) with a stand-in `kubectl` on PATH that
 * plays the API server and Velero, and a real HTTP server standing in for the Pushgateway: the success path
 * and each failure (restore failed, restore never finishing, workloads never ready, an empty restore,
 * cleanup refused or stuck, bad settings), each with its exit status, its one log line and its metrics.
 * The Restore object the script creates is checked against Velero's Restore CRD, and the metrics file
 * with `promtool check metrics`.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { schemaErrors } from "../helpers/schema";
import { PROMTOOL } from "../autoscaling/promtool";

const DRILL_SCRIPT = path.join(__dirname, "..", "..", "..", "components", "backup", "scripts", "restore-drill.sh");

/**
 * The stand-in kubectl. State lives in $STANDIN_STATE: `ns-<name>` files are namespaces; every call is
 * appended to `calls.log`. The scenario comes from the environment:
 *   STANDIN_PHASES      Restore phases returned by successive reads (the last one repeats)
 *   STANDIN_WORKLOADS   what `get deployments.apps,statefulsets.apps,daemonsets.apps -o name` prints
 *   STANDIN_NOT_READY   a workload whose rollout status times out
 *   STANDIN_DELETE      "forbidden" (delete refused) or "stuck" (the namespace never goes away)
 */
const KUBECTL = `#!/usr/bin/env bash
state="$STANDIN_STATE"
echo "$*" >> "$state/calls.log"
case "$1 $2" in
  "get namespace")
    if [ -e "$state/ns-$3" ]; then echo "namespace/$3"; exit 0; fi
    echo "Error from server (NotFound): namespaces \\"$3\\" not found" >&2; exit 1 ;;
  "delete namespace")
    if [ "\${STANDIN_DELETE:-}" = forbidden ]; then
      echo "Error from server (Forbidden): namespaces \\"$3\\" is forbidden: User cannot delete resource" >&2; exit 1
    fi
    [ "\${STANDIN_DELETE:-}" = stuck ] || rm -f "$state/ns-$3"
    echo "namespace \\"$3\\" deleted"; exit 0 ;;
  "create -f")
    cat > "$state/restore.yaml"
    scratch=$(sed -n 's/^    [a-z0-9-]*: \\(.*\\)$/\\1/p' "$state/restore.yaml" | tail -n 1)
    touch "$state/ns-$scratch"
    echo "restore.velero.io/created"; exit 0 ;;
  "get restores.velero.io")
    n=$(cat "$state/reads" 2>/dev/null || echo 0); echo $((n + 1)) > "$state/reads"
    set -- $STANDIN_PHASES
    i=$(( n + 1 < $# ? n + 1 : $# ))
    printf '%s' "\${!i}"; exit 0 ;;
  "get deployments.apps,statefulsets.apps,daemonsets.apps")
    printf '%s\\n' \${STANDIN_WORKLOADS-deployment.apps/api statefulset.apps/database}; exit 0 ;;
  "rollout status")
    if [ "$3" = "\${STANDIN_NOT_READY:-}" ]; then
      echo "error: timed out waiting for the condition" >&2; exit 1
    fi
    echo "$3 successfully rolled out"; exit 0 ;;
esac
echo "stand-in kubectl: unexpected call: $*" >&2
exit 99
`;

interface Run {
    status: number | null;
    stderr: string;
    metrics: string;
    calls: string[];
    restore?: Record<string, any>;
    state: string;
    pushed: Array<{ method: string; url: string; body: string }>;
}

describe("restore drill script with stand-in kubectl", function () {
    this.timeout(900_000);
    let dir: string;
    let server: http.Server;
    let pushUrl: string;
    let pushed: Array<{ method: string; url: string; body: string }>;

    before(async () => {
        assert.ok(fs.existsSync(DRILL_SCRIPT));
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-drill-"));
        fs.mkdirSync(path.join(dir, "bin"));
        fs.writeFileSync(path.join(dir, "bin", "kubectl"), KUBECTL, { mode: 0o755 });
        server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c) => chunks.push(c));
            req.on("end", () => {
                pushed.push({ method: req.method ?? "", url: req.url ?? "", body: Buffer.concat(chunks).toString() });
                res.writeHead(200);
                res.end();
            });
        });
        await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
        pushUrl = `http://127.0.0.1:${(server.address() as any).port}`;
    });

    after(async () => {
        await new Promise<void>((res) => server.close(() => res()));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    let n = 0;
    async function drill(env: Record<string, string>, setup?: (state: string) => void): Promise<Run> {
        const state = path.join(dir, `run-${n++}`);
        fs.mkdirSync(state);
        setup?.(state);
        pushed = [];
        const metricsFile = path.join(state, "drill.prom");
        const child = spawn("bash", [DRILL_SCRIPT], {
            env: {
                PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, STANDIN_STATE: state, STANDIN_PHASES: "InProgress Completed",
                DRILL_SOURCE_NAMESPACE: "production", DRILL_SCHEDULE: "velero-hourly", DRILL_POLL_SECONDS: "1",
                DRILL_METRICS_FILE: metricsFile, DRILL_PUSHGATEWAY_URL: pushUrl, ...env,
            },
        });
        let stderr = "";
        child.stderr.on("data", (c) => (stderr += c));
        const status = await new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
        const restorePath = path.join(state, "restore.yaml");
        return {
            status, stderr, state, pushed: [...pushed],
            metrics: fs.existsSync(metricsFile) ? fs.readFileSync(metricsFile, "utf8") : "",
            calls: fs.existsSync(path.join(state, "calls.log")) ? fs.readFileSync(path.join(state, "calls.log"), "utf8").trim().split("\n") : [],
            restore: fs.existsSync(restorePath) ? YAML.parse(fs.readFileSync(restorePath, "utf8")) : undefined,
        };
    }

    function metric(run: Run, name: string, extra = ""): number | undefined {
        const re = new RegExp(`^${name}\\{source_namespace="production",schedule="[^"]*"${extra}\\} (\\S+)$`, "m");
        const m = re.exec(run.metrics);
        return m ? Number(m[1]) : undefined;
    }

    function assertOutcome(run: Run, code: number, stage: string | undefined, line: RegExp): void {
        const lines = run.stderr.trim().split("\n").filter((l) => !l.includes("left from an earlier drill"));
        assert.strictEqual(run.status, code, run.stderr);
        assert.strictEqual(lines.length, 1, `one log line, got:\n${run.stderr}`);
        assert.match(lines[0], line);
        assert.strictEqual(metric(run, "k8sprod_restore_drill_success"), code === 0 ? 1 : 0, run.metrics);
        for (const s of ["setup", "restore", "ready", "cleanup"]) {
            assert.strictEqual(metric(run, "k8sprod_restore_drill_failed_stage", `,stage="${s}"`), s === stage ? 1 : 0, `stage ${s}`);
        }
        assert.ok((metric(run, "k8sprod_restore_drill_last_run_timestamp_seconds") ?? 0) > 1.7e9);
        const check = spawnSync(PROMTOOL, ["check", "metrics"], { input: run.metrics, encoding: "utf8" });
        assert.ok(!check.error, `cannot run ${PROMTOOL}: install Debian's prometheus package`);
        assert.strictEqual(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
        assert.strictEqual(run.pushed.length, 1, "the result is pushed once");
        assert.strictEqual(run.pushed[0].method, "PUT");
        assert.strictEqual(run.pushed[0].url, "/metrics/job/restore-drill/source_namespace/production");
        assert.strictEqual(run.pushed[0].body, run.metrics);
    }

    const scratchGone = (run: Run) => !fs.existsSync(path.join(run.state, "ns-drill-production"));

    it("passes when Velero restores the schedule's latest backup and every workload becomes ready; the scratch namespace is deleted", async () => {
        const run = await drill({});
        assertOutcome(run, 0, undefined, /^restore-drill: ok: restored production from schedule velero-hourly into drill-production .* 2 workloads ready, drill-production deleted/);
        assert.ok(scratchGone(run));
        assert.ok(run.calls.includes("rollout status deployment.apps/api -n drill-production --timeout=900s") || run.calls.some((c) => /^rollout status deployment\.apps\/api -n drill-production --timeout=\d+s$/.test(c)), run.calls.join("\n"));
        assert.ok(run.calls.some((c) => c.startsWith("rollout status statefulset.apps/database -n drill-production")));
        assert.ok(run.calls.some((c) => c.startsWith("delete namespace drill-production")));
        // The Restore the script creates is a valid velero.io/v1 Restore: newest backup of the schedule, into the scratch namespace.
        const r = run.restore!;
        assert.deepStrictEqual(await schemaErrors(r), []);
        assert.strictEqual(r.metadata.namespace, "velero");
        assert.strictEqual(r.spec.scheduleName, "velero-hourly");
        assert.strictEqual(r.spec.backupName, undefined, "scheduleName alone picks the newest successful backup");
        assert.deepStrictEqual(r.spec.includedNamespaces, ["production"]);
        assert.deepStrictEqual(r.spec.namespaceMapping, { production: "drill-production" });
        assert.strictEqual(r.spec.restorePVs, true);
    });

    it("fails with status 2 when the restore ends PartiallyFailed, and still deletes the scratch namespace", async () => {
        const run = await drill({ STANDIN_PHASES: "InProgress PartiallyFailed" });
        assertOutcome(run, 2, "restore", /^restore-drill: FAILED: Restore velero\/drill-production-\d+ of schedule velero-hourly ended PartiallyFailed/);
        assert.ok(scratchGone(run));
        assert.ok(!run.calls.some((c) => c.startsWith("rollout status")), "no readiness wait after a failed restore");
    });

    it("fails with status 2 when the restore never finishes", async () => {
        const run = await drill({ STANDIN_PHASES: "InProgress", DRILL_RESTORE_TIMEOUT: "2" });
        assertOutcome(run, 2, "restore", /FAILED: Restore velero\/\S+ is still InProgress after 2s/);
        assert.ok(scratchGone(run));
    });

    it("fails with status 3 when a restored workload never becomes ready, and still deletes the scratch namespace", async () => {
        const run = await drill({ STANDIN_NOT_READY: "statefulset.apps/database" });
        assertOutcome(run, 3, "ready", /^restore-drill: FAILED: statefulset\.apps\/database in drill-production did not become ready within 900s: error: timed out waiting for the condition$/);
        assert.ok(scratchGone(run));
    });

    it("fails with status 3 when the restore holds no workload at all (a drill that proves nothing)", async () => {
        const run = await drill({ STANDIN_WORKLOADS: "" });
        assertOutcome(run, 3, "ready", /holds no Deployment, StatefulSet or DaemonSet/);
        assert.ok(scratchGone(run));
    });

    it("fails with status 4 when the scratch namespace cannot be deleted", async () => {
        const run = await drill({ STANDIN_DELETE: "forbidden" });
        assertOutcome(run, 4, "cleanup", /^restore-drill: FAILED: deleting namespace drill-production failed: .*Forbidden/);
    });

    it("fails with status 4 when the scratch namespace never goes away", async () => {
        const run = await drill({ STANDIN_DELETE: "stuck", DRILL_CLEANUP_TIMEOUT: "2" });
        assertOutcome(run, 4, "cleanup", /FAILED: deleting namespace drill-production failed: namespace drill-production still exists after 2s/);
    });

    it("reports a failed restore and a failed cleanup in one line, with the restore's status", async () => {
        const run = await drill({ STANDIN_PHASES: "Failed", STANDIN_DELETE: "forbidden" });
        assertOutcome(run, 2, "restore", /ended Failed .*; and deleting namespace drill-production failed: .*Forbidden/);
    });

    it("deletes a scratch namespace left by an earlier drill before restoring", async () => {
        const run = await drill({}, (state) => fs.writeFileSync(path.join(state, "ns-drill-production"), ""));
        assertOutcome(run, 0, undefined, /ok: restored production/);
        const firstDelete = run.calls.findIndex((c) => c.startsWith("delete namespace drill-production"));
        const create = run.calls.findIndex((c) => c.startsWith("create -f"));
        assert.ok(firstDelete >= 0 && firstDelete < create, run.calls.join("\n"));
    });

    it("refuses bad settings with status 1 before touching the cluster", async () => {
        const noSchedule = await drill({ DRILL_SCHEDULE: "" });
        assertOutcome(noSchedule, 1, "setup", /FAILED: DRILL_SCHEDULE is not set/);
        assert.deepStrictEqual(noSchedule.calls, []);
        const same = await drill({ DRILL_SCRATCH_NAMESPACE: "production" });
        assertOutcome(same, 1, "setup", /scratch namespace must differ from the source namespace production/);
        assert.deepStrictEqual(same.calls, []);
    });
});
