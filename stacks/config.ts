/**
 * The stack config of the k8sprod program (`stacks/Pulumi.<stack>.yaml`): which keys exist, their types, and
 * the one error a broken file gives. Pure, so that the mapping is tested without mocks.
 */
import Ajv, { ErrorObject } from "ajv";
import type { ClusterAccessEntryArgs, EksNodeGroupArgs } from "../components/cluster";
import type {
    PlatformAddonsArgs, PlatformBackupArgs, PlatformDeliveryArgs, PlatformNamespaceArgs, PlatformNetworkArgs, PlatformObservabilityArgs,
} from "../components/platform";
import type { ProductionPlatformArgs } from "../components/platform";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../lib/versions";
import { exampleAppNamespace, exampleTeam } from "./app";

/** The project's config namespace (Pulumi.yaml `name`). */
export const PROJECT = "k8sprod";

/** The example app's settings (`k8sprod:app`). */
export interface AppSettings {
    namespace?: string;
    apiImage?: string;
    databaseImage?: string;
    databaseSecret?: string;
    databaseVolumeSize?: string;
    verticalPodAutoscaler?: boolean;
    /** The Git repository Argo CD deploys the example app from. */
    deployRepository?: string;
    /** The revision it deploys. */
    deployRevision?: string;
}

/** Every `k8sprod:*` key a stack file may set, typed. */
export interface StackSettings {
    environment: string;
    clusterName?: string;
    kubernetesVersion?: string;
    availabilityZones?: string[];
    network?: PlatformNetworkArgs;
    nodeGroup?: EksNodeGroupArgs;
    publicAccessCidrs?: string[];
    accessEntries?: ClusterAccessEntryArgs[];
    logRetentionDays?: number;
    /** A KMS key ARN for the control-plane log group instead of the key the cluster creates. */
    controlPlaneLogsKmsKeyArn?: string;
    addons?: PlatformAddonsArgs;
    observability?: PlatformObservabilityArgs;
    backup?: PlatformBackupArgs;
    delivery?: PlatformDeliveryArgs;
    /** Whether the example app (stacks/app.ts) is deployed, with its team in Argo CD. Defaults to true. */
    exampleApp?: boolean;
    app?: AppSettings;
    /** More namespaces with their workloads, as ProductionPlatform takes them (it validates their contents). */
    namespaces?: PlatformNamespaceArgs[];
    tags?: { [key: string]: string };
}

const str = { type: "string" };
const strings = { type: "array", items: str };
const bool = { type: "boolean" };
const int = { type: "integer" };
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({ type: "object", properties, required, additionalProperties: false });

/** The JSON schema of the `k8sprod:*` keys (without the namespace). Unknown keys are errors at every level. */
export const STACK_SCHEMA = closed({
    environment: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
    clusterName: str,
    kubernetesVersion: { type: "string", enum: [...SUPPORTED_KUBERNETES_VERSIONS] },
    availabilityZones: { type: "array", items: str, minItems: 2, uniqueItems: true },
    network: closed({
        cidrBlock: str,
        natGateways: { type: "string", enum: ["single", "one-per-zone"] },
        privateClusterEndpoints: bool,
        flowLogs: closed({ enabled: bool, retentionDays: int, trafficType: { type: "string", enum: ["ALL", "ACCEPT", "REJECT"] }, kmsKeyArn: str, kmsDeletionWindowDays: int }),
    }),
    nodeGroup: closed({
        instanceTypes: { type: "array", items: str, minItems: 1 },
        minNodes: int, maxNodes: int, desiredNodes: int, diskSizeGiB: int,
        capacityType: { type: "string", enum: ["ON_DEMAND", "SPOT"] },
        amiType: str,
        labels: { type: "object", additionalProperties: str },
        taints: { type: "array", items: closed({ key: str, value: str, effect: str }, ["key", "effect"]) },
        maxUnavailable: int,
    }),
    publicAccessCidrs: strings,
    accessEntries: {
        type: "array",
        items: closed({ name: str, principalArn: str, policy: { type: "string", enum: ["cluster-admin", "admin", "edit", "view"] }, namespaces: strings, kubernetesGroups: strings }, ["name", "principalArn", "policy"]),
    },
    logRetentionDays: int,
    controlPlaneLogsKmsKeyArn: str,
    addons: closed({
        clusterAutoscaler: bool, metricsServer: bool, verticalPodAutoscaler: bool, prometheusAdapter: bool,
        monitoring: bool, logging: bool, tracing: bool, backups: bool, gitOps: bool,
    }),
    // The components check the contents of their own settings (receivers, exporters, teams) with property paths.
    observability: closed({
        alertReceivers: { type: "array", items: { type: "object" } },
        grafanaAdminSecret: str,
        logRetentionDays: closed({ application: int, platform: int, audit: int, security: int }),
        traceExporter: { type: "object", required: ["type"], properties: { type: str } },
        traceSampling: closed({ baselinePercent: { type: "number" }, slowThresholdMs: int }),
        tracedNamespaces: strings,
    }),
    backup: closed({ replicaRegion: str, objectLock: { type: "object" }, drillNamespace: str, restoreDrill: bool, restoreDrillImage: str, pushgatewayUrl: str }),
    delivery: closed({
        domain: str, sso: { type: "object" }, localAccounts: { type: "array", items: { type: "object" } }, admins: strings,
        teams: { type: "array", items: { type: "object", required: ["name"], properties: { name: str } } },
        imageRepositories: strings,
    }),
    exampleApp: bool,
    app: closed({ namespace: str, apiImage: str, databaseImage: str, databaseSecret: str, databaseVolumeSize: str, verticalPodAutoscaler: bool, deployRepository: str, deployRevision: str }),
    namespaces: { type: "array", items: { type: "object", required: ["name"], properties: { name: str } } },
    tags: { type: "object", additionalProperties: str },
}, ["environment"]);

