/**
 * The provision-tenant state document. Each step's result is stored under its own
 * `ResultPath`, so the original input and every earlier result survive for compensation.
 * Nothing secret is ever part of it: Step Functions keeps execution history in plain text.
 */

import type { HistoryCount } from './history-budget';

/** The execution a step runs in (`$$.Execution`). */
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
  /**
   * The run id the tenant ledger gave this execution (naming.ts `runIdOf`), unique for all time:
   * the `ProvisionedBy` tag of everything a provisioning creates. Executions started before the
   * ledger carry none; theirs is the execution name.
   */
  provisionedBy: string;
  /** The execution's name (what operators see in Step Functions). */
  executionName: string;
  /** The tenant generation the ledger started this execution for. */
  generation?: number;
  /**
   * Teardown and restore: the bucket the ledger recorded for the tenant (still verified by its tags
   * before use). A prefix tenant: the stage's shared bucket, in every workflow.
   */
  bucket?: string;
  /** Present (`prefix`) for a tenant that is a prefix of the stage's shared bucket; absent for a bucket tenant. */
  tenancy?: 'prefix';
  /** A prefix tenant's prefix of the shared bucket `bucket` (ends with `/`). */
  prefix?: string;
  /** Teardown and restore of a prefix tenant: the ledger saw the generation active, so its claim of the prefix succeeded. */
  prefixHeld?: true;
  /** When the execution started; access keys created after it may be this execution's. */
  startedAt: string;
  bucketCandidates: string[];
  userName: string;
  userPath: string;
  secretName: string;
}

/** CreateTenantBucket's result, `$.bucket` (ClaimTenantPrefix's for a prefix tenant: the shared bucket, with `prefix`). */
export interface TenantBucket {
  name: string;
  region: string;
  arn: string;
  /**
   * True when this execution created it; false when it adopted the org's existing bucket. A prefix
   * tenant: true when this execution found its prefix empty, false when it adopted the org's objects.
   */
  created: boolean;
  /** A prefix tenant's prefix of the shared bucket `name`. */
  prefix?: string;
  /** A prefix tenant: the URL its objects are under (`https://<shared>.s3.<region>.amazonaws.com/<prefix>`). */
  baseUrl?: string;
  /** A prefix tenant: whether its stage lets it make its own objects public (object ACLs enabled). */
  publicObjects?: boolean;
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

/** The run the tenant ledger started an execution for: every workflow's input carries it. */
export interface LedgerRun {
  generation: number;
  /** naming.ts `runIdOf`; what the workflow's ledger steps present. */
  runId: string;
}

/** The provision-tenant input: the OrgCreated detail the ledger accepted, and its run. */
export interface ProvisionInput extends Partial<LedgerRun>, Partial<PrefixTenancy> {
  orgId: string;
  orgName?: string;
  region?: string;
}

/** What the ledger puts in a prefix tenant's execution inputs: its shared bucket (`bucketName`) and prefix. */
export interface PrefixTenancy {
  tenancy: 'prefix';
  bucketName: string;
  prefix: string;
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
  | 'tenant'
  /** The end of a teardown that kept the tenant's emptied bucket (keepEmptyBucketAfterTeardownDays): the bucket, only if still empty and tagged for this org. */
  | 'kept';

/** Input of the deletion steps (compensation now, teardown later). */
export interface DeletionInput {
  scope: DeletionScope;
  tenant: TenantRef;
}

export interface DeleteBucketInput extends DeletionInput {
  bucketName: string;
  /** Rollback: what CreateTenantBucket or ClaimTenantPrefix found (`created`: this run created the bucket or claimed the prefix empty). */
  bucket?: TenantBucket;
  /** Continuation from a previous invocation that ran out of time. */
  cursor?: string | null;
  /** Teardown: the loop's count of history events so far in this execution (lib/history-budget.ts). */
  history?: HistoryCount;
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
  /** Teardown: the count after this invocation, and whether the execution continues as new before the next (never when `done`). */
  history: HistoryCount;
  continueAsNew: boolean;
  /** Teardown with keepEmptyBucketAfterTeardownDays: the emptied, locked-down bucket is kept until then, and deleted by the teardown's last part. */
  kept?: KeptBucket;
}

/** A tenant bucket a teardown emptied and keeps, locked down, until `until` (ISO 8601), so that nobody else can take its name meanwhile. */
export interface KeptBucket {
  bucketName: string;
  until: string;
}

/** The teardown-tenant input: the OrgDeleted the ledger accepted, with the region and bucket it recorded, and its run. */
export interface TeardownInput extends Partial<LedgerRun>, Partial<Omit<PrefixTenancy, 'bucketName'>> {
  /** A prefix tenant whose generation was active: its prefix is its own (types.ts `TenantRef.prefixHeld`). */
  prefixHeld?: true;
  orgId: string;
  region?: string;
  retentionDays?: number;
  /** Seconds to wait before touching anything: a provisioning or restore run was just stopped. */
  settleSeconds?: number;
  /** The bucket the ledger recorded for the tenant (tried first, still verified by its tags). */
  bucketName?: string;
}

/** The restore-tenant input: what the ledger knows of a tenant whose teardown was stopped in time. */
export interface RestoreInput extends LedgerRun, Partial<Omit<PrefixTenancy, 'bucketName'>> {
  prefixHeld?: true;
  orgId: string;
  region: string;
  /** Seconds to wait before touching anything: a teardown run was just stopped while revoking. */
  settleSeconds: number;
  bucketName?: string;
  /** The access keys the stopped teardown deactivated (when it got that far). */
  keyIds?: string[];
}

/** PrepareTeardown's result, `$.teardown`. */
export interface TeardownPlan {
  tenant: TenantRef;
  settleSeconds: number;
  retentionDays: number;
  retentionSeconds: number;
  /** This execution continues a teardown whose bucket-deletion loop came near the history limit. */
  continuation?: TeardownContinuation;
  /** This execution is a teardown's last part: it waits until the kept bucket's time is up, then deletes it. */
  keep?: KeptBucket;
}

/**
 * What a teardown execution hands the next one when it continues as new (RecordTenantState
 * `continued`): the state its bucket-deletion loop goes on with. The new execution skips straight
 * to that loop (ResumeBucketDeletion).
 */
export interface TeardownContinuation {
  /** 2 for the first continuation, and so on. */
  part: number;
  /** The name of the execution this one continues. */
  previous: string;
  revoked: RevocationResult;
  deletedCredentials: DeletionResult;
  deletedUser: DeletionResult;
  /** The loop's state: not done, the walk's cursor, and a fresh history count. */
  deletedBucket: Pick<DeleteBucketResult, 'done' | 'cursor' | 'objectsDeleted' | 'deleted' | 'skipped'> & { history: HistoryCount };
}

/** RevokeTenantAccess's result, `$.revoked`: what was found and what was revoked at once. */
export interface RevocationResult {
  /** The tenant's bucket, verified by its tags; "" when the tenant has none (any more). */
  bucketName: string;
  /** Where the bucket's name came from. */
  bucketFoundBy: 'ledger' | 'secret' | 'user-tag' | 'candidate' | 'none';
  keysDeactivated: string[];
  bucketPolicyDeleted: boolean;
  /** Resources with a tenant's name that are not this tenant's, left alone. */
  skipped: { resource: string; reason: string }[];
}
