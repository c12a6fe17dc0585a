import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import type { Registration } from "../engine/mocks";
import type { CriticalPath } from "./timings";
import { waitsFor } from "./timings";

// What `plan --out DIR` writes beside the reports: the Kubernetes objects as YAML and the resource graph.

/** What a value the preview does not know reads as in the YAML. */
export const UNKNOWN_PLACEHOLDER = "(unknown until deploy)";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** A registration's inputs as plain data: unknown values as the placeholder, secrets as their value. */
export function plainInputs(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(plainInputs);
    }
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o.__pulumiUnknown === true) {
            return UNKNOWN_PLACEHOLDER;
        }
        if (SECRET_SIG in o) {
            return plainInputs(o.value);
        }
        return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined).map(([k, x]) => [k, plainInputs(x)]));
    }
    return v;
}

/** Whether a registration is a Kubernetes object (not a Helm release, not the provider). */
export function isKubernetesObject(r: Registration): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/")
        && typeof r.inputs?.apiVersion === "string" && typeof r.inputs?.kind === "string";
}

const FIRST = ["CustomResourceDefinition", "Namespace", "ServiceAccount", "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding", "StorageClass"];

/**
 * The Kubernetes objects as one multi-document YAML, in an order `kubectl apply` accepts (definitions and
 * namespaces first, then the rest in registration order). Helm releases are listed in a comment: their
 * objects come from the chart (render them with `helm template`).
 */
export function kubernetesYaml(registrations: Registration[]): string {
    const objects = registrations.filter(isKubernetesObject);
    const rank = (r: Registration) => {
        const i = FIRST.indexOf(r.inputs.kind);
        return i < 0 ? FIRST.length : i;
    };
    const sorted = objects.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
    const releases = registrations.filter((r) => r.type.startsWith("kubernetes:helm.sh/"));
    const head = [
        `# ${objects.length} Kubernetes objects the program registers, as k8sprod plan saw them (values unknown before deploy read "${UNKNOWN_PLACEHOLDER}").`,
        ...releases.map((r) => `# Helm release ${r.name}: chart ${r.inputs?.chart ?? "?"} ${r.inputs?.version ?? ""} in ${r.inputs?.namespace ?? "?"} (not expanded here)`),
    ];
    return head.join("\n") + "\n" + sorted.map((r) => "---\n" + stringify(plainInputs(r.inputs), { lineWidth: 0 })).join("");
}

function label(s: string): string {
    return s.replace(/"/g, "#quot;");
}

/**
 * The resource graph as a Mermaid flowchart: every resource the engine creates (custom resources), an edge from
 * each to what waits for it (dependencies, property dependencies, provider; a component stands for its
 * resources), the critical path highlighted.
 */
export function mermaidGraph(registrations: Registration[], cp?: CriticalPath): string {
    const customs = registrations.filter((r) => r.custom);
    const id = new Map(customs.map((r, i) => [r.urn, `r${i}`]));
    const children = new Map<string, Registration[]>();
    for (const r of registrations) {
        if (r.parent) {
            const list = children.get(r.parent);
            if (list) {
                list.push(r);
            } else {
                children.set(r.parent, [r]);
            }
        }
    }
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const customsOf = (urn: string, seen = new Set<string>()): string[] => {
        const r = byUrn.get(urn);
        if (!r || seen.has(urn)) {
            return [];
        }
        seen.add(urn);
        return r.custom ? [urn] : (children.get(urn) ?? []).flatMap((c) => customsOf(c.urn, seen));
    };
    const lines = ["flowchart LR"];
    for (const r of customs) {
        lines.push(`    ${id.get(r.urn)}["${label(r.type)}<br/>${label(r.name)}"]`);
    }
    const edges = new Set<string>();
    for (const r of customs) {
        for (const dep of waitsFor(r)) {
            for (const u of customsOf(dep)) {
                if (u !== r.urn && id.has(u)) {
                    edges.add(`    ${id.get(u)} --> ${id.get(r.urn)}`);
                }
            }
        }
    }
    lines.push(...edges);
    const critical = (cp?.chain ?? []).map((s) => id.get(s.urn)).filter((x): x is string => x !== undefined);
    if (critical.length > 0) {
        lines.push("    classDef critical stroke:#d00,stroke-width:3px", `    class ${critical.join(",")} critical`);
    }
    return lines.join("\n") + "\n";
}

/** Writes `files` (name -> content) into `dir`, creating it. */
export function writeArtifacts(dir: string, files: Record<string, string>): string[] {
    fs.mkdirSync(dir, { recursive: true });
    return Object.entries(files).map(([name, content]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, content);
        return file;
    });
}
