import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Config } from './lib/config';
import { errorName, TenantCredentialsNotReadyError, TenantSecretConflictError } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { parseTenantSecret } from './lib/tenant-secret';
import type { TenantBucket, TenantCredentials, TenantRef, TenantUser } from './lib/types';

export interface ProveTenantCredentialsInput {
  tenant: TenantRef;
  bucket: TenantBucket;
  user: TenantUser;
  credentials: TenantCredentials;
}

/** ProveTenantCredentials' result, `$.proof`: which key was proven and how long it took. Never the secret. */
export interface TenantCredentialsProof {
  accessKeyId: string;
  /** Rounds of the two requests made before both succeeded (1: the key worked at once). */
  attempts: number;
  /** How long this invocation waited for IAM to propagate the key, in ms. */
  waitedMs: number;
}

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

export interface ProveTenantCredentialsDeps {
  secretsManager: SecretsManagerClient;
  /** Clients signing with `key`, for the tenant bucket's `region` (the Lambda entry's: the SDK's own, with this key). */
  asTenant: (key: TenantKey, region: string) => TenantClients;
  config: Config;
  logger?: Pick<Logger, 'info'>;
  /** Waits `ms` (tests and the local runner's clock may replace it). */
  sleep?: (ms: number) => Promise<void>;
}

/** The longest one invocation tries the key before handing the wait to the ASL's retrier. */
export const PROOF_BUDGET_MS = 30_000;
/** Left of the Lambda's time when the step stops trying, so it ends with its own error, not a timeout. */
const PROOF_MARGIN_MS = 5_000;
/** Pauses between rounds: short at first, since IAM usually propagates a key within seconds. */
const PROOF_PAUSES_MS = [250, 500, 1_000, 2_000];

/**
 * What AWS answers while IAM has not propagated a new key (or, for S3, the user's permissions):
 * S3's InvalidAccessKeyId and AccessDenied, STS's InvalidClientTokenId, and SignatureDoesNotMatch
 * from either while the key's secret has not reached every endpoint.
 */
const NOT_YET = new Set(['InvalidAccessKeyId', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied', 'AccessDeniedException']);

/**
 * Proves the tenant's access key works before the tenant is announced: reads the key from the
 * tenant's secret (it never leaves this invocation) and, signing as the tenant, asks STS who it is
 * (it must be the tenant's user) and lists at most one key of its own bucket (a prefix tenant: of
 * its prefix of the shared bucket), which only the bucket policy or the prefix policy allows.
 * While IAM has not propagated the new key, both are refused: it tries again, pausing 250 ms
 * rising to 2 s, for up to {@link PROOF_BUDGET_MS} (or the Lambda's time, less a margin).
 * Changes nothing, so it is safe to repeat.
 *
 * @throws TenantCredentialsNotReadyError (transient: the ASL retries it, then parks the run) when the key is still refused.
 * @throws TenantSecretConflictError when the secret holds no credentials, or a key of another principal.
 */
export async function proveTenantCredentials(input: ProveTenantCredentialsInput, deps: ProveTenantCredentialsDeps, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TenantCredentialsProof> {
  const { bucket, user, credentials } = input;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { SecretString } = await deps.secretsManager.send(new GetSecretValueCommand({ SecretId: credentials.secretArn }));
  const secret = parseTenantSecret(SecretString);
  if (!secret) throw new TenantSecretConflictError(`Secret ${credentials.secretName} holds no tenant credentials`);

  const budgetMs = Math.min(PROOF_BUDGET_MS, (context?.getRemainingTimeInMillis() ?? Infinity) - PROOF_MARGIN_MS);
  const started = Date.now();
  const tenant = deps.asTenant({ accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey }, bucket.region);
  try {
    for (let attempt = 1; ; attempt++) {
      const refused = await proveOnce(tenant, input, deps.config);
      if (!refused) {
        const proof = { accessKeyId: secret.accessKeyId, attempts: attempt, waitedMs: Date.now() - started };
        deps.logger?.info('Proved tenant credentials', { orgId: input.tenant.orgId, userName: user.userName, ...proof });
        return proof;
      }
      const pause = PROOF_PAUSES_MS[Math.min(attempt - 1, PROOF_PAUSES_MS.length - 1)] as number;
      if (Date.now() - started + pause > budgetMs) {
        throw new TenantCredentialsNotReadyError(
          `Access key ${secret.accessKeyId} of IAM user ${user.userName} is still refused after ${attempt} attempt(s) in ${Date.now() - started} ms ` +
            `(${refused}): IAM has not propagated it yet; OrgProvisioned waits until it works`,
        );
      }
      await sleep(pause);
    }
  } finally {
    tenant.destroy();
  }
}

/** One round of the proof: undefined when both requests succeeded, else the refusal (`Service: ErrorName`). */
async function proveOnce(tenant: TenantClients, input: ProveTenantCredentialsInput, config: Config): Promise<string | undefined> {
  const { bucket, user } = input;
  try {
    const { Arn } = await tenant.sts.send(new GetCallerIdentityCommand({}));
    if (Arn !== user.arn) throw new TenantSecretConflictError(`The access key in secret ${input.credentials.secretName} belongs to ${String(Arn)}, not to IAM user ${user.arn}`);
  } catch (err) {
    const name = errorName(err);
    if (name && NOT_YET.has(name)) return `STS: ${name}`;
    throw err;
  }
  try {
    await tenant.s3.send(new ListObjectsV2Command({ Bucket: bucket.name, ExpectedBucketOwner: config.accountId, MaxKeys: 1, ...(bucket.prefix ? { Prefix: bucket.prefix } : {}) }));
  } catch (err) {
    const name = errorName(err);
    if (name && NOT_YET.has(name)) return `S3: ${name}`;
    throw err;
  }
  return undefined;
}

/** The Lambda handler over its dependencies: functions/lambda/prove-tenant-credentials.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function proveTenantCredentialsHandler(deps: ProveTenantCredentialsDeps & FunctionBase) {
  return lambdaHandler(deps.logger, (event: ProveTenantCredentialsInput, context: Context) => proveTenantCredentials(event, deps, context));
}
