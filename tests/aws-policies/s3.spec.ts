// backup-bucket-protection through the offline engine: a protected bucket passes, and each protection removed
// is reported, whether the engine links the configuration by dependency or only by the bucket's name.
import * as assert from "assert";
import * as path from "path";
import { analyze, EngineResource, loadPack, PackHandle } from "../../cli/engine/analyzer";
import { tlsOnlyBucketPolicy } from "../../components/backup/bucket";
import { deniesInsecureTransport } from "../../policies/aws/s3";
import { repoRoot } from "../helpers/policy";

const POLICY = "backup-bucket-protection";
let pack: PackHandle | undefined;
const urn = (type: string, name: string) => `urn:pulumi:test::k8sprod::${type}::${name}`;
function res(type: string, name: string, properties: Record<string, any>, dependencies: string[] = []): EngineResource {
    return { urn: urn(type, name), type, name, properties, dependencies };
}
const BUCKET = "aws:s3/bucket:Bucket";
const ARN = "arn:aws:s3:::backups-1234";

type Part = "versioning" | "encryption" | "pab" | "policy";
function bucketStack(o: { drop?: Part; link?: "dependency" | "name"; change?: (r: Record<Part, Record<string, any>>) => void } = {}): EngineResource[] {
    const bucket = res(BUCKET, "backups", { bucket: "backups-1234", arn: ARN, id: "backups-1234" });
    const ref = o.link === "name" ? { bucket: "backups-1234" } : { bucket: "backups-1234" };
    const deps = o.link === "name" ? [] : [bucket.urn];
    const parts: Record<Part, Record<string, any>> = {
        versioning: { ...ref, versioningConfiguration: { status: "Enabled" } },
        encryption: { ...ref, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" }, bucketKeyEnabled: true }] },
        pab: { ...ref, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        policy: { ...ref, policy: JSON.stringify(tlsOnlyBucketPolicy(ARN)) },
    };
    o.change?.(parts);
    const types: Record<Part, string> = {
        versioning: "aws:s3/bucketVersioning:BucketVersioning",
        encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        policy: "aws:s3/bucketPolicy:BucketPolicy",
    };
    return [bucket, ...(Object.keys(parts) as Part[]).filter((p) => p !== o.drop).map((p) => res(types[p], `backups-${p}`, parts[p], deps))];
}

async function messages(resources: EngineResource[], config?: Record<string, any>): Promise<string[]> {
    pack ??= loadPack(path.join(repoRoot, "policies", "aws"));
    return (await analyze([pack], resources, config)).filter((v) => v.policy === POLICY).map((v) => v.message);
}

describe(POLICY, () => {
    it("passes a versioned, KMS-encrypted, non-public, TLS-only bucket (linked by dependency or by name)", async () => {
        assert.deepStrictEqual(await messages(bucketStack()), []);
        assert.deepStrictEqual(await messages(bucketStack({ link: "name" })), []);
    });

    const cases: Array<[string, Parameters<typeof bucketStack>[0], string]> = [
        ["no versioning", { drop: "versioning" }, "versioning is not enabled"],
        ["versioning suspended", { change: (p) => { p.versioning.versioningConfiguration.status = "Suspended"; } }, "versioning is not enabled"],
        ["no encryption configuration", { drop: "encryption" }, "a KMS key"],
        ["S3-managed keys", { change: (p) => { p.encryption.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }; } }, "a KMS key"],
        ["no public access block", { drop: "pab" }, "public access is not fully blocked"],
        ["one switch off", { change: (p) => { p.pab.restrictPublicBuckets = false; } }, "public access is not fully blocked"],
        ["no bucket policy", { drop: "policy" }, "denies requests made without TLS"],
        ["policy that allows instead of denies", { change: (p) => { p.policy.policy = p.policy.policy.replace("\"Deny\"", "\"Allow\""); } }, "without TLS"],
    ];
    for (const [what, o, text] of cases) {
        it(`reports ${what}, naming the bucket`, async () => {
            const found = await messages(bucketStack(o));
            assert.strictEqual(found.length, 1, JSON.stringify(found));
            assert.match(found[0], /^S3 bucket "backups": /);
            assert.ok(found[0].includes(text), found[0]);
        });
    }

    it("accepts S3-managed keys when config allows them", async () => {
        const stack = bucketStack({ change: (p) => { p.encryption.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }; } });
        assert.deepStrictEqual(await messages(stack, { [POLICY]: { allowS3ManagedKeys: true } }), []);
    });

    it("does not credit one bucket's protections to another", async () => {
        const other = res(BUCKET, "logs", { bucket: "logs-1", arn: "arn:aws:s3:::logs-1", id: "logs-1" });
        const found = await messages([...bucketStack(), other]);
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /^S3 bucket "logs": versioning is not enabled.*; default encryption.*; public access.*; no bucket policy/);
    });

    it("exempts a bucket named in config", async () => {
        assert.deepStrictEqual(await messages(bucketStack({ drop: "policy" }), { [POLICY]: { exemptions: [{ name: "backups", reason: "a public website bucket" }] } }), []);
    });

    it("recognises the TLS-only statement only when it denies everyone, every S3 action, objects included", () => {
        const good = tlsOnlyBucketPolicy(ARN);
        assert.ok(deniesInsecureTransport(JSON.stringify(good)));
        const variant = (change: (s: any) => void) => {
            const copy = structuredClone(good);
            change(copy.Statement[0]);
            return deniesInsecureTransport(copy);
        };
        assert.ok(variant((s) => { s.Principal = "*"; }));
        assert.ok(!variant((s) => { s.Principal = { AWS: "arn:aws:iam::123456789012:root" }; }));
        assert.ok(!variant((s) => { s.Action = "s3:GetObject"; }));
        assert.ok(!variant((s) => { s.Resource = [ARN]; }));
        assert.ok(!variant((s) => { s.Condition = { Bool: { "aws:SecureTransport": "true" } }; }));
        assert.ok(!deniesInsecureTransport("{not json"));
    });
});
