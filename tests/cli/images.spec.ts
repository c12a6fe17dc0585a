import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { imagesOfResource } from "../../cli/images/images";
import { releaseImages } from "../../lib/images";
import { ROOT, bin, cli } from "./helpers";

const MANIFESTS = path.join(ROOT, "tests", "fixtures", "images", "manifests.yaml");

// Every stack builds one ProductionPlatform: the observability, delivery and autoscaling charts' images, the example app.
const DEV_IMAGES = [
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api:6.7.1",
    "cr.fluentbit.io/fluent/fluent-bit:5.1.1",
    "docker.io/grafana/grafana:13.2.0",
    "ecr-public.aws.com/docker/library/haproxy:3.3.10-alpine",
    "ecr-public.aws.com/docker/library/redis:8.2.3-alpine",
    "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7",
    "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.159.0",
    "ghcr.io/open-telemetry/opentelemetry-operator/opentelemetry-operator:0.158.0",
    "postgres:17.2",
    "quay.io/argoproj/argocd:v3.4.4",
    "quay.io/kiwigrid/k8s-sidecar:2.10.1",
    "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1",
    "quay.io/prometheus-operator/prometheus-operator:v0.93.1",
    "quay.io/prometheus/alertmanager:v0.34.0",
    "quay.io/prometheus/node-exporter:v1.12.1",
    "quay.io/prometheus/prometheus:v3.14.0-distroless",
    "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2",
    "registry.k8s.io/autoscaling/vpa-recommender:1.7.1",
    "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0",
    "registry.k8s.io/metrics-server/metrics-server:v0.8.1",
    "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0",
];

// prod adds backups: Velero and the restore drill (its image mirrored into the account's ECR, stack config).
const PROD_IMAGES = [
    ...DEV_IMAGES,
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/tools/k8s:1.35.0",
    "docker.io/velero/velero:v1.18.1",
].sort();

