// The k8sprod-aws policy pack, as `pulumi preview --policy-pack policies/aws` runs it (compiled: package.json's
// main is the tsc output). Everything else lives in policies.ts and the area files.
import { PolicyPack } from "@pulumi/policy";
import { packName, policies } from "./policies";

new PolicyPack(packName, { policies });
