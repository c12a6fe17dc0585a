// What the policies of the k8sprod-kubernetes pack share: type tokens matched as strings (the pack
// imports no provider SDK), safe readers for the Kubernetes JSON that preview sends (any field may be
// missing, of the wrong type, or null), pod-template extraction for every workload kind, namespaces,
// exemptions, and the two policy builders every area file uses.
import {
    PolicyConfigSchema, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy,
    StackValidationArgs, StackValidationPolicy, EnforcementLevel, UnknownValueError,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { arr, obj, str } from "../../lib/readers";

// ------------------------------------------------------------------------------------------------
// Safe readers
// ------------------------------------------------------------------------------------------------

export { arr, obj, str };

/** `v` when it is a finite number, else undefined. */
export function num(v: unknown): number | undefined {
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Reads a nested path through objects only; undefined as soon as a step is not an object. */
export function at(v: unknown, ...keys: string[]): any {
    let cur: any = v;
    for (const k of keys) {
        const o = obj(cur);
        if (!o) {
            return undefined;
        }
        cur = o[k];
    }
    return cur;
}

/** A plain deep copy of a JSON value read through the SDK's proxy (reads every field once; an unknown value throws as usual). */
export function plain<V>(v: V): V {
    return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** A string map (labels, annotations, matchLabels): only the string-valued entries. */
export function stringMap(v: unknown): Record<string, string> {
    const o = obj(v);
    const out: Record<string, string> = {};
    if (o) {
        for (const k of Object.keys(o)) {
            const s = o[k];
            if (typeof s === "string") {
                out[k] = s;
            }
        }
    }
    return out;
}

/** An integer-or-string Kubernetes value (intstr) as a number, when it is an integer or a digit string. */
export function intOrStringNumber(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) {
        return v;
    }
    if (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)) {
        return parseInt(v, 10);
    }
    return undefined;
}

// ------------------------------------------------------------------------------------------------
// Type tokens
// ------------------------------------------------------------------------------------------------

/** Where the pod spec and pod metadata sit in each kind that carries a pod template. */
const POD_TEMPLATE_PATHS: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": [],
    "kubernetes:apps/v1:Deployment": ["spec", "template"],
    "kubernetes:apps/v1beta1:Deployment": ["spec", "template"],
    "kubernetes:apps/v1beta2:Deployment": ["spec", "template"],
    "kubernetes:extensions/v1beta1:Deployment": ["spec", "template"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
    "kubernetes:apps/v1beta1:StatefulSet": ["spec", "template"],
    "kubernetes:apps/v1beta2:StatefulSet": ["spec", "template"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
    "kubernetes:apps/v1beta2:DaemonSet": ["spec", "template"],
    "kubernetes:extensions/v1beta1:DaemonSet": ["spec", "template"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
    "kubernetes:apps/v1beta2:ReplicaSet": ["spec", "template"],
    "kubernetes:extensions/v1beta1:ReplicaSet": ["spec", "template"],
    "kubernetes:core/v1:ReplicationController": ["spec", "template"],
    "kubernetes:batch/v1:Job": ["spec", "template"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
    "kubernetes:batch/v1beta1:CronJob": ["spec", "jobTemplate", "spec", "template"],
    "kubernetes:batch/v2alpha1:CronJob": ["spec", "jobTemplate", "spec", "template"],
};

/** Every type token whose objects carry a pod (Pod) or a pod template (the workload kinds). */
export const POD_TYPES: readonly string[] = Object.keys(POD_TEMPLATE_PATHS);

export const T = {
    namespace: "kubernetes:core/v1:Namespace",
    pod: "kubernetes:core/v1:Pod",
    service: "kubernetes:core/v1:Service",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    pdb: ["kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:policy/v1beta1:PodDisruptionBudget"],
    hpa: ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:autoscaling/v2beta2:HorizontalPodAutoscaler",
        "kubernetes:autoscaling/v2beta1:HorizontalPodAutoscaler", "kubernetes:autoscaling/v1:HorizontalPodAutoscaler"],
    roleBinding: ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kubernetes:rbac.authorization.k8s.io/v1beta1:RoleBinding"],
    clusterRoleBinding: ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRoleBinding"],
    role: ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1beta1:Role"],
    clusterRole: ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRole"],
    statefulSets: ["kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1beta1:StatefulSet", "kubernetes:apps/v1beta2:StatefulSet"],
    deployments: ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1beta1:Deployment", "kubernetes:apps/v1beta2:Deployment", "kubernetes:extensions/v1beta1:Deployment"],
} as const;

/** The kind in a type token (`kubernetes:apps/v1:Deployment` → `Deployment`). */
export function kindOf(type: string): string {
    const i = type.lastIndexOf(":");
    return i >= 0 ? type.slice(i + 1) : type;
}

/** Kinds that live outside namespaces (everything else of the `kubernetes:` provider is namespaced). */
const CLUSTER_SCOPED_KINDS = new Set([
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass", "CSIDriver", "CSINode",
    "VolumeAttachment", "CustomResourceDefinition", "APIService", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "PriorityClass", "RuntimeClass",
    "PodSecurityPolicy", "IngressClass", "ComponentStatus", "CertificateSigningRequest", "FlowSchema",
    "PriorityLevelConfiguration", "StorageVersionMigration", "VolumeAttributesClass", "DeviceClass",
    "ResourceSlice", "IPAddress", "ServiceCIDR", "ClusterTrustBundle", "RuntimeClassList", "StorageVersion",
]);

/** The API groups Kubernetes itself serves (everything else is a custom resource, whose scope only its CRD knows). */
const BUILT_IN_GROUPS = new Set([
    "core", "apps", "batch", "autoscaling", "policy", "extensions", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "discovery.k8s.io", "coordination.k8s.io", "events.k8s.io", "node.k8s.io", "scheduling.k8s.io",
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "internal.apiserver.k8s.io", "storagemigration.k8s.io",
    "authentication.k8s.io", "authorization.k8s.io",
]);

/** The parts of a `kubernetes:<group>/<version>:<Kind>` token, or undefined for other tokens (providers, Helm, YAML, patches, lists). */
function kubernetesToken(type: string): { group: string; kind: string } | undefined {
    if (!type.startsWith("kubernetes:")) {
        return undefined;
    }
    const [, mod, kind] = type.split(":");
    if (!mod || !kind || mod.startsWith("helm") || mod.startsWith("yaml") || mod.startsWith("kustomize")) {
        return undefined;
    }
    if (kind.endsWith("Patch") || kind.endsWith("List")) {
        return undefined;
    }
    return { group: mod.split("/")[0], kind };
}

/** Whether a type token names a built-in namespaced Kubernetes object (custom resources excluded: their scope is unknown here). */
export function isNamespacedKubernetesType(type: string): boolean {
    const t = kubernetesToken(type);
    return !!t && BUILT_IN_GROUPS.has(t.group) && !CLUSTER_SCOPED_KINDS.has(t.kind);
}

/** Whether an object lives in a namespace: built-in namespaced kinds, and custom resources that set metadata.namespace. */
export function isNamespacedObject(type: string, props: unknown): boolean {
    if (isNamespacedKubernetesType(type)) {
        return true;
    }
    const t = kubernetesToken(type);
    return !!t && !BUILT_IN_GROUPS.has(t.group) && typeof at(props, "metadata", "namespace") === "string" && at(props, "metadata", "namespace") !== "";
}

// ------------------------------------------------------------------------------------------------
// Pods and containers
// ------------------------------------------------------------------------------------------------

/** A pod spec found in an object, with where it sits (for messages) and its metadata. */
export interface PodTemplate {
    spec: Record<string, any>;
    metadata: Record<string, any>;
    /** Property path of the pod spec, e.g. `spec.template.spec` (or `spec` for a Pod). */
    specPath: string;
    /** Property path of the pod metadata, e.g. `spec.template.metadata`. */
    metadataPath: string;
}

/** The pod spec of an object of a pod-carrying type, or undefined (wrong type, or no spec). */
export function podTemplateOf(type: string, props: unknown): PodTemplate | undefined {
    const path = POD_TEMPLATE_PATHS[type];
    if (!path) {
        return undefined;
    }
    const holder = path.length ? at(props, ...path) : props;
    const spec = obj(at(holder, "spec"));
    if (!spec) {
        return undefined;
    }
    const prefix = path.join(".");
    return {
        spec,
        metadata: obj(at(holder, "metadata")) ?? {},
        specPath: prefix ? `${prefix}.spec` : "spec",
        metadataPath: prefix ? `${prefix}.metadata` : "metadata",
    };
}

/** One container of a pod spec, with its list and index. */
export interface ContainerRef {
    /** The container object (an object; entries that are not objects are skipped). */
    c: Record<string, any>;
    list: "containers" | "initContainers" | "ephemeralContainers";
    index: number;
    /** `containers[0]` style path below the pod spec. */
    path: string;
    /** The container's name, or its list and index when it has none. */
    name: string;
}

export type ContainerLists = ReadonlyArray<ContainerRef["list"]>;
export const ALL_CONTAINERS: ContainerLists = ["containers", "initContainers", "ephemeralContainers"];

/** The containers of a pod spec in the given lists (by default, all three, as the admission controller visits them). */
export function containersOf(spec: Record<string, any>, lists: ContainerLists = ALL_CONTAINERS): ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const list of lists) {
        const items = arr(spec[list]);
        for (let index = 0; index < items.length; index++) {
            const c = obj(items[index]);
            if (!c) {
                continue;
            }
            const path = `${list}[${index}]`;
            out.push({ c, list, index, path, name: str(c.name) ?? path });
        }
    }
    return out;
}

/** Human label for a container in messages. */
export function containerLabel(ref: ContainerRef): string {
    const what = ref.list === "initContainers" ? "init container" : ref.list === "ephemeralContainers" ? "ephemeral container" : "container";
    return `${what} "${ref.name}"`;
}

/** The declared restartPolicy of an init container is Always: a sidecar (runs for the pod's lifetime). */
export function isSidecar(ref: ContainerRef): boolean {
    return ref.list === "initContainers" && ref.c.restartPolicy === "Always";
}

/** The annotation Helm reads to run an object as a hook instead of installing it with the release. */
export const HELM_HOOK_ANNOTATION = "helm.sh/hook";

/**
 * Whether an object is a Helm test hook (`helm.sh/hook: test`, or Helm 2's test-success/test-failure,
 * alone or among other hooks): a pod `helm test` runs on demand to completion, not part of the release's
 * running workloads.
 */
export function isHelmTestHook(props: unknown): boolean {
    const hook = at(props, "metadata", "annotations", HELM_HOOK_ANNOTATION);
    return typeof hook === "string" && hook.split(",").map((h) => h.trim()).some((h) => h === "test" || h === "test-success" || h === "test-failure");
}

/**
 * Why an object's pods run to completion instead of serving, or undefined when they serve: Jobs and
 * CronJobs, pods a Job owns, bare Pods with restartPolicy Never or OnFailure, and Helm test hooks.
 */
export function runToCompletionReason(type: string, props: unknown): string | undefined {
    const kind = kindOf(type);
    if (kind === "Job" || kind === "CronJob") {
        return `a ${kind}'s pods run to completion`;
    }
    if (isHelmTestHook(props)) {
        return "a Helm test hook (helm.sh/hook: test) runs to completion when `helm test` runs it";
    }
    if (type === "kubernetes:core/v1:Pod") {
        if (arr(at(props, "metadata", "ownerReferences")).some((o) => ["Job", "CronJob"].includes(at(o, "kind")))) {
            return "pods of a Job run to completion";
        }
        const restart = at(props, "spec", "restartPolicy");
        if (restart === "Never" || restart === "OnFailure") {
            return `a Pod with spec.restartPolicy ${restart} runs to completion`;
        }
    }
    return undefined;
}

/** The replicas of a workload (default 1 when unset, as the API server defaults it), or undefined when not a number. */
export function replicasOf(props: unknown): number | undefined {
    const r = at(props, "spec", "replicas");
    if (r === undefined || r === null) {
        return 1;
    }
    return num(r);
}

// ------------------------------------------------------------------------------------------------
// Names and namespaces
// ------------------------------------------------------------------------------------------------

/** The namespace of an object: metadata.namespace, else the provider's default namespace, else "default". */
export function namespaceOf(props: unknown, provider?: { props?: any }): string {
    const ns = str(at(props, "metadata", "namespace"));
    if (ns) {
        return ns;
    }
    const providerNs = str(at(provider?.props, "namespace"));
    return providerNs || "default";
}

/** The object's metadata.name, else the Pulumi resource name. */
export function objectName(props: unknown, fallback: string): string {
    return str(at(props, "metadata", "name")) || fallback;
}

/** `Deployment "web" in namespace "shop"` (or `ClusterRole "x"` for cluster-scoped kinds). */
export function describe(type: string, props: unknown, name: string, provider?: { props?: any }): string {
    const kind = kindOf(type);
    const n = objectName(props, name);
    return isNamespacedObject(type, props) ? `${kind} "${n}" in namespace "${namespaceOf(props, provider)}"` : `${kind} "${n}"`;
}

// ------------------------------------------------------------------------------------------------
// Exemptions
// ------------------------------------------------------------------------------------------------

/** An exemption from one policy, written in config with the reason it exists. */
export interface Exemption {
    /** Namespace the exemption covers (exact, or a prefix ending in `*`). */
    namespace?: string;
    /** Object name (metadata.name or Pulumi name) the exemption covers (exact, or a prefix ending in `*`). */
    name?: string;
    /** Kind the exemption covers (e.g. `DaemonSet`). */
    kind?: string;
    /** Why this is exempt (required). */
    reason: string;
}

/** The config schema fragment every policy accepts. */
export const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
    type: "array",
    description: "Objects this policy does not apply to. Each entry matches by namespace, name and/or kind (a trailing * matches a prefix) and must give its reason.",
    items: {
        type: "object",
        properties: {
            namespace: { type: "string", minLength: 1 },
            name: { type: "string", minLength: 1 },
            kind: { type: "string", minLength: 1 },
            reason: { type: "string", minLength: 1 },
        },
        required: ["reason"],
        // The reason and at least one of namespace, name, kind.
        minProperties: 2,
        additionalProperties: false,
    },
    default: [],
};

