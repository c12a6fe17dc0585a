import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as path from "path";

// A throwaway Kubernetes control plane on loopback for the end-to-end test: etcd, kube-apiserver
// (RBAC, Pod Security admission, --allow-privileged so that Pod Security and not validation judges
// privileged pods; an audit log in which Pod Security records every verdict), kube-controller-manager,
// kube-scheduler, and kwok managing three fake nodes in three zones (its own stages make the nodes
// Ready and the pods bound to them Running and Ready). Every process it starts is stopped by stop().

/** Tool name -> absolute path, as scripts/e2e/build-tools.sh prints them. */
export type Tools = Record<string, string>;

/** Runs scripts/e2e/build-tools.sh (PATH first, then the cache, else a build) and reads its answer. */
export function resolveTools(root: string, names: string[]): Tools {
    const out = execFileSync(path.join(root, "scripts", "e2e", "build-tools.sh"), names, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const tools: Tools = {};
    for (const line of out.split("\n").filter((l) => l.trim() !== "")) {
        const [name, file] = line.split(" ");
        tools[name] = file;
    }
    return tools;
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.on("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const ZONES = ["zone-a", "zone-b", "zone-c"];
/** Each fake node's capacity: a large worker (m5.8xlarge-like), with the ephemeral storage pods request. */
const NODE_CAPACITY = { "cpu": "32", "memory": "128Gi", "ephemeral-storage": "500Gi", "pods": "110" };

/** What the cluster must hold before the dev stack runs on it, as an existing cluster would. */
export interface ClusterPrerequisites {
    /** CustomResourceDefinitions (parsed YAML) the stack's custom resources need. */
    crds: any[];
    /** Namespaces the stack deploys into but does not create. */
    namespaces: string[];
    /** The StorageClass the stack's volume claims name (no provisioner here: PVs are made in advance). */
    storageClass: string;
    /** How many PersistentVolumes of that class to make, and their size. */
    volumes: number;
    volumeSize: string;
}

export class Cluster {
    readonly kubeconfig: string;
    /** The API server's audit log (JSON lines). */
    readonly auditLog: string;
    private readonly procs: { name: string; proc: ChildProcess }[] = [];
    private apiPort = 0;
    private readonly discovery = new Map<string, any[]>();

    constructor(private readonly tools: Tools, private readonly dir: string) {
        this.kubeconfig = path.join(dir, "admin.kubeconfig");
        this.auditLog = path.join(dir, "audit.log");
    }

    private file(name: string): string {
        return path.join(this.dir, name);
    }

    private openssl(...args: string[]): void {
        execFileSync("openssl", args, { cwd: this.dir, stdio: ["ignore", "ignore", "pipe"] });
    }

    /** A CA, the API server's serving certificate, an admin client certificate, the service-account key pair. */
    private certificates(): void {
        this.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=e2e-ca", "-keyout", "ca.key", "-out", "ca.crt");
        const cert = (name: string, subj: string, ext?: string) => {
            this.openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subj, "-keyout", `${name}.key`, "-out", `${name}.csr`);
            const args = ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", `${name}.crt`];
            if (ext) {
                fs.writeFileSync(this.file(`${name}.ext`), ext);
                args.push("-extfile", `${name}.ext`);
            }
            this.openssl(...args);
        };
        cert("apiserver", "/CN=kube-apiserver", "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n");
        cert("admin", "/O=system:masters/CN=e2e-admin");
        this.openssl("genrsa", "-out", "sa.key", "2048");
        this.openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
    }

    private start(name: string, bin: string, args: string[]): ChildProcess {
        const log = fs.openSync(this.file(`${name}.log`), "a");
        const proc = spawn(bin, args, { cwd: this.dir, stdio: ["ignore", log, log] });
        this.procs.push({ name, proc });
        return proc;
    }

    /**
     * Starts everything and returns when the API server is ready, the three nodes are Ready and the
     * prerequisites exist.
     */
    async up(pre: ClusterPrerequisites): Promise<void> {
        this.certificates();
        // Every write at Metadata level: Pod Security adds its verdicts to these events as annotations
        // (pod-security.kubernetes.io/enforce-policy, .../audit-violations), for Pods and for the pod
        // templates of workload objects.
        fs.writeFileSync(this.file("audit-policy.yaml"), JSON.stringify({
            apiVersion: "audit.k8s.io/v1", kind: "Policy", omitStages: ["RequestReceived"],
            rules: [{ level: "Metadata", verbs: ["create", "update", "patch"] }, { level: "None" }],
        }));
        const [etcdClient, etcdPeer, api] = [await freePort(), await freePort(), await freePort()];
        this.apiPort = api;
        this.start("etcd", this.tools.etcd, [
            "--name", "e2e", "--data-dir", this.file("etcd-data"),
            "--listen-client-urls", `http://127.0.0.1:${etcdClient}`, "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
            "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
            "--initial-cluster", `e2e=http://127.0.0.1:${etcdPeer}`,
        ]);
        this.start("kube-apiserver", this.tools["kube-apiserver"], [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${api}`,
            `--tls-cert-file=${this.file("apiserver.crt")}`, `--tls-private-key-file=${this.file("apiserver.key")}`,
            `--client-ca-file=${this.file("ca.crt")}`,
            `--service-account-key-file=${this.file("sa.pub")}`, `--service-account-signing-key-file=${this.file("sa.key")}`,
            "--service-account-issuer=https://kubernetes.default.svc",
            "--authorization-mode=Node,RBAC",
            // PodSecurity is in the default admission chain; named here so that the test does not depend on the default.
            "--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,PodSecurity,ResourceQuota,LimitRanger,DefaultStorageClass",
            "--allow-privileged=true",
            "--service-cluster-ip-range=10.96.0.0/16",
            // The built-in "kubernetes" Service cannot point at a loopback address; nothing here needs it.
            "--endpoint-reconciler-type=none",
            `--audit-policy-file=${this.file("audit-policy.yaml")}`, `--audit-log-path=${this.auditLog}`,
            "--audit-log-format=json", "--audit-log-mode=blocking",
        ]);
        this.writeKubeconfig();
        await this.waitFor("the API server to be ready", async () => (await this.request("GET", "/readyz")).status === 200, 300_000);
        this.start("kube-controller-manager", this.tools["kube-controller-manager"], [
            `--kubeconfig=${this.kubeconfig}`, "--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0",
            `--service-account-private-key-file=${this.file("sa.key")}`, `--root-ca-file=${this.file("ca.crt")}`,
            "--use-service-account-credentials=false", "--controllers=*,-nodeipam,-cloud-node-lifecycle",
        ]);
        this.start("kube-scheduler", this.tools["kube-scheduler"], [`--kubeconfig=${this.kubeconfig}`, "--leader-elect=false", "--secure-port=0"]);
        this.start("kwok", this.tools.kwok, [
            `--kubeconfig=${this.kubeconfig}`, "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            "--cidr=10.0.0.1/24", "--node-ip=10.0.0.1",
            `--config=${this.tools["kwok-stages"]}`,
        ]);
        for (const [i, zone] of ZONES.entries()) {
            await this.apply("/api/v1/nodes", {
                apiVersion: "v1", kind: "Node",
                metadata: {
                    name: `kwok-${zone}`,
                    annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
                    labels: { "kubernetes.io/hostname": `kwok-${zone}`, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "type": "kwok", "topology.kubernetes.io/zone": zone },
                },
                spec: { podCIDR: `10.0.${i + 1}.0/24` },
                // kwok keeps a node's own capacity (its default has no ephemeral-storage, which the workloads request).
                status: { capacity: NODE_CAPACITY, allocatable: NODE_CAPACITY },
            });
        }
        await this.waitFor("three Ready nodes", async () => {
            const nodes = (await this.request("GET", "/api/v1/nodes")).body?.items ?? [];
            return nodes.filter((n: any) => n.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")).length === 3;
        }, 300_000);
        for (const crd of pre.crds) {
            await this.apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        }
        for (const name of pre.namespaces) {
            await this.apply("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
        }
        await this.apply("/apis/storage.k8s.io/v1/storageclasses", {
            apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: pre.storageClass },
            provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "WaitForFirstConsumer",
        });
        for (let i = 0; i < pre.volumes; i++) {
            await this.apply("/api/v1/persistentvolumes", {
                apiVersion: "v1", kind: "PersistentVolume",
                metadata: { name: `e2e-pv-${i}` },
                spec: {
                    storageClassName: pre.storageClass, capacity: { storage: pre.volumeSize }, accessModes: ["ReadWriteOnce"],
                    hostPath: { path: `/tmp/e2e-pv-${i}` }, persistentVolumeReclaimPolicy: "Retain",
                },
            });
        }
        await this.waitFor("the custom resource definitions to be established", async () => {
            for (const crd of pre.crds) {
                const got = await this.request("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
                if (!got.body?.status?.conditions?.some((c: any) => c.type === "Established" && c.status === "True")) {
                    return false;
                }
            }
            return true;
        }, 120_000);
    }

    /**
     * The URL path of one object (or, without a name, of its collection) by apiVersion, kind and namespace: the
     * plural and whether the kind is namespaced come from discovery. A string is the reason it cannot be made.
     */
    async objectPath(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string | { status: number; body: any }> {
        const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        if (!this.discovery.has(base)) {
            const list = await this.request("GET", base);
            if (list.status !== 200) {
                return list;
            }
            this.discovery.set(base, list.body.resources);
        }
        const res = this.discovery.get(base)!.find((r: any) => r.kind === kind && !r.name.includes("/"));
        if (!res) {
            return { status: 404, body: `no resource of kind ${kind} in ${apiVersion}` };
        }
        return `${base}${res.namespaced ? `/namespaces/${namespace}` : ""}/${res.name}${name === undefined ? "" : `/${name}`}`;
    }

    /** GETs one object by apiVersion, kind, namespace and name (the plural comes from discovery). */
    async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<{ status: number; body: any }> {
        const p = await this.objectPath(apiVersion, kind, namespace, name);
        return typeof p === "string" ? this.request("GET", p) : p;
    }

    /** The audit log's events (JSON lines), read now. */
    auditEvents(): any[] {
        return fs.readFileSync(this.auditLog, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
    }

    private writeKubeconfig(): void {
        const doc = {
            apiVersion: "v1", kind: "Config", "current-context": "e2e",
            clusters: [{ name: "e2e", cluster: { server: `https://127.0.0.1:${this.apiPort}`, "certificate-authority": this.file("ca.crt") } }],
            users: [{ name: "admin", user: { "client-certificate": this.file("admin.crt"), "client-key": this.file("admin.key") } }],
            contexts: [{ name: "e2e", context: { cluster: "e2e", user: "admin" } }],
        };
        fs.writeFileSync(this.kubeconfig, JSON.stringify(doc, null, 2));
    }

    /**
     * One request to the API server as the admin; body parsed as JSON when it is JSON. `warnings` holds the
     * response's Warning headers, one entry per header.
     */
    request(method: string, urlPath: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: any; warnings: string[] }> {
        return new Promise((resolve) => {
            const req = https.request({
                host: "127.0.0.1", port: this.apiPort, path: urlPath, method,
                ca: fs.readFileSync(this.file("ca.crt")), cert: fs.readFileSync(this.file("admin.crt")), key: fs.readFileSync(this.file("admin.key")),
                headers: body ? { "content-type": contentType } : {},
            }, (res) => {
                let text = "";
                // rawHeaders keeps repeated headers apart (headers.warning would join them with commas).
                const warnings: string[] = [];
                for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
                    if (res.rawHeaders[i].toLowerCase() === "warning") {
                        warnings.push(res.rawHeaders[i + 1]);
                    }
                }
                res.on("data", (d) => (text += d));
                res.on("end", () => {
                    let parsed: any = text;
                    try {
                        parsed = JSON.parse(text);
                    } catch {
                        // not JSON (readyz answers "ok")
                    }
                    resolve({ status: res.statusCode ?? 0, body: parsed, warnings });
                });
            });
            req.on("error", () => resolve({ status: 0, body: undefined, warnings: [] }));
            if (body) {
                req.write(JSON.stringify(body));
            }
            req.end();
        });
    }

    /** Creates an object by POST to its collection; an object that already exists is left as it is. */
    async create(collection: string, obj: any): Promise<void> {
        return this.apply(collection, obj);
    }

    private async apply(collection: string, obj: any): Promise<void> {
        const r = await this.request("POST", collection, obj);
        if (r.status !== 201 && r.status !== 409) {
            throw new Error(`creating ${obj.kind} ${obj.metadata.name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        }
    }

    async waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
        const end = Date.now() + timeoutMs;
        while (Date.now() < end) {
            const dead = this.procs.find((p) => p.proc.exitCode !== null);
            if (dead) {
                throw new Error(`${dead.name} exited (${dead.proc.exitCode}) while waiting for ${what}; see ${this.file(`${dead.name}.log`)}`);
            }
            if (await check()) {
                return;
            }
            await sleep(1000);
        }
        throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    }

    /** Stops every process this cluster started, newest first, and waits for each to exit. */
    async stop(): Promise<void> {
        for (const { proc } of [...this.procs].reverse()) {
            if (proc.exitCode === null && proc.signalCode === null) {
                const exited = new Promise((r) => proc.once("exit", r));
                proc.kill("SIGTERM");
                await Promise.race([exited, sleep(20_000)]);
                if (proc.exitCode === null && proc.signalCode === null) {
                    proc.kill("SIGKILL");
                    await exited;
                }
            }
        }
    }
}
