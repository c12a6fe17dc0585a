// kube-score's labelled fixtures for the practices it shares with k8sprod-kubernetes: an agreement
// table per shared check, and every disagreement written down with the reason the project's practice
// differs on purpose (the test fails on any disagreement that is not written down, and on any written
// reason that no longer applies).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { analyze } from "../../cli/engine/analyzer";
import { kubernetesPack, repoRoot, resourceOf } from "../helpers/policy";

const DIR = path.join(repoRoot, "tests", "fixtures", "kube-score");

interface Row {
    file: string;
    check: string;
    expected: "pass" | "fail";
    notes: string;
}

/** kube-score check → the k8sprod policies that carry the same practice. */
const SHARED: Record<string, string[]> = {
    "Container Resources": ["require-resource-requests", "require-resource-limits"],
    "Container Resource Requests Equal Limits": ["require-guaranteed-qos"],
    "Container CPU Requests Equal Limits": ["require-guaranteed-qos"],
    "Container Memory Requests Equal Limits": ["require-guaranteed-qos"],
    "Container Image Tag": ["disallow-latest-tag"],
    "Container Security Context Privileged": ["pod-security-privileged"],
    "Container Security Context ReadOnlyRootFilesystem": ["require-read-only-root-filesystem"],
    "Container Seccomp Profile": ["pod-security-seccomp"],
    "Container Security Context User Group ID": ["pod-security-run-as-non-root", "pod-security-run-as-user"],
    "Deployment Replicas": ["require-min-replicas"],
    "Deployment has PodDisruptionBudget": ["require-pod-disruption-budget"],
    "StatefulSet has PodDisruptionBudget": ["require-pod-disruption-budget"],
    "PodDisruptionBudget has policy": ["require-pod-disruption-budget"],
    "HorizontalPodAutoscaler Replicas": ["require-hpa-scale-behavior"],
    "Pod Probes": ["require-probes"],
    "Pod NetworkPolicy": ["require-default-deny-network-policy"],
    "StatefulSet has ServiceName": ["require-headless-service"],
    "Deployment has host PodAntiAffinity": ["require-zone-spread"],
    "StatefulSet has host PodAntiAffinity": ["require-zone-spread"],
};

const WHY = {
    zone: "k8sprod spreads replicas across zones (topology.kubernetes.io/zone): losing a zone is the outage the practice guards against; kube-score asks for spreading across nodes (kubernetes.io/hostname), which does not survive a zone outage.",
    pdbReplicas: "the Deployment/StatefulSet leaves spec.replicas unset, which the API server defaults to 1; k8sprod requires a PodDisruptionBudget only for workloads that run more than one replica (or are scaled by an HPA), kube-score for every one whose replica count is not set below 2.",
    hpaBehavior: "k8sprod also requires spec.behavior.scaleDown.stabilizationWindowSeconds on every HPA (scale-down damping), which kube-score does not check.",
    netpol: "k8sprod requires a default-deny policy per namespace (spec.podSelector {} for Ingress and Egress, no allow-all rule) so new pods start denied; kube-score is satisfied by any policy that selects the pod, including one that allows all traffic.",
    probes: "k8sprod requires a readiness and a liveness probe on every container of a long-running workload; kube-score requires readiness only for pods a Service targets, and accepts the probes spread over different containers.",
    memoryLimit: "k8sprod always requires a memory limit (one pod must not exhaust a node's memory); this row runs kube-score with IgnoreContainerMemoryLimitRequirement.",
    seccompAnnotation: "the fixture sets the seccomp alpha annotations, which Kubernetes stopped honouring in 1.27; the Pod Security Standards (v1.19+) read only securityContext.seccompProfile.",
    runAsNonRoot: "k8sprod follows Pod Security restricted: runAsNonRoot must be true (the kubelet then refuses to start a root user); kube-score accepts a high runAsUser/runAsGroup instead.",
};

