import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";

/** Resolves an Output (or plain value) to its value, so tests assert outside `apply` callbacks. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise<T>((resolve) => pulumi.output(output).apply((v) => {
        resolve(v as T);
        return v;
    }));
}

/**
 * Waits until every registration the program started has reached the (mock) monitor: the SDK's
 * own RPC queue, drained the way it drains it before a program exits.
 */
export async function settle(): Promise<void> {
    // waitForRPCs is marked @internal in the SDK typings; it is the same drain the SDK runs at exit.
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Runs `fn`, expects it to throw, and returns the error. */
export function thrown(fn: () => unknown): any {
    try {
        fn();
    } catch (e) {
        return e;
    }
    throw new Error("expected an error, none was thrown");
}
