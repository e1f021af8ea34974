// The text the SDK stores as a dynamic resource's `__provider` for a provider object
// (@pulumi/pulumi dynamic/index.ts serializes `() => provider` the same way).
import * as pulumi from "@pulumi/pulumi";
import { ProviderKind, providerShim } from "../../components/internal/providerShim";

/** Serializes `provider` as the SDK does for a dynamic resource. */
export async function serializedProvider(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
    return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
}

/** What state holds as `__provider` for a resource of `kind`, with the library run from source. */
export function storedShimText(kind: ProviderKind): Promise<string> {
    return serializedProvider(providerShim(kind));
}
