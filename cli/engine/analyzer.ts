// The analyzer path of the offline engine: policy packs evaluated, in-process, by the very request
// handlers that `@pulumi/policy` serves to the Pulumi CLI (`analyze`, `analyzeStack`, `remediate`,
// `configure`), fed the protobuf messages the CLI would send. Policy semantics (args, isType, config,
// enforcement levels, not-applicable, unknown values) are the SDK's; this file only does what the CLI
// does around them: reconcile and validate each pack's config, send it through `configure`, build the
// requests, and read the diagnostics back.
import * as fs from "fs";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("module");
import type Ajv from "ajv";
import { analyzeResource, analyzeStack as analyzeStackDirect, Diagnostic, DirectPack, DirectResource, NotApplicable, prepare, Prepared } from "./direct";
import { ensurePolicyModule } from "./sdk-light";

/** A resource handed to the packs: what the CLI knows about one resource of a stack. */
export interface EngineResource {
    urn: string;
    /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
    type: string;
    /** Pulumi resource name (for YAML input, the object's `metadata.name`). */
    name: string;
    /** The resource's inputs: for Kubernetes objects, the object itself (apiVersion, kind, metadata, spec...). */
    properties: Record<string, any>;
    /** URN of the parent resource. */
    parent?: string;
    /** URNs this resource depends on. */
    dependencies?: string[];
    /** Provider reference (`urn::id`, or a bare URN) of a provider resource present in the same list. */
    provider?: string;
    /** Reporting only (not sent to the packs). */
    namespace?: string;
    file?: string;
    document?: number;
}

/** One diagnostic reported by a pack. */
export interface EngineViolation {
    policyPack: string;
    policy: string;
    /** "advisory" | "mandatory" (remediate is reported as mandatory, as the SDK does). */
    enforcementLevel: string;
    /** The resource the violation is about (stack policies name it; resource policies get the analyzed resource's). */
    urn: string;
    /** The policy's own message (the SDK prefixes it with the description; that prefix is removed here). */
    message: string;
    /** The policy's description, as the SDK reports it. */
    description?: string;
    policyPackVersion?: string;
    severity?: string;
    /** Where in the resource (a property path), when the finding names one (schema findings). */
    path?: string;
    /** The line of that path in the resource's file (check only). */
    line?: number;
}

/** A change a `remediate` policy made to a resource before it was analyzed. */
export interface EngineRemediation {
    policyPack: string;
    policy: string;
    urn: string;
    /** The resource's properties after the remediation, when it changed them. */
    properties?: Record<string, any>;
    /** A message instead of properties (e.g. the remediation could not run during preview). */
    diagnostic?: string;
}

/** A policy the SDK reported as not applicable to a resource (or to the stack, when `urn` is undefined). */
export interface EngineNotApplicable {
    policyPack: string;
    policy: string;
    urn?: string;
    reason: string;
}

/** What `evaluate` returns. */
export interface Evaluation {
    violations: EngineViolation[];
    remediations: EngineRemediation[];
    notApplicable: EngineNotApplicable[];
}

/** Per-policy config after reconciliation, in the shape the CLI sends through `configure`. */
export interface PolicyConfigEntry {
    enforcementLevel: string;
    properties: Record<string, any>;
}

type Callback = (err: any, resp?: any) => void;
type Handler = (call: { request: any }, callback: Callback) => any;

interface Handlers {
    analyze: Handler;
    analyzeStack: Handler;
    remediate: Handler;
    configure: Handler;
    getAnalyzerInfo: Handler;
}

/** A pack loaded for the engine. */
export interface PackHandle {
    name: string;
    version: string;
    /** The pack-wide default enforcement level given to `new PolicyPack` ("advisory" when unset, as in the SDK). */
    enforcementLevel: string;
    /** Absolute path of the pack directory (where PulumiPolicy.yaml lives). */
    dir: string;
    /** The policy objects, exactly as given to `new PolicyPack`. */
    policies: any[];
    /** The `initialConfig` given to `new PolicyPack`, if any. */
    initialConfig?: Record<string, any>;
    /**
     * Optional hook exported by the pack's entry module: turns the pack's own config document (e.g. a
     * pack-wide `stage` and exemptions) into Pulumi policy config (`{ all?, <policy>: level | {...} }`).
     */
    expandConfig?: (doc: Record<string, any>) => Record<string, any>;
    /** The handlers `@pulumi/policy` serves for this pack (one server module instance per pack). */
    handlers: Handlers;
}

const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"];
const PACK_NAME_RE = /^[a-zA-Z0-9-_.]{1,100}$/;

/** Thrown when a pack cannot be loaded or its config is invalid; `problems` lists every reason. */
export class PackError extends Error {
    constructor(message: string, readonly problems: string[] = []) {
        super(problems.length ? `${message}:\n  - ${problems.join("\n  - ")}` : message);
        this.name = "PackError";
    }
}

