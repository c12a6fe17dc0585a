/**
 * The program the real-engine e2e deploys: the dev stack's Kubernetes workloads on an existing cluster (the
 * ambient kubeconfig). The dev stack (stacks/index.ts) is one ProductionPlatform: an EKS cluster and its AWS
 * resources, Helm add-ons, and the namespaces with their WebServices and StatefulServices. Only the last part
 * can be deployed here (the AWS provider is not served by the Go module proxy, and the charts would be fetched
 * from their repositories), so this program reads the dev stack's settings exactly as stacks/index.ts does
 * (stacks/config.ts) and builds the same namespaces and workloads, with the args ProductionPlatform passes
 * them (components/platform/productionPlatform.ts), without the cluster and add-ons.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProductionNamespace, StatefulService, WebService } from "../../components/workloads";
import { StackConfigError, platformArgs, readStackSettings } from "../../stacks/config";

const stack = pulumi.getStack();
let read: ReturnType<typeof readStackSettings>;
try {
    read = readStackSettings(pulumi.runtime.allConfig(), `stacks/Pulumi.${stack}.yaml`);
} catch (e) {
    throw e instanceof StackConfigError ? new pulumi.RunError(e.message) : e;
}
const args = platformArgs(read.settings, read.region);

const namespaces: pulumi.Output<string>[] = [];
const hosts: Record<string, pulumi.Output<string>> = {};
for (const ns of args.namespaces ?? []) {
    const namespace = new ProductionNamespace(ns.name, ns.settings ?? {});
    namespaces.push(namespace.name);
    for (const w of ns.statefulServices ?? []) {
        hosts[w.name] = new StatefulService(w.name, { ...w.service, namespace: namespace.name }).serviceHost;
    }
    for (const w of ns.webServices ?? []) {
        hosts[w.name] = new WebService(w.name, { ...w.service, namespace: namespace.name }).serviceHost;
    }
}

export const namespaceNames = pulumi.all(namespaces);
export const serviceHosts = hosts;
