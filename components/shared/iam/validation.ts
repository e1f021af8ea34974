// Input checks shared by the IAM providers' `check` methods. Each returns `check` failures
// that start from the field the user wrote and say the fix, and never quote a value given in a
// secret field.
import { describeSecretValue } from "../secretShape";
import { isUnknown } from "../unknown";
import type { Failure } from "./policyModel";

/**
 * Longest value of an IAM policy attribute, e.g. the subject's `iam_id` (IBM IAM Policy
 * Management `createPolicy`: "Attribute values must be 1-1000 characters").
 */
export const POLICY_ATTRIBUTE_VALUE_MAX = 1000;

/** IBM Cloud account ids: 32 lower-case hexadecimal characters. */
export const ACCOUNT_ID_PATTERN = /^[0-9a-f]{32}$/;

/**
 * Problems with an optional account id input. With `secret` (a field of a secret `credentials`
 * object), the reason describes a wrong value instead of quoting it: a key given as the account
 * id would otherwise be printed by `pulumi preview`.
 */
export function checkAccountId(property: string, value: unknown, opts: { secret?: boolean } = {}): Failure[] {
    if (value === undefined || isUnknown(value)) return [];
    if (typeof value === "string" && ACCOUNT_ID_PATTERN.test(value)) return [];
    const lower = typeof value === "string" ? value.trim().toLowerCase() : "";
    const fixable = ACCOUNT_ID_PATTERN.test(lower);
    const rule =
        "an IBM Cloud account id (32 lower-case hexadecimal characters, as `ibmcloud account show` prints). " +
        "Omit it to use the account of the API key.";
    if (opts.secret) {
        const hint = fixable
            ? " It has upper-case letters or white space: write it in lower case, trimmed."
            : "";
        return [{ property, reason: `got ${describeSecretValue(value)}, which is not ${rule}${hint}` }];
    }
    const hint = fixable ? ` Did you mean "${lower}"?` : "";
    return [{ property, reason: `${JSON.stringify(value)} is not ${rule}${hint}` }];
}

// Names and descriptions: IBM documents no length or character limits for service ID names,
// API key names or descriptions (none in IBM's IAM Identity API reference, "Create a service
// ID" and "Create an API key", https://cloud.ibm.com/apidocs/iam-identity-token-api, nor in
// IBM's SDK models), so none is enforced here beyond "non-empty, without surrounding white
// space"; IAM's own 400 names the field if it refuses one. The one limit IBM documents nearby,
// 1-1000 characters for a policy attribute value (IAM Policy Management API reference, "Create
// a policy", https://cloud.ibm.com/apidocs/iam-policy-management), is enforced on `iamId` (the
// subject attribute's value) below.

/** Problems with a required IAM display name (service ID or API key name). */
export function checkName(property: string, value: unknown): Failure[] {
    if (isUnknown(value)) return [];
    if (typeof value !== "string" || value.trim() === "") {
        return [{ property, reason: `must be a non-empty name; got ${JSON.stringify(value)}` }];
    }
    if (value !== value.trim()) {
        return [{ property, reason: `${JSON.stringify(value)} has leading or trailing white space` }];
    }
    return [];
}

/** Problems with an optional description. */
export function checkDescription(property: string, value: unknown): Failure[] {
    if (value === undefined || isUnknown(value) || typeof value === "string") return [];
    return [{ property, reason: `must be a string; got ${JSON.stringify(value)}` }];
}

/** Problems with an optional boolean. */
export function checkBoolean(property: string, value: unknown): Failure[] {
    if (value === undefined || isUnknown(value) || typeof value === "boolean") return [];
    return [{ property, reason: `must be true or false; got ${JSON.stringify(value)}` }];
}

/** Problems with an optional string (e.g. a rotation trigger). */
export function checkOptionalString(property: string, value: unknown): Failure[] {
    if (value === undefined || isUnknown(value) || typeof value === "string") return [];
    return [{ property, reason: `must be a string; got ${JSON.stringify(value)}` }];
}

/**
 * Problems with an `iam_id` input. `serviceIdOnly` demands a service ID's iam_id (API keys).
 * The usual slip, passing a service ID's `id` ("ServiceId-…") instead of its `iamId`
 * ("iam-ServiceId-…"), gets a "did you mean".
 */
export function checkIamId(property: string, value: unknown, serviceIdOnly: boolean): Failure[] {
    if (isUnknown(value)) return [];
    if (typeof value !== "string" || value.trim() === "") {
        return [
            {
                property,
                reason: `must be an IAM id such as "iam-ServiceId-<uuid>"; got ${JSON.stringify(value)}`,
            },
        ];
    }
    if (value.startsWith("ServiceId-")) {
        return [
            {
                property,
                reason:
                    `"${value}" is a service ID's id, not its IAM id. Use the service ID's \`iamId\` output. ` +
                    `Did you mean "iam-${value}"?`,
            },
        ];
    }
    if (value.length > POLICY_ATTRIBUTE_VALUE_MAX) {
        return [
            {
                property,
                reason:
                    `is ${value.length} characters long; IAM policy attribute values are at most ` +
                    `${POLICY_ATTRIBUTE_VALUE_MAX} characters. Use the service ID's \`iamId\` output.`,
            },
        ];
    }
    if (/\s/.test(value)) return [{ property, reason: `${JSON.stringify(value)} contains white space` }];
    if (serviceIdOnly && !value.startsWith("iam-ServiceId-")) {
        return [
            {
                property,
                reason: `"${value}" is not a service ID's IAM id ("iam-ServiceId-<uuid>"); this resource manages service ID keys only`,
            },
        ];
    }
    return [];
}

/** Problems with an id to adopt, e.g. `adoptId: "ServiceId-…"`. */
export function checkAdoptId(property: string, value: unknown, prefix: string): Failure[] {
    if (value === undefined || isUnknown(value)) return [];
    if (typeof value === "string" && value.startsWith(prefix) && value.length > prefix.length) return [];
    return [
        {
            property,
            reason: `${JSON.stringify(value)} is not an id to adopt; expected "${prefix}<uuid>" (\`ibmcloud iam service-ids\` lists them)`,
        },
    ];
}
