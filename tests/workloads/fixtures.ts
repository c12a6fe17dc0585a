import { StatefulServiceArgs, WebServiceArgs } from "../../components/workloads";
import { RecordingMocks, installMocks } from "../helpers/mocks";
import { settle } from "../helpers/outputs";

/** The seed's api: a web service that may reach the database on 5432 and nothing else. Happy path; tests change one field. */
export function apiArgs(overrides: Partial<WebServiceArgs> = {}): WebServiceArgs {
    return {
        namespace: "production",
        containers: [{
            name: "api",
            image: "ghcr.io/example/api:1.4.2",
            ports: [{ name: "http", containerPort: 8080, servicePort: 80 }, { name: "metrics", containerPort: 9090 }],
            resources: { requests: { cpu: "250m", memory: "256Mi" } },
        }],
        egressTo: [{ podLabels: { "app.kubernetes.io/name": "database", "app.kubernetes.io/instance": "database" }, ports: [{ port: 5432 }] }],
        metricsPort: 9090,
        ...overrides,
    };
}

/** The seed's database: a StatefulService with one data volume, reachable from the api on 5432. */
export function dbArgs(overrides: Partial<StatefulServiceArgs> = {}): StatefulServiceArgs {
    return {
        namespace: "production",
        containers: [{
            name: "postgres",
            image: "postgres:17.2",
            ports: [{ name: "postgres", containerPort: 5432 }],
            resources: { requests: { cpu: "500m", memory: "1Gi" } },
            probes: {
                readiness: { command: ["pg_isready", "-U", "postgres"] },
                liveness: { tcp: true },
                startup: { tcp: true },
            },
            writablePaths: ["/var/run/postgresql"],
        }],
        volumeClaims: [{ name: "data", mountPath: "/var/lib/postgresql/data", size: "100Gi" }],
        qos: "Guaranteed",
        ingressFrom: [{ podLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" }, ports: [{ port: 5432 }] }],
        ...overrides,
    };
}

/** Runs `build` under fresh recording mocks and waits until every registration has arrived. */
export async function record(build: () => void): Promise<RecordingMocks> {
    const mocks = new RecordingMocks();
    await installMocks(mocks);
    build();
    await settle();
    return mocks;
}

/** The pod spec inside a Deployment or StatefulSet registration. */
export function podSpec(workload: { inputs: Record<string, any> }): Record<string, any> {
    return workload.inputs.spec.template.spec;
}
