import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { StatefulService, WebService, WebServiceArgs } from "../../components/workloads";
import { thrown } from "../helpers/outputs";
import { apiArgs, dbArgs, record } from "./fixtures";

/** Builds a WebService from the happy-path args changed by `change`; returns the error's problems. */
function webProblems(change: (a: WebServiceArgs) => void, name = "api"): Array<{ propertyPath: string; reason: string }> {
    const args = apiArgs();
    change(args);
    const err = thrown(() => new WebService(name, args));
    assert.ok(pulumi.InputPropertiesError.isInstance(err), `expected an InputPropertiesError, got ${err}`);
    return err.errors;
}

function expectProblem(problems: Array<{ propertyPath: string; reason: string }>, path: string, reason: RegExp): void {
    const hit = problems.find((p) => p.propertyPath === path);
    assert.ok(hit, `no problem at ${path}; got ${JSON.stringify(problems)}`);
    assert.match(hit.reason, reason);
}

describe("workload templates refuse bad input", () => {
    it("refuses min replicas above max", () => {
        expectProblem(webProblems((a) => { a.autoscaling = { minReplicas: 8, maxReplicas: 4 }; }), "autoscaling.minReplicas", /must be below maxReplicas 4/);
    });

    it("refuses a limit below its request", () => {
        expectProblem(webProblems((a) => { a.containers[0].resources.limits = { memory: "128Mi" }; }), "containers[0].resources.limits.memory", /below the request 256Mi/);
    });

    for (const bad of ["500mm", "1.5.0Gi", "-1", "", "1 Gi", "0", "1e3m", "2gi"]) {
        it(`refuses the malformed or empty quantity ${JSON.stringify(bad)}`, () => {
            expectProblem(webProblems((a) => { a.containers[0].resources.requests.cpu = bad; }), "containers[0].resources.requests.cpu", /quantity|greater than zero|required/);
        });
    }

    it("accepts well-formed quantities in every notation", () => {
        const notations = ["250m", "0.5", "2", "1e3", "512Mi", "1.5Gi", "1G", ".5"];
        for (const [i, ok] of notations.entries()) {
            const args = apiArgs();
            args.containers[0].resources.requests = { cpu: ok, memory: ok };
            args.containers[0].resources.limits = { cpu: ok, memory: ok };
            assert.doesNotThrow(() => new WebService(`q${i}`, args), ok);
        }
    });

    it("refuses an image without a tag", () => {
        expectProblem(webProblems((a) => { a.containers[0].image = "ghcr.io/example/api"; }), "containers[0].image", /no tag/);
    });

    it("refuses an image tagged latest", () => {
        expectProblem(webProblems((a) => { a.containers[0].image = "registry.local:5000/api:latest"; }), "containers[0].image", /latest/);
    });

    it("accepts a registry port and a digest", () => {
        assert.doesNotThrow(() => new WebService("digest", apiArgs({ containers: [{ ...apiArgs().containers[0], image: "registry.local:5000/api@sha256:" + "a".repeat(64) }] })));
    });

    it("refuses fewer than 2 replicas, fixed or as the autoscaler's floor", () => {
        expectProblem(webProblems((a) => { a.replicas = 1; }), "replicas", /below 2/);
        expectProblem(webProblems((a) => { a.autoscaling = { minReplicas: 1 }; }), "autoscaling.minReplicas", /below 2/);
        const err = thrown(() => new StatefulService("database", dbArgs({ replicas: 1 })));
        expectProblem(err.errors, "replicas", /below 2/);
    });

    it("refuses names that are not DNS-1123 labels", () => {
        expectProblem(webProblems(() => undefined, "Api_Service"), "name", /DNS-1123/);
        expectProblem(webProblems((a) => { a.containers[0].name = "API"; }), "containers[0].name", /DNS-1123/);
        expectProblem(webProblems(() => undefined, "a".repeat(64)), "name", /longer than 63/);
    });

    it("refuses ports out of range", () => {
        const problems = webProblems((a) => {
            a.containers[0].ports = [{ name: "http", containerPort: 0 }, { name: "admin", containerPort: 70000 }, { name: "x", containerPort: 8081, servicePort: 65536 }];
        });
        expectProblem(problems, "containers[0].ports[0].containerPort", /not a port number/);
        expectProblem(problems, "containers[0].ports[1].containerPort", /not a port number/);
        expectProblem(problems, "containers[0].ports[2].servicePort", /not a port number/);
        expectProblem(webProblems((a) => { a.egressTo = [{ podLabels: { app: "db" }, ports: [{ port: 99999 }] }]; }), "egressTo[0].ports[0].port", /not a port number/);
    });

    it("refuses a PodDisruptionBudget that allows zero disruptions", () => {
        expectProblem(webProblems((a) => { a.disruptionBudget = { minAvailable: "3" }; }), "disruptionBudget.minAvailable", /zero disruptions at 3 replicas/);
        expectProblem(webProblems((a) => { a.disruptionBudget = { minAvailable: "100%" }; }), "disruptionBudget.minAvailable", /zero disruptions/);
        expectProblem(webProblems((a) => { a.disruptionBudget = { maxUnavailable: "0" }; }), "disruptionBudget.maxUnavailable", /zero disruptions/);
        expectProblem(webProblems((a) => { a.disruptionBudget = { maxUnavailable: "0%" }; }), "disruptionBudget.maxUnavailable", /zero disruptions/);
    });

    it("accepts a PodDisruptionBudget that allows one disruption", () => {
        assert.doesNotThrow(() => new WebService("pdb-ok", apiArgs({ disruptionBudget: { maxUnavailable: "34%" } })));
    });

    it("refuses a workload with no containers", () => {
        expectProblem(webProblems((a) => { a.containers = []; }), "containers", /at least one container/);
    });

    it("refuses RBAC wildcards and bindings to cluster-admin", () => {
        const problems = webProblems((a) => {
            a.serviceAccount = { rules: [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }, { apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }], clusterRoles: ["cluster-admin"] };
        });
        expectProblem(problems, "serviceAccount.rules[0].resources", /wildcards are refused/);
        expectProblem(problems, "serviceAccount.rules[1].verbs", /wildcards are refused/);
        expectProblem(problems, "serviceAccount.clusterRoles[0]", /cluster-admin/);
    });

    it("refuses the default namespace, root, and an egress target without ports", () => {
        const problems = webProblems((a) => {
            a.namespace = "default";
            a.podIdentity = { runAsUser: 0 };
            a.egressTo = [{ podLabels: { app: "db" } }];
        });
        expectProblem(problems, "namespace", /default is refused/);
        expectProblem(problems, "podIdentity.runAsUser", /non-root/);
        expectProblem(problems, "egressTo[0].ports", /need ports/);
    });

    it("refuses a container with no port and no probe command", () => {
        const problems = thrown(() => new StatefulService("database", dbArgs({
            containers: [{ name: "worker", image: "worker:1.0.0", resources: { requests: { cpu: "1", memory: "1Gi" } } }],
        }))).errors;
        expectProblem(problems, "containers[0].probes.readiness", /no port to probe/);
    });

    it("refuses a StatefulService without volume claims, or with a bad claim", () => {
        expectProblem(thrown(() => new StatefulService("database", dbArgs({ volumeClaims: [] }))).errors, "volumeClaims", /at least one volume claim/);
        const problems = thrown(() => new StatefulService("database", dbArgs({
            volumeClaims: [{ name: "Data", mountPath: "data", size: "10Mi", accessModes: ["ReadWriteAlways"] }],
        }))).errors;
        expectProblem(problems, "volumeClaims[0].name", /DNS-1123/);
        expectProblem(problems, "volumeClaims[0].mountPath", /absolute/);
        expectProblem(problems, "volumeClaims[0].size", /below 1Gi/);
        expectProblem(problems, "volumeClaims[0].accessModes", /access mode/);
    });

    it("reports every problem in one error, with the component named in the message", () => {
        const err = thrown(() => new WebService("api", apiArgs({
            containers: [{ name: "api", image: "api", ports: [{ name: "http", containerPort: 0 }], resources: { requests: { cpu: "500mm", memory: "1.5.0Gi" } } }],
            autoscaling: { minReplicas: 5, maxReplicas: 2 },
            metricsPort: undefined,
        })));
        assert.deepStrictEqual(err.errors.map((e: any) => e.propertyPath).sort(), [
            "autoscaling.minReplicas",
            "containers[0].image",
            "containers[0].ports[0].containerPort",
            "containers[0].resources.requests.cpu",
            "containers[0].resources.requests.memory",
        ]);
        assert.match(err.message, /^WebService api has 5 invalid inputs:/);
    });

    it("creates nothing, not even the component, when the input is bad", async () => {
        const mocks = await record(() => {
            assert.throws(() => new WebService("api", apiArgs({ replicas: 1 })));
            assert.throws(() => new StatefulService("database", dbArgs({ replicas: 0 })));
        });
        assert.deepStrictEqual(mocks.registrations, []);
    });
});
