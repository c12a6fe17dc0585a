// ProductionPlatform runs each add-on's own validator on the args it would pass that add-on, before anything is
// registered, and reports the add-on's problems at the platform's property paths.
import * as assert from "assert";
import * as path from "path";
import { PlatformNamespaceArgs, ProductionPlatform, ProductionPlatformArgs, validateProductionPlatformArgs } from "../../components/platform";
import { readStackConfig } from "../../cli/plan/config";
import { platformArgs, readStackSettings } from "../../stacks/config";
import { repoRoot } from "../helpers/policy";
import { freshMocks, paths, refused } from "../cluster/harness";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const container = { name: "app", image: "example/app:1.0.0", ports: [{ name: "http", containerPort: 8080 }], resources: { requests: { cpu: "100m", memory: "128Mi" } }, probes: { readiness: { httpPath: "/ready" } } };
const shop: PlatformNamespaceArgs = { name: "shop", settings: { backup: true }, webServices: [{ name: "web", service: { containers: [container] } }] };
const BASE: ProductionPlatformArgs = {
    environment: "prod", region: "us-east-1", availabilityZones: ZONES, namespaces: [shop],
    backup: { replicaRegion: "us-west-2" }, delivery: { imageRepositories: ["shop/api"] },
};

/** Builds a platform that must be refused: the error's paths, its message, and what was registered meanwhile. */
async function refusedPlatform(args: ProductionPlatformArgs): Promise<{ paths: string[]; message: string; registered: string[] }> {
    const mocks = await freshMocks();
    const e = await refused(() => new ProductionPlatform("bad", args));
    return { paths: paths(e).sort(), message: e.message, registered: mocks.registrations.map((r) => `${r.type} ${r.name}`) };
}

/** The problems' paths validateProductionPlatformArgs gives, sorted. */
const problemPaths = (args: ProductionPlatformArgs) => validateProductionPlatformArgs("p", args).items.map((p) => p.propertyPath).sort();