/** Thrown when the stack file cannot be used: its message names the file and every bad key. */
export class StackConfigError extends Error {
    constructor(readonly file: string, readonly problems: string[]) {
        super(`${file} has ${problems.length} invalid setting${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
        this.name = "StackConfigError";
    }
}

/** The config as the language host hands it over (`namespace:key` -> text), typed by the schema. */
function typed(key: string, raw: string, schema: any): { value?: unknown; problem?: string } {
    const type = schema?.type;
    if (type === "string" || type === undefined) {
        return { value: raw };
    }
    if (type === "boolean") {
        return raw === "true" || raw === "false" ? { value: raw === "true" } : { problem: `${key}: must be true or false, not ${JSON.stringify(raw)}` };
    }
    if (type === "integer" || type === "number") {
        const n = Number(raw);
        return raw.trim() !== "" && Number.isFinite(n) ? { value: n } : { problem: `${key}: must be a number, not ${JSON.stringify(raw)}` };
    }
    try {
        return { value: JSON.parse(raw) };
    } catch {
        return { problem: `${key}: must be ${type === "array" ? "a list" : "a map"}, not ${JSON.stringify(raw)}` };
    }
}

function describe(e: ErrorObject): string {
    const where = e.instancePath.replace(/^\//, "").split("/").filter(Boolean)
        .map((p, i) => /^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`).join("");
    const key = `${PROJECT}:${where}`;
    switch (e.keyword) {
        case "additionalProperties":
            return `${where ? `${key}.` : `${PROJECT}:`}${e.params.additionalProperty}: unknown setting`;
        case "required":
            return `${where ? `${key}.` : `${PROJECT}:`}${e.params.missingProperty}: is required`;
        case "enum":
            return `${key}: must be one of ${e.params.allowedValues.join(", ")}`;
        default:
            return `${key}: ${e.message}`;
    }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(STACK_SCHEMA);

/**
 * Reads the k8sprod settings from the stack's config (`namespace:key` -> text, as `pulumi.runtime.allConfig()`
 * returns it). Throws one StackConfigError naming `file` and every unknown key, wrong type or unsupported value.
 * Keys of other namespaces (`aws:region`, …) are left to their owners, except that `aws:region` is required.
 */
export function readStackSettings(all: Record<string, string>, file: string): { settings: StackSettings; region: string } {
    const problems: string[] = [];
    const doc: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(all)) {
        if (!key.startsWith(`${PROJECT}:`)) {
            continue;
        }
        const name = key.slice(PROJECT.length + 1);
        const schema = (STACK_SCHEMA.properties as Record<string, any>)[name];
        if (!schema) {
            problems.push(`${key}: unknown setting (known: ${Object.keys(STACK_SCHEMA.properties).join(", ")})`);
            continue;
        }
        const t = typed(key, raw, schema);
        if (t.problem) {
            problems.push(t.problem);
        } else {
            doc[name] = t.value;
        }
    }
    if (!validate(doc)) {
        for (const e of validate.errors ?? []) {
            const p = e.keyword === "enum" && e.instancePath === "/kubernetesVersion"
                ? `${PROJECT}:kubernetesVersion: Kubernetes ${JSON.stringify(doc.kubernetesVersion)} is not supported; choose one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`
                : describe(e);
            if (!problems.includes(p)) {
                problems.push(p);
            }
        }
    }
    const region = all["aws:region"];
    if (!region) {
        problems.push("aws:region: is required (the region the platform is built in)");
    }
    if (problems.length > 0) {
        throw new StackConfigError(file, problems);
    }
    return { settings: doc as unknown as StackSettings, region };
}

/** The ProductionPlatform args a stack's settings describe (pure). */
export function platformArgs(s: StackSettings, region: string): ProductionPlatformArgs {
    const example = s.exampleApp ?? true;
    const namespaces = [...(example ? [exampleAppNamespace(s.app)] : []), ...(s.namespaces ?? [])];
    const delivery: PlatformDeliveryArgs = {
        ...(s.delivery ?? {}),
        teams: [...(example ? [exampleTeam(s.app, s.environment)] : []), ...(s.delivery?.teams ?? [])],
    };
    return {
        environment: s.environment,
        region,
        ...(s.availabilityZones ? { availabilityZones: s.availabilityZones } : {}),
        ...(s.kubernetesVersion ? { kubernetesVersion: s.kubernetesVersion } : {}),
        ...(s.clusterName ? { clusterName: s.clusterName } : {}),
        ...(s.network ? { network: s.network } : {}),
        ...(s.nodeGroup ? { nodeGroup: s.nodeGroup } : {}),
        ...(s.publicAccessCidrs ? { publicAccessCidrs: s.publicAccessCidrs } : {}),
        ...(s.accessEntries ? { accessEntries: s.accessEntries } : {}),
        ...(s.logRetentionDays !== undefined ? { logRetentionDays: s.logRetentionDays } : {}),
        ...(s.controlPlaneLogsKmsKeyArn !== undefined ? { controlPlaneLogsKmsKeyArn: s.controlPlaneLogsKmsKeyArn } : {}),
        ...(s.addons ? { addons: s.addons } : {}),
        ...(s.observability ? { observability: s.observability } : {}),
        ...(s.backup ? { backup: s.backup } : {}),
        delivery,
        namespaces,
        tags: { Project: "k8sprod", Environment: s.environment, ...(s.tags ?? {}) },
    };
}
