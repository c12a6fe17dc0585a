export * from "./velero";
export * from "./etcdBackup";
export * from "./restoreDrill";
export * from "./schedule";
export * from "./bucket";
export * from "./alerts";
