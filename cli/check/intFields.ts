// Integer fields the API server decodes into Go ints: a string there (or a number with a fraction) makes
// it refuse the object, so `check` refuses it too, naming the field. The usual cause is a YAML 1.1
// spelling that kubectl reads as a string (`runAsUser: 1:20` is the string "1:20" to kubectl, not the
// base-60 number 80), or a quoted number. The fields are those of the pod spec that Pod Security and the
// packs read, and the counts of the workload kinds (k8s.io/api: core/v1 PodSpec, Container,
// SecurityContext, ContainerPort; apps/v1, batch/v1, autoscaling/v2, core/v1 Service).

type Path = Array<string | number>;

const POD_INTS = [
    ["securityContext", "runAsUser"], ["securityContext", "runAsGroup"], ["securityContext", "fsGroup"],
    ["terminationGracePeriodSeconds"], ["activeDeadlineSeconds"], ["priority"],
];
const CONTAINER_INTS = [["securityContext", "runAsUser"], ["securityContext", "runAsGroup"]];
const PORT_INTS = ["containerPort", "hostPort"];

/** Where each kind keeps its pod spec, and its own integer fields. */
const KINDS: Record<string, { pod?: Path; ints?: Path[] }> = {
    Pod: { pod: ["spec"] },
    PodTemplate: { pod: ["template", "spec"] },
    Deployment: { pod: ["spec", "template", "spec"], ints: [["spec", "replicas"], ["spec", "minReadySeconds"], ["spec", "revisionHistoryLimit"], ["spec", "progressDeadlineSeconds"]] },
    StatefulSet: { pod: ["spec", "template", "spec"], ints: [["spec", "replicas"], ["spec", "minReadySeconds"], ["spec", "revisionHistoryLimit"]] },
    DaemonSet: { pod: ["spec", "template", "spec"], ints: [["spec", "minReadySeconds"], ["spec", "revisionHistoryLimit"]] },
    ReplicaSet: { pod: ["spec", "template", "spec"], ints: [["spec", "replicas"], ["spec", "minReadySeconds"]] },
    ReplicationController: { pod: ["spec", "template", "spec"], ints: [["spec", "replicas"], ["spec", "minReadySeconds"]] },
    Job: { pod: ["spec", "template", "spec"], ints: [["spec", "parallelism"], ["spec", "completions"], ["spec", "backoffLimit"], ["spec", "activeDeadlineSeconds"]] },
    CronJob: { pod: ["spec", "jobTemplate", "spec", "template", "spec"], ints: [["spec", "successfulJobsHistoryLimit"], ["spec", "failedJobsHistoryLimit"]] },
    HorizontalPodAutoscaler: { ints: [["spec", "minReplicas"], ["spec", "maxReplicas"]] },
};

function at(obj: unknown, path: Path): unknown {
    let v: any = obj;
    for (const k of path) {
        if (v === null || typeof v !== "object") {
            return undefined;
        }
        v = v[k];
    }
    return v;
}

/** A field of an object that the API server would refuse: its path and a sentence saying why. */
export interface IntFieldProblem {
    path: Path;
    message: string;
}

function problem(path: Path, v: unknown): IntFieldProblem | undefined {
    if (v === undefined || v === null || (typeof v === "number" && Number.isInteger(v))) {
        return undefined;
    }
    const where = path.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("").slice(1);
    const shown = typeof v === "string" ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : typeof v === "number" ? `${v}` : `a ${Array.isArray(v) ? "sequence" : typeof v === "object" ? "mapping" : typeof v}`;
    const base60 = typeof v === "string" && /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(v)
        ? ` (kubectl reads ${v} as a string, not as the base-60 number YAML 1.1 makes of it)`
        : "";
    return { path, message: `${where} must be an integer, not ${shown}${base60}; the API server refuses the object` };
}

/** The integer fields of `obj` (of `kind`) that hold something else. */
export function intFieldProblems(kind: string, obj: Record<string, any>): IntFieldProblem[] {
    const spec = KINDS[kind];
    if (!spec) {
        return [];
    }
    const out: IntFieldProblem[] = [];
    const check = (path: Path) => {
        const p = problem(path, at(obj, path));
        if (p) {
            out.push(p);
        }
    };
    for (const path of spec.ints ?? []) {
        check(path);
    }
    if (spec.pod) {
        const pod = spec.pod;
        for (const path of POD_INTS) {
            check([...pod, ...path]);
        }
        const groups = at(obj, [...pod, "securityContext", "supplementalGroups"]);
        if (Array.isArray(groups)) {
            groups.forEach((_, i) => check([...pod, "securityContext", "supplementalGroups", i]));
        }
        for (const list of ["initContainers", "containers", "ephemeralContainers"]) {
            const containers = at(obj, [...pod, list]);
            if (!Array.isArray(containers)) {
                continue;
            }
            containers.forEach((c, i) => {
                for (const path of CONTAINER_INTS) {
                    check([...pod, list, i, ...path]);
                }
                const ports = c?.ports;
                if (Array.isArray(ports)) {
                    ports.forEach((_: unknown, j: number) => PORT_INTS.forEach((f) => check([...pod, list, i, "ports", j, f])));
                }
            });
        }
    }
    return out;
}
