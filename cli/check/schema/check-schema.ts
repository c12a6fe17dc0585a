// `check`'s schema step: reads the CustomResourceDefinitions (--crd and the input's own), validates
// every object, and turns each finding into a mandatory `valid-schema` violation that names the
// object, the property path and its line.
import { DEFAULT_KUBERNETES_VERSION } from "../../../lib/versions";
import type { EngineViolation } from "../../engine/contract";
import type { IO } from "../../io";
import { objectUrn } from "../check";
import { typeToken } from "../kinds";
import { expandPaths, formatInputError, parseSource, readSources } from "../manifests";
import type { DocumentSource, ManifestObject, UncheckedObject } from "../manifests";
import { KubernetesSchemas, lineOfPath, SCHEMA_DESCRIPTION, SCHEMA_PACK, SCHEMA_POLICY, schemaMessage } from "./kubernetes";
import type { ObjectSchemaFinding } from "./kubernetes";

export interface SchemaOptions {
    kubernetesVersion?: string;
    crds: string[];
}

export interface SchemaViolation {
    violation: EngineViolation;
    /** The object it is about (undefined for a custom resource). */
    object?: ManifestObject;
    file: string;
}

/** A custom resource validated against its CRD, as the report names it. */
export interface CustomResourceRef {
    type: string;
    name: string;
    namespace?: string;
    file: string;
    document: number;
    line: number;
}

const CRD_TYPES = new Set(["apiextensions.k8s.io/v1/CustomResourceDefinition", "apiextensions.k8s.io/v1beta1/CustomResourceDefinition"]);

function isCrd(apiVersion: string, kind: string): boolean {
    return CRD_TYPES.has(`${apiVersion}/${kind}`);
}

function subject(kind: string, name: string, namespace?: string): string {
    return namespace ? `${kind} "${name}" in namespace "${namespace}"` : `${kind} "${name}"`;
}

function findingViolation(urn: string, subj: string, f: ObjectSchemaFinding, what: string, source: DocumentSource | undefined, item: number | undefined): EngineViolation {
    let line: number | undefined;
    if (source) {
        try {
            line = lineOfPath(source.text, source.lineOffset, item === undefined ? f.path : ["items", item, ...f.path]);
        } catch {
            line = undefined;
        }
    }
    const v: EngineViolation = {
        policyPack: SCHEMA_PACK, policy: SCHEMA_POLICY, enforcementLevel: "mandatory", urn,
        message: schemaMessage(subj, f, what, line), description: SCHEMA_DESCRIPTION, path: f.where,
    };
    if (line !== undefined) {
        v.line = line;
    }
    return v;
}

/**
 * Validates the objects (and the custom resources a CRD describes). Problems that make the run
 * impossible (an unknown Kubernetes version, unreadable --crd input) are appended to `problems`.
 */
export async function schemaFindings(objects: ManifestObject[], unchecked: UncheckedObject[], opts: SchemaOptions, io: IO, problems: string[]):
    Promise<{ violations: SchemaViolation[]; customResources: Map<string, CustomResourceRef> }> {
    const violations: SchemaViolation[] = [];
    const customResources = new Map<string, CustomResourceRef>();
    const version = opts.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    let schemas: KubernetesSchemas;
    try {
        schemas = new KubernetesSchemas(version);
    } catch (e: any) {
        problems.push(`--kubernetes-version ${version}: ${e.message}`);
        return { violations, customResources };
    }
    // CustomResourceDefinitions given with --crd.
    if (opts.crds.length > 0) {
        const expanded = expandPaths(opts.crds);
        const read = await readSources(expanded.files, io.stdin);
        const errors = [...expanded.errors, ...read.errors];
        for (const src of read.sources) {
            const parsed = parseSource(src);
            errors.push(...parsed.errors);
            const crds = parsed.objects.filter((o) => isCrd(o.apiVersion, o.kind));
            if (crds.length === 0) {
                errors.push({ file: src.file, message: "--crd: the file holds no CustomResourceDefinition" });
            }
            for (const o of crds) {
                problems.push(...schemas.addCrd(o.object, `${src.file}`));
            }
        }
        problems.push(...errors.map((e) => `--crd ${formatInputError(e)}`));
    }
    // CustomResourceDefinitions in the input itself.
    for (const o of objects) {
        if (isCrd(o.apiVersion, o.kind)) {
            problems.push(...schemas.addCrd(o.object, o.file));
        }
    }
    const builtInWhat = `Kubernetes ${version} schema`;
    for (const o of objects) {
        const outcome = schemas.validate(o.apiVersion, o.kind, o.object, true);
        if (outcome.kind !== "validated" || outcome.findings.length === 0) {
            continue;
        }
        const what = schemas.hasCrd(o.apiVersion, o.kind) ? "its CustomResourceDefinition" : builtInWhat;
        const urn = objectUrn(o);
        const subj = subject(o.kind, o.name, o.namespace);
        for (const f of outcome.findings) {
            violations.push({ violation: findingViolation(urn, subj, f, what, o.source, o.item), object: o, file: o.file });
        }
    }
    for (const u of unchecked) {
        if (!u.object || !schemas.hasCrd(u.apiVersion, u.kind)) {
            continue;
        }
        const outcome = schemas.validate(u.apiVersion, u.kind, u.object, false);
        if (outcome.kind !== "validated") {
            continue;
        }
        const name = u.name ?? "";
        const type = typeToken(u.apiVersion, u.kind);
        const urn = objectUrn({ type, name, namespace: u.namespace });
        customResources.set(urn, { type, name, namespace: u.namespace, file: u.file, document: u.document, line: u.line });
        const subj = subject(u.kind, name, u.namespace);
        for (const f of outcome.findings) {
            violations.push({ violation: findingViolation(urn, subj, f, "its CustomResourceDefinition", u.source, u.item), file: u.file });
        }
    }
    return { violations, customResources };
}
