export * from "./productionPlatform";
