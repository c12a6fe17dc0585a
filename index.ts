// Every k8sprod component, exported for npm users and for `pulumi package add` (PulumiPlugin.yaml).
export {};