// ------------------------------------------------------------------------------------------------
// Loading a pack
// ------------------------------------------------------------------------------------------------

/**
 * Loads a policy pack directory (the one `pulumi preview --policy-pack DIR` takes): reads its
 * package.json, requires its compiled entry (`main`; a `.ts` main is mapped to the project's tsc
 * output) the way the SDK's policy-pack runner does, with the working directory set to the pack, and
 * captures what it hands to `new PolicyPack(...)`. Then it builds the handlers `@pulumi/policy` would
 * serve for that pack, on a server module instance of its own (the SDK keeps the configured policy
 * config in a module global, one pack per process; here, one per pack).
 */
export function loadPack(dir: string): PackHandle {
    const packDir = path.resolve(dir);
    if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
        throw new PackError(`${dir} is not a policy pack: it has no PulumiPolicy.yaml`);
    }
    const pkgPath = path.join(packDir, "package.json");
    if (!fs.existsSync(pkgPath)) {
        throw new PackError(`${dir} is not a policy pack: it has no package.json`);
    }
    const pkg = JSON.parse(fs.readFileSync(pkgPath, "utf8"));
    const entry = resolveEntry(packDir, pkg.main);

    const policyServerPath = require.resolve("@pulumi/policy/server", { paths: [path.dirname(entry)] });
    // Without the real server in memory, the pack is loaded against a stand-in server (sdk-light.ts):
    // no gRPC, no @pulumi/pulumi. Otherwise `serve` is intercepted on the real module.
    const standIn = ensurePolicyModule(policyServerPath);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sharedServer = standIn ? undefined : require(policyServerPath);

    let captured: any[] | undefined;
    const originalServe = sharedServer?.serve;
    const originalCwd = process.cwd();
    let entryExports: any;
    const capture = (...args: any[]) => {
        captured = args;
    };
    if (standIn) {
        standIn.sink = (args) => capture(...args);
    } else {
        sharedServer.serve = capture;
    }
    try {
        process.chdir(packDir);
        delete require.cache[entry];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        entryExports = require(entry);
    } catch (e: any) {
        throw new PackError(`Could not load policy pack ${dir} (${entry}): ${e?.message ?? e}`);
    } finally {
        if (standIn) {
            standIn.sink = undefined;
        } else {
            sharedServer.serve = originalServe;
        }
        process.chdir(originalCwd);
    }
    if (!captured) {
        throw new PackError(
            `Policy pack ${dir} did not construct a PolicyPack with the @pulumi/policy found at ${policyServerPath}`);
    }
    const [name, version, enforcementLevel, packArgs, initialConfig] = captured;
    validatePack(dir, name, packArgs);

    const expandConfig = typeof entryExports?.expandConfig === "function" ? entryExports.expandConfig : undefined;
    const handle = {
        name, version, enforcementLevel, dir: packDir, policies: packArgs.policies ?? [],
        initialConfig: initialConfig ?? undefined, expandConfig,
    } as PackHandle;
    // The handlers (and with them gRPC and @pulumi/pulumi) are built when first used: the direct path
    // without remediations never uses them.
    let handlers: Handlers | undefined;
    Object.defineProperty(handle, "handlers", {
        enumerable: true,
        get: () => (handlers ??= makeHandlers(policyServerPath, name, version, enforcementLevel, packArgs, initialConfig)),
    });
    return handle;
}

function resolveEntry(packDir: string, main: unknown): string {
    const rel = typeof main === "string" && main !== "" ? main : "index.js";
    const direct = path.resolve(packDir, rel);
    if (!direct.endsWith(".ts")) {
        const candidates = [direct, `${direct}.js`, path.join(direct, "index.js")];
        const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
        if (!found) {
            throw new PackError(`Policy pack ${packDir}: its entry ${rel} does not exist (build the project first: npm run build)`);
        }
        return found;
    }
    // A TypeScript entry: use the JavaScript tsc emitted for it.
    const sibling = direct.replace(/\.ts$/, ".js");
    if (fs.existsSync(sibling)) {
        return sibling;
    }
    const root = projectRoot(packDir);
    if (root) {
        const compiled = path.join(root.dir, root.outDir, path.relative(root.dir, direct)).replace(/\.ts$/, ".js");
        if (fs.existsSync(compiled)) {
            return compiled;
        }
        throw new PackError(`Policy pack ${packDir}: ${rel} is not compiled (expected ${compiled}; run npm run build)`);
    }
    throw new PackError(`Policy pack ${packDir}: ${rel} is TypeScript and no compiled JavaScript was found`);
}

