// require-backup-schedule: every namespace that keeps state (StatefulSet, PVC) or asks for backups (the label
// ProductionNamespace writes) is backed up whole by an active Velero Schedule of the stack.
import * as assert from "assert";
import { BACKUP_LABEL } from "../../lib/backup";
import { assertNoViolation, assertViolation, violationsOfPolicy } from "../helpers/policy";
import { backupSchedule, changed, goodStack, namespace, NS } from "./stack";

const POLICY = "require-backup-schedule";
const without = (kind: string) => goodStack().filter((o) => o.kind !== kind);
const schedule = (template: Record<string, any>, extra: Record<string, any> = {}) => ({
    ...backupSchedule(), spec: { schedule: "0 * * * *", ...extra, template: { ttl: "72h0m0s", ...template } },
});

describe(POLICY, () => {
    it("passes when a Schedule includes the namespace by name, by `*`, by a glob or by leaving the list empty", async () => {
        await assertNoViolation(POLICY, goodStack());
        for (const included of [["*"], [], undefined, ["sh*"], ["other", NS]]) {
            const stack = [...without("Schedule"), schedule(included === undefined ? {} : { includedNamespaces: included })];
            await assertNoViolation(POLICY, stack);
        }
    });

    it("reports the namespace of a StatefulSet that no Schedule backs up, on the Namespace, naming the StatefulSet", async () => {
        const v = await assertViolation(POLICY, without("Schedule"), [`Namespace "${NS}"`, `StatefulSet "db"`, "spec.template.includedNamespaces"]);
        assert.strictEqual(v.enforcementLevel, "mandatory");
    });

    it("reports a namespace with only a PersistentVolumeClaim, and reports on the claim when the stack has no Namespace object", async () => {
        const pvc = {
            apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "uploads", namespace: "media" },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3-encrypted", resources: { requests: { storage: "5Gi" } } },
        };
        const v = await assertViolation(POLICY, [...goodStack(), pvc], [`PersistentVolumeClaim "uploads" in namespace "media"`, `namespace "media"`]);
        assert.match(v.message, /PersistentVolumeClaim "uploads"/);
    });

    it("reports a namespace labelled for backups even without stateful objects", async () => {
        const labelled = withLabel(namespace("reports"));
        await assertViolation(POLICY, [...goodStack(), labelled], [`Namespace "reports"`, `the label ${BACKUP_LABEL}=true`]);
        await assertNoViolation(POLICY, [...goodStack(), namespace("reports")]);
    });

    it("does not count a Schedule that is paused, excludes the namespace, narrows objects by label, or leaves the volumes out", async () => {
        const cases: Array<[string, Record<string, any>]> = [
            ["paused", schedule({ includedNamespaces: [NS] }, { paused: true })],
            ["other namespace", schedule({ includedNamespaces: ["other"] })],
            ["excluded", schedule({ includedNamespaces: ["*"], excludedNamespaces: [NS] })],
            ["excluded by glob", schedule({ excludedNamespaces: ["sho*"] })],
            ["label selector", schedule({ includedNamespaces: [NS], labelSelector: { matchLabels: { app: "db" } } })],
            ["or label selectors", schedule({ includedNamespaces: [NS], orLabelSelectors: [{ matchLabels: { app: "db" } }] })],
            ["PVCs excluded", schedule({ includedNamespaces: [NS], excludedResources: ["persistentvolumeclaims"] })],
            ["only deployments", schedule({ includedNamespaces: [NS], includedResources: ["deployments"] })],
            ["no cron", schedule({ includedNamespaces: [NS] }, { schedule: "" })],
        ];
        for (const [what, s] of cases) {
            const found = await violationsOfPolicy(POLICY, [...without("Schedule"), s]);
            assert.strictEqual(found.length, 1, `${what}: ${JSON.stringify(found.map((v) => v.message))}`);
        }
    });

    it("counts any one covering Schedule among several", async () => {
        await assertNoViolation(POLICY, [...goodStack(), schedule({ includedNamespaces: ["other"] })]);
    });

    it("honours an exemption by namespace, with its reason", async () => {
        const config = { [POLICY]: { exemptions: [{ namespace: NS, reason: "the database is rebuilt from the event log" }] } };
        await assertNoViolation(POLICY, without("Schedule"), config);
    });

    it("still checks a changed StatefulSet name", async () => {
        const stack = changed("StatefulSet", (o) => { o.metadata.name = "ledger"; }).filter((o) => o.kind !== "Schedule");
        await assertViolation(POLICY, stack, `StatefulSet "ledger"`);
    });
});

function withLabel(ns: Record<string, any>): Record<string, any> {
    return { ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, [BACKUP_LABEL]: "true" } } };
}
