// The Alertmanager configuration the Monitoring component emits, read by amtool 0.34.0 (the deployed Alertmanager's
// version, built by scripts/tools/amtool): `amtool check-config` parses and validates it as Alertmanager does, and
// `amtool config routes test` walks its routing tree for alerts of each severity.
import * as assert from "assert";
import { Monitoring, MonitoringArgs } from "../../components/observability/monitoring";
import { AlertReceiver, RECEIVER_TYPES } from "../../components/observability/alertmanager";
import { deploy, releaseOf } from "./harness";
import { amtool, routedTo } from "./amtool";

async function emittedConfig(args: MonitoringArgs): Promise<Record<string, any>> {
    return releaseOf(await deploy(() => new Monitoring("mon", args)), "kube-prometheus-stack").inputs.values.alertmanager.config;
}

const RECEIVERS: AlertReceiver[] = [
    { name: "pager", type: "pagerduty", severities: ["critical"], secretName: "pagerduty" },
    { name: "chat", type: "slack", severities: ["warning", "critical"], secretName: "slack", secretKey: "webhook", channel: "#alerts" },
    { name: "hook", type: "webhook", severities: ["warning"], secretName: "hook" },
    { name: "genie", type: "opsgenie", severities: ["critical"], secretName: "opsgenie" },
];

describe("Alertmanager configuration, checked by amtool 0.34.0", () => {
    it("covers every receiver type in the test's receivers", () => {
        assert.deepStrictEqual([...new Set(RECEIVERS.map((r) => r.type))].sort(), [...RECEIVER_TYPES].sort());
    });

    for (const [label, receivers] of [["no receivers (the default)", undefined], ["one receiver of each type", RECEIVERS]] as const) {
        it(`passes amtool check-config with ${label}`, async () => {
            const config = await emittedConfig({ receivers: receivers as AlertReceiver[] | undefined });
            const r = amtool(config, ["check-config", "{}"]);
            assert.ok(r.ok, r.output);
            assert.match(r.output, /SUCCESS/);
            assert.match(r.output, new RegExp(`${(receivers?.length ?? 0) + 1} receivers`));
            assert.match(r.output, /1 inhibit rules/);
        });
    }

    it("is refused by amtool when a route names a receiver that does not exist (the check can fail)", async () => {
        const config = await emittedConfig({ receivers: RECEIVERS });
        config.route.routes.push({ receiver: "nobody", matchers: ['severity="info"'] });
        const r = amtool(config, ["check-config", "{}"]);
        assert.ok(!r.ok);
        assert.match(r.output, /undefined receiver "nobody"/);
    });

    it("routes each severity to every receiver that takes it, Watchdog and unrouted alerts to null", async () => {
        const config = await emittedConfig({ receivers: RECEIVERS });
        assert.deepStrictEqual(routedTo(config, { alertname: "KubeNodeDiskPressure", severity: "critical" }), ["pager", "chat", "genie"]);
        assert.deepStrictEqual(routedTo(config, { alertname: "KubePodCrashLooping", severity: "warning" }), ["chat", "hook"]);
        assert.deepStrictEqual(routedTo(config, { alertname: "Watchdog", severity: "none" }), ["null"]);
        assert.deepStrictEqual(routedTo(config, { alertname: "Something", severity: "info" }), ["null"]);
    });
});
