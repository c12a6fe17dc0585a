#!/usr/bin/env bash
# etcd-snapshot.sh: one etcd snapshot, verified before it counts, uploaded, and old snapshots pruned.
#
# This file is what EtcdBackup's CronJob runs (it is mounted from a ConfigMap made of this file) and what
# tests/backup/etcdSnapshot.spec.ts runs against a real etcd. Needs bash, coreutils, etcdctl (v3 API) and,
# for an s3:// target, the AWS CLI.
#
# Settings (environment):
#   ETCDCTL_ENDPOINTS   etcd client URL(s), comma-separated        default https://127.0.0.1:2379
#   ETCD_CACERT         CA of etcd's serving certificate            default /etc/kubernetes/pki/etcd/ca.crt
#   ETCD_CERT           client certificate                         default /etc/kubernetes/pki/etcd/server.crt
#   ETCD_KEY            key of the client certificate              default /etc/kubernetes/pki/etcd/server.key
#   SNAPSHOT_TARGET     s3://bucket[/prefix] or a local directory   required
#   SNAPSHOT_WORK_DIR   where the snapshot is written and checked   default /var/lib/etcd-snapshot
#   SNAPSHOT_PREFIX     file name prefix                           default etcd-snapshot
#   RETAIN_COUNT        keep at most this many snapshots (>= 1)     default 24
#   RETAIN_DAYS         delete snapshots older than this (>= 1)     default 7
#   SNAPSHOT_KMS_KEY_ID KMS key for S3 server-side encryption       default: the bucket's default encryption
#   ETCDCTL_TIMEOUT     etcdctl --command-timeout                   default 5m
#
# Guarantees: a snapshot counts (is copied to the target under its final name) only after `etcdctl snapshot
# status` reads it and its SHA-256 trailer matches its content. It is written under a temporary name and
# renamed (local target) or uploaded as one object (S3), so a partial or corrupt file never takes the place
# of a good one, and retention runs only after a new snapshot has counted. Any failure: exit status 1 and
# one log line on stderr that starts with "etcd-snapshot: FAILED:".
set -uo pipefail

log() { printf 'etcd-snapshot: %s\n' "$*" >&2; }
WORK_TMP=""
cleanup() { [ -n "$WORK_TMP" ] && rm -rf "$WORK_TMP"; }
trap cleanup EXIT
fail() { log "FAILED: $*"; exit 1; }
# The last non-empty line a command wrote, for the one failure line.
last_line() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 | tr -d '\r'; }

ENDPOINTS="${ETCDCTL_ENDPOINTS:-https://127.0.0.1:2379}"
CACERT="${ETCD_CACERT:-/etc/kubernetes/pki/etcd/ca.crt}"
CERT="${ETCD_CERT:-/etc/kubernetes/pki/etcd/server.crt}"
KEY="${ETCD_KEY:-/etc/kubernetes/pki/etcd/server.key}"
TARGET="${SNAPSHOT_TARGET:-}"
WORK_DIR="${SNAPSHOT_WORK_DIR:-/var/lib/etcd-snapshot}"
PREFIX="${SNAPSHOT_PREFIX:-etcd-snapshot}"
RETAIN_COUNT="${RETAIN_COUNT:-24}"
RETAIN_DAYS="${RETAIN_DAYS:-7}"
TIMEOUT="${ETCDCTL_TIMEOUT:-5m}"
unset ETCDCTL_ENDPOINTS ETCDCTL_CACERT ETCDCTL_CERT ETCDCTL_KEY
export ETCDCTL_API=3

# ---- settings -------------------------------------------------------------------------------------------
[ -n "$TARGET" ] || fail "SNAPSHOT_TARGET is not set (give s3://bucket/prefix or a directory)"
case "$RETAIN_COUNT" in ''|*[!0-9]*) fail "RETAIN_COUNT=$RETAIN_COUNT is not a whole number" ;; esac
case "$RETAIN_DAYS" in ''|*[!0-9]*) fail "RETAIN_DAYS=$RETAIN_DAYS is not a whole number" ;; esac
[ "$RETAIN_COUNT" -ge 1 ] || fail "RETAIN_COUNT=0 would delete every snapshot; keep at least 1"
[ "$RETAIN_DAYS" -ge 1 ] || fail "RETAIN_DAYS=0 would delete every snapshot; keep at least 1 day"
case "$PREFIX" in ''|*[!A-Za-z0-9._-]*) fail "SNAPSHOT_PREFIX=$PREFIX may hold only letters, digits, '.', '_' and '-'" ;; esac
for f in "$CACERT" "$CERT" "$KEY"; do
    [ -r "$f" ] || fail "cannot read TLS file $f"