/** Rows where k8sprod disagrees on purpose: `<check>|<file>` → reason. */
const DIFFERENCES: Record<string, string> = {
    "Deployment has host PodAntiAffinity|deployment-host-antiaffinity-preffered.yaml": WHY.zone,
    "Deployment has host PodAntiAffinity|deployment-host-antiaffinity-preffered-selector-expression.yaml": WHY.zone,
    "Deployment has host PodAntiAffinity|deployment-host-antiaffinity-required.yaml": WHY.zone,
    "StatefulSet has host PodAntiAffinity|statefulset-host-antiaffinity-preffered.yaml": WHY.zone,
    "StatefulSet has host PodAntiAffinity|statefulset-host-antiaffinity-required.yaml": WHY.zone,
    "StatefulSet has PodDisruptionBudget|statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml": WHY.pdbReplicas,
    "StatefulSet has PodDisruptionBudget|statefulset-poddisruptionbudget-v1beta1-no-match.yaml": WHY.pdbReplicas,
    "Deployment has PodDisruptionBudget|deployment-poddisruptionbudget-v1beta1-expression-no-match.yaml": WHY.pdbReplicas,
    "Deployment has PodDisruptionBudget|deployment-poddisruptionbudget-v1beta1-no-match.yaml": WHY.pdbReplicas,
    "Deployment has PodDisruptionBudget|deployment-poddisruptionbudget-v1-no-match.yaml": WHY.pdbReplicas,
    "Deployment has PodDisruptionBudget|deployment-poddisruptionbudget-v1-different-namespace.yaml": WHY.pdbReplicas,
    "PodDisruptionBudget has policy|deployment-poddisruptionbudget-v1beta1-no-policy.yaml": WHY.pdbReplicas,
    "PodDisruptionBudget has policy|deployment-poddisruptionbudget-v1-no-policy.yaml": WHY.pdbReplicas,
    "HorizontalPodAutoscaler Replicas|hpa-min-replicas-ok.yaml": WHY.hpaBehavior,
    "HorizontalPodAutoscaler Replicas|hpa-min-replicas-nok.yaml": WHY.hpaBehavior,
    "Pod NetworkPolicy|networkpolicy-matching.yaml": WHY.netpol,
    "Pod NetworkPolicy|networkpolicy-deployment-matching.yaml": WHY.netpol,
    "Pod NetworkPolicy|networkpolicy-statefulset-matching.yaml": WHY.netpol,
    "Pod NetworkPolicy|networkpolicy-cronjob-matching.yaml": WHY.netpol,
    "Pod NetworkPolicy|networkpolicy-targets-all-pods.yaml": WHY.netpol,
    "Pod Probes|pod-probes-targeted-by-service-different-namespace.yaml": WHY.probes,
    "Pod Probes|pod-probes-not-targeted-by-service.yaml": WHY.probes,
    "Pod Probes|pod-probes-not-targeted-by-service-multi-labels.yaml": WHY.probes,
    "Pod Probes|pod-probes-on-different-containers.yaml": WHY.probes,
    "Container Resources|pod-test-resources-no-limits.yaml": WHY.memoryLimit,
    "Container Seccomp Profile|pod-seccomp-annotated.yaml": WHY.seccompAnnotation,
    "Container Seccomp Profile|pod-seccomp-annotated-annotation-optional.yaml": WHY.seccompAnnotation,
    "Container Security Context User Group ID|pod-security-context-all-good.yaml": WHY.runAsNonRoot,
};

function rows(): Row[] {
    return fs.readFileSync(path.join(DIR, "INDEX.tsv"), "utf8").split("\n")
        .filter((l) => l.trim() && !l.startsWith("#") && !l.startsWith("fixture_path\t"))
        .map((l) => {
            const [file, check, expected, , notes] = l.split("\t");
            return { file, check, expected: expected as "pass" | "fail", notes: notes ?? "" };
        });
}

/** The kube-score configuration of a row (its defaults: 2 replicas, cpu and memory limits required). */
function kubeScoreConfig(notes: string) {
    const num = (k: string) => { const m = new RegExp(`${k}: (\\d+)`).exec(notes); return m ? Number(m[1]) : undefined; };
    return {
        minReplicasDeployment: num("MinReplicasDeployment") ?? 2,
        minReplicasHpa: num("MinReplicasHPA") ?? 2,
        ignoreCpuLimit: /IgnoreContainerCpuLimitRequirement: true/.test(notes),
    };
}

