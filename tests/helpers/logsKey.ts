// What a KMS key policy lets CloudWatch Logs do, read the way IAM reads it: which principals it allows, and
// whether the `kms:EncryptionContext:aws:logs:arn` condition admits a given log group ARN (ArnLike: `*` and `?`).
import { PolicyDocument, PolicyStatement } from "../../lib/iam";

function list<T>(v: T | T[] | undefined): T[] {
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Whether `arn` matches the ArnLike pattern (`*` any run of characters, `?` one). */
export function arnLike(pattern: string, arn: string): boolean {
    const re = pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("");
    return new RegExp(`^${re}$`).test(arn);
}

/** The principals of every Allow statement, as `AWS:<arn>` or `Service:<name>` (`*` for a bare wildcard). */
export function allowedPrincipals(doc: PolicyDocument): string[] {
    return doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => {
        const p = s.Principal as unknown;
        if (p === "*") {
            return ["*"];
        }
        return Object.entries((p ?? {}) as Record<string, string | string[]>).flatMap(([k, v]) => list(v).map((x) => `${k}:${x}`));
    });
}

/** The statements that allow a service principal. */
export function serviceStatements(doc: PolicyDocument): PolicyStatement[] {
    return doc.Statement.filter((s) => s.Effect === "Allow" && s.Principal !== undefined && "Service" in s.Principal);
}

/**
 * Whether the key policy lets the CloudWatch Logs service use the key for the group `groupArn`: some
 * service statement names `service` and its ArnLike condition on the logs encryption context admits the ARN.
 * A service statement without that condition admits every group.
 */
export function logsMayUseFor(doc: PolicyDocument, service: string, groupArn: string): boolean {
    return serviceStatements(doc).some((s) => {
        if (!list(s.Principal!.Service).includes(service)) {
            return false;
        }
        const patterns = list(s.Condition?.ArnLike?.["kms:EncryptionContext:aws:logs:arn"] as string | string[] | undefined);
        return patterns.length === 0 || patterns.some((p) => arnLike(p, groupArn));
    });
}