done
case "$TARGET" in
    s3://*) command -v aws >/dev/null 2>&1 || fail "the AWS CLI (aws) is needed for target $TARGET" ;;
    /*) [ -d "$TARGET" ] && [ -w "$TARGET" ] || fail "target directory $TARGET does not exist or is not writable" ;;
    *) fail "SNAPSHOT_TARGET=$TARGET is neither s3://... nor an absolute directory" ;;
esac
command -v etcdctl >/dev/null 2>&1 || fail "etcdctl is not on PATH"

mkdir -p "$WORK_DIR" 2>/dev/null || fail "cannot create work directory $WORK_DIR"
WORK_TMP="$(mktemp -d "$WORK_DIR/.run.XXXXXX" 2>/dev/null)" || fail "cannot create a temporary directory in $WORK_DIR"
NAME="$PREFIX-$(date -u +%Y%m%dT%H%M%SZ).db"
SNAP="$WORK_TMP/$NAME.partial"
OUT="$WORK_TMP/etcdctl.log"

# ---- save -----------------------------------------------------------------------------------------------
started=$(date +%s)
if ! etcdctl --endpoints="$ENDPOINTS" --cacert="$CACERT" --cert="$CERT" --key="$KEY" \
        --command-timeout="$TIMEOUT" snapshot save "$SNAP" >"$OUT" 2>&1; then
    fail "etcdctl snapshot save from $ENDPOINTS failed: $(last_line "$OUT")"
fi
[ -s "$SNAP" ] || fail "etcdctl snapshot save wrote no data"

# ---- verify ---------------------------------------------------------------------------------------------
# 1. etcd appends the SHA-256 of the database to the snapshot it streams (the same check
#    `etcdctl snapshot restore` makes): the file is the bolt database (whole 512-byte blocks) plus 32 bytes.
size=$(stat -c %s "$SNAP" 2>/dev/null) || fail "cannot stat the snapshot"
[ $((size % 512)) -eq 32 ] || fail "snapshot of $size bytes has no SHA-256 trailer (truncated or not an etcd snapshot)"
want=$(tail -c 32 "$SNAP" | od -An -v -tx1 | tr -d ' \n')
have=$(head -c $((size - 32)) "$SNAP" | sha256sum | cut -d' ' -f1)
[ -n "$want" ] && [ "$want" = "$have" ] || fail "snapshot SHA-256 does not match its trailer (corrupt snapshot)"
# 2. The database opens and holds keys.
if ! etcdctl snapshot status "$SNAP" --write-out=simple >"$OUT" 2>&1; then
    fail "etcdctl snapshot status cannot read the snapshot: $(last_line "$OUT")"
fi
IFS=", " read -r s_hash s_rev s_keys _ <"$OUT" || true
case "$s_rev" in ''|*[!0-9]*) fail "etcdctl snapshot status gave no revision: $(last_line "$OUT")" ;; esac
[ "${s_keys:-0}" -gt 0 ] 2>/dev/null || fail "snapshot holds no keys (revision $s_rev)"

# ---- upload: the snapshot counts once it is in place under its final name ---------------------------------
if [ "${TARGET#s3://}" != "$TARGET" ]; then
    dest="${TARGET%/}/$NAME"
    sse=()
    [ -n "${SNAPSHOT_KMS_KEY_ID:-}" ] && sse=(--sse aws:kms --sse-kms-key-id "$SNAPSHOT_KMS_KEY_ID")
    # One PutObject (or a multipart upload completed only when every part arrived): never a partial object.
    aws s3 cp "$SNAP" "$dest" --only-show-errors "${sse[@]}" >"$OUT" 2>&1 || fail "upload to $dest failed: $(last_line "$OUT")"
else
    dest="$TARGET/$NAME"
    part="$TARGET/.$NAME.partial"
    # Names are stamped to the second: a second run in the same second must not replace a good snapshot.
    [ ! -e "$dest" ] || fail "a snapshot named $NAME is already in $TARGET; not replacing it"
    if ! cp "$SNAP" "$part" 2>"$OUT" || ! sync "$part" 2>>"$OUT"; then
        msg=$(last_line "$OUT")
        rm -f "$part"
        fail "copy to $TARGET failed: $msg"
    fi
    cmp -s "$SNAP" "$part" || { rm -f "$part"; fail "copy in $TARGET differs from the verified snapshot"; }
    mv -f "$part" "$dest" 2>"$OUT" || { msg=$(last_line "$OUT"); rm -f "$part"; fail "rename in $TARGET failed: $msg"; }
fi

# ---- retention: newest first; drop beyond RETAIN_COUNT, or older than RETAIN_DAYS -----------------------
list_snapshots() {
    if [ "${TARGET#s3://}" != "$TARGET" ]; then
        aws s3 ls "${TARGET%/}/" 2>"$OUT" | awk '{print $NF}'
    else
        ls -1 "$TARGET" 2>"$OUT"
    fi
}
names=$(list_snapshots) || fail "listing $TARGET for retention failed: $(last_line "$OUT")"
now=$(date -u +%s)
kept=0
removed=0
while IFS= read -r n; do
    [ -n "$n" ] || continue
    stamp="${n#"$PREFIX"-}"
    stamp="${stamp%.db}"
    t=$(date -u -d "${stamp:0:4}-${stamp:4:2}-${stamp:6:2} ${stamp:9:2}:${stamp:11:2}:${stamp:13:2}" +%s 2>/dev/null) || continue
    if [ "$n" != "$NAME" ] && { [ "$kept" -ge "$RETAIN_COUNT" ] || [ $((now - t)) -gt $((RETAIN_DAYS * 86400)) ]; }; then
        if [ "${TARGET#s3://}" != "$TARGET" ]; then
            aws s3 rm "${TARGET%/}/$n" --only-show-errors >"$OUT" 2>&1 || fail "removing old snapshot $n failed: $(last_line "$OUT")"
        else
            rm -f "$TARGET/$n" 2>"$OUT" || fail "removing old snapshot $n failed: $(last_line "$OUT")"
        fi
        removed=$((removed + 1))
    else
        kept=$((kept + 1))
    fi
done < <(printf '%s\n' "$names" | grep -E "^$PREFIX-[0-9]{8}T[0-9]{6}Z\.db\$" | sort -r)

log "ok: $NAME (revision $s_rev, $s_keys keys, $size bytes, hash $s_hash) saved to $dest in $(( $(date +%s) - started ))s; kept $kept, removed $removed"
exit 0
