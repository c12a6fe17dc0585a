// Observability: what exposes metrics is scraped, through the prometheus.io annotations or a ServiceMonitor/PodMonitor.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { arr, at, containersOf, obj, podTemplateOf, POD_TYPES, selectorMatches, stackPolicy, str, stringMap, T } from "./lib";

interface ScrapeTargetConfig {
    metricsPortPattern: string;
}

const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const SCRAPE_ANNOTATION = "prometheus.io/scrape";

/** Whether a ServiceMonitor or PodMonitor living in `own` watches namespace `ns` (its namespaceSelector, or its own namespace). */
function watchesNamespace(monitor: PolicyResource, own: string, ns: string): boolean {
    const sel = obj(at(monitor.props, "spec", "namespaceSelector"));
    if (sel?.any === true) {
        return true;
    }
    const names = arr(sel?.matchNames).filter((n): n is string => typeof n === "string");
    return names.length ? names.includes(ns) : own === ns;
}

export const requireScrapeTarget: StackValidationPolicy = stackPolicy<ScrapeTargetConfig>({
    name: "require-scrape-target",
    description: "Checks whether every Service and pod template that exposes a metrics port (a port whose name matches the configured pattern) is scraped: pods through the prometheus.io/scrape annotation or a PodMonitor, Services through a ServiceMonitor, so metrics that are served are also collected.",
    enforcementLevel: "advisory",
    config: {
        metricsPortPattern: {
            type: "string", minLength: 1, default: "metrics|^prom",
            description: "Regular expression (case-insensitive) that a port name matches when the port serves metrics.",
        },
    },
    check: (ctx) => {
        let pattern: RegExp;
        try {
            pattern = new RegExp(ctx.config.metricsPortPattern ?? "metrics|^prom", "i");
        } catch {
            pattern = /metrics|^prom/i;
        }
        const serviceMonitors: Array<[PolicyResource, string]> = [];
        const podMonitors: Array<[PolicyResource, string]> = [];
        const services: PolicyResource[] = [];
        const workloads: PolicyResource[] = [];
        const podTypes = new Set(POD_TYPES);
        for (const r of ctx.resources) {
            ctx.guard(() => {
                if (r.type === SERVICE_MONITOR) {
                    serviceMonitors.push([r, ctx.namespace(r)]);
                } else if (r.type === POD_MONITOR) {
                    podMonitors.push([r, ctx.namespace(r)]);
                } else if (r.type === T.service) {
                    services.push(r);
                } else if (podTypes.has(r.type)) {
                    workloads.push(r);
                }
            });
        }
        const annotated = (m: unknown) => stringMap(at(m, "annotations"))[SCRAPE_ANNOTATION] === "true";
        const templateOf = (w: PolicyResource) => podTemplateOf(w.type, w.props);
        for (const w of workloads) {
            ctx.guard(() => {
                const t = templateOf(w);
                if (!t) {
                    return;
                }
                const port = containersOf(t.spec).flatMap((c) => arr(c.c.ports).map((p, i) => ({ c, p: obj(p), i })))
                    .find((x) => typeof x.p?.name === "string" && pattern.test(x.p.name));
                if (!port || annotated(t.metadata)) {
                    return;
                }
                const ns = ctx.namespace(w);
                const labels = stringMap(t.metadata.labels);
                const byPodMonitor = podMonitors.some(([m, own]) => watchesNamespace(m, own, ns) && selectorMatches(at(m.props, "spec", "selector"), labels));
                const byService = services.some((s) => ctx.namespace(s) === ns && Object.keys(stringMap(at(s.props, "spec", "selector"))).length > 0
                    && selectorMatches({ matchLabels: stringMap(at(s.props, "spec", "selector")) }, labels)
                    && serviceMonitors.some(([m, own]) => watchesNamespace(m, own, ns) && selectorMatches(at(m.props, "spec", "selector"), stringMap(at(s.props, "metadata", "labels")))));
                if (!byPodMonitor && !byService) {
                    ctx.report(w, `${ctx.subject(w)}: container "${port.c.name}" exposes metrics port "${str(port.p?.name)}" (${t.specPath}.${port.c.path}.ports[${port.i}]) but nothing scrapes it; add the prometheus.io/scrape, /port and /path annotations to ${t.metadataPath}.annotations, or a PodMonitor or ServiceMonitor that selects it.`);
                }
            });
        }
        for (const s of services) {
            ctx.guard(() => {
                const ports = arr(at(s.props, "spec", "ports")).map((p, i) => ({ p: obj(p), i }));
                const port = ports.find((x) => typeof x.p?.name === "string" && pattern.test(x.p.name));
                if (!port || annotated(at(s.props, "metadata"))) {
                    return;
                }
                const ns = ctx.namespace(s);
                const labels = stringMap(at(s.props, "metadata", "labels"));
                const byMonitor = serviceMonitors.some(([m, own]) => watchesNamespace(m, own, ns) && selectorMatches(at(m.props, "spec", "selector"), labels));
                // Pods behind the Service that are annotated for scraping are collected by the kubernetes-pods job.
                const selector = stringMap(at(s.props, "spec", "selector"));
                const byPods = Object.keys(selector).length > 0 && workloads.some((w) => {
                    const t = templateOf(w);
                    return !!t && ctx.namespace(w) === ns && annotated(t.metadata) && selectorMatches({ matchLabels: selector }, stringMap(t.metadata.labels));
                });
                if (!byMonitor && !byPods) {
                    ctx.report(s, `${ctx.subject(s)} exposes metrics port "${str(port.p?.name)}" (spec.ports[${port.i}]) but no ServiceMonitor selects it and its pods carry no prometheus.io/scrape annotation; add a ServiceMonitor for it or annotate the pods.`);
                }
            });
        }
    },
});
