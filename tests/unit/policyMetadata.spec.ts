import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { headingAnchor, SECURITY_SEVERITY } from "../../lib/policyMetadata";
import { metadata as awsMetadata } from "../../policies/aws/metadata";
import { policies as awsPolicies } from "../../policies/aws/policies";
import { metadata as k8sMetadata } from "../../policies/kubernetes/metadata";
import { policies as k8sPolicies } from "../../policies/kubernetes/policies";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** The anchors of a markdown file's headings. */
function anchors(file: string): Set<string> {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingAnchor(m[1])));
}

describe("per-policy metadata (severity, remediation, docs section, tags)", () => {
    for (const [pack, policies, table] of [["k8sprod-kubernetes", k8sPolicies, k8sMetadata], ["k8sprod-aws", awsPolicies, awsMetadata]] as const) {
        it(`${pack}: every policy has an entry, and every entry names a policy`, () => {
            const names = policies.map((p) => p.name).sort();
            assert.deepStrictEqual(Object.keys(table).sort(), names);
        });

        it(`${pack}: the metadata is on the policies, in @pulumi/policy's own fields`, () => {
            for (const p of policies as any[]) {
                assert.ok(Object.keys(SECURITY_SEVERITY).includes(p.severity), `${p.name}: severity ${p.severity}`);
                assert.ok(typeof p.remediationSteps === "string" && p.remediationSteps.length > 20, `${p.name}: remediation`);
                assert.ok(Array.isArray(p.tags) && p.tags.length > 0, `${p.name}: tags`);
            }
        });

        it(`${pack}: every docs link points at a heading that exists in docs/`, () => {
            for (const p of policies as any[]) {
                const [file, anchor] = String(p.url).split("#");
                assert.ok(fs.existsSync(path.join(ROOT, file)), `${p.name}: ${file}`);
                assert.ok(anchors(file).has(anchor), `${p.name}: no heading with anchor #${anchor} in ${file}`);
            }
        });
    }

    it("anchors follow GitHub's heading slugs", () => {
        assert.strictEqual(headingAnchor("Pod Security Standards (`podSecurity.ts`, stack policies)"), "pod-security-standards-podsecurityts-stack-policies");
        assert.strictEqual(headingAnchor("The `k8sprod-aws` policy pack (`policies/aws`)"), "the-k8sprod-aws-policy-pack-policiesaws");
    });
});
