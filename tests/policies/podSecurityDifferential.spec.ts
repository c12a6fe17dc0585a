// Pod Security parity with the upstream library: a generated corpus of pods (seeded, so every run sees
// the same pods) evaluated at both levels, over policy versions from v1.0 to latest, on clusters of two
// Kubernetes minors; each verdict is computed by k8s.io/pod-security-admission itself
// (tools/pod-security-verdicts, built by scripts/tools/pod-security-verdicts) and compared with the pack's:
// allowed or not, and which checks refuse the pod. A sample also goes through the analyzer path
// (Namespace labels in the stack, the cluster's version in config). Sized, not timed.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { analyze } from "../../cli/engine/analyzer";
import { clusterPolicyVersion, evaluatePod, Level, parseVersion } from "../../policies/kubernetes/podSecurity";
import { kubernetesPack, repoRoot, resourceOf } from "../helpers/policy";

/** Pods in the corpus (K8SPROD_PSA_CORPUS overrides) and the verdicts asked of each. */
const PODS = Number(process.env.K8SPROD_PSA_CORPUS ?? 1500);
const VERDICTS_PER_POD = 8;
const VERSIONS = ["v1.0", "v1.8", "v1.19", "v1.22", "v1.23", "v1.25", "v1.27", "v1.29", "v1.31", "v1.32", "v1.33", "v1.34", "v1.35", "v1.36", "v1.37", "v1.40", "latest"];
const CLUSTERS = ["1.33", "1.35", "1.37"];
const LEVELS: Level[] = ["baseline", "restricted"];

/** The verdicts tool: built by scripts/tools/pod-security-verdicts (install-system-deps runs it). */
function verdictsTool(): string {
    const script = path.join(repoRoot, "scripts", "tools", "pod-security-verdicts");
    const r = spawnSync(script, ["--path"], { encoding: "utf8" });
    const bin = (r.stdout ?? "").trim();
    if (r.status !== 0 || !bin || !fs.existsSync(bin)) {
        throw new Error(`the Pod Security differential tool is missing (${bin || r.stderr}): run scripts/tools/pod-security-verdicts (scripts/install-system-deps does) to build it from the Go module proxy`);
    }
    return bin;
}

/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

type Pod = { metadata: Record<string, any>; spec: Record<string, any> };

function basePod(): Pod {
    const container = (name: string) => ({
        name, image: "registry.example.com/app:1.0.0",
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    });
    return {
        metadata: { name: "p", annotations: {} },
        spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [container("c1")],
            initContainers: [container("i1")],
        },
    };
}

