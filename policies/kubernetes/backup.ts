// Backups: every namespace that keeps state is backed up whole by an active Velero Schedule of the stack.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import { at, obj, plain, stackPolicy, str, stringMap, T } from "./lib";
import { BACKUP_LABEL, BACKUP_LABEL_VALUE, VELERO_TYPES, scheduleCoversNamespace } from "../../lib/backup";

/** Why a namespace needs a backup: the first stateful object found in it, or its backup label. */
interface Need {
    namespace: string;
    /** `StatefulSet "db"`, `PersistentVolumeClaim "data"`, or the label. */
    why: string;
    /** Resources the violation is reported on when the stack holds no Namespace object for it. */
    holders: PolicyResource[];
}

export const requireBackupSchedule: StackValidationPolicy = stackPolicy({
    name: "require-backup-schedule",
    description: "Checks whether every namespace that holds a StatefulSet or a PersistentVolumeClaim, or carries the backup label, is backed up whole (volumes included) by an active Velero Schedule of the stack, so its data can be restored.",
    enforcementLevel: "mandatory",
    check: (ctx) => {
        const needs = new Map<string, Need>();
        const namespaces = new Map<string, PolicyResource>();
        const schedules: Array<Record<string, any>> = [];
        let unknownSchedule: unknown;
        const need = (ns: string, why: string, r: PolicyResource) => {
            const n = needs.get(ns) ?? { namespace: ns, why, holders: [] };
            n.holders.push(r);
            needs.set(ns, n);
        };
        for (const r of ctx.resources) {
            ctx.guard(() => {
                if ((T.statefulSets as readonly string[]).includes(r.type)) {
                    need(ctx.namespace(r), `StatefulSet "${str(at(r.props, "metadata", "name")) ?? r.name}"`, r);
                } else if (r.type === T.pvc) {
                    need(ctx.namespace(r), `PersistentVolumeClaim "${str(at(r.props, "metadata", "name")) ?? r.name}"`, r);
                } else if (r.type === T.namespace) {
                    const name = str(at(r.props, "metadata", "name")) ?? r.name;
                    namespaces.set(name, r);
                    if (stringMap(at(r.props, "metadata", "labels"))[BACKUP_LABEL] === BACKUP_LABEL_VALUE) {
                        need(name, `the label ${BACKUP_LABEL}=${BACKUP_LABEL_VALUE}`, r);
                    }
                }
            });
            if (r.type === VELERO_TYPES.schedule) {
                try {
                    const spec = obj(at(r.props, "spec"));
                    if (spec && spec.paused !== true && (str(spec.schedule) ?? "").trim() !== "") {
                        // Read every field the coverage check uses now, so an unknown value surfaces here.
                        schedules.push(plain(obj(spec.template) ?? {}));
                    }
                } catch (e) {
                    if (!(e instanceof UnknownValueError)) {
                        throw e;
                    }
                    unknownSchedule = unknownSchedule ?? e;
                }
            }
        }
        for (const n of needs.values()) {
            if (schedules.some((t) => scheduleCoversNamespace(t, n.namespace))) {
                continue;
            }
            if (unknownSchedule) {
                // A Schedule not known until the update might cover it: decide then, not now.
                ctx.guard(() => {
                    throw unknownSchedule;
                });
                continue;
            }
            const message = (subject: string) => `${subject} needs backups (it holds ${n.why}) but no active Velero Schedule in the stack backs namespace "${n.namespace}" up whole: add a velero.io/v1 Schedule whose spec.template.includedNamespaces includes "${n.namespace}" (or "*"), with no labelSelector, no excludedNamespaces entry for it and no excluded persistentvolumeclaims, or exempt the namespace with a reason.`;
            const nsObject = namespaces.get(n.namespace);
            if (nsObject) {
                ctx.report(nsObject, message(`Namespace "${n.namespace}"`));
            } else {
                for (const r of n.holders) {
                    ctx.report(r, message(`${ctx.subject(r)}: namespace "${n.namespace}"`));
                }
            }
        }
    },
});
