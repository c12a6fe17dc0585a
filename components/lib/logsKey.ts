// The KMS key behind a component's CloudWatch Logs groups, and the check of a key ARN a user gives instead.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logsKeyPolicy } from "../../lib/iam";
import { isKnown, Problems } from "./errors";

/** A KMS key ARN (any partition); a key id or alias is not accepted, since CloudWatch Logs wants the ARN. */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+/;

/** Adds a problem when `value` is known and not a KMS key ARN (an Output is taken as given). */
export function checkKmsKeyArn(problems: Problems, path: string, value: pulumi.Input<string> | undefined): void {
    if (value === undefined) {
        return;
    }
    if (isKnown(value) && (typeof value !== "string" || !KMS_KEY_ARN.test(value))) {
        problems.add(path, `${JSON.stringify(value)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`);
    }
}

/** What {@link logsKmsKey} creates. */
export interface LogsKmsKeyArgs {
    description: pulumi.Input<string>;
    /** Days before the key is deleted once scheduled for deletion (7–30). */
    deletionWindowInDays: number;
    /** The groups that may use the key, by name (`*` matches any characters). */
    logGroupNames: pulumi.Input<pulumi.Input<string>[]>;
    tags?: { [key: string]: string };
}

/**
 * A KMS key for CloudWatch Logs groups, rotation on: the account administers it, and CloudWatch Logs of the
 * provider's region may use it for the named groups only. Account, region and partition are looked up with the
 * parent's provider, so the key policy names the account and region the groups are created in.
 */
export function logsKmsKey(name: string, args: LogsKmsKeyArgs, opts: { parent: pulumi.Resource }): aws.kms.Key {
    const account = aws.getCallerIdentityOutput({}, opts).accountId;
    const region = aws.getRegionOutput({}, opts).region;
    const partition = aws.getPartitionOutput({}, opts);
    return new aws.kms.Key(name, {
        description: args.description,
        enableKeyRotation: true,
        deletionWindowInDays: args.deletionWindowInDays,
        policy: pulumi.all([account, region, partition.partition, partition.dnsSuffix, args.logGroupNames])
            .apply(([a, r, p, dns, names]) => JSON.stringify(logsKeyPolicy({ account: a, region: r, partition: p, dnsSuffix: dns, logGroupNames: names }))),
        tags: args.tags,
    }, opts);
}
