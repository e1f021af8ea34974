// The `credentials` argument of the IAM components: an API key (and where to use it) for one
// resource instead of the stack-wide one. The rules for it are in ../shared/iam/credentialInputs.ts,
// its use in the provider host in ../host/iam/credentials.ts.
import type * as pulumi from "@pulumi/pulumi";

/**
 * Credentials for one IAM resource, overriding the stack-wide ones, e.g. to manage IAM objects
 * in another IBM Cloud account. The whole object is stored as a secret.
 */
export interface IamCredentialsArgs {
    /** An IBM Cloud API key allowed to manage IAM in the target account. */
    readonly apiKey: pulumi.Input<string>;
    /**
     * IAM base URL.
     * @default - `ibmcloud:iamEndpoint` config, then `IBMCLOUD_IAM_ENDPOINT`, then https://iam.cloud.ibm.com
     */
    readonly iamEndpoint?: pulumi.Input<string>;
    /**
     * The account the key belongs to.
     * @default - the `account.bss` claim of the key's access token (never the stack-wide account id,
     * which belongs to another key)
     */
    readonly accountId?: pulumi.Input<string>;
}
