// `k8sprod policy-config`: turns a policy config document (Pulumi's format plus a pack's own keys, such
// as the Kubernetes pack's `stage`, `exemptions` and `podSecurity`) into the file that
// `pulumi preview --policy-pack <pack> --policy-pack-config <file>` reads: every policy of the pack with
// the enforcement level and properties the offline engine sends it, so the real CLI and `k8sprod`
// evaluate with the same config. The document is checked exactly as `check` and `plan` check it
// (unknown keys and policy names, each policy's schema), every problem at once.
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./io";
import type { IO } from "./io";
import { kubernetesPack, readPacksAndConfig } from "./packs";

export interface PolicyConfigOptions {
    /** The config document to expand (JSON). */
    policyConfig?: string;
    /** The pack folder (default: the bundled Kubernetes pack). */
    policyPack?: string;
    /** Where to write the result (default: standard output). */
    output?: string;
}

/**
 * The expanded Pulumi policy config of one pack for a document: `{ "<policy>": { enforcementLevel, ...properties } }`
 * for every policy of the pack, as the engine resolves it before `configure`. A document keyed by pack
 * names gives the pack its own section.
 */
export async function expandedPolicyConfig(packDir: string, doc: Record<string, any> | undefined): Promise<{ pack: string; config: Record<string, any> }> {
    const { loadPack, resolvePackConfig } = await import("./engine/analyzer");
    const pack = loadPack(packDir);
    const own = doc && Object.prototype.hasOwnProperty.call(doc, pack.name) ? doc[pack.name] : doc;
    const resolved = resolvePackConfig(pack, own);
    const config: Record<string, any> = {};
    for (const [policy, entry] of Object.entries(resolved)) {
        config[policy] = { enforcementLevel: entry.enforcementLevel, ...(entry.properties ?? {}) };
    }
    return { pack: `${pack.name}@${pack.version}`, config };
}

export async function policyConfig(opts: PolicyConfigOptions, io: IO): Promise<number> {
    const packDir = path.resolve(opts.policyPack ?? kubernetesPack());
    const problems: string[] = [];
    const doc = readPacksAndConfig([packDir], opts.policyConfig, problems);
    if (problems.length) {
        throw new UsageError(problems);
    }
    let result;
    try {
        result = await expandedPolicyConfig(packDir, doc);
    } catch (e: any) {
        const lines = Array.isArray(e?.problems) && e.problems.length ? e.problems : [e?.message ?? String(e)];
        throw new UsageError([`${opts.policyConfig ?? "(no policy config)"}: the policy config is refused by ${path.relative(process.cwd(), packDir) || packDir}:`, ...lines.map((l: string) => `  ${l}`)]);
    }
    const text = JSON.stringify(result.config, null, 2) + "\n";
    if (opts.output) {
        fs.writeFileSync(opts.output, text);
        io.stderr(`k8sprod policy-config: wrote ${opts.output} for ${result.pack} (${Object.keys(result.config).length} policies); use it with pulumi preview --policy-pack ${path.relative(process.cwd(), packDir) || packDir} --policy-pack-config ${opts.output}\n`);
    } else {
        io.stdout(text);
    }
    return 0;
}
