/**
 * The k8sprod program: one ProductionPlatform per stack, from `stacks/Pulumi.<stack>.yaml` (dev, staging,
 * prod). The stack file is read and checked first (stacks/config.ts), and so are the ProductionPlatform args it
 * makes (as the platform and its add-ons check them): a broken file stops the program with one error naming the
 * file and every bad key, before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProductionPlatform, ProductionPlatformArgs } from "../components/platform";
import { StackConfigError, checkedPlatformArgs, readStackSettings } from "./config";

const stack = pulumi.getStack();
const file = `stacks/Pulumi.${stack}.yaml`;
let name: string;
let args: ProductionPlatformArgs;
try {
    const read = readStackSettings(pulumi.runtime.allConfig(), file);
    name = `k8sprod-${read.settings.environment}`;
    // What ProductionPlatform would refuse is reported against the stack file, with the stack keys.
    args = checkedPlatformArgs(name, read.settings, read.region, file);
} catch (e) {
    // A RunError is reported without a stack trace: the message says everything.
    throw e instanceof StackConfigError ? new pulumi.RunError(e.message) : e;
}
const platform = new ProductionPlatform(name, args);

export const clusterName = platform.clusterName;
export const kubeconfig = platform.kubeconfig;
export const availabilityZones = platform.availabilityZones;
export const nodeGroups = platform.nodeGroupNames;
export const namespaces = platform.namespaces;
export const serviceHosts = platform.serviceHosts;
