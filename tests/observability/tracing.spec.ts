// The trace pipeline's collector configurations, judged by a real collector built with the OpenTelemetry
// Collector Builder at the image's version: `validate` on every configuration the Tracing component emits, a
// short real start of each, and the two-tier pipeline on loopback counting what tail sampling keeps.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Tracing, TracingArgs, pipelineConfigs } from "../../components/observability/tracing";
import { DEFAULT_SAMPLING, ingestConfig, samplerConfig } from "../../components/observability/collector";
import { OTEL_COLLECTOR_IMAGE } from "../../lib/versions";
import { assertValidObjects } from "../helpers/schema";
import { thrown } from "../helpers/outputs";
import { customResources, deploy, freshMocks, REGION, CLUSTER, releaseOf } from "./harness";
import { Running, freePorts, onLoopback, otelcolVersion, start, tempDir, validate } from "./otelcol";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT } from "../../components/autoscaling/common";
import { LATEST_MINOR, evaluatePod } from "../../policies/kubernetes/podSecurity";

const EXPORTERS: Array<[string, TracingArgs]> = [
    ["otlp", { exporter: { type: "otlp", endpoint: "tempo.observability.svc:4317", insecure: true } }],
    ["otlphttp", { exporter: { type: "otlphttp", endpoint: "https://otlp.example.com:4318" } }],
    ["awsxray", { exporter: { type: "awsxray" }, region: REGION, oidcProviderArn: CLUSTER.oidcProviderArn, oidcProviderUrl: CLUSTER.oidcProviderUrl }],
];

/** The collector configurations the component emits (read back from the OpenTelemetryCollector objects). */
async function emitted(args: TracingArgs): Promise<Record<string, Record<string, any>>> {
    const mocks = await deploy(() => new Tracing("tracing", args));
    return Object.fromEntries(customResources(mocks, "OpenTelemetryCollector").map((o) => [o.metadata.name, o.spec.config]));
}

describe("Tracing", () => {
    it("installs the pinned operator and points its collectors at the matrix's contrib image", async () => {
        const mocks = await deploy(() => new Tracing("tracing", EXPORTERS[0][1]));
        const r = releaseOf(mocks, "opentelemetry-operator").inputs;
        assert.strictEqual(r.version, "0.122.0");
        assert.deepStrictEqual(r.values.manager.collectorImage, { repository: OTEL_COLLECTOR_IMAGE.repository, tag: OTEL_COLLECTOR_IMAGE.tag });
        assert.deepStrictEqual(r.values.admissionWebhooks.certManager, { enabled: false });
        for (const c of customResources(mocks, "OpenTelemetryCollector")) {
            assert.strictEqual(c.spec.image, `${OTEL_COLLECTOR_IMAGE.repository}:${OTEL_COLLECTOR_IMAGE.tag}`);
            assert.strictEqual(c.spec.securityContext.readOnlyRootFilesystem, true);
            assert.deepStrictEqual(c.spec.podDisruptionBudget, { maxUnavailable: 1 });
        }
    });

    it("routes tier 1 by trace ID to the tier-2 headless Service, and tail-samples in tier 2", async () => {
        const configs = await emitted(EXPORTERS[0][1]);
        const lb = configs["traces-ingest"].exporters.load_balancing;
        assert.strictEqual(lb.routing_key, "traceID");
        assert.deepStrictEqual(lb.resolver, { dns: { hostname: "traces-sampler-collector-headless.tracing.svc.cluster.local", port: "4317" } });
        const sampler = configs["traces-sampler"];
        assert.deepStrictEqual(sampler.service.pipelines.traces.processors, ["memory_limiter", "tail_sampling", "batch"]);
        assert.deepStrictEqual(sampler.processors.tail_sampling.policies.map((p: any) => p.type), ["status_code", "latency", "probabilistic"]);
        assert.strictEqual(sampler.processors.tail_sampling.policies[1].latency.threshold_ms, 1000);
        assert.strictEqual(sampler.processors.tail_sampling.policies[2].probabilistic.sampling_percentage, 5);
    });

    it("emits collectors and Instrumentations valid against the operator's CRDs", async () => {
        const mocks = await deploy(() => new Tracing("tracing", { ...EXPORTERS[2][1], instrumentedNamespaces: ["shop", "blog"] }));
        const objects = customResources(mocks);
        assert.deepStrictEqual(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort(),
            ["Instrumentation/blog/k8sprod", "Instrumentation/shop/k8sprod", "OpenTelemetryCollector/tracing/traces-ingest", "OpenTelemetryCollector/tracing/traces-sampler"]);
        await assertValidObjects(objects);
        const inst = objects.find((o) => o.kind === "Instrumentation")!;
        assert.strictEqual(inst.spec.exporter.endpoint, "http://traces-ingest-collector.tracing.svc:4318");
    });

    it("gives the SDK's injected init container a security context that Pod Security restricted admits", async () => {
        const mocks = await deploy(() => new Tracing("tracing", { ...EXPORTERS[2][1], instrumentedNamespaces: ["shop"] }));
        const inst = customResources(mocks).find((o) => o.kind === "Instrumentation")!;
        // The pod as the operator leaves it: the app container and the SDK's init container, no pod-level settings.
        const pod = (initSecurityContext: unknown) => ({
            metadata: {}, metadataPath: "metadata", specPath: "spec",
            spec: {
                initContainers: [{ name: "opentelemetry-auto-instrumentation-java", image: "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:2.20.0", securityContext: initSecurityContext }],
                containers: [{ name: "app", image: "app:1", securityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: 10001 } }],
            },
        });
        assert.deepStrictEqual([...evaluatePod(pod(inst.spec.initContainerSecurityContext), "restricted", LATEST_MINOR).keys()], []);
        assert.ok(inst.spec.initContainerSecurityContext.runAsUser > 0, "the SDK images run as root unless told otherwise");
        // Without it, the pod is refused (the check can fail).
        assert.ok(evaluatePod(pod(undefined), "restricted", LATEST_MINOR).size > 0);
    });

    it("writes to X-Ray through an IRSA role with the write-only managed policy, on the sampler's own service account", async () => {
        const mocks = await deploy(() => new Tracing("tracing", EXPORTERS[2][1]));
        const sa = mocks.ofType("kubernetes:core/v1:ServiceAccount")[0].inputs;
        assert.strictEqual(sa.metadata.name, "traces-sampler-xray");
        assert.match(sa.metadata.annotations["eks.amazonaws.com/role-arn"], /^arn:aws:iam::\d{12}:role\//);
        assert.deepStrictEqual(mocks.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r) => r.inputs.policyArn), ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]);
        const trust = JSON.parse(mocks.ofType("aws:iam/role:Role")[0].inputs.assumeRolePolicy);
        assert.strictEqual(Object.values(trust.Statement[0].Condition.StringEquals)[0], "system:serviceaccount:tracing:traces-sampler-xray");
        const sampler = customResources(mocks, "OpenTelemetryCollector").find((o) => o.metadata.name === "traces-sampler")!;
        assert.strictEqual(sampler.spec.serviceAccount, "traces-sampler-xray");
        assert.deepStrictEqual(sampler.spec.config.exporters, { awsxray: { region: REGION } });
    });
});

