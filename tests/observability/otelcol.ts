import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { OTEL_COLLECTOR_IMAGE } from "../../lib/versions";

/**
 * The collector built by scripts/tools/otelcol (OpenTelemetry Collector Builder, the version of the collector
 * image in the matrix): $K8SPROD_OTELCOL, else the version-stamped cache, else `otelcol-k8sprod` on PATH.
 * Throws (the tests fail, never skip) when none is there.
 */
export function otelcolBinary(): string {
    const candidates = [
        process.env.K8SPROD_OTELCOL,
        path.join(process.env.K8SPROD_CACHE ?? path.join(os.homedir(), ".cache", "k8sprod"), `otelcol-${OTEL_COLLECTOR_IMAGE.tag}`, "otelcol"),
    ].filter((c): c is string => !!c);
    for (const c of candidates) {
        if (fs.existsSync(c)) {
            return c;
        }
    }
    const onPath = spawnSync("sh", ["-c", "command -v otelcol-k8sprod"], { encoding: "utf8" });
    if (onPath.status === 0 && onPath.stdout.trim()) {
        return onPath.stdout.trim();
    }
    throw new Error(`no OpenTelemetry Collector ${OTEL_COLLECTOR_IMAGE.tag} found (looked at ${candidates.join(", ")} and otelcol-k8sprod on PATH): run scripts/tools/otelcol (scripts/install-system-deps does)`);
}

/** The collector's version line must match the image version the components deploy. */
export function otelcolVersion(): string {
    return spawnSync(otelcolBinary(), ["--version"], { encoding: "utf8" }).stdout.trim();
}

export function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-otelcol-"));
}

/** `otelcol validate --config <file>` on a configuration object. */
export function validate(config: unknown): { ok: boolean; output: string } {
    const dir = tempDir();
    try {
        const file = path.join(dir, "config.yaml");
        fs.writeFileSync(file, YAML.stringify(config));
        const run = spawnSync(otelcolBinary(), ["validate", `--config=${file}`], { encoding: "utf8", timeout: 600_000 });
        return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

export interface Ports { otlpGrpc: number; otlpHttp: number; health: number; metrics: number }

export async function freePorts(): Promise<Ports> {
    return { otlpGrpc: await freePort(), otlpHttp: await freePort(), health: await freePort(), metrics: await freePort() };
}

/** The same configuration with every listening address moved to loopback ports (nothing else changes). */
export function onLoopback(config: Record<string, any>, ports: Ports): Record<string, any> {
    const c = JSON.parse(JSON.stringify(config));
    const protocols = c.receivers?.otlp?.protocols ?? {};
    if (protocols.grpc) {
        protocols.grpc.endpoint = `127.0.0.1:${ports.otlpGrpc}`;
    }
    if (protocols.http) {
        protocols.http.endpoint = `127.0.0.1:${ports.otlpHttp}`;
    }
    if (c.extensions?.health_check) {
        c.extensions.health_check.endpoint = `127.0.0.1:${ports.health}`;
    }
    for (const reader of c.service?.telemetry?.metrics?.readers ?? []) {
        reader.pull.exporter.prometheus.host = "127.0.0.1";
        reader.pull.exporter.prometheus.port = ports.metrics;
    }
    return c;
}

/** A running collector. */
export interface Running {
    proc: ChildProcess;
    log: () => string;
    stop: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a collector and waits (up to `timeoutMs`, a hang guard) until its health check answers 200; throws with its log otherwise. */
export async function start(config: Record<string, any>, healthPort: number, timeoutMs = 600_000): Promise<Running> {
    const dir = tempDir();
    const file = path.join(dir, "config.yaml");
    fs.writeFileSync(file, YAML.stringify(config));
    let log = "";
    const proc = spawn(otelcolBinary(), [`--config=${file}`], { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout!.on("data", (d) => { log += d; });
    proc.stderr!.on("data", (d) => { log += d; });
    let exited: number | null | undefined;
    proc.on("exit", (code) => { exited = code; });
    const stop = async () => {
        if (exited === undefined) {
            proc.kill("SIGTERM");
            for (let i = 0; i < 100 && exited === undefined; i++) {
                await sleep(100);
            }
            if (exited === undefined) {
                proc.kill("SIGKILL");
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (exited !== undefined) {
            await stop();
            throw new Error(`collector exited with ${exited} before it was healthy:\n${log}`);
        }
        try {
            const res = await fetch(`http://127.0.0.1:${healthPort}/`);
            if (res.status === 200) {
                return { proc, log: () => log, stop };
            }
        } catch {
            // not listening yet
        }
        await sleep(250);
    }
    await stop();
    throw new Error(`collector not healthy after ${timeoutMs} ms:\n${log}`);
}
