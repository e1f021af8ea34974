// Moved to ../shared/imagePullSecretList.ts; re-exported here for the modules that still import it from
// here. As plain values rather than `export *` getters, so that a provider serialized by value
// (state written before the provider shims) captures no more than it did.
import * as moved from "../shared/imagePullSecretList";

export const CLAIMS_ANNOTATION = moved.CLAIMS_ANNOTATION;
export const CLAIMS_UID_ANNOTATION = moved.CLAIMS_UID_ANNOTATION;
export const parseClaims = moved.parseClaims;
export const formatClaims = moved.formatClaims;
export const uniqueNames = moved.uniqueNames;
export const entryNames = moved.entryNames;
export const newClaimId = moved.newClaimId;
export const claimOriginOf = moved.claimOriginOf;
export const claimsIncarnation = moved.claimsIncarnation;
export const namesHeldByAppliers = moved.namesHeldByAppliers;
export const serviceAccountView = moved.serviceAccountView;
export const namesHeldByOthers = moved.namesHeldByOthers;
export const reconcilePullSecrets = moved.reconcilePullSecrets;
export type {
    PullSecretEntry,
    Claims,
    ManagedFieldsEntry,
    ServiceAccountView,
    ReconcileRequest,
    ReconcileResult,
    ServiceAccountLike,
} from "../shared/imagePullSecretList";
