// Preloaded (`node --require`) into a policy pack's analyzer process by the e2e launcher: when the
// analyzer first writes to stdout (the port of its gRPC server, which the Pulumi CLI waits for), appends
// one JSON line {pack, ms} to $K8SPROD_E2E_PACK_TIMING, ms being the time since the process started.
// That is the pack's start-up as the CLI sees it: Node start, loading the pack and its policies, serving.
import * as fs from "fs";
import { performance } from "perf_hooks";

const file = process.env.K8SPROD_E2E_PACK_TIMING;
if (file) {
    const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
    let recorded = false;
    process.stdout.write = ((...args: unknown[]) => {
        if (!recorded) {
            recorded = true;
            fs.appendFileSync(file, JSON.stringify({ pack: process.env.K8SPROD_E2E_PACK, ms: Math.round(performance.now()) }) + "\n");
        }
        return write(...args);
    }) as typeof process.stdout.write;
}
