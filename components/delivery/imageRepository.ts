/**
 * ImageRepository: an ECR repository as the platform creates them: scanned on push, immutable tags,
 * encrypted with a customer managed KMS key, and untagged images expired by a lifecycle policy.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { childName } from "../lib/names";

/** Arguments of {@link ImageRepository}. */
export interface ImageRepositoryArgs {
    /**
     * Repository name (`team/service`): lower-case letters, digits and `._-` in `/`-separated parts, 2 to 256
     * characters, as ECR requires. Defaults to the component's name.
     */
    repositoryName?: string;
    /** Days an untagged image (a layer left by a re-push or a failed build) is kept before it expires. Defaults to 14; 1 to 365. */
    untaggedExpiryDays?: number;
    /** KMS key ARN to encrypt with. Defaults to a new customer managed key with rotation on. */
    kmsKeyArn?: pulumi.Input<string>;
    /** Tags for the repository (and the key it creates). */
    tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

export const DEFAULT_UNTAGGED_EXPIRY_DAYS = 14;
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Collects every problem with the args; the caller throws. */
export function validateImageRepositoryArgs(name: string, args: ImageRepositoryArgs | undefined, problems = new Problems()): Problems {
    const a = args ?? {};
    const repo = a.repositoryName ?? name;
    const path = a.repositoryName !== undefined ? "repositoryName" : "name";
    problems.check(typeof repo === "string" && repo.length >= 2 && repo.length <= 256 && REPOSITORY_NAME.test(repo), path,
        `${JSON.stringify(repo)} is not an ECR repository name (lower-case letters, digits, '.', '_', '-' in '/'-separated parts, 2 to 256 characters)`);
    if (a.untaggedExpiryDays !== undefined) {
        problems.check(Number.isInteger(a.untaggedExpiryDays) && a.untaggedExpiryDays >= 1 && a.untaggedExpiryDays <= 365, "untaggedExpiryDays",
            `${a.untaggedExpiryDays} is not a whole number of days from 1 to 365`);
    }
    return problems;
}

/** The ECR lifecycle policy document: untagged images expire after `days`. Tagged images are kept (they are releases). */
export function lifecyclePolicyDocument(days: number): Record<string, unknown> {
    return {
        rules: [{
            rulePriority: 1,
            description: `Expire untagged images after ${days} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: days },
            action: { type: "expire" },
        }],
    };
}

/** An ECR repository: scan on push, immutable tags, KMS encryption, lifecycle for untagged images. */
export class ImageRepository extends pulumi.ComponentResource {
    /** The repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`), for image references. */
    public readonly repositoryUrl: pulumi.Output<string>;
    /** The repository ARN. */
    public readonly arn: pulumi.Output<string>;
    /** The KMS key ARN the images are encrypted with. */
    public readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        validateImageRepositoryArgs(name, args).throwIfAny(`ImageRepository ${name}`);
        super("k8sprod:delivery:ImageRepository", name, {}, opts);
        const a = args ?? {};
        const kmsKeyArn = a.kmsKeyArn ?? new aws.kms.Key(childName(name, "key"), {
            description: `Encrypts the images of ECR repository ${a.repositoryName ?? name}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags: a.tags,
        }, { parent: this }).arn;
        const repository = new aws.ecr.Repository(childName(name, "repository"), {
            name: a.repositoryName ?? name,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: kmsKeyArn }],
            forceDelete: false,
            tags: a.tags,
        }, { parent: this });
        new aws.ecr.LifecyclePolicy(childName(name, "lifecycle"), {
            repository: repository.name,
            policy: JSON.stringify(lifecyclePolicyDocument(a.untaggedExpiryDays ?? DEFAULT_UNTAGGED_EXPIRY_DAYS)),
        }, { parent: this });
        this.repositoryUrl = repository.repositoryUrl;
        this.arn = repository.arn;
        this.kmsKeyArn = pulumi.output(kmsKeyArn);
        this.registerOutputs({ repositoryUrl: this.repositoryUrl, arn: this.arn, kmsKeyArn: this.kmsKeyArn });
    }
}
