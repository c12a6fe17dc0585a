// The upstream Pod Security admission fixtures (v1.37, both levels), through the analyzer path:
// every fail fixture is reported by the policy of its check at its level, every pass fixture gets no
// Pod Security violation at its level. The level comes from a Namespace of the same stack (as the
// admission controller reads it), and again from the configured default level.
import * as assert from "assert";
import { analyze, EngineViolation } from "../../cli/engine/analyzer";
import { kubernetesPack, resourceOf } from "../helpers/policy";
import { loadPssFixtures, PssFixture, PssLevel, POD_SECURITY_POLICIES } from "../helpers/podSecurityFixtures";

const fixtures = loadPssFixtures();
const LEVELS: PssLevel[] = ["baseline", "restricted"];

function podIn(f: PssFixture, namespace?: string): Record<string, any> {
    const o = structuredClone(f.object);
    o.metadata = { ...(o.metadata ?? {}), name: `${f.level}-${f.expected}-${o.metadata?.name}` };
    if (namespace) {
        o.metadata.namespace = namespace;
    }
    return o;
}

/** Evaluates every fixture of a level in one stack; returns the Pod Security violations per fixture. */
async function run(level: PssLevel, via: "namespace" | "config"): Promise<Map<PssFixture, EngineViolation[]>> {
    const mine = fixtures.filter((f) => f.level === level);
    const ns = `pss-${level}`;
    const objects: Array<Record<string, any>> = mine.map((f) => podIn(f, ns));
    // The fixtures are upstream's v1.37 ones: checked as a 1.37 cluster reads "latest" (the pack's default
    // cluster is the version matrix's default minor, whose "latest" is older).
    let config: Record<string, any>;
    if (via === "namespace") {
        objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": level } } });
        config = Object.fromEntries(POD_SECURITY_POLICIES.map((p) => [p, { kubernetesVersion: "1.37" }]));
    } else {
        config = Object.fromEntries(POD_SECURITY_POLICIES.map((p) => [p, { defaultLevel: level, kubernetesVersion: "1.37" }]));
    }
    const resources = objects.map((o) => resourceOf(o));
    const violations = (await analyze([kubernetesPack()], resources, config)).filter((v) => v.policy.startsWith("pod-security-"));
    const out = new Map<PssFixture, EngineViolation[]>();
    mine.forEach((f, i) => out.set(f, violations.filter((v) => v.urn === resources[i].urn)));
    return out;
}

describe("Pod Security admission fixtures (kubernetes/pod-security-admission v1.37)", () => {
    it("has all 148 fixtures, both levels, pass and fail", () => {
        assert.strictEqual(fixtures.length, 148);
        for (const level of LEVELS) {
            for (const expected of ["pass", "fail"]) {
                assert.ok(fixtures.some((f) => f.level === level && f.expected === expected), `${level}/${expected}`);
            }
        }
        for (const f of fixtures.filter((x) => x.expected === "fail")) {
            assert.ok(f.policy, `no policy for ${f.checkId} at ${f.level}`);
        }
    });

    for (const via of ["namespace", "config"] as const) {
        for (const level of LEVELS) {
            describe(`${level}, level from ${via === "namespace" ? "the Namespace's enforce label in the stack" : "the configured default level"}`, () => {
                let results: Map<PssFixture, EngineViolation[]>;
                before(async () => {
                    results = await run(level, via);
                });
                for (const f of fixtures.filter((x) => x.level === level)) {
                    const name = f.fixturePath.replace(/^test\/testdata\//, "");
                    if (f.expected === "fail") {
                        it(`${name}: reported by ${f.policy}`, () => {
                            const vs = results.get(f)!;
                            const hit = vs.find((v) => v.policy === f.policy);
                            assert.ok(hit, `expected ${f.policy}; got ${JSON.stringify(vs.map((v) => v.policy))}`);
                            assert.strictEqual(hit.enforcementLevel, "mandatory");
                            assert.match(hit.message, new RegExp(`^Pod "${f.object.metadata.name ? `${f.level}-fail-${f.object.metadata.name}` : ""}" in namespace "pss-${level}" does not meet the Pod Security "${level}" standard`));
                        });
                    } else {
                        it(`${name}: no Pod Security violation`, () => {
                            const vs = results.get(f)!;
                            assert.deepStrictEqual(vs.map((v) => `${v.policy}: ${v.message}`), []);
                        });
                    }
                }
            });
        }
    }

    it("agrees on 100% of the fixtures at their level", async () => {
        let agree = 0;
        for (const level of LEVELS) {
            const results = await run(level, "namespace");
            for (const [f, vs] of results) {
                const ok = f.expected === "fail" ? vs.some((v) => v.policy === f.policy) : vs.length === 0;
                agree += ok ? 1 : 0;
            }
        }
        assert.strictEqual(agree, fixtures.length, `${agree}/${fixtures.length}`);
    });
});
