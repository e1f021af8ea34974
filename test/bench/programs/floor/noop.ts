// A dynamic resource that does nothing, standing in for one of ours (ServiceId, AccessPolicy,
// ApiKey, ServiceAccountPullSecrets) under the same type token, so that the floor pays what
// the engine and the dynamic-provider host charge for a dynamic resource and nothing more.
//
// Its provider is an object literal whose one method refers to nothing but the global
// `Promise`: the SDK serializes it into `__provider` as a few hundred bytes that capture no
// module, and the host loads nothing to run it. No `diff`: the engine then compares inputs
// itself, which reports no change on a rerun.
import * as pulumi from "@pulumi/pulumi";

/** Each stand-in's kind, with the module of its type token `pulumi-nodejs:dynamic/<module>:<kind>`. */
const MODULES = {
    ServiceId: "iam",
    AccessPolicy: "iam",
    ApiKey: "iam",
    ServiceAccountPullSecrets: "k8s",
} as const;

/** The kinds of ours the floor stands in for. */
export type NoopKind = keyof typeof MODULES;

const noopProvider: pulumi.dynamic.ResourceProvider = {
    create: (inputs) => Promise.resolve({ id: "noop", outs: { ...inputs, value: "noop" } }),
};

/** A no-op dynamic resource; `value` is its one output, to carry data edges as ours do. */
export class Noop extends pulumi.dynamic.Resource {
    declare public readonly value: pulumi.Output<string>;

    constructor(kind: NoopKind, name: string, inputs: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(noopProvider, name, { ...inputs, value: undefined }, opts, MODULES[kind], kind);
    }
}
