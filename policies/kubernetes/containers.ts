// Containers: read-only root filesystems where possible; writable paths come from volumes.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, at, containerLabel, containersOf, podPolicy, str } from "./lib";

export const requireReadOnlyRootFilesystem: ResourceValidationPolicy = podPolicy({
    name: "require-read-only-root-filesystem",
    description: "Checks whether every container and init container mounts its root filesystem read-only (writable paths come from emptyDir or other volumes).",
    enforcementLevel: "mandatory",
    check: (ctx, pod) => {
        if (at(pod.spec, "os", "name") === "windows") {
            ctx.notApplicable("Windows containers do not support a read-only root filesystem");
        }
        // Ephemeral containers are debugging sessions attached by kubectl debug, not part of the workload.
        for (const ref of containersOf(pod.spec, ["containers", "initContainers"])) {
            if (at(ref.c, "securityContext", "readOnlyRootFilesystem") !== true) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} has a writable root filesystem; set ${pod.specPath}.${ref.path}.securityContext.readOnlyRootFilesystem to true and mount volumes where it writes.`);
            }
        }
    },
});

export const disallowSecretEnv: ResourceValidationPolicy = podPolicy({
    name: "disallow-secret-env",
    description: "Checks whether no container reads a Secret into environment variables (env[].valueFrom.secretKeyRef, envFrom[].secretRef): mount it as a file instead, since the environment leaks into crash dumps, child processes, debug endpoints and `kubectl describe`, and never sees a rotated value.",
    enforcementLevel: "advisory",
    check: (ctx, pod) => {
        for (const ref of containersOf(pod.spec)) {
            arr(ref.c.env).forEach((e, i) => {
                const secret = at(e, "valueFrom", "secretKeyRef");
                if (secret !== undefined && secret !== null) {
                    ctx.report(`${ctx.subject}: ${containerLabel(ref)} reads Secret "${str(at(secret, "name")) ?? "?"}" key "${str(at(secret, "key")) ?? "?"}" into environment variable "${str(at(e, "name")) ?? "?"}" (${pod.specPath}.${ref.path}.env[${i}].valueFrom.secretKeyRef); mount the Secret as a file (a secret volume) and point the application at the file.`);
                }
            });
            arr(ref.c.envFrom).forEach((e, i) => {
                const secret = at(e, "secretRef");
                if (secret !== undefined && secret !== null) {
                    ctx.report(`${ctx.subject}: ${containerLabel(ref)} reads every key of Secret "${str(at(secret, "name")) ?? "?"}" into its environment (${pod.specPath}.${ref.path}.envFrom[${i}].secretRef); mount the Secret as files (a secret volume) instead.`);
                }
            });
        }
    },
});

/** The effective value of a securityContext field for a container: its own, else the pod's (as the kubelet resolves it). */
function effective(c: Record<string, any>, podSpec: Record<string, any>, field: string): unknown {
    const own = at(c, "securityContext", field);
    return own !== undefined && own !== null ? own : at(podSpec, "securityContext", field);
}

export const requireHighUidGid: ResourceValidationPolicy = podPolicy<{ minimum: number }>({
    name: "require-high-uid-gid",
    description: "Checks whether every container runs with a user and group id of at least the configured minimum (10000), set explicitly, so that a container escape does not land on a uid or gid the node uses for its own users and services.",
    enforcementLevel: "advisory",
    config: {
        minimum: { type: "integer", minimum: 1, default: 10000, description: "Lowest runAsUser and runAsGroup allowed. Defaults to 10000, above the ids distributions give to system and regular users." },
    },
    check: (ctx, pod) => {
        if (at(pod.spec, "os", "name") === "windows") {
            ctx.notApplicable("Windows containers use runAsUserName, not numeric ids");
        }
        const min = typeof ctx.config.minimum === "number" ? ctx.config.minimum : 10000;
        for (const ref of containersOf(pod.spec, ["containers", "initContainers"])) {
            const problems: string[] = [];
            for (const field of ["runAsUser", "runAsGroup"]) {
                const v = effective(ref.c, pod.spec, field);
                if (typeof v !== "number") {
                    problems.push(`${field} is unset (the image's user decides, often root)`);
                } else if (v < min) {
                    problems.push(`${field} is ${v}`);
                }
            }
            if (problems.length) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)}: ${problems.join(" and ")}; set ${pod.specPath}.securityContext.runAsUser and .runAsGroup (or the container's) to at least ${min}.`);
            }
        }
    },
});
