/**
 * What a workload needs to be traced through the platform's pipeline, as pure functions shared by Tracing (which
 * creates the `Instrumentation` objects and the tier-1 collector) and WebService (which opts its pods in):
 * the OpenTelemetry Operator's injection annotations (operator 0.158.0, `internal/instrumentation/annotation.go`),
 * the name of the Instrumentation, and the tier-1 collector's pod labels and OTLP ports for NetworkPolicies.
 * Kept free of Pulumi resources so that the workload templates can import it without the observability components.
 */
import { Problems } from "../lib/errors";
import { DEFAULT_PORTS } from "./collector";

/** Name of the `Instrumentation` Tracing creates in each instrumented namespace (the injection annotations name it). */
export const INSTRUMENTATION_NAME = "k8sprod";
/** Tracing's default namespace (operator and collectors). */
export const DEFAULT_TRACING_NAMESPACE = "tracing";
/** Names of the two collectors; the operator names their Services `<name>-collector` and `<name>-collector-headless`. */
export const INGEST_COLLECTOR = "traces-ingest";
export const SAMPLER_COLLECTOR = "traces-sampler";
/** The OTLP ports of the tier-1 collector: gRPC and HTTP. */
export const OTLP_PORTS = [DEFAULT_PORTS.otlpGrpc, DEFAULT_PORTS.otlpHttp] as const;

/**
 * The SDKs the operator can inject into a pod that runs under Pod Security restricted: each is copied in by an
 * init container that inherits the application container's security context. `sdk` injects only the OTEL_*
 * environment (for an application that bundles its own SDK).
 */
export const INSTRUMENTATION_LANGUAGES = ["java", "nodejs", "python", "dotnet", "sdk"] as const;
/** Languages the operator supports that the platform refuses, with the reason. */
export const REFUSED_LANGUAGES: Readonly<Record<string, string>> = {
    go: "Go auto-instrumentation runs an eBPF sidecar as root with privileged: true, which Pod Security restricted refuses",
    "apache-httpd": "Apache HTTPD instrumentation rewrites the server's configuration directory, which the read-only root filesystem forbids",
    nginx: "NGINX instrumentation rewrites the server's configuration directory, which the read-only root filesystem forbids",
};
const ANNOTATION_PREFIX = "instrumentation.opentelemetry.io/";
/** The single-instrumentation annotation naming the containers to instrument (default: the first container). */
export const CONTAINER_NAMES_ANNOTATION = `${ANNOTATION_PREFIX}container-names`;

/** A workload's tracing option, as WebService takes it. */
export interface TracingOption {
    language: string;
    containers?: string[];
    instrumentation?: string;
    collectorNamespace?: string;
}

/** The injection annotation key of a language (`instrumentation.opentelemetry.io/inject-<language>`). */
export function injectAnnotation(language: string): string {
    return `${ANNOTATION_PREFIX}inject-${language}`;
}

/**
 * The pod annotations that make the operator inject the SDK: `inject-<language>` names the Instrumentation of the
 * pod's own namespace (a bare name; `"true"` would pick any single one, `ns/name` another namespace's), and
 * `container-names` lists the containers when given.
 */
export function injectionAnnotations(t: TracingOption): Record<string, string> {
    return {
        [injectAnnotation(t.language)]: t.instrumentation ?? INSTRUMENTATION_NAME,
        ...(t.containers && t.containers.length > 0 ? { [CONTAINER_NAMES_ANNOTATION]: t.containers.join(",") } : {}),
    };
}

/** The labels the operator puts on a collector's pods (its selector labels), for NetworkPolicy peers. */
export function collectorPodLabels(namespace: string, collector: string): Record<string, string> {
    return {
        "app.kubernetes.io/component": "opentelemetry-collector",
        "app.kubernetes.io/instance": `${namespace}.${collector}`,
    };
}

/** Egress from a workload to the tier-1 collector pods on the OTLP ports. */
export function collectorEgressRule(collectorNamespace: string): { to: Array<Record<string, any>>; ports: Array<Record<string, any>> } {
    return {
        to: [{
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": collectorNamespace } },
            podSelector: { matchLabels: collectorPodLabels(collectorNamespace, INGEST_COLLECTOR) },
        }],
        ports: OTLP_PORTS.map((port) => ({ port, protocol: "TCP" })),
    };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Adds every problem of a workload's tracing option (paths under `path`); `containerNames` are the workload's containers. */
export function checkTracingOption(problems: Problems, path: string, t: TracingOption | undefined, containerNames: string[]): void {
    if (t === undefined) {
        return;
    }
    if (t === null || typeof t !== "object" || Array.isArray(t)) {
        problems.add(path, `must be { language, containers?, instrumentation?, collectorNamespace? }`);
        return;
    }
    if (typeof t.language === "string" && REFUSED_LANGUAGES[t.language] !== undefined) {
        problems.add(`${path}.language`, `"${t.language}" is refused: ${REFUSED_LANGUAGES[t.language]}`);
    } else {
        problems.check((INSTRUMENTATION_LANGUAGES as readonly string[]).includes(t.language), `${path}.language`,
            `${JSON.stringify(t.language)} is not one of ${INSTRUMENTATION_LANGUAGES.join(", ")}`);
    }
    if (t.containers !== undefined) {
        if (!Array.isArray(t.containers) || t.containers.length === 0) {
            problems.add(`${path}.containers`, "must list at least one container (leave it out to instrument the first one)");
        } else {
            t.containers.forEach((c, i) => problems.check(containerNames.includes(c), `${path}.containers[${i}]`,
                `${JSON.stringify(c)} is not one of the workload's containers (${containerNames.join(", ") || "none"})`));
        }
    }
    for (const key of ["instrumentation", "collectorNamespace"] as const) {
        const v = t[key];
        if (v !== undefined) {
            problems.check(typeof v === "string" && v.length <= 63 && DNS_LABEL.test(v), `${path}.${key}`,
                `${JSON.stringify(v)} is not a DNS-1123 label${key === "instrumentation" ? " (the Instrumentation must be in the workload's own namespace)" : ""}`);
        }
    }
}
