/**
 * The OpenTelemetry Collector configurations of the two-tier trace pipeline, as pure functions:
 * - tier 1 (`ingest`): OTLP in, `loadbalancing` out keyed on trace ID, so every span of a trace reaches the
 *   same tier-2 replica;
 * - tier 2 (`sampler`): `memory_limiter`, `tail_sampling` (every trace with an error, every trace slower than a
 *   threshold, a percentage of the rest), `batch`, and one exporter (OTLP gRPC, OTLP/HTTP or AWS X-Ray).
 * Every configuration these functions emit is validated and started by a real collector in the tests.
 */
import { Problems } from "../lib/errors";
import { checkInteger, checkNumber } from "./common";

/** Tail-sampling settings. */
export interface SamplingSettings {
    /** Percentage of traces without an error and faster than the threshold that are kept. */
    baselinePercent: number;
    /** Traces whose duration reaches this many milliseconds are all kept. */
    slowThresholdMs: number;
    /** Seconds tier 2 waits after a trace's first span before deciding (late spans of a decided trace follow the decision). */
    decisionWaitSeconds: number;
    /** Traces held in memory while waiting; above it the oldest are decided early. */
    numTraces: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = { baselinePercent: 5, slowThresholdMs: 1000, decisionWaitSeconds: 10, numTraces: 100000 };

/** The exporters tier 2 can send to. */
export const EXPORTER_TYPES = ["otlp", "otlphttp", "awsxray"] as const;
export type ExporterType = (typeof EXPORTER_TYPES)[number];

/** Where sampled traces go. */
export interface ExporterSettings {
    /** `otlp` (gRPC), `otlphttp` or `awsxray`. */
    type: string;
    /** Endpoint of an OTLP backend (`host:port` for otlp, `https://...` for otlphttp). Required for otlp and otlphttp. */
    endpoint?: string;
    /** Send without TLS (otlp only; for a backend inside the cluster). Defaults to false. */
    insecure?: boolean;
    /** AWS region (awsxray). */
    region?: string;
}

/** Ports of the collectors. */
export interface CollectorPorts {
    otlpGrpc: number;
    otlpHttp: number;
    health: number;
    metrics: number;
}

export const DEFAULT_PORTS: CollectorPorts = { otlpGrpc: 4317, otlpHttp: 4318, health: 13133, metrics: 8888 };

/** How tier 1 finds the tier-2 replicas: the headless Service's DNS name (in the cluster), or fixed host:port list. */
export type Resolver = { dns: { hostname: string; port: string } } | { static: { hostnames: string[] } };

/** Adds every problem of user sampling settings (partial). */
export function checkSampling(problems: Problems, path: string, s: Partial<SamplingSettings> | undefined): void {
    if (s === undefined) {
        return;
    }
    checkNumber(problems, `${path}.baselinePercent`, s.baselinePercent, 1, 100, "percent (errors and slow traces are always kept; this is the share of the rest)");
    checkInteger(problems, `${path}.slowThresholdMs`, s.slowThresholdMs, 1, 600000, "milliseconds");
    checkInteger(problems, `${path}.decisionWaitSeconds`, s.decisionWaitSeconds, 1, 120, "seconds");
    checkInteger(problems, `${path}.numTraces`, s.numTraces, 1000, 10000000);
}

/** Adds every problem of the exporter settings. */
export function checkExporter(problems: Problems, path: string, e: ExporterSettings | undefined): void {
    if (e === undefined || e === null || typeof e !== "object") {
        problems.add(path, `is required: { type: ${EXPORTER_TYPES.join(" | ")}, ... }`);
        return;
    }
    if (!(EXPORTER_TYPES as readonly string[]).includes(e.type)) {
        problems.add(`${path}.type`, `${JSON.stringify(e.type)} is not an exporter this pipeline supports; choose one of ${EXPORTER_TYPES.join(", ")}`);
        return;
    }
    if (e.type === "otlp") {
        problems.check(typeof e.endpoint === "string" && /^[A-Za-z0-9.-]+:\d{1,5}$/.test(e.endpoint), `${path}.endpoint`, `${JSON.stringify(e.endpoint)} is not a host:port for OTLP gRPC`);
    } else if (e.type === "otlphttp") {
        problems.check(typeof e.endpoint === "string" && /^https?:\/\/\S+$/.test(e.endpoint), `${path}.endpoint`, `${JSON.stringify(e.endpoint)} is not an http(s) URL for OTLP/HTTP`);
        problems.check(e.insecure === undefined, `${path}.insecure`, "is for otlp only (an otlphttp endpoint says http:// or https://)");
    } else {
        problems.check(e.endpoint === undefined, `${path}.endpoint`, "is not used by awsxray (it writes to the region's X-Ray endpoint)");
        problems.check(e.insecure === undefined, `${path}.insecure`, "is not used by awsxray");
        if (e.region !== undefined) {
            problems.check(typeof e.region === "string" && /^[a-z]{2}(-[a-z]+)+-\d$/.test(e.region), `${path}.region`, `${JSON.stringify(e.region)} is not an AWS region`);
        }
    }
}

/**
 * The collector component and settings of the exporter. Collector 0.159 names the OTLP exporters `otlp_grpc` and
 * `otlp_http` (the older `otlp`/`otlphttp` are aliases); users still say otlp/otlphttp.
 */
export function exporterBlock(e: ExporterSettings): [string, Record<string, any>] {
    switch (e.type) {
        case "otlp":
            return ["otlp_grpc", { endpoint: e.endpoint, tls: { insecure: e.insecure ?? false }, sending_queue: { enabled: true }, retry_on_failure: { enabled: true } }];
        case "otlphttp":
            return ["otlp_http", { endpoint: e.endpoint, sending_queue: { enabled: true }, retry_on_failure: { enabled: true } }];
        default:
            return ["awsxray", { region: e.region }];
    }
}

function receivers(ports: CollectorPorts): Record<string, any> {
    return { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${ports.otlpGrpc}` }, http: { endpoint: `0.0.0.0:${ports.otlpHttp}` } } } };
}

function commonService(ports: CollectorPorts): Record<string, any> {
    return {
        extensions: ["health_check"],
        telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: ports.metrics } } } }] } },
    };
}

const memoryLimiter = { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 };

/** Tier 1: OTLP in, spans routed by trace ID to the tier-2 replicas. */
export function ingestConfig(o: { resolver: Resolver; ports?: CollectorPorts }): Record<string, any> {
    const ports = o.ports ?? DEFAULT_PORTS;
    return {
        receivers: receivers(ports),
        processors: { memory_limiter: memoryLimiter },
        exporters: {
            load_balancing: {
                routing_key: "traceID",
                protocol: { otlp: { tls: { insecure: true }, sending_queue: { enabled: true }, retry_on_failure: { enabled: true } } },
                resolver: o.resolver,
            },
        },
        extensions: { health_check: { endpoint: `0.0.0.0:${ports.health}` } },
        service: {
            ...commonService(ports),
            pipelines: { traces: { receivers: ["otlp"], processors: ["memory_limiter"], exporters: ["load_balancing"] } },
        },
    };
}

/** The tail-sampling policies: any one that samples keeps the trace. */
export function samplingPolicies(s: SamplingSettings): Array<Record<string, any>> {
    return [
        { name: "errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
        { name: "slow", type: "latency", latency: { threshold_ms: s.slowThresholdMs } },
        { name: "baseline", type: "probabilistic", probabilistic: { sampling_percentage: s.baselinePercent } },
    ];
}

/** Tier 2: OTLP in from tier 1, tail sampling, one exporter. */
export function samplerConfig(o: { sampling: SamplingSettings; exporter: ExporterSettings; ports?: CollectorPorts }): Record<string, any> {
    const ports = o.ports ?? DEFAULT_PORTS;
    const [exporterName, exporter] = exporterBlock(o.exporter);
    return {
        receivers: receivers(ports),
        processors: {
            memory_limiter: memoryLimiter,
            tail_sampling: {
                decision_wait: `${o.sampling.decisionWaitSeconds}s`,
                num_traces: o.sampling.numTraces,
                expected_new_traces_per_sec: 1000,
                policies: samplingPolicies(o.sampling),
            },
            batch: { send_batch_size: 8192, timeout: "5s" },
        },
        exporters: { [exporterName]: exporter },
        extensions: { health_check: { endpoint: `0.0.0.0:${ports.health}` } },
        service: {
            ...commonService(ports),
            pipelines: { traces: { receivers: ["otlp"], processors: ["memory_limiter", "tail_sampling", "batch"], exporters: [exporterName] } },
        },
    };
}
