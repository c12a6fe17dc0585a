// What the k8sprod-aws policies share: type tokens matched as strings (the pack imports no provider SDK), safe
// readers for the properties preview sends (any field may be missing or of the wrong type), named-resource
// exemptions from config, and the two policy builders every area file uses.
import {
    EnforcementLevel, PolicyConfigSchema, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy,
    StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { arr, obj, str } from "../../lib/readers";

export const TYPES = {
    eksCluster: "aws:eks/cluster:Cluster",
    eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
    eksAddon: "aws:eks/addon:Addon",
    eksAccessEntry: "aws:eks/accessEntry:AccessEntry",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    instance: "aws:ec2/instance:Instance",
    subnet: "aws:ec2/subnet:Subnet",
    kmsKey: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    iamRole: "aws:iam/role:Role",
    ecrRepository: "aws:ecr/repository:Repository",
} as const;

/** Human names of the types, for messages. */
export const LABELS: Record<string, string> = {
    [TYPES.eksCluster]: "EKS cluster",
    [TYPES.eksNodeGroup]: "EKS node group",
    [TYPES.launchTemplate]: "Launch template",
    [TYPES.instance]: "EC2 instance",
    [TYPES.kmsKey]: "KMS key",
    [TYPES.logGroup]: "Log group",
    [TYPES.iamRole]: "IAM role",
    [TYPES.ecrRepository]: "ECR repository",
};

export { arr, obj, str };

/** A boolean that may arrive as a boolean or as the string "true"/"false" (some providers type them as strings). */
export function bool(v: unknown): boolean | undefined {
    if (typeof v === "boolean") {
        return v;
    }
    if (v === "true" || v === "false") {
        return v === "true";
    }
    return undefined;
}

export function num(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) {
        return v;
    }
    if (typeof v === "string" && /^\s*\d+\s*$/.test(v)) {
        return Number(v);
    }
    return undefined;
}

/**
 * Whether `e` is the error @pulumi/policy throws when a policy reads a value that is unknown during
 * preview (its UnknownValueError, which the SDK does not export: recognized by its fields).
 */
export function isUnknownValueError(e: unknown): e is Error {
    return e instanceof Error && "unknownTypeSentinel" in e && "props" in e;
}

/**
 * Reads a value that may be unknown during preview: `{ value }` when it is known, `{ unknown }` (the
 * SDK's error) when it is not. A policy checks what is known, reports what is wrong in it, and throws
 * `unknown` only when the decision needs the unknown part: the SDK then reports the policy as unable
 * to run during preview (an advisory "can't run policy ... during preview: <reason>" under the real
 * CLI), which the offline engine reports as "not evaluated".
 */
export function readKnown<T>(read: () => T): { value: T; unknown?: undefined } | { value?: undefined; unknown: Error } {
    try {
        return { value: read() };
    } catch (e) {
        if (isUnknownValueError(e)) {
            return { unknown: e };
        }
        throw e;
    }
}

/** A named resource the policy skips, with the reason written down. */
export interface Exemption {
    /** The Pulumi resource name. */
    name: string;
    /** Why it is exempt. */
    reason: string;
}

/** The config property every policy accepts: resources it skips, each with a reason. */
export const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
    type: "array",
    description: "Resources this policy skips, by Pulumi resource name, each with the reason it is exempt.",
    items: {
        type: "object",
        properties: { name: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 1 } },
        required: ["name", "reason"],
        additionalProperties: false,
    },
    default: [],
};

function exempt(config: Record<string, any>, name: string): boolean {
    return arr(config.exemptions).some((e) => obj(e)?.name === name);
}

/** What a resource check receives. */
export interface ResourceContext {
    type: string;
    name: string;
    props: Record<string, any>;
    config: Record<string, any>;
    /** `EKS cluster "prod"`: how messages name the resource. */
    subject: string;
    report: (message: string) => void;
}

export interface ResourcePolicySpec {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    types: readonly string[];
    config?: { [key: string]: PolicyConfigJSONSchema };
    check: (ctx: ResourceContext) => void;
    remediate?: (ctx: Omit<ResourceContext, "report">) => Record<string, any> | undefined;
}

function schemaOf(config: { [key: string]: PolicyConfigJSONSchema } = {}): PolicyConfigSchema {
    return { properties: { ...config, exemptions: EXEMPTIONS_SCHEMA } };
}

function contextOf(args: ResourceValidationArgs): Omit<ResourceContext, "report"> {
    return {
        type: args.type,
        name: args.name,
        props: args.props,
        config: args.getConfig<Record<string, any>>() ?? {},
        subject: `${LABELS[args.type] ?? args.type} "${args.name}"`,
    };
}

/** A resource policy over the given type tokens, with named-resource exemptions from config. */
export function resourcePolicy(spec: ResourcePolicySpec): ResourceValidationPolicy {
    const policy: ResourceValidationPolicy = {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel,
        configSchema: schemaOf(spec.config),
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            if (!spec.types.includes(args.type)) {
                return;
            }
            const ctx = contextOf(args);
            if (exempt(ctx.config, args.name)) {
                return;
            }
            spec.check({ ...ctx, report: (m) => report(m) });
        },
    };
    if (spec.remediate) {
        const remediate = spec.remediate;
        policy.remediateResource = (args: ResourceValidationArgs) => {
            if (!spec.types.includes(args.type)) {
                return undefined;
            }
            const ctx = contextOf(args);
            return exempt(ctx.config, args.name) ? undefined : remediate(ctx);
        };
    }
    return policy;
}

export interface StackPolicySpec {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    config?: { [key: string]: PolicyConfigJSONSchema };
    check: (resources: PolicyResource[], config: Record<string, any>, report: (message: string, urn: string) => void, args: StackValidationArgs) => void;
}

/** A stack policy; exempt resources are removed from the list it sees. */
export function stackPolicy(spec: StackPolicySpec): StackValidationPolicy {
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel,
        configSchema: schemaOf(spec.config),
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            const config = args.getConfig<Record<string, any>>() ?? {};
            const resources = args.resources.filter((r) => !exempt(config, r.name));
            spec.check(resources, config, (m, urn) => report(m, urn), args);
        },
    };
}
