/**
 * A real etcd (Debian's etcd-server / etcd-client 3.4) on loopback with TLS certificates made here, for the
 * snapshot script's tests. Every process started is tracked and killed by {@link EtcdLab.close}.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** Binaries: `$ETCD` / `$ETCDCTL`, else from PATH (installed by scripts/install-system-deps). */
export const ETCD = process.env.ETCD ?? "etcd";
export const ETCDCTL = process.env.ETCDCTL ?? "etcdctl";

/** The snapshot script EtcdBackup mounts into its CronJob (the repository file, not a copy). */
export const SNAPSHOT_SCRIPT = path.join(__dirname, "..", "..", "..", "components", "backup", "scripts", "etcd-snapshot.sh");

export function requireTool(bin: string, pkg: string, versionArgs = ["--version"]): void {
    const r = spawnSync(bin, versionArgs, { encoding: "utf8" });
    if (r.error) {
        throw new Error(`cannot run ${bin} (${r.error.message}): install Debian's ${pkg} (scripts/install-system-deps) or set ${bin.toUpperCase()}`);
    }
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

export interface Tls {
    ca: string;
    cert: string;
    key: string;
}

/** A CA and one certificate for 127.0.0.1 that serves and authenticates clients (etcd's server.crt role). */
export function makeCertificates(dir: string): Tls {
    fs.mkdirSync(dir, { recursive: true });
    const f = (n: string) => path.join(dir, n);
    const run = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "2", "-subj", "/CN=k8sprod-test-etcd-ca"]);
    run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=etcd"]);
    fs.writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    run(["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.crt"), "-days", "2", "-extfile", f("ext.cnf")]);
    return { ca: f("ca.crt"), cert: f("server.crt"), key: f("server.key") };
}

export interface EtcdMember {
    name: string;
    clientUrl: string;
    dataDir: string;
    process: ChildProcess;
    log: string;
}

/** The value every test key `i` holds: 1 KiB, distinct per key, recomputable when reading back. */
export function valueOf(i: number): string {
    return crypto.createHash("sha256").update(`k8sprod-${i}`).digest("hex").repeat(16);
}

export function keyOf(i: number): string {
    return `/registry/k8sprod-test/key-${String(i).padStart(6, "0")}`;
}

export class EtcdLab {
    readonly dir: string;
    readonly tls: Tls;
    private readonly children: ChildProcess[] = [];
    private readonly mounts: string[] = [];

    constructor() {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-etcd-"));
        this.tls = makeCertificates(path.join(this.dir, "pki"));
    }

    path(...p: string[]): string {
        return path.join(this.dir, ...p);
    }

    /** Starts one etcd member on free loopback ports and waits until it answers over TLS. */
    async start(name: string, dataDir: string, peerPort?: number): Promise<EtcdMember> {
        const clientPort = await freePort();
        peerPort = peerPort ?? await freePort();
        const clientUrl = `https://127.0.0.1:${clientPort}`;
        const peerUrl = `http://127.0.0.1:${peerPort}`;
        const log = this.path(`${name}.log`);
        const out = fs.openSync(log, "a");
        const child = spawn(ETCD, [
            "--name", name, "--data-dir", dataDir,
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", `${name}=${peerUrl}`,
            "--cert-file", this.tls.cert, "--key-file", this.tls.key, "--trusted-ca-file", this.tls.ca, "--client-cert-auth",
            "--listen-metrics-urls", `http://127.0.0.1:${await freePort()}`,
        ], { stdio: ["ignore", out, out] });
        fs.closeSync(out);
        this.children.push(child);
        const member = { name, clientUrl, dataDir, process: child, log };
        // Generous: a loaded 2-core machine may take a while to start etcd.
        const deadline = Date.now() + 600_000;
        for (;;) {
            if (child.exitCode !== null) {
                throw new Error(`etcd ${name} exited with ${child.exitCode}: ${fs.readFileSync(log, "utf8").slice(-2000)}`);
            }
            const r = spawnSync(ETCDCTL, [...this.flags(clientUrl), "endpoint", "health"], { encoding: "utf8", env: { ...process.env, ETCDCTL_API: "3" } });
            if (r.status === 0) {
                return member;
            }
            if (Date.now() > deadline) {
                throw new Error(`etcd ${name} did not become healthy: ${r.stderr} ${fs.readFileSync(log, "utf8").slice(-2000)}`);
            }
            await new Promise((res) => setTimeout(res, 200));
        }
    }

    /** etcdctl's connection flags for `clientUrl`. */
    flags(clientUrl: string): string[] {
        return [`--endpoints=${clientUrl}`, `--cacert=${this.tls.ca}`, `--cert=${this.tls.cert}`, `--key=${this.tls.key}`];
    }

