/**
 * The example application of the field guide, as a namespace of the platform: an api that may reach its
 * database on TCP 5432 and nothing else, in a namespace with Pod Security restricted and default-deny networking.
 */
import type { GitOpsTeamArgs } from "../components/delivery/argocd";
import type { PlatformNamespaceArgs } from "../components/platform";
import type { StackSettings } from "./config";

/** The example app's namespace with its api and database, from the stack's `k8sprod:app` settings. */
export function exampleAppNamespace(app: StackSettings["app"]): PlatformNamespaceArgs {
    const namespace = app?.namespace ?? "production";
    const database = "database";
    // The database's selector labels and headless Service name, as StatefulService makes them.
    const databaseLabels = { "app.kubernetes.io/name": database, "app.kubernetes.io/instance": database };
    return {
        name: namespace,
        settings: { backup: true },
        statefulServices: [{
            name: database,
            service: {
                containers: [{
                    name: "postgres",
                    image: app?.databaseImage ?? "postgres:17.2",
                    ports: [{ name: "postgres", containerPort: 5432 }],
                    // The password comes from a Secret your secret manager (e.g. External Secrets) keeps in the
                    // namespace, mounted as a file (the image reads POSTGRES_PASSWORD_FILE), not an environment variable.
                    env: { PGDATA: "/var/lib/postgresql/data/pgdata", POSTGRES_PASSWORD_FILE: "/run/secrets/postgres/password" },
                    secretFiles: { "/run/secrets/postgres/password": { secretName: app?.databaseSecret ?? "database-credentials", key: "password" } },
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
                volumeClaims: [{ name: "data", mountPath: "/var/lib/postgresql/data", size: app?.databaseVolumeSize ?? "50Gi" }],
                ingressFrom: [{ podLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" }, ports: [{ port: 5432 }] }],
            },
        }],
        webServices: [{
            name: "api",
            service: {
                containers: [{
                    name: "api",
                    // podinfo 6.7.1 mirrored into the platform's ECR repository shop/api (delivery.imageRepositories).
                    image: app?.apiImage ?? "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api:6.7.1",
                    command: ["./podinfo", "--port=9898", "--port-metrics=9797", "--data-path=/data"],
                    ports: [{ name: "http", containerPort: 9898, servicePort: 80 }, { name: "metrics", containerPort: 9797 }],
                    env: { DATABASE_HOST: `${database}.${namespace}.svc.cluster.local` },
                    resources: { requests: { cpu: "250m", memory: "256Mi" } },
                    probes: { readiness: { httpPath: "/readyz" }, liveness: { httpPath: "/healthz" }, startup: { httpPath: "/healthz" } },
                    writablePaths: ["/data"],
                }],
                metricsPort: 9797,
                egressTo: [{ podLabels: databaseLabels, ports: [{ port: 5432 }] }],
                verticalPodAutoscaler: app?.verticalPodAutoscaler ?? false,
            },
        }],
    };
}

/** The example app's team in Argo CD: its AppProject (one repository, its namespace) and the api's Application. */
export function exampleTeam(app: StackSettings["app"], environment: string): GitOpsTeamArgs {
    const namespace = app?.namespace ?? "production";
    const repo = app?.deployRepository ?? "https://github.com/example/shop-deploy.git";
    return {
        name: "shop",
        description: "The example application's team",
        sourceRepos: [repo],
        namespaces: [namespace],
        roles: [{ name: "deployers", access: "sync", groups: ["shop-deployers"] }],
        applications: [{ name: "api", repoURL: repo, path: `overlays/${environment}`, targetRevision: app?.deployRevision ?? "v1.0.0", namespace, syncWave: 1 }],
    };
}
