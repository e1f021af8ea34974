// Moved to ../shared/imagePullSecretList.ts; re-exported here for the modules that still import it from
// here. As plain values rather than `export *` getters, so that a provider serialized by value
// (state written before the provider shims) captures no more than it did; `@internal` where
// the moved declaration is.
import * as moved from "../shared/imagePullSecretList";

/** @internal */
export const CLAIMS_ANNOTATION = moved.CLAIMS_ANNOTATION;
/** @internal */
export const CLAIMS_UID_ANNOTATION = moved.CLAIMS_UID_ANNOTATION;
/** @internal */
export type PullSecretEntry = moved.PullSecretEntry;
/** @internal */
export type Claims = moved.Claims;
/** @internal */
export type ManagedFieldsEntry = moved.ManagedFieldsEntry;
/** @internal */
export type ServiceAccountView = moved.ServiceAccountView;
/** @internal */
export type ReconcileRequest = moved.ReconcileRequest;
/** @internal */
export type ReconcileResult = moved.ReconcileResult;
/** @internal */
export const parseClaims = moved.parseClaims;
/** @internal */
export const formatClaims = moved.formatClaims;
/** @internal */
export const uniqueNames = moved.uniqueNames;
/** @internal */
export const entryNames = moved.entryNames;
/** @internal */
export const newClaimId = moved.newClaimId;
/** @internal */
export const claimOriginOf = moved.claimOriginOf;
/** @internal */
export const claimsIncarnation = moved.claimsIncarnation;
/** @internal */
export const namesHeldByAppliers = moved.namesHeldByAppliers;
/** @internal */
export type ServiceAccountLike = moved.ServiceAccountLike;
/** @internal */
export const serviceAccountView = moved.serviceAccountView;
/** @internal */
export const namesHeldByOthers = moved.namesHeldByOthers;
/** @internal */
export const reconcilePullSecrets = moved.reconcilePullSecrets;
