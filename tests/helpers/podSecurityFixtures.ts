// The Pod Security admission fixtures (tests/fixtures/pod-security-admission, upstream
// kubernetes/pod-security-admission test/testdata v1.37): each with its level, expectation, upstream
// check, and the k8sprod-kubernetes policy that must report it at that level. Shared by the policy
// tests and the `k8sprod check` tests.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** Where the fixtures live in the repository (this file runs from dist/tests/helpers). */
export const PSA_FIXTURES_DIR = path.resolve(__dirname, "..", "..", "..", "tests", "fixtures", "pod-security-admission");

export type PssLevel = "baseline" | "restricted";

export interface PssFixture {
    /** Path below PSA_FIXTURES_DIR, as upstream (`test/testdata/restricted/v1.37/fail/privileged0.yaml`). */
    fixturePath: string;
    /** Absolute path of the YAML file. */
    file: string;
    level: PssLevel;
    expected: "pass" | "fail";
    /** Upstream check ID (`privileged`, `capabilities_baseline` ...), or `*` for the level's base pod. */
    checkId: string;
    /** The policy that must report a fail fixture at its level (undefined for pass fixtures of `*`). */
    policy?: string;
    /** Other checks a fail fixture also breaks (the index's ALSO_VIOLATES note). */
    notes: string;
    /** The Pod object. */
    object: Record<string, any>;
}

/**
 * Upstream check → policy, written out here (not taken from the code under test). At restricted, a
 * Baseline check that a Restricted check overrides is reported by the overriding check's policy.
 */
const POLICY: Record<string, string> = {
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
const RESTRICTED_OVERRIDES: Record<string, string> = {
    hostPathVolumes: "restrictedVolumes",
    capabilities_baseline: "capabilities_restricted",
    seccompProfile_baseline: "seccompProfile_restricted",
    procMount: "procMount_restricted",
};

/** The policy that reports an upstream check at a level. */
export function policyFor(checkId: string, level: PssLevel): string | undefined {
    const id = level === "restricted" ? RESTRICTED_OVERRIDES[checkId] ?? checkId : checkId;
    return POLICY[id];
}

/** Every Pod Security policy name. */
export const POD_SECURITY_POLICIES = [...new Set(Object.values(POLICY))];

/** Reads INDEX.tsv and every fixture it lists. */
export function loadPssFixtures(): PssFixture[] {
    const index = fs.readFileSync(path.join(PSA_FIXTURES_DIR, "INDEX.tsv"), "utf8").split("\n");
    const out: PssFixture[] = [];
    for (const line of index) {
        if (!line.trim() || line.startsWith("#") || line.startsWith("fixture_path\t")) {
            continue;
        }
        const [fixturePath, checkId, expected, , notes] = line.split("\t");
        const level = fixturePath.split("/")[2] as PssLevel;
        const file = path.join(PSA_FIXTURES_DIR, fixturePath);
        out.push({
            fixturePath, file, level, checkId, notes: notes ?? "",
            expected: expected as "pass" | "fail",
            policy: checkId === "*" ? undefined : policyFor(checkId, level),
            object: parse(fs.readFileSync(file, "utf8")),
        });
    }
    return out;
}
