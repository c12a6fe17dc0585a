#!/usr/bin/env bash
# restore-drill.sh: proves that the latest backup of one namespace restores. It asks Velero to restore the
# newest successful backup of a Schedule into a scratch namespace, waits until every restored workload is
# ready, records the result as metrics and in its exit status, and deletes the scratch namespace.
#
# This file is what RestoreDrill's CronJob runs (mounted from a ConfigMap made of this file) and what
# tests/backup/restoreDrill.spec.ts runs with stand-in commands. Needs bash, coreutils and kubectl; curl
# when DRILL_PUSHGATEWAY_URL is set.
#
# Settings (environment):
#   DRILL_SOURCE_NAMESPACE   namespace whose backup is restored                          required
#   DRILL_SCHEDULE           Velero Schedule whose newest successful backup is restored  required
#   DRILL_SCRATCH_NAMESPACE  where it is restored (deleted afterwards)                  default drill-<source>
#   VELERO_NAMESPACE         namespace of Velero and its Restore objects                 default velero
#   DRILL_RESTORE_TIMEOUT    seconds Velero may take to restore                          default 1800
#   DRILL_READY_TIMEOUT      seconds the restored workloads may take to become ready     default 900
#   DRILL_CLEANUP_TIMEOUT    seconds the scratch namespace may take to disappear         default 600
#   DRILL_POLL_SECONDS       seconds between status checks                               default 10
#   DRILL_METRICS_FILE       Prometheus text file of the result                          default /tmp/restore-drill.prom
#   DRILL_PUSHGATEWAY_URL    Pushgateway base URL the metrics are pushed to              default: not pushed
#
# Exit status: 0 the drill passed; 1 bad settings or a tool failed; 2 the restore failed; 3 the restored
# workloads never became ready; 4 the scratch namespace could not be deleted. Every failure writes one log
# line that starts with "restore-drill: FAILED:".
set -uo pipefail

log() { printf 'restore-drill: %s\n' "$*" >&2; }
SOURCE="${DRILL_SOURCE_NAMESPACE:-}"
SCHEDULE="${DRILL_SCHEDULE:-}"
SCRATCH="${DRILL_SCRATCH_NAMESPACE:-drill-${SOURCE}}"
VELERO_NS="${VELERO_NAMESPACE:-velero}"
RESTORE_TIMEOUT="${DRILL_RESTORE_TIMEOUT:-1800}"
READY_TIMEOUT="${DRILL_READY_TIMEOUT:-900}"
CLEANUP_TIMEOUT="${DRILL_CLEANUP_TIMEOUT:-600}"
POLL="${DRILL_POLL_SECONDS:-10}"
METRICS_FILE="${DRILL_METRICS_FILE:-/tmp/restore-drill.prom}"
PUSHGATEWAY="${DRILL_PUSHGATEWAY_URL:-}"
STARTED=$(date +%s)
OUT="$(mktemp 2>/dev/null || echo /tmp/restore-drill.out)"
RESTORE=""
STAGE="none"

label_escape() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

# Writes (and pushes) the metrics of this run: success 1/0, the failed stage, duration, time of the run.
record() {
    local success="$1" labels
    labels="source_namespace=\"$(label_escape "$SOURCE")\",schedule=\"$(label_escape "$SCHEDULE")\""
    {
        echo "# HELP k8sprod_restore_drill_success 1 when the last restore drill passed, 0 when it failed."
        echo "# TYPE k8sprod_restore_drill_success gauge"
        echo "k8sprod_restore_drill_success{$labels} $success"
        echo "# HELP k8sprod_restore_drill_failed_stage 1 for the stage at which the last restore drill failed (restore, ready, cleanup, setup)."
        echo "# TYPE k8sprod_restore_drill_failed_stage gauge"
        for s in setup restore ready cleanup; do
            echo "k8sprod_restore_drill_failed_stage{$labels,stage=\"$s\"} $([ "$STAGE" = "$s" ] && echo 1 || echo 0)"
        done
        echo "# HELP k8sprod_restore_drill_duration_seconds How long the last restore drill ran."
        echo "# TYPE k8sprod_restore_drill_duration_seconds gauge"
        echo "k8sprod_restore_drill_duration_seconds{$labels} $(( $(date +%s) - STARTED ))"
        echo "# HELP k8sprod_restore_drill_last_run_timestamp_seconds When the last restore drill ended (Unix time)."
        echo "# TYPE k8sprod_restore_drill_last_run_timestamp_seconds gauge"
        echo "k8sprod_restore_drill_last_run_timestamp_seconds{$labels} $(date +%s)"
    } >"$METRICS_FILE.tmp" && mv -f "$METRICS_FILE.tmp" "$METRICS_FILE" || log "cannot write metrics to $METRICS_FILE"
    if [ -n "$PUSHGATEWAY" ]; then
        curl -fsS --max-time 30 -X PUT --data-binary "@$METRICS_FILE" \
            "${PUSHGATEWAY%/}/metrics/job/restore-drill/source_namespace/$SOURCE" >/dev/null 2>&1 \
            || log "cannot push metrics to $PUSHGATEWAY"
    fi
}

last_line() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 | tr -d '\r'; }

# Ends the run: records the metrics; exit status by stage.
finish() {
    local code="$1" message="$2"
    rm -f "$OUT"
    if [ "$code" -eq 0 ]; then
        record 1
        log "ok: $message"
    else
        record 0
        log "FAILED: $message"
    fi
    exit "$code"
}

