// A component resource with no inputs and no outputs, standing in for one of ours under the
// same type token: the floor keeps our parent edges but stores nothing in them.
import * as pulumi from "@pulumi/pulumi";

/** An empty component; call {@link finish} once its children exist, as ours register outputs last. */
export class EmptyComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
    }

    /** Marks the component complete, with no outputs. */
    finish(): void {
        this.registerOutputs({});
    }
}
