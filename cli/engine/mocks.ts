import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";

/** One resource registration as the engine would see it. */
export interface Registration {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, any>;
    /**
     * The inputs exactly as the SDK put them on the wire (a protobuf Struct as plain JSON): unknown
     * values as the unknown sentinel, secrets as signature objects. This is what the engine hands to
     * an analyzer, so the offline engine passes this form to the packs.
     */
    wire: Record<string, any>;
    /** URN of the parent resource, or "" for the stack's direct children. */
    parent: string;
    /** URNs the registration depends on (dependsOn and the inputs' dependencies). */
    dependencies: string[];
    /** Property name -> URNs that property depends on. */
    propertyDependencies: Record<string, string[]>;
    /** Provider reference (`urn::id`), when one was given. */
    provider: string;
    custom: boolean;
    /** True for a component whose children a provider constructs (a multi-language component). */
    remote: boolean;
}

export type InvokeHandler = (args: Record<string, any>) => Record<string, any>;
export type StateHook = (args: pulumi.runtime.MockResourceArgs) => Record<string, any>;

export interface RecordingMocksOptions {
    /**
     * How custom resources get their id. "named" (the default) answers `<name>-id`, as after an
     * update; "unknown" answers no id, which the SDK reads as unknown during a preview, exactly as a
     * resource that `pulumi preview` would create.
     */
    ids?: "named" | "unknown";
    /**
     * With "named" ids, also answer an `arn` for every AWS resource whose inputs hold none, as AWS does after
     * an update (`arn:<partition>:<service>:<region>:<account>:<type>/<id>`; IAM and S3 have no region), so a
     * program that derives values from an ARN (an account id, a key policy) sees a well-formed one.
     */
    arns?: { partition?: string; region: string; account: string };
}

/**
 * Mocks that record every registration (type, name, inputs, parent, dependencies, provider) and
 * throw on any invoke they were not told about, so a component that starts calling a cloud API
 * fails its tests instead of silently receiving `{}`.
 */
export class RecordingMocks implements pulumi.runtime.Mocks {
    readonly registrations: Registration[] = [];
    /** Tokens of the invokes the program made that these mocks do not answer, in order. */
    readonly unanswered: string[] = [];
    private readonly invokes = new Map<string, InvokeHandler>();
    private readonly stateHooks = new Map<string, StateHook>();
    private readonly ids: "named" | "unknown";
    private readonly arns: RecordingMocksOptions["arns"];

    constructor(opts: RecordingMocksOptions = {}) {
        this.ids = opts.ids ?? "named";
        this.arns = opts.arns;
    }

    /** Answer invoke `token` with `handler`. */
    onInvoke(token: string, handler: InvokeHandler): this {
        this.invokes.set(token, handler);
        return this;
    }

    /** Add outputs to every resource of `type` (e.g. an `arn`), beside its inputs. */
    onResource(type: string, hook: StateHook): this {
        this.stateHooks.set(type, hook);
        return this;
    }

    /** The invoke tokens these mocks answer. */
    answeredInvokes(): string[] {
        return [...this.invokes.keys()].sort();
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        const handler = this.invokes.get(args.token);
        if (!handler) {
            this.unanswered.push(args.token);
            throw new UnansweredInvokeError(args.token, args.inputs);
        }
        return handler(args.inputs);
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const hook = this.stateHooks.get(args.type);
        const extra = hook ? hook(args) : {};
        const id = args.custom && this.ids === "named" ? `${args.name}-id` : undefined;
        const state: Record<string, any> = { ...args.inputs, ...extra };
        if (id !== undefined && this.arns && args.type.startsWith("aws:") && state.arn === undefined) {
            state.arn = awsArn(args.type, id, this.arns);
        }
        return { id, state };
    }

    /** Registrations of one type token. */
    ofType(type: string): Registration[] {
        return this.registrations.filter((r) => r.type === type);
    }

