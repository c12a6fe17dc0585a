import type { Registration } from "../engine/mocks";

// The monthly cost of a stack's fixed resources: docs/aws.md's cost table as data. List prices of
// us-east-1, on demand, 730 hours a month; each price names its source. Usage-based charges (NAT data
// processing, egress, CloudWatch Logs ingestion, snapshots) are not fixed and are not counted.

export const HOURS_PER_MONTH = 730;

export interface Price {
    /** US dollars per unit (per hour, per GB-month or per month, as `unit` says). */
    usd: number;
    unit: "hour" | "GB-month" | "month";
    source: string;
}

const EC2_M7I_SOURCE = "half the m7i.xlarge us-east-1 rate of $0.2016/h quoted by c3x.dev, 'm5 vs m6i vs m7i' (EC2 prices scale linearly within a family)";

/** Fixed prices by what is billed. */
export const PRICES = {
    eksCluster: { usd: 0.10, unit: "hour", source: "AWS Containers blog, 'Amazon EKS extended support for Kubernetes versions pricing' (standard support $0.10 per cluster-hour)" },
    natGateway: { usd: 0.045, unit: "hour", source: "AWS VPC pricing as quoted by cloudpipelines.pages.dev and basavytix.com NAT pricing guides (2026)" },
    publicIpv4: { usd: 0.005, unit: "hour", source: "cloudburn.io, 'AWS NAT Gateway Pricing' (public IPv4 $0.005/h)" },
    kmsKey: { usd: 1.0, unit: "month", source: "AWS KMS pricing page (not re-checked in this session)" },
    gp3: { usd: 0.08, unit: "GB-month", source: "AWS EBS pricing page, gp3 with the included 3,000 IOPS and 125 MB/s (not re-checked in this session)" },
    interfaceEndpoint: { usd: 0.01, unit: "hour", source: "AWS PrivateLink pricing, per endpoint and zone (not re-checked in this session)" },
    loadBalancer: { usd: 0.0225, unit: "hour", source: "AWS Elastic Load Balancing pricing, Network Load Balancer hour without LCUs (not re-checked in this session)" },
} satisfies Record<string, Price>;

/** On-demand Linux instance prices, us-east-1. */
export const INSTANCE_PRICES: Record<string, Price> = {
    "m7i.large": { usd: 0.1008, unit: "hour", source: EC2_M7I_SOURCE },
    "m7i.xlarge": { usd: 0.2016, unit: "hour", source: "c3x.dev, 'm5 vs m6i vs m7i' (us-east-1)" },
    "m7i.2xlarge": { usd: 0.4032, unit: "hour", source: `twice the m7i.xlarge rate; ${EC2_M7I_SOURCE}` },
    "t3.large": { usd: 0.0832, unit: "hour", source: "AWS EC2 on-demand pricing page, us-east-1 Linux (not re-checked in this session)" },
};

/** The EBS root volume of a node group without a launch template (the EKS default). */
const DEFAULT_NODE_DISK_GB = 20;

export interface CostLine {
    item: string;
    quantity: number;
    unit: string;
    /** US dollars per month, or undefined when the price is not in the tables. */
    monthly?: number;
    source: string;
}

export interface StackCost {
    lines: CostLine[];
    /** Sum of the lines with a price. */
    monthly: number;
    /** At the node groups' maximum sizes. */
    monthlyAtMax: number;
}

function perMonth(p: Price, quantity: number): number {
    return (p.unit === "hour" ? p.usd * HOURS_PER_MONTH : p.usd) * quantity;
}

function known(v: unknown): boolean {
    return v !== undefined && v !== null && !(typeof v === "object" && (v as any).__pulumiUnknown);
}

/** A Kubernetes storage quantity in GiB, the unit EBS bills as "GB-month": `50Gi` -> 50; `100G` -> 93.13. */
export function gibibytes(q: unknown): number | undefined {
    if (typeof q !== "string") {
        return undefined;
    }
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(q.trim());
    if (!m) {
        return undefined;
    }
    const n = Number(m[1]);
    const bytes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
    return (n * (m[2] ? bytes[m[2]] : 1)) / 2 ** 30;
}

