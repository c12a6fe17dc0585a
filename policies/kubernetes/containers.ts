// Containers: read-only root filesystems where possible; writable paths come from volumes.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { at, containerLabel, containersOf, podPolicy } from "./lib";

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