function globMatch(pattern: string, value: string): boolean {
    return pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : pattern === value;
}

/** The exemption that covers an object, if any. */
export function exemptionFor(exemptions: unknown, type: string, props: unknown, name: string, provider?: { props?: any }): Exemption | undefined {
    for (const raw of arr(exemptions)) {
        const e = obj(raw) as Exemption | undefined;
        if (!e || (!e.namespace && !e.name && !e.kind)) {
            continue;
        }
        if (e.kind && e.kind !== kindOf(type)) {
            continue;
        }
        if (e.namespace) {
            // A Namespace object is covered by an exemption of its own namespace.
            const ns = kindOf(type) === "Namespace" ? str(at(props, "metadata", "name")) ?? name
                : isNamespacedObject(type, props) ? namespaceOf(props, provider) : undefined;
            if (ns === undefined || !globMatch(e.namespace, ns)) {
                continue;
            }
        }
        if (e.name) {
            const objName = str(at(props, "metadata", "name"));
            if (!globMatch(e.name, name) && !(objName && globMatch(e.name, objName))) {
                continue;
            }
        }
        return e;
    }
    return undefined;
}

// ------------------------------------------------------------------------------------------------
// Policy builders
// ------------------------------------------------------------------------------------------------

/** What a resource check receives. */
export interface ResourceContext<C> {
    type: string;
    props: Record<string, any>;
    /** The Pulumi resource name. */
    name: string;
    urn: string;
    /** This policy's config (schema defaults filled in by the CLI or the engine). */
    config: C;
    /** `Deployment "web" in namespace "shop"`. */
    subject: string;
    namespace: string;
    provider?: { props?: any };
    report: (message: string) => void;
    /** Ends the check as not applicable (the SDK records the reason). */
    notApplicable: (reason: string) => never;
}

