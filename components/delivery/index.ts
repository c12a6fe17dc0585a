export * from "./gitOps";
export * from "./imageRepository";
