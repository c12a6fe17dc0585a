// The autoscaling components: node autoscaling (ClusterAutoscaler), resource metrics (MetricsServer),
// right-sizing recommendations (VerticalPodAutoscaler) and custom metrics for HPAs (PrometheusAdapter).
export * from "./clusterAutoscaler";
export * from "./metricsServer";
export * from "./verticalPodAutoscaler";
export * from "./prometheusAdapter";
