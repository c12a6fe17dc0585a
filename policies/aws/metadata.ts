// Per-policy metadata of the k8sprod-aws pack (severity, remediation, docs section, tags), attached to the
// policies in policies.ts; reports (SARIF rules) and the Pulumi CLI (GetAnalyzerInfo) read it there.
import { PolicyMetadata } from "../../lib/policyMetadata";

const DOCS = "docs/aws.md#the-k8sprod-aws-policy-pack-policiesaws";

export const metadata: Record<string, PolicyMetadata> = {
    "eks-multi-az": { severity: "medium", remediation: "Give the cluster subnets in at least `minZones` availability zones.", docs: DOCS, tags: ["reliability", "eks"] },
    "eks-secrets-encryption": { severity: "high", remediation: "Set `encryptionConfig` to `{ provider: { keyArn }, resources: [\"secrets\"] }` with a KMS key that rotates.", docs: DOCS, tags: ["security", "encryption", "eks"] },
    "eks-private-endpoint": { severity: "high", remediation: "Set `vpcConfig.endpointPrivateAccess: true` and turn the public endpoint off or limit `publicAccessCidrs` to known networks.", docs: DOCS, tags: ["security", "network", "eks"] },
    "eks-control-plane-logging": { severity: "medium", remediation: "Enable every control-plane log type in `enabledClusterLogTypes`.", docs: DOCS, tags: ["security", "logging", "eks"] },
    "eks-supported-version": { severity: "medium", remediation: "Set `version` to a Kubernetes minor of the version matrix.", docs: DOCS, tags: ["reliability", "eks"] },
    "require-imdsv2": { severity: "high", remediation: "Set `metadataOptions.httpTokens: required` with `httpPutResponseHopLimit: 1`, and give node groups a launch template.", docs: DOCS, tags: ["security", "ec2"] },
    "node-group-autoscaling-tags": { severity: "low", remediation: "Tag the node group for cluster-autoscaler discovery and set `maxSize` above `minSize`.", docs: DOCS, tags: ["reliability", "autoscaling"] },
    "kms-key-rotation": { severity: "medium", remediation: "Set `enableKeyRotation: true` on the key.", docs: DOCS, tags: ["security", "encryption"] },
    "log-group-encryption": { severity: "low", remediation: "Set `kmsKeyId` to a customer managed KMS key whose policy lets logs.<region>.amazonaws.com use it for the group.", docs: DOCS, tags: ["security", "encryption", "logging"] },
    "log-group-retention": { severity: "low", remediation: "Set `retentionInDays` to at least the configured minimum.", docs: DOCS, tags: ["compliance", "logging"] },
    "irsa-trust-scoped": { severity: "critical", remediation: "Add StringEquals conditions `<issuer>:sub` = `system:serviceaccount:<namespace>:<name>` and `<issuer>:aud` = `sts.amazonaws.com`.", docs: DOCS, tags: ["security", "iam"] },
    "backup-bucket-protection": { severity: "high", remediation: "Give the bucket a BucketVersioning (Enabled), an SSE-KMS default encryption, a public access block with all four switches on, and a bucket policy denying requests with `aws:SecureTransport` false.", docs: DOCS, tags: ["security", "backup", "s3"] },
    "ecr-scan-on-push": { severity: "high", remediation: "Set `imageScanningConfiguration.scanOnPush: true` on the repository.", docs: DOCS, tags: ["supply-chain", "ecr"] },
    "ecr-immutable-tags": { severity: "high", remediation: "Set `imageTagMutability: IMMUTABLE` on the repository.", docs: DOCS, tags: ["supply-chain", "ecr"] },
    "ecr-kms-encryption": { severity: "low", remediation: "Set `encryptionConfigurations: [{ encryptionType: \"KMS\", kmsKey }]` with a customer managed key.", docs: DOCS, tags: ["security", "encryption", "ecr"] },
    "required-tags": { severity: "low", remediation: "Add the required tags (`Project`, `Environment` by default) to the resource.", docs: DOCS, tags: ["cost", "tags"] },
};
