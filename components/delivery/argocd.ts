/**
 * The pure part of GitOps: argument types, validation, the Argo CD Helm values and the AppProject and
 * Application objects, all as plain functions tested without mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../lib/errors";
import { HelmValues, OwnedValue, checkUserValues } from "../lib/helm";
import { dns1123LabelProblem, dns1123SubdomainProblem } from "../lib/names";

/** OIDC single sign-on for the Argo CD UI and CLI (Argo CD's built-in OIDC client; Dex is not installed). */
export interface GitOpsSsoArgs {
    /** Name shown on the login button. Defaults to `SSO`. */
    name?: string;
    /** OIDC issuer URL (https), e.g. `https://login.example.com/realms/platform`. Required. */
    issuer: string;
    /** OIDC client ID. Required. */
    clientId: string;
    /**
     * Kubernetes Secret in Argo CD's namespace that holds the client secret (labelled
     * `app.kubernetes.io/part-of: argocd`, as Argo CD requires). Required.
     */
    clientSecretName: string;
    /** Key of the client secret in that Secret. Defaults to `clientSecret`. */
    clientSecretKey?: string;
    /** Scopes requested besides `openid`. Defaults to `profile`, `email`, `groups`. */
    requestedScopes?: string[];
}

/** A named local Argo CD account (for automation or break-glass), instead of the built-in admin. */
export interface GitOpsLocalAccountArgs {
    /** Account name: a DNS-1123 label, not `admin`. Required. */
    name: string;
    /** May log in to the UI and CLI with a password (set with `argocd account update-password`). Defaults to true. */
    login?: boolean;
    /** May create API tokens (for CI). Defaults to false. */
    apiKey?: boolean;
}

/** A cluster-scoped kind a team's project may deploy. */
export interface GitOpsClusterResourceArgs {
    /** API group (`""` for the core group, e.g. `rbac.authorization.k8s.io`). No wildcards. */
    group: string;
    /** Kind (e.g. `ClusterRole`). No wildcards. */
    kind: string;
}

/** A role in a team's AppProject, granted to SSO groups. */
export interface GitOpsProjectRoleArgs {
    /** Role name, a DNS-1123 label (e.g. `deployers`). Required. */
    name: string;
    /** What the role may do on the project's applications: `read` (view), `sync` (view and sync) or `admin` (also create, update, delete and run actions). Defaults to `read`. */
    access?: string;
    /** SSO groups (the OIDC `groups` claim) granted the role. At least one. */
    groups: string[];
    /** Description shown in Argo CD. */
    description?: string;
}

/** One Application a team's project deploys from Git. */
export interface GitOpsApplicationArgs {
    /** Application name within the team (the Argo CD Application is named `<team>-<name>`). Required. */
    name: string;
    /** Git repository URL (https, ssh:// or scp-like `git@host:org/repo.git`). Must be one of the team's `sourceRepos`. Required. */
    repoURL: string;
    /** Directory in the repository with the manifests (Kustomize, Helm or plain YAML). Required; `.` is the root. */
    path: string;
    /** Branch, tag or commit to deploy. Defaults to `HEAD`. Prefer a tag or a commit in production. */
    targetRevision?: string;
    /** Destination namespace: one of the team's `namespaces`. Required. */
    namespace: string;
    /** Sync wave (`argocd.argoproj.io/sync-wave`): lower waves of the same team are created and synced first. Defaults to 0. */
    syncWave?: number;
    /** Sync automatically when Git changes. Defaults to true. */
    automated?: boolean;
    /** Delete live objects removed from Git (only with `automated`). Defaults to true. */
    prune?: boolean;
    /** Undo changes made to live objects outside Git (only with `automated`). Defaults to true. */
    selfHeal?: boolean;
    /** Let an automated prune remove every object of the application (only with `automated` and `prune`). Defaults to false. */
    allowEmpty?: boolean;
    /**
     * Extra sync options (`Key=value`, from Argo CD's documented set: ServerSideApply, ApplyOutOfSyncOnly,
     * PruneLast, PrunePropagationPolicy, RespectIgnoreDifferences, Validate, FailOnSharedResource,
     * SkipDryRunOnMissingResource, Replace). `CreateNamespace=true` is refused: namespaces are the platform's
     * ProductionNamespaces. Defaults to none.
     */
    syncOptions?: string[];
}

