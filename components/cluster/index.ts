export * from "./addons";
export * from "./eksCluster";
export * from "./irsa";
export * from "./kubeconfig";
export * from "./nodes";