interface ResourcePolicyDef<C> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** Type tokens this policy applies to (a list, or a predicate with its not-applicable reason); every other type is reported not applicable. */
    types: readonly string[] | { test: (type: string) => boolean; reason: string };
    /** Config properties beyond `exemptions` (each with a default). */
    config?: Record<string, any>;
    check: (ctx: ResourceContext<C>) => void;
    remediate?: (ctx: ResourceContext<C>) => Record<string, any> | undefined;
}

function configSchema(extra?: Record<string, any>): PolicyConfigSchema {
    return { properties: { ...(extra ?? {}), exemptions: EXEMPTIONS_SCHEMA } };
}

function resourceContext<C>(args: ResourceValidationArgs, report: ReportViolation | undefined): ResourceContext<C> | undefined {
    const config = args.getConfig<C & { exemptions?: Exemption[] }>();
    const exempt = exemptionFor(config.exemptions, args.type, args.props, args.name, args.provider);
    if (exempt) {
        args.notApplicable(`exempted by config: ${exempt.reason}`);
        return undefined;
    }
    return {
        type: args.type, props: args.props, name: args.name, urn: args.urn, config, provider: args.provider,
        subject: describe(args.type, args.props, args.name, args.provider),
        namespace: namespaceOf(args.props, args.provider),
        report: (m) => report?.(m),
        notApplicable: (reason: string) => args.notApplicable(reason),
    };
}

