/**
 * IAM documents of the cluster (trust policies, IRSA, KMS use) as pure functions, and a least-privilege
 * checker that tests and the IRSA helper apply to every document.
 */

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Record<string, string | string[]>;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** AWS managed policies the cluster attaches, by purpose. */
export const MANAGED_POLICIES = {
    cluster: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
    workerNode: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    /** Pull-only ECR access for nodes (narrower than AmazonEC2ContainerRegistryReadOnly). */
    registryPull: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    /** Given to the VPC CNI through IRSA, not to the node role, so pods on the node do not inherit it. */
    cni: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ebsCsi: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
} as const;

/** A trust policy that lets one AWS service assume the role. */
export function serviceTrustPolicy(service: string, actions: string[] = ["sts:AssumeRole"]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions.length === 1 ? actions[0] : actions }],
    };
}

/** The EKS control plane's trust policy (EKS tags its sessions, so it needs sts:TagSession too). */
export function clusterTrustPolicy(): PolicyDocument {
    return serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]);
}

/** The node instance role's trust policy. */
export function nodeTrustPolicy(): PolicyDocument {
    return serviceTrustPolicy("ec2.amazonaws.com");
}

/** The OIDC issuer host and path without the scheme, as IAM condition keys want it. */
export function issuerHost(issuerUrl: string): string {
    return issuerUrl.replace(/^https:\/\//, "");
}

/**
 * The trust policy of an IRSA role: only the given service account of the given namespace, presenting a token
 * from this cluster's OIDC provider with the STS audience, may assume it. Both `sub` and `aud` are pinned with
 * StringEquals (no wildcards), so no other service account of the cluster can use the role.
 */
export function irsaTrustPolicy(oidcProviderArn: string, oidcIssuerUrl: string, namespace: string, serviceAccount: string): PolicyDocument {
    const host = issuerHost(oidcIssuerUrl);
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    [`${host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                    [`${host}:aud`]: "sts.amazonaws.com",
                },
            },
        }],
    };
}

/**
 * What the EKS control plane role needs to encrypt Kubernetes secrets with one KMS key: use of that key only, and
 * grants only for AWS resources (the pattern AWS documents for EKS envelope encryption).
 */
export function secretsKeyUsePolicy(keyArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "UseSecretsKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"], Resource: keyArn },
            {
                Sid: "GrantForAwsResources", Effect: "Allow", Action: "kms:CreateGrant", Resource: keyArn,
                Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
            },
        ],
    };
}

/** The ARN of a CloudWatch Logs group; a `*` in `name` makes it a pattern for `ArnLike`. */
export function logGroupArn(partition: string, region: string, account: string, name: string): string {
    return `arn:${partition}:logs:${region}:${account}:log-group:${name}`;
}

/** Where a CloudWatch Logs KMS key lives, and which log groups may use it. */
export interface LogsKeyScope {
    /** The account that owns the key and the groups. */
    account: string;
    /** The region of the key and the groups (CloudWatch Logs uses a key of its own region only). */
    region: string;
    /** The partition (`aws`, `aws-cn`, `aws-us-gov`). Defaults to `aws`. */
    partition?: string;
    /** The partition's DNS suffix, for the service principal. Defaults to `amazonaws.com`. */
    dnsSuffix?: string;
    /** Names of the groups that may use the key; `*` matches any run of characters (`/k8sprod/prod/*`). At least one. */
    logGroupNames: string[];
}

/**
 * The policy of a KMS key that encrypts CloudWatch Logs groups: the account root administers the key (the AWS
 * default key policy, so the account's IAM policies decide which of its principals may use it), and CloudWatch
 * Logs of the key's region may use it only for the named groups (CloudWatch Logs puts the group's ARN in the
 * encryption context, `kms:EncryptionContext:aws:logs:arn`, of every request it makes with the key).
 */
export function logsKeyPolicy(scope: LogsKeyScope): PolicyDocument {
    const partition = scope.partition ?? "aws";
    if (scope.logGroupNames.length === 0) {
        throw new Error("logsKeyPolicy: name at least one log group; a key no group may use is a mistake");
    }
    const arns = scope.logGroupNames.map((n) => logGroupArn(partition, scope.region, scope.account, n));
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${scope.account}:root` }, Action: "kms:*", Resource: "*" },
            {
                Sid: "CloudWatchLogsUsesKey",
                Effect: "Allow",
                Principal: { Service: `logs.${scope.region}.${scope.dnsSuffix ?? "amazonaws.com"}` },
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": arns.length === 1 ? arns[0] : arns } },
            },
        ],
    };
}

function list(v: string | string[] | undefined): string[] {
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * Least-privilege problems of a permissions policy: `*` or `service:*` actions, NotAction/NotResource, and
 * write actions on every resource without a condition. Returns one sentence per problem (empty when none).
 * Read-only actions (Describe*, List*, Get*) on `*` are accepted: most of them support no resource scoping.
 */
export function leastPrivilegeProblems(doc: PolicyDocument): string[] {
    const problems: string[] = [];
    doc.Statement.forEach((s, i) => {
        if (s.Effect !== "Allow") {
            return;
        }
        const where = `statement ${s.Sid ?? i}`;
        if (s.NotAction !== undefined) {
            problems.push(`${where} uses NotAction, which allows every action it does not name`);
        }
        if (s.NotResource !== undefined) {
            problems.push(`${where} uses NotResource, which allows every resource it does not name`);
        }
        const actions = list(s.Action);
        for (const a of actions) {
            if (a === "*" || /^[a-z0-9-]+:\*$/i.test(a)) {
                problems.push(`${where} allows "${a}", every action of ${a === "*" ? "every service" : a.split(":")[0]}`);
            }
        }
        const everyResource = list(s.Resource).includes("*");
        const writes = actions.filter((a) => !/^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]*$/.test(a) && a !== "*" && !/:\*$/.test(a));
        if (everyResource && writes.length > 0 && s.Condition === undefined) {
            problems.push(`${where} allows ${writes.join(", ")} on every resource ("*") without a condition`);
        }
    });
    return problems;
}

/** Problems of an IRSA trust policy: it must pin `sub` and `aud` exactly, with no wildcard. */
export function irsaTrustProblems(doc: PolicyDocument): string[] {
    const problems: string[] = [];
    doc.Statement.forEach((s, i) => {
        if (s.Effect !== "Allow" || !list(s.Action).includes("sts:AssumeRoleWithWebIdentity")) {
            return;
        }
        const eq = s.Condition?.StringEquals ?? {};
        const sub = Object.entries(eq).find(([k]) => k.endsWith(":sub"));
        const aud = Object.entries(eq).find(([k]) => k.endsWith(":aud"));
        if (!sub || list(sub[1] as string | string[]).some((v) => String(v).includes("*"))) {
            problems.push(`statement ${s.Sid ?? i} does not pin the token's sub to one service account with StringEquals`);
        }
        if (!aud || list(aud[1] as string | string[]).some((v) => v !== "sts.amazonaws.com")) {
            problems.push(`statement ${s.Sid ?? i} does not pin the token's aud to sts.amazonaws.com with StringEquals`);
        }
    });
    return problems;
}
