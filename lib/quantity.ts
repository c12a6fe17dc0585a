/**
 * Kubernetes resource quantities (`250m`, `1.5Gi`, `2e3`), parsed the way the API server parses them
 * (k8s.io/apimachinery/pkg/api/resource): a signed decimal number, then an optional binary suffix
 * (Ki … Ei), decimal suffix (n u m k M G T P E) or decimal exponent (e3, E-2).
 */
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const MULTIPLIERS: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
    n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/** The value of a quantity in base units (cores or bytes), or undefined if it is not a quantity. */
export function parseQuantity(text: string | number): number | undefined {
    if (typeof text === "number") {
        return Number.isFinite(text) ? text : undefined;
    }
    const m = QUANTITY.exec(text.trim() === text ? text : "");
    if (!m) {
        return undefined;
    }
    const suffix = m[2] ?? "";
    const mult = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : MULTIPLIERS[suffix];
    return Number(m[1]) * mult;
}

/** The reason a quantity is refused for a resource request or limit, or undefined when it is fine. */
export function quantityProblem(text: string | number): string | undefined {
    const value = parseQuantity(text);
    if (value === undefined) {
        return `"${text}" is not a Kubernetes quantity (examples: 250m, 0.5, 512Mi, 2Gi)`;
    }
    if (value <= 0) {
        return `"${text}" must be greater than zero`;
    }
    return undefined;
}

/** Formats a number of cores as millicores (`500m`) or bytes as Mi, for derived limits. */
export function formatCpu(cores: number): string {
    return `${Math.round(cores * 1000)}m`;
}

export function formatMemory(bytes: number): string {
    const mi = bytes / 2 ** 20;
    return Number.isInteger(mi) ? `${mi}Mi` : `${Math.ceil(bytes)}`;
}
