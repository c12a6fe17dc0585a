// S3: a bucket that may hold backups keeps old versions, is encrypted with KMS, is never public and is reached over TLS only.
import { PolicyResource, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import { arr, bool, obj, stackPolicy, str } from "./lib";

/** S3 type tokens (the bucket and the separate resources that configure it). */
export const S3_TYPES = {
    buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    encryption: ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
} as const;

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];
const PUBLIC_ACCESS_SWITCHES = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

function list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** The configuration resources of `types` that belong to `bucket`: by dependency when the engine says, else by the `bucket` property. */
function configsOf(bucket: PolicyResource, all: PolicyResource[], types: readonly string[]): PolicyResource[] {
    return all.filter((r) => {
        if (!types.includes(r.type)) {
            return false;
        }
        const byProperty = arr(r.propertyDependencies?.bucket) as PolicyResource[];
        if (byProperty.length > 0) {
            return byProperty.some((d) => d.urn === bucket.urn);
        }
        const buckets = (arr(r.dependencies) as PolicyResource[]).filter((d) => (S3_TYPES.buckets as readonly string[]).includes(d.type));
        if (buckets.length > 0) {
            return buckets.length === 1 && buckets[0].urn === bucket.urn;
        }
        const ref = str(r.props.bucket);
        return ref !== undefined && (ref === str(bucket.props.bucket) || ref === str(bucket.props.id));
    });
}

/** Whether a bucket policy document denies every request made without TLS, to everyone, on every S3 action. */
export function deniesInsecureTransport(policy: unknown): boolean {
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return false;
        }
    }
    return list(obj(doc)?.Statement).some((raw) => {
        const s = obj(raw);
        if (!s || s.Effect !== "Deny") {
            return false;
        }
        const principal = s.Principal;
        const everyone = principal === "*" || list(obj(principal)?.AWS).includes("*");
        const actions = list(s.Action);
        const allActions = actions.includes("*") || actions.includes("s3:*");
        const secure = obj(obj(s.Condition)?.Bool)?.["aws:SecureTransport"];
        const noTls = secure === false || secure === "false" || (Array.isArray(secure) && secure.map(String).includes("false"));
        const resources = list(s.Resource).map(String);
        const coversObjects = resources.some((r) => r === "*" || r.endsWith("/*"));
        return everyone && allActions && noTls && coversObjects;
    });
}

export const backupBucketProtection: StackValidationPolicy = stackPolicy({
    name: "backup-bucket-protection",
    description: "Checks whether every S3 bucket (any bucket may hold backups) has versioning enabled, default encryption with a KMS key, every public access block switch on, and a bucket policy that denies requests made without TLS.",
    enforcementLevel: "mandatory",
    config: {
        allowS3ManagedKeys: { type: "boolean", default: false, description: "Accept SSE-S3 (AES256) default encryption instead of requiring a KMS key." },
    },
    check: (resources, config, report) => {
        let deferred: unknown;
        const algorithms = config.allowS3ManagedKeys === true ? [...KMS_ALGORITHMS, "AES256"] : KMS_ALGORITHMS;
        for (const bucket of resources.filter((r) => (S3_TYPES.buckets as readonly string[]).includes(r.type))) {
            const problems: string[] = [];
            const guard = (fn: () => void) => {
                try {
                    fn();
                } catch (e) {
                    if (!(e instanceof UnknownValueError)) {
                        throw e;
                    }
                    deferred = deferred ?? e;
                }
            };
            guard(() => {
                const versioned = configsOf(bucket, resources, S3_TYPES.versioning).some((v) => str(obj(v.props.versioningConfiguration)?.status) === "Enabled")
                    || bool(obj(bucket.props.versioning)?.enabled) === true;
                if (!versioned) {
                    problems.push("versioning is not enabled (add an aws.s3.BucketVersioning with versioningConfiguration.status \"Enabled\"), so a deleted or overwritten backup cannot be recovered");
                }
            });
            guard(() => {
                const rules = configsOf(bucket, resources, S3_TYPES.encryption).flatMap((c) => list(c.props.rules ?? c.props.rule))
                    .concat(list(obj(obj(bucket.props.serverSideEncryptionConfiguration)?.rule)));
                const encrypted = rules.some((r) => algorithms.includes(str(obj(obj(r)?.applyServerSideEncryptionByDefault)?.sseAlgorithm) ?? ""));
                if (!encrypted) {
                    problems.push(`default encryption does not use ${config.allowS3ManagedKeys === true ? "KMS or S3-managed keys" : "a KMS key"} (add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms")`);
                }
            });
            guard(() => {
                const blocks = configsOf(bucket, resources, S3_TYPES.publicAccessBlock);
                if (!blocks.some((b) => PUBLIC_ACCESS_SWITCHES.every((k) => bool(b.props[k]) === true))) {
                    problems.push(`public access is not fully blocked (add an aws.s3.BucketPublicAccessBlock with ${PUBLIC_ACCESS_SWITCHES.join(", ")} all true)`);
                }
            });
            guard(() => {
                const policies = configsOf(bucket, resources, S3_TYPES.policy);
                if (!policies.some((p) => deniesInsecureTransport(p.props.policy)) && !deniesInsecureTransport(bucket.props.policy)) {
                    problems.push("no bucket policy denies requests made without TLS (add an aws.s3.BucketPolicy statement: Effect Deny, Principal \"*\", Action \"s3:*\", the bucket and its objects, Condition Bool aws:SecureTransport \"false\")");
                }
            });
            if (problems.length > 0) {
                report(`S3 bucket "${bucket.name}": ${problems.join("; ")}.`, bucket.urn);
            }
        }
        if (deferred) {
            throw deferred;
        }
    },
});
