/**
 * The provision-tenant state document. Each step's result is stored under its own
 * `ResultPath`, so the original input and every earlier result survive for compensation.
 * Nothing secret is ever part of it: Step Functions keeps execution history in plain text.
 */

/** Who is provisioning: the execution's name is the `ProvisionedBy` tag of what it creates. */
export interface ExecutionRef {
  name: string;
  /** ISO 8601 start time of the execution (unchanged by a redrive). */
  startTime: string;
}

/** ValidateOrg's result, `$.tenant`: the validated org and every name derived from it. */
export interface TenantRef {
  orgId: string;
  orgName?: string;
  slug: string;
  /** The tenant bucket's region. */
  region: string;
  /** The execution name; the `ProvisionedBy` tag of everything this execution creates. */
  provisionedBy: string;
  /** When the execution started; access keys created after it may be this execution's. */
  startedAt: string;
  bucketCandidates: string[];
  userName: string;
  userPath: string;
  secretName: string;
}

/** CreateTenantBucket's result, `$.bucket`. */
export interface TenantBucket {
  name: string;
  region: string;
  arn: string;
  /** True when this execution created it; false when it adopted the org's existing bucket. */
  created: boolean;
}

/** ConfigureTenantBucket's result, `$.bucketConfig`. */
export interface TenantBucketConfig {
  publicPrefix: string;
  publicBaseUrl: string;
}

/** CreateTenantUser's result, `$.user`. */
export interface TenantUser {
  userName: string;
  arn: string;
  userId: string;
  created: boolean;
}

/** IssueTenantCredentials' result, `$.credentials`. Never the secret access key. */
export interface TenantCredentials {
  secretArn: string;
  secretName: string;
  accessKeyId: string;
  /** True when this call issued a new key; false when the secret already held a live key. */
  issued: boolean;
}

/** ApplyTenantBucketPolicy's result, `$.bucketPolicy`. */
export interface TenantBucketPolicyResult {
  applied: true;
  tlsOnly: boolean;
  statementIds: string[];
}

/** What a Catch puts at `$.error`. `Cause` is a JSON string from Lambda on AWS, a message locally. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/** The provision-tenant input: an OrgCreated detail as the router forwards it. */
export interface ProvisionInput {
  orgId: string;
  orgName?: string;
  region?: string;
}

export interface ProvisionState extends Partial<ProvisionInput> {
  tenant?: TenantRef;
  bucket?: TenantBucket;
  bucketConfig?: TenantBucketConfig;
  user?: TenantUser;
  credentials?: TenantCredentials;
  bucketPolicy?: TenantBucketPolicyResult;
  error?: CaughtError;
  [key: string]: unknown;
}

/** Which resources a deletion step may touch. */
export type DeletionScope =
  /** Compensation: only what the execution `tenant.provisionedBy` created. */
  | 'execution'
  /** Teardown: anything tagged `ManagedBy=tenant-provisioner` and this `OrgId`. */
  | 'tenant';

/** Input of the deletion steps (compensation now, teardown later). */
export interface DeletionInput {
  scope: DeletionScope;
  tenant: TenantRef;
}

export interface DeleteBucketInput extends DeletionInput {
  bucketName: string;
  /** Continuation from a previous invocation that ran out of time. */
  cursor?: string | null;
}

/** A deletion step's result: what it removed and what it left alone (and why). */
export interface DeletionResult {
  deleted: string[];
  skipped: { resource: string; reason: string }[];
}

export interface DeleteBucketResult extends DeletionResult {
  /** False when the time budget ran out; call again with `cursor`. */
  done: boolean;
  cursor: string | null;
  objectsDeleted: number;
}

/** The teardown-tenant input: an OrgDeleted detail as the router forwards it. */
export interface TeardownInput {
  orgId: string;
  region?: string;
  retentionDays?: number;
  /** Seconds to wait before touching anything: a provisioning run was just stopped. */
  settleSeconds?: number;
}

/** PrepareTeardown's result, `$.teardown`. */
export interface TeardownPlan {
  tenant: TenantRef;
  settleSeconds: number;
  retentionDays: number;
  retentionSeconds: number;
}

/** RevokeTenantAccess's result, `$.revoked`: what was found and what was revoked at once. */
export interface RevocationResult {
  /** The tenant's bucket, verified by its tags; "" when the tenant has none (any more). */
  bucketName: string;
  /** Where the bucket's name came from. */
  bucketFoundBy: 'secret' | 'user-tag' | 'candidate' | 'none';
  keysDeactivated: string[];
  bucketPolicyDeleted: boolean;
  /** Resources with a tenant's name that are not this tenant's, left alone. */
  skipped: { resource: string; reason: string }[];
}
