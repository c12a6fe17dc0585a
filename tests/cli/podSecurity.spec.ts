// The 148 upstream Pod Security admission fixtures (v1.37, both levels) through `k8sprod check`:
// every fail fixture is reported under the policy of its check at its level, every pass fixture gets
// no Pod Security violation at its level. Once with the fixture files as they are (the level is the
// configured default; every file its own stack), once as one stream on standard input whose
// Namespace declares the level (as the admission controller reads it).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { POD_SECURITY_POLICIES, loadPssFixtures } from "../helpers/podSecurityFixtures";
import type { PssFixture, PssLevel } from "../helpers/podSecurityFixtures";
import { ROOT, bin, cli } from "./helpers";

const fixtures = loadPssFixtures();
const LEVELS: PssLevel[] = ["baseline", "restricted"];

interface Verdict {
    policies: string[];
    levels: string[];
}

function verdicts(report: any, key: (v: any) => string): Map<string, Verdict> {
    const out = new Map<string, Verdict>();
    for (const v of report.violations) {
        if (!v.policy.startsWith("pod-security-")) {
            continue;
        }
        const k = key(v);
        const entry = out.get(k) ?? { policies: [], levels: [] };
        entry.policies.push(v.policy);
        entry.levels.push(v.enforcementLevel);
        out.set(k, entry);
    }
    return out;
}

function assertAgreement(level: PssLevel, found: (f: PssFixture) => Verdict | undefined): void {
    const disagreements: string[] = [];
    for (const f of fixtures.filter((x) => x.level === level)) {
        const got = found(f);
        if (f.expected === "fail") {
            const i = got?.policies.indexOf(f.policy!) ?? -1;
            if (i < 0) {
                disagreements.push(`${f.fixturePath}: expected ${f.policy}, got ${JSON.stringify(got?.policies ?? [])}`);
            } else if (got!.levels[i] !== "mandatory") {
                disagreements.push(`${f.fixturePath}: ${f.policy} reported as ${got!.levels[i]}`);
            }
        } else if (got) {
            disagreements.push(`${f.fixturePath}: expected no Pod Security violation, got ${JSON.stringify(got.policies)}`);
        }
    }
    assert.deepStrictEqual(disagreements, []);
}

describe("k8sprod check on the Pod Security admission fixtures (kubernetes/pod-security-admission v1.37)", function () {
    this.timeout(600000);
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-pss-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("has the 148 fixtures of both levels", () => {
        assert.strictEqual(fixtures.length, 148);
        assert.deepStrictEqual(LEVELS.map((l) => fixtures.filter((f) => f.level === l).length).reduce((a, b) => a + b), 148);
    });

    for (const level of LEVELS) {
        it(`${level}: the fixture files as they are, the level from --policy-config, every file its own stack: 100 % agreement`, () => {
            const config = path.join(tmp, `${level}.json`);
            // Upstream's v1.37 fixtures, on a 1.37 cluster (the pack's default cluster is the matrix's default minor).
            fs.writeFileSync(config, JSON.stringify(Object.fromEntries(POD_SECURITY_POLICIES.map((p) => [p, { defaultLevel: level, kubernetesVersion: "1.37" }]))));
            const mine = fixtures.filter((f) => f.level === level);
            const files = mine.map((f) => path.relative(ROOT, f.file));
            const r = bin(["check", "--each-file", "--format", "json", "--policy-config", config, ...files]);
            assert.ok(r.code === 0 || r.code === 1, r.stderr);
            const report = JSON.parse(r.stdout);
            assert.strictEqual(report.resources.length, mine.length);
            assert.deepStrictEqual(report.resources.map((x: any) => x.file), files);
            const found = verdicts(report, (v) => v.resource.file);
            assertAgreement(level, (f) => found.get(path.relative(ROOT, f.file)));
            // exit 1 exactly because the fail fixtures are mandatory violations
            assert.strictEqual(r.code, mine.some((f) => f.expected === "fail") ? 1 : 0);
        });

        it(`${level}: one stream on standard input, the level from the Namespace in it: 100 % agreement`, async () => {
            const ns = `pss-${level}`;
            const mine = fixtures.filter((f) => f.level === level);
            const docs = [
                { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": level } } },
                ...mine.map((f, i) => ({ ...f.object, metadata: { ...f.object.metadata, name: `f${i}`, namespace: ns } })),
            ];
            const stream = docs.map((d) => `---\n${stringify(d)}`).join("");
            const config = path.join(tmp, `${level}-cluster.json`);
            fs.writeFileSync(config, JSON.stringify({ podSecurity: { kubernetesVersion: "1.37" } }));
            const r = await cli(["check", "--format", "json", "--policy-config", config, "-"], stream);
            assert.ok(r.code === 0 || r.code === 1, r.stderr);
            const report = JSON.parse(r.stdout);
            assert.strictEqual(report.resources.length, mine.length + 1);
            const found = verdicts(report, (v) => `${v.resource.document}`);
            // document 0 is the Namespace; fixture i is document i + 1
            assertAgreement(level, (f) => found.get(`${mine.indexOf(f) + 1}`));
        });
    }
});
