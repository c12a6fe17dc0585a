import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Logging, LoggingArgs, fluentBitPolicy } from "../../components/observability/logging";
import {
    LOG_CLASSES, Section, fluentBitSections, parseFluentBitConfig, renderSections, tagMatches,
} from "../../components/observability/fluentbit";
import { leastPrivilegeProblems, PolicyDocument } from "../../lib/iam";
import { thrown } from "../helpers/outputs";
import { ACCOUNT, CLUSTER, REGION, deploy, freshMocks, releaseOf } from "./harness";

async function deployed(args: Partial<LoggingArgs> = {}) {
    const mocks = await deploy(() => new Logging("logs", { ...CLUSTER, ...args }));
    const values = releaseOf(mocks, "fluent-bit").inputs.values;
    return { mocks, values };
}

const get = (s: Section, key: string) => s.entries.filter(([k]) => k === key).map(([, v]) => v);

/** The sections Fluent Bit reads, parsed back from the chart's config strings. */
function parsed(values: Record<string, any>): Section[] {
    const c = values.config;
    return parseFluentBitConfig([c.service, c.inputs, c.filters, c.outputs].join("\n"));
}

/**
 * Where a record of a pod with label value `label` (undefined: no label) ends: the tail tag, then each
 * rewrite_tag rule in order (a matching rule re-tags and drops the original), then the outputs that match.
 */
function route(sections: Section[], label: string | undefined): string[] {
    const input = sections.find((s) => s.kind === "INPUT")!;
    let tag = get(input, "Tag")[0].replace("*", "var.log.containers.api-1_shop_api-abc.log");
    for (const f of sections.filter((s) => s.kind === "FILTER" && get(s, "Name")[0] === "rewrite_tag")) {
        if (!tagMatches(get(f, "Match")[0], tag)) {
            continue;
        }
        const [, regex, newTag, keep] = /^\S+ (\S+) (\S+) (true|false)$/.exec(get(f, "Rule")[0])!;
        if (label !== undefined && new RegExp(regex).test(label)) {
            assert.strictEqual(keep, "false");
            tag = newTag.replace("$TAG", tag);
        }
    }
    return sections.filter((s) => s.kind === "OUTPUT" && tagMatches(get(s, "Match")[0], tag)).map((s) => get(s, "log_group_name")[0]);
}

describe("Logging: the Fluent Bit configuration, parsed back", () => {
    it("routes every log class to its own group, and unlabelled or unknown pods to application", async () => {
        const { values } = await deployed();
        const sections = parsed(values);
        for (const c of LOG_CLASSES) {
            assert.deepStrictEqual(route(sections, c), [`/k8sprod/prod/${c}`], c);
        }
        assert.deepStrictEqual(route(sections, undefined), ["/k8sprod/prod/application"]);
        assert.deepStrictEqual(route(sections, "billing"), ["/k8sprod/prod/application"]);
        assert.deepStrictEqual(route(sections, "platforms"), ["/k8sprod/prod/application"], "the class must match exactly");
    });

    it("leaves no tag without an output: every tag an input or a rewrite rule produces matches exactly one output", async () => {
        const sections = parsed((await deployed()).values);
        const outputs = sections.filter((s) => s.kind === "OUTPUT").map((s) => get(s, "Match")[0]);
        const tags = ["kube.var.log.containers.x.log", ...sections.filter((s) => get(s, "Name")[0] === "rewrite_tag")
            .map((s) => get(s, "Rule")[0].split(" ")[2].replace("$TAG", "kube.var.log.containers.x.log"))];
        assert.strictEqual(tags.length, LOG_CLASSES.length);
        for (const tag of tags) {
            assert.strictEqual(outputs.filter((m) => tagMatches(m, tag)).length, 1, tag);
        }
    });

    it("tails container logs with the CRI multiline parser and merges JSON lines into structured records", async () => {
        const sections = parsed((await deployed()).values);
        const tail = sections.find((s) => s.kind === "INPUT")!;
        assert.deepStrictEqual(get(tail, "multiline.parser"), ["cri"]);
        assert.deepStrictEqual(get(tail, "storage.type"), ["filesystem"]);
        const k8s = sections.find((s) => get(s, "Name")[0] === "kubernetes")!;
        assert.deepStrictEqual([get(k8s, "Merge_Log")[0], get(k8s, "Keep_Log")[0], get(k8s, "Labels")[0]], ["On", "Off", "On"]);
    });

    it("buffers on the node's disk with a cap per output, retries without limit, and never creates a group", async () => {
        const sections = parsed((await deployed({ bufferLimit: "2G" })).values);
        const service = sections.find((s) => s.kind === "SERVICE")!;
        assert.deepStrictEqual(get(service, "storage.path"), ["/var/fluent-bit/state/flb-storage/"]);
        for (const out of sections.filter((s) => s.kind === "OUTPUT")) {
            assert.deepStrictEqual(get(out, "storage.total_limit_size"), ["2G"]);
            assert.deepStrictEqual(get(out, "auto_create_group"), ["Off"]);
            assert.deepStrictEqual(get(out, "Retry_Limit"), ["no_limits"]);
            assert.deepStrictEqual(get(out, "region"), [REGION]);
        }
    });

    it("renders and parses back to the same model", () => {
        const model = { region: REGION, groups: { application: "a", platform: "p", audit: "au", security: "s" }, classLabel: "team.io/class", bufferLimit: "1G" };
        const sections = fluentBitSections(model);
        assert.deepStrictEqual(parseFluentBitConfig(renderSections(sections)), sections);
        assert.throws(() => parseFluentBitConfig("[OUTPUT]\nName x\n"), /neither a section header/);
    });
});

