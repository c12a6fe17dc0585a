import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { classify } from "../../cli/check/kinds";
import type { Cluster } from "./cluster";

// A stack's planned Kubernetes objects (`k8sprod plan --out`'s kubernetes.yaml) sent to the real API server
// with server-side apply: the stack's Namespaces for real, every other object with dryRun=All and
// fieldValidation=Strict, so that the API server's schema (built-in types and the CRDs), its admission
// (Pod Security included) and its validation judge each one without changing the cluster.

/** How `k8sprod plan --out` writes a value that is unknown before deploy. */
export const UNKNOWN = "(unknown until deploy)";
export const FIELD_MANAGER = "k8sprod-e2e";

/**
 * Well-formed placeholders for the values only a deploy knows, by "<kind> <path>". Each replaces exactly
 * that value; the rest of the object is sent as planned.
 * - the IRSA role ARN annotation of a ServiceAccount (the IAM role's ARN comes from AWS);
 * - an OpenTelemetryCollector's `spec.config` (the collector config embeds endpoints known after deploy):
 *   the smallest config the CRD accepts (receivers, exporters and service.pipelines are required), so that
 *   the rest of the collector's spec (image, security contexts, resources, spread) is still judged.
 */
const PLACEHOLDERS: Record<string, unknown> = {
    "ServiceAccount metadata.annotations.eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/k8sprod-e2e-placeholder",
    "OpenTelemetryCollector spec.config": {
        receivers: { otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" } } } },
        exporters: { debug: {} },
        service: { pipelines: { traces: { receivers: ["otlp"], exporters: ["debug"] } } },
    },
};
/** Every path in `v` whose value is UNKNOWN, as dotted paths (map keys kept whole). */
function unknownPaths(v: unknown, at: string[] = []): string[][] {
    if (v === UNKNOWN) {
        return [at];
    }
    if (Array.isArray(v)) {
        return v.flatMap((x, i) => unknownPaths(x, [...at, String(i)]));
    }
    if (v !== null && typeof v === "object") {
        return Object.entries(v).flatMap(([k, x]) => unknownPaths(x, [...at, k]));
    }
    return [];
}

function setAt(obj: any, at: string[], value: unknown): void {
    let o = obj;
    for (const k of at.slice(0, -1)) {
        o = o[k];
    }
    o[at[at.length - 1]] = value;
}

export const subject = (m: any) => `${m.kind} ${m.metadata?.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata?.name}`;

export interface PreparedObjects {
    /** Objects to send, placeholders substituted. */
    objects: any[];
    /** Objects left out, with the reason. */
    skipped: string[];
    /** Unknown values with neither a placeholder nor a skip rule (the test fails on any). */
    unhandled: string[];
    /** Which placeholders were used, "<subject> <path>". */
    substituted: string[];
}

/** Reads kubernetes.yaml and substitutes or skips what is unknown before deploy. */
export function prepare(file: string): PreparedObjects {
    const docs = (yaml.loadAll(fs.readFileSync(file, "utf8")) as any[]).filter((d) => d);
    const out: PreparedObjects = { objects: [], skipped: [], unhandled: [], substituted: [] };
    for (const d of docs) {
        const unknown = unknownPaths(d);
        // An object whose whole spec is unknown before deploy is skipped (a placeholder would judge only itself):
        // Velero's BackupStorageLocation, whose spec names the bucket the stack creates.
        if (unknown.some((p) => p.length === 1 && p[0] === "spec")) {
            out.skipped.push(`${subject(d)}: spec unknown until deploy`);
            continue;
        }
        const copy = JSON.parse(JSON.stringify(d));
        for (const p of unknown) {
            const key = `${d.kind} ${p.join(".")}`;
            if (key in PLACEHOLDERS) {
                setAt(copy, p, PLACEHOLDERS[key]);
                out.substituted.push(`${subject(d)} ${p.join(".")}`);
            } else {
                out.unhandled.push(`${subject(d)} ${p.join(".")}`);
            }
        }
        out.objects.push(copy);
    }
    return out;
}

/** The kinds (apiVersion/kind) of custom resources among the objects: not built-in kinds, as `check` classifies them. */
export function customKinds(objects: any[]): string[] {
    return [...new Set(objects.filter((o) => classify(o.apiVersion, o.kind) !== "resource").map((o) => `${o.apiVersion}/${o.kind}`))].sort();
}

/** The CRD fixtures (tests/fixtures/crds, upstream copies: SOURCES.md). */
export function crdFixtures(root: string): any[] {
    const dir = path.join(root, "tests", "fixtures", "crds");
    return fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))
        .flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(dir, f), "utf8")) as any[])
        .filter((d) => d?.kind === "CustomResourceDefinition");
}

/** The fixture CRD that serves `apiVersion/kind`, if any. */
export function crdFor(crds: any[], groupVersionKind: string): any | undefined {
    const parts = groupVersionKind.split("/");
    const [group, version, kind] = parts;
    return crds.find((c) => c.spec.group === group && c.spec.names.kind === kind && c.spec.versions.some((v: any) => v.name === version && v.served));
}

export interface ApplyResult {
    /** Subjects the API server accepted. */
    accepted: string[];
    /** "<subject>: HTTP <status> <message>" for every refusal. */
    refused: string[];
    /** "<subject>: <Warning header>" for every warning. */
    warnings: string[];
}

/** Server-side apply of one object; dry-run unless `real`. */
export async function serverSideApply(cluster: Cluster, obj: any, real: boolean): Promise<{ status: number; body: any; warnings: string[] }> {
    const p = await cluster.objectPath(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (typeof p !== "string") {
        return { status: p.status, body: p.body, warnings: [] };
    }
    const query = `fieldManager=${FIELD_MANAGER}&fieldValidation=Strict${real ? "" : "&dryRun=All"}`;
    // application/apply-patch+yaml: JSON is YAML.
    return cluster.request("PATCH", `${p}?${query}`, obj, "application/apply-patch+yaml");
}

/** The stack's Namespaces for real, then every other object in dry-run; collects refusals and warnings. */
export async function applyAll(cluster: Cluster, objects: any[]): Promise<ApplyResult> {
    const result: ApplyResult = { accepted: [], refused: [], warnings: [] };
    const namespaces = objects.filter((o) => o.apiVersion === "v1" && o.kind === "Namespace");
    const rest = objects.filter((o) => !namespaces.includes(o));
    for (const [o, real] of [...namespaces.map((n) => [n, true] as const), ...rest.map((r) => [r, false] as const)]) {
        const r = await serverSideApply(cluster, o, real);
        result.warnings.push(...r.warnings.map((w) => `${subject(o)}: ${w}`));
        if (r.status === 200 || r.status === 201) {
            result.accepted.push(subject(o));
        } else {
            result.refused.push(`${subject(o)}: HTTP ${r.status} ${typeof r.body === "object" ? r.body?.message : r.body}`);
        }
    }
    return result;
}
