/**
 * GitOps: Argo CD (chart pinned in the version matrix) in its own ProductionNamespace, highly available by
 * default, with one AppProject per team and the teams' bootstrap Applications.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease } from "../lib/helm";
import { childName } from "../lib/names";
import { ProductionNamespace } from "../workloads/productionNamespace";
import { HELM_CHARTS } from "../../lib/versions";
import {
    DEFAULT_GITOPS_NAMESPACE, DEFAULT_GITOPS_RELEASE, GitOpsArgs, adminDisabled, appProjectObject, applicationObject,
    gitOpsDefaultValues, gitOpsOwnedValues, validateGitOpsArgs,
} from "./argocd";

export * from "./argocd";

/** The NetworkPolicies Argo CD needs besides the namespace's default deny (ingress rules come with the chart). */
export function argoCdNetworkPolicySpecs(): Record<string, k8s.types.input.networking.v1.NetworkPolicySpec> {
    return {
        // Argo CD's components talk to each other (repo server, Redis, Sentinel, HAProxy) inside the namespace.
        "allow-same-namespace": {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: {} }] }],
            egress: [{ to: [{ podSelector: {} }] }],
        },
        // Git over https and ssh, the Kubernetes API and the OIDC issuer: TCP 443 and 22 only.
        "allow-git-and-api": {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 22 }] }],
        },
    };
}

/**
 * Argo CD for application teams: replicated controller, API server, repo server and ApplicationSet controller
 * with Redis HA, spread across zones with PodDisruptionBudgets, requests and limits and restricted security
 * contexts; the admin account disabled once SSO or a named local account exists (never a preset password);
 * one AppProject per team (its repositories, its ProductionNamespaces, no cluster-scoped kinds unless listed,
 * its roles) and its Applications with automated sync, prune and self-heal, ordered by sync wave.
 */
export class GitOps extends pulumi.ComponentResource {
    /** Namespace Argo CD runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** The AppProjects, one per team. */
    public readonly projects: pulumi.Output<string[]>;
    /** The Applications, `<team>-<application>`. */
    public readonly applications: pulumi.Output<string[]>;
    /** Whether the built-in admin account is disabled. */
    public readonly adminDisabled: pulumi.Output<boolean>;

    constructor(name: string, args: GitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGitOpsArgs(args).throwIfAny(`GitOps ${name}`);
        super("k8sprod:delivery:GitOps", name, {}, opts);
        const namespaceName = args.namespace ?? DEFAULT_GITOPS_NAMESPACE;
        const ns = new ProductionNamespace(namespaceName, {}, { parent: this });
        const inNs = { parent: this, dependsOn: [ns] };
        for (const [role, spec] of Object.entries(argoCdNetworkPolicySpecs())) {
            new k8s.networking.v1.NetworkPolicy(childName(name, role), { metadata: { name: role, namespace: ns.name }, spec }, inNs);
        }
        const release = chartRelease(childName(name, "release"), {
            chart: HELM_CHARTS.argoCd,
            releaseName: args.releaseName ?? DEFAULT_GITOPS_RELEASE,
            namespace: ns.name,
            defaults: gitOpsDefaultValues(args),
            values: args.values,
            owned: gitOpsOwnedValues(args),
        }, inNs);

        const projects: string[] = [];
        const applications: string[] = [];
        for (const team of args.teams ?? []) {
            const project = new k8s.apiextensions.CustomResource(childName(name, "project", team.name),
                appProjectObject(team, namespaceName) as k8s.apiextensions.CustomResourceArgs, { parent: this, dependsOn: [release] });
            projects.push(team.name);
            // Lower sync waves first: an application depends on every application of its team in an earlier wave.
            const byWave = [...(team.applications ?? [])].sort((x, y) => (x.syncWave ?? 0) - (y.syncWave ?? 0));
            const created: Array<{ wave: number; resource: pulumi.Resource }> = [];
            for (const app of byWave) {
                const wave = app.syncWave ?? 0;
                const earlier = created.filter((c) => c.wave < wave).map((c) => c.resource);
                const resource = new k8s.apiextensions.CustomResource(childName(name, "app", `${team.name}-${app.name}`),
                    applicationObject(team, app, namespaceName) as k8s.apiextensions.CustomResourceArgs,
                    { parent: this, dependsOn: [release, project, ...earlier] });
                created.push({ wave, resource });
                applications.push(`${team.name}-${app.name}`);
            }
        }
        this.namespace = ns.name;
        this.releaseName = release.name;
        this.projects = pulumi.output(projects);
        this.applications = pulumi.output(applications);
        this.adminDisabled = pulumi.output(adminDisabled(args));
        this.registerOutputs({
            namespace: this.namespace, releaseName: this.releaseName, projects: this.projects,
            applications: this.applications, adminDisabled: this.adminDisabled,
        });
    }
}
