/**
 * The k8sprod program: one ProductionPlatform per stack, from `stacks/Pulumi.<stack>.yaml` (dev, staging,
 * prod). The stack file is read and checked first (stacks/config.ts): a broken file stops the program with
 * one error naming the file and every bad key, before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProductionPlatform } from "../components/platform";
import { StackConfigError, platformArgs, readStackSettings } from "./config";

const stack = pulumi.getStack();
let read: ReturnType<typeof readStackSettings>;
try {
    read = readStackSettings(pulumi.runtime.allConfig(), `stacks/Pulumi.${stack}.yaml`);
} catch (e) {
    // A RunError is reported without a stack trace: the message says everything.
    throw e instanceof StackConfigError ? new pulumi.RunError(e.message) : e;
}
const platform = new ProductionPlatform(`k8sprod-${read.settings.environment}`, platformArgs(read.settings, read.region));

export const clusterName = platform.clusterName;
export const kubeconfig = platform.kubeconfig;
export const availabilityZones = platform.availabilityZones;
export const nodeGroups = platform.nodeGroupNames;
export const namespaces = platform.namespaces;
export const serviceHosts = platform.serviceHosts;
