import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers";

let validate: ((data: unknown) => boolean) & { errors?: any[] | null } | undefined;

/** Errors of `log` against the SARIF 2.1.0 JSON schema (tests/fixtures/sarif), as `path: message` lines. */
export function sarifErrors(log: unknown): string[] {
    if (!validate) {
        const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "sarif", "sarif-2.1.0-rtm.5.json"), "utf8"));
        // rtm.5's `language` pattern has a stray bracket (fixed in the final schema) that only
        // compiles without the unicode flag; k8sprod does not emit `language`.
        const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
        addFormats(ajv);
        validate = ajv.compile(schema);
    }
    return validate(log) ? [] : (validate.errors ?? []).map((e: any) => `${e.instancePath || "/"}: ${e.message}`);
}