describe("Logging: AWS resources", () => {
    it("creates one KMS-encrypted log group per class with the class's retention", async () => {
        const { mocks } = await deployed({ retentionDays: { application: 30 } });
        const groups = mocks.ofType("aws:cloudwatch/logGroup:LogGroup").map((r) => [r.inputs.name, r.inputs.retentionInDays, r.inputs.kmsKeyId]);
        const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/logs-logs-key-0000`;
        assert.deepStrictEqual(groups, [
            ["/k8sprod/prod/application", 30, key], ["/k8sprod/prod/platform", 90, key], ["/k8sprod/prod/audit", 365, key], ["/k8sprod/prod/security", 365, key],
        ]);
        const kms = mocks.ofType("aws:kms/key:Key")[0].inputs;
        assert.strictEqual(kms.enableKeyRotation, true);
    });

    it("lets Fluent Bit write to these groups only (least privilege), through IRSA on its own service account", async () => {
        const { mocks, values } = await deployed();
        const doc = JSON.parse(mocks.ofType("aws:iam/rolePolicy:RolePolicy")[0].inputs.policy);
        assert.deepStrictEqual(leastPrivilegeProblems(doc), []);
        const resources: string[] = doc.Statement[0].Resource;
        assert.strictEqual(resources.length, 8);
        assert.ok(resources.every((r) => r.startsWith(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/k8sprod/prod/`)));
        assert.ok(!doc.Statement[0].Action.includes("logs:CreateLogGroup"));
        assert.match(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], /^arn:aws:iam::/);
        assert.strictEqual(values.serviceAccount.name, "fluent-bit");
    });

    it("the least-privilege check can fail: a policy on every log group is refused", () => {
        const broad = fluentBitPolicy(["*"]);
        broad.Statement[0].Resource = "*";
        assert.ok(leastPrivilegeProblems(broad).length > 0);
    });

    it("lets CloudWatch Logs use the key only for this cluster's groups", async () => {
        const { mocks } = await deployed();
        const doc: PolicyDocument = JSON.parse(mocks.ofType("aws:kms/key:Key")[0].inputs.policy);
        const logs = doc.Statement.find((s) => s.Sid === "CloudWatchLogsUsesKey")!;
        assert.deepStrictEqual(logs.Principal, { Service: `logs.${REGION}.amazonaws.com` });
        assert.deepStrictEqual(logs.Condition, { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/k8sprod/prod/*` } });
    });
});

describe("Logging: the DaemonSet", () => {
    it("runs on every node as system-node-critical, with read-only host log mounts and no capability", async () => {
        const { values, mocks } = await deployed();
        assert.strictEqual(values.kind, "DaemonSet");
        assert.strictEqual(values.priorityClassName, "system-node-critical");
        assert.deepStrictEqual(values.tolerations, [{ operator: "Exists" }]);
        assert.deepStrictEqual(values.daemonSetVolumeMounts.find((m: any) => m.name === "varlog"), { name: "varlog", mountPath: "/var/log", readOnly: true });
        assert.deepStrictEqual(values.securityContext.capabilities, { drop: ["ALL"] });
        assert.strictEqual(values.securityContext.readOnlyRootFilesystem, true);
        const ns = mocks.ofType("kubernetes:core/v1:Namespace")[0].inputs.metadata;
        assert.strictEqual(ns.name, "logging");
        assert.strictEqual(ns.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.match(ns.annotations["k8sprod.io/pod-security-reason"], /hostPath \/var\/log \(read-only\)/);
    });
});

describe("Logging refuses bad input, all at once, before creating anything", () => {
    async function refused(args: Partial<LoggingArgs>): Promise<string[]> {
        const mocks = await freshMocks();
        const e = thrown(() => new Logging("logs", { ...CLUSTER, ...args } as LoggingArgs));
        assert.ok(pulumi.InputPropertiesError.isInstance(e), String(e));
        assert.strictEqual(mocks.registrations.length, 0);
        return e.errors.map((x: any) => x.propertyPath);
    }

    it("retention outside each class's range, or not a CloudWatch period", async () => {
        assert.deepStrictEqual(await refused({ retentionDays: { application: 90, platform: 7, audit: 30, security: 400 } }),
            ["retentionDays.application", "retentionDays.platform", "retentionDays.audit"]);
        assert.deepStrictEqual(await refused({ retentionDays: { application: 10 } }), ["retentionDays.application"]);
        assert.deepStrictEqual(await refused({ retentionDays: { debug: 7 } as any }), ["retentionDays.debug"]);
    });

    it("a missing cluster, a bad buffer size, a class label with a quote, and owned values", async () => {
        assert.deepStrictEqual(await refused({ clusterName: undefined as any, bufferLimit: "lots", classLabel: "x'y", values: { config: { outputs: "" }, serviceAccount: { name: "x" } } }),
            ["clusterName", "classLabel", "bufferLimit", "values.config.outputs", "values.serviceAccount"]);
    });
});
