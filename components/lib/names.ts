/** Kubernetes object names (RFC 1123 labels and subdomains) and child naming. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a DNS-1123 label (namespaces, services), or undefined when it is one. */
export function dns1123LabelProblem(name: string): string | undefined {
    if (name.length > 63) {
        return `"${name}" is longer than 63 characters`;
    }
    if (!DNS1123_LABEL.test(name)) {
        return `"${name}" is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)`;
    }
    return undefined;
}

/** Why `name` is not a DNS-1123 subdomain (most object names), or undefined when it is one. */
export function dns1123SubdomainProblem(name: string): string | undefined {
    if (name.length > 253) {
        return `"${name}" is longer than 253 characters`;
    }
    if (!DNS1123_SUBDOMAIN.test(name)) {
        return `"${name}" is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`;
    }
    return undefined;
}

/** The Pulumi name of a child: `${component}-${role}[-${suffix}]`, so two components never collide. */
export function childName(component: string, role: string, suffix?: string): string {
    return suffix ? `${component}-${role}-${suffix}` : `${component}-${role}`;
}
