// The policy test harness: Kubernetes objects in, violations out, through the offline engine's
// analyzer path (the handlers @pulumi/policy serves), in the style of pulumi-policy-aws's tests:
// build a happy-path object, change one field per case, assert a violation (by substring) or none.
import * as assert from "assert";
import * as path from "path";
import { analyze, EngineNotApplicable, EngineResource, EngineViolation, evaluate, loadPack, PackHandle } from "../../cli/engine/analyzer";

/** The repository root (this file runs from dist/tests/helpers). */
export const repoRoot = path.resolve(__dirname, "..", "..", "..");

let pack: PackHandle | undefined;

/** The k8sprod-kubernetes pack, loaded once per test process the way the engine loads it. */
export function kubernetesPack(): PackHandle {
    if (!pack) {
        pack = loadPack(path.join(repoRoot, "policies", "kubernetes"));
    }
    return pack;
}

/** `apps/v1` + `Deployment` → `kubernetes:apps/v1:Deployment` (core group as `core/v1`). */
export function typeToken(apiVersion: string, kind: string): string {
    const gv = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${gv}:${kind}`;
}

/** An engine resource for a Kubernetes object (URN from its type and metadata.name, or `name`). */
export function resourceOf(object: Record<string, any>, name?: string): EngineResource {
    const type = typeToken(String(object?.apiVersion ?? "v1"), String(object?.kind ?? "Unknown"));
    const ns = object?.metadata?.namespace;
    const n = name ?? `${typeof ns === "string" ? `${ns}/` : ""}${object?.metadata?.name ?? "unnamed"}`;
    return { urn: `urn:pulumi:test::k8sprod::${type}::${n}`, type, name: n, properties: object };
}

/** Evaluates objects (one stack) and returns every violation. */
export async function violationsOf(objects: Record<string, any> | Array<Record<string, any>>, config?: Record<string, any>): Promise<EngineViolation[]> {
    const list = Array.isArray(objects) ? objects : [objects];
    return analyze([kubernetesPack()], list.map((o) => resourceOf(o)), config);
}

/** The violations of one policy. */
export async function violationsOfPolicy(policy: string, objects: Record<string, any> | Array<Record<string, any>>, config?: Record<string, any>): Promise<EngineViolation[]> {
    return (await violationsOf(objects, config)).filter((v) => v.policy === policy);
}

function show(vs: EngineViolation[]): string {
    return vs.map((v) => `  ${v.policy} [${v.enforcementLevel}] ${v.message}`).join("\n") || "  (none)";
}

/** Asserts that `policy` reports a violation whose message contains every given substring; returns it. */
export async function assertViolation(policy: string, objects: Record<string, any> | Array<Record<string, any>>, contains: string | string[] = [], config?: Record<string, any>): Promise<EngineViolation> {
    const all = await violationsOf(objects, config);
    const mine = all.filter((v) => v.policy === policy);
    const wanted = Array.isArray(contains) ? contains : [contains];
    const hit = mine.find((v) => wanted.every((s) => v.message.includes(s)));
    assert.ok(hit, `expected ${policy} to report a violation containing ${JSON.stringify(wanted)}; got:\n${show(all)}`);
    return hit;
}

/** Asserts that `policy` reports nothing. */
export async function assertNoViolation(policy: string, objects: Record<string, any> | Array<Record<string, any>>, config?: Record<string, any>): Promise<void> {
    const all = await violationsOf(objects, config);
    const mine = all.filter((v) => v.policy === policy);
    assert.deepStrictEqual(mine.map((v) => v.message), [], `expected no ${policy} violation; got:\n${show(mine)}`);
}

/** A deep copy with one change applied, for "change one field per case". */
export function withChange<T>(base: T, change: (copy: T) => void): T {
    const copy = structuredClone(base);
    change(copy);
    return copy;
}

/** Evaluates objects and returns what the SDK reported as not applicable. */
export async function notApplicableOf(objects: Record<string, any> | Array<Record<string, any>>, config?: Record<string, any>): Promise<EngineNotApplicable[]> {
    const list = Array.isArray(objects) ? objects : [objects];
    return (await evaluate([kubernetesPack()], list.map((o) => resourceOf(o)), config, { notApplicable: true })).notApplicable;
}

/** Asserts that a resource policy reports itself not applicable to `object` (and reports no violation for it). */
export async function assertNotApplicable(policy: string, object: Record<string, any>, reason?: string | RegExp, config?: Record<string, any>): Promise<void> {
    const r = resourceOf(object);
    const ev = await evaluate([kubernetesPack()], [r], config, { notApplicable: true });
    const na = ev.notApplicable.filter((n) => n.policy === policy && n.urn === r.urn);
    assert.ok(na.length > 0, `expected ${policy} to be not applicable to ${r.type}; reported: ${JSON.stringify(ev.notApplicable.filter((n) => n.urn === r.urn).map((n) => n.policy))}`);
    if (reason !== undefined) {
        assert.ok(na.some((n) => typeof reason === "string" ? n.reason.includes(reason) : reason.test(n.reason)), `reasons: ${JSON.stringify(na.map((n) => n.reason))}`);
    }
    assert.deepStrictEqual(ev.violations.filter((v) => v.policy === policy).map((v) => v.message), []);
}
