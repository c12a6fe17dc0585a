import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..", "..");

/** Every relative or package import of each TypeScript file under `dir`, with the file it is in. */
function importsUnder(dir: string): { file: string; spec: string }[] {
    const out: { file: string; spec: string }[] = [];
    const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) {
                if (e.name !== "node_modules") {
                    walk(p);
                }
            } else if (e.name.endsWith(".ts")) {
                const text = fs.readFileSync(p, "utf8");
                for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)|require\(\s*"([^"]+)"\s*\)/g)) {
                    out.push({ file: path.relative(ROOT, p), spec: m[1] ?? m[2] ?? m[3] });
                }
            }
        }
    };
    walk(path.join(ROOT, dir));
    return out;
}

function resolvesInto(file: string, spec: string, top: string): boolean {
    return spec.startsWith(".") && path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)).split(path.sep)[0] === top;
}

describe("layout: what may import what", () => {
    it("the policy packs never import components/", () => {
        const bad = importsUnder("policies").filter((i) => resolvesInto(i.file, i.spec, "components"));
        assert.deepStrictEqual(bad, []);
    });

    it("lib/ imports no provider SDK and nothing from components/, policies/ or cli/", () => {
        const imports = importsUnder("lib");
        const bad = imports.filter((i) => i.spec.startsWith("@pulumi/") || ["components", "policies", "cli"].some((top) => resolvesInto(i.file, i.spec, top)));
        assert.deepStrictEqual(bad, []);
    });

    it("the packs share lib/ with the components (quantities, versions, IAM documents, readers)", () => {
        const fromPolicies = new Set(importsUnder("policies").filter((i) => resolvesInto(i.file, i.spec, "lib")).map((i) => path.basename(i.spec)));
        for (const shared of ["quantity", "versions", "iam", "readers"]) {
            assert.ok(fromPolicies.has(shared), `policies/ does not import lib/${shared}`);
        }
    });
});