/** The monthly cost of the fixed resources among `registrations`. */
export function stackCost(registrations: Registration[]): StackCost {
    const lines: CostLine[] = [];
    let atMax = 0;
    const add = (item: string, quantity: number, unit: string, price: Price | undefined, source?: string): number => {
        const monthly = price ? perMonth(price, quantity) : undefined;
        lines.push({ item, quantity, unit, monthly, source: price?.source ?? source ?? "no price in cli/plan/cost.ts" });
        return monthly ?? 0;
    };
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    for (const r of registrations) {
        const i = r.inputs ?? {};
        switch (r.type) {
            case "aws:eks/cluster:Cluster":
                atMax += add(`EKS control plane ${r.name}`, 1, "cluster", PRICES.eksCluster);
                break;
            case "aws:ec2/natGateway:NatGateway":
                if (i.connectivityType !== "private") {
                    atMax += add(`NAT gateway ${r.name}`, 1, "gateway", PRICES.natGateway);
                }
                break;
            case "aws:ec2/eip:Eip":
                atMax += add(`public IPv4 address ${r.name}`, 1, "address", PRICES.publicIpv4);
                break;
            case "aws:kms/key:Key":
                atMax += add(`KMS key ${r.name}`, 1, "key", PRICES.kmsKey);
                break;
            case "aws:ec2/vpcEndpoint:VpcEndpoint":
                if (i.vpcEndpointType === "Interface") {
                    const zones = Array.isArray(i.subnetIds) ? i.subnetIds.length : 1;
                    atMax += add(`interface endpoint ${r.name}`, zones, "zone", PRICES.interfaceEndpoint);
                }
                break;
            case "aws:eks/nodeGroup:NodeGroup": {
                const s = i.scalingConfig ?? {};
                const nodes = known(s.desiredSize) ? Number(s.desiredSize) : known(s.minSize) ? Number(s.minSize) : undefined;
                const max = known(s.maxSize) ? Number(s.maxSize) : nodes;
                const type = Array.isArray(i.instanceTypes) && typeof i.instanceTypes[0] === "string" ? i.instanceTypes[0] : undefined;
                if (nodes === undefined || type === undefined) {
                    lines.push({ item: `nodes of ${r.name}`, quantity: 0, unit: "node", source: "size or instance type unknown until deploy" });
                    break;
                }
                const price = INSTANCE_PRICES[type];
                add(`nodes of ${r.name}, ${type}`, nodes, "node", price, `no price for ${type} in cli/plan/cost.ts`);
                atMax += price ? perMonth(price, max ?? nodes) : 0;
                const ltUrn = (r.propertyDependencies?.launchTemplate ?? [])[0];
                const lt = ltUrn ? byUrn.get(ltUrn) : undefined;
                const disk = Number(lt?.inputs?.blockDeviceMappings?.[0]?.ebs?.volumeSize ?? (known(i.diskSize) ? i.diskSize : DEFAULT_NODE_DISK_GB));
                add(`root volumes of ${r.name}, gp3 ${disk} GiB`, disk * nodes, "GiB", PRICES.gp3);
                atMax += perMonth(PRICES.gp3, disk * (max ?? nodes));
                break;
            }
            case "kubernetes:apps/v1:StatefulSet": {
                const replicas = known(i.spec?.replicas) ? Number(i.spec.replicas) : 1;
                for (const t of i.spec?.volumeClaimTemplates ?? []) {
                    const gb = gibibytes(t?.spec?.resources?.requests?.storage);
                    if (gb !== undefined) {
                        atMax += add(`volumes ${t.metadata?.name ?? "data"} of StatefulSet ${r.name} (${replicas} replicas), gp3`, Math.round(gb * replicas * 100) / 100, "GiB", PRICES.gp3);
                    }
                }
                break;
            }
            case "kubernetes:core/v1:PersistentVolumeClaim": {
                const gb = gibibytes(i.spec?.resources?.requests?.storage);
                if (gb !== undefined) {
                    atMax += add(`volume of PersistentVolumeClaim ${r.name}, gp3`, Math.round(gb * 100) / 100, "GiB", PRICES.gp3);
                }
                break;
            }
            case "kubernetes:core/v1:Service":
                if (i.spec?.type === "LoadBalancer") {
                    atMax += add(`load balancer of Service ${r.name}`, 1, "load balancer", PRICES.loadBalancer);
                }
                break;
            default:
        }
    }
    const monthly = lines.reduce((s, l) => s + (l.monthly ?? 0), 0);
    return { lines, monthly, monthlyAtMax: atMax };
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

export function renderCost(cost: StackCost): string {
    if (cost.lines.length === 0) {
        return "Monthly cost of fixed resources: none found (cli/plan/cost.ts prices AWS and storage resources)\n";
    }
    const width = Math.max(...cost.lines.map((l) => l.item.length));
    const rows = cost.lines.map((l) => `    ${l.item.padEnd(width)}  ${String(l.quantity).padStart(6)} ${l.unit.padEnd(8)} ${l.monthly === undefined ? "   (no price)" : usd(l.monthly).padStart(10)}`);
    const unpriced = cost.lines.filter((l) => l.monthly === undefined);
    return [
        `Monthly cost of fixed resources (us-east-1 list prices, on demand, ${HOURS_PER_MONTH} h; prices and sources in cli/plan/cost.ts):`,
        ...rows,
        `    total ≈ ${usd(cost.monthly)} a month at the node groups' current sizes, ${usd(cost.monthlyAtMax)} at their maximum; usage (NAT data, egress, logs, snapshots) comes on top`,
        ...(unpriced.length > 0 ? [`    ${unpriced.length} item(s) without a price are not in the total`] : []),
    ].join("\n") + "\n";
}
