// Starts a policy pack the way `pulumi preview --policy-pack DIR` starts a Node.js pack, and talks to
// it over gRPC as the CLI does. The CLI (pkg: NewPolicyAnalyzer) runs its `pulumi-analyzer-policy`
// shim in the pack's folder; the shim resolves `@pulumi/pulumi/cmd/run-policy-pack` from there and
// runs it with node, with the engine's address and "." as arguments, the runtime options of
// PulumiPolicy.yaml as `-key=value`, and PULUMI_CONFIG / PULUMI_NODEJS_{PROJECT,STACK,DRY_RUN,...} in
// its environment. The runner prints the port of the Analyzer service it serves; the CLI dials it,
// calls Handshake (tolerating UNIMPLEMENTED), ConfigureStack, GetAnalyzerInfo and Configure, and only
// then analyzes. Used by the tests (the packs must start as a real preview starts them) and by the
// bench (what every preview pays before it shows anything).
import { spawn } from "child_process";
import type { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export interface StartOptions {
    project?: string;
    stack?: string;
    organization?: string;
    dryRun?: boolean;
    /** Stack config, as the CLI passes it in PULUMI_CONFIG. */
    config?: Record<string, string>;
    /** Give up when the pack has not printed its port after this long. Defaults to 300 s (a loaded machine starts a pack in 10 s; this only guards against a hang). */
    timeoutMs?: number;
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    supportsConfig: boolean;
    policies: Array<{ name: string; description: string; enforcementLevel: number }>;
}

export interface StartedPack {
    /** The analyzer client, connected. */
    client: any;
    /** The protobuf messages of @pulumi/pulumi/proto/analyzer_pb. */
    messages: any;
    info: AnalyzerInfo;
    pluginVersion: string;
    /** Whether the pack answered Handshake (@pulumi/policy 1.21 does not implement it: UNIMPLEMENTED). */
    handshake: "ok" | "unimplemented";
    /** Milliseconds from spawning the runner to: its port printed; GetAnalyzerInfo answered (ready). */
    timings: { portMs: number; readyMs: number };
    /** What the pack logged to the engine. */
    logs: string[];
    stderr: () => string;
    close(): Promise<void>;
}

function grpcModules(): { grpc: any; analyzerGrpc: any; analyzer: any; engineGrpc: any; engine: any; empty: any; Struct: any } {
    const analyzerGrpcPath = require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const dir = path.dirname(analyzerGrpcPath);
    /* eslint-disable @typescript-eslint/no-require-imports */
    return {
        grpc: require(require.resolve("@grpc/grpc-js", { paths: [dir] })),
        analyzerGrpc: require(analyzerGrpcPath),
        analyzer: require(path.join(dir, "analyzer_pb")),
        engineGrpc: require(path.join(dir, "engine_grpc_pb")),
        engine: require(path.join(dir, "engine_pb")),
        empty: require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [dir] })),
        Struct: require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [dir] })).Struct,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The engine's side: a gRPC Engine service that records the pack's log messages, as the CLI shows them. */
async function startEngine(grpcMods: ReturnType<typeof grpcModules>, logs: string[]): Promise<{ address: string; stop(): void }> {
    const { grpc, engineGrpc, engine, empty } = grpcMods;
    const server = new grpc.Server();
    server.addService(engineGrpc.EngineService, {
        log: (call: any, cb: any) => {
            logs.push(call.request.getMessage());
            cb(null, new empty.Empty());
        },
        getRootResource: (_call: any, cb: any) => cb(null, new engine.GetRootResourceResponse()),
        setRootResource: (_call: any, cb: any) => cb(null, new engine.SetRootResourceResponse()),
        startDebugging: (_call: any, cb: any) => cb(null, new empty.Empty()),
    });
    const port: number = await new Promise((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: any, p: number) => (err ? reject(err) : resolve(p))));
    return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

function unary(client: any, method: string, req: any): Promise<any> {
    return new Promise((resolve, reject) => client[method](req, (err: any, resp: any) => (err ? reject(err) : resolve(resp))));
}

