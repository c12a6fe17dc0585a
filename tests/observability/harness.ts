import { RecordingMocks, Registration, installMocks } from "../helpers/mocks";
import { settle } from "../helpers/outputs";
import { ACCOUNT, RELEASE, ROLE } from "../autoscaling/harness";

export { RELEASE, ACCOUNT };
export const REGION = "eu-west-1";

/** The cluster identity Logging and Tracing take. */
export const CLUSTER = {
    clusterName: "prod",
    region: REGION,
    oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789`,
    oidcProviderUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789",
};

/** Mocks that give IAM roles, KMS keys and log groups the ARNs AWS would. */
export async function freshMocks(): Promise<RecordingMocks> {
    const mocks = new RecordingMocks()
        .onResource(ROLE, (a) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${a.name}-1234567`, name: `${a.name}-1234567` }))
        .onResource("aws:kms/key:Key", (a) => ({ arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${a.name}-0000` }))
        .onResource("aws:cloudwatch/logGroup:LogGroup", (a) => ({ arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${a.inputs.name}` }));
    await installMocks(mocks);
    return mocks;
}

/** Runs `program` under fresh mocks and waits for every registration. */
export async function deploy(program: () => void): Promise<RecordingMocks> {
    const mocks = await freshMocks();
    program();
    await settle();
    return mocks;
}

/** The one registration of `type` (throws when there is not exactly one). */
export function one(mocks: RecordingMocks, type: string, pred: (r: Registration) => boolean = () => true): Registration {
    const found = mocks.ofType(type).filter(pred);
    if (found.length !== 1) {
        throw new Error(`expected one ${type}, found ${found.length}`);
    }
    return found[0];
}

/** The Helm release of `chart`. */
export function releaseOf(mocks: RecordingMocks, chart: string): Registration {
    return one(mocks, RELEASE, (r) => r.inputs.chart === chart);
}

/** The custom resources (apiextensions) registered, as the objects they would be. */
export function customResources(mocks: RecordingMocks, kind?: string): Array<Record<string, any>> {
    return mocks.registrations.filter((r) => r.custom && /^kubernetes:(monitoring\.coreos\.com|opentelemetry\.io)\//.test(r.type))
        .map((r) => r.inputs).filter((o) => !kind || o.kind === kind);
}
