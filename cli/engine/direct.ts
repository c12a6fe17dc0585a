// The direct path of the analyzer: what @pulumi/policy's `analyze` and `analyzeStack` handlers do
// (server.js of @pulumi/policy 1.21.0), with one difference: each resource's properties are
// deserialized once (by the SDK's own deserializeProperties) and shared by every policy, instead of
// once per policy. Everything a policy sees is built as the handlers build it: the
// unknown-checking proxy (a fresh one per policy), args, getConfig, isType/asType, notApplicable,
// enforcement levels, the messages of reportViolation and of unknown values, the errors.
// tests/policies/differential.spec.ts shows it reports exactly what the handlers report.
import * as path from "path";
import { deserializeProperties, ensurePolicyModule } from "./sdk-light";

/** One diagnostic, as the handlers push it before encoding the response. */
export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    message: string;
    description: string;
    enforcementLevel: string;
    urn?: string;
    severity?: string;
}

export interface NotApplicable {
    policyName: string;
    reason?: string;
}

/** The resource as the engine hands it to the direct path. */
export interface DirectResource {
    type: string;
    urn: string;
    name: string;
    /** Normalized JSON (what a Struct's toJavaScript returns). */
    properties: Record<string, any>;
    parent?: string;
    dependencies: string[];
    provider?: { type: string; urn: string; name: string; properties: Record<string, any> };
}

interface Sdk {
    deserializeProperties: (struct: { toJavaScript(): any }, proxySecrets: boolean) => Record<string, any>;
    unknownCheckingProxy: (v: any) => any;
    /** The SDK's unknown-value sentinels (what deserialization turns a preview's unknowns into). */
    unknowns: Set<unknown>;
    UnknownValueError: new (...args: any[]) => Error;
    isResourcePolicy: (p: any) => boolean;
    isStackPolicy: (p: any) => boolean;
    getPulumiType: (o: any) => string | undefined;
}

let sdkCache: Sdk | undefined;

/**
 * The SDK modules the handlers use, resolved where the engine resolves @pulumi/policy: its own
 * proxy.js and policy.js (loaded without the gRPC server when that is not in memory yet, see
 * sdk-light.ts), and its deserializer (sdk-light's copy for plain JSON, the SDK's own otherwise).
 */
function sdk(): Sdk {
    if (!sdkCache) {
        const serverPath = require.resolve("@pulumi/policy/server");
        const dir = path.dirname(serverPath);
        ensurePolicyModule(serverPath);
        /* eslint-disable @typescript-eslint/no-require-imports */
        const proxy = require(path.join(dir, "proxy"));
        const policy = require(path.join(dir, "policy"));
        /* eslint-enable @typescript-eslint/no-require-imports */
        sdkCache = {
            deserializeProperties: (struct, proxySecrets) => deserializeProperties(struct, proxySecrets, dir),
            unknownCheckingProxy: proxy.unknownCheckingProxy,
            unknowns: new Set([proxy.unknownBooleanValue, proxy.unknownNumberValue, proxy.unknownStringValue, proxy.unknownArrayValue,
                proxy.unknownAssetValue, proxy.unknownArchiveValue, proxy.unknownObjectValue]),
            UnknownValueError: proxy.UnknownValueError,
            isResourcePolicy: policy.isResourcePolicy,
            isStackPolicy: policy.isStackPolicy,
            getPulumiType: policy.getPulumiType,
        };
    }
    return sdkCache;
}

class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

/**
 * `args.notApplicable`: throws, as the SDK's does. The error only carries the reason back to the loop
 * below, so it is made without a stack trace (capturing one for every policy that does not apply to a
 * resource was a measurable part of a large check).
 */
function throwNotApplicable(reason?: string): never {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const e = new NotApplicableError(reason);
    Error.stackTraceLimit = limit;
    throw e;
}

/** Whether a deserialized value holds one of the SDK's unknown-value sentinels anywhere. */
function holdsUnknown(v: unknown, unknowns: Set<unknown>): boolean {
    if (unknowns.has(v)) {
        return true;
    }
    if (v === null || typeof v !== "object") {
        return false;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
        if (holdsUnknown(x, unknowns)) {
            return true;
        }
    }
    return false;
}

const EMPTY_TAGS = (() => {
    const map = new Map<string, string>();
    return Object.freeze({
        entries: map.entries.bind(map), forEach: map.forEach.bind(map), get: map.get.bind(map), has: map.has.bind(map),
        keys: map.keys.bind(map), size: map.size, values: map.values.bind(map), [Symbol.iterator]: map[Symbol.iterator].bind(map),
    });
})();

