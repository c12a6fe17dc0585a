import type { Registration } from "../engine/mocks";

/**
 * The resource tree as `pulumi preview` prints it: type, name and plan, children under their parent
 * in registration order, every resource a create (the offline plan has no prior state).
 */
export function renderTree(registrations: Registration[], stack: string): string {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const children = new Map<string, Registration[]>();
    const roots: Registration[] = [];
    for (const r of registrations) {
        if (r.parent && byUrn.has(r.parent)) {
            const list = children.get(r.parent) ?? [];
            list.push(r);
            children.set(r.parent, list);
        } else {
            roots.push(r);
        }
    }
    const rows: Array<{ type: string; name: string }> = [];
    const visit = (r: Registration, prefix: string, childPrefix: string): void => {
        rows.push({ type: `${prefix}${r.type}`, name: r.name });
        const kids = children.get(r.urn) ?? [];
        kids.forEach((k, i) => {
            const last = i === kids.length - 1;
            visit(k, `${childPrefix}${last ? "└─ " : "├─ "}`, `${childPrefix}${last ? "   " : "│  "}`);
        });
    };
    roots.forEach((r) => visit(r, "", ""));
    const typeWidth = Math.max(4, ...rows.map((r) => [...r.type].length));
    const nameWidth = Math.max(4, ...rows.map((r) => [...r.name].length));
    const pad = (s: string, w: number): string => s + " ".repeat(Math.max(0, w - [...s].length));
    const lines = [
        `Previewing update (${stack}), offline:`,
        "",
        `     ${pad("Type", typeWidth)}  ${pad("Name", nameWidth)}  Plan`,
        ...rows.map((r) => ` +   ${pad(r.type, typeWidth)}  ${pad(r.name, nameWidth)}  create`),
    ];
    return lines.join("\n") + "\n";
}

/** Resources per type token, most frequent first (ties by token). */
export function countsByType(registrations: Registration[]): Array<{ type: string; count: number }> {
    const counts = new Map<string, number>();
    for (const r of registrations) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    return [...counts.entries()]
        .map(([type, count]) => ({ type, count }))
        .sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

export function renderCounts(registrations: Registration[]): string {
    const counts = countsByType(registrations);
    const width = Math.max(1, ...counts.map((c) => String(c.count).length));
    return [
        "Resources:",
        `    + ${registrations.length} to create`,
        "",
        "Resources by type:",
        ...counts.map((c) => `    ${String(c.count).padStart(width)}  ${c.type}`),
    ].join("\n") + "\n";
}
