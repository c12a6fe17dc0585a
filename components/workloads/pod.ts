/**
 * Pure builders and validators for the pod template the workload templates share: containers with
 * requests and limits, probes, the restricted security context, writable volumes and zone spread.
 * Nothing here creates a resource; components call these and tests call them directly.
 */
import * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/kubernetes";
import { Problems } from "../lib/errors";
import { dns1123LabelProblem } from "../lib/names";
import { formatCpu, formatMemory, parseQuantity, quantityProblem } from "../../lib/quantity";
import * as d from "./defaults";
import {
    ContainerArgs, ContainerPortArgs, ContainerResourcesArgs, HealthCheckArgs, PodIdentityArgs,
} from "./types";

/** Quality of service the workload asks for. */
export type Qos = "Burstable" | "Guaranteed";
export const QOS_CLASSES: readonly string[] = ["Burstable", "Guaranteed"];

const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Labels that select the workload's pods: stable for its lifetime (a selector cannot change). */
export function selectorLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name };
}

/** Labels on every object of a workload. */
export function commonLabels(name: string, component: string): Record<string, string> {
    return { ...selectorLabels(name), "app.kubernetes.io/component": component, "app.kubernetes.io/managed-by": "k8sprod" };
}

// ---------------------------------------------------------------------------------------------
// Validation

/** Why an image reference is refused (no tag, `latest`), or undefined when it pins a version. */
export function imageProblem(image: string): string | undefined {
    if (!image || /\s/.test(image)) {
        return `"${image}" is not an image reference`;
    }
    const [name, digest] = image.split("@", 2);
    if (digest !== undefined) {
        return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/.test(digest) ? undefined : `"${image}" has a malformed digest`;
    }
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    if (colon <= slash) {
        return `"${image}" has no tag; pin a version (e.g. ${name}:1.2.3) or a digest, so every node runs the same image`;
    }
    const tag = name.slice(colon + 1);
    if (tag === "latest") {
        return `"${image}" uses the tag latest, which changes under a running workload; pin a version or a digest`;
    }
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
        return `"${image}" has a malformed tag "${tag}"`;
    }
    return undefined;
}

function checkPort(problems: Problems, path: string, port: unknown): boolean {
    return problems.check(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535,
        path, `${JSON.stringify(port)} is not a port number (1–65535)`);
}

function checkProtocol(problems: Problems, path: string, protocol: string | undefined): void {
    if (protocol !== undefined) {
        problems.check(PROTOCOLS.includes(protocol), path, `"${protocol}" is not one of ${PROTOCOLS.join(", ")}`);
    }
}

/** Checks requests and limits: quantities well formed and positive, no limit below its request. */
export function validateResources(problems: Problems, path: string, r: ContainerResourcesArgs | undefined): void {
    if (!r || !r.requests) {
        problems.add(`${path}.requests`, "requests are required (cpu and memory): a pod without them is scheduled blindly and evicted first");
        return;
    }
    for (const key of ["cpu", "memory", "ephemeralStorage"] as const) {
        const req = key === "ephemeralStorage" ? r.requests[key] ?? d.DEFAULT_EPHEMERAL_STORAGE_REQUEST : r.requests[key];
        let reqOk = false;
        if (req === undefined || req === null || req === "") {
            problems.add(`${path}.requests.${key}`, `a ${key} request is required`);
        } else {
            const why = quantityProblem(req);
            reqOk = problems.check(why === undefined, `${path}.requests.${key}`, why ?? "");
        }
        const lim = r.limits?.[key];
        if (lim !== undefined) {
            const why = quantityProblem(lim);
            if (problems.check(why === undefined, `${path}.limits.${key}`, why ?? "") && reqOk) {
                problems.check(parseQuantity(lim)! >= parseQuantity(req)!, `${path}.limits.${key}`,
                    `the limit ${lim} is below the request ${req}`);
            }
        }
    }
}

