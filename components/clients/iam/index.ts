// The IAM client as the provider host uses it: the client, the objects it returns, its errors
// and its tuning.
export { IamClient } from "./client";
export type { IamClientCredentials } from "./transport";
export type { CreateOptions, ReadOptions } from "./call";
export type { ServiceIdResource } from "./serviceIds";
export { oldestFirst } from "./serviceIds";
export type { ApiKeyAt, ApiKeyResource } from "./apiKeys";
export type { PolicyWithEtag } from "./policies";
export type { AccessGroupMember, AccessGroupResource } from "./accessGroups";
export { IamError } from "./errors";
export type { IamErrorInit, PolicyConflict } from "./errors";
export { DEFAULT_TUNING, TUNING_ENV_VARS, iamTuningFromEnv } from "./tuning";
export type { IamClientTuning } from "./tuning";
