// Pod Security Standards: one policy per upstream check of the Pod Security admission controller
// (k8s.io/pod-security-admission, policy/check_*.go), with its semantics: the same fields, the same
// allowed values, init and ephemeral containers visited like app containers, pod-level settings that
// container-level ones inherit, the Windows exemptions, the user-namespace relaxations, the policy
// versions at which each behaviour starts, and the Restricted checks that override Baseline ones.
//
// The level a pod is checked at is the one its namespace declares in the same stack (the
// `pod-security.kubernetes.io/enforce` label, and `enforce-version`), as the admission controller reads
// it from the namespace; a pod whose namespace is not in the stack is checked at the configured
// default (restricted, latest). These are stack policies because that needs the Namespace objects.
import { PolicyResource, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import { DEFAULT_KUBERNETES_VERSION } from "../../lib/versions";
import {
    ALL_CONTAINERS, arr, at, ContainerRef, containersOf, kindOf, num, obj, PodTemplate, podTemplateOf, POD_TYPES,
    stackPolicy, str, stringMap, T,
} from "./lib";

export type Level = "privileged" | "baseline" | "restricted";
export const LEVELS: readonly Level[] = ["privileged", "baseline", "restricted"];

/** The newest policy version any check of the pack registers (upstream k8s.io/pod-security-admission v0.37). */
export const LATEST_MINOR = 37;

/**
 * The policy version "latest" means on a cluster of a Kubernetes minor (`1.35`): that minor, as the
 * admission plugin of a 1.35 API server evaluates "latest" and any newer version label at v1.35 (capped at
 * the newest version the pack knows). Undefined when the minor is malformed.
 */
export function clusterPolicyVersion(kubernetesVersion: unknown): number | undefined {
    const m = typeof kubernetesVersion === "string" ? /^v?1\.(\d+)$/.exec(kubernetesVersion) : null;
    return m ? Math.min(parseInt(m[1], 10), LATEST_MINOR) : undefined;
}

/** The policy version "latest" means by default: the version matrix's default Kubernetes minor. */
export const DEFAULT_POLICY_VERSION = clusterPolicyVersion(DEFAULT_KUBERNETES_VERSION)!;

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export const ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";
export const AUDIT_LABEL = "pod-security.kubernetes.io/audit";
export const WARN_LABEL = "pod-security.kubernetes.io/warn";

/**
 * A policy version as a 1.x minor; `latest`, empty, or anything newer than the cluster's minor (`latest`,
 * by default the matrix's default minor) resolves to that minor; undefined when malformed.
 */
export function parseVersion(v: unknown, latest: number = DEFAULT_POLICY_VERSION): number | undefined {
    if (v === undefined || v === null || v === "" || v === "latest") {
        return latest;
    }
    if (typeof v !== "string") {
        return undefined;
    }
    const m = /^v1\.(\d+)$/.exec(v);
    if (!m) {
        return undefined;
    }
    return Math.min(parseInt(m[1], 10), latest);
}

/** A level label value, or undefined when it is not one of the three levels. */
export function parseLevel(v: unknown): Level | undefined {
    return typeof v === "string" && (LEVELS as readonly string[]).includes(v) ? (v as Level) : undefined;
}

/** What the admission controller enforces for a namespace. */
export interface NamespacePolicy {
    level: Level;
    version: number;
    /** Set when a label was invalid: the admission controller then enforces restricted at latest. */
    invalid?: string;
}

/** The enforce level and version a namespace's labels declare on a cluster whose "latest" is `latest` (undefined: no enforce label). */
export function namespacePolicy(labels: Record<string, string>, latest: number = DEFAULT_POLICY_VERSION): NamespacePolicy | undefined {
    if (!(ENFORCE_LABEL in labels) && !(ENFORCE_VERSION_LABEL in labels)) {
        return undefined;
    }
    const rawLevel = labels[ENFORCE_LABEL];
    const rawVersion = labels[ENFORCE_VERSION_LABEL];
    const level = rawLevel === undefined ? undefined : parseLevel(rawLevel);
    const version = parseVersion(rawVersion, latest);
    if ((rawLevel !== undefined && !level) || version === undefined) {
        // An invalid label makes the admission controller evaluate the most restrictive policy.
        return { level: "restricted", version: latest, invalid: rawLevel !== undefined && !level ? `${ENFORCE_LABEL}=${rawLevel}` : `${ENFORCE_VERSION_LABEL}=${rawVersion}` };
    }
    return level ? { level, version: version ?? latest } : undefined;
}

// ------------------------------------------------------------------------------------------------
// The checks
// ------------------------------------------------------------------------------------------------

/** How a value reads in a message: `unset`, or its JSON. */
const shown = (v: unknown) => (v === undefined || v === null ? "unset" : JSON.stringify(v));

/** One forbidden setting: the property path (below the object) and what is wrong with it. */
export interface Finding {
    path: string;
    problem: string;
}

interface PodView {
    spec: Record<string, any>;
    metadata: Record<string, any>;
    specPath: string;
    metadataPath: string;
    containers: ContainerRef[];
}

type CheckFn = (pod: PodView, version: number) => Finding[];

interface VersionedCheck {
    minimumVersion: number;
    check: CheckFn;
}

/** An upstream check: its ID, level, versions, and the Baseline checks it overrides at Restricted. */
export interface PssCheck {
    id: string;
    level: "baseline" | "restricted";
    versions: VersionedCheck[];
    overrides?: string[];
}

const sc = (c: Record<string, any>) => obj(c.securityContext);
const podSc = (pod: PodView) => obj(pod.spec.securityContext);
const cpath = (pod: PodView, ref: ContainerRef, rest: string) => `${pod.specPath}.${ref.path}.${rest}`;
const who = (ref: ContainerRef) => `container "${ref.name}"`;
const isWindowsPod = (pod: PodView) => at(pod.spec, "os", "name") === "windows";
const userNamespacePod = (pod: PodView) => pod.spec.hostUsers === false;
const isTrue = (v: unknown) => v === true || v === "true";

function hostNamespaces(pod: PodView): Finding[] {
    const out: Finding[] = [];
    for (const f of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (isTrue(pod.spec[f])) {
            out.push({ path: `${pod.specPath}.${f}`, problem: "is true; it must be unset or false" });
        }
    }
    return out;
}

function privileged(pod: PodView): Finding[] {
    return pod.containers.filter((ref) => isTrue(sc(ref.c)?.privileged))
        .map((ref) => ({ path: cpath(pod, ref, "securityContext.privileged"), problem: `is true for ${who(ref)}; it must be unset or false` }));
}

const BASELINE_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);