function validateHealthCheck(problems: Problems, path: string, check: HealthCheckArgs | undefined, hasPort: boolean): void {
    const handlers = [check?.httpPath !== undefined, check?.tcp === true, check?.command !== undefined].filter(Boolean).length;
    problems.check(handlers <= 1, path, "give only one of httpPath, tcp and command");
    if (check?.command !== undefined) {
        problems.check(Array.isArray(check.command) && check.command.length > 0, `${path}.command`, "the command is empty");
    } else if (check?.port === undefined) {
        problems.check(hasPort, path, "the container has no port to probe; give a command, or a port");
    }
    if (check?.port !== undefined) {
        checkPort(problems, `${path}.port`, check.port);
    }
    if (check?.httpPath !== undefined) {
        problems.check(check.httpPath.startsWith("/"), `${path}.httpPath`, `"${check.httpPath}" must start with /`);
    }
    for (const key of ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"] as const) {
        const v = check?.[key];
        if (v !== undefined) {
            const min = key === "initialDelaySeconds" ? 0 : 1;
            problems.check(Number.isInteger(v) && v >= min, `${path}.${key}`, `${v} must be a whole number ≥ ${min}`);
        }
    }
}

/** Checks the container list of a workload (names, images, ports, resources, probes, paths). */
export function validateContainers(problems: Problems, containers: ContainerArgs[] | undefined): void {
    if (!Array.isArray(containers) || containers.length === 0) {
        problems.add("containers", "at least one container is required");
        return;
    }
    const names = new Set<string>();
    const portNames = new Set<string>();
    containers.forEach((c, i) => {
        const path = `containers[${i}]`;
        const nameWhy = typeof c.name === "string" ? dns1123LabelProblem(c.name) : "a name is required";
        if (problems.check(nameWhy === undefined, `${path}.name`, nameWhy ?? "")) {
            problems.check(!names.has(c.name), `${path}.name`, `"${c.name}" is used by two containers`);
            names.add(c.name);
        }
        const imageWhy = typeof c.image === "string" ? imageProblem(c.image) : "an image is required";
        problems.check(imageWhy === undefined, `${path}.image`, imageWhy ?? "");
        (c.ports ?? []).forEach((p, j) => {
            const pp = `${path}.ports[${j}]`;
            if (problems.check(typeof p.name === "string" && p.name.length <= 15 && IANA_SVC_NAME.test(p.name) && /[a-z]/.test(p.name),
                `${pp}.name`, `${JSON.stringify(p.name)} is not an IANA service name (≤ 15 lower-case letters, digits and '-', with a letter)`)) {
                problems.check(!portNames.has(p.name), `${pp}.name`, `"${p.name}" names two ports`);
                portNames.add(p.name);
            }
            checkPort(problems, `${pp}.containerPort`, p.containerPort);
            if (p.servicePort !== undefined) {
                checkPort(problems, `${pp}.servicePort`, p.servicePort);
            }
            checkProtocol(problems, `${pp}.protocol`, p.protocol);
        });
        validateResources(problems, `${path}.resources`, c.resources);
        const hasPort = (c.ports ?? []).length > 0;
        for (const probe of ["readiness", "liveness", "startup"] as const) {
            validateHealthCheck(problems, `${path}.probes.${probe}`, c.probes?.[probe], hasPort);
        }
        const plainNames = c.env && typeof c.env === "object" && !pulumi.Output.isInstance(c.env) ? Object.keys(c.env) : [];
        for (const key of Object.keys(c.secretEnv ?? {})) {
            problems.check(!plainNames.includes(key), `${path}.secretEnv.${key}`, `${key} is also set in env`);
            problems.check(typeof c.secretEnv![key]?.key === "string" && c.secretEnv![key].key.length > 0, `${path}.secretEnv.${key}.key`, "the Secret key is required");
        }
        for (const [file, ref] of Object.entries(c.secretFiles ?? {})) {
            const where = `${path}.secretFiles[${JSON.stringify(file)}]`;
            problems.check(file.startsWith("/") && !file.endsWith("/") && !file.split("/").includes(".."), where, `${JSON.stringify(file)} must be an absolute file path`);
            problems.check(typeof ref?.key === "string" && ref.key.length > 0, `${where}.key`, "the Secret key is required");
            const inside = (c.writablePaths ?? []).find((w) => typeof w === "string" && (file === w || file.startsWith(`${w.replace(/\/+$/, "")}/`)));
            problems.check(inside === undefined, where, `${file} is inside the writable path ${inside}; mount secrets outside writable directories`);
        }
        (c.writablePaths ?? []).forEach((p, j) => {
            problems.check(typeof p === "string" && p.startsWith("/") && p !== "/", `${path}.writablePaths[${j}]`,
                `${JSON.stringify(p)} must be an absolute directory other than /`);
        });
    });
}

