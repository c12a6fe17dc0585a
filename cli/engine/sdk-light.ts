// Start-up without the Pulumi SDK. `@pulumi/policy`'s index (what a pack imports) pulls in
// `./server`, and the server pulls in gRPC and all of `@pulumi/pulumi` (about a second of CPU, most
// of a small `check`). Nothing the direct path runs needs them: a pack only calls `serve` (through
// `new PolicyPack`), which the engine intercepts anyway, and the direct path only needs the SDK's
// pure modules (`policy.js`: isResourcePolicy/isStackPolicy/getPulumiType/PolicyPack; `proxy.js`:
// the unknown-checking proxy and UnknownValueError).
//
// So, when the real server module has not been loaded yet, `policy.js` is loaded with a stand-in
// for `./server` whose `serve` only records its arguments; every other module of the SDK is the real
// one, resolved where the pack resolves it. The gRPC handlers (analyzer path, remediations) are built
// from the real server later, and only when they are asked for (analyzer.ts).
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("module");

/** What a stand-in `serve` call recorded: the arguments `new PolicyPack` passed. */
export type ServeArgs = any[];

interface StandIn {
    /** Receives the next `serve` call (set while a pack entry is being required). */
    sink?: (args: ServeArgs) => void;
}

const standIns = new Map<string, StandIn>();

/**
 * Makes sure `policy.js` next to `serverPath` is loaded. When neither it nor the real server is in the
 * module cache, it is loaded against a stand-in server. Returns the stand-in (undefined when the real
 * server is in use: then `serve` must be intercepted on the real module).
 */
export function ensurePolicyModule(serverPath: string): StandIn | undefined {
    const cache = (Module as any)._cache as Record<string, any>;
    const policyPath = path.join(path.dirname(serverPath), "policy.js");
    const existing = standIns.get(serverPath);
    if (existing && cache[policyPath]) {
        return existing;
    }
    if (cache[serverPath] || cache[policyPath]) {
        return undefined;
    }
    const standIn: StandIn = {};
    const stub = new (Module as any)(serverPath);
    stub.filename = serverPath;
    stub.loaded = true;
    stub.exports = {
        serve: (...args: ServeArgs) => {
            // Outside a pack load (a test constructing a PolicyPack), serving is a no-op here.
            standIn.sink?.(args);
        },
    };
    cache[serverPath] = stub;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(policyPath);
    } finally {
        // Only policy.js keeps the stand-in; whoever requires the server later gets the real one.
        delete cache[serverPath];
    }
    standIns.set(serverPath, standIn);
    return standIn;
}

/** The SDK directory (where server.js, policy.js, proxy.js live) that `from` resolves `@pulumi/policy` to. */
export function sdkDir(from?: string): string {
    const serverPath = from ? require.resolve("@pulumi/policy/server", { paths: [from] }) : require.resolve("@pulumi/policy/server");
    return path.dirname(serverPath);
}

/** `rpc.specialSigKey` of @pulumi/pulumi: the key that marks assets, archives, secrets and resource references. */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";

const NEEDS_SDK = Symbol("needs the SDK's deserializer");

function copyPlain(v: any): any {
    if (v === null || typeof v !== "object") {
        return v;
    }
    if (v instanceof Array) {
        const out: any[] = [];
        for (const e of v) {
            if (e === undefined) {
                throw NEEDS_SDK;
            }
            out.push(copyPlain(e));
        }
        return out;
    }
    if (v[SPECIAL_SIG_KEY]) {
        throw NEEDS_SDK;
    }
    const out: Record<string, any> = {};
    for (const k of Object.keys(v)) {
        if (v[k] === undefined) {
            throw NEEDS_SDK;
        }
        out[k] = copyPlain(v[k]);
    }
    return out;
}

/**
 * `deserializeProperties` of @pulumi/policy (deserialize.js) for plain JSON: the same copy it makes
 * (top-level undefined values dropped, everything else copied). A value it treats specially — an
 * object with the signature key (asset, archive, secret), or an undefined below the top level (it
 * throws) — is handed to the SDK's own function, which is loaded (with @pulumi/pulumi) only then.
 * tests/policies/differential.spec.ts compares the two.
 */
export function deserializeProperties(struct: { toJavaScript(): any }, proxySecrets: boolean, dir = sdkDir()): Record<string, any> {
    const outputs = struct.toJavaScript();
    if (!proxySecrets) {
        try {
            const props: Record<string, any> = {};
            for (const k of Object.keys(outputs)) {
                if (outputs[k] !== undefined) {
                    props[k] = copyPlain(outputs[k]);
                }
            }
            return props;
        } catch (e) {
            if (e !== NEEDS_SDK) {
                throw e;
            }
        }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(dir, "deserialize")).deserializeProperties(struct, proxySecrets);
}
