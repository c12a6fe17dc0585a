export * from "./productionNamespace";
export * from "./webService";
export * from "./statefulService";
export * from "./types";
export { HorizontalScalingArgs, ScalingRateArgs, PodsMetricArgs, ExternalMetricArgs } from "./autoscaling";
