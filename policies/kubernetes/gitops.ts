// GitOps: Argo CD projects scope what a team may deploy, and applications belong to such a project.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, obj, resourcePolicy, str } from "./lib";

export const ARGOCD_TYPES = {
    appProject: "kubernetes:argoproj.io/v1alpha1:AppProject",
    application: "kubernetes:argoproj.io/v1alpha1:Application",
    applicationSet: "kubernetes:argoproj.io/v1alpha1:ApplicationSet",
} as const;

/** Only glob characters (`*`, `?`, `**`) and separators: a pattern that matches whatever it is compared with. */
function matchesAnything(pattern: string): boolean {
    return /^[*?/.:\s]*$/.test(pattern) && /[*?]/.test(pattern);
}

/**
 * Whether a source repository pattern of an AppProject admits any repository: only wildcards (`*`, `**`),
 * or a wildcard in the host part (`https://*`, `https://*.com/x`, `git@*:x`), which admits repositories
 * on any server. A wildcard in the path of a named host (`https://github.com/acme/*`) is scoped, and allowed.
 */
export function sourceRepoIsOpen(pattern: string): boolean {
    const p = pattern.trim();
    if (p === "" || matchesAnything(p)) {
        return p !== "";
    }
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(p);
    const rest = scheme ? p.slice(scheme[0].length) : p;
    // scp-like `user@host:path`, or `host/path` after a scheme (user info dropped).
    const host = scheme ? rest.split("/")[0].replace(/^[^@]*@/, "") : /^[^@/]+@([^:]+):/.exec(rest)?.[1] ?? rest.split("/")[0];
    return /[*?[\]]/.test(host);
}

/** Whether a destination namespace or cluster pattern admits (nearly) everything: only wildcards, or a negation (`!kube-system`). */
export function destinationIsOpen(pattern: string): boolean {
    const p = pattern.trim();
    return matchesAnything(p) || p.startsWith("!");
}

export const disallowArgoCdProjectWildcards: ResourceValidationPolicy = resourcePolicy({
    name: "disallow-argocd-project-wildcards",
    description: "Checks whether every Argo CD AppProject names the repositories it deploys from and the clusters and namespaces it deploys to, instead of a `*` that lets its applications deploy anything anywhere.",
    enforcementLevel: "mandatory",
    types: [ARGOCD_TYPES.appProject],
    check: (ctx) => {
        const spec = obj(ctx.props.spec) ?? {};
        arr(spec.sourceRepos).forEach((raw, i) => {
            const repo = str(raw);
            if (repo !== undefined && sourceRepoIsOpen(repo)) {
                ctx.report(`${ctx.subject}: spec.sourceRepos[${i}] is "${repo}", which admits repositories on any server; list the team's repositories.`);
            }
        });
        arr(spec.sourceNamespaces).forEach((raw, i) => {
            const ns = str(raw);
            if (ns !== undefined && destinationIsOpen(ns)) {
                ctx.report(`${ctx.subject}: spec.sourceNamespaces[${i}] is "${ns}", so Applications in any namespace can use this project; list the namespaces.`);
            }
        });
        const destinations = arr(spec.destinations);
        destinations.forEach((raw, i) => {
            const d = obj(raw);
            if (!d) {
                return;
            }
            for (const field of ["namespace", "server", "name"] as const) {
                const v = str(d[field]);
                if (v !== undefined && destinationIsOpen(v)) {
                    const what = field === "namespace" ? "any namespace (kube-system included)" : "any cluster Argo CD knows";
                    ctx.report(`${ctx.subject}: spec.destinations[${i}].${field} is "${v}", which admits ${what}; name the ${field === "namespace" ? "team's namespaces" : "cluster"}.`);
                }
            }
        });
    },
});

export const restrictArgoCdClusterResources: ResourceValidationPolicy = resourcePolicy({
    name: "restrict-argocd-cluster-resources",
    description: "Checks whether every Argo CD AppProject allows cluster-scoped resources only by a list of kinds, never with a `*` kind that lets its applications create ClusterRoleBindings, webhooks or CRDs.",
    enforcementLevel: "mandatory",
    types: [ARGOCD_TYPES.appProject],
    check: (ctx) => {
        arr(obj(ctx.props.spec)?.clusterResourceWhitelist).forEach((raw, i) => {
            const e = obj(raw);
            const kind = str(e?.kind);
            if (kind !== undefined && matchesAnything(kind)) {
                const group = str(e?.group) ?? "";
                ctx.report(`${ctx.subject}: spec.clusterResourceWhitelist[${i}] allows kind "${kind}" in group "${group}", so its applications may create any cluster-scoped object; list the kinds it needs.`);
            }
        });
    },
});

function projectProblem(project: unknown): string | undefined {
    const p = str(project);
    if (p === undefined || p.trim() === "") {
        return "is not set";
    }
    return p === "default" ? "is \"default\"" : undefined;
}

export const disallowArgoCdDefaultProject: ResourceValidationPolicy = resourcePolicy({
    name: "disallow-argocd-default-project",
    description: "Checks whether every Argo CD Application (and every ApplicationSet's template) belongs to a project of its own, not the `default` project, which allows every repository, cluster, namespace and kind.",
    enforcementLevel: "mandatory",
    types: [ARGOCD_TYPES.application, ARGOCD_TYPES.applicationSet],
    check: (ctx) => {
        const isSet = ctx.type === ARGOCD_TYPES.applicationSet;
        const spec = obj(ctx.props.spec);
        const path = isSet ? "spec.template.spec.project" : "spec.project";
        const project = isSet ? obj(obj(spec?.template)?.spec)?.project : spec?.project;
        if (isSet && project === undefined && spec?.templatePatch !== undefined) {
            // The project may come from templatePatch; nothing to read here.
            return;
        }
        const problem = projectProblem(project);
        if (problem) {
            ctx.report(`${ctx.subject}: ${path} ${problem}, so it falls in Argo CD's default project, which allows every repository, destination and kind; set it to the team's project.`);
        }
    },
});