describe("k8sprod images", function () {
    this.timeout(600000);
    const cwd = process.cwd();
    before(() => process.chdir(ROOT));
    after(() => process.chdir(cwd));

    it("lists every image of a set of manifests, one per line, sorted and unique (containers, init, ephemeral, CronJob, List)", async () => {
        const r = await cli(["images", MANIFESTS]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.stdout, [
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/migrate:2.0.1",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2",
            "busybox:1.37",
            "docker.io/envoyproxy/envoy:v1.31.2",
            "python@sha256:0a1f7b5e1c8b6d7f3e2a9c4d5b6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80",
            "redis:7.4.1-alpine",
            "",
        ].join("\n"));
    });

    it("says in JSON where each image is used", async () => {
        const r = await cli(["images", "--format", "json", MANIFESTS]);
        const report = JSON.parse(r.stdout);
        const busybox = report.images.find((i: any) => i.image === "busybox:1.37");
        assert.deepStrictEqual(busybox.sources.map((s: any) => `${s.kind} ${s.namespace}/${s.name} ${s.container} doc ${s.document}`), [
            "Pod shop/debug container \"shell\" doc 2",
            "Pod shop/debug ephemeral container \"probe\" doc 2",
        ]);
        assert.strictEqual(report.images.length, 6);
    });

    // Stack programs run in a process of their own (a program module runs once per process).
    it("lists every image of the dev stack (planned offline)", () => {
        const r = bin(["images", "--stack", "dev"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(r.stdout.trim().split("\n"), DEV_IMAGES);
    });

    it("lists every image of the prod stack, the pinned Helm releases' images included, through bin/k8sprod", () => {
        const r = bin(["images", "--stack", "prod"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(r.stdout.trim().split("\n"), PROD_IMAGES);
    });

    it("names the release and chart part behind each image of the prod stack", () => {
        const report = JSON.parse(bin(["images", "--stack", "prod", "--format", "json"]).stdout);
        const argocd = report.images.find((i: any) => i.image === "quay.io/argoproj/argocd:v3.4.4");
        assert.deepStrictEqual(argocd.sources.map((s: any) => s.role), [
            "argo-cd application controller", "argo-cd API server", "argo-cd repo server", "argo-cd ApplicationSet controller", "argo-cd redis secret-init job",
        ]);
        assert.ok(argocd.sources.every((s: any) => s.kind === "HelmRelease" && s.name === "argocd" && s.chart === "argo-cd 10.1.1"));
    });

    it("refuses no input, and both a stack and manifests (exit 2)", async () => {
        assert.strictEqual((await cli(["images"])).code, 2);
        const both = await cli(["images", "--stack", "prod", MANIFESTS]);
        assert.strictEqual(both.code, 2);
        assert.match(both.stderr, /either manifest paths or --stack/);
    });

    it("check does not load the images command", () => {
        const r = bin(["check", "--help"], {});
        assert.strictEqual(r.code, 0);
        const probe = `require(${JSON.stringify(path.join(ROOT, "dist", "cli", "main.js"))}).main(["check","--help"],{stdout(){},stderr(){},stdin:async()=>"",stderrIsTTY:false}).then(()=>{console.log(Object.keys(require.cache).some((f)=>f.includes("cli/images/")))})`;
        const out = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
        assert.strictEqual(out.stdout.trim(), "false", out.stderr);
    });
});

describe("images of a Helm release (lib/images.ts)", () => {
    it("follows the release's values: overrides, HA switches, disabled parts", () => {
        const ha = releaseImages("argo-cd", "10.1.1", { "redis-ha": { enabled: true }, dex: { enabled: false }, notifications: { enabled: false } }).map((i) => i.image);
        assert.deepStrictEqual([...new Set(ha)].sort(), ["ecr-public.aws.com/docker/library/haproxy:3.3.10-alpine", "ecr-public.aws.com/docker/library/redis:8.2.3-alpine", "quay.io/argoproj/argocd:v3.4.4"]);
        const chartDefaults = [...new Set(releaseImages("argo-cd", "10.1.1", {}).map((i) => i.image))].sort();
        assert.deepStrictEqual(chartDefaults, ["ecr-public.aws.com/docker/library/redis:8.2.3-alpine", "ghcr.io/dexidp/dex:v2.45.1", "quay.io/argoproj/argocd:v3.4.4"]);
        const mirrored = releaseImages("argo-cd", "10.1.1", { global: { image: { repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/argocd" } }, server: { image: { tag: "v3.4.5" } }, dex: { enabled: false } });
        assert.strictEqual(mirrored.find((i) => i.role === "argo-cd API server")?.image, "123456789012.dkr.ecr.us-east-1.amazonaws.com/argocd:v3.4.5");
        assert.strictEqual(mirrored.find((i) => i.role === "argo-cd repo server")?.image, "123456789012.dkr.ecr.us-east-1.amazonaws.com/argocd:v3.4.4");
        assert.deepStrictEqual(releaseImages("vpa", "5.0.0", { updater: { enabled: false }, admissionController: { enabled: false } }).map((i) => i.image), ["registry.k8s.io/autoscaling/vpa-recommender:1.7.1"]);
    });

    it("refuses a chart version the matrix has no image pins for, and an override that is not a string", () => {
        assert.throws(() => releaseImages("argo-cd", "9.0.0", {}), /argo-cd 9.0.0 has no image pins in lib\/versions.ts/);
        assert.throws(() => imagesOfResource("kubernetes:helm.sh/v3:Release", { chart: "velero", version: "11.0.0", values: {} }, "velero"), /velero 11.0.0 has no image pins/);
        assert.throws(() => releaseImages("metrics-server", "3.13.1", { image: { tag: 3 } }), /values.image.tag .* not a string/);
        assert.throws(() => imagesOfResource("kubernetes:helm.sh/v3:Release", { chart: "metrics-server", version: "3.13.1", values: { __pulumiUnknown: true } }, "ms"), /not known/);
    });

    it("refuses a container whose image is not known", () => {
        const d = { metadata: { name: "web", namespace: "shop" }, spec: { template: { spec: { containers: [{ name: "web" }] } } } };
        assert.throws(() => imagesOfResource("kubernetes:apps/v1:Deployment", d, "web"), /Deployment shop\/web: container "web" has no image at spec.template.spec.containers\[0\].image/);
    });
});