    /** Calls etcd's JSON gateway (`/v3/...`) with the client certificate. */
    async call(clientUrl: string, api: string, body: unknown): Promise<any> {
        const url = new URL(`${clientUrl}/v3/${api}`);
        const data = JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const req = https.request({
                hostname: url.hostname, port: url.port, path: url.pathname, method: "POST",
                ca: fs.readFileSync(this.tls.ca), cert: fs.readFileSync(this.tls.cert), key: fs.readFileSync(this.tls.key),
                headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
                agent: false,
            }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    if (res.statusCode !== 200) {
                        reject(new Error(`etcd ${api}: HTTP ${res.statusCode} ${text.slice(0, 500)}`));
                    } else {
                        resolve(JSON.parse(text));
                    }
                });
            });
            req.on("error", reject);
            req.end(data);
        });
    }

    /** Writes keys `from` .. `to - 1` with {@link valueOf}, 100 puts per transaction (etcd allows 128). */
    async writeKeys(clientUrl: string, from: number, to: number): Promise<void> {
        const b64 = (s: string) => Buffer.from(s).toString("base64");
        for (let start = from; start < to; start += 100) {
            const success = [];
            for (let i = start; i < Math.min(start + 100, to); i++) {
                success.push({ request_put: { key: b64(keyOf(i)), value: b64(valueOf(i)) } });
            }
            await this.call(clientUrl, "kv/txn", { success });
        }
    }

    /** Every test key and value in etcd, by key. */
    async readKeys(clientUrl: string): Promise<Map<string, string>> {
        const prefix = "/registry/k8sprod-test/";
        const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
        const b64 = (s: string) => Buffer.from(s).toString("base64");
        const r = await this.call(clientUrl, "kv/range", { key: b64(prefix), range_end: b64(end) });
        const out = new Map<string, string>();
        for (const kv of r.kvs ?? []) {
            out.set(Buffer.from(kv.key, "base64").toString(), Buffer.from(kv.value ?? "", "base64").toString());
        }
        return out;
    }

    /** `etcdctl snapshot restore` into a new data directory (which must not exist). */
    restore(snapshot: string, dataDir: string, name: string, peerPort: number): { status: number | null; output: string } {
        const peer = `http://127.0.0.1:${peerPort}`;
        const r = spawnSync(ETCDCTL, ["snapshot", "restore", snapshot, "--data-dir", dataDir, "--name", name,
            "--initial-cluster", `${name}=${peer}`, "--initial-advertise-peer-urls", peer],
        { encoding: "utf8", env: { ...process.env, ETCDCTL_API: "3" } });
        return { status: r.status, output: `${r.stdout}${r.stderr}` };
    }

    /** Stops a member (SIGKILL) and waits for it to exit. */
    async kill(member: EtcdMember): Promise<void> {
        if (member.process.exitCode !== null || member.process.signalCode !== null) {
            return;
        }
        await new Promise<void>((resolve) => {
            member.process.once("exit", () => resolve());
            member.process.kill("SIGKILL");
        });
    }

    /** A tmpfs of `bytes` at `dir` (the test runs as root; a full disk without touching the real one). */
    mountTmpfs(dir: string, bytes: number): void {
        fs.mkdirSync(dir, { recursive: true });
        const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { encoding: "utf8" });
        if (r.status !== 0) {
            throw new Error(`cannot mount a ${bytes}-byte tmpfs at ${dir} (the full-disk test needs root): ${r.stderr}${r.error ?? ""}`);
        }
        this.mounts.push(dir);
    }

    async close(): Promise<void> {
        for (const c of this.children) {
            if (c.exitCode === null && c.signalCode === null) {
                await new Promise<void>((resolve) => {
                    c.once("exit", () => resolve());
                    c.kill("SIGKILL");
                });
            }
        }
        for (const m of this.mounts.reverse()) {
            spawnSync("umount", [m]);
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Runs the snapshot script with `env`; PATH may be prefixed with stand-in tools. */
export function runSnapshotScript(env: Record<string, string>, pathPrefix?: string): { status: number | null; stdout: string; stderr: string; ms: number } {
    const started = Date.now();
    const r = spawnSync("bash", [SNAPSHOT_SCRIPT], {
        encoding: "utf8",
        timeout: 300_000,
        env: { PATH: pathPrefix ? `${pathPrefix}:${process.env.PATH}` : process.env.PATH!, HOME: process.env.HOME ?? "/tmp", ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

export function sha256File(file: string): string {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}
