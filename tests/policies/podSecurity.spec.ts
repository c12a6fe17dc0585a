// Pod Security policies beyond the upstream fixtures: every kind with a pod template, the level and
// version a namespace of the stack declares, Windows pods, user namespaces, exemptions, unknown values.
import * as assert from "assert";
import { assertNoViolation, assertViolation, violationsOf } from "../helpers/policy";
import { changed, deployment, goodStack, namespace, NS, podSpec } from "./stack";

const privilegedPod = () => {
    const spec = podSpec();
    spec.containers[0].securityContext.privileged = true;
    return spec;
};

function withTemplate(kind: string, spec: Record<string, any>): Record<string, any> {
    const template = { metadata: { labels: { app: "x" } }, spec };
    const base = { metadata: { name: `x-${kind.toLowerCase()}`, namespace: NS } };
    switch (kind) {
        case "Pod": return { apiVersion: "v1", kind, ...base, spec };
        case "CronJob": return { apiVersion: "batch/v1", kind, ...base, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } } };
        case "Job": return { apiVersion: "batch/v1", kind, ...base, spec: { template } };
        case "ReplicationController": return { apiVersion: "v1", kind, ...base, spec: { template } };
        default: return { apiVersion: "apps/v1", kind, ...base, spec: { selector: { matchLabels: { app: "x" } }, template } };
    }
}

