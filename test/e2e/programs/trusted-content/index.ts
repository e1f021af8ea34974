// TrustedContent from the JSON in config `trustedContent`, or a standalone ImagePolicy from
// config `imagePolicy`, against the cluster of KUBECONFIG: the test sets the config, runs
// preview/up/refresh/destroy and looks at the API server.
import * as pulumi from "@pulumi/pulumi";
import { ImagePolicy, ImagePolicyArgs, TrustedContent, TrustedContentArgs } from "pulumi-icr-access";

const config = new pulumi.Config();
const setArgs = config.getObject<TrustedContentArgs>("trustedContent");
const singleArgs = config.getObject<ImagePolicyArgs>("imagePolicy");

const set = setArgs !== undefined ? new TrustedContent("trusted", setArgs) : undefined;
const single = singleArgs !== undefined ? new ImagePolicy("single", singleArgs) : undefined;

/** Each object's spec as written, by `Kind namespace/name`. */
export const policies = set?.policies;
/** The workloads the enforcement preview predicted would be denied. */
export const denied = (set ?? single)?.enforcementReport.denied;
export const singleSpec = single?.spec;