/** One change a chart or a user makes to a pod, across every field an upstream check reads. */
function mutate(pod: Pod, rnd: () => number): void {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const all = () => [...pod.spec.containers, ...pod.spec.initContainers, ...(pod.spec.ephemeralContainers ?? [])];
    const some = () => pick(all());
    const sc = (c: any) => (c.securityContext = c.securityContext ?? {});
    const psc = () => (pod.spec.securityContext = pod.spec.securityContext ?? {});
    const mutations: Array<() => void> = [
        () => { pod.spec[pick(["hostNetwork", "hostPID", "hostIPC"])] = rnd() < 0.8; },
        () => { pod.spec.hostNetwork = true; some().ports = [{ containerPort: pick([80, 8080, 9090]) }]; },
        () => { const c = pick([...pod.spec.containers, ...pod.spec.initContainers]); c.ports = [{ containerPort: 8080, ...(rnd() < 0.7 ? { hostPort: pick([0, 8080, 30000]) } : {}) }]; },
        () => { sc(some()).privileged = rnd() < 0.7; },
        () => { sc(some()).capabilities = { ...(rnd() < 0.6 ? { drop: [pick(["ALL", "NET_RAW", "all"])] } : {}), ...(rnd() < 0.7 ? { add: [pick(["NET_RAW", "SYS_ADMIN", "CHOWN", "NET_BIND_SERVICE", "KILL", "AUDIT_WRITE"])] } : {}) }; },
        () => { pod.spec.volumes = [...(pod.spec.volumes ?? []), pick([{ name: "h", hostPath: { path: "/var/log" } }, { name: "n", nfs: { server: "nfs", path: "/" } }, { name: "e", emptyDir: {} }, { name: "s", secret: { secretName: "s" } }, { name: "g", gitRepo: { repository: "r" } }, { name: "x" }])]; },
        () => { const t = pick(["Unconfined", "RuntimeDefault", "Localhost"]); const p = { type: t, ...(t === "Localhost" ? { localhostProfile: "p" } : {}) }; if (rnd() < 0.5) { psc().appArmorProfile = p; } else { sc(some()).appArmorProfile = p; } },
        () => { pod.metadata.annotations[`container.apparmor.security.beta.kubernetes.io/${some().name}`] = pick(["unconfined", "runtime/default", "localhost/p", ""]); },
        () => { const o = pick([{ type: "spc_t" }, { type: "container_t" }, { type: "container_engine_t" }, { user: "u" }, { role: "r" }, { level: "s0" }]); if (rnd() < 0.5) { psc().seLinuxOptions = o; } else { sc(some()).seLinuxOptions = o; } },
        () => { sc(some()).procMount = pick(["Unmasked", "Default"]); },
        () => { pod.spec.hostUsers = false; },
        () => { const p = { type: pick(["Unconfined", "RuntimeDefault", "Localhost"]) }; if (rnd() < 0.4) { psc().seccompProfile = p; } else { sc(some()).seccompProfile = p; } },
        () => { delete psc().seccompProfile; },
        () => { pod.metadata.annotations[pick(["seccomp.security.alpha.kubernetes.io/pod", `container.seccomp.security.alpha.kubernetes.io/${some().name}`])] = pick(["unconfined", "runtime/default", "docker/default", "localhost/p"]); },
        () => { psc().sysctls = [{ name: pick(["kernel.shm_rmid_forced", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_rmem", "net.ipv4.tcp_notsent_lowat", "net.ipv4.tcp_slow_start_after_idle", "kernel.msgmax", "net.core.somaxconn"]), value: "1" }]; },
        () => { if (rnd() < 0.5) { psc().windowsOptions = { hostProcess: true }; pod.spec.hostNetwork = true; } else { sc(some()).windowsOptions = { hostProcess: rnd() < 0.7 }; } },
        () => { pod.spec.os = { name: pick(["windows", "linux"]) }; },
        () => { const c = pick([...pod.spec.containers, ...pod.spec.initContainers]); c[pick(["livenessProbe", "readinessProbe", "startupProbe"])] = { [pick(["httpGet", "tcpSocket"])]: { port: 8080, ...(rnd() < 0.7 ? { host: pick(["10.0.0.1", "localhost", ""]) } : {}) } }; },
        () => { some().lifecycle = { [pick(["postStart", "preStop"])]: { httpGet: { port: 80, host: "10.0.0.1" } } }; },
        () => { const v = pick([true, undefined]); const c = some(); if (v === undefined) { delete sc(c).allowPrivilegeEscalation; } else { sc(c).allowPrivilegeEscalation = v; } },
        () => { if (rnd() < 0.5) { psc().runAsNonRoot = pick([false, undefined]); } else { sc(some()).runAsNonRoot = pick([false, true]); } },
        () => { if (rnd() < 0.5) { psc().runAsUser = pick([0, 1000]); } else { sc(some()).runAsUser = pick([0, 1000]); } },
        () => { delete psc().runAsNonRoot; sc(some()).runAsNonRoot = true; },
        () => { pod.spec.ephemeralContainers = [{ name: "debug", image: "busybox:1.36", securityContext: rnd() < 0.5 ? { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } : {} }]; },
        () => { pod.spec.initContainers = []; },
    ];
    pick(mutations)();
}

interface Case {
    id: string;
    level: Level;
    version: string;
    kubernetes: string;
    pod: Pod;
}

function corpus(): Case[] {
    const rnd = random(20261201);
    const cases: Case[] = [];
    for (let i = 0; i < PODS; i++) {
        const pod = basePod();
        const changes = Math.floor(rnd() * 4);
        for (let k = 0; k < changes; k++) {
            mutate(pod, rnd);
        }
        for (let j = 0; j < VERDICTS_PER_POD; j++) {
            const level = LEVELS[j % 2];
            const version = VERSIONS[Math.floor(rnd() * VERSIONS.length)];
            const kubernetes = CLUSTERS[Math.floor(rnd() * CLUSTERS.length)];
            cases.push({ id: `${i}-${j}`, level, version, kubernetes, pod });
        }
    }
    return cases;
}

interface Upstream {
    id: string;
    allowed: boolean;
    failing: string[];
    error?: string;
}

function upstreamVerdicts(cases: Case[]): Map<string, Upstream> {
    const input = cases.map((c) => JSON.stringify(c)).join("\n") + "\n";
    const r = spawnSync(verdictsTool(), [], { input, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    if (r.status !== 0) {
        throw new Error(`pod-security-verdicts failed (${r.status}): ${r.stderr}`);
    }
    const out = new Map<string, Upstream>();
    for (const line of r.stdout.split("\n").filter(Boolean)) {
        const v = JSON.parse(line) as Upstream;
        out.set(v.id, v);
    }
    return out;
}

function packFailing(c: Case): string[] {
    const latest = clusterPolicyVersion(c.kubernetes)!;
    const version = parseVersion(c.version, latest)!;
    const findings = evaluatePod({ spec: c.pod.spec, metadata: c.pod.metadata, specPath: "spec", metadataPath: "metadata" }, c.level, version);
    return [...findings.keys()].sort();
}

describe("Pod Security parity with k8s.io/pod-security-admission on a generated corpus", () => {
    let cases: Case[];
    let upstream: Map<string, Upstream>;

    before(function () {
        // Sized, not timed: the corpus takes seconds here; a loaded machine gets ten minutes.
        this.timeout(600_000);
        cases = corpus();
        upstream = upstreamVerdicts(cases);
    });

    it(`gets a verdict from the upstream library for every case (${PODS} pods × ${VERDICTS_PER_POD}, ${VERSIONS.length} policy versions, clusters ${CLUSTERS.join(", ")})`, () => {
        assert.strictEqual(upstream.size, cases.length);
        const errors = [...upstream.values()].filter((v) => v.error);
        assert.deepStrictEqual(errors.slice(0, 5), []);
        // The corpus is not trivial: both verdicts occur often at both levels, and every upstream check refuses some pod.
        for (const level of LEVELS) {
            const mine = cases.filter((c) => c.level === level).map((c) => upstream.get(c.id)!);
            const refused = mine.filter((v) => !v.allowed).length;
            assert.ok(refused > mine.length * 0.2 && refused < mine.length * 0.9, `${level}: ${refused}/${mine.length} refused`);
        }
        const seen = new Set([...upstream.values()].flatMap((v) => v.failing));
        for (const id of ["hostNamespaces", "privileged", "capabilities_baseline", "hostPathVolumes", "hostPorts", "appArmorProfile", "seLinuxOptions", "procMount",
            "seccompProfile_baseline", "sysctls", "windowsHostProcess", "hostProbesAndHostLifecycle", "restrictedVolumes", "allowPrivilegeEscalation",
            "runAsNonRoot", "runAsUser", "seccompProfile_restricted", "capabilities_restricted", "procMount_restricted"]) {
            assert.ok(seen.has(id), `no pod of the corpus fails ${id}`);
        }
    });

    it("agrees on every verdict and on the checks that refuse each pod (the pack's checks, evaluated directly)", function () {
        this.timeout(600_000);
        const disagreements: string[] = [];
        for (const c of cases) {
            const up = upstream.get(c.id)!;
            const mine = packFailing(c);
            const theirs = [...up.failing].sort();
            if ((mine.length === 0) !== up.allowed || mine.join(",") !== theirs.join(",")) {
                disagreements.push(`${c.level} ${c.version} on ${c.kubernetes}: upstream ${up.allowed ? "allows" : `refuses (${theirs.join(", ")})`}, pack ${mine.length ? `refuses (${mine.join(", ")})` : "allows"}: ${JSON.stringify(c.pod)}`);
            }
        }
        assert.deepStrictEqual(disagreements.slice(0, 5), [], `${disagreements.length}/${cases.length} disagreements`);
    });

    it("agrees through the analyzer path: the level and version from the Namespace's labels, \"latest\" from the configured cluster", async function () {
        this.timeout(600_000);
        for (const kubernetes of CLUSTERS) {
            const sample = cases.filter((c) => c.kubernetes === kubernetes).slice(0, 300);
            const namespaces = new Map<string, Record<string, any>>();
            const objects: Array<Record<string, any>> = [];
            sample.forEach((c, i) => {
                const ns = `pss-${c.level}-${c.version.replace(/\./g, "-")}`;
                if (!namespaces.has(ns)) {
                    namespaces.set(ns, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": c.level, "pod-security.kubernetes.io/enforce-version": c.version } } });
                }
                objects.push({ apiVersion: "v1", kind: "Pod", metadata: { ...c.pod.metadata, name: `pod-${i}`, namespace: ns }, spec: c.pod.spec });
            });
            const resources = [...namespaces.values(), ...objects].map((o) => resourceOf(o, `${o.kind}-${o.metadata.name}`));
            const vs = (await analyze([kubernetesPack()], resources, { podSecurity: { kubernetesVersion: kubernetes } })).filter((v) => v.policy.startsWith("pod-security-"));
            const refused = new Set(vs.map((v) => v.urn));
            const disagreements = sample.filter((c, i) => refused.has(resources[namespaces.size + i].urn) === upstream.get(c.id)!.allowed)
                .map((c) => `${c.id} ${c.level} ${c.version} on ${kubernetes}: upstream ${upstream.get(c.id)!.allowed ? "allows" : "refuses"}`);
            assert.deepStrictEqual(disagreements.slice(0, 5), [], `${disagreements.length}/${sample.length} disagreements on ${kubernetes}`);
        }
    });
});