/** One team: its AppProject and its Applications. */
export interface GitOpsTeamArgs {
    /** Team name, a DNS-1123 label: the AppProject's name. Required. */
    name: string;
    /** Description of the project. */
    description?: string;
    /** Git repositories the team may deploy from (exact URLs; no wildcards). At least one. */
    sourceRepos: string[];
    /** Namespaces the team may deploy into: each must be one of the platform's ProductionNamespaces. At least one. */
    namespaces: string[];
    /** Cluster-scoped kinds the team may deploy. Defaults to none. */
    clusterResources?: GitOpsClusterResourceArgs[];
    /** Project roles granted to SSO groups. Defaults to none. */
    roles?: GitOpsProjectRoleArgs[];
    /** Applications bootstrapped for the team. Defaults to none. */
    applications?: GitOpsApplicationArgs[];
}

/** Arguments of {@link GitOps}. */
export interface GitOpsArgs {
    /** Namespace Argo CD runs in (created as a ProductionNamespace: restricted, default-deny). Defaults to `argocd`. */
    namespace?: string;
    /** Helm release name. Defaults to `argocd`. */
    releaseName?: string;
    /**
     * Replicated controller, API server, repo server and ApplicationSet controller (3 each, spread across zones, with
     * PodDisruptionBudgets) and Redis HA (3 Redis with Sentinel behind 3 HAProxy). Needs 3 nodes. Defaults to true.
     */
    highAvailability?: boolean;
    /** Host name of the Argo CD UI and API (`global.domain`; the SSO redirect URL is `https://<domain>`). Defaults to `argocd.example.com`. */
    domain?: string;
    /** OIDC single sign-on. With it (or `localAccounts`), the built-in admin account is disabled. */
    sso?: GitOpsSsoArgs;
    /** Named local accounts. With any (or `sso`), the built-in admin account is disabled. */
    localAccounts?: GitOpsLocalAccountArgs[];
    /**
     * SSO groups and local account names that get Argo CD's `role:admin`. Required (at least one) once the admin
     * account is disabled (with `sso` or `localAccounts`), so someone can still administer Argo CD.
     */
    admins?: string[];
    /** Names of the platform's ProductionNamespaces: every team namespace must be one of them. Required; may be empty while there are no teams. */
    productionNamespaces: string[];
    /** The teams, each with its AppProject and Applications. Defaults to none. */
    teams?: GitOpsTeamArgs[];
    /**
     * Helm values of chart argo-cd 10.1.1, deep-merged over the defaults (maps merge, lists replace). Not
     * overridable (refused): the security contexts, `configs.cm["admin.enabled"]`, `configs.secret.argocdServerAdminPassword`
     * (never a preset password), `redis-ha.enabled` (use `highAvailability`) and `dex.enabled` (use `sso`).
     */
    values?: pulumi.Input<{ [key: string]: any }>;
}

export const DEFAULT_GITOPS_NAMESPACE = "argocd";
export const DEFAULT_GITOPS_RELEASE = "argocd";
export const DEFAULT_GITOPS_DOMAIN = "argocd.example.com";
/** Replicas of each Argo CD component in HA mode: one per zone, as require-min-replicas asks. */
export const HA_REPLICAS = 3;
/** The in-cluster API server, as Argo CD names the cluster it runs in. */
export const IN_CLUSTER = "https://kubernetes.default.svc";
export const ARGOCD_API_VERSION = "argoproj.io/v1alpha1";
export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";
/**
 * Deleting an Application deletes what it deployed, in foreground (the cascade Argo CD documents for this
 * finalizer). The path form: Argo CD treats the bare `resources-finalizer.argocd.argoproj.io` the same way, but
 * the API server warns on a finalizer name without a path ("prefer a domain-qualified finalizer name including a
 * path"), which the e2e's server-side apply of every planned object found.
 */
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io/foreground";
/** Retries of a failed sync: 5, from 5 s doubling to at most 3 minutes. */
export const DEFAULT_SYNC_RETRY = { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } };
export const PROJECT_ACCESS = ["read", "sync", "admin"];
/** Kinds a team never manages: the ProductionNamespace's own quota and limits. */
export const PLATFORM_OWNED_KINDS = [{ group: "", kind: "ResourceQuota" }, { group: "", kind: "LimitRange" }];

