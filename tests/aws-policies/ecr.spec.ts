// The ECR policies of the k8sprod-aws pack, and the ImageRepository component that the platform creates
// ECR repositories with, through the offline engine's analyzer path.
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { analyze, EngineResource, evaluate, loadPack, PackHandle } from "../../cli/engine/analyzer";
import { toEngineResource } from "../../cli/plan/plan";
import { ImageRepository, lifecyclePolicyDocument } from "../../components/delivery";
import { deploy, freshMocks } from "../autoscaling/harness";
import { repoRoot, withChange } from "../helpers/policy";
import { thrown } from "../helpers/outputs";

let pack: PackHandle | undefined;
const awsPack = (): PackHandle => (pack ??= loadPack(path.join(repoRoot, "policies", "aws")));
const REPO_TYPE = "aws:ecr/repository:Repository";
const TAGS = { Project: "shop", Environment: "prod" };
const GOOD = {
    name: "shop/api", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:123456789012:key/k" }], tags: TAGS,
};
const repo = (props: Record<string, any>): EngineResource[] => [{ urn: `urn:pulumi:test::k8sprod::${REPO_TYPE}::shop-api`, type: REPO_TYPE, name: "shop-api", properties: props }];
async function messages(policy: string, props: Record<string, any>, config?: Record<string, any>): Promise<string[]> {
    return (await analyze([awsPack()], repo(props), config)).filter((v) => v.policy === policy).map((v) => v.message);
}

describe("ECR policies (k8sprod-aws)", () => {
    it("report nothing on a repository with scan on push, immutable tags and KMS", async () => {
        assert.deepStrictEqual((await analyze([awsPack()], repo(GOOD))).map((v) => `${v.policy}: ${v.message}`), []);
    });

    it("ecr-scan-on-push: refuses scanning off or unset, as mandatory", async () => {
        const off = await analyze([awsPack()], repo(withChange(GOOD, (r: any) => (r.imageScanningConfiguration.scanOnPush = false))));
        const v = off.filter((x) => x.policy === "ecr-scan-on-push");
        assert.strictEqual(v.length, 1);
        assert.strictEqual(v[0].enforcementLevel, "mandatory");
        assert.strictEqual(v[0].message, "ECR repository \"shop-api\": imageScanningConfiguration.scanOnPush is not true; set it to true so every pushed image is scanned.");
        assert.strictEqual((await messages("ecr-scan-on-push", withChange(GOOD, (r: any) => delete r.imageScanningConfiguration))).length, 1);
    });

    it("ecr-scan-on-push: at level remediate, turns scanning on", async () => {
        const ev = await evaluate([awsPack()], repo(withChange(GOOD, (r: any) => delete r.imageScanningConfiguration)), { "ecr-scan-on-push": "remediate" });
        assert.deepStrictEqual(ev.remediations.find((r) => r.policy === "ecr-scan-on-push")?.properties?.imageScanningConfiguration, { scanOnPush: true });
    });

    it("ecr-immutable-tags: refuses MUTABLE, unset (ECR's default is MUTABLE) and immutable with exclusions", async () => {
        assert.match((await messages("ecr-immutable-tags", { ...GOOD, imageTagMutability: "MUTABLE" }))[0], /imageTagMutability is MUTABLE, so a pushed tag can be overwritten/);
        assert.match((await messages("ecr-immutable-tags", withChange(GOOD, (r: any) => delete r.imageTagMutability)))[0], /imageTagMutability is MUTABLE/);
        const excl = await messages("ecr-immutable-tags", { ...GOOD, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: [{ filter: "latest*", filterType: "WILDCARD" }] });
        assert.match(excl[0], /tags matching latest\* can be moved/);
    });

    it("ecr-kms-encryption: advisory on AES256 or unset encryption", async () => {
        const v = (await analyze([awsPack()], repo(withChange(GOOD, (r: any) => delete r.encryptionConfigurations)))).filter((x) => x.policy === "ecr-kms-encryption");
        assert.strictEqual(v.length, 1);
        assert.strictEqual(v[0].enforcementLevel, "advisory");
        assert.match(v[0].message, /encryptionType is AES256/);
    });

    it("skip a repository exempted by name in config", async () => {
        assert.deepStrictEqual(await messages("ecr-immutable-tags", { ...GOOD, imageTagMutability: "MUTABLE" }, { "ecr-immutable-tags": { exemptions: [{ name: "shop-api", reason: "cache repository" }] } }), []);
    });
});

describe("ImageRepository", () => {
    it("creates a repository that scans on push, has immutable tags, is encrypted with its own rotating KMS key, and expires untagged images", async () => {
        const mocks = await deploy(() => new ImageRepository("shop-api", { repositoryName: "shop/api", tags: TAGS }));
        const r = mocks.get(REPO_TYPE, "shop-api-repository").inputs;
        assert.strictEqual(r.name, "shop/api");
        assert.strictEqual(r.imageTagMutability, "IMMUTABLE");
        assert.deepStrictEqual(r.imageScanningConfiguration, { scanOnPush: true });
        assert.strictEqual(r.encryptionConfigurations[0].encryptionType, "KMS");
        assert.strictEqual(mocks.get("aws:kms/key:Key", "shop-api-key").inputs.enableKeyRotation, true);
        const lifecycle = mocks.get("aws:ecr/lifecyclePolicy:LifecyclePolicy", "shop-api-lifecycle").inputs;
        assert.deepStrictEqual(JSON.parse(lifecycle.policy), lifecyclePolicyDocument(14));
        assert.deepStrictEqual(JSON.parse(lifecycle.policy).rules[0].selection, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 });
    });

    it("passes every policy of the AWS pack", async () => {
        const mocks = await deploy(() => new ImageRepository("shop-api", { repositoryName: "shop/api", tags: TAGS, untaggedExpiryDays: 7 }));
        const resources = mocks.registrations.filter((x) => x.type.startsWith("aws:")).map(toEngineResource);
        assert.strictEqual(resources.length, 3);
        assert.deepStrictEqual((await analyze([awsPack()], resources)).map((v) => `${v.policy}: ${v.message}`), []);
    });

    it("refuses a repository name ECR would refuse and an expiry out of range, before creating anything", async () => {
        const mocks = await freshMocks();
        const e = thrown(() => new ImageRepository("x", { repositoryName: "Shop//API", untaggedExpiryDays: 0 }));
        assert.ok(pulumi.InputPropertiesError.isInstance(e));
        assert.deepStrictEqual(e.errors.map((x: any) => x.propertyPath), ["repositoryName", "untaggedExpiryDays"]);
        assert.strictEqual(mocks.registrations.length, 0);
    });
});
