// The construction-time check of a component's IAM `credentials` argument: the parts given as
// plain values are checked before any child exists, with the providers' own rules
// (checkCredentialsInput), and reported under the argument's name as the user wrote it.
// Parts that are Outputs or Promises are checked by the providers' `check` once known.
import * as pulumi from "@pulumi/pulumi";
import { checkCredentialsInput } from "../shared/iam/credentialInputs";
import { UNKNOWN } from "../shared/unknown";
import { IamCredentialsArgs } from "./credentials";

function isPending(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/**
 * Problems with the plain parts of a credentials argument, as `"<field>.<key>: <reason>"`.
 * The reasons never show a value: the argument is a secret.
 * @param field the argument's name, e.g. `credentials` or `registryCredentials`
 * @internal
 */
export function plainCredentialsProblems(
    field: string,
    credentials: pulumi.Input<IamCredentialsArgs> | undefined,
): string[] {
    if (credentials === undefined || isPending(credentials)) return [];
    const probe: unknown =
        credentials !== null && typeof credentials === "object" && !Array.isArray(credentials)
            ? Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, isPending(v) ? UNKNOWN : v]))
            : credentials;
    return checkCredentialsInput(probe, field).map((f) => `${f.property}: ${f.reason}`);
}
