/**
 * The etcd snapshot script (the file EtcdBackup's CronJob mounts) against a real etcd 3.4 on loopback with TLS:
 * 10,000 keys saved, verified, copied to a directory standing in for S3, restored with `etcdctl snapshot
 * restore` into a new data directory, served by a second etcd, and read back key by key. Then the failure
 * paths: etcd stopped during the save, a truncated and a corrupted snapshot, a full target directory. Each
 * fails with one log line, and the last good snapshot stays in place, unchanged, and still restores.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    ETCD, ETCDCTL, EtcdLab, EtcdMember, SNAPSHOT_SCRIPT, freePort, keyOf, requireTool, runSnapshotScript, sha256File, valueOf,
} from "./etcd";

const KEYS = 10_000;

/** The snapshot files (final names) in a target directory, sorted. */
function snapshots(dir: string): string[] {
    return fs.readdirSync(dir).filter((f) => /^etcd-snapshot-\d{8}T\d{6}Z\.db$/.test(f)).sort();
}

/** Asserts a failed run: status 1, exactly one stderr line, starting "etcd-snapshot: FAILED:" and matching `reason`. */
function assertFailedLoudly(r: { status: number | null; stderr: string }, reason: RegExp): void {
    const lines = r.stderr.trim().split("\n");
    assert.strictEqual(r.status, 1, `expected exit 1, got ${r.status}: ${r.stderr}`);
    assert.strictEqual(lines.length, 1, `expected one log line, got:\n${r.stderr}`);
    assert.match(lines[0], /^etcd-snapshot: FAILED: /);
    assert.match(lines[0], reason);
    console.log(`      [failure line] ${lines[0]}`);
}

/** A stand-in `etcdctl` directory: `etcdctl` runs `body` (bash) with REAL_ETCDCTL set to the real one. */
function wrapper(dir: string, body: string): string {
    fs.mkdirSync(dir, { recursive: true });
    const real = (process.env.ETCDCTL && path.isAbsolute(process.env.ETCDCTL)) ? process.env.ETCDCTL
        : execFileSync("bash", ["-c", `command -v ${ETCDCTL}`], { encoding: "utf8" }).trim();
    fs.writeFileSync(path.join(dir, "etcdctl"), `#!/usr/bin/env bash\nREAL_ETCDCTL=${JSON.stringify(real)}\n${body}\n`, { mode: 0o755 });
    return dir;
}

