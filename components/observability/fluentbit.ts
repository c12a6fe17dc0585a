/**
 * Fluent Bit's configuration as a typed model, rendered to its classic `[SECTION]` format, and read back
 * (`parseFluentBitConfig`) so tests judge the text Fluent Bit will read, not the model.
 */

/** Classes of logs, each routed to its own CloudWatch Logs group with its own retention. */
export const LOG_CLASSES = ["application", "platform", "audit", "security"] as const;
export type LogClass = (typeof LOG_CLASSES)[number];

/** The class a pod's logs get when it has no class label (or an unknown value). */
export const DEFAULT_LOG_CLASS: LogClass = "application";

/** Retention range (days) and default of each class: the seed's application 7–30 days, platform 90, audit and security a year. */
export const RETENTION_RANGES: Record<LogClass, { min: number; max: number; default: number }> = {
    application: { min: 7, max: 30, default: 14 },
    platform: { min: 30, max: 180, default: 90 },
    audit: { min: 365, max: 3653, default: 365 },
    security: { min: 365, max: 3653, default: 365 },
};

/** The retention periods CloudWatch Logs accepts (`PutRetentionPolicy`). */
export const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The pod label that chooses a pod's log class. */
export const DEFAULT_CLASS_LABEL = "k8sprod.io/log-class";

/** Tag of container log records as the tail input reads them. */
export const CONTAINER_TAG_PREFIX = "kube";

/** One section of a Fluent Bit classic configuration: `[NAME]` and its `key value` lines, in order. */
export interface Section {
    kind: "SERVICE" | "INPUT" | "FILTER" | "OUTPUT";
    entries: Array<[string, string]>;
}

/** Where Fluent Bit keeps its state on the node (tail offsets, the filesystem buffer). */
export const STATE_DIR = "/var/fluent-bit/state";
/** The HTTP port of metrics and health checks. */
export const FLUENT_BIT_HTTP_PORT = 2020;

/** What the Fluent Bit configuration is built from (all known values: names are resolved before rendering). */
export interface FluentBitModel {
    region: string;
    /** CloudWatch Logs group of each class. */
    groups: Record<LogClass, string>;
    classLabel: string;
    /** Filesystem buffer cap of each output (Fluent Bit size, e.g. 512M). */
    bufferLimit: string;
}

/** `$kubernetes['labels']['k8sprod.io/log-class']`: the record accessor of a pod label. */
export function labelAccessor(label: string): string {
    return `$kubernetes['labels']['${label}']`;
}

/** Tag prefix of records re-tagged into a class (`platform` → `platform.kube.var.log...`); the default class keeps `kube`. */
export function classTagPrefix(c: LogClass): string {
    return c === DEFAULT_LOG_CLASS ? CONTAINER_TAG_PREFIX : `${c}.${CONTAINER_TAG_PREFIX}`;
}

