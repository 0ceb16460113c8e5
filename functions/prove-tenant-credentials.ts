import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Config } from './lib/config';
import { TenantSecretConflictError } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { proveKey, type AsTenant } from './lib/key-proof';
import type { KeyRotationSchedule } from './lib/rotation-schedule';
import { parseTenantSecret } from './lib/tenant-secret';
import type { TenantBucket, TenantCredentials, TenantRef, TenantUser } from './lib/types';

export { PROOF_BUDGET_MS, type TenantClients, type TenantKey } from './lib/key-proof';

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
  /** Days between the key's rotations, as now scheduled on its secret; absent: the stage rotates no key on a schedule. */
  rotationDays?: number;
}

export interface ProveTenantCredentialsDeps {
  secretsManager: SecretsManagerClient;
  /** Clients signing with the tenant's key (the Lambda entry's: the SDK's own, with this key). */
  asTenant: AsTenant;
  /** Where the proven key's rotation is scheduled (Secrets Manager's rotation on AWS). */
  keyRotation: KeyRotationSchedule;
  config: Config;
  logger?: Pick<Logger, 'info'>;
  /** Waits `ms` (tests may replace it). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Proves the tenant's access key works before the tenant is announced: reads the key from the
 * tenant's secret (it never leaves this invocation) and uses it as lib/key-proof.ts does: STS must
 * say it is the tenant's user, and its own bucket (a prefix tenant: its prefix of the shared
 * bucket) must list, retried within the step while IAM propagates the new key. The proven key
 * is then put on the stage's rotation schedule (`rotationDays`; none when 0). Safe to repeat.
 *
 * @throws TenantCredentialsNotReadyError (transient: the ASL retries it, then parks the run) when the key is still refused.
 * @throws TenantSecretConflictError when the secret holds no credentials, or a key of another principal.
 */
export async function proveTenantCredentials(input: ProveTenantCredentialsInput, deps: ProveTenantCredentialsDeps, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TenantCredentialsProof> {
  const { bucket, user, credentials } = input;
  const { SecretString } = await deps.secretsManager.send(new GetSecretValueCommand({ SecretId: credentials.secretArn }));
  const secret = parseTenantSecret(SecretString);
  if (!secret) throw new TenantSecretConflictError(`Secret ${credentials.secretName} holds no tenant credentials`);

  const { attempts, waitedMs } = await proveKey(
    {
      key: { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey },
      bucket: bucket.name,
      ...(bucket.prefix ? { prefix: bucket.prefix } : {}),
      region: bucket.region,
      accountId: deps.config.accountId,
      assertIdentity: (arn) => {
        if (arn !== user.arn) throw new TenantSecretConflictError(`The access key in secret ${credentials.secretName} belongs to ${String(arn)}, not to IAM user ${user.arn}`);
      },
      notReadyMessage: ({ attempts: tried, elapsedMs, refused }) =>
        `Access key ${secret.accessKeyId} of IAM user ${user.userName} is still refused after ${tried} attempt(s) in ${elapsedMs} ms ` +
        `(${refused}): IAM has not propagated it yet; OrgProvisioned waits until it works`,
    },
    deps,
    context,
  );
  const { rotationDays } = deps.config;
  if (rotationDays > 0) await deps.keyRotation.schedule(credentials.secretArn, rotationDays);
  const proof = { accessKeyId: secret.accessKeyId, attempts, waitedMs, ...(rotationDays > 0 ? { rotationDays } : {}) };
  deps.logger?.info('Proved tenant credentials', { orgId: input.tenant.orgId, userName: user.userName, ...proof });
  return proof;
}

/** The Lambda handler over its dependencies: functions/lambda/prove-tenant-credentials.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function proveTenantCredentialsHandler(deps: ProveTenantCredentialsDeps & FunctionBase) {
  return lambdaHandler(deps.logger, (event: ProveTenantCredentialsInput, context: Context) => proveTenantCredentials(event, deps, context));
}