function isTypeOf(type: string, resourceClass: any): boolean {
    const pulumiType = sdk().getPulumiType(resourceClass);
    if (pulumiType) {
        return type === pulumiType;
    }
    const isInstance = resourceClass.isInstance;
    return isInstance && typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** The options object the handlers build from AnalyzerResourceOptions (the engine sets only the parent). */
function options(r: DirectResource): Record<string, any> {
    const result: Record<string, any> = {
        protect: false, ignoreChanges: [], aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (r.parent) {
        result.parent = r.parent;
    }
    return result;
}

/** A pack's policies with the handlers' context: its name, version, level and the configured config. */
export interface DirectPack {
    name: string;
    version: string;
    enforcementLevel: string;
    policies: any[];
    /** policy → { enforcementLevel, ...properties }, as `configure` stores it. */
    config: Record<string, Record<string, any>>;
}

const getConfigs = new WeakMap<DirectPack, Map<string, () => Record<string, any>>>();

/** `args.getConfig` of one policy: made once per pack and policy (the configured config does not change during an evaluation). */
function makeGetConfig(pack: DirectPack, policyName: string): () => Record<string, any> {
    let byPolicy = getConfigs.get(pack);
    if (!byPolicy) {
        byPolicy = new Map();
        getConfigs.set(pack, byPolicy);
    }
    let fn = byPolicy.get(policyName);
    if (!fn) {
        fn = newGetConfig(pack, policyName);
        byPolicy.set(policyName, fn);
    }
    return fn;
}

function newGetConfig(pack: DirectPack, policyName: string): () => Record<string, any> {
    return () => {
        const c = pack.config[policyName];
        if (!c) {
            return {};
        }
        // eslint-disable-next-line @typescript-eslint/no-unused-vars
        const { enforcementLevel, ...properties } = c;
        return properties;
    };
}

function makeReportViolation(policyName: string, pack: DirectPack, description: string, enforcementLevel: string, ds: Diagnostic[], severity?: string) {
    return (message: any, urn?: string) => {
        if (typeof message === "object") {
            const info = message;
            ds.push({
                policyName: info.name || policyName, policyPackName: pack.name, policyPackVersion: pack.version,
                message: info.message || info.description || description, urn: info.urn,
                description: info.description || description, enforcementLevel: info.enforcementLevel || enforcementLevel,
                severity: info.severity || severity,
            });
        } else {
            let violationMessage = description;
            if (message) {
                violationMessage += `\n${message}`;
            }
            ds.push({ policyName, policyPackName: pack.name, policyPackVersion: pack.version, message: violationMessage, urn, description, enforcementLevel, severity });
        }
    };
}

function levelOf(pack: DirectPack, p: any): string {
    return pack.config[p.name]?.enforcementLevel || p.enforcementLevel || pack.enforcementLevel;
}

/** A deserialized resource, shared by every policy of every pack. */
export interface Prepared {
    r: DirectResource;
    props: Record<string, any>;
    /**
     * What policies read: the SDK's unknown-checking proxy over `props`, or `props` itself when they hold
     * no unknown value (the proxy would then only slow every read down; it changes no result).
     */
    view: Record<string, any>;
    provider?: { type: string; urn: string; name: string; props: Record<string, any> };
}

/**
 * Deserializes a resource once, as the handlers do (proxySecrets false). The result is shared by every
 * policy; it cannot be frozen (the SDK's proxy returns frozen values unwrapped, which would hide unknown
 * values below them), so a policy that wrote to its props would be seen by the next ones: policies
 * must treat props as read-only (remediations, which return new props, run through the SDK's handler).
 */
export function prepare(r: DirectResource): Prepared {
    const { deserializeProperties, unknownCheckingProxy, unknowns } = sdk();
    const props = deserializeProperties({ toJavaScript: () => r.properties }, false);
    const view = holdsUnknown(props, unknowns) ? unknownCheckingProxy(props) : props;
    const provider = r.provider
        ? { type: r.provider.type, urn: r.provider.urn, name: r.provider.name, props: deserializeProperties({ toJavaScript: () => r.provider!.properties }, false) }
        : undefined;
    return { r, props, view, provider };
}

function providerArg(p: Prepared): any {
    return p.provider ? { type: p.provider.type, props: sdk().unknownCheckingProxy(p.provider.props), urn: p.provider.urn, name: p.provider.name } : undefined;
}

/** `analyze` for one resource: the diagnostics and not-applicable policies the handler would return. */
export async function analyzeResource(pack: DirectPack, prepared: Prepared): Promise<{ ds: Diagnostic[]; na: NotApplicable[] }> {
    const { UnknownValueError, isResourcePolicy, getPulumiType } = sdk();
    const { r } = prepared;
    const ds: Diagnostic[] = [];
    const na: NotApplicable[] = [];
    const opts = options(r);
    const props = prepared.view;
    const isType = (c: any) => isTypeOf(r.type, c);
    const asType = (c: any) => isTypeOf(r.type, c) ? props : undefined;
    const provider = providerArg(prepared);
    for (const p of pack.policies) {
        let enforcementLevel = levelOf(pack, p);
        if (enforcementLevel === "disabled" || !isResourcePolicy(p)) {
            continue;
        }
        if (!p.validateResource) {
            na.push({ policyName: p.name, reason: "Policy does not implement validateResource" });
            continue;
        }
        if (enforcementLevel === "remediate") {
            enforcementLevel = "mandatory";
        }
        if (!Array.isArray(p.validateResource)) {
            const pulumiType = getPulumiType(p.validateResource);
            if (pulumiType && r.type !== pulumiType) {
                na.push({ policyName: p.name, reason: `Policy only applies to resources of type '${pulumiType}'` });
                continue;
            }
        }
        const reportViolation = makeReportViolation(p.name, pack, p.description, enforcementLevel, ds, p.severity);
        const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
        for (const validation of validations) {
            try {
                const args: Record<string, any> = {
                    type: r.type, props, urn: r.urn, name: r.name, opts, stackTags: EMPTY_TAGS, isType, asType,
                    getConfig: makeGetConfig(pack, p.name),
                    notApplicable: throwNotApplicable,
                };
                if (provider) {
                    args.provider = provider;
                }
                // Most policies are synchronous: await only what returns a promise.
                const pending = validation(args, reportViolation);
                if (pending && typeof pending.then === "function") {
                    await pending;
                }
            } catch (e: any) {
                const policyFrom = `policy '${p.name}' from policy pack '${pack.name}@v${pack.version}'`;
                if (e instanceof UnknownValueError) {
                    ds.push({ ...unknownDiagnostic(p, pack, `can't run ${policyFrom} during preview: ${e.message}`) });
                } else if (e instanceof NotApplicableError) {
                    na.push({ policyName: p.name, reason: e.reason });
                } else {
                    throw asGrpcError(e, `Error validating resource with ${policyFrom}`);
                }
            }
        }
    }
    return { ds, na };
}

/** `analyzeStack`: the diagnostics and not-applicable policies the handler would return. */
export async function analyzeStack(pack: DirectPack, prepared: Prepared[]): Promise<{ ds: Diagnostic[]; na: NotApplicable[] }> {
    const { UnknownValueError, isStackPolicy, getPulumiType } = sdk();
    const ds: Diagnostic[] = [];
    const na: NotApplicable[] = [];
    for (const p of pack.policies) {
        let enforcementLevel = levelOf(pack, p);
        if (enforcementLevel === "disabled" || !isStackPolicy(p)) {
            continue;
        }
        if (enforcementLevel === "remediate") {
            enforcementLevel = "mandatory";
        }
        const pulumiType = getPulumiType(p.validateStack);
        if (pulumiType && !prepared.some((x) => x.r.type === pulumiType)) {
            na.push({ policyName: p.name, reason: `Policy only applies to resources of type '${pulumiType}'` });
            continue;
        }
        const reportViolation = makeReportViolation(p.name, pack, p.description, enforcementLevel, ds, p.severity);
        try {
            const resources = prepared.map((x) => {
                const type = x.r.type;
                const props = x.view;
                const resource: Record<string, any> = {
                    type, props, urn: x.r.urn, name: x.r.name, opts: options(x.r), dependencies: [], propertyDependencies: {},
                    isType: (c: any) => isTypeOf(type, c),
                    asType: (c: any) => isTypeOf(type, c) ? props : undefined,
                };
                const provider = providerArg(x);
                if (provider) {
                    resource.provider = provider;
                }
                return resource;
            });
            const byUrn = new Map(resources.map((res) => [res.urn, res] as [string, Record<string, any>]));
            prepared.forEach((x, i) => {
                if (x.r.parent) {
                    const parent = byUrn.get(x.r.parent);
                    if (parent) {
                        resources[i].parent = parent;
                    }
                }
                resources[i].dependencies = x.r.dependencies.map((d) => byUrn.get(d)).filter((d) => d);
            });
            await Promise.resolve(p.validateStack({ resources, getConfig: makeGetConfig(pack, p.name), stackTags: EMPTY_TAGS, notApplicable: throwNotApplicable }, reportViolation));
        } catch (e: any) {
            const policyFrom = `policy '${p.name}' from policy pack '${pack.name}@v${pack.version}'`;
            if (e instanceof UnknownValueError) {
                ds.push(unknownDiagnostic(p, pack, `can't run ${policyFrom} during preview: ${e.message}`));
            } else if (e instanceof NotApplicableError) {
                na.push({ policyName: p.name, reason: e.reason });
            } else {
                throw asGrpcError(e, `Error validating resource with ${policyFrom}`);
            }
        }
    }
    return { ds, na };
}

/** The diagnostic the handlers push when a policy reads a value unknown during preview. */
function unknownDiagnostic(p: any, pack: DirectPack, message: string): Diagnostic {
    return {
        policyName: p.name, policyPackName: pack.name, policyPackVersion: pack.version, message,
        description: p.description, enforcementLevel: "advisory", severity: p.severity,
    };
}

/** The SDK's asGrpcError: the message, then the error's stack (gRPC drops stacks; the SDK keeps them in the text). */
function asGrpcError(e: unknown, message: string): Error {
    const prefix = message ? `${message}:\n` : "";
    return new Error(e instanceof Error ? `${prefix}${e.stack}` : `${prefix}${e}`);
}
