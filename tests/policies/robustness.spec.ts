// A policy that throws fails every preview in the organisation. Generated malformed resources
// (missing fields, wrong types, nulls, values unknown during preview) go through the analyzer path;
// no policy may throw (an unknown value is the SDK's business: it reports it as advisory).
import * as assert from "assert";
import * as fc from "fast-check";
import { evaluate, EngineResource } from "../../cli/engine/analyzer";
import { kubernetesPack, resourceOf, typeToken } from "../helpers/policy";
import { goodStack } from "./stack";

/** The sentinels preview sends for values not known yet (@pulumi/policy proxy.ts). */
const UNKNOWNS = [
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421", "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
];

const TEMPLATES = [
    ...goodStack(),
    { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c", namespace: "shop" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: goodStack()[4].spec.template.spec } } } } },
    { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop", annotations: { "container.apparmor.security.beta.kubernetes.io/app": "runtime/default" } }, spec: goodStack()[4].spec.template.spec },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "b" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "User", name: "u" }] },
    { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "v", namespace: "shop" }, spec: { storageClassName: "gp3" } },
];

/** Every path (as key lists) in an object, objects and arrays included. */
function paths(v: any, prefix: Array<string | number> = []): Array<Array<string | number>> {
    const out: Array<Array<string | number>> = [prefix];
    if (Array.isArray(v)) {
        v.forEach((e, i) => out.push(...paths(e, [...prefix, i])));
    } else if (v && typeof v === "object") {
        for (const k of Object.keys(v)) {
            out.push(...paths(v[k], [...prefix, k]));
        }
    }
    return out;
}

function setAt(root: any, path: Array<string | number>, value: unknown): any {
    if (path.length === 0) {
        return value;
    }
    let cur = root;
    for (const k of path.slice(0, -1)) {
        cur = cur[k];
    }
    const last = path[path.length - 1];
    if (value === undefined && !Array.isArray(cur)) {
        delete cur[last];
    } else {
        cur[last] = value;
    }
    return root;
}

const junk: fc.Arbitrary<unknown> = fc.oneof(
    fc.constant(null), fc.constant(undefined), fc.constantFrom(...UNKNOWNS), fc.integer(), fc.double(), fc.boolean(),
    fc.string({ maxLength: 8 }), fc.constantFrom("", "0", "0%", "100%", "*", "latest", "default", "None", "true", "ALL", "-1"),
    fc.array(fc.oneof(fc.constant(null), fc.constantFrom(...UNKNOWNS), fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    fc.jsonValue({ maxDepth: 3 }),
);

/** A valid template with a few of its values replaced by junk (or removed). */
const malformed: fc.Arbitrary<Record<string, any>> = fc.record({
    template: fc.nat(TEMPLATES.length - 1),
    edits: fc.array(fc.tuple(fc.nat(), junk), { minLength: 1, maxLength: 6 }),
}).map(({ template, edits }) => {
    let o: any = structuredClone(TEMPLATES[template]);
    for (const [pick, value] of edits) {
        const all = paths(o).filter((p) => p.length > 0 && !(p.length === 1 && (p[0] === "apiVersion" || p[0] === "kind")));
        if (all.length === 0) {
            break;
        }
        o = setAt(o, all[pick % all.length], structuredClone(value));
    }
    return o;
});

/** Entirely random properties under a real type token. */
const random: fc.Arbitrary<EngineResource> = fc.record({
    template: fc.nat(TEMPLATES.length - 1),
    props: fc.dictionary(fc.constantFrom("apiVersion", "kind", "metadata", "spec", "rules", "roleRef", "subjects", "automountServiceAccountToken", "x"), junk, { maxKeys: 5 }),
}).map(({ template, props }) => {
    const t = TEMPLATES[template];
    const r = resourceOf(t);
    return { ...r, properties: props as Record<string, any> };
});

describe("robustness: generated malformed resources", () => {
    it("no policy throws on 10,000 malformed resources (in stacks of 50, with remediation on)", async () => {
        let evaluated = 0;
        let unknownReports = 0;
        const pack = kubernetesPack();
        const config = { "require-namespace-pod-security": "remediate" };
        await fc.assert(fc.asyncProperty(fc.array(malformed, { minLength: 40, maxLength: 40 }), fc.array(random, { minLength: 10, maxLength: 10 }), async (objects, randoms) => {
            const resources = [
                ...objects.map((o, i) => ({ ...resourceOf(o, `m${i}`), type: typeToken(String(o.apiVersion ?? "v1"), String(o.kind ?? "Pod")) })),
                ...randoms.map((r, i) => ({ ...r, urn: `${r.urn}-r${i}`, name: `${r.name}-r${i}` })),
            ];
            const ev = await evaluate([pack], resources, config);
            evaluated += resources.length;
            unknownReports += ev.violations.filter((v) => /during preview/.test(v.message)).length;
            for (const v of ev.violations) {
                assert.ok(["advisory", "mandatory"].includes(v.enforcementLevel));
                assert.ok(typeof v.message === "string" && v.message.length > 0);
            }
        }), { numRuns: 200 });
        assert.ok(evaluated >= 10_000, `only ${evaluated} resources`);
        // The generator does reach unknown values, and the SDK reports them instead of failing.
        assert.ok(unknownReports > 0);
    });
});