describe("Tracing refuses bad input, all at once, before creating anything", () => {
    async function refused(args: TracingArgs): Promise<string[]> {
        const mocks = await freshMocks();
        const e = thrown(() => new Tracing("tracing", args));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), String(e));
        assert.strictEqual(mocks.registrations.length, 0);
        return e.errors.map((x: any) => x.propertyPath);
    }

    it("sampling outside 1–100 %", async () => {
        assert.deepStrictEqual(await refused({ exporter: EXPORTERS[0][1].exporter, sampling: { baselinePercent: 0 } }), ["sampling.baselinePercent"]);
        assert.deepStrictEqual(await refused({ exporter: EXPORTERS[0][1].exporter, sampling: { baselinePercent: 101, slowThresholdMs: 0 } }), ["sampling.baselinePercent", "sampling.slowThresholdMs"]);
    });

    it("an unknown exporter, and an OTLP exporter without an endpoint", async () => {
        assert.deepStrictEqual(await refused({ exporter: { type: "jaeger", endpoint: "x:1" } }), ["exporter.type"]);
        assert.deepStrictEqual(await refused({ exporter: { type: "otlp" } }), ["exporter.endpoint"]);
    });

    it("awsxray without a region or the OIDC provider", async () => {
        assert.deepStrictEqual(await refused({ exporter: { type: "awsxray" } }), ["region", "oidcProviderArn", "oidcProviderUrl"]);
    });
});

