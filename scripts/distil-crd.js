#!/usr/bin/env node
// Distils an upstream CustomResourceDefinition for the schema tests: keeps every field of the CRD and of each
// version's openAPIV3Schema except `description` texts and the `status` subtree (an output the components
// never write). Validation keywords (types, required, enums, patterns, x-kubernetes-*) are kept as they are.
// Usage: node scripts/distil-crd.js <upstream crd.yaml> > tests/fixtures/crds/<name>.yaml
"use strict";
const fs = require("fs");
const YAML = require("yaml");

function strip(node) {
    if (Array.isArray(node)) {
        return node.map(strip);
    }
    if (node && typeof node === "object") {
        const out = {};
        for (const [k, v] of Object.entries(node)) {
            if (k === "description" && typeof v === "string") {
                continue;
            }
            out[k] = strip(v);
        }
        return out;
    }
    return node;
}

const docs = YAML.parseAllDocuments(fs.readFileSync(process.argv[2], "utf8")).map((d) => d.toJS()).filter(Boolean);
const out = docs.map((crd) => {
    for (const v of crd.spec.versions) {
        const schema = v.schema.openAPIV3Schema;
        if (schema.properties) {
            delete schema.properties.status;
            if (Array.isArray(schema.required)) {
                schema.required = schema.required.filter((r) => r !== "status");
            }
        }
        v.schema.openAPIV3Schema = strip(schema);
    }
    return YAML.stringify(crd, { lineWidth: 0 });
});
process.stdout.write(out.join("---\n"));
