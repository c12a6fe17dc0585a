// A stack that follows every practice of the pack: the happy path each policy test changes one field of.
export const NS = "shop";

export const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

export function namespace(name = NS): Record<string, any> {
    return {
        apiVersion: "v1", kind: "Namespace",
        metadata: {
            name,
            labels: {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    };
}

/** A container that meets every container-level practice. */
export function container(name = "app"): Record<string, any> {
    return {
        name,
        image: `${REGISTRY}/shop/web:1.4.2`,
        ports: [{ name: "http", containerPort: 8080 }],
        resources: { requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "256Mi" }, limits: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "512Mi" } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        readinessProbe: { httpGet: { path: "/ready", port: "http" } },
        livenessProbe: { httpGet: { path: "/live", port: "http" } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    };
}

/** A pod spec that meets every pod-level practice. */
export function podSpec(app = "web"): Record<string, any> {
    return {
        serviceAccountName: app,
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers: [container()],
        volumes: [{ name: "tmp", emptyDir: {} }],
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app } } }],
    };
}

export function deployment(name = "web"): Record<string, any> {
    return {
        apiVersion: "apps/v1", kind: "Deployment",
        metadata: { name, namespace: NS, labels: { app: name } },
        spec: {
            replicas: 3,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: podSpec(name) },
        },
    };
}

export function statefulSet(name = "db"): Record<string, any> {
    const spec = podSpec(name);
    spec.containers[0].volumeMounts.push({ name: "data", mountPath: "/data" });
    return {
        apiVersion: "apps/v1", kind: "StatefulSet",
        metadata: { name, namespace: NS },
        spec: {
            replicas: 3,
            serviceName: `${name}-headless`,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec },
            volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3-encrypted", resources: { requests: { storage: "10Gi" } } } }],
        },
    };
}

export function headlessService(app = "db"): Record<string, any> {
    return {
        apiVersion: "v1", kind: "Service",
        metadata: { name: `${app}-headless`, namespace: NS },
        spec: { clusterIP: "None", selector: { app }, ports: [{ name: "http", port: 8080 }] },
    };
}

export function service(app = "web"): Record<string, any> {
    return {
        apiVersion: "v1", kind: "Service",
        metadata: { name: app, namespace: NS },
        spec: { selector: { app }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    };
}

export function pdb(app = "web"): Record<string, any> {
    return {
        apiVersion: "policy/v1", kind: "PodDisruptionBudget",
        metadata: { name: app, namespace: NS },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app } }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
    };
}

export function hpa(app = "web"): Record<string, any> {
    return {
        apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler",
        metadata: { name: app, namespace: NS },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app },
            minReplicas: 3, maxReplicas: 10,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
            behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
        },
    };
}

export function defaultDeny(): Record<string, any> {
    return {
        apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy",
        metadata: { name: "default-deny", namespace: NS },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    };
}

export function serviceAccount(name = "web"): Record<string, any> {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: NS }, automountServiceAccountToken: false };
}

export function role(): Record<string, any> {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role",
        metadata: { name: "web-config-reader", namespace: NS },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
    };
}

export function roleBinding(): Record<string, any> {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
        metadata: { name: "web-config-reader", namespace: NS },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "web-config-reader" },
        subjects: [{ kind: "ServiceAccount", name: "web", namespace: NS }],
    };
}

/** Every object of the happy path, one stack. */
export function goodStack(): Array<Record<string, any>> {
    // The HorizontalPodAutoscaler owns the web Deployment's replica count: the Deployment leaves it unset.
    const web = deployment();
    delete web.spec.replicas;
    return [
        namespace(), defaultDeny(), serviceAccount("web"), serviceAccount("db"), web, service(), pdb(), hpa(),
        statefulSet(), headlessService(), pdb("db"), role(), roleBinding(),
    ];
}

/** The good stack with the object of `kind` (and `name`) replaced by `change(copy)`. */
export function changed(kind: string, change: (o: Record<string, any>) => void, name?: string): Array<Record<string, any>> {
    const stack = goodStack();
    const target = stack.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
    if (!target) {
        throw new Error(`no ${kind} ${name ?? ""} in the good stack`);
    }
    change(target);
    return stack;
}