/** Checks the pod identity: never root. */
export function validateIdentity(problems: Problems, identity: PodIdentityArgs | undefined): void {
    for (const key of ["runAsUser", "runAsGroup", "fsGroup"] as const) {
        const v = identity?.[key];
        if (v !== undefined) {
            problems.check(Number.isInteger(v) && v > 0, `podIdentity.${key}`,
                `${v} is not allowed: the restricted Pod Security level runs pods as a non-root user (a whole number above 0)`);
        }
    }
}

/** Checks a replica count: whole, and at least 2 so one copy survives a disruption. */
export function validateReplicaCount(problems: Problems, path: string, n: number | undefined): boolean {
    if (n === undefined) {
        return true;
    }
    return problems.check(Number.isInteger(n) && n >= d.MIN_ALLOWED_REPLICAS, path,
        `${n} replicas is below ${d.MIN_ALLOWED_REPLICAS}: a single replica is down whenever its node is drained`);
}

/**
 * Checks a PodDisruptionBudget override against the replica floor: it must allow at least one
 * disruption, or node drains and cluster upgrades block forever.
 */
export function validateDisruptionBudget(problems: Problems, pdb: { minAvailable?: string; maxUnavailable?: string } | undefined, floor: number): void {
    if (!pdb) {
        return;
    }
    if (pdb.minAvailable !== undefined && pdb.maxUnavailable !== undefined) {
        problems.add("disruptionBudget", "give minAvailable or maxUnavailable, not both");
        return;
    }
    const check = (key: "minAvailable" | "maxUnavailable", value: string) => {
        const m = /^(\d+)(%?)$/.exec(String(value));
        if (!problems.check(m !== null, `disruptionBudget.${key}`, `"${value}" is not a count or a percentage`)) {
            return;
        }
        const n = Number(m![1]);
        const pct = m![2] === "%";
        if (pct && n > 100) {
            problems.add(`disruptionBudget.${key}`, `"${value}" is more than 100%`);
            return;
        }
        // Pods that may be disrupted at the replica floor. The disruption controller rounds both
        // percentages up (GetScaledValueFromIntOrPercent with roundUp).
        const allowed = key === "minAvailable"
            ? floor - (pct ? Math.ceil((n * floor) / 100) : n)
            : (pct ? Math.ceil((n * floor) / 100) : n);
        problems.check(allowed >= 1, `disruptionBudget.${key}`,
            `${key} ${value} allows zero disruptions at ${floor} replicas, so node drains and upgrades would block`);
    };
    if (pdb.minAvailable !== undefined) {
        check("minAvailable", pdb.minAvailable);
    }
    if (pdb.maxUnavailable !== undefined) {
        check("maxUnavailable", pdb.maxUnavailable);
    }
}

/** A PodDisruptionBudget's budget from an override, or derived from the replica floor (floor − 1 must stay up). */
export function disruptionBudget(pdb: { minAvailable?: string; maxUnavailable?: string } | undefined, floor: number): { minAvailable?: number | string; maxUnavailable?: number | string } {
    const intOrString = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
    if (pdb?.maxUnavailable !== undefined) {
        return { maxUnavailable: intOrString(pdb.maxUnavailable) };
    }
    if (pdb?.minAvailable !== undefined) {
        return { minAvailable: intOrString(pdb.minAvailable) };
    }
    return { minAvailable: Math.max(1, floor - 1) };
}

// ---------------------------------------------------------------------------------------------
// Building