/** Argo CD's documented sync options (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/) and their values. */
export const SYNC_OPTIONS: Record<string, string[]> = {
    ServerSideApply: ["true", "false"],
    ApplyOutOfSyncOnly: ["true", "false"],
    PruneLast: ["true", "false"],
    PrunePropagationPolicy: ["foreground", "background", "orphan"],
    RespectIgnoreDifferences: ["true", "false"],
    Validate: ["true", "false"],
    FailOnSharedResource: ["true", "false"],
    SkipDryRunOnMissingResource: ["true", "false"],
    Replace: ["true", "false"],
    CreateNamespace: ["true", "false"],
};

/** Requests and limits per Argo CD component (the controller holds every application's live state in memory). */
export const DEFAULT_ARGOCD_RESOURCES = {
    controller: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    server: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    repoServer: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    applicationSet: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    redis: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    sentinel: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    haproxy: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    small: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
};

/** The restricted container context (Pod Security "restricted"), for a non-root `uid` when given. */
export function restrictedContainer(uid?: number): Record<string, unknown> {
    return {
        runAsNonRoot: true,
        ...(uid !== undefined ? { runAsUser: uid } : {}),
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        seccompProfile: { type: "RuntimeDefault" },
        capabilities: { drop: ["ALL"] },
    };
}

/** Components whose container context the component owns, with the uid their image runs as (from the chart defaults). */
const OWNED_CONTEXTS: Array<{ path: string[]; uid?: number }> = [
    { path: ["controller", "containerSecurityContext"] },
    { path: ["server", "containerSecurityContext"] },
    { path: ["repoServer", "containerSecurityContext"] },
    { path: ["applicationSet", "containerSecurityContext"] },
    { path: ["notifications", "containerSecurityContext"] },
    { path: ["commitServer", "containerSecurityContext"] },
    { path: ["redisSecretInit", "containerSecurityContext"] },
    { path: ["redis", "containerSecurityContext"], uid: 999 },
    { path: ["redis-ha", "containerSecurityContext"], uid: 1000 },
    { path: ["redis-ha", "haproxy", "containerSecurityContext"], uid: 99 },
];

export const GITOPS_OWNED: ReadonlyArray<Pick<OwnedValue, "path" | "reason">> = [
    ...OWNED_CONTEXTS.map((c) => ({ path: c.path, reason: "the containers run with the restricted Pod Security context" })),
    { path: ["configs", "cm", "admin.enabled"], reason: "the admin account is disabled once sso or localAccounts is set" },
    { path: ["configs", "secret", "argocdServerAdminPassword"], reason: "no preset admin password: Argo CD generates one, and disabling admin needs sso or localAccounts" },
    { path: ["redis-ha", "enabled"], reason: "set highAvailability instead" },
    { path: ["dex", "enabled"], reason: "SSO uses Argo CD's own OIDC client (set sso)" },
];

/** The owned values: restricted contexts, admin switch, no password, Redis HA and Dex. */
export function gitOpsOwnedValues(args: GitOpsArgs): OwnedValue[] {
    const ha = args.highAvailability ?? true;
    const value = (path: string[]): unknown => {
        const c = OWNED_CONTEXTS.find((o) => o.path.join("/") === path.join("/"));
        if (c) {
            return restrictedContainer(c.uid);
        }
        switch (path.join("/")) {
            case "configs/cm/admin.enabled": return !adminDisabled(args);
            case "configs/secret/argocdServerAdminPassword": return "";
            case "redis-ha/enabled": return ha;
            case "dex/enabled": return false;
        }
        throw new Error(`no owned value for ${path.join(".")}`);
    };
    return GITOPS_OWNED.map((o) => ({ ...o, value: value(o.path) }));
}

/** Whether the built-in admin account is disabled: once SSO or a named local account exists. */
export function adminDisabled(args: Pick<GitOpsArgs, "sso" | "localAccounts">): boolean {
    return args.sso !== undefined || (args.localAccounts ?? []).length > 0;
}

