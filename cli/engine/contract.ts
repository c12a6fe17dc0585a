// The offline engine's interface to the analyzer (cli/engine/analyzer.ts): resources in, violations
// out. The analyzer is loaded lazily (`loadAnalyzer`), because it brings @pulumi/policy and with it
// @pulumi/pulumi: `k8sprod --help` and input errors answer without paying for that.
import type * as Analyzer from "./analyzer";

export type { EngineResource, EngineViolation, PackHandle } from "./analyzer";
export type AnalyzerModule = typeof Analyzer;

export function loadAnalyzer(): AnalyzerModule {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("./analyzer") as AnalyzerModule;
}