/** Requests and limits with the defaults applied: limits are 2 × requests, or equal for Guaranteed. */
export function resolveResources(r: ContainerResourcesArgs, qos: Qos, writableVolumeCount = 1): { requests: Record<string, string>; limits: Record<string, string> } {
    const requests = { cpu: String(r.requests.cpu), memory: String(r.requests.memory) };
    const storageRequest = String(r.requests.ephemeralStorage ?? d.DEFAULT_EPHEMERAL_STORAGE_REQUEST);
    const storageLimit = r.limits?.ephemeralStorage !== undefined ? String(r.limits.ephemeralStorage)
        : formatMemory(parseQuantity(storageRequest)! + writableVolumeCount * parseQuantity(d.DEFAULT_EMPTY_DIR_SIZE_LIMIT)!);
    const derive = (key: "cpu" | "memory"): string => {
        const given = r.limits?.[key];
        if (given !== undefined) {
            return String(given);
        }
        if (qos === "Guaranteed") {
            return requests[key];
        }
        const value = parseQuantity(requests[key])! * d.DEFAULT_LIMIT_TO_REQUEST_RATIO;
        return key === "cpu" ? formatCpu(value) : formatMemory(value);
    };
    return {
        requests: { ...requests, "ephemeral-storage": storageRequest },
        limits: { cpu: derive("cpu"), memory: derive("memory"), "ephemeral-storage": storageLimit },
    };
}

/** One probe: HTTP GET by default, TCP or exec on request. */
export function buildProbe(check: HealthCheckArgs | undefined, ports: ContainerPortArgs[], kind: "readiness" | "liveness" | "startup"): Record<string, any> {
    const port = check?.port ?? ports[0]?.containerPort;
    let handler: Record<string, any>;
    if (check?.command) {
        handler = { exec: { command: check.command } };
    } else if (check?.tcp) {
        handler = { tcpSocket: { port } };
    } else {
        handler = { httpGet: { path: check?.httpPath ?? d.DEFAULT_HEALTH_PATH, port } };
    }
    return {
        ...handler,
        initialDelaySeconds: check?.initialDelaySeconds ?? 0,
        periodSeconds: check?.periodSeconds ?? d.DEFAULT_PROBE_PERIOD_SECONDS,
        timeoutSeconds: check?.timeoutSeconds ?? d.DEFAULT_PROBE_TIMEOUT_SECONDS,
        failureThreshold: check?.failureThreshold ?? (kind === "startup" ? d.DEFAULT_STARTUP_FAILURE_THRESHOLD : d.DEFAULT_PROBE_FAILURE_THRESHOLD),
        ...(kind === "liveness" || kind === "startup" ? {} : { successThreshold: 1 }),
    };
}

