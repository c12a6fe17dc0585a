// The npm package as a user gets it: `npm pack` from a clean tree (sources only, no dist/) builds first and ships
// only what users need; the tarball installs into a fresh project from the npm cache, whose own TypeScript program
// (ProductionNamespace and WebService) builds, plans and checks with the installed `k8sprod` command.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
/** The consumer's one image, from its private ECR. */
const CONSUMER_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.27.3";

/** The environment for npm in a temp folder: without the variables `npm test` sets for this project (its cache and registry stay). */
function npmEnv(): NodeJS.ProcessEnv {
    const keep = new Set(["npm_config_cache", "npm_config_registry", "npm_config_userconfig"]);
    return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_") || keep.has(k.toLowerCase())));
}

function run(cmd: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(cmd, args, { cwd, env: npmEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.error) {
        throw r.error;
    }
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("the npm package, installed into a consumer project", function () {
    this.timeout(1_800_000);
    let files: string[];
    let consumer: string;

    before(() => {
        // A clean tree: the committed sources (as a fresh clone has them), no dist/, this checkout's node_modules.
        const clean = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-clean-"));
        const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter((f) => f !== "");
        for (const f of tracked) {
            if (fs.existsSync(path.join(ROOT, f))) {
                fs.mkdirSync(path.dirname(path.join(clean, f)), { recursive: true });
                fs.copyFileSync(path.join(ROOT, f), path.join(clean, f));
            }
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(clean, "node_modules"), "dir");
        const packed = run("npm", ["pack", "--json", "--pack-destination", clean], clean);
        assert.strictEqual(packed.code, 0, packed.stderr);
        const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("[")))[0];
        files = info.files.map((f: { path: string }) => f.path).sort();
        const tarball = path.join(clean, info.filename);

        consumer = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-consumer-"));
        const versions = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({
            name: "consumer", version: "1.0.0", private: true,
            dependencies: { "k8sprod": `file:${tarball}`, "@pulumi/pulumi": versions.dependencies["@pulumi/pulumi"] },
            devDependencies: { typescript: versions.devDependencies.typescript },
        }, null, 2));
        const installed = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], consumer);
        assert.strictEqual(installed.code, 0, installed.stderr);
        fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: shop\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: bin/index.js\n");
        // The image comes from the consumer's private ECR (allowed-image-registries admits it by default; Docker Hub
        // images other than the official ones are refused).
        fs.writeFileSync(path.join(consumer, "Pulumi.dev.yaml"), `config:\n  shop:image: ${CONSUMER_IMAGE}\n`);
        fs.writeFileSync(path.join(consumer, "tsconfig.json"), JSON.stringify({
            compilerOptions: { target: "ES2022", module: "commonjs", strict: true, outDir: "bin", skipLibCheck: true, esModuleInterop: true }, include: ["index.ts"],
        }));
        fs.writeFileSync(path.join(consumer, "index.ts"), [
            'import * as pulumi from "@pulumi/pulumi";',
            'import { ProductionNamespace, WebService } from "k8sprod";',
            "",
            "const config = new pulumi.Config();",
            'const namespace = new ProductionNamespace("shop", {});',
            'const web = new WebService("web", {',
            "    namespace: namespace.name,",
            '    containers: [{ name: "web", image: config.require("image"), ports: [{ name: "http", containerPort: 8080 }],',
            '        resources: { requests: { cpu: "100m", memory: "64Mi" } }, probes: { readiness: { httpPath: "/" }, liveness: { httpPath: "/" } },',
            '        writablePaths: ["/tmp"] }],',
            "});",
            "export const host = web.serviceHost;",
            "",
        ].join("\n"));
    });

    it("builds dist/ when packed from a clean tree, and ships only what users need", () => {
        for (const f of ["LICENSE", "README.md", "package.json", "bin/k8sprod", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js",
            "dist/components/platform/productionPlatform.js", "dist/policies/kubernetes/index.js", "dist/policies/aws/index.js",
            "policies/kubernetes/PulumiPolicy.yaml", "policies/kubernetes/package.json", "policies/aws/PulumiPolicy.yaml", "docs/aws.md", "docs/ci/k8sprod.yml"]) {
            assert.ok(files.includes(f), `${f} is not in the package`);
        }
        // scripts/node-runtime.js is the package's postinstall, which npm runs in the consumer too (it exits 0 there).
        const unwanted = files.filter((f) => (/^(tests|bench|stacks|scripts|dist\/tests|dist\/bench|dist\/stacks)\//.test(f) && f !== "scripts/node-runtime.js")
            || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) || f.endsWith(".map") || f.endsWith(".tsbuildinfo"));
        assert.deepStrictEqual(unwanted, []);
        assert.ok(files.length < 300, `${files.length} files`);
    });

    it("builds the consumer's own program against the installed types", () => {
        const tsc = run(process.execPath, [path.join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", "."], consumer);
        assert.strictEqual(tsc.code, 0, tsc.stdout + tsc.stderr);
        assert.ok(fs.existsSync(path.join(consumer, "bin", "index.js")));
    });

    it("plans the consumer's project (not the package's example) with the installed k8sprod command, and checks its objects", () => {
        const k8sprod = path.join(consumer, "node_modules", ".bin", "k8sprod");
        const plan = run(k8sprod, ["plan", "--format", "json", "--out", "out", "--no-progress"], consumer);
        assert.strictEqual(plan.code, 0, plan.stderr);
        const report = JSON.parse(plan.stdout);
        assert.strictEqual(report.resources[0].urn, "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev");
        const types = report.resources.map((r: any) => r.type);
        assert.ok(types.includes("k8sprod:workloads:WebService") && types.includes("kubernetes:apps/v1:Deployment"), types.join(", "));
        assert.ok(!types.some((t: string) => t.startsWith("aws:")), "the package's own example stack was planned");
        assert.strictEqual(report.summary.mandatory, 0, JSON.stringify(report.violations, null, 2));
        const check = run(k8sprod, ["check", path.join("out", "kubernetes.yaml"), "--format", "json"], consumer);
        assert.strictEqual(check.code, 0, check.stderr);
        const checked = JSON.parse(check.stdout);
        assert.deepStrictEqual(checked.resources.filter((r: any) => r.type === "kubernetes:apps/v1:Deployment").map((r: any) => r.name), ["web"]);
    });

    it("lists the images of the consumer's stack (not the package's example) with the installed k8sprod command", () => {
        const k8sprod = path.join(consumer, "node_modules", ".bin", "k8sprod");
        const images = run(k8sprod, ["images", "--stack", "dev"], consumer);
        assert.strictEqual(images.code, 0, images.stderr);
        assert.deepStrictEqual(images.stdout.trim().split("\n"), [CONSUMER_IMAGE]);
    });
});
