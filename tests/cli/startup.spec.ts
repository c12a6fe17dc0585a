// Start-up: `check` on the direct path loads neither @pulumi/pulumi nor gRPC (sdk-light.ts), and
// what it stands in for behaves as the SDK does.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { deserializeProperties, SPECIAL_SIG_KEY } from "../../cli/engine/sdk-light";
import { fixture, ROOT } from "./helpers";

describe("k8sprod check: start-up without the Pulumi SDK", () => {
    it("checks a file in a fresh process without loading @pulumi/pulumi, gRPC or ajv, and reports what the in-SDK run reports", () => {
        const script = `
            const { main } = require(${JSON.stringify(path.join(ROOT, "dist", "cli", "main.js"))});
            let out = "";
            const io = { stdout: (t) => (out += t), stderr: () => {}, stdin: async () => "", stderrIsTTY: false };
            main(["check", "-f", "json", ${JSON.stringify(fixture("pinned.yaml"))}], io).then((code) => {
                const loaded = Object.keys(require.cache).filter((k) => /node_modules[\\\\/](@pulumi[\\\\/]pulumi|@grpc|ajv|google-protobuf)[\\\\/]/.test(k));
                process.stdout.write(JSON.stringify({ code, loaded, report: JSON.parse(out) }));
            });`;
        const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        assert.strictEqual(r.status, 0, r.stderr);
        const child = JSON.parse(r.stdout);
        assert.deepStrictEqual(child.loaded, []);
        // The same check in this process, where the tests have loaded the whole SDK (handlers included).
        const full = spawnSync(process.execPath, ["-e", `require("@pulumi/pulumi"); require("@pulumi/policy"); ${script}`], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        assert.strictEqual(full.status, 0, full.stderr);
        const withSdk = JSON.parse(full.stdout);
        assert.ok(withSdk.loaded.length > 0, "the comparison run must have the SDK loaded");
        assert.strictEqual(child.code, withSdk.code);
        assert.deepStrictEqual(child.report, withSdk.report);
    });

    it("deserializes plain JSON as the SDK does, and hands special values (secrets, assets) to the SDK's own deserializer", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sdk = require(path.join(path.dirname(require.resolve("@pulumi/policy/server")), "deserialize"));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const rpc = require("@pulumi/pulumi/runtime/rpc");
        assert.strictEqual(SPECIAL_SIG_KEY, rpc.specialSigKey);
        const cases: Array<Record<string, any>> = [
            { a: 1, b: "x", c: null, d: [1, "two", null, { e: true }], f: { g: { h: [] } }, skipped: undefined },
            { spec: { replicas: 3, template: { spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }] }] } } } },
            { s: { [rpc.specialSigKey]: rpc.specialSecretSig, value: { nested: "secret" } } },
            { asset: { [rpc.specialSigKey]: rpc.specialAssetSig, text: "hello" } },
        ];
        for (const c of cases) {
            // proxySecrets false: what the direct path asks for.
            const mine = deserializeProperties({ toJavaScript: () => c }, false);
            const theirs = sdk.deserializeProperties({ toJavaScript: () => c }, false);
            assert.deepStrictEqual(mine, theirs, JSON.stringify(c));
            assert.strictEqual(Object.getPrototypeOf(mine.asset ?? {}), Object.getPrototypeOf(theirs.asset ?? {}));
            // proxySecrets true: always the SDK's (a secrets-preserving proxy).
            assert.strictEqual(JSON.stringify(deserializeProperties({ toJavaScript: () => c }, true)), JSON.stringify(sdk.deserializeProperties({ toJavaScript: () => c }, true)));
        }
    });
});
