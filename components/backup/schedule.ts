/**
 * Velero Schedules as typed `velero.io/v1` objects, and the checks that keep them meaningful: a cron
 * expression Velero (and a Kubernetes CronJob) can parse, a TTL that outlives the gap to the next backup,
 * namespaces that exist as names. Pure functions, tested without mocks.
 */
import { CronExpressionParser } from "cron-parser";
import { Problems } from "../lib/errors";
import { dns1123LabelProblem } from "../lib/names";
import { goDurationProblem, goDurationSeconds } from "../autoscaling/common";
import { VELERO_API_VERSION } from "../../lib/backup";

/** One Velero Schedule. */
export interface BackupScheduleArgs {
    /**
     * When backups run, in UTC: a five-field cron expression (`0 * * * *`) or one of the descriptors
     * `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`, or `@every <Go duration>` (e.g. `@every 6h`), which
     * is what Velero's cron parser accepts. Required.
     */
    schedule: string;
    /**
     * How long Velero keeps each backup, as a Go duration (`72h`, `720h`). Must be at least the longest gap
     * between two runs of `schedule`, or there are times with no backup at all. Required.
     */
    ttl: string;
    /** Namespaces backed up (`*` for all). Defaults to all. */
    includedNamespaces?: string[];
    /** Namespaces left out. Defaults to none. */
    excludedNamespaces?: string[];
    /** Include cluster-scoped objects (CRDs, ClusterRoles, PersistentVolumes...). Defaults to Velero's choice: only those the namespaced objects need. */
    includeClusterResources?: boolean;
    /** Take CSI snapshots of the volumes (through the VolumeSnapshotClass labelled for Velero). Defaults to true. */
    snapshotVolumes?: boolean;
    /** Pause the schedule (a paused schedule covers nothing: `require-backup-schedule` does not count it). Defaults to false. */
    paused?: boolean;
}

/** Velero's cron descriptors (robfig/cron `ParseStandard`). */
const DESCRIPTORS: Record<string, string> = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
};

/** Why `expr` is not a schedule Velero and Kubernetes CronJobs accept, or undefined when it is one. */
export function cronProblem(expr: unknown): string | undefined {
    if (typeof expr !== "string" || expr.trim() === "") {
        return "must be a cron expression such as \"0 * * * *\" or @daily";
    }
    const text = expr.trim();
    const every = /^@every\s+(\S+)$/.exec(text);
    if (every) {
        const p = goDurationProblem(every[1]);
        if (p) {
            return `"${text}": ${p}`;
        }
        return goDurationSeconds(every[1]) >= 1 ? undefined : `"${text}" runs more often than once a second`;
    }
    if (text.startsWith("@")) {
        return DESCRIPTORS[text] ? undefined : `"${text}" is not a cron descriptor (use ${Object.keys(DESCRIPTORS).join(", ")} or @every <duration>)`;
    }
    const fields = text.split(/\s+/);
    if (fields.length !== 5) {
        return `"${text}" has ${fields.length} fields; a cron expression has 5 (minute hour day-of-month month day-of-week)`;
    }
    try {
        CronExpressionParser.parse(text, { tz: "UTC" });
    } catch (e) {
        return `"${text}" does not parse: ${(e as Error).message}`;
    }
    return undefined;
}

/**
 * The longest gap, in seconds, between two consecutive runs of a valid schedule, over a year of runs from
 * `from` (so "0 0 1 * *" gives 31 days, "0 9 * * 1-5" gives the weekend's 72 h).
 */
export function longestGapSeconds(expr: string, from = new Date(Date.UTC(2026, 0, 1))): number {
    const text = expr.trim();
    const every = /^@every\s+(\S+)$/.exec(text);
    if (every) {
        return goDurationSeconds(every[1]);
    }
    const it = CronExpressionParser.parse(DESCRIPTORS[text] ?? text, { tz: "UTC", currentDate: from });
    const end = from.getTime() + 366 * 86400_000;
    let prev = it.next().getTime();
    let longest = 0;
    for (let i = 0; i < 20_000 && prev < end; i++) {
        const next = it.next().getTime();
        longest = Math.max(longest, (next - prev) / 1000);
        prev = next;
    }
    return longest;
}

