import { GitOpsArgs, GitOpsTeamArgs } from "../../components/delivery";

/** The example team and GitOps args the delivery tests share. */
export const REPO = "https://github.com/acme/shop-deploy.git";

export const TEAM: GitOpsTeamArgs = {
    name: "shop",
    sourceRepos: [REPO],
    namespaces: ["shop"],
    roles: [{ name: "deployers", access: "sync", groups: ["shop-deployers"] }],
    applications: [
        { name: "database", repoURL: REPO, path: "db", namespace: "shop", syncWave: 0 },
        { name: "api", repoURL: REPO, path: "api", targetRevision: "v1.2.3", namespace: "shop", syncWave: 1 },
    ],
};
export const ARGS: GitOpsArgs = { productionNamespaces: ["shop", "payments"], teams: [TEAM] };

