import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    GitOps, GitOpsArgs, appProjectObject, applicationObject, parseRepoUrl, syncPolicyProblems, validateGitOpsArgs,
} from "../../components/delivery";
import { HELM_CHARTS } from "../../lib/versions";
import { RELEASE, deploy, freshMocks, theRelease } from "../autoscaling/harness";
import { thrown } from "../helpers/outputs";
import { schemaErrors } from "../helpers/schema";
import { ARGS, REPO, TEAM } from "./fixtures";

const PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject";
const APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";
async function values(args: GitOpsArgs = ARGS): Promise<Record<string, any>> {
    return theRelease(await deploy(() => new GitOps("gitops", args))).inputs.values;
}

describe("GitOps", () => {
    it("installs the pinned argo-cd chart atomically into its own restricted, default-deny namespace", async () => {
        const mocks = await deploy(() => new GitOps("gitops", ARGS));
        const r = mocks.get(RELEASE, "gitops-release").inputs;
        assert.strictEqual(r.chart, "argo-cd");
        assert.strictEqual(r.version, HELM_CHARTS.argoCd.version);
        assert.strictEqual(r.version, "10.1.1");
        assert.deepStrictEqual(r.repositoryOpts, { repo: "https://argoproj.github.io/argo-helm" });
        assert.strictEqual(r.namespace, "argocd");
        assert.strictEqual(r.atomic, true);
        const ns = mocks.get("kubernetes:core/v1:Namespace", "argocd-namespace").inputs;
        assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.ok(mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "argocd-default-deny"));
        const egress = mocks.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "gitops-allow-git-and-api").inputs.spec.egress;
        assert.deepStrictEqual(egress[0].ports.map((p: any) => p.port), [443, 22]);
    });

    it("replicates the controller, API server, repo server and ApplicationSet controller, with Redis HA, by default", async () => {
        const v = await values();
        for (const c of ["controller", "server", "repoServer", "applicationSet"]) {
            assert.strictEqual(v[c].replicas, 3, c);
            assert.deepStrictEqual(v[c].pdb, { enabled: true, maxUnavailable: "1" }, c);
        }
        assert.strictEqual(v["redis-ha"].enabled, true);
        assert.deepStrictEqual(v["redis-ha"].podDisruptionBudget, { maxUnavailable: 1 });
        assert.deepStrictEqual(v["redis-ha"].haproxy.podDisruptionBudget, { maxUnavailable: 1 });
        assert.deepStrictEqual([v.applicationSet.readinessProbe, v.applicationSet.livenessProbe], [{ enabled: true }, { enabled: true }]);
    });

    it("spreads every component across zones", async () => {
        const v = await values();
        assert.deepStrictEqual(v.global.topologySpreadConstraints, [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }]);
        assert.deepStrictEqual(v["redis-ha"].topologySpreadConstraints, { enabled: true, whenUnsatisfiable: "ScheduleAnyway" });
    });

    it("runs one of each, without PodDisruptionBudgets or Redis HA, when highAvailability is false", async () => {
        const v = await values({ ...ARGS, highAvailability: false });
        for (const c of ["controller", "server", "repoServer", "applicationSet"]) {
            assert.strictEqual(v[c].replicas, 1, c);
            assert.deepStrictEqual(v[c].pdb, { enabled: false }, c);
        }
        assert.strictEqual(v["redis-ha"].enabled, false);
        assert.deepStrictEqual(v.global.topologySpreadConstraints, []);
    });

    it("sets requests and limits on every container it runs", async () => {
        const v = await values();
        for (const r of [v.controller, v.server, v.repoServer, v.applicationSet, v.redis, v.redisSecretInit, v["redis-ha"].redis,
            v["redis-ha"].sentinel, v["redis-ha"].haproxy, v["redis-ha"].haproxy.init, v["redis-ha"].init, v["redis-ha"].splitBrainDetection].map((x) => x.resources)) {
            assert.ok(r.requests.cpu && r.requests.memory && r.limits.cpu && r.limits.memory, JSON.stringify(r));
        }
        assert.deepStrictEqual(v.controller.resources, { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } });
    });

    it("runs every container with the restricted security context, which user values cannot change", async () => {
        const v = await values({ ...ARGS, values: { server: { extraArgs: ["--insecure"] } } });
        for (const ctx of [v.controller, v.server, v.repoServer, v.applicationSet, v.redisSecretInit, v.redis, v["redis-ha"], v["redis-ha"].haproxy].map((x) => x.containerSecurityContext)) {
            assert.strictEqual(ctx.runAsNonRoot, true);
            assert.strictEqual(ctx.allowPrivilegeEscalation, false);
            assert.deepStrictEqual(ctx.capabilities, { drop: ["ALL"] });
            assert.deepStrictEqual(ctx.seccompProfile, { type: "RuntimeDefault" });
        }
        assert.deepStrictEqual(v.server.extraArgs, ["--insecure"]);
        await freshMocks();
        const e = thrown(() => new GitOps("gitops", { ...ARGS, values: { controller: { containerSecurityContext: { privileged: true } } } }));
        assert.deepStrictEqual(e.errors.map((x: any) => x.propertyPath), ["values.controller.containerSecurityContext"]);
    });

    it("keeps the admin account (with Argo CD's generated password) only while there is no SSO and no local account", async () => {
        const plain = await values();
        assert.strictEqual(plain.configs.cm["admin.enabled"], true);
        assert.strictEqual(plain.configs.secret.argocdServerAdminPassword, "");
        const sso = await values({ ...ARGS, admins: ["platform-admins"], sso: { issuer: "https://login.example.com", clientId: "argocd", clientSecretName: "argocd-oidc" } });
        assert.strictEqual(sso.configs.cm["admin.enabled"], false);
        assert.ok(sso.configs.cm["oidc.config"].includes('clientSecret: "$argocd-oidc:clientSecret"'), sso.configs.cm["oidc.config"]);
        assert.strictEqual(sso.configs.rbac["policy.csv"], "g, platform-admins, role:admin\n");
        assert.strictEqual(sso.configs.rbac["policy.default"], "");
        assert.strictEqual(sso.dex.enabled, false);
        const local = await values({ ...ARGS, admins: ["ops"], localAccounts: [{ name: "ops" }, { name: "ci", login: false, apiKey: true }] });
        assert.strictEqual(local.configs.cm["admin.enabled"], false);
        assert.strictEqual(local.configs.cm["accounts.ops"], "login");
        assert.strictEqual(local.configs.cm["accounts.ci"], "apiKey");
    });

    it("never takes a preset admin password", async () => {
        await freshMocks();
        const e = thrown(() => new GitOps("gitops", { ...ARGS, values: { configs: { secret: { argocdServerAdminPassword: "$2a$10$abc" } } } }));
        assert.deepStrictEqual(e.errors.map((x: any) => x.propertyPath), ["values.configs.secret.argocdServerAdminPassword"]);
    });

    it("gives each team one AppProject: its repositories, its namespaces on this cluster, no cluster-scoped kinds, its roles", async () => {
        const mocks = await deploy(() => new GitOps("gitops", ARGS));
        const p = mocks.get(PROJECT, "gitops-project-shop").inputs;
        assert.strictEqual(p.metadata.namespace, "argocd");
        assert.deepStrictEqual(p.spec.sourceRepos, [REPO]);
        assert.deepStrictEqual(p.spec.destinations, [{ server: "https://kubernetes.default.svc", namespace: "shop" }]);
        assert.deepStrictEqual(p.spec.clusterResourceWhitelist, []);
        assert.deepStrictEqual(p.spec.namespaceResourceBlacklist, [{ group: "", kind: "ResourceQuota" }, { group: "", kind: "LimitRange" }]);
        assert.deepStrictEqual(p.spec.roles[0].groups, ["shop-deployers"]);
        assert.deepStrictEqual(p.spec.roles[0].policies, [
            "p, proj:shop:deployers, applications, get, shop/*, allow",
            "p, proj:shop:deployers, applications, sync, shop/*, allow",
            "p, proj:shop:deployers, logs, get, shop/*, allow",
        ]);
        const listed = appProjectObject({ ...TEAM, clusterResources: [{ group: "rbac.authorization.k8s.io", kind: "ClusterRole" }] }, "argocd");
        assert.deepStrictEqual(listed.spec.clusterResourceWhitelist, [{ group: "rbac.authorization.k8s.io", kind: "ClusterRole" }]);
    });

    it("bootstraps each application in its team's project with automated sync, prune and self-heal, in sync-wave order", async () => {
        const mocks = await deploy(() => new GitOps("gitops", ARGS));
        const api = mocks.get(APPLICATION, "gitops-app-shop-api");
        const db = mocks.get(APPLICATION, "gitops-app-shop-database");
        assert.strictEqual(api.inputs.spec.project, "shop");
        assert.deepStrictEqual(api.inputs.spec.source, { repoURL: REPO, path: "api", targetRevision: "v1.2.3" });
        assert.deepStrictEqual(api.inputs.spec.destination, { server: "https://kubernetes.default.svc", namespace: "shop" });
        assert.deepStrictEqual(api.inputs.spec.syncPolicy.automated, { prune: true, selfHeal: true, allowEmpty: false });
        assert.strictEqual(api.inputs.metadata.annotations["argocd.argoproj.io/sync-wave"], "1");
        // Foreground cascade, in the domain-qualified form with a path (a bare name draws an API server warning).
        assert.deepStrictEqual(api.inputs.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io/foreground"]);
        assert.ok(api.dependencies.includes(db.urn), "the wave-1 application waits for the wave-0 one");
        assert.ok(!db.dependencies.includes(api.urn));
        assert.ok(api.dependencies.includes(mocks.get(PROJECT, "gitops-project-shop").urn));
        const manual = applicationObject(TEAM, { name: "x", repoURL: REPO, path: ".", namespace: "shop", automated: false }, "argocd");
        assert.strictEqual(manual.spec.syncPolicy.automated, undefined);
        assert.strictEqual(manual.metadata.finalizers, undefined);
    });

    it("emits AppProjects and Applications that the upstream Argo CD v3.4.4 CRD schemas accept", async () => {
        const mocks = await deploy(() => new GitOps("gitops", {
            ...ARGS,
            teams: [{ ...TEAM, clusterResources: [{ group: "", kind: "PersistentVolume" }], roles: [{ name: "admins", access: "admin", groups: ["a"] }] }],
        }));
        const objects = [...mocks.ofType(PROJECT), ...mocks.ofType(APPLICATION)].map((r) => r.inputs);
        assert.strictEqual(objects.length, 3);
        for (const o of objects) {
            assert.deepStrictEqual(await schemaErrors(o), [], `${o.kind} ${o.metadata.name}`);
        }
    });

    it("the CRD schema check catches a malformed Application (the check can fail)", async () => {
        const app = applicationObject(TEAM, TEAM.applications![0], "argocd");
        app.spec.syncPolicy.automated.prune = "yes";
        delete app.spec.destination;
        app.spec.source.repoUrl = app.spec.source.repoURL;
        delete app.spec.source.repoURL;
        const errors = await schemaErrors(app);
        assert.ok(errors.some((e) => e.includes("/spec/syncPolicy/automated/prune")), errors.join("\n"));
        assert.ok(errors.some((e) => e.includes("destination")), errors.join("\n"));
        assert.ok(errors.some((e) => e.includes("repoURL")), errors.join("\n"));
    });

    it("refuses bad input in one error naming each property path, before creating anything", async () => {
        const mocks = await freshMocks();
        const e = thrown(() => new GitOps("gitops", {
            productionNamespaces: ["shop"],
            teams: [{
                name: "shop",
                sourceRepos: ["github.com/acme/deploy", REPO],
                namespaces: ["shop", "kube-system"],
                applications: [
                    { name: "api", repoURL: "http://git.example.com/acme/deploy.git", path: "api", namespace: "shop" },
                    { name: "web", repoURL: REPO, path: "web", namespace: "shop", automated: false, selfHeal: true },
                    { name: "jobs", repoURL: REPO, path: "jobs", namespace: "shop", syncOptions: ["CreateNamespace=true"] },
                ],
            }],
        }));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), `${e}`);
        assert.deepStrictEqual(e.errors.map((x: any) => x.propertyPath), [
            "teams[0].sourceRepos[0]",
            "teams[0].namespaces[1]",
            "teams[0].applications[0].repoURL",
            "teams[0].applications[1].selfHeal",
            "teams[0].applications[2].syncOptions[0]",
        ]);
        assert.match(e.errors[1].reason, /not a ProductionNamespace of the platform/);
        assert.strictEqual(mocks.registrations.length, 0);
    });

    it("takes a platform without namespaces while there is no team, and then accepts no team namespace", () => {
        assert.deepStrictEqual(validateGitOpsArgs({ productionNamespaces: [] }).items, []);
        const p = validateGitOpsArgs({ productionNamespaces: [], teams: [TEAM] });
        assert.ok(p.items.some((x) => x.propertyPath === "teams[0].namespaces[0]" && /it has none/.test(x.reason)), JSON.stringify(p.items));
    });

    it("needs an administrator once the admin account is disabled, and refuses the default project name", () => {
        const p = validateGitOpsArgs({ productionNamespaces: ["shop"], sso: { issuer: "http://idp", clientId: "", clientSecretName: "Bad_Name" }, teams: [{ ...TEAM, name: "default", namespaces: ["shop"] }] });
        assert.deepStrictEqual(p.items.map((x) => x.propertyPath), ["sso.issuer", "sso.clientId", "sso.clientSecretName", "admins", "teams[0].name"]);
    });
});