    /** The one registration of `type` named `name`; throws when there is none or several. */
    get(type: string, name: string): Registration {
        const found = this.registrations.filter((r) => r.type === type && r.name === name);
        if (found.length !== 1) {
            const names = this.ofType(type).map((r) => r.name).join(", ") || "none";
            throw new Error(`Expected one ${type} named ${name}, found ${found.length} (registered: ${names})`);
        }
        return found[0];
    }

    /** Every Kubernetes object registered, as the object the provider would send to the API server. */
    kubernetesObjects(): Array<Record<string, any>> {
        return this.registrations
            .filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm") && r.type !== "pulumi:providers:kubernetes")
            .map((r) => r.inputs);
    }

    reset(): void {
        this.registrations.length = 0;
    }
}

/**
 * The ARN AWS would give a resource of Pulumi type `type` with id `id`: the service is the type's module
 * (`aws:iam/role:Role` -> iam), the resource type its lower-cased resource name.
 */
export function awsArn(type: string, id: string, at: { partition?: string; region: string; account: string }): string {
    const [, moduleAndFile = "", resource = ""] = type.split(":");
    const service = moduleAndFile.split("/")[0];
    const global = service === "iam" || service === "s3";
    const account = service === "s3" ? "" : at.account;
    const path = service === "s3" ? id : `${resource.toLowerCase()}/${id}`;
    return `arn:${at.partition ?? "aws"}:${service}:${global ? "" : at.region}:${account}:${path}`;
}

/** Thrown (inside the program) when it makes an invoke the mocks do not answer. */
export class UnansweredInvokeError extends Error {
    /** The SDK reads a failed invoke's message from `details`, as from a gRPC error. */
    readonly details: string;

    constructor(readonly token: string, readonly inputs: Record<string, any>) {
        super(`Unexpected invoke ${token}(${JSON.stringify(inputs)}): the mocks do not answer it`);
        this.name = "UnansweredInvokeError";
        this.details = this.message;
    }
}

/**
 * A resource's URN as the engine makes it: the parent's qualified type (unless the parent is the
 * root stack), `$`, the type; `urn:pulumi:<stack>::<project>::<qualified type>::<name>`.
 */
export function urnOf(stack: string, project: string, parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2] ?? "" : "";
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * Installs `mocks` as the Pulumi runtime's resource monitor and records every registration request.
 * The stock mock monitor hands `newResource` only the type, name and inputs; the parent, the
 * dependencies and the wire form of the inputs are read here from the raw RegisterResourceRequest.
 * With `engineUrns`, URNs are made as the engine makes them (see `urnOf`) instead of the mock
 * monitor's simplified way.
 */
export async function installMocks(mocks: RecordingMocks, opts: { project?: string; stack?: string; preview?: boolean; engineUrns?: boolean } = {}): Promise<void> {
    const project = opts.project ?? "k8sprod";
    const stack = opts.stack ?? "test";
    await pulumi.runtime.setMocks(mocks, project, stack, opts.preview ?? false);
    const monitor = settings.getMonitor() as any;
    if (opts.engineUrns) {
        // The stock mock monitor keeps only the last type of the parent's qualified type, and keeps
        // the root stack's. The engine keeps the parent's whole qualified type, except the root stack's.
        monitor.newUrn = (parent: string, type: string, name: string) => urnOf(stack, project, parent, type, name);
    }
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, res: any) => void) => {
        const wire = req.getObject()?.toJavaScript() ?? {};
        const pendingInputs = rpc.deserializeProperties(req.getObject());
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap()?.forEach((v: any, k: string) => {
            propertyDependencies[k] = v.getUrnsList();
        });
        original(req, (err: any, res: any) => {
            if (!err) {
                mocks.registrations.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: res.getUrn(),
                    inputs: pendingInputs,
                    wire,
                    parent: req.getParent(),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    provider: req.getProvider(),
                    custom: req.getCustom(),
                    remote: req.getRemote(),
                });
            }
            callback(err, res);
        });
    };
}
