import * as assert from "assert";
import { assertNoViolation, assertViolation, violationsOfPolicy } from "../helpers/policy";
import { changed, deployment, goodStack, statefulSet } from "./stack";

describe("statefulsets", () => {
    describe("require-headless-service", () => {
        it("passes a StatefulSet whose serviceName is a headless Service selecting its pods", () => assertNoViolation("require-headless-service", goodStack()));
        it("fails a missing serviceName", () => assertViolation("require-headless-service",
            changed("StatefulSet", (s) => { delete s.spec.serviceName; }), ['StatefulSet "db" in namespace "shop" sets no spec.serviceName']));
        it("fails a serviceName with no Service in the stack", () => assertViolation("require-headless-service",
            [statefulSet()], 'sets spec.serviceName to "db-headless", but no Service of that name is in namespace "shop"'));
        it("fails a Service that is not headless", () => assertViolation("require-headless-service",
            changed("Service", (s) => { delete s.spec.clusterIP; }, "db-headless"), 'its spec.clusterIP is "unset", not "None"'));
        it("fails a Service that selects other pods", () => assertViolation("require-headless-service",
            changed("Service", (s) => { s.spec.selector = { app: "web" }; }, "db-headless"), "does not select the StatefulSet's pods"));
        it("does not look at Deployments", async () => assert.deepStrictEqual(await violationsOfPolicy("require-headless-service", [deployment()]), []));
    });

    describe("require-volume-claim-storage-class", () => {
        it("passes claim templates that name a class", () => assertNoViolation("require-volume-claim-storage-class", goodStack()));
        it("fails a claim template without storageClassName, naming the property", () => assertViolation("require-volume-claim-storage-class",
            changed("StatefulSet", (s) => { delete s.spec.volumeClaimTemplates[0].spec.storageClassName; }),
            ['StatefulSet "db" in namespace "shop": volume claim template "data" sets no spec.volumeClaimTemplates[0].spec.storageClassName']));
        it("fails a PersistentVolumeClaim without storageClassName", () => assertViolation("require-volume-claim-storage-class",
            [{ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "cache", namespace: "shop" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
            'PersistentVolumeClaim "cache" in namespace "shop": sets no spec.storageClassName'));
        it("restricts classes when allowedStorageClasses is configured", () => assertViolation("require-volume-claim-storage-class",
            goodStack(), 'sets spec.volumeClaimTemplates[0].spec.storageClassName to "gp3-encrypted"; it must be one of io2', { "require-volume-claim-storage-class": { allowedStorageClasses: ["io2"] } }));
        it("does not look at a Deployment", async () => assert.deepStrictEqual(await violationsOfPolicy("require-volume-claim-storage-class", [deployment()]), []));
    });
});
