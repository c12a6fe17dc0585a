import type { Registration } from "../engine/mocks";

// How long `pulumi up` spends creating one resource of a type, in seconds: what the critical path is
// weighted with. Each figure names its source; "estimate" marks a figure nobody measured here, to be
// replaced by a measured one when a real `pulumi up` reports it (pulumi up --json has per-step times).

export interface CreateTime {
    seconds: number;
    source: string;
}

/** Create times by type token. Types not listed take {@link DEFAULT_CREATE_TIME}. */
export const CREATE_TIMES: Record<string, CreateTime> = {
    "aws:eks/cluster:Cluster": {
        seconds: 900,
        source: "EKS API reference, CreateCluster: 'Cluster creation typically takes between 10 and 15 minutes'; easontechtalk.com measured 793-971 s over 21 regions (us-east-2: 905 s)",
    },
    "aws:eks/nodeGroup:NodeGroup": {
        seconds: 180,
        source: "estimate: instances launch and join; the boto3 NodegroupActive waiter polls every 30 s (not measured here)",
    },
    "aws:eks/addon:Addon": {
        seconds: 60,
        source: "estimate: the provider waits for the add-on to be ACTIVE, which for coredns and the EBS CSI driver needs running nodes (not measured here)",
    },
    "aws:ec2/natGateway:NatGateway": {
        seconds: 120,
        source: "estimate: the provider waits for the gateway to leave 'pending' (AWS VPC user guide: a NAT gateway starts in 'pending'); not measured here",
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        seconds: 90,
        source: "estimate: interface endpoints wait for their network interfaces (not measured here)",
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": { seconds: 3, source: "estimate: one IAM API call" },
    "aws:iam/role:Role": { seconds: 3, source: "estimate: one IAM API call and the provider's propagation wait" },
    "aws:iam/rolePolicy:RolePolicy": { seconds: 2, source: "estimate: one IAM API call" },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { seconds: 2, source: "estimate: one IAM API call" },
    "aws:kms/key:Key": { seconds: 10, source: "estimate: key creation and the provider's policy propagation wait" },
    "kubernetes:helm.sh/v3:Release": {
        seconds: 90,
        source: "estimate: Helm waits for the release's Deployments to be ready (image pulls on fresh nodes); not measured here",
    },
    "kubernetes:apps/v1:Deployment": {
        seconds: 45,
        source: "estimate: the Kubernetes provider waits until the rollout is complete (pods scheduled, images pulled, readiness passed)",
    },
    "kubernetes:apps/v1:StatefulSet": {
        seconds: 90,
        source: "estimate: the Kubernetes provider waits for every replica to be ready; OrderedReady starts them one at a time",
    },
    "kubernetes:core/v1:Service": { seconds: 2, source: "estimate: ClusterIP Services are ready when created (the provider waits for endpoints of LoadBalancers only)" },
};

/** Any other resource: one API call. */
export const DEFAULT_CREATE_TIME: CreateTime = { seconds: 2, source: "estimate: one API call" };

/** Resources that take no time of their own (the provider plugin starts; components only group children). */
function weightOf(r: Registration): number {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) {
        return 0;
    }
    return (CREATE_TIMES[r.type] ?? DEFAULT_CREATE_TIME).seconds;
}

export interface CriticalPath {
    /** Seconds along the longest chain. */
    seconds: number;
    /** Seconds if every resource were created one after another. */
    serialSeconds: number;
    /** The chain's resources with a create time, in creation order. */
    chain: Array<{ urn: string; type: string; name: string; seconds: number }>;
}

/** URNs a resource waits for before it is created: its dependencies, its properties' dependencies, and its provider. */
export function waitsFor(r: Registration): string[] {
    const deps = new Set<string>(r.dependencies);
    for (const list of Object.values(r.propertyDependencies ?? {})) {
        for (const u of list) {
            deps.add(u);
        }
    }
    if (r.provider) {
        // A provider reference is `<urn>::<id>`.
        deps.add(r.provider.slice(0, r.provider.lastIndexOf("::")));
    }
    return [...deps];
}

