/**
 * Pure code shared by components and policy packs: imports no provider SDK, never components/ or policies/.
 *
 * The Pod Security vocabulary, in one place: the three levels, and the migration path of the field guide
 * in its order and words (warn, then audit, then enforce). ProductionNamespace's `podSecurity.stage`,
 * the Kubernetes pack's pack-wide `stage` and `require-namespace-pod-security` all use these words.
 */

/** Pod Security Standards levels, least restrictive first. */
export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;

/** The migration path, in order: each stage adds its mode's label (`pod-security.kubernetes.io/<stage>`) to those before it. */
export const POD_SECURITY_STAGES = ["warn", "audit", "enforce"] as const;
export type PodSecurityStage = (typeof POD_SECURITY_STAGES)[number];

/** The modes whose labels a namespace at `stage` sets: warn; warn and audit; or all three. */
export function modesReached(stage: PodSecurityStage): PodSecurityStage[] {
    return POD_SECURITY_STAGES.slice(0, POD_SECURITY_STAGES.indexOf(stage) + 1);
}

export function isPodSecurityStage(v: unknown): v is PodSecurityStage {
    return typeof v === "string" && (POD_SECURITY_STAGES as readonly string[]).includes(v);
}
