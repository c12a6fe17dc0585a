// Images: pinned versions and trusted registries.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, POD_TYPES, podPolicy, podTemplateOf, resourcePolicy, str } from "./lib";

/** The parts of an image reference (`[registry/]repository[:tag][@digest]`). */
export interface ImageRef {
    registry: string;
    repository: string;
    tag?: string;
    digest?: string;
}

/** Parses an image reference the way the container runtime resolves it (Docker Hub when no registry is named). */
export function parseImage(image: string): ImageRef {
    let rest = image.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    const first = rest.split("/")[0];
    const hasRegistry = rest.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = hasRegistry ? first : "docker.io";
    let repository = hasRegistry ? rest.slice(first.length + 1) : rest;
    if (registry === "docker.io" && !repository.includes("/")) {
        repository = `library/${repository}`;
    }
    return { registry, repository, tag: tag || undefined, digest: digest || undefined };
}

export const disallowLatestTag: ResourceValidationPolicy = podPolicy({
    name: "disallow-latest-tag",
    description: "Checks whether every container image names a tag other than latest, or a digest, so a rollout is reproducible and a rollback returns to the same bits.",
    enforcementLevel: "mandatory",
    check: (ctx, pod) => {
        for (const ref of containersOf(pod.spec)) {
            const image = str(ref.c.image);
            if (image === undefined || image.trim() === "") {
                continue;
            }
            const { tag, digest } = parseImage(image);
            if (digest) {
                continue;
            }
            if (!tag) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} uses image "${image}" with no tag, which means latest; set ${pod.specPath}.${ref.path}.image to a pinned tag or a digest.`);
            } else if (tag === "latest") {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} uses image "${image}"; ${pod.specPath}.${ref.path}.image must name a tag other than latest, or a digest.`);
            }
        }
    },
});

/** Whether an image comes from one of the allowed registries (a registry host, or a host/path prefix). */
export function imageAllowed(image: string, registries: string[]): boolean {
    const ref = parseImage(image);
    const full = `${ref.registry}/${ref.repository}`;
    return registries.some((entry) => {
        const e = entry.trim().replace(/\/+$/, "");
        if (!e) {
            return false;
        }
        return ref.registry === e || full === e || full.startsWith(`${e}/`);
    });
}

export const allowedImageRegistries: ResourceValidationPolicy = resourcePolicy<{ registries: string[] }>({
    name: "allowed-image-registries",
    description: "Checks whether every container image comes from one of the configured registries (off while the list is empty).",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    config: {
        registries: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: [],
            description: "Allowed registries: a host (123456789012.dkr.ecr.eu-west-1.amazonaws.com, docker.io) or a host/path prefix (ghcr.io/acme). Empty turns the policy off.",
        },
    },
    check: (ctx) => {
        const registries = (Array.isArray(ctx.config.registries) ? ctx.config.registries : []).filter((r): r is string => typeof r === "string");
        if (registries.length === 0) {
            ctx.notApplicable("no allowed registries are configured");
        }
        const pod = podTemplateOf(ctx.type, ctx.props);
        if (!pod) {
            return;
        }
        for (const ref of containersOf(pod.spec)) {
            const image = str(ref.c.image);
            if (image === undefined || image.trim() === "") {
                continue;
            }
            if (!imageAllowed(image, registries)) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} uses image "${image}" from registry "${parseImage(image).registry}"; ${pod.specPath}.${ref.path}.image must come from one of: ${registries.join(", ")}.`);
            }
        }
    },
});

export const requireImageDigest: ResourceValidationPolicy = podPolicy({
    name: "require-image-digest",
    description: "Checks whether every container image is pinned by digest (`repo@sha256:...`), so every node runs exactly the bits that were reviewed even if a tag is moved (opt-in: disabled by default).",
    enforcementLevel: "disabled",
    check: (ctx, pod) => {
        for (const ref of containersOf(pod.spec)) {
            const image = str(ref.c.image);
            if (image === undefined || image.trim() === "") {
                continue;
            }
            if (!parseImage(image).digest) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} uses image "${image}", which is not pinned by digest; set ${pod.specPath}.${ref.path}.image to a reference ending in @sha256:<digest>.`);
            }
        }
    },
});
