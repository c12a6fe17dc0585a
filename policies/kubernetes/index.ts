// The k8sprod-kubernetes policy pack, as `pulumi preview --policy-pack policies/kubernetes` runs it
// (compiled: package.json's main is the tsc output). Everything else lives in policies.ts.
import { PolicyPack } from "@pulumi/policy";
import { packName, policies } from "./policies";

export { expandConfig } from "./policies";

new PolicyPack(packName, { policies });
