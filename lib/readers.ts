// Safe readers both packs use on resource properties: they never throw on a value of the wrong type.

/** `v` when it is a plain object (not null, not an array), else undefined. */
export function obj(v: unknown): Record<string, any> | undefined {
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
}

/** `v` when it is an array, else an empty array. */
export function arr(v: unknown): any[] {
    return Array.isArray(v) ? v : [];
}

/** `v` when it is a string, else undefined. */
export function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}