# Deletes the scratch namespace and waits until it is gone; returns 1 (with OUT holding the reason) if it stays.
delete_scratch() {
    local deadline=$(( $(date +%s) + CLEANUP_TIMEOUT ))
    if ! kubectl delete namespace "$SCRATCH" --wait=false --ignore-not-found >"$OUT" 2>&1; then
        return 1
    fi
    while kubectl get namespace "$SCRATCH" -o name >"$OUT" 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "namespace $SCRATCH still exists after ${CLEANUP_TIMEOUT}s" >"$OUT"
            return 1
        fi
        sleep "$POLL"
    done
    if ! grep -q 'NotFound\|not found' "$OUT"; then
        return 1
    fi
    return 0
}

# A failure after the restore began: the scratch namespace is deleted anyway, and a failed cleanup is reported too.
fail_after_restore() {
    local code="$1" message="$2"
    if ! delete_scratch; then
        message="$message; and deleting namespace $SCRATCH failed: $(last_line "$OUT")"
    fi
    finish "$code" "$message"
}

# ---- settings -------------------------------------------------------------------------------------------
STAGE="setup"
[ -n "$SOURCE" ] || finish 1 "DRILL_SOURCE_NAMESPACE is not set"
[ -n "$SCHEDULE" ] || finish 1 "DRILL_SCHEDULE is not set"
[ "$SCRATCH" != "$SOURCE" ] || finish 1 "the scratch namespace must differ from the source namespace $SOURCE"
for v in RESTORE_TIMEOUT READY_TIMEOUT CLEANUP_TIMEOUT POLL; do
    case "${!v}" in ''|*[!0-9]*|0) finish 1 "$v=${!v} is not a positive whole number of seconds" ;; esac
done
command -v kubectl >/dev/null 2>&1 || finish 1 "kubectl is not on PATH"

# A scratch namespace left by an earlier run would mix old objects into this drill: remove it first.
if kubectl get namespace "$SCRATCH" -o name >/dev/null 2>&1; then
    log "namespace $SCRATCH is left from an earlier drill; deleting it first"
    STAGE="cleanup"
    delete_scratch || finish 4 "cannot delete namespace $SCRATCH left from an earlier drill: $(last_line "$OUT")"
fi

# ---- restore --------------------------------------------------------------------------------------------
STAGE="restore"
RESTORE="drill-$(printf '%s' "$SOURCE" | cut -c1-40)-$(date -u +%Y%m%d%H%M%S)"
if ! kubectl create -f - >"$OUT" 2>&1 <<EOF
apiVersion: velero.io/v1
kind: Restore
metadata:
  name: $RESTORE
  namespace: $VELERO_NS
  labels:
    app.kubernetes.io/managed-by: k8sprod-restore-drill
spec:
  scheduleName: $SCHEDULE
  includedNamespaces:
    - $SOURCE
  namespaceMapping:
    $SOURCE: $SCRATCH
  restorePVs: true
  existingResourcePolicy: none
EOF
then
    finish 2 "cannot create Restore $VELERO_NS/$RESTORE: $(last_line "$OUT")"
fi

deadline=$(( $(date +%s) + RESTORE_TIMEOUT ))
phase=""
while :; do
    if kubectl get restores.velero.io "$RESTORE" -n "$VELERO_NS" -o 'jsonpath={.status.phase}' >"$OUT" 2>&1; then
        phase="$(tr -d '\r\n' <"$OUT")"
    else
        fail_after_restore 2 "cannot read Restore $VELERO_NS/$RESTORE: $(last_line "$OUT")"
    fi
    case "$phase" in
        Completed) break ;;
        PartiallyFailed|Failed|FailedValidation)
            fail_after_restore 2 "Restore $VELERO_NS/$RESTORE of schedule $SCHEDULE ended $phase (velero restore describe $RESTORE --details)" ;;
    esac
    if [ "$(date +%s)" -ge "$deadline" ]; then
        fail_after_restore 2 "Restore $VELERO_NS/$RESTORE is still ${phase:-New} after ${RESTORE_TIMEOUT}s"
    fi
    sleep "$POLL"
done

# ---- ready ----------------------------------------------------------------------------------------------
STAGE="ready"
if ! kubectl get deployments.apps,statefulsets.apps,daemonsets.apps -n "$SCRATCH" -o name >"$OUT" 2>&1; then
    fail_after_restore 3 "cannot list the workloads of namespace $SCRATCH: $(last_line "$OUT")"
fi
workloads="$(grep -v '^[[:space:]]*$' "$OUT" | tr -d '\r')"
[ -n "$workloads" ] || fail_after_restore 3 "the restore of $SOURCE holds no Deployment, StatefulSet or DaemonSet: nothing was proven"
deadline=$(( $(date +%s) + READY_TIMEOUT ))
count=0
while IFS= read -r w; do
    left=$(( deadline - $(date +%s) ))
    [ "$left" -gt 0 ] || left=1
    if ! kubectl rollout status "$w" -n "$SCRATCH" --timeout="${left}s" >"$OUT" 2>&1; then
        fail_after_restore 3 "$w in $SCRATCH did not become ready within ${READY_TIMEOUT}s: $(last_line "$OUT")"
    fi
    count=$((count + 1))
done <<<"$workloads"

# ---- cleanup --------------------------------------------------------------------------------------------
STAGE="cleanup"
delete_scratch || finish 4 "deleting namespace $SCRATCH failed: $(last_line "$OUT")"
STAGE="none"
finish 0 "restored $SOURCE from schedule $SCHEDULE into $SCRATCH (Restore $RESTORE), $count workloads ready, $SCRATCH deleted, in $(( $(date +%s) - STARTED ))s"