function projectRoot(from: string): { dir: string; outDir: string } | undefined {
    let dir = from;
    for (;;) {
        const tsconfig = path.join(dir, "tsconfig.json");
        if (fs.existsSync(tsconfig)) {
            let outDir = "dist";
            try {
                outDir = JSON.parse(fs.readFileSync(tsconfig, "utf8"))?.compilerOptions?.outDir ?? outDir;
            } catch {
                // tsconfig with comments: keep the default.
            }
            return { dir, outDir };
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            return undefined;
        }
        dir = parent;
    }
}

/** The checks `serve` makes (it exits the process on failure; here they are errors). */
function validatePack(dir: string, name: unknown, packArgs: any): void {
    const problems: string[] = [];
    if (typeof name !== "string" || !PACK_NAME_RE.test(name)) {
        problems.push(`invalid policy pack name "${String(name)}"`);
    }
    const seen = new Set<string>();
    for (const p of packArgs?.policies ?? []) {
        if (p.name === "all") {
            problems.push(`invalid policy name "all" (reserved)`);
        }
        if (seen.has(p.name)) {
            problems.push(`duplicate policy name "${p.name}"`);
        }
        seen.add(p.name);
        if (p.configSchema?.properties?.enforcementLevel) {
            problems.push(`${p.name}: enforcementLevel cannot be explicitly specified in configSchema.properties`);
        }
        if (p.configSchema?.required?.includes("enforcementLevel")) {
            problems.push(`${p.name}: "enforcementLevel" cannot be specified in configSchema.required`);
        }
    }
    if (problems.length) {
        throw new PackError(`Policy pack ${dir} is invalid`, problems);
    }
}

/**
 * Builds the handlers `serve` registers, from a private instance of `@pulumi/policy/server` whose
 * gRPC server is a stand-in that only records the service implementation.
 */
function makeHandlers(serverPath: string, name: string, version: string, level: string, packArgs: any, initialConfig: any): Handlers {
    const grpcPath = require.resolve("@grpc/grpc-js", { paths: [path.dirname(serverPath)] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const realGrpc = require(grpcPath);
    let implementation: any;
    const fakeGrpc = Object.create(realGrpc);
    Object.defineProperty(fakeGrpc, "Server", {
        value: class {
            addService(_service: unknown, impl: unknown): void {
                implementation = impl;
            }
            bindAsync(): void {
                // No socket: the handlers are called in-process.
            }
        },
    });
    const cache = (Module as any)._cache as Record<string, any>;
    const savedServer = cache[serverPath];
    const savedGrpc = cache[grpcPath];
    const stub = new (Module as any)(grpcPath);
    stub.filename = grpcPath;
    stub.loaded = true;
    stub.exports = fakeGrpc;
    let privateServer: any;
    try {
        cache[grpcPath] = stub;
        delete cache[serverPath];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        privateServer = require(serverPath);
    } finally {
        cache[grpcPath] = savedGrpc;
        if (savedServer) {
            cache[serverPath] = savedServer;
        } else {
            delete cache[serverPath];
        }
    }
    privateServer.serve(name, version, level, packArgs, initialConfig);
    if (!implementation) {
        throw new PackError(`@pulumi/policy did not register an analyzer service for pack ${name}`);
    }
    return implementation as Handlers;
}

// ------------------------------------------------------------------------------------------------
// Protocol messages
// ------------------------------------------------------------------------------------------------

interface Proto {
    analyzer: any;
    Struct: any;
}
let protoCache: Proto | undefined;

function proto(): Proto {
    if (!protoCache) {
        const serverPath = require.resolve("@pulumi/policy/server");
        const analyzerPath = require.resolve("@pulumi/pulumi/proto/analyzer_pb", { paths: [path.dirname(serverPath)] });
        const structPath = require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [path.dirname(analyzerPath)] });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        protoCache = { analyzer: require(analyzerPath), Struct: require(structPath).Struct };
    }
    return protoCache;
}

/**
 * Makes a value representable as a protobuf Struct, as the CLI's JSON marshalling would: undefined and
 * functions disappear from objects (and become null in arrays), dates become ISO strings, bigints strings.
 */
export function toJsonValue(v: any): any {
    if (v === null) {
        return null;
    }
    switch (typeof v) {
        case "string":
        case "boolean":
            return v;
        case "number":
            return Number.isFinite(v) ? v : null;
        case "bigint":
            return v.toString();
        case "undefined":
        case "function":
        case "symbol":
            return undefined;
    }
    if (Array.isArray(v)) {
        return v.map((e) => {
            const j = toJsonValue(e);
            return j === undefined ? null : j;
        });
    }
    if (v instanceof Date) {
        return Number.isNaN(v.getTime()) ? null : v.toISOString();
    }
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
        return Buffer.from(v).toString("base64");
    }
    const out: Record<string, any> = {};
    for (const k of Object.keys(v)) {
        const j = toJsonValue(v[k]);
        if (j !== undefined) {
            out[k] = j;
        }
    }
    return out;
}