function capabilitiesBaseline(pod: PodView): Finding[] {
    const out: Finding[] = [];
    for (const ref of pod.containers) {
        const caps = obj(sc(ref.c)?.capabilities);
        if (!caps) {
            continue;
        }
        const bad = arr(caps.add).filter((c) => !BASELINE_CAPABILITIES.has(String(c)));
        if (bad.length) {
            out.push({ path: cpath(pod, ref, "securityContext.capabilities.add"), problem: `adds ${bad.map((c) => `"${String(c)}"`).join(", ")} for ${who(ref)}; only ${[...BASELINE_CAPABILITIES].join(", ")} may be added` });
        }
    }
    return out;
}

function capabilitiesRestricted(pod: PodView, version: number): Finding[] {
    if (version >= 25 && isWindowsPod(pod)) {
        return [];
    }
    const out: Finding[] = [];
    for (const ref of pod.containers) {
        const caps = obj(sc(ref.c)?.capabilities);
        const drop = caps ? arr(caps.drop) : [];
        if (!drop.includes("ALL")) {
            out.push({ path: cpath(pod, ref, "securityContext.capabilities.drop"), problem: `must include "ALL" for ${who(ref)}` });
        }
        const bad = caps ? arr(caps.add).filter((c) => c !== "NET_BIND_SERVICE") : [];
        if (bad.length) {
            out.push({ path: cpath(pod, ref, "securityContext.capabilities.add"), problem: `adds ${bad.map((c) => `"${String(c)}"`).join(", ")} for ${who(ref)}; only NET_BIND_SERVICE may be added` });
        }
    }
    return out;
}

function hostPathVolumes(pod: PodView): Finding[] {
    const out: Finding[] = [];
    arr(pod.spec.volumes).forEach((v, i) => {
        const vol = obj(v);
        if (vol && vol.hostPath !== undefined && vol.hostPath !== null) {
            out.push({ path: `${pod.specPath}.volumes[${i}].hostPath`, problem: `is set (volume "${str(vol.name) ?? i}"); hostPath volumes are forbidden` });
        }
    });
    return out;
}

const unsetPort = (v: unknown) => v === undefined || v === null || v === 0 || v === "0" || v === "";