// ------------------------------------------------------------------------------------------------
// Repository URLs
// ------------------------------------------------------------------------------------------------

/** A Git repository URL, parsed: its scheme and host (for messages and the registry of sources). */
export interface RepoUrl {
    scheme: "https" | "ssh";
    host: string;
    path: string;
}

const SCP_LIKE = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):([^/][^\s]*)$/;

/** Parses a Git repository URL as Argo CD accepts it, or returns why it is refused. */
export function parseRepoUrl(url: unknown): RepoUrl | string {
    if (typeof url !== "string" || url.trim() === "") {
        return "must be a Git repository URL such as https://github.com/acme/deploy.git";
    }
    if (url !== url.trim() || /\s/.test(url)) {
        return `"${url}" contains white space`;
    }
    if (url.includes("*")) {
        return `"${url}" is a pattern; name the exact repository`;
    }
    const scp = SCP_LIKE.exec(url);
    if (scp && !url.includes("://")) {
        return { scheme: "ssh", host: scp[2], path: scp[3] };
    }
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return `"${url}" is not a URL (use https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git)`;
    }
    if (u.protocol === "http:") {
        return `"${url}" uses plain http: Git credentials and manifests would cross the network unencrypted; use https or ssh`;
    }
    if (u.protocol !== "https:" && u.protocol !== "ssh:") {
        return `"${url}" has scheme ${u.protocol.replace(/:$/, "")}; use https or ssh`;
    }
    if (u.hostname === "") {
        return `"${url}" names no host`;
    }
    if (u.password !== "" || (u.protocol === "https:" && u.username !== "")) {
        return `"${url}" carries credentials; give them to Argo CD as a repository Secret, not in the URL`;
    }
    const path = u.pathname.replace(/^\/+/, "");
    if (path === "") {
        return `"${url}" names no repository path`;
    }
    return { scheme: u.protocol === "https:" ? "https" : "ssh", host: u.hostname, path };
}

/** Argo CD compares repository URLs after normalising them: lower-case, no trailing `.git` or `/`. */
export function normalizeRepoUrl(url: string): string {
    return url.trim().toLowerCase().replace(/\/+$/, "").replace(/\.git$/, "");
}

// ------------------------------------------------------------------------------------------------
// Validation
// ------------------------------------------------------------------------------------------------

function checkLabel(problems: Problems, path: string, v: unknown, what: string): boolean {
    if (typeof v !== "string") {
        problems.add(path, `${what} must be a string`);
        return false;
    }
    const p = dns1123LabelProblem(v);
    return problems.check(p === undefined, path, p ?? "");
}

function checkStringList(problems: Problems, path: string, v: unknown, min: number, what: string): v is string[] {
    if (!Array.isArray(v) || v.length < min || v.some((x) => typeof x !== "string" || x.trim() === "")) {
        problems.add(path, `must be a list of ${min > 0 ? `at least ${min} ` : ""}non-empty ${what}`);
        return false;
    }
    return true;
}

/** Why a sync policy combination is refused (Argo CD's CLI refuses the same: prune, self-heal and allow-empty need automated sync). */
export function syncPolicyProblems(app: GitOpsApplicationArgs): Array<{ path: string; reason: string }> {
    const out: Array<{ path: string; reason: string }> = [];
    const automated = app.automated ?? true;
    const prune = app.prune ?? true;
    if (!automated) {
        for (const f of ["prune", "selfHeal", "allowEmpty"] as const) {
            if (app[f] === true) {
                out.push({ path: f, reason: `${f} applies only to automated sync, and automated is false (Argo CD refuses ${f} without an automated sync policy)` });
            }
        }
    } else if (app.allowEmpty === true && !prune) {
        out.push({ path: "allowEmpty", reason: "allowEmpty only lets an automated prune remove every object, and prune is false" });
    }
    const seen = new Map<string, string>();
    (app.syncOptions ?? []).forEach((opt, i) => {
        const m = typeof opt === "string" ? /^([A-Za-z]+)=(.+)$/.exec(opt) : null;
        if (!m || !(m[1] in SYNC_OPTIONS)) {
            out.push({ path: `syncOptions[${i}]`, reason: `${JSON.stringify(opt)} is not an Argo CD sync option (Key=value, one of ${Object.keys(SYNC_OPTIONS).join(", ")})` });
            return;
        }
        if (!SYNC_OPTIONS[m[1]].includes(m[2])) {
            out.push({ path: `syncOptions[${i}]`, reason: `${m[1]} takes ${SYNC_OPTIONS[m[1]].join(" or ")}, not "${m[2]}"` });
            return;
        }
        if (m[1] === "CreateNamespace" && m[2] === "true") {
            out.push({ path: `syncOptions[${i}]`, reason: "Argo CD must not create namespaces: deploy into the platform's ProductionNamespaces (Pod Security, quota and default-deny come with them)" });
        }
        if (seen.has(m[1]) && seen.get(m[1]) !== m[2]) {
            out.push({ path: `syncOptions[${i}]`, reason: `${m[1]} is set twice with different values` });
        }
        seen.set(m[1], m[2]);
    });
    if (seen.get("Replace") === "true" && seen.get("ServerSideApply") === "true") {
        out.push({ path: "syncOptions", reason: "Replace=true and ServerSideApply=true contradict each other: Replace deletes and recreates objects, server-side apply patches them" });
    }
    return out;
}

