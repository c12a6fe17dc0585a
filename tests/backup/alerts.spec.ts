/**
 * The backup alerts through Prometheus's own tools: `promtool check rules` parses them, and `promtool test rules`
 * replays series and checks which alerts fire when (a failed backup, 25 hours without a success, a failed or
 * overdue restore drill), and which stay quiet on healthy series.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { RuleGroup, restoreDrillAlertRules, veleroAlertRules } from "../../components/backup/alerts";
import { PROMTOOL } from "../autoscaling/promtool";

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
    const r = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8", timeout: 300_000 });
    if (r.error) {
        throw new Error(`cannot run ${PROMTOOL} (${r.error.message}): install Debian's prometheus package (scripts/install-system-deps)`);
    }
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A rule's annotations with `{{ $labels.x }}` filled in from `labels`, as Prometheus renders them. */
function annotationsOf(alert: string, labels: Record<string, string>): Record<string, string> {
    const rule = [veleroAlertRules("velero"), restoreDrillAlertRules("restore-drill", "restore-drill", 14)].flatMap((g) => g.rules).find((r) => r.alert === alert)!;
    return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l) => labels[l] ?? "")]));
}

describe("backup alert rules (promtool)", function () {
    this.timeout(900_000);
    let dir: string;
    const groups: RuleGroup[] = [veleroAlertRules("velero"), restoreDrillAlertRules("restore-drill", "restore-drill", 14)];

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-backup-rules-"));
        fs.writeFileSync(path.join(dir, "rules.yaml"), YAML.stringify({ groups }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("parse as Prometheus rules", () => {
        const r = promtool(["check", "rules", "rules.yaml"], dir);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /SUCCESS: 4 rules found/);
    });

    it("name the three alerts the platform promises", () => {
        const names = groups.flatMap((g) => g.rules.map((r) => r.alert));
        assert.deepStrictEqual(names, ["VeleroBackupFailed", "VeleroNoSuccessfulBackup", "RestoreDrillFailed", "RestoreDrillOverdue"]);
    });

    it("fire when a backup fails, after 25 h without a success, when a drill fails or is overdue; stay quiet otherwise", () => {
        const hour = 3600;
        const tests = {
            rule_files: ["rules.yaml"],
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "10m",
                    input_series: [
                        // "hourly": one failure between minute 20 and 30; "daily": never fails.
                        { series: 'velero_backup_failure_total{namespace="velero",schedule="hourly"}', values: "0 0 1 1 1 1 1 1 1 1 1 1 1 1" },
                        { series: 'velero_backup_partial_failure_total{namespace="velero",schedule="hourly"}', values: "0x13" },
                        { series: 'velero_backup_failure_total{namespace="velero",schedule="daily"}', values: "0x13" },
                        { series: 'velero_backup_partial_failure_total{namespace="velero",schedule="daily"}', values: "0x13" },
                    ],
                    alert_rule_test: [
                        { eval_time: "10m", alertname: "VeleroBackupFailed", exp_alerts: [] },
                        { eval_time: "30m", alertname: "VeleroBackupFailed", exp_alerts: [{ exp_labels: { severity: "critical", schedule: "hourly" } }] },
                        // An hour after the failure the window no longer holds it.
                        { eval_time: "130m", alertname: "VeleroBackupFailed", exp_alerts: [] },
                    ],
                },
                {
                    interval: "5m",
                    input_series: [
                        // "stale" last succeeded at t=0 and never again; "fresh" succeeds every 5 minutes.
                        { series: 'velero_backup_last_successful_timestamp{namespace="velero",schedule="stale"}', values: "0x400" },
                        { series: 'velero_backup_last_successful_timestamp{namespace="velero",schedule="fresh"}', values: `0+${hour / 12}x400` },
                    ],
                    alert_rule_test: [
                        { eval_time: "24h", alertname: "VeleroNoSuccessfulBackup", exp_alerts: [] },
                        // Past 25 h at 25h01m, firing once the 15 minutes of `for` have passed.
                        { eval_time: "25h10m", alertname: "VeleroNoSuccessfulBackup", exp_alerts: [] },
                        { eval_time: "25h20m", alertname: "VeleroNoSuccessfulBackup", exp_alerts: [{ exp_labels: { severity: "critical", schedule: "stale" } }] },
                    ],
                },
                {
                    interval: "1h",
                    input_series: [
                        { series: 'k8sprod_restore_drill_success{source_namespace="production",schedule="namespaces-frequent",job="restore-drill"}', values: "1 1 0 0 1" },
                    ],
                    alert_rule_test: [
                        { eval_time: "1h", alertname: "RestoreDrillFailed", exp_alerts: [] },
                        { eval_time: "2h", alertname: "RestoreDrillFailed", exp_alerts: [{ exp_labels: { severity: "critical", source_namespace: "production", schedule: "namespaces-frequent" } }] },
                        { eval_time: "4h", alertname: "RestoreDrillFailed", exp_alerts: [] },
                    ],
                },
            ],
        };
        for (const t of tests.tests) {
            for (const a of t.alert_rule_test as Array<{ alertname: string; exp_alerts: Array<Record<string, any>> }>) {
                for (const e of a.exp_alerts) {
                    e.exp_annotations = annotationsOf(a.alertname, e.exp_labels);
                }
            }
        }
        fs.writeFileSync(path.join(dir, "tests.yaml"), YAML.stringify(tests));
        // Fourteen days of series: evaluated every 30 minutes, which the rule's 1 h `for` needs and no more.
        const overdue = { rule_files: ["rules.yaml"], evaluation_interval: "30m", tests: [
                {
                    interval: "5m",
                    input_series: [
                        // The drill last passed at t=0 (Unix time 0); the rule allows 14 days. The other namespace's CronJob is not the drill.
                        { series: 'kube_cronjob_status_last_successful_time{namespace="restore-drill",cronjob="restore-drill"}', values: "0x4400" },
                        { series: 'kube_cronjob_status_last_successful_time{namespace="other",cronjob="restore-drill"}', values: `0+300x4400` },
                    ],
                    alert_rule_test: [
                        { eval_time: "14d", alertname: "RestoreDrillOverdue", exp_alerts: [] },
                        { eval_time: "14d30m", alertname: "RestoreDrillOverdue", exp_alerts: [] },
                        { eval_time: "14d2h", alertname: "RestoreDrillOverdue", exp_alerts: [{ exp_labels: { severity: "warning" } }] },
                    ],
                },
        ] };
        for (const a of overdue.tests[0].alert_rule_test as Array<{ alertname: string; exp_alerts: Array<Record<string, any>> }>) {
            for (const e of a.exp_alerts) {
                e.exp_annotations = annotationsOf(a.alertname, e.exp_labels);
            }
        }
        fs.writeFileSync(path.join(dir, "overdue.yaml"), YAML.stringify(overdue));
        for (const file of ["tests.yaml", "overdue.yaml"]) {
            const r = promtool(["test", "rules", file], dir);
            assert.strictEqual(r.status, 0, `${file}: ${r.output}`);
            assert.match(r.output, /SUCCESS/);
        }
    });

    it("and promtool really judges: a wrong expectation fails", () => {
        const wrong = {
            rule_files: ["rules.yaml"],
            evaluation_interval: "1m",
            tests: [{
                interval: "1h",
                input_series: [{ series: 'k8sprod_restore_drill_success{source_namespace="production",schedule="s"}', values: "1 1 1" }],
                alert_rule_test: [{
                    eval_time: "2h", alertname: "RestoreDrillFailed",
                    exp_alerts: [{ exp_labels: { severity: "critical", source_namespace: "production", schedule: "s" }, exp_annotations: annotationsOf("RestoreDrillFailed", { source_namespace: "production", schedule: "s" }) }],
                }],
            }],
        };
        fs.writeFileSync(path.join(dir, "wrong.yaml"), YAML.stringify(wrong));
        const r = promtool(["test", "rules", "wrong.yaml"], dir);
        assert.notStrictEqual(r.status, 0, r.output);
    });
});
