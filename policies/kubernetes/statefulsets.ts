// StatefulSets: stable network identity through a headless Service, and storage from a class chosen on purpose.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { arr, at, obj, resourcePolicy, selectorMatches, stackPolicy, str, stringMap, T } from "./lib";

const STATEFULSET_TYPES = new Set<string>(T.statefulSets);

export const requireHeadlessService: StackValidationPolicy = stackPolicy({
    name: "require-headless-service",
    description: "Checks whether every StatefulSet names in spec.serviceName a headless Service (clusterIP None) of the same namespace in the stack that selects its pods, which gives each replica its stable DNS name.",
    enforcementLevel: "mandatory",
    check: (ctx) => {
        // Services by namespace and name, read once.
        let services: Map<string, PolicyResource> | undefined;
        const serviceNamed = (ns: string, name: string) => {
            if (!services) {
                services = new Map();
                for (const s of ctx.resources) {
                    if (s.type === T.service) {
                        ctx.guard(() => services!.set(`${ctx.namespace(s)}/${str(at(s.props, "metadata", "name")) ?? s.name}`, s));
                    }
                }
            }
            return services.get(`${ns}/${name}`);
        };
        for (const r of ctx.resources) {
            if (!STATEFULSET_TYPES.has(r.type)) {
                continue;
            }
            ctx.guard(() => {
                const serviceName = str(at(r.props, "spec", "serviceName"));
                if (!serviceName) {
                    ctx.report(r, `${ctx.subject(r)} sets no spec.serviceName; name a headless Service that selects its pods.`);
                    return;
                }
                const ns = ctx.namespace(r);
                const svc = serviceNamed(ns, serviceName);
                if (!svc) {
                    ctx.report(r, `${ctx.subject(r)} sets spec.serviceName to "${serviceName}", but no Service of that name is in namespace "${ns}" of the stack; add a headless Service (clusterIP None) that selects its pods.`);
                    return;
                }
                const problems: string[] = [];
                if (at(svc.props, "spec", "clusterIP") !== "None") {
                    problems.push(`its spec.clusterIP is ${JSON.stringify(at(svc.props, "spec", "clusterIP") ?? "unset")}, not "None"`);
                }
                const selector = stringMap(at(svc.props, "spec", "selector"));
                const labels = stringMap(at(r.props, "spec", "template", "metadata", "labels"));
                if (Object.keys(selector).length === 0 || !selectorMatches({ matchLabels: selector }, labels)) {
                    problems.push(`its spec.selector ${JSON.stringify(selector)} does not select the StatefulSet's pods (labels ${JSON.stringify(labels)})`);
                }
                if (problems.length) {
                    ctx.report(r, `${ctx.subject(r)} uses Service "${serviceName}" (spec.serviceName) but ${problems.join(" and ")}.`);
                }
            });
        }
    },
});

export const requireVolumeClaimStorageClass: ResourceValidationPolicy = resourcePolicy<{ allowedStorageClasses: string[] }>({
    name: "require-volume-claim-storage-class",
    description: "Checks whether every StatefulSet volume claim template and PersistentVolumeClaim names its storageClassName (one of the allowed classes when configured), instead of taking whatever the cluster default is.",
    enforcementLevel: "mandatory",
    types: [...T.statefulSets, T.pvc],
    config: {
        allowedStorageClasses: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: [],
            description: "Storage classes claims may use. Empty allows any class, as long as one is named.",
        },
    },
    check: (ctx) => {
        const allowed = arr(ctx.config.allowedStorageClasses).filter((c): c is string => typeof c === "string");
        const claims: Array<{ spec: Record<string, any>; path: string; label: string }> = [];
        if (ctx.type === T.pvc) {
            claims.push({ spec: obj(ctx.props.spec) ?? {}, path: "spec.storageClassName", label: "" });
        } else {
            arr(at(ctx.props, "spec", "volumeClaimTemplates")).forEach((t, i) => {
                const tpl = obj(t);
                if (tpl) {
                    claims.push({ spec: obj(tpl.spec) ?? {}, path: `spec.volumeClaimTemplates[${i}].spec.storageClassName`, label: ` volume claim template "${str(at(tpl, "metadata", "name")) ?? i}"` });
                }
            });
        }
        for (const claim of claims) {
            const sc = claim.spec.storageClassName;
            if (sc === undefined || sc === null) {
                ctx.report(`${ctx.subject}:${claim.label} sets no ${claim.path}, so it gets the cluster's default class; name the storage class.`);
            } else if (allowed.length && !allowed.includes(sc)) {
                ctx.report(`${ctx.subject}:${claim.label} sets ${claim.path} to ${JSON.stringify(sc)}; it must be one of ${allowed.join(", ")}.`);
            }
        }
    },
});