describe("etcd snapshot script against a real etcd (TLS, loopback)", function () {
    this.timeout(900_000);
    let lab: EtcdLab;
    let source: EtcdMember;
    let env: (target: string) => Record<string, string>;
    const target = () => lab.path("s3-standin");
    let good: { file: string; sha: string };

    before(async () => {
        requireTool(ETCD, "etcd-server");
        requireTool(ETCDCTL, "etcd-client", ["version"]);
        assert.ok(fs.existsSync(SNAPSHOT_SCRIPT), SNAPSHOT_SCRIPT);
        lab = new EtcdLab();
        source = await lab.start("source", lab.path("source-data"));
        const t0 = Date.now();
        await lab.writeKeys(source.clientUrl, 0, KEYS);
        console.log(`      [bench] wrote ${KEYS} keys of 1 KiB in ${Date.now() - t0} ms`);
        fs.mkdirSync(target());
        env = (dir: string) => ({
            ETCDCTL_ENDPOINTS: source.clientUrl, ETCD_CACERT: lab.tls.ca, ETCD_CERT: lab.tls.cert, ETCD_KEY: lab.tls.key,
            SNAPSHOT_TARGET: dir, SNAPSHOT_WORK_DIR: lab.path("work"),
        });
    });

    after(async () => {
        await lab?.close();
    });

    /** Restores `file` into a new data dir, serves it with a new etcd, and returns every test key with its value. */
    async function restoreAndRead(file: string, name: string): Promise<{ keys: Map<string, string>; restoreMs: number; member: EtcdMember }> {
        const t0 = Date.now();
        const peer = await freePort();
        const r = lab.restore(file, lab.path(`${name}-data`), name, peer);
        assert.strictEqual(r.status, 0, r.output);
        const member = await lab.start(name, lab.path(`${name}-data`), peer);
        const keys = await lab.readKeys(member.clientUrl);
        const restoreMs = Date.now() - t0;
        return { keys, restoreMs, member };
    }

    function assertEveryKey(keys: Map<string, string>, count: number): void {
        assert.strictEqual(keys.size, count, `restored ${keys.size} test keys, expected ${count}`);
        for (let i = 0; i < count; i++) {
            assert.strictEqual(keys.get(keyOf(i)), valueOf(i), `key ${keyOf(i)} lost or changed`);
        }
    }

    it("saves a verified snapshot of 10,000 keys, and a second etcd restored from it serves every key with its value", async () => {
        const r = runSnapshotScript(env(target()));
        assert.strictEqual(r.status, 0, r.stderr);
        const lines = r.stderr.trim().split("\n");
        assert.strictEqual(lines.length, 1, r.stderr);
        assert.match(lines[0], /^etcd-snapshot: ok: etcd-snapshot-\d{8}T\d{6}Z\.db \(revision \d+, \d+ keys, \d+ bytes/);
        const files = snapshots(target());
        assert.strictEqual(files.length, 1);
        assert.deepStrictEqual(fs.readdirSync(target()).filter((f) => f.startsWith(".")), [], "no partial file left");
        assert.deepStrictEqual(fs.readdirSync(lab.path("work")), [], "the work directory is cleaned up");
        good = { file: path.join(target(), files[0]), sha: sha256File(path.join(target(), files[0])) };

        const restored = await restoreAndRead(good.file, "restored");
        assertEveryKey(restored.keys, KEYS);
        const size = fs.statSync(good.file).size;
        console.log(`      [bench] snapshot script: ${r.ms} ms for ${size} bytes; restore + start + read ${KEYS} keys: ${restored.restoreMs} ms`);
        await lab.kill(restored.member);
    });

    it("keeps at most RETAIN_COUNT snapshots and none older than RETAIN_DAYS, and never touches other files", () => {
        const dir = lab.path("retention");
        fs.mkdirSync(dir);
        const stamp = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
        const hour = 3_600_000;
        const recent1 = `etcd-snapshot-${stamp(1 * hour)}.db`;
        const recent2 = `etcd-snapshot-${stamp(2 * hour)}.db`;
        const ancient = `etcd-snapshot-${stamp(8 * 24 * hour)}.db`;
        for (const f of [recent1, recent2, ancient, "notes.txt"]) {
            fs.writeFileSync(path.join(dir, f), f);
        }
        const r = runSnapshotScript({ ...env(dir), RETAIN_COUNT: "2", RETAIN_DAYS: "7" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /kept 2, removed 2/);
        const left = snapshots(dir);
        assert.strictEqual(left.length, 2);
        assert.ok(left.includes(recent1), `newest old snapshot kept: ${left}`);
        assert.ok(!left.includes(recent2), "beyond RETAIN_COUNT: removed");
        assert.ok(!left.includes(ancient), "older than RETAIN_DAYS: removed");
        assert.ok(fs.existsSync(path.join(dir, "notes.txt")), "files that are not snapshots stay");

        // Snapshot names are stamped to the second: the next run starts in the next second (not a timing assertion).
        const second = Math.floor(Date.now() / 1000);
        while (Math.floor(Date.now() / 1000) === second) {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
        const wide = runSnapshotScript({ ...env(dir), RETAIN_COUNT: "10", RETAIN_DAYS: "30" });
        assert.strictEqual(wide.status, 0, wide.stderr);
        assert.strictEqual(snapshots(dir).length, 3, "with room to keep them, all stay");
    });

    it("refuses a retention of 0 before saving anything", () => {
        const dir = lab.path("retention-zero");
        fs.mkdirSync(dir);
        assertFailedLoudly(runSnapshotScript({ ...env(dir), RETAIN_COUNT: "0" }), /RETAIN_COUNT=0/);
        assertFailedLoudly(runSnapshotScript({ ...env(dir), RETAIN_DAYS: "0" }), /RETAIN_DAYS=0/);
        assert.deepStrictEqual(fs.readdirSync(dir), []);
    });

    it("fails loudly on a truncated snapshot (which etcdctl restore refuses too), and the good one stays", () => {
        const bad = lab.path("truncated-copy.db");
        const bin = wrapper(lab.path("bin-truncate"), `
"$REAL_ETCDCTL" "$@" || exit $?
if [ "\${@: -2:1}" = save ]; then
  f="\${@: -1}"; truncate -s $(( $(stat -c %s "$f") / 2 )) "$f"; cp "$f" ${JSON.stringify(bad)}
fi`);
        const r = runSnapshotScript(env(target()), bin);
        assertFailedLoudly(r, /no SHA-256 trailer/);
        assert.ok(fs.statSync(bad).size > 0, "the stand-in really truncated a real snapshot");
        const restore = lab.restore(bad, lab.path("truncated-restore"), "t", 2380);
        assert.notStrictEqual(restore.status, 0, "etcdctl snapshot restore also refuses the truncated file");
        assert.deepStrictEqual(snapshots(target()), [path.basename(good.file)]);
        assert.strictEqual(sha256File(good.file), good.sha);
    });

    it("fails loudly on a snapshot corrupted in place (same size), and the good one stays", () => {
        const bad = lab.path("corrupt-copy.db");
        const bin = wrapper(lab.path("bin-corrupt"), `
"$REAL_ETCDCTL" "$@" || exit $?
if [ "\${@: -2:1}" = save ]; then
  f="\${@: -1}"; printf 'XXXXXXXX' | dd of="$f" bs=1 seek=$(( $(stat -c %s "$f") / 2 )) conv=notrunc status=none; cp "$f" ${JSON.stringify(bad)}
fi`);
        const r = runSnapshotScript(env(target()), bin);
        assertFailedLoudly(r, /SHA-256 does not match/);
        const restore = lab.restore(bad, lab.path("corrupt-restore"), "c", 2380);
        assert.notStrictEqual(restore.status, 0, "etcdctl snapshot restore also refuses the corrupted file");
        assert.deepStrictEqual(snapshots(target()), [path.basename(good.file)]);
        assert.strictEqual(sha256File(good.file), good.sha);
    });

    it("fails loudly when the target directory is full, leaves no partial file, and the good snapshot there still restores", async () => {
        const size = fs.statSync(good.file).size;
        const full = lab.path("full-target");
        // Room for one snapshot of today's size and half another one.
        lab.mountTmpfs(full, Math.ceil((size * 1.5) / 4096) * 4096);
        const first = runSnapshotScript(env(full));
        assert.strictEqual(first.status, 0, first.stderr);
        const [kept] = snapshots(full);
        const keptSha = sha256File(path.join(full, kept));

        await lab.writeKeys(source.clientUrl, KEYS, KEYS + 5_000);
        await new Promise((res) => setTimeout(res, 1100)); // a new second, so a new snapshot name
        const second = runSnapshotScript(env(full));
        assertFailedLoudly(second, /copy to .* failed: .*No space left on device/);
        assert.deepStrictEqual(fs.readdirSync(full), [kept], "no partial file left, the good snapshot still there");
        assert.strictEqual(sha256File(path.join(full, kept)), keptSha);

        const restored = await restoreAndRead(path.join(full, kept), "after-full");
        assertEveryKey(restored.keys, KEYS);
        await lab.kill(restored.member);
    });

    it("fails loudly when etcd is stopped during the save, and the last good snapshot still restores", async () => {
        // A victim etcd restored from the good snapshot, so the source stays up for nothing else to depend on.
        const peer = await freePort();
        assert.strictEqual(lab.restore(good.file, lab.path("victim-data"), "victim", peer).status, 0);
        const victim = await lab.start("victim", lab.path("victim-data"), peer);
        const marker = lab.path("victim-killed");
        // etcdctl creates <file>.part before it asks for the stream; etcd is killed as soon as that file exists.
        const bin = wrapper(lab.path("bin-kill"), `
if [ "\${@: -2:1}" != save ]; then exec "$REAL_ETCDCTL" "$@"; fi
"$REAL_ETCDCTL" "$@" & child=$!
for _ in $(seq 1 6000); do
  if [ -e "\${@: -1}.part" ]; then kill -9 ${victim.process.pid}; echo during-save > ${JSON.stringify(marker)}; break; fi
  if ! kill -0 $child 2>/dev/null; then break; fi
  sleep 0.005
done
wait $child`);
        const r = runSnapshotScript({ ...env(target()), ETCDCTL_ENDPOINTS: victim.clientUrl, ETCDCTL_TIMEOUT: "20s" }, bin);
        assert.ok(fs.existsSync(marker), `etcd was killed while etcdctl snapshot save ran (stderr: ${r.stderr})`);
        assertFailedLoudly(r, /etcdctl snapshot save from https:\/\/127\.0\.0\.1:\d+ failed/);
        assert.deepStrictEqual(snapshots(target()), [path.basename(good.file)]);
        assert.strictEqual(sha256File(good.file), good.sha);
        assert.deepStrictEqual(fs.readdirSync(lab.path("work")), [], "the partial snapshot is removed");

        const restored = await restoreAndRead(good.file, "after-kill");
        assertEveryKey(restored.keys, KEYS);
        await lab.kill(restored.member);
    });

    it("fails loudly when etcd is not reachable at all", () => {
        const r = runSnapshotScript({ ...env(target()), ETCDCTL_ENDPOINTS: "https://127.0.0.1:1", ETCDCTL_TIMEOUT: "5s" });
        assertFailedLoudly(r, /snapshot save from https:\/\/127\.0\.0\.1:1 failed/);
        assert.deepStrictEqual(snapshots(target()), [path.basename(good.file)]);
    });
});