describe("the collector configurations, run by a real collector (OpenTelemetry Collector Builder, the image's version)", function () {
    this.timeout(600000);

    it("is the collector version the components deploy", () => {
        assert.match(otelcolVersion(), new RegExp(`version ${OTEL_COLLECTOR_IMAGE.tag.replace(/\./g, "\\.")}\\b`));
    });

    for (const [label, args] of EXPORTERS) {
        it(`validates every configuration emitted with the ${label} exporter`, async () => {
            const configs = await emitted(args);
            assert.deepStrictEqual(Object.keys(configs).sort(), ["traces-ingest", "traces-sampler"]);
            for (const [name, config] of Object.entries(configs)) {
                const verdict = validate(config);
                assert.ok(verdict.ok, `${name}: ${verdict.output}`);
            }
        });

        it(`starts every configuration emitted with the ${label} exporter (listening on loopback ports)`, async () => {
            const configs = await emitted(args);
            for (const [name, config] of Object.entries(configs)) {
                const ports = await freePorts();
                const running = await start(onLoopback(config, ports), ports.health).catch((e) => { throw new Error(`${name}: ${e.message}`); });
                await running.stop();
            }
        });
    }

    it("start and validate can fail: an unknown sampling policy type does not start, a pipeline naming a missing exporter does not validate", async () => {
        const bad = samplerConfig({ sampling: DEFAULT_SAMPLING, exporter: { type: "otlp", endpoint: "x:4317" } });
        bad.processors.tail_sampling.policies.push({ name: "odd", type: "no_such_policy" });
        const ports = await freePorts();
        await assert.rejects(start(onLoopback(bad, ports), ports.health), /exited|no_such_policy|unknown/);
        const noExporter = samplerConfig({ sampling: DEFAULT_SAMPLING, exporter: { type: "otlp", endpoint: "x:4317" } });
        noExporter.service.pipelines.traces.exporters = ["otlp_grpc/missing"];
        assert.ok(!validate(noExporter).ok);
    });
});

// ---- the behavioural test: tier 1 and two tier-2 replicas on loopback ----

interface SentTrace { id: string; kind: "error" | "slow" | "normal"; spans: string[] }

const hex = (bytes: number) => crypto.randomBytes(bytes).toString("hex");

/** 3 spans per trace; an error trace has an ERROR status on its second span, a slow one lasts 1.5 s. */
function makeTraces(errors: number, slow: number, normal: number): SentTrace[] {
    const kinds: Array<SentTrace["kind"]> = [...Array(errors).fill("error"), ...Array(slow).fill("slow"), ...Array(normal).fill("normal")];
    // Interleave kinds so that every request carries a mix.
    kinds.sort(() => Math.random() - 0.5);
    return kinds.map((kind) => ({ id: hex(16), kind, spans: [hex(8), hex(8), hex(8)] }));
}

function otlpSpan(t: SentTrace, i: number, base: bigint): Record<string, any> {
    const ms = BigInt(1_000_000);
    const end = t.kind === "slow" ? base + BigInt(1500) * ms : base + BigInt(100) * ms;
    return {
        traceId: t.id,
        spanId: t.spans[i],
        ...(i > 0 ? { parentSpanId: t.spans[0] } : {}),
        name: `op-${i}`,
        kind: 2,
        startTimeUnixNano: String(base + BigInt(i) * ms),
        endTimeUnixNano: String(i === 0 ? end : base + BigInt(i + 20) * ms),
        status: t.kind === "error" && i === 1 ? { code: 2, message: "boom" } : { code: 0 },
    };
}

/** Spans per trace ID in a file exporter's output (JSON lines of ExportTraceServiceRequest). */
function readKept(file: string): Map<string, Set<string>> {
    const kept = new Map<string, Set<string>>();
    if (!fs.existsSync(file)) {
        return kept;
    }
    for (const line of fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim())) {
        for (const rs of JSON.parse(line).resourceSpans ?? []) {
            for (const ss of rs.scopeSpans ?? []) {
                for (const s of ss.spans ?? []) {
                    const set = kept.get(s.traceId) ?? new Set<string>();
                    set.add(s.spanId);
                    kept.set(s.traceId, set);
                }
            }
        }
    }
    return kept;
}

