/**
 * IPv4 CIDR arithmetic and the subnet plan of a VPC: pure functions, tested without mocks
 * (property tests prove that planned subnets never overlap and stay inside the VPC).
 */

/** An IPv4 block: its first address as an unsigned 32-bit number and its prefix length. */
export interface Cidr {
    base: number;
    prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; undefined when it is not a CIDR or has host bits set (`10.0.0.1/16`). */
export function parseCidr(text: string): Cidr | undefined {
    const m = CIDR.exec(text);
    if (!m) {
        return undefined;
    }
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return undefined;
    }
    const base = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
    if (base % blockSize(prefix) !== 0) {
        return undefined;
    }
    return { base, prefix };
}

/** Why `text` is not a usable CIDR block, or undefined when it is one. */
export function cidrProblem(text: string): string | undefined {
    if (!CIDR.test(text)) {
        return `"${text}" is not an IPv4 CIDR block such as 10.0.0.0/16`;
    }
    return parseCidr(text) ? undefined : `"${text}" is not a valid CIDR block (octets 0-255, prefix 0-32, no host bits set)`;
}

export function formatCidr(c: Cidr): string {
    const b = c.base;
    return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${c.prefix}`;
}

/** Number of addresses in a block of this prefix length. */
export function blockSize(prefix: number): number {
    return 2 ** (32 - prefix);
}

/** Last address of a block (inclusive). */
export function lastAddress(c: Cidr): number {
    return c.base + blockSize(c.prefix) - 1;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    return inner.base >= outer.base && lastAddress(inner) <= lastAddress(outer);
}

/** The inputs of a subnet plan. */
export interface SubnetPlanInput {
    vpcCidr: string;
    zoneCount: number;
    /** Prefix length of each private subnet. */
    privatePrefix: number;
    /** Prefix length of each public subnet. */
    publicPrefix: number;
}

/** One private and one public CIDR per zone, in zone order. */
export interface SubnetPlan {
    privateCidrs: string[];
    publicCidrs: string[];
}

/**
 * Lays out one private and one public subnet per zone inside the VPC: private blocks first (they hold the
 * pod IPs the VPC CNI hands out, so they are the large ones), then public blocks, each aligned to its own
 * size. Returns the reason when the blocks do not fit.
 */
export function planSubnets(input: SubnetPlanInput): SubnetPlan | string {
    const vpc = parseCidr(input.vpcCidr);
    if (!vpc) {
        return cidrProblem(input.vpcCidr) ?? "invalid VPC CIDR";
    }
    for (const [what, prefix] of [["private", input.privatePrefix], ["public", input.publicPrefix]] as const) {
        if (!Number.isInteger(prefix) || prefix < vpc.prefix || prefix > 28) {
            return `${what} subnet prefix /${prefix} must be an integer between the VPC's /${vpc.prefix} and /28 (the smallest subnet AWS allows)`;
        }
    }
    let cursor = vpc.base;
    const allocate = (prefix: number): Cidr | undefined => {
        const size = blockSize(prefix);
        const start = Math.ceil(cursor / size) * size;
        const block = { base: start, prefix };
        if (lastAddress(block) > lastAddress(vpc)) {
            return undefined;
        }
        cursor = start + size;
        return block;
    };
    const privateCidrs: string[] = [];
    const publicCidrs: string[] = [];
    // Allocating the larger blocks first keeps the smaller ones from fragmenting the space.
    const order: Array<["private" | "public", number]> = input.privatePrefix <= input.publicPrefix
        ? [["private", input.privatePrefix], ["public", input.publicPrefix]]
        : [["public", input.publicPrefix], ["private", input.privatePrefix]];
    for (const [kind, prefix] of order) {
        for (let i = 0; i < input.zoneCount; i++) {
            const block = allocate(prefix);
            if (!block) {
                return `${input.zoneCount} private /${input.privatePrefix} and ${input.zoneCount} public /${input.publicPrefix} subnets do not fit in ${input.vpcCidr}`;
            }
            (kind === "private" ? privateCidrs : publicCidrs).push(formatCidr(block));
        }
    }
    return { privateCidrs, publicCidrs };
}

/**
 * Checks explicit subnet CIDRs: each is a CIDR inside the VPC and none overlaps another. Returns
 * `[index, reason]` pairs over the concatenation of the lists, labelled by the caller.
 */
export function subnetCidrProblems(vpcCidr: string, lists: Array<{ path: string; cidrs: string[] }>): Array<{ path: string; reason: string }> {
    const problems: Array<{ path: string; reason: string }> = [];
    const vpc = parseCidr(vpcCidr);
    const seen: Array<{ path: string; text: string; cidr: Cidr }> = [];
    for (const list of lists) {
        list.cidrs.forEach((text, i) => {
            const path = `${list.path}[${i}]`;
            const reason = cidrProblem(text);
            if (reason) {
                problems.push({ path, reason });
                return;
            }
            const cidr = parseCidr(text)!;
            if (vpc && !cidrContains(vpc, cidr)) {
                problems.push({ path, reason: `${text} is not inside the VPC block ${vpcCidr}` });
            }
            const clash = seen.find((s) => cidrsOverlap(s.cidr, cidr));
            if (clash) {
                problems.push({ path, reason: `${text} overlaps ${clash.text} (${clash.path})` });
            }
            seen.push({ path, text, cidr });
        });
    }
    return problems;
}
