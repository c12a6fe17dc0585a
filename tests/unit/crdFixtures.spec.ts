// The upstream CRDs in tests/fixtures/crds validate the custom resources the components emit; they are
// only a sound reference if an API server would accept them. These are the version rules the API server
// applies to a CustomResourceDefinition (apiextensions validation) before it stores it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";

const DIR = path.join(__dirname, "..", "..", "..", "tests", "fixtures", "crds");

const crds = fs.readdirSync(DIR).filter((f) => f.endsWith(".yaml")).flatMap((file) =>
    parseAllDocuments(fs.readFileSync(path.join(DIR, file), "utf8")).map((d) => d.toJS()).filter((o) => o?.kind === "CustomResourceDefinition").map((crd) => ({ file, crd })));

describe("CRD fixtures (tests/fixtures/crds) are CRDs an API server accepts", () => {
    it("has the CRDs the tests validate against, VolumeSnapshotClass among them", () => {
        assert.ok(crds.length >= 5, `${crds.length}`);
        assert.ok(crds.some(({ crd }) => crd.spec.names.kind === "VolumeSnapshotClass"));
    });

    for (const { file, crd } of crds) {
        it(`${file}: exactly one storage version, served; unique version names; a schema for each served version`, () => {
            const versions: any[] = crd.spec.versions ?? [];
            const storage = versions.filter((v) => v.storage === true);
            assert.strictEqual(storage.length, 1, `${crd.metadata.name} must have exactly one version marked as storage version (has ${storage.map((v) => v.name).join(", ") || "none"})`);
            assert.strictEqual(storage[0].served, true, `${crd.metadata.name}: the storage version ${storage[0].name} is not served`);
            const names = versions.map((v) => v.name);
            assert.deepStrictEqual([...new Set(names)], names, "version names are unique");
            for (const v of versions.filter((x) => x.served)) {
                assert.strictEqual(typeof v.schema?.openAPIV3Schema, "object", `${v.name} has an openAPIV3Schema`);
            }
        });
    }
});