/** Every problem with GitOps args; the caller throws. */
export function validateGitOpsArgs(args: GitOpsArgs | undefined, problems = new Problems()): Problems {
    const a = (args ?? {}) as GitOpsArgs;
    if (a.namespace !== undefined) {
        checkLabel(problems, "namespace", a.namespace, "namespace");
    }
    if (a.releaseName !== undefined && checkLabel(problems, "releaseName", a.releaseName, "releaseName")) {
        problems.check(a.releaseName.length <= 53, "releaseName", `"${a.releaseName}" is longer than 53 characters, Helm's limit`);
    }
    if (a.domain !== undefined) {
        const p = typeof a.domain === "string" ? dns1123SubdomainProblem(a.domain) : "must be a string";
        problems.check(p === undefined, "domain", p ?? "");
    }
    // May be empty (Argo CD before any team); a team's namespace must then still be one of them, so none is accepted.
    const namespacesListed = checkStringList(problems, "productionNamespaces", a.productionNamespaces, 0, "namespace names");
    const platformNamespaces = namespacesListed ? a.productionNamespaces : [];
    if (a.sso !== undefined) {
        const s = a.sso;
        const issuer = typeof s.issuer === "string" ? (() => { try { return new URL(s.issuer); } catch { return undefined; } })() : undefined;
        problems.check(issuer?.protocol === "https:", "sso.issuer", `${JSON.stringify(s.issuer)} is not an https URL`);
        problems.check(typeof s.clientId === "string" && s.clientId.trim() !== "", "sso.clientId", "must be the OIDC client ID");
        if (typeof s.clientSecretName === "string") {
            const p = dns1123SubdomainProblem(s.clientSecretName);
            problems.check(p === undefined, "sso.clientSecretName", p ?? "");
        } else {
            problems.add("sso.clientSecretName", "must name the Secret that holds the client secret");
        }
        if (s.clientSecretKey !== undefined) {
            problems.check(typeof s.clientSecretKey === "string" && /^[-._a-zA-Z0-9]+$/.test(s.clientSecretKey), "sso.clientSecretKey", "must be a Secret key (letters, digits, '-', '_', '.')");
        }
        if (s.requestedScopes !== undefined) {
            checkStringList(problems, "sso.requestedScopes", s.requestedScopes, 0, "scopes");
        }
    }
    const accounts = new Set<string>();
    (a.localAccounts ?? []).forEach((acc, i) => {
        if (checkLabel(problems, `localAccounts[${i}].name`, acc?.name, "name")) {
            problems.check(acc.name !== "admin", `localAccounts[${i}].name`, "admin is the built-in account this option replaces; choose another name");
            problems.check(!accounts.has(acc.name), `localAccounts[${i}].name`, `"${acc.name}" is listed twice`);
            accounts.add(acc.name);
        }
        problems.check(acc?.login !== false || acc?.apiKey === true, `localAccounts[${i}]`, "an account that can neither log in nor hold API keys is useless");
    });
    if (a.admins !== undefined) {
        checkStringList(problems, "admins", a.admins, 0, "group or account names");
    }
    if (adminDisabled(a) && (a.admins ?? []).length === 0) {
        problems.add("admins", "the admin account is disabled (sso or localAccounts is set): name at least one SSO group or local account that administers Argo CD");
    }
    const teamNames = new Set<string>();
    const appNames = new Set<string>();
    (a.teams ?? []).forEach((team, t) => {
        const tp = problems.under(`teams[${t}]`);
        if (checkLabel(tp, "name", team?.name, "name")) {
            tp.check(team.name !== "default", "name", "default is Argo CD's catch-all project; give the team its own name");
            tp.check(!teamNames.has(team.name), "name", `"${team.name}" is listed twice`);
            teamNames.add(team.name);
        }
        const repos = checkStringList(tp, "sourceRepos", team?.sourceRepos, 1, "repository URLs") ? team.sourceRepos : [];
        repos.forEach((r, i) => {
            const parsed = parseRepoUrl(r);
            if (typeof parsed === "string") {
                tp.add(`sourceRepos[${i}]`, parsed);
            }
        });
        const namespaces = checkStringList(tp, "namespaces", team?.namespaces, 1, "namespace names") ? team.namespaces : [];
        namespaces.forEach((ns, i) => {
            if (checkLabel(tp, `namespaces[${i}]`, ns, "namespace") && namespacesListed) {
                tp.check(platformNamespaces.includes(ns), `namespaces[${i}]`,
                    `"${ns}" is not a ProductionNamespace of the platform (${platformNamespaces.length > 0 ? platformNamespaces.join(", ") : "it has none"}); teams deploy only into namespaces with Pod Security, quota and default-deny`);
            }
            tp.check(ns !== (a.namespace ?? DEFAULT_GITOPS_NAMESPACE), `namespaces[${i}]`, "a team cannot deploy into Argo CD's own namespace");
        });
        (team?.clusterResources ?? []).forEach((r, i) => {
            tp.check(typeof r?.group === "string" && !r.group.includes("*"), `clusterResources[${i}].group`, "must be an API group without wildcards (\"\" for the core group)");
            tp.check(typeof r?.kind === "string" && /^[A-Z][A-Za-z0-9]*$/.test(r.kind), `clusterResources[${i}].kind`, "must be a Kind such as ClusterRole, without wildcards");
        });
        const roleNames = new Set<string>();
        (team?.roles ?? []).forEach((role, i) => {
            if (checkLabel(tp, `roles[${i}].name`, role?.name, "name")) {
                tp.check(!roleNames.has(role.name), `roles[${i}].name`, `"${role.name}" is listed twice`);
                roleNames.add(role.name);
            }
            if (role?.access !== undefined) {
                tp.check(PROJECT_ACCESS.includes(role.access), `roles[${i}].access`, `"${role.access}" is not one of ${PROJECT_ACCESS.join(", ")}`);
            }
            checkStringList(tp, `roles[${i}].groups`, role?.groups, 1, "group names");
        });
        const normalizedRepos = repos.map(normalizeRepoUrl);
        (team?.applications ?? []).forEach((app, i) => {
            const ap = tp.under(`applications[${i}]`);
            if (checkLabel(ap, "name", app?.name, "name") && typeof team?.name === "string") {
                const full = `${team.name}-${app.name}`;
                ap.check(full.length <= 63, "name", `the Application name "${full}" is longer than 63 characters`);
                ap.check(!appNames.has(full), "name", `the Application "${full}" is defined twice`);
                appNames.add(full);
            }
            const parsed = parseRepoUrl(app?.repoURL);
            if (typeof parsed === "string") {
                ap.add("repoURL", parsed);
            } else if (repos.length > 0) {
                ap.check(normalizedRepos.includes(normalizeRepoUrl(app.repoURL)), "repoURL", `"${app.repoURL}" is not one of the team's sourceRepos`);
            }
            ap.check(typeof app?.path === "string" && app.path.trim() !== "" && !app.path.split("/").includes(".."), "path", "must be a directory inside the repository (\".\" for its root, no \"..\")");
            if (app?.targetRevision !== undefined) {
                ap.check(typeof app.targetRevision === "string" && app.targetRevision.trim() !== "" && !/\s/.test(app.targetRevision), "targetRevision", "must be a branch, tag or commit");
            }
            if (typeof app?.namespace !== "string" || !namespaces.includes(app.namespace)) {
                ap.add("namespace", `${JSON.stringify(app?.namespace)} is not one of the team's namespaces (${namespaces.join(", ") || "none"})`);
            }
            if (app?.syncWave !== undefined) {
                ap.check(Number.isInteger(app.syncWave) && Math.abs(app.syncWave) <= 1000, "syncWave", `${app.syncWave} is not a whole number from -1000 to 1000`);
            }
            for (const p of syncPolicyProblems(app ?? ({} as GitOpsApplicationArgs))) {
                ap.add(p.path, p.reason);
            }
        });
    });
    checkUserValues(problems, a.values, GITOPS_OWNED);
    return problems;
}