/** `72h` → `72h0m0s`: the form the API server stores a metav1.Duration in. */
export function canonicalDuration(text: string): string {
    const total = Math.round(goDurationSeconds(text));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return `${h}h${m}m${s}s`;
}

function checkNamespaces(problems: Problems, path: string, list: unknown): void {
    if (list === undefined) {
        return;
    }
    if (!Array.isArray(list)) {
        problems.add(path, "must be a list of namespace names");
        return;
    }
    list.forEach((ns, i) => {
        if (ns === "*") {
            return;
        }
        const p = typeof ns === "string" ? dns1123LabelProblem(ns) : "must be a namespace name";
        problems.check(p === undefined, `${path}[${i}]`, p ?? "");
    });
}

/** Adds every problem with one schedule, under `problems`' prefix. */
export function validateSchedule(problems: Problems, s: Partial<BackupScheduleArgs> | undefined): void {
    if (!s || typeof s !== "object") {
        problems.add("", "must be a schedule: { schedule, ttl }");
        return;
    }
    const cron = cronProblem(s.schedule);
    problems.check(cron === undefined, "schedule", cron ?? "");
    let ttlOk = false;
    if (typeof s.ttl !== "string") {
        problems.add("ttl", "must be a Go duration such as 72h or 720h");
    } else {
        const p = goDurationProblem(s.ttl);
        ttlOk = problems.check(p === undefined, "ttl", p ?? "") && problems.check(goDurationSeconds(s.ttl) > 0, "ttl", "a TTL of 0 deletes every backup at once; keep backups at least until the next one");
    }
    if (cron === undefined && ttlOk) {
        const gap = longestGapSeconds(s.schedule!);
        const ttl = goDurationSeconds(s.ttl!);
        problems.check(ttl >= gap, "ttl", `${s.ttl} is shorter than the schedule's period (${canonicalDuration(`${gap}s`)} between runs of "${s.schedule}"): backups would expire before the next one exists`);
    }
    checkNamespaces(problems, "includedNamespaces", s.includedNamespaces);
    checkNamespaces(problems, "excludedNamespaces", s.excludedNamespaces);
    for (const key of ["includeClusterResources", "snapshotVolumes", "paused"] as const) {
        problems.check(s[key] === undefined || typeof s[key] === "boolean", key, "must be true or false");
    }
}

/** What {@link veleroSchedule} needs beyond the schedule's own args. */
export interface ScheduleContext {
    /** Namespace Velero runs in. */
    namespace: string;
    /** The BackupStorageLocation backups go to. */
    storageLocation: string;
    /** Labels on the Schedule (and, through the template, on each Backup). */
    labels?: Record<string, string>;
}

/** The Schedule object of one validated schedule. */
export function veleroSchedule(name: string, s: BackupScheduleArgs, ctx: ScheduleContext): Record<string, any> {
    const template: Record<string, any> = {
        includedNamespaces: s.includedNamespaces && s.includedNamespaces.length > 0 ? [...s.includedNamespaces] : ["*"],
        ttl: canonicalDuration(s.ttl),
        storageLocation: ctx.storageLocation,
        snapshotVolumes: s.snapshotVolumes ?? true,
        // Pod volumes are copied to the bucket only where StatefulService's annotation asks for it.
        defaultVolumesToFsBackup: false,
        metadata: { labels: { ...(ctx.labels ?? {}) } },
    };
    if (s.excludedNamespaces && s.excludedNamespaces.length > 0) {
        template.excludedNamespaces = [...s.excludedNamespaces];
    }
    if (s.includeClusterResources !== undefined) {
        template.includeClusterResources = s.includeClusterResources;
    }
    return {
        apiVersion: VELERO_API_VERSION,
        kind: "Schedule",
        // No empty labels: the API server stores no empty metadata.labels, so `labels: {}` would show as a change
        // on every `pulumi up` (seen under the real engine, tests/e2e).
        metadata: { name, namespace: ctx.namespace, ...(ctx.labels && Object.keys(ctx.labels).length > 0 ? { labels: { ...ctx.labels } } : {}) },
        spec: {
            schedule: s.schedule.trim(),
            paused: s.paused ?? false,
            // Backups outlive the Schedule object: deleting a schedule must not delete its backups.
            useOwnerReferencesInBackup: false,
            template,
        },
    };
}
