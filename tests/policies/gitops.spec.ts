// The Argo CD policies of the k8sprod-kubernetes pack: one happy-path object per kind, one change per case,
// and the YAML fixtures (tests/fixtures/gitops) through `k8sprod check`.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { destinationIsOpen, sourceRepoIsOpen } from "../../policies/kubernetes/gitops";
import { cli } from "../cli/helpers";
import { assertNotApplicable, assertNoViolation, assertViolation, repoRoot, violationsOf, withChange } from "../helpers/policy";
import { schemaErrors } from "../helpers/schema";

const FIXTURES = path.join(repoRoot, "tests", "fixtures", "gitops");
const load = (file: string): Array<Record<string, any>> => YAML.parseAllDocuments(fs.readFileSync(path.join(FIXTURES, file), "utf8")).map((d) => d.toJS());
const [PROJECT, APP, APPSET] = load("good.yaml");

describe("Argo CD policies", () => {
    it("the fixtures' AppProject and Application are valid for the upstream Argo CD v3.4.4 CRDs", async () => {
        for (const o of [...load("good.yaml"), ...load("bad.yaml")].filter((x) => x.kind !== "ApplicationSet")) {
            assert.deepStrictEqual(await schemaErrors(o), [], `${o.kind} ${o.metadata.name}`);
        }
    });

    it("report nothing on a scoped project, an application in it and an ApplicationSet whose template uses it", async () => {
        assert.deepStrictEqual((await violationsOf([PROJECT, APP, APPSET])).map((v) => `${v.policy}: ${v.message}`), []);
    });

    describe("disallow-argocd-project-wildcards", () => {
        const P = "disallow-argocd-project-wildcards";
        it("refuses `*` as a source repository, naming the property", () => assertViolation(P, withChange(PROJECT, (p) => p.spec.sourceRepos.push("*")),
            ['AppProject "shop" in namespace "argocd": spec.sourceRepos[3] is "*"', "admits repositories on any server"]));
        it("refuses a wildcard host (`https://*/*`, `git@*:x`) but accepts a wildcard path on a named host", async () => {
            await assertViolation(P, withChange(PROJECT, (p) => (p.spec.sourceRepos = ["https://*/acme/*"])), "spec.sourceRepos[0]");
            await assertViolation(P, withChange(PROJECT, (p) => (p.spec.sourceRepos = ["git@*:acme/x.git"])), "spec.sourceRepos[0]");
            await assertNoViolation(P, withChange(PROJECT, (p) => (p.spec.sourceRepos = ["https://github.com/acme/*"])));
        });
        it("refuses `*` as destination namespace, server or cluster name", async () => {
            await assertViolation(P, withChange(PROJECT, (p) => (p.spec.destinations[0].namespace = "*")), ['spec.destinations[0].namespace is "*"', "kube-system included"]);
            await assertViolation(P, withChange(PROJECT, (p) => (p.spec.destinations[0].server = "*")), 'spec.destinations[0].server is "*"');
            await assertViolation(P, withChange(PROJECT, (p) => (p.spec.destinations[1].name = "*")), 'spec.destinations[1].name is "*"');
        });
        it("refuses a negated namespace (everything but one) and `*` source namespaces", async () => {
            await assertViolation(P, withChange(PROJECT, (p) => (p.spec.destinations[0].namespace = "!kube-system")), 'namespace is "!kube-system"');
            await assertViolation(P, withChange(PROJECT, (p) => (p.spec.sourceNamespaces = ["*"])), 'spec.sourceNamespaces[0] is "*"');
        });
        it("does not apply to an Application", () => assertNotApplicable(P, APP));
        it("honours an exemption from config, with its reason", () => assertNoViolation(P, withChange(PROJECT, (p) => p.spec.sourceRepos.push("*")),
            { [P]: { exemptions: [{ kind: "AppProject", name: "shop", reason: "migration project, removed next sprint" }] } }));
    });

    describe("restrict-argocd-cluster-resources", () => {
        const P = "restrict-argocd-cluster-resources";
        it("accepts listed cluster-scoped kinds, and none", async () => {
            await assertNoViolation(P, PROJECT);
            await assertNoViolation(P, withChange(PROJECT, (p) => delete p.spec.clusterResourceWhitelist));
        });
        it("refuses a `*` kind, in any group or in one", async () => {
            await assertViolation(P, withChange(PROJECT, (p) => (p.spec.clusterResourceWhitelist = [{ group: "*", kind: "*" }])),
                ['spec.clusterResourceWhitelist[0] allows kind "*" in group "*"', "any cluster-scoped object"]);
            await assertViolation(P, withChange(PROJECT, (p) => p.spec.clusterResourceWhitelist.push({ group: "rbac.authorization.k8s.io", kind: "*" })), "spec.clusterResourceWhitelist[1]");
        });
    });

    describe("disallow-argocd-default-project", () => {
        const P = "disallow-argocd-default-project";
        it("refuses an Application in the default project, or with no project", async () => {
            await assertViolation(P, withChange(APP, (a) => (a.spec.project = "default")), ['Application "shop-api" in namespace "argocd": spec.project is "default"', "set it to the team's project"]);
            await assertViolation(P, withChange(APP, (a) => delete a.spec.project), "spec.project is not set");
        });
        it("refuses an ApplicationSet whose template uses the default project", () => assertViolation(P, withChange(APPSET, (s) => (s.spec.template.spec.project = "default")),
            'ApplicationSet "shop-previews" in namespace "argocd": spec.template.spec.project is "default"'));
        it("accepts a templated project name in an ApplicationSet", () => assertNoViolation(P, withChange(APPSET, (s) => (s.spec.template.spec.project = "{{team}}"))));
        it("does not apply to an AppProject", () => assertNotApplicable(P, PROJECT));
    });

    it("pattern helpers: what admits everything", () => {
        for (const open of ["*", "**", "*/*", "https://*", "https://*/*", "ssh://git@*/x", "git@*:a/b", "https://*.com/a"]) {
            assert.ok(sourceRepoIsOpen(open), open);
        }
        for (const scoped of ["https://github.com/acme/*", "git@github.com:acme/*", "https://github.com/acme/deploy.git", "ssh://git@gitlab.example.com/a/*"]) {
            assert.ok(!sourceRepoIsOpen(scoped), scoped);
        }
        assert.ok(destinationIsOpen("*") && destinationIsOpen("!payments") && !destinationIsOpen("shop-*") && !destinationIsOpen("shop"));
    });

    it("k8sprod check reads Argo CD objects and refuses each bad fixture (exit 1), the good ones pass (exit 0)", async () => {
        const good = await cli(["check", "--format", "json", path.join(FIXTURES, "good.yaml")]);
        assert.strictEqual(good.code, 0, good.stdout);
        assert.strictEqual(JSON.parse(good.stdout).summary.resources, 3);
        const bad = await cli(["check", "--format", "json", path.join(FIXTURES, "bad.yaml")]);
        assert.strictEqual(bad.code, 1);
        const report = JSON.parse(bad.stdout);
        assert.deepStrictEqual(report.violations.map((v: any) => `${v.resource.name} ${v.policy}`).sort(), [
            "any-cluster-kind restrict-argocd-cluster-resources",
            "in-default disallow-argocd-default-project",
            "open-destinations disallow-argocd-project-wildcards",
            "open-destinations disallow-argocd-project-wildcards",
            "open-sources disallow-argocd-project-wildcards",
            "set-in-default disallow-argocd-default-project",
        ]);
    });
});
