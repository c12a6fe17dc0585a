export * from "./cidr";
export * from "./vpc";
