// `plan`'s schema step: every Kubernetes object the stack program registers (a `kubernetes:<group>/
// <version>:<Kind>` resource of a kind `check` knows) is validated against the Kubernetes schemas,
// as its inputs go on the wire: secrets are validated unwrapped, values unknown during preview are
// not validated.
import type { EngineResource, EngineViolation } from "../../engine/contract";
import { SPECIAL_SIG_KEY } from "../../engine/sdk-light";
import { isBuiltInKind, KubernetesSchemas, SCHEMA_DESCRIPTION, SCHEMA_PACK, SCHEMA_POLICY, schemaMessage } from "./kubernetes";

/** @pulumi/pulumi's rpc.specialSecretSig and rpc.unknownValue. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const unwrap = (v: unknown): unknown => {
    while (v && typeof v === "object" && (v as any)[SPECIAL_SIG_KEY] === SECRET_SIG) {
        v = (v as any).value;
    }
    return v;
};
const unknown = (v: unknown): boolean => v === UNKNOWN;

/**
 * `kubernetes:apps/v1:Deployment` → `{ apiVersion: "apps/v1", kind: "Deployment" }` for the kinds
 * Kubernetes itself defines (custom resources, even those the packs check, have no schema here).
 */
export function kindOfType(type: string): { apiVersion: string; kind: string } | undefined {
    const m = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!m) {
        return undefined;
    }
    const apiVersion = m[1].startsWith("core/") ? m[1].slice("core/".length) : m[1];
    return isBuiltInKind(apiVersion, m[2]) ? { apiVersion, kind: m[2] } : undefined;
}

/** The `valid-schema` violations of a plan's resources. Throws when no schemas ship for `version`. */
export function planSchemaViolations(resources: EngineResource[], version: string): EngineViolation[] {
    const schemas = new KubernetesSchemas(version);
    const out: EngineViolation[] = [];
    for (const r of resources) {
        const k = kindOfType(r.type);
        if (!k) {
            continue;
        }
        // A kind of a custom API group (argoproj.io, velero.io, ...) that the built-in schemas do not serve is a
        // custom resource: plan has no CRD for it (no-schema), while a core or *.k8s.io kind they do not serve is removed.
        const builtIn = schemas.servesKind(k.apiVersion, k.kind) || !k.apiVersion.includes(".") || /\.k8s\.io\//.test(k.apiVersion);
        const outcome = schemas.validate(k.apiVersion, k.kind, r.properties, builtIn, { unwrap, unknown });
        if (outcome.kind !== "validated") {
            continue;
        }
        const meta = unwrap(r.properties?.metadata) as Record<string, any> | undefined;
        const name = typeof meta?.name === "string" ? meta.name : r.name;
        const subj = r.namespace ? `${k.kind} "${name}" in namespace "${r.namespace}"` : `${k.kind} "${name}"`;
        for (const f of outcome.findings) {
            out.push({
                policyPack: SCHEMA_PACK, policy: SCHEMA_POLICY, enforcementLevel: "mandatory", urn: r.urn,
                message: schemaMessage(subj, f, `Kubernetes ${version} schema`), description: SCHEMA_DESCRIPTION, path: f.where,
            });
        }
    }
    return out;
}
