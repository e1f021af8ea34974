// The provider object every dynamic resource hands the SDK: a few lines that load the real
// provider by the package's own name when the provider host (the engine's dynamic-provider
// host) calls them. Serialized by the SDK (about 2.2 KB), it is what state stored as
// `__provider` before the one-line text of ./storedProvider.ts replaced it; stacks may still
// hold it, so its text stays pinned and working.
//
// The SDK serializes a provider object by value, with every module of ours it reaches
// (about 75 KB per resource), and the engine rewrites state after each step, so `up` grew
// quadratically with the number of resources. This shim captures only the literal `kind`;
// the host evaluates it with an empty file name, so `require` resolves from the program's
// directory, i.e. the installed package. A static import here would drag the implementations
// back in by value, and a relative path would resolve against the host's working directory.
//
// PROVIDERS_ENTRY and the kind names (../shared/providerKinds.ts) are part of the state format:
// never change them.
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderKind } from "../shared/providerKinds";

export { PROVIDERS_ENTRY } from "../shared/providerKinds";
export type { ProviderKind } from "../shared/providerKinds";

type Implementation = Required<pulumi.dynamic.ResourceProvider>;

/**
 * A provider object that forwards every call to `require(PROVIDERS_ENTRY)[kind]`.
 * The literal below must stay equal to {@link PROVIDERS_ENTRY}: the serializer keeps the text
 * of the function, not the constant.
 * @internal
 */
export function providerShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
    // No comment may go inside these functions: their text is what state stores.
    const load = (): Implementation => require("pulumi-icr-access/providers")[kind];
    return {
        configure: (req) => load().configure(req),
        check: (olds, news) => load().check(olds, news),
        diff: (id, olds, news) => load().diff(id, olds, news),
        create: (inputs) => load().create(inputs),
        read: (id, props) => load().read(id, props),
        update: (id, olds, news) => load().update(id, olds, news),
        delete: (id, props) => load().delete(id, props),
    };
}