describe("GitOps: repository URLs and sync policies", () => {
    it("parses https, ssh and scp-like Git URLs", () => {
        assert.deepStrictEqual(parseRepoUrl("https://github.com/acme/deploy.git"), { scheme: "https", host: "github.com", path: "acme/deploy.git" });
        assert.deepStrictEqual(parseRepoUrl("ssh://git@gitlab.example.com:2222/acme/deploy.git"), { scheme: "ssh", host: "gitlab.example.com", path: "acme/deploy.git" });
        assert.deepStrictEqual(parseRepoUrl("git@github.com:acme/deploy.git"), { scheme: "ssh", host: "github.com", path: "acme/deploy.git" });
    });

    it("refuses what does not parse, plain http, wildcards, credentials in the URL and missing paths", () => {
        for (const bad of ["github.com/acme/deploy", "http://github.com/acme/deploy", "https://github.com/acme/*", "https://user:tok@github.com/a/b",
            "https://github.com/", "ftp://x/y", "", " https://github.com/a/b"]) {
            assert.strictEqual(typeof parseRepoUrl(bad), "string", bad);
        }
    });

    it("refuses prune, self-heal or allow-empty without automated sync, allow-empty without prune, and contradictory options", () => {
        const base = { name: "a", repoURL: REPO, path: ".", namespace: "shop" };
        assert.deepStrictEqual(syncPolicyProblems(base), []);
        assert.deepStrictEqual(syncPolicyProblems({ ...base, automated: false }), []);
        assert.deepStrictEqual(syncPolicyProblems({ ...base, automated: false, prune: true, allowEmpty: true }).map((p) => p.path), ["prune", "allowEmpty"]);
        assert.deepStrictEqual(syncPolicyProblems({ ...base, prune: false, allowEmpty: true }).map((p) => p.path), ["allowEmpty"]);
        assert.deepStrictEqual(syncPolicyProblems({ ...base, syncOptions: ["Replace=true", "ServerSideApply=true"] }).map((p) => p.path), ["syncOptions"]);
        assert.deepStrictEqual(syncPolicyProblems({ ...base, syncOptions: ["PruneLast=maybe", "Bogus=true", "ServerSideApply=true"] }).map((p) => p.path), ["syncOptions[0]", "syncOptions[1]"]);
    });
});