/** The restricted Pod Security profile for one container. */
export function containerSecurityContext(): Record<string, any> {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** The restricted Pod Security profile for the pod, with a non-root identity. */
export function podSecurityContext(identity: PodIdentityArgs | undefined): Record<string, any> {
    return {
        runAsNonRoot: true,
        runAsUser: identity?.runAsUser ?? d.DEFAULT_UID,
        runAsGroup: identity?.runAsGroup ?? d.DEFAULT_GID,
        fsGroup: identity?.fsGroup ?? d.DEFAULT_GID,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Volume name for a writable path: `tmp`, `var-cache-nginx`, … (DNS-1123, unique per pod). */
export function writableVolumeName(path: string): string {
    const base = path.replace(/^\/+|\/+$/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "root";
    return `w-${base}`.slice(0, 63).replace(/-+$/, "");
}

/** Volume name for a container's secret file: `s-<container>-<path>` (DNS-1123, at most 63 characters, unique per pod). */
export function secretVolumeName(container: string, file: string): string {
    const base = `${container}-${file}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    let hash = 0;
    for (const ch of `${container}\0${file}`) {
        hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    }
    return `s-${base.slice(0, 50).replace(/-+$/, "")}-${hash.toString(36).slice(0, 6)}`;
}

/** Every writable path of every container, with /tmp always present, and one emptyDir each. */
export function writableVolumes(containers: ContainerArgs[]): { volumes: Array<Record<string, any>>; mounts: Map<string, Array<Record<string, any>>> } {
    const volumes = new Map<string, Record<string, any>>();
    const mounts = new Map<string, Array<Record<string, any>>>();
    for (const c of containers) {
        const paths = Array.from(new Set(["/tmp", ...(c.writablePaths ?? [])]));
        const list = paths.map((p): Record<string, any> => {
            const name = writableVolumeName(p);
            volumes.set(name, { name, emptyDir: { sizeLimit: d.DEFAULT_EMPTY_DIR_SIZE_LIMIT } });
            return { name, mountPath: p };
        });
        // Secret files: one secret volume each, the key projected to one file mounted at its path.
        for (const file of Object.keys(c.secretFiles ?? {}).sort()) {
            const ref = c.secretFiles![file];
            const name = secretVolumeName(c.name, file);
            const base = file.slice(file.lastIndexOf("/") + 1);
            volumes.set(name, { name, secret: { secretName: ref.secretName, items: [{ key: ref.key, path: base }], defaultMode: d.SECRET_FILE_MODE } });
            list.push({ name, mountPath: file, subPath: base, readOnly: true });
        }
        mounts.set(c.name, list);
    }
    return { volumes: Array.from(volumes.values()), mounts };
}

/** Plain variables first, then those read from Secrets, each sorted by name (a stable pod template). */
export function containerEnv(c: ContainerArgs): pulumi.Output<Array<Record<string, any>>> {
    return pulumi.output(c.env ?? {}).apply((env): Array<Record<string, any>> => [
        ...Object.keys(env).sort().map((name) => ({ name, value: env[name] })),
        ...Object.keys(c.secretEnv ?? {}).sort().map((name) => ({
            name, valueFrom: { secretKeyRef: { name: c.secretEnv![name].secretName, key: c.secretEnv![name].key } },
        })),
    ]);
}

/** One container with resources, probes, the restricted security context and its writable mounts. */
export function buildContainer(c: ContainerArgs, qos: Qos, extraMounts: Array<Record<string, any>>): Record<string, any> {
    const ports = c.ports ?? [];
    return {
        name: c.name,
        image: c.image,
        imagePullPolicy: "IfNotPresent",
        ...(c.command ? { command: c.command } : {}),
        ...(c.args ? { args: c.args } : {}),
        ...(c.env || c.secretEnv ? { env: containerEnv(c) } : {}),
        ports: ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? "TCP" })),
        resources: resolveResources(c.resources, qos, new Set(["/tmp", ...(c.writablePaths ?? [])]).size),
        readinessProbe: buildProbe(c.probes?.readiness, ports, "readiness"),
        livenessProbe: buildProbe(c.probes?.liveness, ports, "liveness"),
        startupProbe: buildProbe(c.probes?.startup, ports, "startup"),
        securityContext: containerSecurityContext(),
        volumeMounts: extraMounts,
    };
}

/**
 * Spread replicas across zones (hard: a zone outage must not take every replica) and across nodes
 * (soft), counting only the pods of the current revision (`matchLabelKeys`) so a rollout is spread too.
 */
export function topologySpread(labels: Record<string, string>, revisionKey: string | undefined): Array<Record<string, any>> {
    const base = { maxSkew: 1, labelSelector: { matchLabels: labels }, ...(revisionKey ? { matchLabelKeys: [revisionKey] } : {}) };
    return [
        { ...base, topologyKey: d.ZONE_TOPOLOGY_KEY, whenUnsatisfiable: "DoNotSchedule" },
        { ...base, topologyKey: d.HOSTNAME_TOPOLOGY_KEY, whenUnsatisfiable: "ScheduleAnyway" },
    ];
}

/** Preferred anti-affinity: replicas prefer other zones first, then other nodes. */
export function spreadAffinity(labels: Record<string, string>): Record<string, any> {
    const term = (topologyKey: string, weight: number) => ({
        weight,
        podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey },
    });
    return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term(d.ZONE_TOPOLOGY_KEY, 100), term(d.HOSTNAME_TOPOLOGY_KEY, 50)] } };
}

/** Every Service port of the containers: name, port, targetPort (the container port's name). */
export function servicePorts(containers: ContainerArgs[]): types.input.core.v1.ServicePort[] {
    return containers.flatMap((c) => (c.ports ?? []).map((p) => ({
        name: p.name, port: p.servicePort ?? p.containerPort, targetPort: p.name, protocol: p.protocol ?? "TCP",
    })));
}