describe("ProductionPlatform checks its add-ons' settings before anything is registered", function () {
    this.timeout(600_000);

    it("the base args are clean (so each refusal below is the one bad setting's)", () => {
        assert.deepStrictEqual(validateProductionPlatformArgs("p", BASE).items, []);
    });

    it("Tracing: a sampling percentage of 0 is refused at observability.traceSampling.baselinePercent, and so is an unknown exporter", async () => {
        const r = await refusedPlatform({ ...BASE, observability: { traceSampling: { baselinePercent: 0 } } });
        assert.deepStrictEqual(r.paths, ["observability.traceSampling.baselinePercent"]);
        assert.match(r.message, /observability\.traceSampling\.baselinePercent: 0 is outside 1–100 percent/);
        assert.deepStrictEqual(r.registered, []);
        assert.deepStrictEqual(problemPaths({ ...BASE, observability: { traceExporter: { type: "zipkin" } as never } }), ["observability.traceExporter.type"]);
    });

    it("Tracing: a platform namespace named as the collectors' namespace is refused at namespaces[i].name when every namespace is traced", () => {
        const args: ProductionPlatformArgs = { ...BASE, namespaces: [shop, { name: "tracing" }] };
        assert.deepStrictEqual(problemPaths(args), ["namespaces[1].name"]);
        // Not traced, it is no concern of Tracing's.
        assert.deepStrictEqual(problemPaths({ ...args, observability: { tracedNamespaces: ["shop"] } }), []);
    });

    it("Monitoring: a receiver of an unknown type is refused at observability.alertReceivers[0].type", async () => {
        const r = await refusedPlatform({ ...BASE, observability: { alertReceivers: [{ name: "ops", type: "email", severities: ["critical"], secretName: "alertmanager-ops" }] } });
        assert.deepStrictEqual(r.paths, ["observability.alertReceivers[0].type"]);
        assert.match(r.message, /"email" is not a receiver type/);
        assert.deepStrictEqual(r.registered, []);
    });

    it("Logging: a retention CloudWatch does not offer is refused at observability.logRetentionDays.application", async () => {
        const r = await refusedPlatform({ ...BASE, observability: { logRetentionDays: { application: 10 } } });
        assert.deepStrictEqual(r.paths, ["observability.logRetentionDays.application"]);
        assert.deepStrictEqual(r.registered, []);
    });

    it("Velero: an Object Lock mode and days it refuses are refused at backup.objectLock.*", async () => {
        const r = await refusedPlatform({ ...BASE, backup: { replicaRegion: "us-west-2", objectLock: { mode: "LEGAL_HOLD", days: 0 } } });
        assert.deepStrictEqual(r.paths, ["backup.objectLock.days", "backup.objectLock.mode"]);
        assert.match(r.message, /"LEGAL_HOLD" is not one of GOVERNANCE, COMPLIANCE/);
        assert.deepStrictEqual(r.registered, []);
    });

    it("RestoreDrill: a latest image and a pushgateway that is no URL are refused at backup.restoreDrillImage and backup.pushgatewayUrl", async () => {
        const r = await refusedPlatform({ ...BASE, backup: { replicaRegion: "us-west-2", restoreDrillImage: "alpine/k8s:latest", pushgatewayUrl: "pushgateway:9091" } });
        assert.deepStrictEqual(r.paths, ["backup.pushgatewayUrl", "backup.restoreDrillImage"]);
        assert.deepStrictEqual(r.registered, []);
        // Without a drill (switched off, or no namespace backed up) its settings are not the drill's concern.
        assert.deepStrictEqual(problemPaths({ ...BASE, backup: { replicaRegion: "us-west-2", restoreDrill: false, restoreDrillImage: "alpine/k8s:latest" } }), []);
    });

    it("ImageRepository: a name ECR refuses, and two entries that make the same resource, are refused at delivery.imageRepositories[i]", async () => {
        const r = await refusedPlatform({ ...BASE, delivery: { imageRepositories: ["Shop/API", "shop/api", "shop-api"] } });
        assert.deepStrictEqual(r.paths, ["delivery.imageRepositories[0]", "delivery.imageRepositories[2]"]);
        assert.match(r.message, /"Shop\/API" is not an ECR repository name/);
        assert.match(r.message, /"shop-api" and "shop\/api" \(delivery\.imageRepositories\[1\]\) give the same resource name/);
        assert.deepStrictEqual(r.registered, []);
    });

    it("checks an add-on's settings only while it is on", () => {
        const bad: ProductionPlatformArgs = {
            ...BASE,
            observability: { traceSampling: { baselinePercent: 0 }, logRetentionDays: { application: 10 }, alertReceivers: [{ name: "ops", type: "email", severities: ["critical"], secretName: "s" }] },
            backup: { replicaRegion: "us-west-2", objectLock: { mode: "LEGAL_HOLD", days: 0 } },
        };
        assert.strictEqual(problemPaths(bad).length, 5);
        assert.deepStrictEqual(problemPaths({ ...bad, addons: { tracing: false, logging: false, monitoring: false, backups: false } }), []);
    });

    it("reports every bad add-on setting at once, with the platform's own problems, and the VPC block once (not once per add-on that uses it)", async () => {
        const r = await refusedPlatform({
            ...BASE,
            environment: "Prod",
            network: { cidrBlock: "10.0.0.0/33" },
            observability: {
                alertReceivers: [{ name: "ops", type: "email", severities: ["critical"], secretName: "alertmanager-ops" }],
                grafanaAdminSecret: "Grafana_Admin",
                logRetentionDays: { application: 10 },
                traceSampling: { baselinePercent: 0, slowThresholdMs: 0 },
            },
            backup: { replicaRegion: "us-east-1", objectLock: { mode: "LEGAL_HOLD", days: 1 }, restoreDrillImage: "alpine/k8s:latest" },
            delivery: { imageRepositories: ["Shop/API"] },
        });
        assert.deepStrictEqual(r.paths, [
            "backup.objectLock.mode",
            "backup.replicaRegion",
            "backup.restoreDrillImage",
            "delivery.imageRepositories[0]",
            "environment",
            "network.cidrBlock",
            "observability.alertReceivers[0].type",
            "observability.grafanaAdminSecret",
            "observability.logRetentionDays.application",
            "observability.traceSampling.baselinePercent",
            "observability.traceSampling.slowThresholdMs",
        ]);
        assert.match(r.message, /^ProductionPlatform bad has 11 invalid inputs:/);
        assert.deepStrictEqual(r.registered, []);
    });

    it("finds nothing wrong with the dev, staging and prod stacks' args", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const { config } = readStackConfig(path.join(repoRoot, "stacks", "Pulumi.yaml"), path.join(repoRoot, "stacks"), stack);
            const { settings, region } = readStackSettings(config, `Pulumi.${stack}.yaml`);
            const args = platformArgs(settings, region);
            // Staging and prod build every add-on (dev all but backups), so each add-on's validator ran on them.
            assert.deepStrictEqual(validateProductionPlatformArgs(`k8sprod-${settings.environment}`, args).items, [], stack);
        }
    });
});
