/**
 * VerticalPodAutoscaler: the VPA recommender, which watches usage and writes recommended requests into
 * each VerticalPodAutoscaler object's status. The seed uses VPA in Off mode (recommendations only, read
 * and applied by people), so the updater (which evicts pods) and the admission controller (which
 * rewrites their requests) are off unless asked for.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { HelmValues, OwnedValue, chartRelease, checkUserValues } from "../lib/helm";
import { childName } from "../lib/names";
import { HELM_CHARTS } from "../../lib/versions";
import {
    DEFAULT_NAMESPACE, NOBODY_UID, RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    checkNamespace, checkReleaseName, restrictedPodSecurityContext,
} from "./common";

/** Arguments of {@link VerticalPodAutoscaler}. */
export interface VerticalPodAutoscalerArgs {
    /**
     * Run the updater, which evicts pods whose requests are far from the recommendation (VPA modes
     * `Recreate`/`Auto`). Defaults to false. Needs `admissionController`: without it evicted pods come
     * back with the same requests, and are evicted again.
     */
    updater?: boolean;
    /**
     * Run the admission controller, a mutating webhook that sets recommended requests on new pods
     * (VPA modes `Initial`, `Recreate`, `Auto`). Defaults to false.
     */
    admissionController?: boolean;
    /** Namespace to install into; it must exist. Defaults to `kube-system`. */
    namespace?: string;
    /** Helm release name. Defaults to `vpa`. */
    releaseName?: string;
    /**
     * Helm values of chart vpa 5.0.0 (FairwindsOps), deep-merged over the component's defaults (maps merge,
     * lists replace). Not overridable (refused): `recommender.enabled`, `updater.enabled`,
     * `admissionController.enabled` (set by the arguments above), `metrics-server` (install
     * MetricsServer instead) and the `podSecurityContext`/`securityContext` of each part (restricted).
     */
    values?: pulumi.Input<{ [key: string]: any }>;
}

export const DEFAULT_VPA_UPDATER = false;
export const DEFAULT_VPA_ADMISSION_CONTROLLER = false;
export const DEFAULT_VPA_RELEASE = "vpa";
/** The VPA parts the chart can run. */
export const VPA_PARTS = ["recommender", "updater", "admissionController"] as const;
/** Requests and limits of each part (the chart requests 50m and 500Mi/200Mi; the recommender's memory grows with the number of pods). */
export const DEFAULT_VPA_RESOURCES: Record<(typeof VPA_PARTS)[number], { requests: Record<string, string>; limits: Record<string, string> }> = {
    recommender: { requests: { cpu: "50m", memory: "500Mi" }, limits: { cpu: "500m", memory: "1000Mi" } },
    updater: { requests: { cpu: "50m", memory: "500Mi" }, limits: { cpu: "500m", memory: "1000Mi" } },
    admissionController: { requests: { cpu: "50m", memory: "200Mi" }, limits: { cpu: "500m", memory: "500Mi" } },
};

export const VPA_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    ...VPA_PARTS.map((part) => ({ path: [part, "enabled"], reason: part === "recommender" ? "the recommender is what this component runs" : `set the ${part} argument instead` })),
    { path: ["metrics-server"], reason: "the chart's bundled metrics-server stays off; install the MetricsServer component" },
    ...VPA_PARTS.flatMap((part) => [
        { path: [part, "podSecurityContext"], reason: "the pod runs with the restricted Pod Security context" },
        { path: [part, "securityContext"], reason: "the container runs with the restricted Pod Security context" },
    ]),
];

/** Collects every problem with the args; the caller throws. */
export function validateVerticalPodAutoscalerArgs(args: VerticalPodAutoscalerArgs | undefined, problems = new Problems()): Problems {
    const a = args ?? {};
    for (const key of ["updater", "admissionController"] as const) {
        if (a[key] !== undefined && typeof a[key] !== "boolean") {
            problems.add(key, "must be true or false");
        }
    }
    if (a.updater === true && a.admissionController !== true) {
        problems.add("updater", "needs admissionController: true; without it evicted pods return with the same requests and are evicted again");
    }
    checkNamespace(problems, "namespace", a.namespace);
    checkReleaseName(problems, "releaseName", a.releaseName);
    checkUserValues(problems, a.values, VPA_OWNED);
    return problems;
}

/** The component's default Helm values. */
export function verticalPodAutoscalerDefaultValues(): HelmValues {
    const values: HelmValues = {};
    for (const part of VPA_PARTS) {
        // The images are pinned by the chart version (appVersion 1.7.1): no need to pull on every start.
        values[part] = { resources: DEFAULT_VPA_RESOURCES[part], image: { pullPolicy: "IfNotPresent" } };
    }
    return values;
}

/** The values the component owns, for the parts that run. */
export function verticalPodAutoscalerOwnedValues(o: { updater: boolean; admissionController: boolean }): OwnedValue[] {
    const reason = (path: string[]) => VPA_OWNED.find((x) => x.path.join(".") === path.join("."))!.reason;
    const own = (path: string[], value: unknown): OwnedValue => ({ path, value, reason: reason(path) });
    const enabled = { recommender: true, updater: o.updater, admissionController: o.admissionController };
    return [
        ...VPA_PARTS.map((part) => own([part, "enabled"], enabled[part])),
        own(["metrics-server"], { enabled: false }),
        ...VPA_PARTS.flatMap((part) => [
            own([part, "podSecurityContext"], restrictedPodSecurityContext(NOBODY_UID)),
            own([part, "securityContext"], RESTRICTED_CONTAINER_SECURITY_CONTEXT),
        ]),
    ];
}

/**
 * The Vertical Pod Autoscaler (chart vpa, pinned in the version matrix): the recommender by default,
 * so VerticalPodAutoscaler objects in `Off` mode get recommendations and nothing restarts pods; the
 * updater and admission controller on request. Installs the VPA CRDs with the chart.
 */
export class VerticalPodAutoscaler extends pulumi.ComponentResource {
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** Namespace the VPA runs in. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: VerticalPodAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateVerticalPodAutoscalerArgs(args).throwIfAny(`VerticalPodAutoscaler ${name}`);
        super("k8sprod:autoscaling:VerticalPodAutoscaler", name, {}, opts);
        const a = args ?? {};
        const namespace = a.namespace ?? DEFAULT_NAMESPACE;
        const release = chartRelease(childName(name, "release"), {
            chart: HELM_CHARTS.verticalPodAutoscaler,
            releaseName: a.releaseName ?? DEFAULT_VPA_RELEASE,
            namespace,
            defaults: verticalPodAutoscalerDefaultValues(),
            values: a.values,
            owned: verticalPodAutoscalerOwnedValues({
                updater: a.updater ?? DEFAULT_VPA_UPDATER,
                admissionController: a.admissionController ?? DEFAULT_VPA_ADMISSION_CONTROLLER,
            }),
        }, { parent: this });
        this.releaseName = release.name;
        this.namespace = pulumi.output(namespace);
        this.registerOutputs({ releaseName: this.releaseName, namespace: this.namespace });
    }
}
