/**
 * Prometheus alerting rules for backups and restore drills (pure; the tests run them through
 * `promtool test rules`). Velero's server exposes the `velero_backup_*` metrics; the restore drill pushes
 * `k8sprod_restore_drill_success` to a Pushgateway; kube-state-metrics exposes the drill CronJob's status.
 */

/** One Prometheus alerting rule. */
export interface AlertRule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/** A Prometheus rule group. */
export interface RuleGroup {
    name: string;
    rules: AlertRule[];
}

/** Hours without a successful scheduled backup before "no successful backup" fires (a daily schedule plus an hour of slack). */
export const NO_SUCCESSFUL_BACKUP_HOURS = 25;

/** The alerts on Velero's backups. */
export function veleroAlertRules(veleroNamespace: string): RuleGroup {
    const ns = `namespace="${veleroNamespace}"`;
    return {
        name: "k8sprod-backup-velero",
        rules: [
            {
                alert: "VeleroBackupFailed",
                // Failed or partially failed (some items or volumes missing) scheduled backups in the last hour.
                expr: `sum by (schedule) (increase(velero_backup_failure_total{${ns},schedule!=""}[1h]) + increase(velero_backup_partial_failure_total{${ns},schedule!=""}[1h])) > 0`,
                labels: { severity: "critical" },
                annotations: {
                    summary: "A scheduled Velero backup failed.",
                    description: "Velero schedule {{ $labels.schedule }} had a failed or partially failed backup in the last hour; run `velero backup describe --details` on the newest backup of that schedule.",
                },
            },
            {
                alert: "VeleroNoSuccessfulBackup",
                expr: `time() - max by (schedule) (velero_backup_last_successful_timestamp{${ns},schedule!=""}) > ${NO_SUCCESSFUL_BACKUP_HOURS} * 3600`,
                for: "15m",
                labels: { severity: "critical" },
                annotations: {
                    summary: `No successful Velero backup for ${NO_SUCCESSFUL_BACKUP_HOURS} hours.`,
                    description: `Velero schedule {{ $labels.schedule }} has had no successful backup for more than ${NO_SUCCESSFUL_BACKUP_HOURS} hours; what it protects cannot be restored to a recent state.`,
                },
            },
        ],
    };
}

/** The alerts on restore drills. */
export function restoreDrillAlertRules(drillNamespace: string, cronJobName: string, maxDaysWithoutSuccess: number): RuleGroup {
    return {
        name: "k8sprod-backup-restore-drill",
        rules: [
            {
                alert: "RestoreDrillFailed",
                expr: "max by (source_namespace, schedule) (k8sprod_restore_drill_success) == 0",
                labels: { severity: "critical" },
                annotations: {
                    summary: "The last restore drill failed.",
                    description: "Restoring the newest backup of {{ $labels.source_namespace }} (schedule {{ $labels.schedule }}) into a scratch namespace failed; see the drill Job's log and k8sprod_restore_drill_failed_stage.",
                },
            },
            {
                alert: "RestoreDrillOverdue",
                expr: `time() - max(kube_cronjob_status_last_successful_time{namespace="${drillNamespace}",cronjob="${cronJobName}"}) > ${maxDaysWithoutSuccess} * 86400`,
                for: "1h",
                labels: { severity: "warning" },
                annotations: {
                    summary: `No restore drill has passed for ${maxDaysWithoutSuccess} days.`,
                    description: `CronJob ${drillNamespace}/${cronJobName} has had no successful run for more than ${maxDaysWithoutSuccess} days: backups are not proven restorable.`,
                },
            },
        ],
    };
}

/** A PrometheusRule object (monitoring.coreos.com/v1) holding `groups`. */
export function prometheusRule(name: string, namespace: string, groups: RuleGroup[], labels: Record<string, string> = {}): Record<string, any> {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name, namespace, labels: { ...labels } },
        spec: { groups },
    };
}