// ------------------------------------------------------------------------------------------------
// Helm values
// ------------------------------------------------------------------------------------------------

const ZONE_SPREAD = { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" };

/** The `oidc.config` document of argocd-cm for the SSO args. */
export function oidcConfig(sso: GitOpsSsoArgs): string {
    const scopes = sso.requestedScopes ?? ["profile", "email", "groups"];
    return [
        `name: ${JSON.stringify(sso.name ?? "SSO")}`,
        `issuer: ${JSON.stringify(sso.issuer)}`,
        `clientID: ${JSON.stringify(sso.clientId)}`,
        // `$<secret>:<key>` reads the value from that Secret (Argo CD's documented reference syntax).
        `clientSecret: ${JSON.stringify(`$${sso.clientSecretName}:${sso.clientSecretKey ?? "clientSecret"}`)}`,
        `requestedScopes: ${JSON.stringify(["openid", ...scopes.filter((s) => s !== "openid")])}`,
        "",
    ].join("\n");
}

/** The Argo CD RBAC policy (argocd-rbac-cm `policy.csv`): admins get role:admin; nobody gets a default role. */
export function rbacPolicyCsv(admins: string[]): string {
    return admins.map((a) => `g, ${a}, role:admin\n`).join("");
}

/** The component's default values for the chart (user values merge over them; owned values go on top). */
export function gitOpsDefaultValues(args: GitOpsArgs): HelmValues {
    const ha = args.highAvailability ?? true;
    const replicas = ha ? HA_REPLICAS : 1;
    const pdb = ha ? { enabled: true, maxUnavailable: "1" } : { enabled: false };
    const r = DEFAULT_ARGOCD_RESOURCES;
    const component = (resources: unknown) => ({ replicas, pdb, resources });
    const cm: HelmValues = {
        "exec.enabled": false,
        "users.anonymous.enabled": false,
        "statusbadge.enabled": false,
    };
    for (const acc of args.localAccounts ?? []) {
        const caps = [...((acc.apiKey ?? false) ? ["apiKey"] : []), ...((acc.login ?? true) ? ["login"] : [])];
        cm[`accounts.${acc.name}`] = caps.join(", ");
    }
    if (args.sso) {
        cm["oidc.config"] = oidcConfig(args.sso);
    }
    const values: HelmValues = {
        global: {
            domain: args.domain ?? DEFAULT_GITOPS_DOMAIN,
            logging: { format: "json" },
            // Replicas of every component in different zones; the chart fills in each component's selector.
            topologySpreadConstraints: ha ? [ZONE_SPREAD] : [],
            networkPolicy: { create: true },
        },
        configs: {
            cm,
            rbac: { "policy.default": "", "policy.csv": rbacPolicyCsv(args.admins ?? []), scopes: "[groups]" },
        },
        controller: component(r.controller),
        server: component(r.server),
        // The repo server renders manifests from Git and never calls the Kubernetes API: no token (as upstream's own manifests).
        repoServer: { ...component(r.repoServer), automountServiceAccountToken: false },
        // The chart leaves the ApplicationSet controller's probes off; a stuck controller should be restarted.
        applicationSet: { ...component(r.applicationSet), readinessProbe: { enabled: true }, livenessProbe: { enabled: true } },
        notifications: { enabled: false },
        redis: { resources: r.redis },
        redisSecretInit: { resources: r.small },
    };
    if (ha) {
        values["redis-ha"] = {
            topologySpreadConstraints: { enabled: true, whenUnsatisfiable: "ScheduleAnyway" },
            podDisruptionBudget: { maxUnavailable: 1 },
            redis: { resources: r.redis },
            sentinel: { resources: r.sentinel },
            init: { resources: r.small },
            splitBrainDetection: { resources: r.small },
            // HAProxy only proxies Redis: no Kubernetes API token.
            haproxy: { resources: r.haproxy, podDisruptionBudget: { maxUnavailable: 1 }, init: { resources: r.small }, serviceAccount: { automountToken: false } },
        };
    }
    return values;
}

// ------------------------------------------------------------------------------------------------
// AppProject and Application objects
// ------------------------------------------------------------------------------------------------

/** Casbin policy lines of a project role (`p, proj:<team>:<role>, applications, <action>, <team>/*, allow`). */
export function projectRolePolicies(team: string, role: GitOpsProjectRoleArgs): string[] {
    const subject = `proj:${team}:${role.name}`;
    const actions = { read: ["get"], sync: ["get", "sync"], admin: ["get", "sync", "create", "update", "delete", "action/*"] }[role.access ?? "read"] ?? ["get"];
    return [
        ...actions.map((a) => `p, ${subject}, applications, ${a}, ${team}/*, allow`),
        `p, ${subject}, logs, get, ${team}/*, allow`,
    ];
}

/** The AppProject of a team: its repositories, its namespaces on this cluster, its cluster-scoped kinds and roles. */
export function appProjectObject(team: GitOpsTeamArgs, namespace: string): Record<string, any> {
    return {
        apiVersion: ARGOCD_API_VERSION,
        kind: "AppProject",
        metadata: { name: team.name, namespace },
        spec: {
            description: team.description ?? `Applications of team ${team.name}`,
            sourceRepos: [...team.sourceRepos],
            destinations: team.namespaces.map((ns) => ({ server: IN_CLUSTER, namespace: ns })),
            // Listed kinds only; an empty list lets the team deploy no cluster-scoped object.
            clusterResourceWhitelist: (team.clusterResources ?? []).map((c) => ({ group: c.group, kind: c.kind })),
            namespaceResourceBlacklist: PLATFORM_OWNED_KINDS.map((k) => ({ ...k })),
            orphanedResources: { warn: true },
            roles: (team.roles ?? []).map((role) => ({
                name: role.name,
                description: role.description ?? `${role.access ?? "read"} access to the ${team.name} applications`,
                groups: [...role.groups],
                policies: projectRolePolicies(team.name, role),
            })),
        },
    };
}

/** The sync policy of an application. */
export function syncPolicy(app: GitOpsApplicationArgs): Record<string, any> {
    const automated = app.automated ?? true;
    const policy: Record<string, any> = {};
    if (automated) {
        policy.automated = { prune: app.prune ?? true, selfHeal: app.selfHeal ?? true, allowEmpty: app.allowEmpty ?? false };
    }
    policy.syncOptions = [...(app.syncOptions ?? [])];
    policy.retry = { ...DEFAULT_SYNC_RETRY, backoff: { ...DEFAULT_SYNC_RETRY.backoff } };
    return policy;
}

/** The Argo CD Application of one team application, in the team's project. */
export function applicationObject(team: GitOpsTeamArgs, app: GitOpsApplicationArgs, namespace: string): Record<string, any> {
    const prunes = (app.automated ?? true) && (app.prune ?? true);
    return {
        apiVersion: ARGOCD_API_VERSION,
        kind: "Application",
        metadata: {
            name: `${team.name}-${app.name}`,
            namespace,
            labels: { "k8sprod.io/team": team.name },
            annotations: { [SYNC_WAVE_ANNOTATION]: String(app.syncWave ?? 0) },
            // With pruning on, deleting the Application also deletes what it deployed.
            ...(prunes ? { finalizers: [RESOURCES_FINALIZER] } : {}),
        },
        spec: {
            project: team.name,
            source: { repoURL: app.repoURL, path: app.path, targetRevision: app.targetRevision ?? "HEAD" },
            destination: { server: IN_CLUSTER, namespace: app.namespace },
            syncPolicy: syncPolicy(app),
            revisionHistoryLimit: 10,
        },
    };
}