describe("Pod Security policies", () => {
    for (const kind of ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"]) {
        it(`checks the pod template of a ${kind}, naming the property path`, async () => {
            const o = withTemplate(kind, privilegedPod());
            const path = kind === "Pod" ? "spec" : kind === "CronJob" ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec";
            await assertViolation("pod-security-privileged", [namespace(), o], [`${kind} "x-${kind.toLowerCase()}" in namespace "${NS}"`, `${path}.containers[0].securityContext.privileged is true`]);
        });
    }

    it("does not look at objects without a pod template (a ConfigMap, a Service)", async () => {
        const vs = await violationsOf([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: NS }, data: { privileged: "true" } }]);
        assert.deepStrictEqual(vs.filter((v) => v.policy.startsWith("pod-security-")), []);
    });

    it("checks at the level the pod's namespace enforces in the same stack", async () => {
        const d = deployment();
        delete d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation;
        const baselineNs = namespace();
        baselineNs.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
        await assertNoViolation("pod-security-allow-privilege-escalation", [baselineNs, d]);
        const v = await assertViolation("pod-security-allow-privilege-escalation", [namespace(), d], ["does not meet the Pod Security \"restricted\" standard", `its namespace "${NS}" enforces restricted:latest (v1.35)`]);
        assert.strictEqual(v.enforcementLevel, "mandatory");
    });

    it("checks nothing in a namespace that enforces privileged", async () => {
        const ns = namespace();
        ns.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged";
        const d = deployment();
        d.spec.template.spec.hostNetwork = true;
        await assertNoViolation("pod-security-host-namespaces", [ns, d]);
    });

    it("uses the configured default level for a namespace the stack does not declare", async () => {
        const d = deployment();
        d.metadata.namespace = "elsewhere";
        delete d.spec.template.spec.securityContext.runAsNonRoot;
        await assertViolation("pod-security-run-as-non-root", [d], `the default for namespace "elsewhere" is restricted:latest (v1.35)`);
        await assertNoViolation("pod-security-run-as-non-root", [d], { podSecurity: { defaultLevel: "baseline" } });
        await assertNoViolation("pod-security-run-as-non-root", [d], { "pod-security-run-as-non-root": { defaultLevel: "privileged" } });
    });

    it("treats an invalid enforce label as restricted, as the admission controller does", async () => {
        const ns = namespace();
        ns.metadata.labels["pod-security.kubernetes.io/enforce"] = "relaxed";
        const d = deployment();
        d.spec.template.spec.containers[0].securityContext.capabilities = { drop: ["NET_RAW"] };
        await assertViolation("pod-security-capabilities", [ns, d], `capabilities.drop must include "ALL"`);
    });

    it("follows a pinned enforce-version: the host-probe check starts at v1.34", async () => {
        const d = deployment();
        d.spec.template.spec.containers[0].livenessProbe = { httpGet: { host: "10.0.0.1", path: "/", port: 80 } };
        await assertViolation("pod-security-host-probes", [namespace(), d], "livenessProbe.httpGet.host is \"10.0.0.1\"");
        const pinned = namespace();
        pinned.metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.33";
        await assertNoViolation("pod-security-host-probes", [pinned, d]);
    });

    it("follows a pinned enforce-version: sysctls safe only from the version that allowed them", async () => {
        const d = deployment();
        d.spec.template.spec.securityContext.sysctls = [{ name: "net.ipv4.tcp_keepalive_time", value: "60" }];
        await assertNoViolation("pod-security-sysctls", [namespace(), d]);
        const pinned = namespace();
        pinned.metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.28";
        await assertViolation("pod-security-sysctls", [pinned, d], "sysctls[0].name is \"net.ipv4.tcp_keepalive_time\", which is not a safe sysctl");
    });

    it("reads \"latest\" as the configured cluster's version (default: the version matrix's default minor), not the newest the pack knows", async () => {
        // net.ipv4.tcp_notsent_lowat is a safe sysctl from policy v1.37: a 1.35 API server (the matrix's default) refuses it under "latest".
        const d = deployment();
        d.spec.template.spec.securityContext.sysctls = [{ name: "net.ipv4.tcp_notsent_lowat", value: "16384" }];
        const v = await assertViolation("pod-security-sysctls", [namespace(), d], ["sysctls[0].name is \"net.ipv4.tcp_notsent_lowat\", which is not a safe sysctl", "restricted:latest (v1.35)"]);
        assert.strictEqual(v.enforcementLevel, "mandatory");
        // A namespace pinned to a version newer than the cluster is read at the cluster's version, as the server reads it.
        const pinned = namespace();
        pinned.metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.37";
        await assertViolation("pod-security-sysctls", [pinned, d], "not a safe sysctl");
        // On a 1.37 cluster it is allowed, for a declared namespace and for the configured default alike.
        await assertNoViolation("pod-security-sysctls", [namespace(), d], { podSecurity: { kubernetesVersion: "1.37" } });
        await assertNoViolation("pod-security-sysctls", [pinned, d], { "pod-security-sysctls": { kubernetesVersion: "1.37" } });
        const elsewhere = deployment();
        elsewhere.metadata.namespace = "elsewhere";
        elsewhere.spec.template.spec.securityContext.sysctls = d.spec.template.spec.securityContext.sysctls;
        await assertViolation("pod-security-sysctls", [elsewhere], "the default for namespace \"elsewhere\" is restricted:latest (v1.35)");
        await assertNoViolation("pod-security-sysctls", [elsewhere], { podSecurity: { kubernetesVersion: "1.37" } });
        await assert.rejects(() => violationsOf([d], { podSecurity: { kubernetesVersion: "v1.35" } }), /kubernetesVersion: must match pattern/);
    });

    it("reports host ports for hostNetwork pods with a containerPort: the API server defaults hostPort to it", async () => {
        const ns = namespace();
        ns.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
        const pod = withTemplate("Pod", podSpec());
        pod.spec.hostNetwork = true;
        pod.spec.initContainers = [{ ...pod.spec.containers[0], name: "init", ports: [{ containerPort: 9000 }] }];
        const v = await assertViolation("pod-security-host-ports", [ns, pod], [
            "spec.containers[0].ports[0].hostPort is unset for container \"app\", and with spec.hostNetwork true the API server defaults it to containerPort 8080",
            "spec.initContainers[0].ports[0].hostPort is unset for container \"init\"",
        ]);
        assert.strictEqual(v.enforcementLevel, "mandatory");
        // The pods of a template get the same default when they are created.
        const d = deployment();
        d.spec.template.spec.hostNetwork = true;
        await assertViolation("pod-security-host-ports", [ns, d], "spec.template.spec.containers[0].ports[0].hostPort is unset");
        // No port, or hostNetwork off: nothing to default.
        const noPorts = withTemplate("Pod", podSpec());
        noPorts.spec.hostNetwork = true;
        delete noPorts.spec.containers[0].ports;
        noPorts.spec.containers[0].readinessProbe.httpGet.port = 8080;
        noPorts.spec.containers[0].livenessProbe.httpGet.port = 8080;
        await assertNoViolation("pod-security-host-ports", [ns, noPorts]);
        await assertNoViolation("pod-security-host-ports", [ns, withTemplate("Pod", podSpec())]);
    });

    it("exempts Windows pods from the Linux-only restricted checks, not from the others", async () => {
        const d = deployment();
        d.spec.template.spec.os = { name: "windows" };
        d.spec.template.spec.containers[0].securityContext = {};
        delete d.spec.template.spec.securityContext.seccompProfile;
        const stack = [namespace(), d];
        await assertNoViolation("pod-security-allow-privilege-escalation", stack);
        await assertNoViolation("pod-security-capabilities", stack);
        await assertNoViolation("pod-security-seccomp", stack);
        d.spec.template.spec.securityContext.windowsOptions = { hostProcess: true };
        await assertViolation("pod-security-windows-host-process", stack, "securityContext.windowsOptions.hostProcess is true");
    });

    it("relaxes runAsNonRoot and runAsUser for user-namespace pods (hostUsers false), not procMount at restricted", async () => {
        const d = deployment();
        d.spec.template.spec.hostUsers = false;
        d.spec.template.spec.securityContext = { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } };
        d.spec.template.spec.containers[0].securityContext.procMount = "Unmasked";
        const stack = [namespace(), d];
        await assertNoViolation("pod-security-run-as-non-root", stack);
        await assertNoViolation("pod-security-run-as-user", stack);
        await assertViolation("pod-security-proc-mount", stack, "procMount is \"Unmasked\"");
        const baseline = namespace();
        baseline.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
        await assertNoViolation("pod-security-proc-mount", [baseline, d]);
    });

    it("reports hostPath under restricted volumes at restricted, and under host-path volumes at baseline", async () => {
        const d = deployment();
        d.spec.template.spec.volumes.push({ name: "logs", hostPath: { path: "/var/log" } });
        await assertViolation("pod-security-restricted-volumes", [namespace(), d], "spec.template.spec.volumes[1].hostPath is set (volume \"logs\")");
        await assertNoViolation("pod-security-host-path-volumes", [namespace(), d]);
        const baseline = namespace();
        baseline.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
        await assertViolation("pod-security-host-path-volumes", [baseline, d], "hostPath volumes are forbidden");
    });

    it("checks init and ephemeral containers like app containers", async () => {
        const d = deployment();
        d.spec.template.spec.initContainers = [{ name: "init", image: "busybox:1.36", securityContext: { privileged: true } }];
        d.spec.template.spec.ephemeralContainers = [{ name: "debug", image: "busybox:1.36", securityContext: { runAsUser: 0 } }];
        await assertViolation("pod-security-privileged", [namespace(), d], "initContainers[0].securityContext.privileged is true for container \"init\"");
        await assertViolation("pod-security-run-as-user", [namespace(), d], "ephemeralContainers[0].securityContext.runAsUser is 0 (root) for container \"debug\"");
    });

    it("honours exemptions from config (kube-system, a named agent), never from code", async () => {
        const agent = deployment("node-agent");
        agent.metadata.namespace = "kube-system";
        agent.spec.template.spec.hostPID = true;
        await assertViolation("pod-security-host-namespaces", [agent], "spec.template.spec.hostPID is true");
        await assertNoViolation("pod-security-host-namespaces", [agent], { exemptions: [{ namespace: "kube-system", reason: "system components run privileged" }] });
        await assertNoViolation("pod-security-host-namespaces", [agent], { "pod-security-host-namespaces": { exemptions: [{ name: "node-agent", reason: "reads node processes" }] } });
    });

    it("keeps checking other pods when one has a value unknown during preview, and reports the unknown as advisory", async () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const a = deployment("a");
        a.spec.template.spec.containers[0].securityContext.privileged = unknown;
        const b = deployment("b");
        b.spec.template.spec.containers[0].securityContext.privileged = true;
        const vs = (await violationsOf([namespace(), a, b])).filter((v) => v.policy === "pod-security-privileged");
        assert.ok(vs.some((v) => v.enforcementLevel === "mandatory" && v.message.includes(`Deployment "b"`)), JSON.stringify(vs));
        assert.ok(vs.some((v) => v.enforcementLevel === "advisory" && /can't run policy .* during preview/.test(v.message)), JSON.stringify(vs));
    });

    it("passes the happy path at restricted", async () => {
        for (const p of ["pod-security-privileged", "pod-security-capabilities", "pod-security-seccomp", "pod-security-run-as-non-root"]) {
            await assertNoViolation(p, goodStack());
        }
        await assertViolation("pod-security-seccomp", changed("Deployment", (d) => { d.spec.template.spec.securityContext.seccompProfile.type = "Unconfined"; }), "seccompProfile.type is \"Unconfined\"");
    });
});
