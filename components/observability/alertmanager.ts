/**
 * Alertmanager's configuration from plain receiver descriptions: routes by severity, and inhibition of a
 * warning by its critical twin. No URL, key or token is ever written here: each receiver reads its secret from
 * a file that Alertmanager mounts from a Kubernetes Secret the user names.
 */
import { Problems } from "../lib/errors";
import { dns1123SubdomainProblem } from "../lib/names";
import { SEVERITIES } from "./rules";

/** The integrations a receiver can use; each reads its URL or key from a mounted Secret. */
export const RECEIVER_TYPES = ["slack", "pagerduty", "webhook", "opsgenie"] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

/** One place alerts go. */
export interface AlertReceiver {
    /** Receiver name (letters, digits, '-' and '_'). Required. */
    name: string;
    /** `slack`, `pagerduty`, `webhook` or `opsgenie`. Required. */
    type: string;
    /** Severities routed to it: `warning`, `critical` or both. Required, at least one. */
    severities: string[];
    /**
     * Name of a Secret in the monitoring namespace that holds the receiver's URL (slack, webhook) or key
     * (pagerduty routing key, opsgenie API key). Required: the URL or key is never in code or stack config.
     */
    secretName: string;
    /** Key in that Secret. Defaults to `url` for slack and webhook, `key` for pagerduty and opsgenie. */
    secretKey?: string;
    /** Slack channel (slack only), e.g. `#oncall`. */
    channel?: string;
}

/** Where the Prometheus Operator mounts the Secrets listed in `alertmanagerSpec.secrets`. */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";

/** The receiver that drops alerts (routing target when nothing else matches, e.g. Watchdog). */
export const NULL_RECEIVER = "null";

/** Labels a warning and its critical twin must share for the critical one to silence the warning. */
export const INHIBIT_EQUAL_LABELS = ["alertname", "namespace", "pod", "persistentvolumeclaim", "name"];

function defaultKey(type: string): string {
    return type === "slack" || type === "webhook" ? "url" : "key";
}

/** Adds every problem of the receivers to `problems` (paths `receivers[i].field`). */
export function checkReceivers(problems: Problems, receivers: AlertReceiver[] | undefined): void {
    if (receivers === undefined) {
        return;
    }
    if (!Array.isArray(receivers)) {
        problems.add("receivers", "must be a list of receivers");
        return;
    }
    const names = new Set<string>();
    receivers.forEach((r, i) => {
        const p = `receivers[${i}]`;
        if (r === null || typeof r !== "object") {
            problems.add(p, "must be a receiver: { name, type, severities, secretName }");
            return;
        }
        if (typeof r.name !== "string" || !/^[A-Za-z0-9_-]+$/.test(r.name) || r.name === NULL_RECEIVER) {
            problems.add(`${p}.name`, `${JSON.stringify(r.name)} is not a receiver name (letters, digits, '-' and '_'; "null" is reserved)`);
        } else if (names.has(r.name)) {
            problems.add(`${p}.name`, `"${r.name}" names two receivers`);
        } else {
            names.add(r.name);
        }
        if (!(RECEIVER_TYPES as readonly string[]).includes(r.type)) {
            problems.add(`${p}.type`, `${JSON.stringify(r.type)} is not a receiver type; choose one of ${RECEIVER_TYPES.join(", ")}`);
        }
        if (!Array.isArray(r.severities) || r.severities.length === 0) {
            problems.add(`${p}.severities`, `must list at least one of ${SEVERITIES.join(", ")}`);
        } else {
            r.severities.forEach((s, j) => problems.check((SEVERITIES as readonly string[]).includes(s), `${p}.severities[${j}]`,
                `${JSON.stringify(s)} is not a severity; choose ${SEVERITIES.join(" or ")}`));
        }
        if (r.secretName === undefined || r.secretName === "") {
            problems.add(`${p}.secretName`, "is required: name the Secret that holds the receiver's URL or key (it is never written in code or config)");
        } else {
            const bad = typeof r.secretName === "string" ? dns1123SubdomainProblem(r.secretName) : "must be a string";
            problems.check(bad === undefined, `${p}.secretName`, bad ?? "");
        }
        if (r.secretKey !== undefined) {
            problems.check(typeof r.secretKey === "string" && /^[-._a-zA-Z0-9]+$/.test(r.secretKey), `${p}.secretKey`, `${JSON.stringify(r.secretKey)} is not a Secret key`);
        }
        if (r.channel !== undefined && r.type !== "slack") {
            problems.add(`${p}.channel`, "is used only by slack receivers");
        }
    });
}

/** The Alertmanager integration block of one receiver: the secret comes from a mounted file. */
function integration(r: AlertReceiver): Record<string, any> {
    const file = `${ALERTMANAGER_SECRETS_DIR}/${r.secretName}/${r.secretKey ?? defaultKey(r.type)}`;
    switch (r.type) {
        case "slack":
            return { slack_configs: [{ api_url_file: file, send_resolved: true, ...(r.channel ? { channel: r.channel } : {}) }] };
        case "pagerduty":
            return { pagerduty_configs: [{ routing_key_file: file, send_resolved: true }] };
        case "opsgenie":
            return { opsgenie_configs: [{ api_key_file: file, send_resolved: true }] };
        default:
            return { webhook_configs: [{ url_file: file, send_resolved: true }] };
    }
}

/**
 * Alertmanager's configuration: alerts grouped by alertname and namespace, routed to every receiver that takes
 * their severity (`continue` lets one alert reach several), the rest to `null`; a critical alert inhibits the
 * warning with the same alertname and object.
 */
export function alertmanagerConfig(receivers: AlertReceiver[]): Record<string, any> {
    const routes = receivers.map((r) => ({
        receiver: r.name,
        matchers: [`severity=~"${r.severities.join("|")}"`],
        continue: true,
        ...(r.severities.includes("critical") && !r.severities.includes("warning") ? { repeat_interval: "1h" } : {}),
    }));
    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: NULL_RECEIVER,
            group_by: ["alertname", "namespace"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes: [{ receiver: NULL_RECEIVER, matchers: ['alertname="Watchdog"'] }, ...routes],
        },
        inhibit_rules: [{
            source_matchers: ['severity="critical"'],
            target_matchers: ['severity="warning"'],
            equal: INHIBIT_EQUAL_LABELS,
        }],
        receivers: [{ name: NULL_RECEIVER }, ...receivers.map((r) => ({ name: r.name, ...integration(r) }))],
    };
}

/** The Secrets Alertmanager must mount for these receivers (each once). */
export function receiverSecrets(receivers: AlertReceiver[]): string[] {
    return [...new Set(receivers.map((r) => r.secretName))];
}
