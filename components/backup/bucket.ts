/**
 * The backup bucket's documents as pure functions: the TLS-only bucket policy, the lifecycle of noncurrent
 * versions, the replication role's permissions, and Velero's own permissions. Every permissions document is
 * checked with `leastPrivilegeProblems` in the tests and by IrsaRole before anything is created.
 */
import { PolicyDocument, serviceTrustPolicy } from "../../lib/iam";

/**
 * A bucket policy that refuses every request not made over TLS (`aws:SecureTransport` false), for the bucket
 * and every object in it, whoever makes it.
 */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
    };
}

/** S3 actions Velero's object store plugin uses on backup objects (velero-plugin-for-aws README, "Set permissions for Velero"). */
export const VELERO_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"] as const;
/** S3 actions Velero uses on the bucket itself. */
export const VELERO_BUCKET_ACTIONS = ["s3:ListBucket"] as const;
/** KMS actions S3 performs for Velero on an SSE-KMS bucket: data keys to write, decryption to read and to finish multipart uploads. */
export const VELERO_KMS_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/**
 * Velero's permissions: its objects in the backup bucket, listing that bucket, and the bucket key (through
 * S3 only). No EC2 action: volume snapshots are CSI snapshots, which the EBS CSI driver takes and restores
 * with its own IRSA role; Velero never calls EC2 itself (no VolumeSnapshotLocation is configured).
 */
export function veleroPolicy(bucketArn: string, keyArn: string, region: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "BackupObjects", Effect: "Allow", Action: [...VELERO_OBJECT_ACTIONS], Resource: [`${bucketArn}/*`] },
            { Sid: "ListBackupBucket", Effect: "Allow", Action: [...VELERO_BUCKET_ACTIONS], Resource: [bucketArn] },
            {
                Sid: "BucketKeyThroughS3", Effect: "Allow", Action: [...VELERO_KMS_ACTIONS], Resource: [keyArn],
                Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
            },
        ],
    };
}

/** The trust policy of the role S3 assumes to replicate the bucket. */
export function replicationTrustPolicy(): PolicyDocument {
    return serviceTrustPolicy("s3.amazonaws.com");
}

/** The buckets and keys replication reads from and writes to. */
export interface ReplicationEnds {
    sourceBucketArn: string;
    sourceKeyArn: string;
    sourceRegion: string;
    replicaBucketArn: string;
    replicaKeyArn: string;
    replicaRegion: string;
}

/**
 * What S3 replication needs (the S3 User Guide's "Setting up permissions for live replication", with SSE-KMS
 * objects): read the source's configuration and object versions, replicate into the replica bucket, decrypt
 * with the source key in the source region and encrypt with the replica key in the replica region.
 */
export function replicationPolicy(e: ReplicationEnds): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "SourceBucket", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [e.sourceBucketArn] },
            {
                Sid: "SourceVersions", Effect: "Allow",
                Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                Resource: [`${e.sourceBucketArn}/*`],
            },
            { Sid: "ReplicaObjects", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: [`${e.replicaBucketArn}/*`] },
            {
                Sid: "DecryptSource", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [e.sourceKeyArn],
                Condition: { StringLike: { "kms:ViaService": `s3.${e.sourceRegion}.amazonaws.com` } },
            },
            {
                Sid: "EncryptReplica", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: [e.replicaKeyArn],
                Condition: { StringLike: { "kms:ViaService": `s3.${e.replicaRegion}.amazonaws.com` } },
            },
        ],
    };
}

/** Days after which incomplete multipart uploads are aborted (their parts cost money and hold no backup). */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/**
 * Lifecycle of a versioned backup bucket: a version Velero deleted (or overwrote) stays recoverable for
 * `noncurrentDays` days, then expires; delete markers with no version left are removed; incomplete uploads
 * are aborted.
 */
export function backupLifecycleRules(noncurrentDays: number): Array<Record<string, any>> {
    return [
        {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
        },
        { id: "remove-expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
    ];
}

/** The public access block of every backup bucket: all four switches on. */
export const BLOCK_ALL_PUBLIC_ACCESS = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true } as const;

/** AWS region names (`us-east-1`, `eu-west-1`, `ap-southeast-2`, `us-gov-west-1`). */
export function regionProblem(region: unknown): string | undefined {
    return typeof region === "string" && /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(region) ? undefined : `${JSON.stringify(region)} is not an AWS region such as us-east-1`;
}
