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

/** The orgId is missing or not 1–40 characters of `[A-Za-z0-9-]` without a leading or trailing `-`. */
export class InvalidOrgIdError extends Error {
  override readonly name = 'InvalidOrgIdError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The event is not a valid OrgCreated/OrgDeleted (a field other than orgId is wrong). */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Every bucket name candidate is taken worldwide or owned by us for something else. */
export class BucketNameUnavailableError extends Error {
  override readonly name = 'BucketNameUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The tenant's bucket disappeared between steps (deleted outside this workflow). */
export class TenantBucketMissingError extends Error {
  override readonly name = 'TenantBucketMissingError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** An IAM user with the tenant's name exists but does not belong to this org's tenant. */
export class TenantUserConflictError extends Error {
  override readonly name = 'TenantUserConflictError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A secret with the tenant's name exists but does not belong to this org's tenant. */
export class TenantSecretConflictError extends Error {
  override readonly name = 'TenantSecretConflictError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** An account quota stops the tenant (IAM users or access keys, S3 buckets, secrets). */
export class TenantQuotaExceededError extends Error {
  override readonly name = 'TenantQuotaExceededError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Account-level S3 Block Public Access forbids the public `pub/` grant. */
export class PublicAccessBlockedError extends Error {
  override readonly name = 'PublicAccessBlockedError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Transient: S3 refused the bucket policy because a just-created IAM user or a just-changed
 * Block Public Access setting has not propagated yet. Retried by the ASL for minutes.
 */
export class TenantPolicyNotReadyError extends Error {
  override readonly name = 'TenantPolicyNotReadyError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Transient: EventBridge accepted the PutEvents call but rejected the entry. */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

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

/** Names the ASL catches and compensates. */
export const PERMANENT_ERROR_NAMES = [
  'InvalidOrgIdError',
  'InvalidEventError',
  'BucketNameUnavailableError',
  'TenantBucketMissingError',
  'TenantUserConflictError',
  'TenantSecretConflictError',
  'TenantQuotaExceededError',
  'PublicAccessBlockedError',
] as const;

/** Names the ASL retries with their own policy before the generic transient retrier. */
export const TRANSIENT_ERROR_NAMES = ['TenantPolicyNotReadyError', 'EventPublishError'] as const;

export type PermanentErrorName = (typeof PERMANENT_ERROR_NAMES)[number];

/** The `name` of an AWS SDK error (or any error), for codes the SDK does not model as a class. */
export function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}
