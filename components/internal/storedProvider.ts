// What a dynamic resource stores in state as its `__provider`: one line of about 80 bytes that
// loads the kind's provider from the installed package by the package's own name.
//
// The engine rewrites the whole state file after every step, so `up` time grows with the
// number of resources times the bytes each holds; `__provider` is stored twice per resource
// (inputs and outputs). The SDK's serializer turns even a forwarding object (providerShim.ts)
// into about 2.2 KB, because it wraps every function it emits in a closure environment.
// The dynamic-provider host needs far less: it evaluates the text as a module and calls its
// `handler` export for the provider object (@pulumi/pulumi v3.248.0
// `cmd/dynamic-provider/index.ts` `getProvider`: `requireFromString(providerString).handler()`,
// cached per distinct text, `configure` called once per text and process). So the text is
// written here, and put in place of the SDK's by a resource transformation, the SDK's public
// hook for rewriting a resource's properties before they are registered (`opts.transformations`,
// https://www.pulumi.com/docs/iac/concepts/options/transformations/).
//
// The text is part of the state format: pinned by hash in test/providers/serializedProviders.spec.ts.
// Never change it without a migration (the entry turns a change of nothing but this text into
// an update that calls nobody; components/providers.ts).
import type * as pulumi from "@pulumi/pulumi";
import { PROVIDERS_ENTRY, ProviderKind } from "../shared/providerKinds";

/** The key under which the SDK stores a dynamic resource's provider text. */
const PROVIDER_KEY = "__provider";

/**
 * The `__provider` text of a resource of `kind`: a module whose `handler` returns the kind's
 * provider from {@link PROVIDERS_ENTRY}. The host evaluates it with an empty file name, so
 * `require` resolves from the program's directory, i.e. the installed package.
 * @internal
 */
export function storedProviderText(kind: ProviderKind): string {
    return `exports.handler = () => require(${JSON.stringify(PROVIDERS_ENTRY)})[${JSON.stringify(kind)}];\n`;
}

/**
 * `opts` with a transformation, first of all, that stores {@link storedProviderText} as the
 * resource's `__provider` in place of the SDK's serialization of the provider object.
 * @internal
 */
export function withStoredProvider(
    kind: ProviderKind,
    opts: pulumi.CustomResourceOptions,
): pulumi.CustomResourceOptions {
    const text = storedProviderText(kind);
    const store: pulumi.ResourceTransformation = (args) => ({
        props: { ...args.props, [PROVIDER_KEY]: text },
        opts: args.opts,
    });
    return { ...opts, transformations: [store, ...(opts.transformations ?? [])] };
}
