/**
 * The k8sprod program. `dev` deploys the example application onto an existing cluster (the ambient
 * kubeconfig); `prod` also builds the AWS platform and deploys the application onto it.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployExampleApp } from "./app";

const config = new pulumi.Config();
const app = deployExampleApp(config);

export const namespace = app.namespace.name;
export const apiHost = app.api.serviceHost;
export const databaseHost = app.database.serviceHost;
