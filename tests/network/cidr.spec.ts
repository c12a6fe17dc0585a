import * as assert from "assert";
import * as fc from "fast-check";
import { blockSize, cidrContains, cidrsOverlap, formatCidr, lastAddress, parseCidr, planSubnets, subnetCidrProblems } from "../../components/network/cidr";

/** Any aligned IPv4 block with a prefix in [lo, hi]. */
const cidrArb = (lo: number, hi: number) => fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
    .map(([prefix, addr]) => formatCidr({ base: addr - (addr % blockSize(prefix)), prefix }));

describe("CIDR plan (components/network/cidr.ts)", () => {
    it("parses and formats blocks, refusing host bits and bad octets", () => {
        assert.deepStrictEqual(parseCidr("10.0.0.0/16"), { base: 10 * 2 ** 24, prefix: 16 });
        assert.strictEqual(formatCidr(parseCidr("172.16.32.0/19")!), "172.16.32.0/19");
        assert.strictEqual(parseCidr("10.0.0.1/16"), undefined);
        assert.strictEqual(parseCidr("10.0.256.0/24"), undefined);
        assert.strictEqual(parseCidr("10.0.0.0/33"), undefined);
        assert.strictEqual(parseCidr("ten.0.0.0/8"), undefined);
    });

    it("lays out the default /16 as three private /19s then three public /24s", () => {
        const plan = planSubnets({ vpcCidr: "10.0.0.0/16", zoneCount: 3, privatePrefix: 19, publicPrefix: 24 });
        assert.deepStrictEqual(plan, {
            privateCidrs: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
            publicCidrs: ["10.0.96.0/24", "10.0.97.0/24", "10.0.98.0/24"],
        });
    });

    it("says why a plan does not fit instead of overflowing the VPC", () => {
        const plan = planSubnets({ vpcCidr: "10.0.0.0/20", zoneCount: 3, privatePrefix: 21, publicPrefix: 24 });
        assert.match(String(plan), /do not fit in 10\.0\.0\.0\/20/);
    });

    it("overlap agrees with comparing address ranges (property)", () => {
        fc.assert(fc.property(cidrArb(8, 30), cidrArb(8, 30), (a, b) => {
            const x = parseCidr(a)!;
            const y = parseCidr(b)!;
            const brute = Math.max(x.base, y.base) <= Math.min(lastAddress(x), lastAddress(y));
            return cidrsOverlap(x, y) === brute;
        }), { numRuns: 500 });
    });

    it("planned subnets never overlap and stay inside the VPC (property)", () => {
        fc.assert(fc.property(
            cidrArb(16, 24), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 10 }),
            (vpcText, zones, privateOffset, publicOffset) => {
                const vpc = parseCidr(vpcText)!;
                const plan = planSubnets({ vpcCidr: vpcText, zoneCount: zones, privatePrefix: Math.min(28, vpc.prefix + privateOffset), publicPrefix: Math.min(28, vpc.prefix + publicOffset) });
                if (typeof plan === "string") {
                    // Refused only when the blocks really exceed the VPC's size.
                    const needed = zones * (blockSize(Math.min(28, vpc.prefix + privateOffset)) + blockSize(Math.min(28, vpc.prefix + publicOffset)));
                    return needed > blockSize(vpc.prefix);
                }
                const all = [...plan.privateCidrs, ...plan.publicCidrs].map((c) => parseCidr(c)!);
                if (plan.privateCidrs.length !== zones || plan.publicCidrs.length !== zones) {
                    return false;
                }
                return all.every((c, i) => cidrContains(vpc, c) && all.every((d, j) => i === j || !cidrsOverlap(c, d)));
            }), { numRuns: 500 });
    });

    it("names the path of an explicit block that overlaps another or leaves the VPC", () => {
        const problems = subnetCidrProblems("10.0.0.0/16", [
            { path: "privateSubnetCidrs", cidrs: ["10.0.0.0/19", "10.0.16.0/20"] },
            { path: "publicSubnetCidrs", cidrs: ["10.1.0.0/24"] },
        ]);
        assert.deepStrictEqual(problems.map((p) => p.path), ["privateSubnetCidrs[1]", "publicSubnetCidrs[0]"]);
        assert.match(problems[0].reason, /overlaps 10\.0\.0\.0\/19 \(privateSubnetCidrs\[0\]\)/);
        assert.match(problems[1].reason, /not inside the VPC block/);
    });
});
