/**
 * The error contract between the Lambdas and the state machines.
 *
 * Every class has a literal `name` (it survives minification and is what the ASL's
 * `ErrorEquals` matches) and keeps the SDK error that caused it in `cause`.
 *
 * - Permanent errors: retrying cannot help. The ASL catches them, compensates and fails
 *   with the error's name.
 * - Transient errors: the ASL retries them with backoff; when retries run out the
 *   execution fails uncaught at that state and can be redriven.
 */

/** Retrying cannot help: the ASL catches it on every forward step, compensates and fails with its name. */
export abstract class PermanentError extends Error {}

/** Worth retrying: the ASL retries it; when retries run out the execution fails there, uncaught, and can be redriven. */
export abstract class TransientError extends Error {}

const permanentNames: string[] = [];
const transientNames: string[] = [];

/**
 * A permanent error class whose `name` is the literal the ASL's `ErrorEquals` matches (a class
 * field, so it survives minification), registered in PERMANENT_ERROR_NAMES.
 */
function permanent<N extends string>(name: N) {
  permanentNames.push(name);
  return class extends PermanentError {
    override readonly name: N = name;
  };
}

/** A transient error class with its literal `name`, registered in TRANSIENT_ERROR_NAMES. */
function transient<N extends string>(name: N) {
  transientNames.push(name);
  return class extends TransientError {
    override readonly name: N = name;
  };
}

/** The orgId is missing or not 1–40 characters of `[A-Za-z0-9-]` without a leading or trailing `-`. */
export class InvalidOrgIdError extends permanent('InvalidOrgIdError') {}

/** The event is not a valid OrgCreated/OrgDeleted (a field other than orgId is wrong). */
export class InvalidEventError extends permanent('InvalidEventError') {}

/** Every bucket name candidate is taken worldwide or owned by us for something else. */
export class BucketNameUnavailableError extends permanent('BucketNameUnavailableError') {}

/** The tenant's bucket disappeared between steps (deleted outside this workflow). */
export class TenantBucketMissingError extends permanent('TenantBucketMissingError') {}

/** An IAM user with the tenant's name exists but does not belong to this org's tenant. */
export class TenantUserConflictError extends permanent('TenantUserConflictError') {}

/** A secret with the tenant's name exists but does not belong to this org's tenant. */
export class TenantSecretConflictError extends permanent('TenantSecretConflictError') {}

/** An account quota stops the tenant (IAM users or access keys, S3 buckets, secrets). */
export class TenantQuotaExceededError extends permanent('TenantQuotaExceededError') {}

/**
 * A prefix tenant's prefix (from the stage's template, or recorded by the ledger) cannot be its
 * TenantPrefix tag or would not keep the tenant to itself (s3-names.ts `tenantPrefixViolation`).
 */
export class InvalidTenantPrefixError extends permanent('InvalidTenantPrefixError') {}

/**
 * A prefix tenant's prefix of the shared bucket already holds objects that are not known to be this
 * org's (its folder object is not tagged with the org's OrgId): another site's data, or a site
 * being migrated that an operator has not yet marked as this org's.
 */
export class TenantPrefixInUseError extends permanent('TenantPrefixInUseError') {}

/** Account-level S3 Block Public Access forbids the public `pub/` grant. */
export class PublicAccessBlockedError extends permanent('PublicAccessBlockedError') {}

/**
 * Transient: S3 refused the bucket policy because a just-created IAM user or a just-changed
 * Block Public Access setting has not propagated yet. Retried by the ASL for minutes.
 */
export class TenantPolicyNotReadyError extends transient('TenantPolicyNotReadyError') {}

/**
 * Transient: IAM refused a new access key (`LimitExceeded`) while the user holds fewer than its
 * two: keys deleted moments before (a crashed attempt's strays) are still counted until IAM's
 * eventually consistent count catches up. Retried by the ASL for about two minutes.
 */
export class AccessKeyQuotaSettlingError extends transient('AccessKeyQuotaSettlingError') {}

/**
 * Transient: S3 answered CreateBucket with `OperationAborted` (409, "a conflicting conditional
 * operation is currently in progress"): it is still settling an operation on the name, typically
 * its deletion moments before (a re-signup right after a teardown), which can take minutes. The
 * ASL retries it with its own long backoff (about 17 minutes); the name is not given up for a
 * fallback.
 */
export class BucketNameSettlingError extends transient('BucketNameSettlingError') {}

/**
 * Transient: the tenant's new access key does not work yet. IAM is eventually consistent
 * ("Changes that I make are not always immediately visible", IAM User Guide), so a key created
 * moments before is refused (InvalidAccessKeyId, InvalidClientTokenId) for a few seconds.
 * ProveTenantCredentials tries it for a bounded time within the step; the ASL then retries the
 * step for a few minutes, and parks the execution (redrivable) before OrgProvisioned is sent.
 */
export class TenantCredentialsNotReadyError extends transient('TenantCredentialsNotReadyError') {}

/** Transient: EventBridge accepted the PutEvents call but rejected the entry. */
export class EventPublishError extends transient('EventPublishError') {}

/**
 * A workflow step's run is no longer the tenant's current one in the tenant ledger (an OrgDeleted
 * stopped the provisioning, a restore stopped the teardown, an operator started the next
 * generation): the step must not change the tenant. The ASL catches it and ends the run without
 * doing anything more (`ProvisioningSuperseded`, `TeardownSuperseded`, `RestoreSuperseded`).
 */
export class TenantRunSupersededError extends Error {
  override readonly name = 'TenantRunSupersededError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * A bucket (or prefix) walk deleted every version it could and S3 refuses the rest (Object Lock
 * retention or legal hold, MFA delete). Neither permanent nor transient: the deletion steps do not
 * retry it (listing everything again would find the same) and do not catch it, so the execution
 * parks redrivable at that step with a message that says how many, why and what to do.
 */
export class TenantObjectsLockedError extends Error {
  override readonly name = 'TenantObjectsLockedError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Names the ASL catches and compensates: every PermanentError above, in the order declared. */
export const PERMANENT_ERROR_NAMES: readonly string[] = permanentNames;

/** Names the ASL retries with their own policy before the generic transient retrier. */
export const TRANSIENT_ERROR_NAMES: readonly string[] = transientNames;

/**
 * AWS's throttling errors as they reach Step Functions (the SDK error's name, which a step
 * rethrows untouched): IAM's and STS's `Throttling`, S3's `SlowDown`, `ThrottlingException` of
 * Secrets Manager, EventBridge, DynamoDB and Step Functions, and DynamoDB's
 * `ProvisionedThroughputExceededException`. The provisioning ASL retries them on a retrier of
 * their own (many attempts, full jitter), so a burst waits its turn under AWS's rate limits.
 */
export const AWS_THROTTLING_ERROR_NAMES: readonly string[] = ['Throttling', 'ThrottlingException', 'SlowDown', 'ProvisionedThroughputExceededException'];

/** The `name` of an AWS SDK error (or any error), for codes the SDK does not model as a class. */
export function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}
