/** The HorizontalPodAutoscaler (autoscaling/v2) of a WebService: metrics and scale behaviour. */
import type { types } from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { quantityProblem } from "../../lib/quantity";
import * as d from "./defaults";

/** How fast to scale in one direction. */
export interface ScalingRateArgs {
    /** Seconds of past recommendations to consider before acting. Scale-down defaults to 300, scale-up to 0. */
    stabilizationWindowSeconds?: number;
    /** Most pods to change per period, as a percent of the current count. Scale-down defaults to 50, scale-up to 100. */
    percent?: number;
    /** Length of that period in seconds. Scale-down defaults to 60, scale-up to 30. */
    periodSeconds?: number;
}

/** A per-pod custom metric (through a metrics adapter), e.g. requests per second. */
export interface PodsMetricArgs {
    /** Metric name as the custom metrics API serves it, e.g. `http_requests_per_second`. */
    name: string;
    /** Target average value per pod, a quantity (e.g. `100`, `500m`). */
    averageValue: string;
}

/** A metric from outside the cluster objects, e.g. a queue depth. */
export interface ExternalMetricArgs {
    /** Metric name as the external metrics API serves it, e.g. `queue_messages_ready`. */
    name: string;
    /** Label selector for the metric series. */
    selector?: { [key: string]: string };
    /** Target value per pod (AverageValue). Give this or `value`. */
    averageValue?: string;
    /** Target total value (Value). Give this or `averageValue`. */
    value?: string;
}

/** Horizontal autoscaling: replicas follow load between a floor and a ceiling. */
export interface HorizontalScalingArgs {
    /** Replica floor. Defaults to 3; at least 2. */
    minReplicas?: number;
    /** Replica ceiling. Defaults to 10; must be above `minReplicas`. */
    maxReplicas?: number;
    /** Target average CPU utilisation in percent of requests. Defaults to 70. Set 0 to scale on other metrics only. */
    cpuUtilization?: number;
    /** Target average memory utilisation in percent of requests. Off by default (memory rarely falls when load does). */
    memoryUtilization?: number;
    /** Per-pod custom metrics (need a metrics adapter such as PrometheusAdapter). */
    podsMetrics?: PodsMetricArgs[];
    /** External metrics. */
    externalMetrics?: ExternalMetricArgs[];
    /** Scale-down behaviour. Defaults: wait 300 s, then at most 50 % of pods per 60 s. */
    scaleDown?: ScalingRateArgs;
    /** Scale-up behaviour. Defaults: at once, at most 100 % more pods per 30 s. */
    scaleUp?: ScalingRateArgs;
}

/** The replica floor and ceiling with defaults applied. */
export function replicaRange(h: HorizontalScalingArgs | undefined): { min: number; max: number } {
    return { min: h?.minReplicas ?? d.DEFAULT_MIN_REPLICAS, max: h?.maxReplicas ?? d.DEFAULT_MAX_REPLICAS };
}

function checkWholeNumber(problems: Problems, path: string, v: number | undefined, min: number, max?: number): void {
    if (v !== undefined) {
        problems.check(Number.isInteger(v) && v >= min && (max === undefined || v <= max), path,
            `${v} must be a whole number from ${min}${max === undefined ? "" : ` to ${max}`}`);
    }
}

