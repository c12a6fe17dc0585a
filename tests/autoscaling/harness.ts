import * as k8s from "@pulumi/kubernetes";
import { RecordingMocks, Registration, installMocks } from "../helpers/mocks";
import { settle } from "../helpers/outputs";

export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const ROLE = "aws:iam/role:Role";
export const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const ACCOUNT = "123456789012";

/** Fake cluster identity for the components' cluster arguments. */
export const CLUSTER = {
    clusterName: "prod",
    region: "eu-west-1",
    oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789`,
    oidcProviderUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789",
    kubernetesVersion: "1.35",
};

/** Mocks that give IAM roles an ARN and a name, as AWS would. */
export async function freshMocks(opts: { preview?: boolean } = {}): Promise<RecordingMocks> {
    const mocks = new RecordingMocks()
        .onResource(ROLE, (a) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${a.name}-1234567`, name: `${a.name}-1234567` }));
    await installMocks(mocks, { preview: opts.preview });
    return mocks;
}

/** Runs `program` under fresh mocks and waits until every registration has reached them. */
export async function deploy(program: () => void, opts: { preview?: boolean } = {}): Promise<RecordingMocks> {
    const mocks = await freshMocks(opts);
    program();
    await settle();
    return mocks;
}

/** The one Helm release registered. */
export function theRelease(mocks: RecordingMocks): Registration {
    const releases = mocks.ofType(RELEASE);
    if (releases.length !== 1) {
        throw new Error(`expected one Helm release, found ${releases.length}`);
    }
    return releases[0];
}

/** A Kubernetes provider standing in for the cluster's. */
export function clusterProvider(): k8s.Provider {
    return new k8s.Provider("cluster-k8s", { kubeconfig: "{}" });
}
