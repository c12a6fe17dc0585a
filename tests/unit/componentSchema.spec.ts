import * as assert from "assert";
import * as path from "path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";

const ROOT = path.join(__dirname, "..", "..", "..");

/**
 * `pulumi package add <repo>` runs Pulumi's component schema analyzer on the TypeScript sources. This
 * asks the same analyzer (through ComponentProvider, as the plugin host does) for the package schema.
 */
describe("component package schema (pulumi package add)", function () {
    this.timeout(600_000);
    let schema: any;
    let exported: string[];

    before(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const components = getPulumiComponents(require(path.join(ROOT, "dist", "index.js")));
        exported = components.map((c) => c.name).sort();
        const provider = new ComponentProvider({ components, name: "k8sprod", dirname: ROOT });
        schema = JSON.parse(await provider.getSchema());
    });

    it("reads every exported component", () => {
        assert.ok(exported.includes("WebService") && exported.includes("StatefulService") && exported.includes("ProductionNamespace"), exported.join(", "));
        assert.deepStrictEqual(Object.keys(schema.resources).map((t) => t.split(":")[2]).sort(), exported);
        for (const token of Object.keys(schema.resources)) {
            assert.ok(schema.resources[token].isComponent, `${token} is not a component`);
        }
    });

    it("documents every input and output of every component", () => {
        for (const [token, res] of Object.entries<any>(schema.resources)) {
            assert.ok(res.description, `${token} has no description`);
            for (const [prop, def] of Object.entries<any>({ ...res.inputProperties, ...res.properties })) {
                assert.ok(def.description, `${token}.${prop} has no doc comment`);
            }
        }
        for (const [token, type] of Object.entries<any>(schema.types ?? {})) {
            for (const [prop, def] of Object.entries<any>(type.properties ?? {})) {
                assert.ok(def.description, `${token}.${prop} has no doc comment`);
            }
        }
    });

    it("gives WebService its required inputs and its outputs", () => {
        const web = schema.resources["k8sprod:index:WebService"];
        assert.deepStrictEqual([...(web.requiredInputs ?? [])].sort(), ["containers", "namespace"]);
        for (const input of ["autoscaling", "replicas", "qos", "ingressFrom", "egressTo", "serviceAccount", "metricsPort", "verticalPodAutoscaler", "disruptionBudget"]) {
            assert.ok(web.inputProperties[input], `WebService has no input ${input}`);
        }
        for (const output of ["name", "namespace", "selectorLabels", "serviceHost", "serviceAccountName"]) {
            assert.ok(web.properties[output], `WebService has no output ${output}`);
        }
        assert.strictEqual(web.inputProperties.containers.items.$ref, "#/types/k8sprod:index:ContainerArgs");
    });

    it("types nested args (containers, resources, probes) for other languages", () => {
        const container = schema.types["k8sprod:index:ContainerArgs"];
        assert.deepStrictEqual([...container.required].sort(), ["image", "name", "resources"]);
        assert.strictEqual(container.properties.resources.$ref, "#/types/k8sprod:index:ContainerResourcesArgs");
        assert.strictEqual(schema.types["k8sprod:index:ComputeResourcesArgs"].properties.cpu.type, "string");
    });
});