function hostPorts(pod: PodView): Finding[] {
    const out: Finding[] = [];
    // Under hostNetwork the API server defaults a Pod's unset hostPort to its containerPort (app and init
    // containers; SetDefaults_PodSpec), so the pod reaches admission with host ports. Pods made from a
    // template get the same default when they are created.
    const hostNetwork = isTrue(pod.spec.hostNetwork);
    for (const ref of pod.containers) {
        arr(ref.c.ports).forEach((p, i) => {
            const port = obj(p);
            const hp = port?.hostPort;
            if (!unsetPort(hp)) {
                out.push({ path: cpath(pod, ref, `ports[${i}].hostPort`), problem: `is ${JSON.stringify(hp)} for ${who(ref)}; it must be unset or 0` });
            } else if (hostNetwork && ref.list !== "ephemeralContainers" && !unsetPort(port?.containerPort)) {
                out.push({
                    path: cpath(pod, ref, `ports[${i}].hostPort`),
                    problem: `is unset for ${who(ref)}, and with ${pod.specPath}.hostNetwork true the API server defaults it to containerPort ${JSON.stringify(port?.containerPort)}; host ports are forbidden`,
                });
            }
        });
    }
    return out;
}

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function appArmorProfile(pod: PodView): Finding[] {
    const out: Finding[] = [];
    const allowedType = (t: unknown) => t === "RuntimeDefault" || t === "Localhost";
    const podProfile = obj(podSc(pod)?.appArmorProfile);
    if (podProfile && !allowedType(podProfile.type)) {
        out.push({ path: `${pod.specPath}.securityContext.appArmorProfile.type`, problem: `is ${shown(podProfile.type)}; it must be RuntimeDefault or Localhost` });
    }
    for (const ref of pod.containers) {
        const p = obj(sc(ref.c)?.appArmorProfile);
        if (p && !allowedType(p.type)) {
            out.push({ path: cpath(pod, ref, "securityContext.appArmorProfile.type"), problem: `is ${shown(p.type)} for ${who(ref)}; it must be RuntimeDefault or Localhost` });
        }
    }
    const annotations = stringMap(pod.metadata.annotations);
    for (const k of Object.keys(annotations).sort()) {
        const v = annotations[k];
        if (k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(v === "" || v === "runtime/default" || v.startsWith("localhost/"))) {
            out.push({ path: `${pod.metadataPath}.annotations["${k}"]`, problem: `is "${v}"; it must be runtime/default or localhost/<profile>` });
        }
    }
    return out;
}

function seLinuxOptions(pod: PodView, version: number): Finding[] {
    const allowed = new Set(["", "container_t", "container_init_t", "container_kvm_t", ...(version >= 31 ? ["container_engine_t"] : [])]);
    const out: Finding[] = [];
    const inspect = (opts: Record<string, any> | undefined, base: string, owner: string) => {
        if (!opts) {
            return;
        }
        const type = opts.type ?? "";
        if (!allowed.has(type)) {
            out.push({ path: `${base}.type`, problem: `is ${JSON.stringify(type)}${owner}; it must be unset or one of ${[...allowed].filter(Boolean).join(", ")}` });
        }
        for (const f of ["user", "role"]) {
            const v = opts[f];
            if (v !== undefined && v !== null && v !== "") {
                out.push({ path: `${base}.${f}`, problem: `is ${JSON.stringify(v)}${owner}; it must not be set` });
            }
        }
    };
    inspect(obj(podSc(pod)?.seLinuxOptions), `${pod.specPath}.securityContext.seLinuxOptions`, "");
    for (const ref of pod.containers) {
        inspect(obj(sc(ref.c)?.seLinuxOptions), cpath(pod, ref, "securityContext.seLinuxOptions"), ` for ${who(ref)}`);
    }
    return out;
}

function procMountDefaultOnly(pod: PodView): Finding[] {
    const out: Finding[] = [];
    for (const ref of pod.containers) {
        const pm = sc(ref.c)?.procMount;
        if (pm !== undefined && pm !== null && pm !== "Default") {
            out.push({ path: cpath(pod, ref, "securityContext.procMount"), problem: `is ${JSON.stringify(pm)} for ${who(ref)}; it must be unset or Default` });
        }
    }
    return out;
}

function procMountBaseline(pod: PodView, version: number): Finding[] {
    if (version >= 35 && userNamespacePod(pod)) {
        return [];
    }
    return procMountDefaultOnly(pod);
}

const validSeccompType = (t: unknown) => t === "RuntimeDefault" || t === "Localhost";
const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

function seccompBaseline(pod: PodView, version: number): Finding[] {
    const out: Finding[] = [];
    if (version < 19) {
        const annotations = stringMap(pod.metadata.annotations);
        const validValue = (v: string) => v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
        const keys = [SECCOMP_POD_ANNOTATION, ...pod.containers.map((ref) => `${SECCOMP_CONTAINER_ANNOTATION_PREFIX}${ref.name}`)];
        for (const k of keys) {
            if (k in annotations && !validValue(annotations[k])) {
                out.push({ path: `${pod.metadataPath}.annotations["${k}"]`, problem: `is "${annotations[k]}"; it must be runtime/default, docker/default or localhost/<profile>` });
            }
        }
        return out;
    }
    const podProfile = obj(podSc(pod)?.seccompProfile);
    if (podProfile && !validSeccompType(podProfile.type)) {
        out.push({ path: `${pod.specPath}.securityContext.seccompProfile.type`, problem: `is ${shown(podProfile.type)}; it must be RuntimeDefault or Localhost` });
    }
    for (const ref of pod.containers) {
        const p = obj(sc(ref.c)?.seccompProfile);
        if (p && !validSeccompType(p.type)) {
            out.push({ path: cpath(pod, ref, "securityContext.seccompProfile.type"), problem: `is ${shown(p.type)} for ${who(ref)}; it must be RuntimeDefault or Localhost` });
        }
    }
    return out;
}

