import * as pulumi from "@pulumi/pulumi";

/** One problem with a component's input: where it is, and why it is refused. */
export interface InputProblem {
    /** Dotted path from the args object, e.g. `containers[0].resources.requests.cpu`. */
    propertyPath: string;
    reason: string;
}

/**
 * Gathers every problem with a component's args so that they are reported together, before any
 * child resource exists. Validators push problems; the component calls {@link Problems.throwIfAny}.
 */
export class Problems {
    readonly items: InputProblem[] = [];

    constructor(private readonly prefix = "") {}

    /** A collector that writes into this one, with every path under `path`. */
    under(path: string): Problems {
        const child = new Problems(join(this.prefix, path));
        // Share the same list so problems from nested validators land in one error.
        (child as { items: InputProblem[] }).items = this.items;
        return child;
    }

    add(path: string, reason: string): void {
        this.items.push({ propertyPath: join(this.prefix, path), reason });
    }

    /** Adds a problem when `ok` is false; returns `ok` so callers can skip dependent checks. */
    check(ok: boolean, path: string, reason: string): boolean {
        if (!ok) {
            this.add(path, reason);
        }
        return ok;
    }

    /**
     * Requires each of `keys` to be set; a value known now must also be a non-empty string (an Output is
     * checked at deploy time).
     */
    requireStrings<T extends object>(args: T, keys: readonly (keyof T & string)[]): void {
        for (const key of keys) {
            const v = args[key] as unknown;
            if (v === undefined || v === null) {
                this.add(key, "is required");
            } else if (isKnown(v) && (typeof v !== "string" || v.trim() === "")) {
                this.add(key, "must be a non-empty string");
            }
        }
    }

    /** Throws one `pulumi.InputPropertiesError` naming every problem, or returns when there is none. */
    throwIfAny(what: string): void {
        if (this.items.length === 0) {
            return;
        }
        const lines = this.items.map((p) => `  ${p.propertyPath}: ${p.reason}`).join("\n");
        throw new pulumi.InputPropertiesError({
            message: `${what} has ${this.items.length} invalid input${this.items.length === 1 ? "" : "s"}:\n${lines}`,
            errors: this.items.map((p) => ({ ...p })),
        });
    }
}

function join(prefix: string, path: string): string {
    if (!prefix) {
        return path;
    }
    if (!path) {
        return prefix;
    }
    return path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
}

/**
 * True when a value is known while the program runs (a plain value, not an Output or a promise).
 * Validators check known values up front; deploy-time values are checked in `apply`.
 */
export function isKnown<T>(value: pulumi.Input<T> | undefined): value is T {
    return value !== undefined && !pulumi.Output.isInstance(value) && !(value instanceof Promise);
}