/**
 * The critical path of `pulumi up` on a new stack: the engine creates a resource once everything it waits for
 * exists, and runs the rest in parallel, so the run takes at least the longest chain of create times. A
 * dependency on a component means its custom descendants.
 */
export function criticalPath(registrations: Registration[]): CriticalPath {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const children = new Map<string, string[]>();
    for (const r of registrations) {
        if (r.parent) {
            const list = children.get(r.parent);
            if (list) {
                list.push(r.urn);
            } else {
                children.set(r.parent, [r.urn]);
            }
        }
    }
    const expanded = new Map<string, string[]>();
    const customsOf = (urn: string): string[] => {
        const known = expanded.get(urn);
        if (known) {
            return known;
        }
        const r = byUrn.get(urn);
        const out = !r ? [] : r.custom ? [urn] : (children.get(urn) ?? []).flatMap(customsOf);
        expanded.set(urn, out);
        return out;
    };
    const finish = new Map<string, number>();
    const via = new Map<string, string | undefined>();
    // Finish time of a custom resource: its create time after the latest of what it waits for (iterative
    // depth-first, so that deep chains do not exhaust the stack; a cycle, impossible in a real program, counts once).
    const visiting = new Set<string>();
    const finishOf = (root: string): number => {
        const stack: string[] = [root];
        while (stack.length > 0) {
            const urn = stack[stack.length - 1];
            if (finish.has(urn)) {
                stack.pop();
                continue;
            }
            const r = byUrn.get(urn)!;
            const deps = waitsFor(r).flatMap(customsOf).filter((u) => u !== urn);
            const pending = deps.filter((u) => !finish.has(u) && !visiting.has(u));
            if (pending.length > 0 && !visiting.has(urn)) {
                visiting.add(urn);
                stack.push(...pending);
                continue;
            }
            let start = 0;
            let from: string | undefined;
            for (const u of deps) {
                const f = finish.get(u);
                if (f !== undefined && f > start) {
                    start = f;
                    from = u;
                }
            }
            finish.set(urn, start + weightOf(r));
            via.set(urn, from);
            visiting.delete(urn);
            stack.pop();
        }
        return finish.get(root)!;
    };
    let serialSeconds = 0;
    let last: string | undefined;
    for (const r of registrations) {
        if (!r.custom) {
            continue;
        }
        serialSeconds += weightOf(r);
        const f = finishOf(r.urn);
        if (last === undefined || f > finish.get(last)!) {
            last = r.urn;
        }
    }
    const chain: CriticalPath["chain"] = [];
    for (let u = last; u !== undefined; u = via.get(u)) {
        const r = byUrn.get(u)!;
        const w = weightOf(r);
        if (w > 0) {
            chain.unshift({ urn: u, type: r.type, name: r.name, seconds: w });
        }
    }
    return { seconds: last ? finish.get(last)! : 0, serialSeconds, chain };
}

/** `1h 02m 03s`, `4m 05s`, `6s`. */
export function duration(seconds: number): string {
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = s % 60;
    if (h > 0) {
        return `${h}h ${String(m).padStart(2, "0")}m ${String(rest).padStart(2, "0")}s`;
    }
    return m > 0 ? `${m}m ${String(rest).padStart(2, "0")}s` : `${rest}s`;
}

export function renderCriticalPath(cp: CriticalPath): string {
    const lines = [
        "Critical path of `pulumi up` (create times per type: cli/plan/timings.ts, each with its source):",
        `    ${duration(cp.seconds)} along the longest dependency chain; ${duration(cp.serialSeconds)} if every resource were created one after another`,
    ];
    for (const step of cp.chain) {
        lines.push(`    ${duration(step.seconds).padStart(8)}  ${step.type}  ${step.name}`);
    }
    return lines.join("\n") + "\n";
}