/** A resource policy over a set of type tokens, with exemptions from config. */
export function resourcePolicy<C = Record<string, any>>(def: ResourcePolicyDef<C>): ResourceValidationPolicy {
    const list = Array.isArray(def.types) ? (def.types as readonly string[]) : undefined;
    const set = new Set(list ?? []);
    const applies = list ? (t: string) => set.has(t) : (def.types as { test: (type: string) => boolean }).test;
    const single = list && set.size === 1 ? list[0] : undefined;
    const notApplicableReason = !list ? (def.types as { reason: string }).reason
        : single ? `Policy only applies to resources of type '${single}'`
            : `Policy applies to ${[...set].map(kindOf).filter((k, i, a) => a.indexOf(k) === i).join(", ")} only`;
    const validate = (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!applies(args.type)) {
            args.notApplicable(notApplicableReason);
            return;
        }
        const ctx = resourceContext<C>(args, report);
        if (ctx) {
            def.check(ctx);
        }
    };
    if (single) {
        // Lets the SDK skip other types without deserializing them (its own fast path).
        (validate as any).__pulumiType = single;
    }
    const policy: ResourceValidationPolicy = {
        name: def.name,
        description: def.description,
        enforcementLevel: def.enforcementLevel,
        configSchema: configSchema(def.config),
        validateResource: validate,
    };
    if (def.remediate) {
        const remediate = def.remediate;
        const fn = (args: ResourceValidationArgs) => {
            if (!applies(args.type)) {
                args.notApplicable(notApplicableReason);
                return undefined;
            }
            const ctx = resourceContext<C>(args, undefined);
            return ctx ? remediate(ctx) : undefined;
        };
        if (single) {
            (fn as any).__pulumiType = single;
        }
        policy.remediateResource = fn;
    }
    return policy;
}

