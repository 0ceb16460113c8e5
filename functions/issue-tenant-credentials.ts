import { CreateAccessKeyCommand, LimitExceededException as IamLimitExceededException, type IAMClient } from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  InvalidRequestException,
  LimitExceededException as SecretsLimitExceededException,
  PutSecretValueCommand,
  ResourceExistsException,
  RestoreSecretCommand,
  type DescribeSecretResponse,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import { deleteAccessKey, listAccessKeys } from './lib/access-keys';
import type { Config } from './lib/config';
import { AccessKeyQuotaSettlingError, TenantQuotaExceededError, TenantSecretConflictError } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { assertRunMayAct } from './lib/ledger/run-guard';
import type { LedgerStore } from './lib/ledger/store';
import { describeOwner, isTenantResource, tenantTags } from './lib/tags';
import { describeSecret, readHeldAccessKey, tenantSecretString } from './lib/tenant-secret';
import type { TenantBucket, TenantCredentials, TenantRef, TenantUser } from './lib/types';

export interface IssueTenantCredentialsInput {
  tenant: TenantRef;
  bucket: TenantBucket;
  user: TenantUser;
  /** `$$.State.RetryCount`: 0 on the step's first attempt of this run (absent: not known, so not assumed). */
  retryCount?: number;
  /** `$$.Execution.RedriveCount`: 0 until an operator redrives the execution. */
  redriveCount?: number;
}

/**
 * Whether the user can hold no key yet: it was created by this very run (not adopted), and this
 * is the step's first attempt of a run never redriven. No earlier attempt can then have crashed
 * after CreateAccessKey, so the user's keys need not be listed; any other time they must be.
 */
function cannotHoldKeys(input: IssueTenantCredentialsInput): boolean {
  return input.user.created && input.retryCount === 0 && input.redriveCount === 0;
}

interface Deps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  /** The tenant ledger, asked whether this run may still act (lib/ledger/run-guard.ts). */
  ledger: Pick<LedgerStore, 'get'>;
  config: Config;
  logger: Logger;
}

/**
 * The access key id the secret holds, or undefined when it holds none. Called only for a
 * secret not scheduled for deletion: one scheduled meanwhile is rethrown untouched.
 */
async function heldAccessKeyId(client: SecretsManagerClient, secretName: string): Promise<string | undefined> {
  const held = await readHeldAccessKey(client, secretName);
  if (held.status === 'scheduled-for-deletion') throw held.error;
  return held.status === 'read' ? held.accessKeyId : undefined;
}

function assertTenantSecret(secret: DescribeSecretResponse, tenant: TenantRef, cause?: unknown): void {
  if (isTenantResource(secret.Tags, tenant.orgId)) return;
  throw new TenantSecretConflictError(
    `Secret ${tenant.secretName} already exists and cannot be used for OrgId ${JSON.stringify(tenant.orgId)}: ${describeOwner(secret.Tags)}`,
    cause === undefined ? undefined : { cause },
  );
}

function arnOf(arn: string | undefined, secretName: string): string {
  if (!arn) throw new Error(`Secrets Manager returned no ARN for secret ${secretName}`);
  return arn;
}

/**
 * Writes `secretString` to the tenant secret: creates it with the tenant tags, or, when it
 * already exists and is this org's, restores it if it is scheduled for deletion and puts a
 * new version (an adopted secret keeps its tags). Returns the secret's ARN.
 */
async function storeCredentials(
  client: SecretsManagerClient,
  input: IssueTenantCredentialsInput,
  secretString: string,
  known: DescribeSecretResponse | undefined,
): Promise<string> {
  const { tenant, bucket, user } = input;
  let secret = known;
  if (!secret) {
    try {
      const created = await client.send(
        new CreateSecretCommand({
          Name: tenant.secretName,
          Description: `Access key of IAM user ${user.userName} for ${bucket.prefix === undefined ? `tenant bucket ${bucket.name}` : `prefix ${bucket.prefix} of shared bucket ${bucket.name}`} (OrgId ${tenant.orgId})`,
          SecretString: secretString,
          Tags: tenantTags(tenant.orgId, tenant.provisionedBy),
        }),
      );
      return arnOf(created.ARN, tenant.secretName);
    } catch (err) {
      // AWS answers CreateSecret for a name scheduled for deletion with InvalidRequestException.
      if (!(err instanceof ResourceExistsException || err instanceof InvalidRequestException)) throw err;
      secret = await describeSecret(client, tenant.secretName);
      if (!secret) throw err;
      assertTenantSecret(secret, tenant, err);
      if (err instanceof InvalidRequestException && !secret.DeletedDate) throw err;
    }
  }
  if (secret.DeletedDate) await client.send(new RestoreSecretCommand({ SecretId: tenant.secretName }));
  const put = await client.send(new PutSecretValueCommand({ SecretId: tenant.secretName, SecretString: secretString }));
  return arnOf(put.ARN ?? secret.ARN, tenant.secretName);
}

/** IAM's limit of access keys per user. */
const ACCESS_KEYS_PER_USER = 2;

/**
 * What IAM's `LimitExceeded` on CreateAccessKey means: permanent only when the user really holds
 * its two keys; otherwise keys deleted moments before are still counted (IAM is eventually
 * consistent), which passes.
 */
