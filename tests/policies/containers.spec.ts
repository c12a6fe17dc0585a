import { assertNotApplicable, assertNoViolation, assertViolation } from "../helpers/policy";
import { changed, goodStack, service } from "./stack";

describe("containers", () => {
    describe("require-read-only-root-filesystem", () => {
        it("passes containers with a read-only root filesystem", () => assertNoViolation("require-read-only-root-filesystem", goodStack()));
        it("fails a container that leaves it writable, naming the property", () => assertViolation("require-read-only-root-filesystem",
            changed("Deployment", (d) => { delete d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem; }),
            ['Deployment "web" in namespace "shop": container "app" has a writable root filesystem', "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem to true"]));
        it("fails readOnlyRootFilesystem false in an init container", () => assertViolation("require-read-only-root-filesystem",
            changed("Deployment", (d) => { d.spec.template.spec.initContainers = [{ name: "init", image: "x:1", securityContext: { readOnlyRootFilesystem: false } }]; }),
            'init container "init" has a writable root filesystem'));
        it("does not apply to a Service", () => assertNotApplicable("require-read-only-root-filesystem", service()));
        it("does not apply to Windows pods (no read-only root filesystem there)", async () => {
            const [d] = changed("Deployment", (x) => { x.spec.template.spec.os = { name: "windows" }; delete x.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem; }).filter((o) => o.kind === "Deployment");
            await assertNotApplicable("require-read-only-root-filesystem", d, "Windows");
        });
    });
});