/**
 * A resource policy over kinds that carry a pod (every pod kind unless `types` narrows them): `check`
 * receives the pod template, and is not called for an object that has none.
 */
export function podPolicy<C = Record<string, any>>(def: Omit<ResourcePolicyDef<C>, "types" | "check"> & {
    types?: ResourcePolicyDef<C>["types"];
    check: (ctx: ResourceContext<C>, pod: PodTemplate) => void;
}): ResourceValidationPolicy {
    return resourcePolicy<C>({
        ...def,
        types: def.types ?? POD_TYPES,
        check: (ctx) => {
            const pod = podTemplateOf(ctx.type, ctx.props);
            if (pod) {
                def.check(ctx, pod);
            }
        },
    });
}

/** What a stack check receives. */
export interface StackContext<C> {
    resources: PolicyResource[];
    config: C;
    /** Whether a resource is exempt from this policy (its exemption), so checks can skip it. */
    exemption: (r: PolicyResource) => Exemption | undefined;
    /** Reports a violation about `r` unless `r` is exempt. */
    report: (r: PolicyResource, message: string) => void;
    subject: (r: PolicyResource) => string;
    namespace: (r: PolicyResource) => string;
    /**
     * Runs `fn` for one resource; a value unknown during preview does not stop the other resources:
     * it is rethrown once the check is done, and the SDK reports it (advisory, "can't run during preview").
     */
    guard: (fn: () => void) => void;
}