function jsonObject(obj: Record<string, any> | undefined): Record<string, any> {
    const json = toJsonValue(obj ?? {});
    return json && typeof json === "object" && !Array.isArray(json) ? json : {};
}

function struct(obj: Record<string, any> | undefined): any {
    return proto().Struct.fromJavaScript(jsonObject(obj));
}

/**
 * The fast protocol: what the handlers read from a Struct is `toJavaScript()`; here it returns the
 * already-normalized object (the handlers copy it while deserializing and never change it), so it is
 * built once per resource instead of once per policy. The other fields are real protobuf messages.
 */
class PlainStruct {
    constructor(private readonly value: Record<string, any>) {}
    toJavaScript(): Record<string, any> {
        return this.value;
    }
}

/** Request messages for one protocol: real protobuf messages, or the same fields with PlainStruct properties. */
interface Messages {
    properties(obj: Record<string, any>): any;
}

const PROTOBUF: Messages = { properties: struct };
const FAST: Messages = { properties: (obj) => new PlainStruct(jsonObject(obj)) };

function resourceOptions(r: EngineResource): any {
    const opts = new (proto().analyzer.AnalyzerResourceOptions)();
    if (r.parent) {
        opts.setParent(r.parent);
    }
    return opts;
}

function providerOf(r: EngineResource, byUrn: Map<string, EngineResource>, m: Messages): any {
    if (!r.provider) {
        return undefined;
    }
    const ref = r.provider;
    const sep = ref.lastIndexOf("::");
    const urn = byUrn.has(ref) ? ref : sep > 0 ? ref.slice(0, sep) : ref;
    const p = byUrn.get(urn);
    if (!p) {
        return undefined;
    }
    if (m === PROTOBUF) {
        const msg = new (proto().analyzer.AnalyzerProviderResource)();
        msg.setType(p.type);
        msg.setName(p.name);
        msg.setUrn(p.urn);
        msg.setProperties(struct(p.properties));
        return msg;
    }
    const properties = m.properties(p.properties);
    return { getType: () => p.type, getName: () => p.name, getUrn: () => p.urn, getProperties: () => properties };
}

function analyzeRequest(r: EngineResource, props: Record<string, any>, byUrn: Map<string, EngineResource>, m: Messages): any {
    const options = resourceOptions(r);
    const provider = providerOf(r, byUrn, m);
    if (m === PROTOBUF) {
        const req = new (proto().analyzer.AnalyzeRequest)();
        req.setType(r.type);
        req.setProperties(struct(props));
        req.setUrn(r.urn);
        req.setName(r.name);
        req.setOptions(options);
        if (provider) {
            req.setProvider(provider);
        }
        return req;
    }
    const properties = m.properties(props);
    return {
        getType: () => r.type, getProperties: () => properties, getUrn: () => r.urn, getName: () => r.name,
        getOptions: () => options, getProvider: () => provider,
    };
}

function stackRequest(resources: EngineResource[], props: Map<string, Record<string, any>>, byUrn: Map<string, EngineResource>, m: Messages): any {
    const { analyzer } = proto();
    if (m === PROTOBUF) {
        const req = new analyzer.AnalyzeStackRequest();
        req.setResourcesList(resources.map((r) => {
            const msg = new analyzer.AnalyzerResource();
            msg.setType(r.type);
            msg.setProperties(struct(props.get(r.urn) ?? r.properties));
            msg.setUrn(r.urn);
            msg.setName(r.name);
            msg.setOptions(resourceOptions(r));
            const provider = providerOf(r, byUrn, m);
            if (provider) {
                msg.setProvider(provider);
            }
            if (r.parent) {
                msg.setParent(r.parent);
            }
            msg.setDependenciesList(r.dependencies ?? []);
            return msg;
        }));
        return req;
    }
    const list = resources.map((r) => {
        const properties = m.properties(props.get(r.urn) ?? r.properties);
        const options = resourceOptions(r);
        const provider = providerOf(r, byUrn, m);
        const dependencies = r.dependencies ?? [];
        const noPropertyDependencies = new Map<string, any>();
        return {
            getType: () => r.type, getProperties: () => properties, getUrn: () => r.urn, getName: () => r.name,
            getOptions: () => options, getProvider: () => provider, getParent: () => r.parent ?? "",
            getDependenciesList: () => dependencies, getPropertydependenciesMap: () => noPropertyDependencies,
        };
    });
    return { getResourcesList: () => list };
}

function levelName(el: number): string {
    const E = proto().analyzer.EnforcementLevel;
    switch (el) {
        case E.ADVISORY: return "advisory";
        case E.MANDATORY: return "mandatory";
        case E.REMEDIATE: return "remediate";
        case E.DISABLED: return "disabled";
        default: return "advisory";
    }
}

function levelNumber(level: string): number {
    const E = proto().analyzer.EnforcementLevel;
    return ({ advisory: E.ADVISORY, mandatory: E.MANDATORY, remediate: E.REMEDIATE, disabled: E.DISABLED } as Record<string, number>)[level];
}

