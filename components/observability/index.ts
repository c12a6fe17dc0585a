// The observability components: metrics and alerts (Monitoring), logs by retention class (Logging), and the
// two-tier tail-sampled trace pipeline (Tracing).
export * from "./monitoring";
export * from "./logging";
export * from "./tracing";