async function accessKeyLimitError(iam: IAMClient, userName: string, deletedNow: number, cause: unknown): Promise<Error> {
  const held = await listAccessKeys(iam, userName);
  if (held.length >= ACCESS_KEYS_PER_USER) {
    return new TenantQuotaExceededError(`Cannot create an access key for IAM user ${userName}: it holds ${held.length}, IAM's limit`, { cause });
  }
  const deleted = deletedNow > 0 ? `the ${deletedNow} stray key(s) this attempt deleted are` : 'keys deleted moments before are';
  return new AccessKeyQuotaSettlingError(`IAM refused a new access key for user ${userName} (LimitExceeded) although it holds ${held.length}: ${deleted} still counted until IAM settles; retried`, { cause });
}

/**
 * Gives the tenant user one access key and stores it in the tenant secret in the same
 * invocation. Only the secret's ARN and the key id are returned: the secret access key
 * never reaches the state, a log line or an error message.
 *
 * Safe to repeat: when the secret (this org's, not scheduled for deletion) already holds a
 * key the user still has and that is active, nothing changes (`issued: false`). Otherwise
 * every key of the user, active or not, is a stray (of an attempt that crashed before
 * storing it, or deactivated): they are deleted, one key is created and the secret is
 * created, or restored and updated. A failure while storing leaves the new key for the
 * next attempt (a timed-out write may still have stored it).
 * @throws TenantRunSupersededError when the tenant ledger has moved past this run (nothing is touched).
 * @throws TenantSecretConflictError when the secret exists but is not this org's (the new key is deleted first).
 * @throws TenantQuotaExceededError when the user holds IAM's two access keys, or a Secrets Manager quota is reached.
 * @throws AccessKeyQuotaSettlingError (transient) when IAM still counts keys deleted moments before.
 */
export async function issueTenantCredentials(input: IssueTenantCredentialsInput, deps: Deps): Promise<TenantCredentials> {
  const { tenant, bucket, user } = input;
  const { secretName } = tenant;
  await assertRunMayAct(deps.ledger, tenant, 'issue an access key');
  const keys = cannotHoldKeys(input) ? [] : await listAccessKeys(deps.iam, user.userName);
  const keyIds = keys.flatMap((key) => (key.AccessKeyId ? [key.AccessKeyId] : []));

  let known: DescribeSecretResponse | undefined;
  if (keyIds.length > 0) {
    known = await describeSecret(deps.secretsManager, secretName);
    if (known) {
      assertTenantSecret(known, tenant);
      const held = known.DeletedDate ? undefined : await heldAccessKeyId(deps.secretsManager, secretName);
      if (held && keys.some((key) => key.AccessKeyId === held && key.Status === 'Active')) {
        deps.logger.info('Tenant secret already holds a live access key', { secretName, accessKeyId: held });
        return { secretArn: arnOf(known.ARN, secretName), secretName, accessKeyId: held, issued: false };
      }
    }
    for (const accessKeyId of keyIds) await deleteAccessKey(deps.iam, user.userName, accessKeyId);
    deps.logger.info('Deleted stray access keys of the tenant user', { userName: user.userName, accessKeyIds: keyIds });
  }

  let accessKeyId: string;
  let secretString: string;
  try {
    const { AccessKey } = await deps.iam.send(new CreateAccessKeyCommand({ UserName: user.userName }));
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error(`IAM returned no access key for user ${user.userName}`);
    accessKeyId = AccessKey.AccessKeyId;
    secretString = tenantSecretString({
      accessKeyId,
      secretAccessKey: AccessKey.SecretAccessKey,
      bucket: bucket.name,
      ...(bucket.prefix === undefined ? {} : { prefix: bucket.prefix }),
      region: bucket.region,
      userName: user.userName,
    });
  } catch (err) {
    if (err instanceof IamLimitExceededException) throw await accessKeyLimitError(deps.iam, user.userName, keyIds.length, err);
    throw err;
  }

  let secretArn: string;
  try {
    secretArn = await storeCredentials(deps.secretsManager, input, secretString, known);
  } catch (err) {
    if (err instanceof TenantSecretConflictError || err instanceof SecretsLimitExceededException) {
      await deleteAccessKey(deps.iam, user.userName, accessKeyId);
      deps.logger.info('Deleted the new access key: the secret could not hold it', { accessKeyId, secretName });
    } else {
      deps.logger.warn('Storing the new access key failed; the next attempt keeps it only if the secret holds it', { accessKeyId, secretName });
    }
    if (err instanceof SecretsLimitExceededException) {
      throw new TenantQuotaExceededError(`Cannot store the credentials of IAM user ${user.userName} in secret ${secretName}: a Secrets Manager quota is reached`, {
        cause: err,
      });
    }
    throw err;
  }

  deps.logger.info('Issued tenant access key', { accessKeyId, secretName });
  return { secretArn, secretName, accessKeyId, issued: true };
}

/** The Lambda handler over its dependencies: functions/lambda/issue-tenant-credentials.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function issueTenantCredentialsHandler(deps: Parameters<typeof issueTenantCredentials>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: IssueTenantCredentialsInput) => issueTenantCredentials(event, deps));
}