/** The k8sprod config carrying the same thresholds as kube-score's for that row. */
function equivalentConfig(notes: string): Record<string, any> {
    const ks = kubeScoreConfig(notes);
    return {
        "require-min-replicas": { minReplicas: ks.minReplicasDeployment },
        "require-hpa-scale-behavior": { minReplicas: ks.minReplicasHpa },
        "require-resource-limits": { requireCpuLimit: !ks.ignoreCpuLimit },
        // kube-score's "Requests Equal Limits" checks accept only the Guaranteed class: a ratio of 1.
        "require-guaranteed-qos": { maxLimitToRequestRatio: 1 },
    };
}

async function verdict(row: Row, config?: Record<string, any>): Promise<"pass" | "fail"> {
    const docs = parseAllDocuments(fs.readFileSync(path.join(DIR, row.file), "utf8")).map((d) => d.toJS()).filter((o) => o && typeof o === "object");
    const resources = docs.map((o, i) => resourceOf(o, `${o.metadata?.name ?? "unnamed"}-${i}`));
    const vs = await analyze([kubernetesPack()], resources, config);
    return vs.some((v) => SHARED[row.check].includes(v.policy)) ? "fail" : "pass";
}

describe("kube-score fixtures (zegl/kube-score @ 06dedc9) for the shared practices", () => {
    const all = rows();
    const results: Array<{ row: Row; kubeScoreThresholds: "pass" | "fail"; defaults: "pass" | "fail" }> = [];

    before(async () => {
        for (const row of all) {
            results.push({ row, kubeScoreThresholds: await verdict(row, equivalentConfig(row.notes)), defaults: await verdict(row) });
        }
    });

    it("covers every shared check with its fixtures", () => {
        assert.deepStrictEqual([...new Set(all.map((r) => r.check))].sort(), Object.keys(SHARED).sort());
        assert.strictEqual(all.length, 97);
    });

    it("agrees with kube-score on every row except the documented differences of practice", () => {
        const disagreements = results.filter((r) => r.kubeScoreThresholds !== r.row.expected).map((r) => `${r.row.check}|${path.basename(r.row.file)}`);
        const undocumented = disagreements.filter((d) => !DIFFERENCES[d]);
        assert.deepStrictEqual(undocumented, [], "disagreements with no written reason");
        const stale = Object.keys(DIFFERENCES).filter((d) => !disagreements.includes(d));
        assert.deepStrictEqual(stale, [], "written differences that no longer differ");
    });

    it("prints the agreement table per shared check", () => {
        const table = Object.keys(SHARED).map((check) => {
            const mine = results.filter((r) => r.row.check === check);
            const agree = mine.filter((r) => r.kubeScoreThresholds === r.row.expected).length;
            const agreeDefaults = mine.filter((r) => r.defaults === r.row.expected).length;
            return { check, policies: SHARED[check].join(" + "), agree: `${agree}/${mine.length}`, withK8sprodDefaults: `${agreeDefaults}/${mine.length}` };
        });
        const total = results.filter((r) => r.kubeScoreThresholds === r.row.expected).length;
        console.log("\n    kube-score check | k8sprod policy | agree (kube-score thresholds) | agree (k8sprod defaults)");
        for (const t of table) {
            console.log(`    ${t.check} | ${t.policies} | ${t.agree} | ${t.withK8sprodDefaults}`);
        }
        console.log(`    total | | ${total}/${results.length} | ${results.filter((r) => r.defaults === r.row.expected).length}/${results.length}`);
        // The table is only as good as its rows: every row was evaluated.
        assert.strictEqual(results.length, all.length);
        assert.strictEqual(total, results.length - Object.keys(DIFFERENCES).length);
    });

    it("agrees on the practices it shares without exception: image tags, privileged, read-only root, resources equal limits, headless services", () => {
        for (const check of ["Container Image Tag", "Container Security Context Privileged", "Container Security Context ReadOnlyRootFilesystem",
            "Container Resource Requests Equal Limits", "Container CPU Requests Equal Limits", "Container Memory Requests Equal Limits", "StatefulSet has ServiceName"]) {
            for (const r of results.filter((x) => x.row.check === check)) {
                assert.strictEqual(r.kubeScoreThresholds, r.row.expected, `${check} ${r.row.file}`);
            }
        }
    });
});
