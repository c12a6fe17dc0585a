/**
 * The example application of the field guide: an api that may reach its database on TCP 5432 and
 * nothing else, in a namespace with Pod Security restricted and default-deny networking.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProductionNamespace, StatefulService, WebService } from "../components/workloads";

export interface ExampleApp {
    namespace: ProductionNamespace;
    api: WebService;
    database: StatefulService;
}

/** Deploys the example app with the given stack config; `opts` carries the Kubernetes provider. */
export function deployExampleApp(config: pulumi.Config, opts: pulumi.ComponentResourceOptions = {}): ExampleApp {
    const namespaceName = config.get("appNamespace") ?? "production";
    const namespace = new ProductionNamespace(namespaceName, { backup: true }, opts);

    const database = new StatefulService("database", {
        namespace: namespace.name,
        containers: [{
            name: "postgres",
            image: config.get("databaseImage") ?? "postgres:17.2",
            ports: [{ name: "postgres", containerPort: 5432 }],
            // The password comes from a Secret your secret manager (e.g. External Secrets) keeps in the
            // namespace, mounted as a file (the image reads POSTGRES_PASSWORD_FILE), not an environment variable.
            env: { PGDATA: "/var/lib/postgresql/data/pgdata", POSTGRES_PASSWORD_FILE: "/run/secrets/postgres/password" },
            secretFiles: { "/run/secrets/postgres/password": { secretName: config.get("databaseSecret") ?? "database-credentials", key: "password" } },
            resources: { requests: { cpu: "500m", memory: "1Gi" } },
            probes: {
                readiness: { command: ["pg_isready", "-U", "postgres", "-h", "127.0.0.1"] },
                liveness: { tcp: true },
                startup: { tcp: true },
            },
            writablePaths: ["/var/run/postgresql"],
        }],
        // The official postgres image runs as any uid (docker-library/postgres supports `--user`); the
        // component's default identity, uid/gid 10001, keeps it clear of the node's users.
        qos: "Guaranteed",
        volumeClaims: [{ name: "data", mountPath: "/var/lib/postgresql/data", size: config.get("databaseVolumeSize") ?? "50Gi" }],
        ingressFrom: [{ podLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" }, ports: [{ port: 5432 }] }],
    }, opts);

    const api = new WebService("api", {
        namespace: namespace.name,
        containers: [{
            name: "api",
            image: config.get("apiImage") ?? "ghcr.io/stefanprodan/podinfo:6.7.1",
            command: ["./podinfo", "--port=9898", "--port-metrics=9797", "--data-path=/data"],
            ports: [{ name: "http", containerPort: 9898, servicePort: 80 }, { name: "metrics", containerPort: 9797 }],
            env: { DATABASE_HOST: database.serviceHost },
            resources: { requests: { cpu: "250m", memory: "256Mi" } },
            probes: { readiness: { httpPath: "/readyz" }, liveness: { httpPath: "/healthz" }, startup: { httpPath: "/healthz" } },
            writablePaths: ["/data"],
        }],
        metricsPort: 9797,
        egressTo: [{ podLabels: database.selectorLabels, ports: [{ port: 5432 }] }],
        verticalPodAutoscaler: config.getBoolean("verticalPodAutoscaler") ?? false,
    }, opts);

    return { namespace, api, database };
}