interface StackPolicyDef<C> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    config?: Record<string, any>;
    check: (ctx: StackContext<C>) => void;
}

/** A stack policy (it needs more than one resource to decide), with exemptions from config. */
export function stackPolicy<C = Record<string, any>>(def: StackPolicyDef<C>): StackValidationPolicy {
    return {
        name: def.name,
        description: def.description,
        enforcementLevel: def.enforcementLevel,
        configSchema: configSchema(def.config),
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            const config = args.getConfig<C & { exemptions?: Exemption[] }>();
            const exemption = (r: PolicyResource) => exemptionFor(config.exemptions, r.type, r.props, r.name, r.provider);
            let deferred: unknown;
            const namespaces = new Map<PolicyResource, string>();
            def.check({
                resources: args.resources,
                config,
                exemption,
                report: (r, message) => {
                    if (!exemption(r)) {
                        report(message, r.urn);
                    }
                },
                subject: (r) => describe(r.type, r.props, r.name, r.provider),
                namespace: (r) => {
                    let ns = namespaces.get(r);
                    if (ns === undefined) {
                        ns = namespaceOf(r.props, r.provider);
                        namespaces.set(r, ns);
                    }
                    return ns;
                },
                guard: (fn) => {
                    try {
                        fn();
                    } catch (e) {
                        if (!(e instanceof UnknownValueError)) {
                            throw e;
                        }
                        deferred = deferred ?? e;
                    }
                },
            });
            if (deferred) {
                throw deferred;
            }
        },
    };
}

/** Label selector semantics (matchLabels + matchExpressions) over a label map. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
    const sel = obj(selector);
    if (!sel) {
        return false;
    }
    const ml = stringMap(sel.matchLabels);
    for (const k of Object.keys(ml)) {
        if (labels[k] !== ml[k]) {
            return false;
        }
    }
    for (const raw of arr(sel.matchExpressions)) {
        const e = obj(raw);
        if (!e) {
            return false;
        }
        const key = str(e.key);
        const values = arr(e.values).filter((v) => typeof v === "string");
        if (!key) {
            return false;
        }
        const has = Object.prototype.hasOwnProperty.call(labels, key);
        switch (e.operator) {
            case "In":
                if (!has || !values.includes(labels[key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

/** Whether a selector selects every pod: `{}` (or no selector at all, which the API reads as `{}`). */
export function selectsEverything(selector: unknown): boolean {
    if (selector === undefined || selector === null) {
        return true;
    }
    const sel = obj(selector);
    if (!sel) {
        return false;
    }
    const ml = sel.matchLabels;
    const noLabels = ml === undefined || ml === null || (obj(ml) !== undefined && Object.keys(ml).length === 0);
    const me = sel.matchExpressions;
    const noExpressions = me === undefined || me === null || (Array.isArray(me) && me.length === 0);
    return noLabels && noExpressions;
}