/** Checks the autoscaling args: floor ≥ 2, ceiling above floor, sane percentages and metrics. */
export function validateHorizontalScaling(problems: Problems, h: HorizontalScalingArgs | undefined): void {
    const { min, max } = replicaRange(h);
    const minOk = problems.check(Number.isInteger(min) && min >= d.MIN_ALLOWED_REPLICAS, "autoscaling.minReplicas",
        `${min} is below ${d.MIN_ALLOWED_REPLICAS}: a single replica is down whenever its node is drained`);
    const maxOk = problems.check(Number.isInteger(max) && max >= 1, "autoscaling.maxReplicas", `${max} must be a whole number ≥ 1`);
    if (minOk && maxOk) {
        problems.check(min < max, "autoscaling.minReplicas", `minReplicas ${min} must be below maxReplicas ${max}, or the autoscaler cannot scale`);
    }
    checkWholeNumber(problems, "autoscaling.cpuUtilization", h?.cpuUtilization, 0, 1000);
    checkWholeNumber(problems, "autoscaling.memoryUtilization", h?.memoryUtilization, 1, 1000);
    for (const dir of ["scaleDown", "scaleUp"] as const) {
        const rate = h?.[dir];
        checkWholeNumber(problems, `autoscaling.${dir}.stabilizationWindowSeconds`, rate?.stabilizationWindowSeconds, 0, 3600);
        checkWholeNumber(problems, `autoscaling.${dir}.percent`, rate?.percent, 1);
        checkWholeNumber(problems, `autoscaling.${dir}.periodSeconds`, rate?.periodSeconds, 1, 1800);
    }
    (h?.podsMetrics ?? []).forEach((m, i) => {
        problems.check(typeof m.name === "string" && m.name.length > 0, `autoscaling.podsMetrics[${i}].name`, "a metric name is required");
        const why = quantityProblem(m.averageValue);
        problems.check(why === undefined, `autoscaling.podsMetrics[${i}].averageValue`, why ?? "");
    });
    (h?.externalMetrics ?? []).forEach((m, i) => {
        const path = `autoscaling.externalMetrics[${i}]`;
        problems.check(typeof m.name === "string" && m.name.length > 0, `${path}.name`, "a metric name is required");
        if (problems.check((m.averageValue === undefined) !== (m.value === undefined), path, "give exactly one of averageValue and value")) {
            const q = (m.averageValue ?? m.value)!;
            const why = quantityProblem(q);
            problems.check(why === undefined, `${path}.${m.averageValue !== undefined ? "averageValue" : "value"}`, why ?? "");
        }
    });
    const cpu = h?.cpuUtilization ?? d.DEFAULT_CPU_UTILIZATION;
    const anyMetric = cpu > 0 || h?.memoryUtilization !== undefined || (h?.podsMetrics ?? []).length > 0 || (h?.externalMetrics ?? []).length > 0;
    problems.check(anyMetric, "autoscaling", "cpuUtilization is 0 and no other metric is given: the autoscaler would have nothing to scale on");
}

function rate(r: ScalingRateArgs | undefined, def: { stabilizationWindowSeconds: number; percent: number; periodSeconds: number }): Record<string, any> {
    return {
        stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? def.stabilizationWindowSeconds,
        selectPolicy: "Max",
        policies: [{ type: "Percent", value: r?.percent ?? def.percent, periodSeconds: r?.periodSeconds ?? def.periodSeconds }],
    };
}

/** The HPA spec for a Deployment named `target`. */
export function hpaSpec(target: string, h: HorizontalScalingArgs | undefined): types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
    const { min, max } = replicaRange(h);
    const metrics: types.input.autoscaling.v2.MetricSpec[] = [];
    const cpu = h?.cpuUtilization ?? d.DEFAULT_CPU_UTILIZATION;
    if (cpu > 0) {
        metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } } });
    }
    if (h?.memoryUtilization !== undefined) {
        metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: h.memoryUtilization } } });
    }
    for (const m of h?.podsMetrics ?? []) {
        metrics.push({ type: "Pods", pods: { metric: { name: m.name }, target: { type: "AverageValue", averageValue: m.averageValue } } });
    }
    for (const m of h?.externalMetrics ?? []) {
        metrics.push({
            type: "External",
            external: {
                metric: { name: m.name, ...(m.selector ? { selector: { matchLabels: m.selector } } : {}) },
                target: m.value !== undefined ? { type: "Value", value: m.value } : { type: "AverageValue", averageValue: m.averageValue },
            },
        });
    }
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
        minReplicas: min,
        maxReplicas: max,
        metrics,
        behavior: { scaleDown: rate(h?.scaleDown, d.DEFAULT_SCALE_DOWN), scaleUp: rate(h?.scaleUp, d.DEFAULT_SCALE_UP) },
    };
}