function seccompRestricted(pod: PodView, version: number): Finding[] {
    if (version >= 25 && isWindowsPod(pod)) {
        return [];
    }
    const explicit: Finding[] = [];
    const implicit: Finding[] = [];
    let podSet = false;
    const podProfile = obj(podSc(pod)?.seccompProfile);
    if (podProfile) {
        if (validSeccompType(podProfile.type)) {
            podSet = true;
        } else {
            explicit.push({ path: `${pod.specPath}.securityContext.seccompProfile.type`, problem: `is ${shown(podProfile.type)}; it must be RuntimeDefault or Localhost` });
        }
    }
    for (const ref of pod.containers) {
        const p = obj(sc(ref.c)?.seccompProfile);
        if (p) {
            if (!validSeccompType(p.type)) {
                explicit.push({ path: cpath(pod, ref, "securityContext.seccompProfile.type"), problem: `is ${shown(p.type)} for ${who(ref)}; it must be RuntimeDefault or Localhost` });
            }
        } else if (!podSet) {
            implicit.push({ path: cpath(pod, ref, "securityContext.seccompProfile.type"), problem: `is unset for ${who(ref)} and the pod sets no valid profile; set ${pod.specPath}.securityContext.seccompProfile.type (or the container's) to RuntimeDefault or Localhost` });
        }
    }
    // Upstream reports explicit bad values first; either kind makes the pod fail.
    return explicit.length ? explicit : implicit;
}

