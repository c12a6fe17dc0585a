// Nodes: instance metadata and the tags cluster-autoscaler discovers node groups by.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { num, obj, readKnown, resourcePolicy, str, TYPES } from "./lib";

export const requireImdsv2: ResourceValidationPolicy = resourcePolicy({
    name: "require-imdsv2",
    description: "Checks whether instances and launch templates require IMDSv2 session tokens with a hop limit that keeps pods away from the node's credentials, and whether EKS node groups use such a launch template.",
    enforcementLevel: "mandatory",
    types: [TYPES.launchTemplate, TYPES.instance, TYPES.eksNodeGroup],
    config: {
        maxHopLimit: {
            type: "integer", minimum: 1, maximum: 64, default: 1,
            description: "Largest httpPutResponseHopLimit allowed; 1 keeps containers (one hop further) from reaching the instance metadata service.",
        },
    },
    check: (ctx) => {
        if (ctx.type === TYPES.eksNodeGroup) {
            // Only whether a launch template is given matters here (the template itself is checked as a
            // LaunchTemplate): one that is set but unknown during preview (computed from another resource) is one.
            const template = "launchTemplate" in ctx.props ? readKnown(() => ctx.props.launchTemplate) : { value: undefined };
            if (template.unknown === undefined && !obj(template.value)) {
                ctx.report(`${ctx.subject}: launchTemplate is not set, so the nodes use EKS's default launch template, whose metadata hop limit lets pods read the node role's credentials; give the node group a launch template with metadataOptions.httpTokens "required" and httpPutResponseHopLimit 1.`);
            }
            return;
        }
        const maxHop = typeof ctx.config.maxHopLimit === "number" ? ctx.config.maxHopLimit : 1;
        const md = obj(ctx.props.metadataOptions);
        if (str(md?.httpEndpoint) === "disabled") {
            return;
        }
        if (str(md?.httpTokens) !== "required") {
            ctx.report(`${ctx.subject}: metadataOptions.httpTokens is ${md?.httpTokens === undefined ? "not set" : `"${md.httpTokens}"`}, so IMDSv1 answers unauthenticated requests; set it to "required".`);
        }
        const hop = num(md?.httpPutResponseHopLimit);
        if (hop === undefined || hop > maxHop) {
            ctx.report(`${ctx.subject}: metadataOptions.httpPutResponseHopLimit is ${hop === undefined ? "not set" : hop}; set it to ${maxHop} or less so containers cannot reach the instance's credentials.`);
        }
    },
});

export const nodeGroupAutoscalingTags: ResourceValidationPolicy = resourcePolicy({
    name: "node-group-autoscaling-tags",
    description: "Checks whether an EKS node group carries the tags cluster-autoscaler's auto-discovery looks for and has room to scale (maxSize above minSize).",
    enforcementLevel: "mandatory",
    types: [TYPES.eksNodeGroup],
    check: (ctx) => {
        const tags = obj(ctx.props.tags) ?? {};
        const cluster = str(ctx.props.clusterName);
        const missing: string[] = [];
        if (tags["k8s.io/cluster-autoscaler/enabled"] !== "true") {
            missing.push(`"k8s.io/cluster-autoscaler/enabled": "true"`);
        }
        if (cluster !== undefined && tags[`k8s.io/cluster-autoscaler/${cluster}`] !== "owned") {
            missing.push(`"k8s.io/cluster-autoscaler/${cluster}": "owned"`);
        }
        if (missing.length > 0) {
            ctx.report(`${ctx.subject}: tags lack ${missing.join(" and ")}, so cluster-autoscaler's auto-discovery will not manage it; add them to tags.`);
        }
        const scaling = obj(ctx.props.scalingConfig);
        const min = num(scaling?.minSize);
        const max = num(scaling?.maxSize);
        if (min !== undefined && max !== undefined && max <= min) {
            ctx.report(`${ctx.subject}: scalingConfig.maxSize ${max} is not above minSize ${min}, so the autoscaler cannot add a node; raise maxSize.`);
        }
    },
});