describe("two-tier tail sampling on loopback (real collectors)", function () {
    this.timeout(900000);
    const ERRORS = 200;
    const SLOW = 100;
    const NORMAL = 1700;
    const RATE = DEFAULT_SAMPLING.baselinePercent / 100;
    const running: Running[] = [];
    let traces: SentTrace[];
    let kept: Array<Map<string, Set<string>>>;

    before(async () => {
        const dir = tempDir();
        const samplerPorts = [await freePorts(), await freePorts()];
        const files = samplerPorts.map((_, i) => path.join(dir, `kept-${i}.json`));
        // Tier 2 exactly as the component configures it (defaults: 5 %, 1 s, 10 s wait), exporting to a file.
        for (const [i, ports] of samplerPorts.entries()) {
            const config = onLoopback(pipelineConfigs({ exporter: { type: "otlp", endpoint: "unused:4317" } }, "tracing").sampler, ports);
            config.exporters = { file: { path: files[i] } };
            config.service.pipelines.traces.exporters = ["file"];
            running.push(await start(config, ports.health));
        }
        // Tier 1 as the component configures it, with the two samplers as a static list instead of the headless Service's DNS name.
        const ingestPorts = await freePorts();
        running.push(await start(onLoopback(ingestConfig({ resolver: { static: { hostnames: samplerPorts.map((p) => `127.0.0.1:${p.otlpGrpc}`) } } }), ingestPorts), ingestPorts.health));

        traces = makeTraces(ERRORS, SLOW, NORMAL);
        const base = BigInt(Date.now()) * BigInt(1_000_000);
        // The spans of one trace arrive in three different requests (span 0 of 100 traces, then span 1, then span 2).
        for (let chunk = 0; chunk < traces.length; chunk += 100) {
            const batch = traces.slice(chunk, chunk + 100);
            for (let i = 0; i < 3; i++) {
                const body = { resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "k8sprod-test" } }] }, scopeSpans: [{ scope: { name: "test" }, spans: batch.map((t) => otlpSpan(t, i, base)) }] }] };
                const res = await fetch(`http://127.0.0.1:${ingestPorts.otlpHttp}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
                assert.strictEqual(res.status, 200, await res.text());
            }
        }
        // Wait until every error and slow trace has arrived whole, then until the output stops growing
        // (decision wait 10 s + batch 5 s); bounded by a generous deadline, not by a guess of the time needed.
        const must = traces.filter((t) => t.kind !== "normal");
        const deadline = Date.now() + 600000;
        let last = -1;
        let stableSince = Date.now();
        for (;;) {
            kept = files.map(readKept);
            const spans = kept.reduce((n, k) => n + [...k.values()].reduce((m, s) => m + s.size, 0), 0);
            const whole = must.every((t) => kept.some((k) => k.get(t.id)?.size === 3));
            if (spans !== last) {
                last = spans;
                stableSince = Date.now();
            } else if (whole && Date.now() - stableSince > 20000) {
                break;
            }
            if (Date.now() > deadline) {
                throw new Error(`gave up waiting: ${spans} spans kept, all error and slow traces whole: ${whole}\n${running.map((r) => r.log()).join("\n")}`);
            }
            await new Promise((r) => setTimeout(r, 1000));
        }
        const counts = (kind: SentTrace["kind"]) => traces.filter((t) => t.kind === kind && kept.some((k) => k.has(t.id))).length;
        // The figures of the closing note (printed so a run shows them).
        console.log(`      kept/sent: error ${counts("error")}/${ERRORS}, slow ${counts("slow")}/${SLOW}, rest ${counts("normal")}/${NORMAL} (expected ${NORMAL * RATE} at ${RATE * 100} %); per sampler: ${kept.map((k) => k.size).join(", ")}`);
    });

    after(async () => {
        await Promise.all(running.map((r) => r.stop()));
    });

    it("keeps every trace with an error, whole", () => {
        for (const t of traces.filter((x) => x.kind === "error")) {
            const where = kept.filter((k) => k.has(t.id));
            assert.strictEqual(where.length, 1, `error trace ${t.id} kept by ${where.length} samplers`);
            assert.deepStrictEqual([...where[0].get(t.id)!].sort(), [...t.spans].sort());
        }
    });

    it("keeps every trace slower than the threshold, whole", () => {
        for (const t of traces.filter((x) => x.kind === "slow")) {
            const where = kept.filter((k) => k.has(t.id));
            assert.strictEqual(where.length, 1, `slow trace ${t.id}`);
            assert.strictEqual(where[0].get(t.id)!.size, 3);
        }
    });

    it("keeps the rest at the configured rate, within a binomial tolerance of 4.5 standard deviations", () => {
        const n = NORMAL;
        const k = traces.filter((t) => t.kind === "normal" && kept.some((m) => m.has(t.id))).length;
        const sd = Math.sqrt(n * RATE * (1 - RATE));
        assert.ok(Math.abs(k - n * RATE) <= 4.5 * sd, `kept ${k} of ${n}, expected ${n * RATE} ± ${(4.5 * sd).toFixed(0)}`);
    });

    it("keeps sampled traces whole too, and sends each trace to one sampler (both samplers get traces)", () => {
        for (const t of traces.filter((x) => x.kind === "normal" && kept.some((m) => m.has(x.id)))) {
            const where = kept.filter((k) => k.has(t.id));
            assert.strictEqual(where.length, 1);
            assert.strictEqual(where[0].get(t.id)!.size, 3);
        }
        assert.ok(kept.every((k) => k.size > 50), `traces per sampler: ${kept.map((k) => k.size).join(", ")}`);
    });

    it("keeps nothing that was not sent", () => {
        const sent = new Set(traces.map((t) => t.id));
        for (const k of kept) {
            for (const id of k.keys()) {
                assert.ok(sent.has(id), id);
            }
        }
    });
});
