// Images: pinned versions and trusted registries.
import { ResourceValidationPolicy } from "@pulumi/policy";
import { ECR_REGISTRY_HOST, PLATFORM_IMAGE_REGISTRIES } from "../../lib/versions";
import { arr, containerLabel, containersOf, POD_TYPES, podPolicy, podTemplateOf, resourcePolicy, str } from "./lib";

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

/** Whether a registry host matches an entry's host, where `*` in the entry stands for one DNS label (or part of one). */
function hostMatches(entryHost: string, host: string): boolean {
    if (!entryHost.includes("*")) {
        return entryHost === host;
    }
    const re = new RegExp(`^${entryHost.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^./]+")}$`);
    return re.test(host);
}

/**
 * Whether an image comes from one of the allowed registries: an entry is a registry host
 * (`docker.io`, `123456789012.dkr.ecr.us-east-1.amazonaws.com`, or with `*` for one label:
 * `*.dkr.ecr.*.amazonaws.com`) or a host/path prefix (`ghcr.io/acme`, `docker.io/library`).
 */
export function imageAllowed(image: string, registries: string[]): boolean {
    const ref = parseImage(image);
    return registries.some((entry) => {
        const e = entry.trim().replace(/\/+$/, "");
        if (!e) {
            return false;
        }
        const slash = e.indexOf("/");
        const host = slash < 0 ? e : e.slice(0, slash);
        const prefix = slash < 0 ? "" : e.slice(slash + 1);
        if (!hostMatches(host, ref.registry)) {
            return false;
        }
        return prefix === "" || ref.repository === prefix || ref.repository.startsWith(`${prefix}/`);
    });
}

/** Any account's private ECR registry; `ecrAccountIds` narrows it to the platform's accounts. */
export const ANY_PRIVATE_ECR = "*.dkr.ecr.*.amazonaws.com";

/**
 * The default allow-list: the registries the platform's own charts pull from (lib/versions.ts), Docker Hub's
 * official images (`docker.io/library`, the "official images" the field guide prefers), and private ECR.
 */
export const DEFAULT_ALLOWED_REGISTRIES: readonly string[] = [...new Set([...PLATFORM_IMAGE_REGISTRIES, "docker.io/library", ANY_PRIVATE_ECR])];

export const allowedImageRegistries: ResourceValidationPolicy = resourcePolicy<{ registries: string[]; ecrAccountIds: string[] }>({
    name: "allowed-image-registries",
    description: "Checks whether every container image comes from an allowed registry: by default the registries the platform's own charts use, Docker Hub's official images and the account's private ECR.",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    config: {
        registries: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: [...DEFAULT_ALLOWED_REGISTRIES],
            description: "Allowed registries: a host (123456789012.dkr.ecr.eu-west-1.amazonaws.com, docker.io; `*` stands for one DNS label) or a host/path prefix (ghcr.io/acme). Replaces the default list; an empty list turns the policy off.",
        },
        ecrAccountIds: {
            type: "array",
            items: { type: "string", pattern: "^\\d{12}$" },
            default: [],
            description: "AWS accounts whose private ECR registries are allowed. Empty allows any account's private ECR that `registries` admits; set it to the platform's account(s).",
        },
    },
    check: (ctx) => {
        const registries = arr(ctx.config.registries).filter((r): r is string => typeof r === "string");
        if (registries.length === 0) {
            ctx.notApplicable("no allowed registries are configured");
        }
        const accounts = arr(ctx.config.ecrAccountIds).filter((a): a is string => typeof a === "string");
        const pod = podTemplateOf(ctx.type, ctx.props);
        if (!pod) {
            return;
        }
        for (const ref of containersOf(pod.spec)) {
            const image = str(ref.c.image);
            if (image === undefined || image.trim() === "") {
                continue;
            }
            const registry = parseImage(image).registry;
            if (!imageAllowed(image, registries)) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} uses image "${image}" from registry "${registry}"; ${pod.specPath}.${ref.path}.image must come from one of: ${registries.join(", ")}.`);
                continue;
            }
            const ecr = ECR_REGISTRY_HOST.exec(registry);
            if (ecr && accounts.length > 0 && !accounts.includes(ecr[1])) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} uses image "${image}" from the ECR registry of account ${ecr[1]}; ${pod.specPath}.${ref.path}.image must come from the ECR of account ${accounts.join(" or ")}.`);
            }
        }
    },
});

export const requireImageDigest: ResourceValidationPolicy = podPolicy({
    name: "require-image-digest",
    description: "Checks whether every container image is pinned by digest (`@sha256:...`), so what runs is exactly the image that was scanned, even if a tag is moved. Off by default; turn it on for production in the policy config.",
    enforcementLevel: "disabled",
    check: (ctx, pod) => {
        for (const ref of containersOf(pod.spec)) {
            const image = str(ref.c.image);
            if (image === undefined || image.trim() === "") {
                continue;
            }
            const { digest } = parseImage(image);
            if (!digest) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} uses image "${image}", which is not pinned by digest; set ${pod.specPath}.${ref.path}.image to a reference ending in @sha256:<digest> (the digest your scanner approved).`);
            } else if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
                ctx.report(`${ctx.subject}: ${containerLabel(ref)} uses image "${image}" whose digest is not sha256:<64 hex digits>; fix ${pod.specPath}.${ref.path}.image.`);
            }
        }
    },
});
