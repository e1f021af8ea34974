// CreationGuard: before a component creates a Namespace (createNamespace) or a Secret under a
// name IKS uses, make sure the object does not exist already, unless this stack made it:
// pulumi-kubernetes' server-side-apply create is an upsert, so an existing object would
// silently become the stack's, and `destroy` would delete it (see ./iksOwnedNames.ts).
//
// A dynamic resource (type `pulumi-nodejs:dynamic/k8s:CreationGuard`) rather than a check in the
// program, for two reasons:
// - Whose an object is, is recorded on the object when it is made, not recomputed from names:
//   every guarded object must be absent, or carry this stack's owner id
//   (../ownership/stackOwner.ts) in CREATED_BY_ANNOTATION. The owner id lives in state, so
//   `pulumi stack rename`, export/import and a move to another backend leave it as it is. The
//   check reads every guarded object on every run, not only new ones: a guard recorded before
//   its objects were made (a failed or interrupted `up`) must not vouch for an object someone
//   else made in between.
// - A `check` failure stops `pulumi preview` and `up` in seconds, before any create; an error
//   raised in an Output the engine waits on takes about a minute to surface.
//
// Its provider (components/host/k8s/creationGuardProvider.ts, in the engine's dynamic-provider
// host process) reads (GET) the objects it guards and writes nothing; the mark and the rule are
// components/shared/k8s/createdByMark.ts.
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";
import type { GuardedObject } from "../shared/k8s/createdByMark";

// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const creationGuardProvider = providerShim("CreationGuard");

/** The guard as a resource: the guarded objects' resources depend on it. @internal */
export class CreationGuard extends pulumi.dynamic.Resource {
    constructor(
        name: string,
        args: {
            objects: GuardedObject[];
            ownerId: pulumi.Input<string>;
            legacyMarks?: string[];
            kubeconfig?: pulumi.Input<string>;
            context?: pulumi.Input<string>;
        },
        opts?: pulumi.CustomResourceOptions,
    ) {
        super(
            creationGuardProvider,
            name,
            {
                objects: args.objects,
                ownerId: args.ownerId,
                legacyMarks: args.legacyMarks,
                kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
                context: args.context,
            },
            withStoredProvider(
                "CreationGuard",
                pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
            ),
            "k8s",
            "CreationGuard",
        );
    }
}