/** `-key=value` for every runtime option in PulumiPolicy.yaml, as the CLI appends them. */
function runtimeArgs(packDir: string): string[] {
    const doc = parse(fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8")) ?? {};
    const options = typeof doc.runtime === "object" && doc.runtime !== null ? doc.runtime.options ?? {} : {};
    return Object.entries<any>(options).map(([k, v]) => `-${k}=${v}`).filter((a) => !a.endsWith("="));
}

/**
 * Starts the pack in `packDir` through the SDK's policy-pack runner and brings it to the state in
 * which `pulumi preview` starts analyzing. Rejects (after stopping the process) if it does not get
 * there; the message carries the runner's stderr.
 */
export async function startPolicyPack(packDir: string, opts: StartOptions = {}): Promise<StartedPack> {
    const dir = path.resolve(packDir);
    const mods = grpcModules();
    const logs: string[] = [];
    const engine = await startEngine(mods, logs);
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const env: Record<string, string> = { ...process.env as Record<string, string> };
    const set = (k: string, v: string | undefined) => {
        if (v) {
            env[k] = v;
        }
    };
    set("PULUMI_CONFIG", opts.config && Object.keys(opts.config).length ? JSON.stringify(opts.config) : undefined);
    const dryRun = String(opts.dryRun ?? true);
    set("PULUMI_NODEJS_ORGANIZATION", opts.organization);
    set("PULUMI_NODEJS_PROJECT", opts.project ?? "k8sprod");
    set("PULUMI_NODEJS_STACK", opts.stack ?? "dev");
    set("PULUMI_NODEJS_DRY_RUN", dryRun);
    set("PULUMI_ORGANIZATION", opts.organization);
    set("PULUMI_PROJECT", opts.project ?? "k8sprod");
    set("PULUMI_STACK", opts.stack ?? "dev");
    set("PULUMI_DRY_RUN", dryRun);

    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child: ChildProcess = spawn(process.execPath, [runner, engine.address, ".", ...runtimeArgs(dir)], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d.toString()));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
        }
        engine.stop();
    };
    try {
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => reject(new Error(`the pack printed no port within ${opts.timeoutMs ?? 300000} ms`)), opts.timeoutMs ?? 300000);
            child.stdout!.on("data", (d) => {
                out += d.toString();
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            });
            child.once("exit", (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`the policy-pack runner exited (code ${code}, signal ${signal}) before serving`));
            });
        });
        const portMs = elapsed();
        const { grpc, analyzerGrpc, analyzer, empty } = mods;
        const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        let handshake: "ok" | "unimplemented" = "ok";
        const hs = new analyzer.AnalyzerHandshakeRequest();
        hs.setEngineAddress(engine.address);
        hs.setRootDirectory(dir);
        hs.setProgramDirectory(dir);
        try {
            await unary(client, "handshake", hs);
        } catch (e: any) {
            if (e?.code !== grpc.status.UNIMPLEMENTED) {
                throw e;
            }
            handshake = "unimplemented";
        }
        const sc = new analyzer.AnalyzerStackConfigureRequest();
        sc.setStack(opts.stack ?? "dev");
        sc.setProject(opts.project ?? "k8sprod");
        sc.setOrganization(opts.organization ?? "");
        sc.setDryRun(opts.dryRun ?? true);
        await unary(client, "configureStack", sc);
        const infoResp = await unary(client, "getAnalyzerInfo", new empty.Empty());
        const readyMs = elapsed();
        const plugin = await unary(client, "getPluginInfo", new empty.Empty());
        const info: AnalyzerInfo = {
            name: infoResp.getName(),
            version: infoResp.getVersion(),
            supportsConfig: infoResp.getSupportsconfig(),
            policies: infoResp.getPoliciesList().map((p: any) => ({ name: p.getName(), description: p.getDescription(), enforcementLevel: p.getEnforcementlevel() })),
        };
        return {
            client, messages: analyzer, info, pluginVersion: plugin.getVersion(), handshake, timings: { portMs, readyMs }, logs,
            stderr: () => stderr,
            close: async () => {
                client.close();
                await stop();
            },
        };
    } catch (e: any) {
        await stop();
        throw new Error(`policy pack ${packDir} did not start through the policy-pack runner: ${e.message}${stderr ? `\n${stderr}` : ""}`, { cause: e });
    }
}

/** Sends a Configure request (per-policy level and properties), as the CLI does before analyzing. */
export async function configurePack(pack: StartedPack, config: Record<string, { enforcementLevel: string; properties: Record<string, any> }>): Promise<void> {
    const { analyzer, Struct } = grpcModules();
    const req = new analyzer.ConfigureAnalyzerRequest();
    const levels: Record<string, number> = {
        advisory: analyzer.EnforcementLevel.ADVISORY, mandatory: analyzer.EnforcementLevel.MANDATORY,
        remediate: analyzer.EnforcementLevel.REMEDIATE, disabled: analyzer.EnforcementLevel.DISABLED,
    };
    for (const [policy, c] of Object.entries(config)) {
        const pc = new analyzer.PolicyConfig();
        pc.setEnforcementlevel(levels[c.enforcementLevel]);
        pc.setProperties(Struct.fromJavaScript(c.properties));
        req.getPolicyconfigMap().set(policy, pc);
    }
    await unary(pack.client, "configure", req);
}

/** One Analyze call over gRPC; returns the diagnostics as plain objects. */
export async function analyzeOverGrpc(pack: StartedPack, r: { urn: string; type: string; name: string; properties: Record<string, any> }): Promise<Array<{ policy: string; message: string; enforcementLevel: number }>> {
    const { analyzer, Struct } = grpcModules();
    const req = new analyzer.AnalyzeRequest();
    req.setUrn(r.urn);
    req.setType(r.type);
    req.setName(r.name);
    req.setProperties(Struct.fromJavaScript(r.properties));
    req.setOptions(new analyzer.AnalyzerResourceOptions());
    const resp = await unary(pack.client, "analyze", req);
    return resp.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage(), enforcementLevel: d.getEnforcementlevel() }));
}