function severityName(s: number): string | undefined {
    const S = proto().analyzer.PolicySeverity;
    switch (s) {
        case S.POLICY_SEVERITY_LOW: return "low";
        case S.POLICY_SEVERITY_MEDIUM: return "medium";
        case S.POLICY_SEVERITY_HIGH: return "high";
        case S.POLICY_SEVERITY_CRITICAL: return "critical";
        default: return undefined;
    }
}

/**
 * Runs the pack's remediations on one resource, as the engine does before analysis: records each one
 * in `result` and returns the properties after the last change (the resource's own when none).
 */
async function remediateResource(pack: PackHandle, r: EngineResource, byUrn: Map<string, EngineResource>, m: Messages, result: Evaluation): Promise<Record<string, any>> {
    let current = r.properties;
    const resp = await call(pack.handlers.remediate, analyzeRequest(r, current, byUrn, m));
    for (const rem of resp.getRemediationsList()) {
        const changed = rem.getProperties()?.toJavaScript();
        result.remediations.push({
            policyPack: rem.getPolicypackname() || pack.name, policy: rem.getPolicyname(), urn: r.urn,
            properties: changed, diagnostic: rem.getDiagnostic() || undefined,
        });
        if (changed) {
            current = changed;
        }
    }
    return current;
}

function call(handler: Handler, request: any): Promise<any> {
    return new Promise((resolve, reject) => {
        handler({ request }, (err, resp) => (err ? reject(err) : resolve(resp)));
    });
}

// ------------------------------------------------------------------------------------------------
// Configuration (what the CLI does before it analyzes)
// ------------------------------------------------------------------------------------------------