/** The sections of the configuration, in the order Fluent Bit reads them. */
export function fluentBitSections(m: FluentBitModel): Section[] {
    const service: Section = {
        kind: "SERVICE",
        entries: [
            ["Daemon", "Off"],
            ["Flush", "5"],
            ["Log_Level", "info"],
            ["Parsers_File", "/fluent-bit/etc/parsers.conf"],
            ["HTTP_Server", "On"],
            ["HTTP_Listen", "0.0.0.0"],
            ["HTTP_Port", String(FLUENT_BIT_HTTP_PORT)],
            ["Health_Check", "On"],
            // Filesystem buffering: chunks survive a restart and an output outage until the per-output cap.
            ["storage.path", `${STATE_DIR}/flb-storage/`],
            ["storage.sync", "normal"],
            ["storage.checksum", "off"],
            ["storage.backlog.mem_limit", "16M"],
            ["storage.metrics", "on"],
        ],
    };
    const tail: Section = {
        kind: "INPUT",
        entries: [
            ["Name", "tail"],
            ["Tag", `${CONTAINER_TAG_PREFIX}.*`],
            ["Path", "/var/log/containers/*.log"],
            // containerd (EKS) writes CRI-format lines; the cri multiline parser joins partial lines.
            ["multiline.parser", "cri"],
            ["DB", `${STATE_DIR}/flb_kube.db`],
            ["DB.locking", "true"],
            ["Skip_Long_Lines", "On"],
            ["Refresh_Interval", "10"],
            ["Mem_Buf_Limit", "50MB"],
            ["storage.type", "filesystem"],
        ],
    };
    const kubernetes: Section = {
        kind: "FILTER",
        entries: [
            ["Name", "kubernetes"],
            ["Match", `${CONTAINER_TAG_PREFIX}.*`],
            ["Kube_Tag_Prefix", `${CONTAINER_TAG_PREFIX}.var.log.containers.`],
            // A JSON log line becomes the record's fields (structured logs), the raw line is dropped.
            ["Merge_Log", "On"],
            ["Keep_Log", "Off"],
            ["K8S-Logging.Parser", "On"],
            ["K8S-Logging.Exclude", "On"],
            ["Labels", "On"],
            ["Annotations", "Off"],
            ["Buffer_Size", "0"],
        ],
    };
    const retag: Section[] = LOG_CLASSES.filter((c) => c !== DEFAULT_LOG_CLASS).map((c) => ({
        kind: "FILTER",
        entries: [
            ["Name", "rewrite_tag"],
            ["Match", `${CONTAINER_TAG_PREFIX}.*`],
            // Records whose pod label names this class get a new tag (and leave the default route: keep=false).
            ["Rule", `${labelAccessor(m.classLabel)} ^${c}$ ${c}.$TAG false`],
            ["Emitter_Name", `retag_${c}`],
            ["Emitter_Storage.type", "filesystem"],
            ["Emitter_Mem_Buf_Limit", "10M"],
        ],
    }));
    const outputs: Section[] = LOG_CLASSES.map((c) => ({
        kind: "OUTPUT",
        entries: [
            ["Name", "cloudwatch_logs"],
            ["Alias", `cloudwatch_${c}`],
            ["Match", `${classTagPrefix(c)}.*`],
            ["region", m.region],
            ["log_group_name", m.groups[c]],
            ["log_stream_prefix", `${c}.`],
            ["log_stream_template", "$kubernetes['namespace_name'].$kubernetes['pod_name'].$kubernetes['container_name']"],
            // The groups exist with their retention and KMS key; an auto-created group would have neither.
            ["auto_create_group", "Off"],
            ["workers", "1"],
            ["Retry_Limit", "no_limits"],
            ["storage.total_limit_size", m.bufferLimit],
        ],
    }));
    return [service, tail, kubernetes, ...retag, ...outputs];
}

/** Renders sections in Fluent Bit's classic format (four-space indented `key value` lines). */
export function renderSections(sections: Section[]): string {
    return sections.map((s) => [`[${s.kind}]`, ...s.entries.map(([k, v]) => `    ${k} ${v}`)].join("\n")).join("\n\n") + "\n";
}

/** The chart's `config` strings: service, inputs, filters and outputs, each the sections of that kind. */
export function fluentBitChartConfig(m: FluentBitModel): { service: string; inputs: string; filters: string; outputs: string } {
    const sections = fluentBitSections(m);
    const of = (kind: Section["kind"]) => renderSections(sections.filter((s) => s.kind === kind));
    return { service: of("SERVICE"), inputs: of("INPUT"), filters: of("FILTER"), outputs: of("OUTPUT") };
}

/** Reads a classic-format configuration back into sections; throws on a line it cannot read. */
export function parseFluentBitConfig(text: string): Section[] {
    const sections: Section[] = [];
    text.split("\n").forEach((raw, i) => {
        const line = raw.replace(/\s+$/, "");
        if (line.trim() === "" || line.trim().startsWith("#")) {
            return;
        }
        const header = /^\[(SERVICE|INPUT|FILTER|OUTPUT)\]$/.exec(line.trim());
        if (header) {
            sections.push({ kind: header[1] as Section["kind"], entries: [] });
            return;
        }
        const entry = /^\s+(\S+)\s+(.+)$/.exec(line);
        if (!entry || sections.length === 0) {
            throw new Error(`line ${i + 1} is neither a section header nor an indented key and value: ${JSON.stringify(raw)}`);
        }
        sections[sections.length - 1].entries.push([entry[1], entry[2]]);
    });
    return sections;
}

/** Fluent Bit's tag match: `*` matches any run of characters (including dots). Case-sensitive. */
export function tagMatches(pattern: string, tag: string): boolean {
    const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return re.test(tag);
}
