export * from "./addons";
export * from "./eksCluster";
export * from "./iam";
export * from "./irsa";
export * from "./kubeconfig";
export * from "./nodes";