/** Normalizes `{ name: level | {enforcementLevel?, ...props} }` as the CLI's config parser does. */
function parseConfig(doc: Record<string, any>, where: string, problems: string[], pack: PackHandle): Record<string, { enforcementLevel?: string; properties?: Record<string, any> }> {
    const out: Record<string, { enforcementLevel?: string; properties?: Record<string, any> }> = {};
    const known = new Set(pack.policies.map((p) => p.name));
    for (const [k, v] of Object.entries(doc ?? {})) {
        if (k !== "all" && !known.has(k)) {
            problems.push(`${where}${k}: no such policy in pack ${pack.name}`);
            continue;
        }
        if (typeof v === "string") {
            if (!ENFORCEMENT_LEVELS.includes(v)) {
                problems.push(`${where}${k}: "${v}" is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
                continue;
            }
            out[k] = { enforcementLevel: v };
        } else if (v && typeof v === "object" && !Array.isArray(v)) {
            const { enforcementLevel, ...properties } = v as Record<string, any>;
            if (enforcementLevel !== undefined && (typeof enforcementLevel !== "string" || !ENFORCEMENT_LEVELS.includes(enforcementLevel))) {
                problems.push(`${where}${k}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`);
                continue;
            }
            // A key the policy's schema does not know is refused with its path (the Pulumi CLI would pass it on unread).
            const policy = pack.policies.find((p) => p.name === k);
            const knownKeys = ["enforcementLevel", ...Object.keys(policy?.configSchema?.properties ?? {})];
            for (const prop of Object.keys(properties)) {
                if (k !== "all" && !knownKeys.includes(prop)) {
                    problems.push(`${where}${k}.${prop}: unknown key (${knownKeys.join(", ")})`);
                }
            }
            if (k === "all" && Object.keys(properties).length) {
                problems.push(...Object.keys(properties).map((prop) => `${where}all.${prop}: unknown key (all takes only an enforcement level)`));
            }
            out[k] = { enforcementLevel, properties: Object.keys(properties).length ? properties : undefined };
        } else {
            problems.push(`${where}${k}: ${JSON.stringify(v)} is not a valid value; must be an enforcement level or an object`);
        }
    }
    return out;
}

/** Whether two JSON values are equal (same keys in any order, same values). */
function sameJson(a: any, b: any): boolean {
    if (a === b) {
        return true;
    }
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
        return false;
    }
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) {
        return false;
    }
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]));
}

let ajvInstance: Ajv | undefined;
/** The config validator, made on first use. */
function ajv(): Ajv {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const AjvClass: typeof Ajv = require("ajv").default;
    return (ajvInstance ??= new AjvClass({ allErrors: true, strict: false }));
}
const validators = new WeakMap<object, any>();

/**
 * Reconciles a pack's config as the CLI does (`ReconcilePolicyPackConfig`): each policy starts from its
 * enforcement level (or the pack's) and its schema's top-level defaults; the pack's initialConfig is
 * applied, then the given config (`all` sets every policy's level; a policy's own entry overrides it);
 * the result is validated against each policy's schema. Throws a PackError listing every problem.
 */
export function resolvePackConfig(pack: PackHandle, doc?: Record<string, any>): Record<string, PolicyConfigEntry> {
    const problems: string[] = [];
    let given = doc ?? {};
    if (pack.expandConfig && doc) {
        try {
            given = pack.expandConfig(doc);
        } catch (e: any) {
            if (!Array.isArray(e?.problems) || !e.partial || typeof e.partial !== "object") {
                throw new PackError(`Invalid config for policy pack ${pack.name}`, e?.problems ?? [e?.message ?? String(e)]);
            }
            // Report the pack's problems together with the schema's (every problem at once).
            problems.push(...e.problems);
            given = e.partial;
        }
    }
    const result: Record<string, PolicyConfigEntry> = {};
    const defaults: Record<string, Record<string, any>> = {};
    for (const p of pack.policies) {
        const props: Record<string, any> = {};
        for (const [k, s] of Object.entries<any>(p.configSchema?.properties ?? {})) {
            if (s && Object.prototype.hasOwnProperty.call(s, "default")) {
                props[k] = structuredClone(s.default);
            }
        }
        defaults[p.name] = structuredClone(props);
        result[p.name] = { enforcementLevel: p.enforcementLevel || pack.enforcementLevel || "advisory", properties: props };
    }
    const apply = (cfg: Record<string, { enforcementLevel?: string; properties?: Record<string, any> }>) => {
        const all = cfg.all;
        if (all?.enforcementLevel) {
            for (const entry of Object.values(result)) {
                entry.enforcementLevel = all.enforcementLevel;
            }
        }
        for (const [policy, c] of Object.entries(cfg)) {
            if (policy === "all") {
                continue;
            }
            const entry = result[policy];
            if (!entry) {
                continue;
            }
            if (c.enforcementLevel) {
                entry.enforcementLevel = c.enforcementLevel;
            }
            Object.assign(entry.properties, c.properties ?? {});
        }
    };
    if (pack.initialConfig) {
        apply(parseConfig(pack.initialConfig, "initialConfig.", problems, pack));
    }
    apply(parseConfig(given, "", problems, pack));
    for (const p of pack.policies) {
        if (!p.configSchema) {
            continue;
        }
        // Properties that are exactly the schema's own defaults with nothing required are the pack's
        // choice, not config: compiling a validator for each of those was most of a small check's
        // start-up. tests/policies/config.spec.ts shows the bundled packs' defaults validate.
        if (!p.configSchema.required?.length && sameJson(result[p.name].properties, defaults[p.name])) {
            continue;
        }
        let validate = validators.get(p.configSchema);
        if (!validate) {
            const schema: Record<string, any> = { type: "object" };
            if (p.configSchema.properties && Object.keys(p.configSchema.properties).length) {
                schema.properties = p.configSchema.properties;
            }
            if (p.configSchema.required?.length) {
                schema.required = p.configSchema.required;
            }
            validate = ajv().compile(schema);
            validators.set(p.configSchema, validate);
        }
        if (!validate(result[p.name].properties)) {
            for (const e of validate.errors ?? []) {
                problems.push(`${p.name}${e.instancePath ? e.instancePath.replace(/\//g, ".") : ""}: ${e.message}`);
            }
        }
    }
    if (problems.length) {
        throw new PackError(`Invalid config for policy pack ${pack.name}`, [...new Set(problems)]);
    }
    return result;
}

/** Sends the reconciled config through the pack's `configure` handler (a ConfigureAnalyzerRequest). */
async function configure(pack: PackHandle, resolved: Record<string, PolicyConfigEntry>): Promise<void> {
    const { analyzer } = proto();
    const req = new analyzer.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [policy, entry] of Object.entries(resolved)) {
        const pc = new analyzer.PolicyConfig();
        pc.setEnforcementlevel(levelNumber(entry.enforcementLevel));
        pc.setProperties(struct(entry.properties));
        map.set(policy, pc);
    }
    await call(pack.handlers.configure, req);
}

/**
 * Picks the config document for one pack: `config[pack.name]` when the config is keyed by pack name,
 * else the whole document (a single pack's config, or one document for several packs: then each pack
 * takes `all`, the keys that name its policies, and — when it exports expandConfig — the pack-wide
 * settings, keys that name no policy of any pack).
 */
function configFor(pack: PackHandle, packs: PackHandle[], config?: Record<string, any>): Record<string, any> | undefined {
    if (!config) {
        return undefined;
    }
    const packNames = new Set(packs.map((p) => p.name));
    if (Object.keys(config).some((k) => packNames.has(k))) {
        return config[pack.name];
    }
    if (packs.length === 1) {
        return config;
    }
    const mine = new Set(pack.policies.map((p) => p.name));
    const others = new Set(packs.filter((p) => p !== pack).flatMap((p) => p.policies.map((q) => q.name)));
    // A key that names no policy of any pack is a pack-wide setting (e.g. `stage`): it goes to the packs
    // that understand such settings (they export expandConfig), or to every pack when none does, so that
    // a typo is still reported.
    const someExpand = packs.some((p) => p.expandConfig);
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(config)) {
        const policyKey = mine.has(k) || others.has(k);
        if (mine.has(k) || k === "all" || (!policyKey && (pack.expandConfig || !someExpand))) {
            out[k] = v;
        }
    }
    return out;
}

// ------------------------------------------------------------------------------------------------
// Analysis
// ------------------------------------------------------------------------------------------------

function stripDescription(message: string, description: string): string {
    if (description && message.startsWith(`${description}\n`)) {
        return message.slice(description.length + 1);
    }
    return message;
}

function readDiagnostics(pack: PackHandle, resp: any, fallbackUrn: string | undefined, out: EngineViolation[]): void {
    for (const d of resp.getDiagnosticsList()) {
        const description = d.getDescription();
        out.push({
            policyPack: d.getPolicypackname() || pack.name,
            policy: d.getPolicyname(),
            enforcementLevel: levelName(d.getEnforcementlevel()),
            urn: d.getUrn() || fallbackUrn || "",
            message: stripDescription(d.getMessage(), description),
            description,
            policyPackVersion: d.getPolicypackversion(),
            severity: severityName(d.getSeverity()),
        });
    }
}

function readNotApplicable(pack: PackHandle, resp: any, urn: string | undefined, out: EngineNotApplicable[]): void {
    for (const na of resp.getNotApplicableList?.() ?? []) {
        out.push({ policyPack: pack.name, policy: na.getPolicyName(), urn, reason: na.getReason() });
    }
}

/** Options for `evaluate`. */
export interface EvaluateOptions {
    /** Also collect not-applicable reports (off by default: they are many). */
    notApplicable?: boolean;
    /**
     * How resources reach the policies:
     * - "direct" (default): each resource deserialized once and shared by every policy, with
     *   what the SDK's handlers do around each policy replicated in ./direct.ts;
     * - "handlers": the SDK's own `analyze`/`analyzeStack` handlers, with requests whose properties are
     *   built once per resource (see PlainStruct);
     * - "protobuf": the SDK's handlers fed real AnalyzeRequest/AnalyzeStackRequest messages with protobuf
     *   Structs, exactly what the CLI sends.
     * tests/policies/differential.spec.ts shows the three report the same thing.
     */
    protocol?: "direct" | "handlers" | "protobuf";
}

/**
 * Evaluates every pack on the resources, as `pulumi preview` would with these packs: config sent
 * through `configure`; then, per resource, `remediate` (only when a policy is at level remediate; the
 * remediated properties are what gets analyzed) and `analyze`; then one `analyzeStack` with every
 * resource. A policy that throws (other than on an unknown value, which the SDK reports as advisory)
 * rejects the whole evaluation, as it fails a real preview.
 */
export async function evaluate(packs: PackHandle[], resources: EngineResource[], config?: Record<string, any>, options: EvaluateOptions = {}): Promise<Evaluation> {
    // The SDK signals "not applicable" by throwing an Error for every policy that does not apply to a
    // resource; capturing stack traces for those dominates the run. They are never shown, so do without.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await evaluateAll(packs, resources, config, options);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

async function evaluateAll(packs: PackHandle[], resources: EngineResource[], config: Record<string, any> | undefined, options: EvaluateOptions): Promise<Evaluation> {
    const result: Evaluation = { violations: [], remediations: [], notApplicable: [] };
    const protocol = options.protocol ?? "direct";
    const m = protocol === "protobuf" ? PROTOBUF : FAST;
    const byUrn = new Map(resources.map((r) => [r.urn, r] as [string, EngineResource]));
    // Resolve every pack's config first: a bad config is refused before anything is analyzed.
    const resolvedConfigs = packs.map((pack) => resolvePackConfig(pack, configFor(pack, packs, config)));
    let shared: Prepared[] | undefined;
    for (const [i, pack] of packs.entries()) {
        const resolved = resolvedConfigs[i];
        const remediates = Object.values(resolved).some((c) => c.enforcementLevel === "remediate");
        if (protocol !== "direct" || remediates) {
            // The handlers read the config `configure` stored; the direct path reads `resolved` itself.
            await configure(pack, resolved);
        }
        if (protocol === "direct") {
            if (!remediates) {
                shared = shared ?? resources.map((r) => prepare(directResource(r, r.properties, byUrn)));
            }
            await evaluateDirect(pack, resolved, resources, remediates ? undefined : shared, byUrn, options, result);
            continue;
        }
        const props = new Map<string, Record<string, any>>();
        for (const r of resources) {
            const current = remediates ? await remediateResource(pack, r, byUrn, m, result) : r.properties;
            if (current !== r.properties) {
                props.set(r.urn, current);
            }
            const resp = await call(pack.handlers.analyze, analyzeRequest(r, current, byUrn, m)).catch((e) => {
                throw new PackError(`Policy pack ${pack.name} failed on ${r.urn}: ${e?.details ?? e?.message ?? e}`);
            });
            readDiagnostics(pack, resp, r.urn, result.violations);
            if (options.notApplicable) {
                readNotApplicable(pack, resp, r.urn, result.notApplicable);
            }
        }
        const resp = await call(pack.handlers.analyzeStack, stackRequest(resources, props, byUrn, m)).catch((e) => {
            throw new PackError(`Policy pack ${pack.name} failed on the stack: ${e?.details ?? e?.message ?? e}`);
        });
        readDiagnostics(pack, resp, undefined, result.violations);
        if (options.notApplicable) {
            readNotApplicable(pack, resp, undefined, result.notApplicable);
        }
    }
    return result;
}

function directResource(r: EngineResource, props: Record<string, any>, byUrn: Map<string, EngineResource>): DirectResource {
    let provider: DirectResource["provider"];
    if (r.provider) {
        const sep = r.provider.lastIndexOf("::");
        const p = byUrn.get(r.provider) ?? (sep > 0 ? byUrn.get(r.provider.slice(0, sep)) : undefined);
        if (p) {
            provider = { type: p.type, urn: p.urn, name: p.name, properties: jsonObject(p.properties) };
        }
    }
    return { type: r.type, urn: r.urn, name: r.name, properties: jsonObject(props), parent: r.parent, dependencies: r.dependencies ?? [], provider };
}

function directViolations(pack: PackHandle, ds: Diagnostic[], fallbackUrn: string | undefined, out: EngineViolation[]): void {
    const severities = new Set(["low", "medium", "high", "critical"]);
    for (const d of ds) {
        const description = d.description ?? "";
        out.push({
            policyPack: d.policyPackName || pack.name,
            policy: d.policyName,
            enforcementLevel: d.enforcementLevel,
            urn: d.urn || fallbackUrn || "",
            message: stripDescription(d.message ?? "", description),
            description,
            policyPackVersion: d.policyPackVersion,
            severity: d.severity && severities.has(d.severity) ? d.severity : undefined,
        });
    }
}

function directNotApplicable(pack: PackHandle, na: NotApplicable[], urn: string | undefined, out: EngineNotApplicable[]): void {
    for (const n of na) {
        out.push({ policyPack: pack.name, policy: n.policyName, urn, reason: n.reason ?? "" });
    }
}

/** The direct path for one pack (remediations, when a policy is at remediate, still go through the SDK's handler). */
async function evaluateDirect(pack: PackHandle, resolved: Record<string, PolicyConfigEntry>, resources: EngineResource[], shared: Prepared[] | undefined,
    byUrn: Map<string, EngineResource>, options: EvaluateOptions, result: Evaluation): Promise<void> {
    const directPack: DirectPack = {
        name: pack.name, version: pack.version, enforcementLevel: pack.enforcementLevel || "advisory", policies: pack.policies,
        config: Object.fromEntries(Object.entries(resolved).map(([k, v]) => [k, { ...jsonObject(v.properties), enforcementLevel: v.enforcementLevel }])),
    };
    const prepared: Prepared[] = [];
    for (const [i, r] of resources.entries()) {
        const current = shared ? r.properties : await remediateResource(pack, r, byUrn, FAST, result);
        const p = shared ? shared[i] : prepare(directResource(r, current, byUrn));
        prepared.push(p);
        const { ds, na } = await analyzeResource(directPack, p).catch((e) => {
            throw new PackError(`Policy pack ${pack.name} failed on ${r.urn}: ${e?.message ?? e}`);
        });
        directViolations(pack, ds, r.urn, result.violations);
        if (options.notApplicable) {
            directNotApplicable(pack, na, r.urn, result.notApplicable);
        }
    }
    const { ds, na } = await analyzeStackDirect(directPack, prepared).catch((e) => {
        throw new PackError(`Policy pack ${pack.name} failed on the stack: ${e?.message ?? e}`);
    });
    directViolations(pack, ds, undefined, result.violations);
    if (options.notApplicable) {
        directNotApplicable(pack, na, undefined, result.notApplicable);
    }
}

/**
 * Evaluates the packs and returns their violations (see `evaluate`). `config` is either one pack's
 * config document (Pulumi policy config — `{ "all": level, "<policy>": level | { enforcementLevel?, ...props } }`
 * — plus whatever the pack's `expandConfig` accepts), or an object keyed by pack name.
 */
export async function analyze(packs: PackHandle[], resources: EngineResource[], config?: Record<string, any>, options?: EvaluateOptions): Promise<EngineViolation[]> {
    return (await evaluate(packs, resources, config, options)).violations;
}
