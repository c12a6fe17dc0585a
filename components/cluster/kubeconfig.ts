/**
 * The kubeconfig of an EKS cluster, authenticating with `aws eks get-token` (no long-lived credentials in it).
 */

export interface KubeconfigInput {
    clusterName: string;
    endpoint: string;
    certificateAuthorityData: string;
    /** The cluster's region; when empty the AWS CLI's default region is used. */
    region?: string;
    /** An AWS CLI profile to use; when empty the default credential chain is used. */
    profile?: string;
}

/** The region of an EKS cluster ARN (`arn:aws:eks:<region>:<account>:cluster/<name>`), or undefined. */
export function regionOfArn(arn: string | undefined): string | undefined {
    const m = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):\d+:cluster\//.exec(arn ?? "");
    return m ? m[1] : undefined;
}

/** A kubeconfig object for one cluster; serialize it with JSON.stringify (kubectl reads JSON too). */
export function kubeconfigFor(input: KubeconfigInput): Record<string, any> {
    const args = ["eks", "get-token", "--cluster-name", input.clusterName, "--output", "json"];
    if (input.region) {
        args.push("--region", input.region);
    }
    const env = input.profile ? [{ name: "AWS_PROFILE", value: input.profile }] : undefined;
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: input.clusterName, cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthorityData } }],
        contexts: [{ name: input.clusterName, context: { cluster: input.clusterName, user: input.clusterName } }],
        "current-context": input.clusterName,
        users: [{
            name: input.clusterName,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: "aws",
                    args,
                    ...(env ? { env } : {}),
                    interactiveMode: "Never",
                },
            },
        }],
    };
}
