import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { goodStack } from "../policies/stack";
import { cli } from "./helpers";

/** require-backup-schedule reads Velero Schedules: `check` must hand them to the pack, not set them aside. */
describe("k8sprod check: Velero Schedules reach the packs", function () {
    this.timeout(600_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8sprod-velero-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function backupViolations(objects: any[]): Promise<{ report: any; messages: string[] }> {
        const file = path.join(dir, "stack.yaml");
        fs.writeFileSync(file, objects.map((o) => `---\n${stringify(o)}`).join(""));
        const report = JSON.parse((await cli(["check", "-f", "json", file])).stdout);
        return { report, messages: report.violations.filter((v: any) => v.policy === "require-backup-schedule").map((v: any) => v.message) };
    }

    it("a namespace with a StatefulSet passes when a Schedule in the same input backs it up", async () => {
        const objects = goodStack();
        assert.ok(objects.some((o) => o.kind === "Schedule"), "the happy-path stack has a Schedule");
        const { report, messages } = await backupViolations(objects);
        assert.deepStrictEqual(messages, []);
        assert.ok(report.resources.some((r: any) => r.type === "kubernetes:velero.io/v1:Schedule"), "the Schedule was checked");
    });

    it("the same namespace fails without the Schedule", async () => {
        const { messages } = await backupViolations(goodStack().filter((o) => o.kind !== "Schedule"));
        assert.strictEqual(messages.length, 1);
        assert.match(messages[0], /Namespace "shop" needs backups \(it holds StatefulSet "db"\)/);
    });
});
