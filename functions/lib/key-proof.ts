import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { errorName, TenantCredentialsNotReadyError } from './errors';

/** An access key as a client signs with it. */
export interface TenantKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Clients that sign as the tenant (with its own key), made per proof and destroyed after it. */
export interface TenantClients {
  sts: STSClient;
  s3: S3Client;
  destroy(): void;
}

/** Clients signing with `key`, for the tenant bucket's `region` (a Lambda entry's: the SDK's own, with this key). */
export type AsTenant = (key: TenantKey, region: string) => TenantClients;

/** The longest one invocation tries a key before handing the wait to its caller's retries. */
export const PROOF_BUDGET_MS = 30_000;
/** Left of the Lambda's time when the proof stops trying, so it ends with its own error, not a timeout. */
const PROOF_MARGIN_MS = 5_000;
/** Pauses between rounds: short at first, since IAM usually propagates a key within seconds. */
const PROOF_PAUSES_MS = [250, 500, 1_000, 2_000];

/**
 * What AWS answers while IAM has not propagated a new key (or, for S3, the user's permissions):
 * S3's InvalidAccessKeyId and AccessDenied, STS's InvalidClientTokenId, and SignatureDoesNotMatch
 * from either while the key's secret has not reached every endpoint.
 */
const NOT_YET = new Set(['InvalidAccessKeyId', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied', 'AccessDeniedException']);

export interface KeyProofRequest {
  key: TenantKey;
  /** Where the tenant's data is: its own bucket, or its `prefix` of the shared bucket. */
  bucket: string;
  prefix?: string;
  region: string;
  /** The account that must own the bucket. */
  accountId: string;
  /** Checks STS's answer (the ARN the key signs as); throws the caller's conflict error when it is not the tenant user. */
  assertIdentity: (arn: string | undefined) => void;
  /** The message of the TenantCredentialsNotReadyError thrown when the budget is spent. */
  notReadyMessage: (refusal: { attempts: number; elapsedMs: number; refused: string }) => string;
}

export interface KeyProofDeps {
  asTenant: AsTenant;
  /** Waits `ms` (tests may replace it). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Proves a tenant's key works by using it: signing as the tenant, STS says who it is (checked by
 * `assertIdentity`) and the tenant's own bucket, or its prefix, lists at most one key, which only
 * its bucket policy or prefix policy allows. While IAM has not propagated the key both are
 * refused: it tries again, pausing 250 ms rising to 2 s, for up to {@link PROOF_BUDGET_MS} (or the
 * Lambda's time, less a margin). Changes nothing; the key never leaves the clients made for it.
 *
 * @returns how many rounds it took and how long it waited.
 * @throws TenantCredentialsNotReadyError (transient) when the key is still refused.
 */
export async function proveKey(request: KeyProofRequest, deps: KeyProofDeps, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ attempts: number; waitedMs: number }> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const budgetMs = Math.min(PROOF_BUDGET_MS, (context?.getRemainingTimeInMillis() ?? Infinity) - PROOF_MARGIN_MS);
  const started = Date.now();
  const tenant = deps.asTenant(request.key, request.region);
  try {
    for (let attempts = 1; ; attempts++) {
      const refused = await proveOnce(tenant, request);
      if (!refused) return { attempts, waitedMs: Date.now() - started };
      const pause = PROOF_PAUSES_MS[Math.min(attempts - 1, PROOF_PAUSES_MS.length - 1)] as number;
      if (Date.now() - started + pause > budgetMs) throw new TenantCredentialsNotReadyError(request.notReadyMessage({ attempts, elapsedMs: Date.now() - started, refused }));
      await sleep(pause);
    }
  } finally {
    tenant.destroy();
  }
}

/** One round of the proof: undefined when both requests succeeded, else the refusal (`Service: ErrorName`). */
async function proveOnce(tenant: TenantClients, request: KeyProofRequest): Promise<string | undefined> {
  try {
    const { Arn } = await tenant.sts.send(new GetCallerIdentityCommand({}));
    request.assertIdentity(Arn);
  } catch (err) {
    const name = errorName(err);
    if (name && NOT_YET.has(name)) return `STS: ${name}`;
    throw err;
  }
  try {
    await tenant.s3.send(new ListObjectsV2Command({ Bucket: request.bucket, ExpectedBucketOwner: request.accountId, MaxKeys: 1, ...(request.prefix ? { Prefix: request.prefix } : {}) }));
  } catch (err) {
    const name = errorName(err);
    if (name && NOT_YET.has(name)) return `S3: ${name}`;
    throw err;
  }
  return undefined;
}
