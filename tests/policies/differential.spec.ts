// The analyzer's direct path (each resource deserialized once, what the SDK's handlers do around a
// policy replicated in cli/engine/direct.ts) against the SDK's own handlers, fed plain or real protobuf
// requests: the same violations, not-applicable reports and remediations, in the same order, on every
// fixture and on a generated corpus; the same failure when a policy throws.
import * as assert from "assert";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { EngineResource, evaluate, Evaluation, loadPack } from "../../cli/engine/analyzer";
import { kubernetesPack, repoRoot, resourceOf } from "../helpers/policy";
import { loadPssFixtures } from "../helpers/podSecurityFixtures";
import { goodStack } from "./stack";

const PROTOCOLS = ["direct", "handlers", "protobuf"] as const;

async function all(resources: EngineResource[], config?: Record<string, any>): Promise<Record<string, Evaluation | string>> {
    const out: Record<string, Evaluation | string> = {};
    for (const protocol of PROTOCOLS) {
        try {
            out[protocol] = await evaluate([kubernetesPack()], resources, config, { protocol, notApplicable: true });
        } catch (e: any) {
            out[protocol] = `error: ${e.message}`;
        }
    }
    return out;
}

async function assertSame(resources: EngineResource[], config?: Record<string, any>): Promise<Evaluation> {
    const r = await all(resources, config);
    assert.deepStrictEqual(r.handlers, r.protobuf, "handlers vs protobuf");
    assert.deepStrictEqual(r.direct, r.handlers, "direct vs handlers");
    assert.ok(typeof r.direct !== "string", r.direct as string);
    return r.direct as Evaluation;
}

describe("analyzer paths agree: direct, SDK handlers, SDK handlers over protobuf", () => {
    it("on the 148 Pod Security fixtures, both levels", async () => {
        const fixtures = loadPssFixtures();
        let violations = 0;
        for (const level of ["baseline", "restricted"]) {
            const objects: Array<Record<string, any>> = fixtures.filter((f) => f.level === level).map((f) => ({ ...f.object, metadata: { ...f.object.metadata, name: `${f.expected}-${f.object.metadata.name}`, namespace: "pss" } }));
            objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: "pss", labels: { "pod-security.kubernetes.io/enforce": level } } });
            violations += (await assertSame(objects.map((o) => resourceOf(o)))).violations.length;
        }
        assert.ok(violations > 100);
    });

    it("on the kube-score fixtures", async () => {
        const dir = path.join(repoRoot, "tests", "fixtures", "kube-score", "score", "testdata");
        for (const file of fs.readdirSync(dir)) {
            const docs = parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8")).map((d) => d.toJS()).filter((o) => o && typeof o === "object");
            await assertSame(docs.map((o, i) => resourceOf(o, `${file}-${i}`)));
        }
    });

    it("on the happy path, with config: levels, exemptions, thresholds, a stage, remediation", async () => {
        const stack = goodStack().map((o) => resourceOf(o));
        await assertSame(stack);
        const broken = goodStack();
        broken[0].metadata.labels = {};
        broken[4].spec.replicas = 1;
        broken[4].spec.template.spec.containers[0].image = "nginx";
        await assertSame(broken.map((o) => resourceOf(o)), {
            stage: "warn", "require-namespace-pod-security": "remediate", "require-min-replicas": { minReplicas: 2 },
            exemptions: [{ name: "db", reason: "test" }], "disallow-latest-tag": "mandatory",
        });
    });

    it("on 3,000 generated resources (valid, malformed, with unknown values)", async () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const base = goodStack();
        const value = fc.oneof(fc.constant(null), fc.constant(unknown), fc.integer(), fc.boolean(), fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }));
        const resource = fc.record({ i: fc.nat(base.length - 1), key: fc.constantFrom("spec", "metadata", "rules", "roleRef", "automountServiceAccountToken"), sub: fc.string({ maxLength: 12 }), v: value, keep: fc.boolean() })
            .map(({ i, key, sub, v, keep }) => {
                const o: any = structuredClone(base[i]);
                if (keep) {
                    o[key] = o[key] && typeof o[key] === "object" ? { ...o[key], [sub || "x"]: v } : v;
                } else {
                    o[key] = v;
                }
                return o;
            });
        const samples = fc.sample(fc.array(resource, { minLength: 60, maxLength: 60 }), { numRuns: 50, seed: 4242 });
        let n = 0;
        for (const objects of samples) {
            n += objects.length;
            await assertSame(objects.map((o, i) => resourceOf(o, `g${i}`)));
        }
        assert.strictEqual(n, 3000);
    });

    it("fails the same way when a policy throws", async () => {
        const pack = loadPack(path.join(repoRoot, "tests", "policies", "fixtures", "throwing-pack"));
        const resources = [{ urn: "urn:pulumi:t::p::kubernetes:apps/v1:Deployment::boom", type: "kubernetes:apps/v1:Deployment", name: "boom", properties: {} }];
        const errors: string[] = [];
        for (const protocol of PROTOCOLS) {
            await assert.rejects(() => evaluate([pack], resources, undefined, { protocol }), (e: any) => {
                errors.push(e.message);
                return true;
            });
        }
        assert.strictEqual(new Set(errors).size, 1, errors.join("\n---\n"));
    });
});