/** Safe sysctls per policy version (each set includes the earlier ones). */
const SYSCTLS: Array<[number, string[]]> = [
    [0, ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"]],
    [27, ["net.ipv4.ip_local_reserved_ports"]],
    [29, ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"]],
    [32, ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]],
    [37, ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"]],
];

/** The sysctls Baseline allows at a policy version. */
export function safeSysctls(version: number): Set<string> {
    return new Set(SYSCTLS.filter(([v]) => v <= version).flatMap(([, names]) => names));
}

function sysctls(pod: PodView, version: number): Finding[] {
    const allowed = safeSysctls(version);
    const out: Finding[] = [];
    arr(podSc(pod)?.sysctls).forEach((s, i) => {
        const name = obj(s)?.name;
        if (!allowed.has(name)) {
            out.push({ path: `${pod.specPath}.securityContext.sysctls[${i}].name`, problem: `is ${JSON.stringify(name ?? "")}, which is not a safe sysctl` });
        }
    });
    return out;
}

function windowsHostProcess(pod: PodView): Finding[] {
    const out: Finding[] = [];
    if (isTrue(at(podSc(pod), "windowsOptions", "hostProcess"))) {
        out.push({ path: `${pod.specPath}.securityContext.windowsOptions.hostProcess`, problem: "is true; it must be unset or false" });
    }
    for (const ref of pod.containers) {
        if (isTrue(at(sc(ref.c), "windowsOptions", "hostProcess"))) {
            out.push({ path: cpath(pod, ref, "securityContext.windowsOptions.hostProcess"), problem: `is true for ${who(ref)}; it must be unset or false` });
        }
    }
    return out;
}

function hostProbesAndHostLifecycle(pod: PodView): Finding[] {
    const out: Finding[] = [];
    const handlerHosts = (h: unknown, base: string, ref: ContainerRef) => {
        for (const kind of ["httpGet", "tcpSocket"]) {
            const host = at(h, kind, "host");
            if (host !== undefined && host !== null && host !== "") {
                out.push({ path: `${base}.${kind}.host`, problem: `is ${JSON.stringify(host)} for ${who(ref)}; it must be unset` });
            }
        }
    };
    for (const ref of pod.containers) {
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
            handlerHosts(ref.c[probe], cpath(pod, ref, probe), ref);
        }
        const lifecycle = obj(ref.c.lifecycle);
        if (lifecycle) {
            for (const hook of ["postStart", "preStop"]) {
                handlerHosts(lifecycle[hook], cpath(pod, ref, `lifecycle.${hook}`), ref);
            }
        }
    }
    return out;
}

/** Every inline volume source a Volume can carry (core/v1 VolumeSource). */
const VOLUME_SOURCES = ["hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
    "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume",
    "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image"];
const RESTRICTED_ALLOWED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"]);

function restrictedVolumes(pod: PodView): Finding[] {
    const out: Finding[] = [];
    arr(pod.spec.volumes).forEach((v, i) => {
        const vol = obj(v);
        if (!vol) {
            return;
        }
        const sources = VOLUME_SOURCES.filter((s) => vol[s] !== undefined && vol[s] !== null);
        // A volume with no source is defaulted to emptyDir by the API server before admission.
        if (sources.some((s) => RESTRICTED_ALLOWED_VOLUMES.has(s)) || sources.length === 0) {
            return;
        }
        out.push({ path: `${pod.specPath}.volumes[${i}].${sources[0]}`, problem: `is set (volume "${str(vol.name) ?? i}"); only ${[...RESTRICTED_ALLOWED_VOLUMES].join(", ")} volumes are allowed` });
    });
    return out;
}

function allowPrivilegeEscalation(pod: PodView, version: number): Finding[] {
    if (version >= 25 && isWindowsPod(pod)) {
        return [];
    }
    return pod.containers.filter((ref) => sc(ref.c)?.allowPrivilegeEscalation !== false)
        .map((ref) => {
            const v = sc(ref.c)?.allowPrivilegeEscalation;
            return { path: cpath(pod, ref, "securityContext.allowPrivilegeEscalation"), problem: `is ${v === undefined || v === null ? "unset" : JSON.stringify(v)} for ${who(ref)}; it must be false` };
        });
}

function runAsNonRoot(pod: PodView, version: number): Finding[] {
    if (version >= 35 && userNamespacePod(pod)) {
        return [];
    }
    const out: Finding[] = [];
    let podNonRoot = false;
    const podValue = podSc(pod)?.runAsNonRoot;
    if (podValue !== undefined && podValue !== null) {
        if (podValue === false || podValue === "false") {
            out.push({ path: `${pod.specPath}.securityContext.runAsNonRoot`, problem: "is false; it must be true" });
        } else {
            podNonRoot = podValue === true || podValue === "true";
        }
    }
    for (const ref of pod.containers) {
        const v = sc(ref.c)?.runAsNonRoot;
        if (v !== undefined && v !== null) {
            if (v === false || v === "false") {
                out.push({ path: cpath(pod, ref, "securityContext.runAsNonRoot"), problem: `is false for ${who(ref)}; it must be true` });
            }
        } else if (!podNonRoot) {
            out.push({ path: cpath(pod, ref, "securityContext.runAsNonRoot"), problem: `is unset for ${who(ref)} and the pod does not set it; set ${pod.specPath}.securityContext.runAsNonRoot (or the container's) to true` });
        }
    }
    return out;
}

function runAsUser(pod: PodView, version: number): Finding[] {
    if (version >= 35 && userNamespacePod(pod)) {
        return [];
    }
    const out: Finding[] = [];
    if (num(podSc(pod)?.runAsUser) === 0) {
        out.push({ path: `${pod.specPath}.securityContext.runAsUser`, problem: "is 0 (root); it must be unset or non-zero" });
    }
    for (const ref of pod.containers) {
        if (num(sc(ref.c)?.runAsUser) === 0) {
            out.push({ path: cpath(pod, ref, "securityContext.runAsUser"), problem: `is 0 (root) for ${who(ref)}; it must be unset or non-zero` });
        }
    }
    return out;
}

/** The registry of upstream checks, with their versions (a check exists only from its first version). */
export const PSS_CHECKS: readonly PssCheck[] = [
    { id: "hostNamespaces", level: "baseline", versions: [{ minimumVersion: 0, check: hostNamespaces }] },
    { id: "privileged", level: "baseline", versions: [{ minimumVersion: 0, check: privileged }] },
    { id: "capabilities_baseline", level: "baseline", versions: [{ minimumVersion: 0, check: capabilitiesBaseline }] },
    { id: "hostPathVolumes", level: "baseline", versions: [{ minimumVersion: 0, check: hostPathVolumes }] },
    { id: "hostPorts", level: "baseline", versions: [{ minimumVersion: 0, check: hostPorts }] },
    { id: "appArmorProfile", level: "baseline", versions: [{ minimumVersion: 0, check: appArmorProfile }] },
    { id: "seLinuxOptions", level: "baseline", versions: [{ minimumVersion: 0, check: seLinuxOptions }] },
    { id: "procMount", level: "baseline", versions: [{ minimumVersion: 0, check: procMountBaseline }] },
    { id: "seccompProfile_baseline", level: "baseline", versions: [{ minimumVersion: 0, check: seccompBaseline }] },
    { id: "sysctls", level: "baseline", versions: [{ minimumVersion: 0, check: sysctls }] },
    { id: "windowsHostProcess", level: "baseline", versions: [{ minimumVersion: 0, check: windowsHostProcess }] },
    { id: "hostProbesAndHostLifecycle", level: "baseline", versions: [{ minimumVersion: 34, check: hostProbesAndHostLifecycle }] },
    { id: "restrictedVolumes", level: "restricted", versions: [{ minimumVersion: 0, check: restrictedVolumes }], overrides: ["hostPathVolumes"] },
    { id: "allowPrivilegeEscalation", level: "restricted", versions: [{ minimumVersion: 8, check: allowPrivilegeEscalation }] },
    { id: "runAsNonRoot", level: "restricted", versions: [{ minimumVersion: 0, check: runAsNonRoot }] },
    { id: "runAsUser", level: "restricted", versions: [{ minimumVersion: 23, check: runAsUser }] },
    { id: "seccompProfile_restricted", level: "restricted", versions: [{ minimumVersion: 19, check: seccompRestricted }], overrides: ["seccompProfile_baseline"] },
    { id: "capabilities_restricted", level: "restricted", versions: [{ minimumVersion: 22, check: capabilitiesRestricted }], overrides: ["capabilities_baseline"] },
    { id: "procMount_restricted", level: "restricted", versions: [{ minimumVersion: 35, check: procMountDefaultOnly }], overrides: ["procMount"] },
];

const activeCache = new Map<string, Array<{ id: string; check: CheckFn }>>();

/** The checks in force at a level and version: Baseline ones, plus Restricted ones minus what they override. */
export function activeChecks(level: Level, version: number): Array<{ id: string; check: CheckFn }> {
    const key = `${level}:${version}`;
    let cached = activeCache.get(key);
    if (!cached) {
        cached = computeActiveChecks(level, version);
        activeCache.set(key, cached);
    }
    return cached;
}

function computeActiveChecks(level: Level, version: number): Array<{ id: string; check: CheckFn }> {
    if (level === "privileged") {
        return [];
    }
    const present = PSS_CHECKS.filter((c) => c.level === "baseline" || level === "restricted")
        .map((c) => ({ c, v: [...c.versions].reverse().find((v) => v.minimumVersion <= version) }))
        .filter((x) => x.v !== undefined);
    const overridden = new Set(present.flatMap((x) => x.c.overrides ?? []));
    return present.filter((x) => !overridden.has(x.c.id)).map((x) => ({ id: x.c.id, check: x.v!.check }));
}

/**
 * Evaluates a pod spec (with its metadata) at a level and version: the failing check IDs and their
 * findings (only the checks in `only`, when given).
 */
export function evaluatePod(pod: PodTemplate, level: Level, version: number, only?: ReadonlySet<string>): Map<string, Finding[]> {
    const view: PodView = { ...pod, containers: containersOf(pod.spec, ALL_CONTAINERS) };
    const out = new Map<string, Finding[]>();
    for (const { id, check } of activeChecks(level, version)) {
        if (only && !only.has(id)) {
            continue;
        }
        const findings = check(view, version);
        if (findings.length) {
            out.set(id, findings);
        }
    }
    return out;
}

// ------------------------------------------------------------------------------------------------
// The policies
// ------------------------------------------------------------------------------------------------

/** The policy that reports each upstream check. */
export const POLICY_FOR_CHECK: Record<string, string> = {
    hostNamespaces: "pod-security-host-namespaces",
    privileged: "pod-security-privileged",
    capabilities_baseline: "pod-security-capabilities",
    capabilities_restricted: "pod-security-capabilities",
    hostPathVolumes: "pod-security-host-path-volumes",
    hostPorts: "pod-security-host-ports",
    appArmorProfile: "pod-security-apparmor",
    seLinuxOptions: "pod-security-selinux",
    procMount: "pod-security-proc-mount",
    procMount_restricted: "pod-security-proc-mount",
    seccompProfile_baseline: "pod-security-seccomp",
    seccompProfile_restricted: "pod-security-seccomp",
    sysctls: "pod-security-sysctls",
    windowsHostProcess: "pod-security-windows-host-process",
    hostProbesAndHostLifecycle: "pod-security-host-probes",
    allowPrivilegeEscalation: "pod-security-allow-privilege-escalation",
    restrictedVolumes: "pod-security-restricted-volumes",
    runAsNonRoot: "pod-security-run-as-non-root",
    runAsUser: "pod-security-run-as-user",
};

/**
 * The policy that reports a check at a level: at Restricted, a Baseline check that a Restricted check
 * overrides is reported by the overriding check's policy (hostPathVolumes by restricted volumes).
 */
export function policyForCheck(checkId: string, level: Level, version = LATEST_MINOR): string {
    if (level === "restricted") {
        const overriding = PSS_CHECKS.find((c) => c.overrides?.includes(checkId) && c.versions.some((v) => v.minimumVersion <= version));
        if (overriding) {
            return POLICY_FOR_CHECK[overriding.id];
        }
    }
    return POLICY_FOR_CHECK[checkId];
}

interface PodSecurityConfig {
    defaultLevel: Level;
    defaultVersion: string;
    kubernetesVersion: string;
}

const PSS_CONFIG = {
    defaultLevel: {
        type: "string",
        enum: [...LEVELS],
        default: "restricted",
        description: "Level for pods whose namespace is not declared in the stack (or declares no enforce label).",
    },
    defaultVersion: {
        type: "string",
        pattern: "^(latest|v1\\.\\d+)$",
        default: "latest",
        description: "Policy version for those pods (latest, or v1.N as in pod-security.kubernetes.io/enforce-version).",
    },
    kubernetesVersion: {
        type: "string",
        pattern: "^1\\.\\d+$",
        default: DEFAULT_KUBERNETES_VERSION,
        description: `The cluster's Kubernetes minor (1.N): "latest", and any newer version label, mean its policy version, as its admission plugin reads them. Defaults to the version matrix's default (${DEFAULT_KUBERNETES_VERSION}).`,
    },
};

/**
 * Namespace name → policy declared by a Namespace object of the stack. A namespace whose labels are
 * unknown during preview maps to the SDK's unknown-value error, rethrown for the pods that need it.
 */
export function namespacePolicies(resources: PolicyResource[], latest: number = DEFAULT_POLICY_VERSION): Map<string, NamespacePolicy & { unknown?: unknown }> {
    const out = new Map<string, NamespacePolicy & { unknown?: unknown }>();
    for (const r of resources) {
        if (r.type !== T.namespace) {
            continue;
        }
        let name: string;
        try {
            name = str(at(r.props, "metadata", "name")) || r.name;
        } catch {
            continue; // A namespace whose name is unknown cannot be matched to pods.
        }
        try {
            const p = namespacePolicy(stringMap(at(r.props, "metadata", "labels")), latest);
            if (p) {
                out.set(name, p);
            }
        } catch (e) {
            if (!(e instanceof UnknownValueError)) {
                throw e;
            }
            out.set(name, { level: "restricted", version: latest, unknown: e });
        }
    }
    return out;
}

function podSecurityPolicy(name: string, checkIds: string[], description: string): StackValidationPolicy {
    const ids = new Set(checkIds);
    return stackPolicy<PodSecurityConfig>({
        name,
        description,
        enforcementLevel: "mandatory",
        config: PSS_CONFIG,
        check: (ctx) => {
            const latest = clusterPolicyVersion(ctx.config.kubernetesVersion) ?? DEFAULT_POLICY_VERSION;
            const declared = namespacePolicies(ctx.resources, latest);
            const defaultLevel = parseLevel(ctx.config.defaultLevel) ?? "restricted";
            const defaultVersion = parseVersion(ctx.config.defaultVersion, latest) ?? latest;
            const podTypes = new Set(POD_TYPES);
            for (const r of ctx.resources) {
                if (!podTypes.has(r.type)) {
                    continue;
                }
                ctx.guard(() => {
                    if (ctx.exemption(r)) {
                        return;
                    }
                    const pod = podTemplateOf(r.type, r.props);
                    if (!pod) {
                        return;
                    }
                    const ns = ctx.namespace(r);
                    const nsPolicy = declared.get(ns);
                    if (nsPolicy?.unknown) {
                        throw nsPolicy.unknown;
                    }
                    const policy = nsPolicy ?? { level: defaultLevel, version: defaultVersion };
                    const findings: Finding[] = [];
                    for (const [id, fs] of evaluatePod(pod, policy.level, policy.version, ids)) {
                        if (ids.has(id)) {
                            findings.push(...fs);
                        }
                    }
                    if (findings.length) {
                        const source = declared.has(ns) ? `its namespace "${ns}" enforces` : `the default for namespace "${ns}" is`;
                        const version = policy.version === latest ? `latest (v1.${latest})` : `v1.${policy.version}`;
                        ctx.report(r, `${ctx.subject(r)} does not meet the Pod Security "${policy.level}" standard (${source} ${policy.level}:${version}): ${findings.map((f) => `${f.path} ${f.problem}`).join("; ")}.`);
                    }
                });
            }
        },
    });
}

const on = "every Pod and pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob)";

export const podSecurityHostNamespaces = podSecurityPolicy("pod-security-host-namespaces", ["hostNamespaces"],
    `Checks whether ${on} stays out of the node's network, PID and IPC namespaces (Pod Security baseline: hostNetwork, hostPID, hostIPC unset or false).`);
export const podSecurityPrivileged = podSecurityPolicy("pod-security-privileged", ["privileged"],
    `Checks whether ${on} runs no privileged container (Pod Security baseline: securityContext.privileged unset or false).`);
export const podSecurityCapabilities = podSecurityPolicy("pod-security-capabilities", ["capabilities_baseline", "capabilities_restricted"],
    `Checks whether ${on} adds only capabilities its level allows (baseline: the default set, never NET_RAW; restricted: drop ALL and add at most NET_BIND_SERVICE).`);
export const podSecurityHostPathVolumes = podSecurityPolicy("pod-security-host-path-volumes", ["hostPathVolumes"],
    `Checks whether ${on} mounts no hostPath volume (Pod Security baseline; at restricted, pod-security-restricted-volumes reports it).`);
export const podSecurityHostPorts = podSecurityPolicy("pod-security-host-ports", ["hostPorts"],
    `Checks whether ${on} binds no host port (Pod Security baseline: ports[*].hostPort unset or 0).`);
export const podSecurityAppArmor = podSecurityPolicy("pod-security-apparmor", ["appArmorProfile"],
    `Checks whether ${on} keeps AppArmor confinement (Pod Security baseline: profile RuntimeDefault or Localhost, annotation runtime/default or localhost/*).`);
export const podSecuritySeLinux = podSecurityPolicy("pod-security-selinux", ["seLinuxOptions"],
    `Checks whether ${on} sets only allowed SELinux options (Pod Security baseline: type container_t, container_init_t, container_kvm_t or container_engine_t; no user or role).`);
export const podSecurityProcMount = podSecurityPolicy("pod-security-proc-mount", ["procMount", "procMount_restricted"],
    `Checks whether ${on} keeps the default /proc masks (Pod Security: procMount unset or Default; baseline allows Unmasked for user-namespace pods).`);
export const podSecuritySeccomp = podSecurityPolicy("pod-security-seccomp", ["seccompProfile_baseline", "seccompProfile_restricted"],
    `Checks whether ${on} uses an allowed seccomp profile (baseline: never Unconfined; restricted: RuntimeDefault or Localhost set on the pod or every container).`);
export const podSecuritySysctls = podSecurityPolicy("pod-security-sysctls", ["sysctls"],
    `Checks whether ${on} sets only safe, namespaced sysctls (Pod Security baseline).`);
export const podSecurityWindowsHostProcess = podSecurityPolicy("pod-security-windows-host-process", ["windowsHostProcess"],
    `Checks whether ${on} runs no Windows HostProcess container (Pod Security baseline: windowsOptions.hostProcess unset or false).`);
export const podSecurityHostProbes = podSecurityPolicy("pod-security-host-probes", ["hostProbesAndHostLifecycle"],
    `Checks whether ${on} leaves the host of its probes and lifecycle hooks unset (Pod Security baseline, v1.34+).`);
export const podSecurityAllowPrivilegeEscalation = podSecurityPolicy("pod-security-allow-privilege-escalation", ["allowPrivilegeEscalation"],
    `Checks whether ${on} sets allowPrivilegeEscalation to false in every container (Pod Security restricted; Windows pods exempt).`);
export const podSecurityRestrictedVolumes = podSecurityPolicy("pod-security-restricted-volumes", ["restrictedVolumes"],
    `Checks whether ${on} uses only the volume types restricted allows (configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret).`);
export const podSecurityRunAsNonRoot = podSecurityPolicy("pod-security-run-as-non-root", ["runAsNonRoot"],
    `Checks whether ${on} requires a non-root user (Pod Security restricted: runAsNonRoot true on the pod or every container).`);
export const podSecurityRunAsUser = podSecurityPolicy("pod-security-run-as-user", ["runAsUser"],
    `Checks whether ${on} never sets runAsUser to 0 (Pod Security restricted).`);

export const podSecurityPolicies: StackValidationPolicy[] = [
    podSecurityHostNamespaces, podSecurityPrivileged, podSecurityCapabilities, podSecurityHostPathVolumes, podSecurityHostPorts,
    podSecurityAppArmor, podSecuritySeLinux, podSecurityProcMount, podSecuritySeccomp, podSecuritySysctls,
    podSecurityWindowsHostProcess, podSecurityHostProbes, podSecurityAllowPrivilegeEscalation, podSecurityRestrictedVolumes,
    podSecurityRunAsNonRoot, podSecurityRunAsUser,
];

/** Kinds the Pod Security policies look at, for messages and docs. */
export const POD_KINDS = [...new Set(POD_TYPES.map(kindOf))];
