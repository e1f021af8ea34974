// NamespaceRemovalGuard: the namespaces a component created (createNamespace), each with what
// the stack put in it, recorded in state (type `pulumi-nodejs:dynamic/k8s:NamespaceRemovalGuard`).
// Deleting a namespace deletes everything in it, so before one of these namespaces goes, the
// guard lists what is in it, and refuses while anything there is neither the stack's (as
// recorded) nor Kubernetes' own (components/host/k8s/namespaceContents.ts), unless `deleteContents` says so:
// - a namespace that leaves the record (removed from `namespaces`, or `createNamespace` turned
//   off) is checked by `check`, so `pulumi preview` refuses, naming what is in it, before
//   anything is deleted;
// - when the guard itself goes (`destroy`, or the whole component removed), `delete` checks, and
//   since the guard depends on the namespaces it runs before they are deleted.
// It deletes nothing itself: the namespaces' own resources do, once the guard lets them.
// Its provider runs in the engine's dynamic-provider host process:
// components/host/k8s/namespaceRemovalGuardProvider.ts.
import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../internal/providerShim";
import { withStoredProvider } from "../internal/storedProvider";
import type { RecordedNamespace } from "../host/k8s/namespaceRemovalGuardProvider";

// The provider the SDK is handed; state stores the one-line text of withStoredProvider instead
// (../internal/storedProvider.ts), which loads the same implementation.
const namespaceRemovalGuardProvider = providerShim("NamespaceRemovalGuard");

/** The guard as a resource; it depends on the namespaces it guards. @internal */
export class NamespaceRemovalGuard extends pulumi.dynamic.Resource {
    constructor(
        name: string,
        args: {
            namespaces: Record<string, RecordedNamespace>;
            ours: pulumi.Input<Record<string, string[]>>;
            deleteContents?: pulumi.Input<boolean>;
            deleteContentsField: string;
            kubeconfig?: pulumi.Input<string>;
            context?: pulumi.Input<string>;
        },
        opts?: pulumi.CustomResourceOptions,
    ) {
        super(
            namespaceRemovalGuardProvider,
            name,
            {
                namespaces: args.namespaces,
                ours: args.ours,
                deleteContents: args.deleteContents,
                deleteContentsField: args.deleteContentsField,
                kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
                context: args.context,
            },
            withStoredProvider(
                "NamespaceRemovalGuard",
                pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
            ),
            "k8s",
            "NamespaceRemovalGuard",
        );
    }
}
