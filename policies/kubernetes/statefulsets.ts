// StatefulSets: stable network identity through a headless Service, and storage from a class chosen on purpose.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { arr, at, obj, selectorMatches, stackPolicy, str, stringMap, T } from "./lib";

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

/** The annotation that makes a StorageClass the cluster's default. */
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

const CLAIM_TYPES = new Set<string>([...T.statefulSets, T.pvc]);

export const requireVolumeClaimStorageClass: StackValidationPolicy = stackPolicy<{ allowedStorageClasses: string[]; clusterDefaultStorageClass: string }>({
    name: "require-volume-claim-storage-class",
    description: "Checks whether every StatefulSet volume claim template and PersistentVolumeClaim gets a storage class chosen on purpose: it names its storageClassName, or the cluster has a default class (a StorageClass of the stack annotated storageclass.kubernetes.io/is-default-class \"true\", or clusterDefaultStorageClass in config); the class must be one of allowedStorageClasses when configured.",
    enforcementLevel: "mandatory",
    config: {
        allowedStorageClasses: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: [],
            description: "Storage classes claims may use. Empty allows any class, as long as one is named or the cluster has a default.",
        },
        clusterDefaultStorageClass: {
            type: "string",
            default: "",
            description: "The name of the cluster's default StorageClass when it is not in the stack (e.g. the platform stack installs it). Empty: only a default StorageClass of the stack counts.",
        },
    },
    check: (ctx) => {
        const allowed = arr(ctx.config.allowedStorageClasses).filter((c): c is string => typeof c === "string");
        let defaultClass = typeof ctx.config.clusterDefaultStorageClass === "string" && ctx.config.clusterDefaultStorageClass !== "" ? ctx.config.clusterDefaultStorageClass : undefined;
        let defaultSource = "clusterDefaultStorageClass in config";
        for (const r of ctx.resources) {
            if (r.type === T.storageClass) {
                ctx.guard(() => {
                    if (at(r.props, "metadata", "annotations", DEFAULT_CLASS_ANNOTATION) === "true") {
                        defaultClass = str(at(r.props, "metadata", "name")) ?? r.name;
                        defaultSource = `StorageClass "${defaultClass}" of the stack, annotated ${DEFAULT_CLASS_ANNOTATION}`;
                    }
                });
            }
        }
        for (const r of ctx.resources) {
            if (!CLAIM_TYPES.has(r.type)) {
                continue;
            }
            ctx.guard(() => {
                const claims: Array<{ spec: Record<string, any>; path: string; label: string }> = [];
                if (r.type === T.pvc) {
                    claims.push({ spec: obj(r.props.spec) ?? {}, path: "spec.storageClassName", label: "" });
                } else {
                    arr(at(r.props, "spec", "volumeClaimTemplates")).forEach((t, i) => {
                        const tpl = obj(t);
                        if (tpl) {
                            claims.push({ spec: obj(tpl.spec) ?? {}, path: `spec.volumeClaimTemplates[${i}].spec.storageClassName`, label: ` volume claim template "${str(at(tpl, "metadata", "name")) ?? i}"` });
                        }
                    });
                }
                for (const claim of claims) {
                    const sc = claim.spec.storageClassName;
                    if (sc === undefined || sc === null) {
                        if (!defaultClass) {
                            ctx.report(r, `${ctx.subject(r)}:${claim.label} sets no ${claim.path}, and the cluster has no default class the stack or config names, so the class it gets is unknown; name the storage class (or declare the cluster's default).`);
                        } else if (allowed.length && !allowed.includes(defaultClass)) {
                            ctx.report(r, `${ctx.subject(r)}:${claim.label} sets no ${claim.path}, so it gets the default class "${defaultClass}" (${defaultSource}); it must be one of ${allowed.join(", ")}.`);
                        }
                    } else if (allowed.length && !allowed.includes(sc)) {
                        ctx.report(r, `${ctx.subject(r)}:${claim.label} sets ${claim.path} to ${JSON.stringify(sc)}; it must be one of ${allowed.join(", ")}.`);
                    }
                }
            });
        }
    },
});
