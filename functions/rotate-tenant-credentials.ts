/**
 * Secrets Manager rotation of a tenant secret (issue 18, item 1): the four steps of AWS's rotation
 * function contract for the tenant IAM user's access key, using IAM's allowance of two keys per
 * user so that the old key keeps working while the new one is proven and picked up.
 *
 * - createSecret: a new access key, staged AWSPENDING under the rotation's ClientRequestToken.
 * - setSecret: nothing; an IAM access key is live the moment IAM creates it.
 * - testSecret: signs as the tenant with the AWSPENDING key (STS, then its own bucket or prefix).
 * - finishSecret: moves AWSCURRENT to the new version; Secrets Manager moves AWSPREVIOUS to the old one.
 *
 * The overlap: finishSecret deactivates nothing. The previous key stays active, and the
 * AWSPREVIOUS version is the record of which key it is; the rotation's completion
 * (`LastRotatedDate`) is when it stopped being current. {@link retirePreviousTenantKey} deactivates
 * it once the stage's overlap has passed (for a schedule to call), and the next rotation's
 * createSecret deletes it to make room for the new key: at once when it is inactive or its overlap
 * has passed, never while consumers may still be using it (`TenantKeyOverlapError`).
 *
 * A tenant whose current key is not active (a teardown revoked it) is not rotated: a new active key
 * would give it access back.
 */
import {
  CreateAccessKeyCommand,
  LimitExceededException as IamLimitExceededException,
  type AccessKeyMetadata,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutSecretValueCommand, UpdateSecretVersionStageCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { deleteAccessKey, listAccessKeys } from './lib/access-keys';
import { tenantUserPath, type Config } from './lib/config';
import { AccessKeyQuotaSettlingError, TenantQuotaExceededError, TenantSecretConflictError } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { proveKey, type AsTenant } from './lib/key-proof';
import { announceRotation } from './lib/rotation/rotated-event';
import {
  CURRENT,
  overlapEnd,
  PENDING,
  PREVIOUS,
  readVersion,
  tenantSecretOf,
  TenantKeyOverlapError,
  TenantRotationRequestError,
  versionWith,
  type RotatingSecret,
  type SecretVersionValue,
} from './lib/rotation/rotating-secret';
import { describeSecret, tenantSecretString, type TenantSecret } from './lib/tenant-secret';

export { retirePreviousTenantKey, type RetiredTenantKey, type RetirePreviousTenantKeyDeps } from './lib/rotation/retire';
export { TenantKeyOverlapError, TenantRotationRequestError } from './lib/rotation/rotating-secret';
export type { TenantCredentialsRotatedDetail } from './lib/rotation/rotated-event';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** What Secrets Manager invokes a rotation function with. */
export interface TenantRotationEvent {
  Step: RotationStep;
  /** The secret's ARN. */
  SecretId: string;
  /** The id of the secret version this rotation creates (AWSPENDING until finishSecret). */
  ClientRequestToken: string;
  /** Identifies the rotation's source; Secrets Manager needs it back only from a function that assumes another role. */
  RotationToken?: string;
}

/** What a step did. Never a secret access key. */
export interface TenantRotationResult {
  step: RotationStep;
  outcome: 'already-current' | 'created' | 'already-created' | 'nothing-to-set' | 'tested' | 'finished';
  /** The key the step created, found or tested. */
  accessKeyId?: string;
  /** Keys deleted to make room for the new one (createSecret). */
  deletedAccessKeyIds?: string[];
  /** The TenantCredentialsRotated event's id (finishSecret). */
  eventId?: string;
}

export interface RotateTenantCredentialsDeps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  /** Where TenantCredentialsRotated goes (finishSecret). */
  eventBridge: EventBridgeClient;
  /** Clients signing with `key` in `region` (as ProveTenantCredentials gets them). */
  asTenant: AsTenant;
  config: Config;
  logger?: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
  /** Waits `ms` between attempts of testSecret (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
  /** Days the previous key stays active after a rotation (the stage's `previousKeyOverlapDays` when absent). */
  previousKeyOverlapDays?: number;
}

const STEPS: readonly string[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

function overlapDaysOf(deps: Pick<RotateTenantCredentialsDeps, 'previousKeyOverlapDays' | 'config'>): number {
  return deps.previousKeyOverlapDays ?? deps.config.previousKeyOverlapDays;
}

function nowOf(deps: Pick<RotateTenantCredentialsDeps, 'now'>): Date {
  return (deps.now ?? (() => new Date()))();
}

/**
 * Rotates the tenant's access key, one step per call, as Secrets Manager's rotation contract
 * defines: every step first checks that rotation is enabled and that the ClientRequestToken is a
 * version of the secret staged AWSPENDING; a version already AWSCURRENT means the rotation is done
 * and the step does nothing (but finishSecret announces it again: see there).
 *
 * Safe to repeat, step by step, under Secrets Manager's retries: createSecret does nothing when the
 * token's AWSPENDING value exists; otherwise every key of the user that is neither current nor the
 * previous one still in its overlap is deleted first, so a key created by an attempt that crashed
 * before storing it is deleted, never kept as a third. The current key is never touched. testSecret
 * only reads; finishSecret does nothing to the stages once the version is current.
 *
 * @throws TenantRotationRequestError when rotation is off, the step or version does not fit, or the tenant's current key is not active (revoked: a new key would give access back).
 * @throws TenantSecretConflictError when the secret is not a tenant secret of this stage, holds no credentials, or the new key signs as another principal.
 * @throws TenantKeyOverlapError when making room would delete a previous key still in its overlap.
 * @throws TenantQuotaExceededError when the user still holds IAM's two keys.
 * @throws AccessKeyQuotaSettlingError (transient) when IAM still counts keys deleted moments before.
 * @throws TenantCredentialsNotReadyError (transient) when the new key is still refused (IAM has not propagated it).
 */
export async function rotateTenantCredentials(
  event: TenantRotationEvent,
  deps: RotateTenantCredentialsDeps,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<TenantRotationResult> {
  const { Step: step, SecretId: secretId, ClientRequestToken: token } = event;
  if (!STEPS.includes(step)) throw new TenantRotationRequestError(`Unknown rotation step ${JSON.stringify(step)} for secret ${secretId}`);
  const secret = await tenantSecretOf(deps.secretsManager, secretId, deps.config, true);
  const stages = secret.versions[token];
  if (!stages) throw new TenantRotationRequestError(`Secret version ${token} has no stage for rotation of secret ${secret.name}`);
  if (stages.includes(CURRENT)) {
    deps.logger?.info('Secret version is already AWSCURRENT: nothing to do', { step, secretName: secret.name, versionId: token });
    // A finishSecret retried after it moved the stage but before the event was put: put it again
    // (consumers tell a repeat by its versionId), so no rotation goes unannounced.
    if (step === 'finishSecret') return { step, outcome: 'already-current', ...(await announceAgain(secret, token, deps)) };
    return { step, outcome: 'already-current' };
  }
  if (!stages.includes(PENDING)) throw new TenantRotationRequestError(`Secret version ${token} of secret ${secret.name} is not staged AWSPENDING`);

  switch (step) {
    case 'createSecret':
      return createSecret(secret, event, deps);
    case 'setSecret':
      // An IAM access key works the moment IAM creates it: there is nothing to set in a service.
      return { step, outcome: 'nothing-to-set' };
    case 'testSecret':
      return testSecret(secret, token, deps, context);
    case 'finishSecret':
      return finishSecret(secret, token, deps);
  }
}

/** IAM's limit of access keys per user. */
const ACCESS_KEYS_PER_USER = 2;

async function createSecret(secret: RotatingSecret, event: TenantRotationEvent, deps: RotateTenantCredentialsDeps): Promise<TenantRotationResult> {
  const step = 'createSecret';
  const token = event.ClientRequestToken;
  const current = await readVersion(deps.secretsManager, secret, CURRENT);
  if (!current) throw new TenantSecretConflictError(`Secret ${secret.name} has no AWSCURRENT value to rotate`);
  const pending = await readVersion(deps.secretsManager, secret, PENDING, token);
  if (pending) {
    deps.logger?.info('The new access key is already staged AWSPENDING', { secretName: secret.name, versionId: token, accessKeyId: pending.accessKeyId });
    return { step, outcome: 'already-created', accessKeyId: pending.accessKeyId };
  }

  const previous = versionWith(secret.versions, PREVIOUS) ? await readVersion(deps.secretsManager, secret, PREVIOUS) : undefined;
  const keys = await listAccessKeys(deps.iam, secret.userName);
  const currentKey = keys.find((key) => key.AccessKeyId === current.accessKeyId);
  if (currentKey?.Status !== 'Active') {
    throw new TenantRotationRequestError(
      `The current access key ${current.accessKeyId} of IAM user ${secret.userName} is ${currentKey ? 'inactive' : 'gone'}: the tenant's access is revoked or broken, ` +
        'and a new active key would give it back. Restore or reissue the tenant\'s credentials instead',
    );
  }
  const deleted = await makeRoom(secret, keys, current, previous?.accessKeyId, deps);

  const { AccessKey } = await createAccessKey(deps.iam, secret.userName, deleted.length);
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error(`IAM returned no access key for user ${secret.userName}`);
  const accessKeyId = AccessKey.AccessKeyId;
  await abandonIfRevoked(secret, accessKeyId, deps);
  try {
    await deps.secretsManager.send(
      new PutSecretValueCommand({
        SecretId: secret.arn,
        ClientRequestToken: token,
        SecretString: tenantSecretString({ ...current, accessKeyId, secretAccessKey: AccessKey.SecretAccessKey, userName: secret.userName }),
        VersionStages: [PENDING],
        ...(event.RotationToken ? { RotationToken: event.RotationToken } : {}),
      }),
    );
  } catch (err) {
    // The key is kept: a timed-out write may have stored it. Otherwise the retry deletes it as a stray.
    deps.logger?.warn('Staging the new access key failed; the next attempt keeps it only if the secret holds it', { secretName: secret.name, accessKeyId });
    throw err;
  }
  deps.logger?.info('Staged a new access key AWSPENDING', { secretName: secret.name, versionId: token, accessKeyId, deletedAccessKeyIds: deleted });
  return { step, outcome: 'created', accessKeyId, deletedAccessKeyIds: deleted };
}

/**
 * A teardown revokes a tenant by cancelling its rotation and then deactivating every key it lists
 * (functions/revoke-tenant-access.ts). A key this rotation created after that listing would be
 * active again: so, with the key created, rotation must still be on, else the key is deleted. Either
 * the revocation's listing saw the key (and deactivated it), or this check sees rotation off.
 */
async function abandonIfRevoked(secret: RotatingSecret, accessKeyId: string, deps: RotateTenantCredentialsDeps): Promise<void> {
  if ((await describeSecret(deps.secretsManager, secret.arn))?.RotationEnabled) return;
  await deleteAccessKey(deps.iam, secret.userName, accessKeyId);
  throw new TenantRotationRequestError(`Rotation of secret ${secret.name} was cancelled while its new key ${accessKeyId} was being made (the tenant is being revoked): the new key is deleted`);
}

/**
 * Deletes every key of the user but the current one, so that a new one fits IAM's two: strays (a
 * crashed attempt's, an abandoned rotation's) at once, the previous key once it is inactive or its
 * overlap has passed. Returns the deleted key ids.
 */
async function makeRoom(secret: RotatingSecret, keys: AccessKeyMetadata[], current: SecretVersionValue, previousKeyId: string | undefined, deps: RotateTenantCredentialsDeps): Promise<string[]> {
  const currentKeyId = current.accessKeyId;
  const deleted: string[] = [];
  for (const key of keys) {
    const keyId = key.AccessKeyId;
    if (!keyId || keyId === currentKeyId) continue;
    if (keyId === previousKeyId && key.Status === 'Active') {
      const end = overlapEnd(secret, overlapDaysOf(deps), current);
      if (!end || nowOf(deps) < end) {
        throw new TenantKeyOverlapError(
          `IAM user ${secret.userName} holds its previous access key ${keyId}, still active ` +
            (end ? `and in its overlap until ${end.toISOString()}` : '(when its overlap began is not known)') +
            ': rotating now would delete a key consumers may still use. Deactivate it if it is unused (tenantctl rotate --revoke-old-now), then rotate again',
        );
      }
    }
    if (await deleteAccessKey(deps.iam, secret.userName, keyId)) deleted.push(keyId);
  }
  if (deleted.length > 0) deps.logger?.info('Deleted access keys to make room for the new one', { userName: secret.userName, accessKeyIds: deleted });
  return deleted;
}

/** CreateAccessKey, with IAM's `LimitExceeded` told apart: a real limit (permanent) or keys deleted moments before still counted (transient). */
async function createAccessKey(iam: IAMClient, userName: string, deletedNow: number) {
  try {
    return await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  } catch (err) {
    if (!(err instanceof IamLimitExceededException)) throw err;
    const held = await listAccessKeys(iam, userName);
    if (held.length >= ACCESS_KEYS_PER_USER) {
      throw new TenantQuotaExceededError(`Cannot create an access key for IAM user ${userName}: it holds ${held.length}, IAM's limit, none of which rotation may delete`, { cause: err });
    }
    throw new AccessKeyQuotaSettlingError(`IAM refused a new access key for user ${userName} (LimitExceeded) although it holds ${held.length}: the ${deletedNow} key(s) deleted moments before are still counted until IAM settles`, {
      cause: err,
    });
  }
}

async function testSecret(secret: RotatingSecret, token: string, deps: RotateTenantCredentialsDeps, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TenantRotationResult> {
  let key = await readVersion(deps.secretsManager, secret, PENDING, token);
  if (!key) {
    // Secrets Manager tests a new rotation configuration (RotateSecret with RotateImmediately
    // false) by running testSecret alone on an AWSPENDING version it then removes
    // (API_RotateSecret, RotateImmediately): no new key exists, so the one to prove is the current.
    key = await readVersion(deps.secretsManager, secret, CURRENT);
    if (!key) throw new TenantRotationRequestError(`Secret ${secret.name} has neither an AWSPENDING value (version ${token}) nor an AWSCURRENT one to test`);
    deps.logger?.info('Version has no value yet: testing the rotation configuration with the current key', { secretName: secret.name, versionId: token });
  }
  const tested: TenantSecret = key;
  const { config } = deps;
  const { attempts, waitedMs } = await proveKey(
    {
      key: { accessKeyId: tested.accessKeyId, secretAccessKey: tested.secretAccessKey },
      bucket: tested.bucket,
      ...(tested.prefix ? { prefix: tested.prefix } : {}),
      region: tested.region || config.region,
      accountId: config.accountId,
      assertIdentity: (arn) => {
        const [, , , , account, resource] = (arn ?? '').split(':');
        if (account !== config.accountId || resource !== `user${tenantUserPath(config.stage)}${secret.userName}`) {
          throw new TenantSecretConflictError(`The access key ${tested.accessKeyId} in secret ${secret.name} signs as ${String(arn)}, not as IAM user ${secret.userName}`);
        }
      },
      notReadyMessage: ({ attempts: tried, elapsedMs, refused }) =>
        `Access key ${tested.accessKeyId} of IAM user ${secret.userName} is still refused after ${tried} attempt(s) in ${elapsedMs} ms (${refused}): ` +
        'IAM has not propagated it yet; the current key keeps working and Secrets Manager retries the rotation',
    },
    deps,
    context,
  );
  deps.logger?.info('Tested the access key', { secretName: secret.name, accessKeyId: tested.accessKeyId, attempts, waitedMs });
  return { step: 'testSecret', outcome: 'tested', accessKeyId: tested.accessKeyId };
}

async function finishSecret(secret: RotatingSecret, token: string, deps: RotateTenantCredentialsDeps): Promise<TenantRotationResult> {
  const currentVersion = versionWith(secret.versions, CURRENT);
  // What the announcement says is read before the stage moves: after it, a failed read would fail
  // a rotation that has already happened, and only Secrets Manager's retry (same token) would announce it.
  const promoted = await readVersion(deps.secretsManager, secret, PENDING, token);
  if (!promoted) throw new TenantRotationRequestError(`Secret version ${token} of secret ${secret.name} has no AWSPENDING value to make current`);
  const replaced = currentVersion ? await readVersion(deps.secretsManager, secret, CURRENT, currentVersion) : undefined;
  await deps.secretsManager.send(
    new UpdateSecretVersionStageCommand({ SecretId: secret.arn, VersionStage: CURRENT, MoveToVersionId: token, ...(currentVersion ? { RemoveFromVersionId: currentVersion } : {}) }),
  );
  await deps.secretsManager.send(new UpdateSecretVersionStageCommand({ SecretId: secret.arn, VersionStage: PENDING, RemoveFromVersionId: token }));
  deps.logger?.info('Promoted the new access key to AWSCURRENT; the previous one stays active for its overlap', { secretName: secret.name, versionId: token, previousVersionId: currentVersion });
  return { step: 'finishSecret', outcome: 'finished', ...(await announceRotation(secret, token, promoted.accessKeyId, replaced?.accessKeyId, { ...deps, overlapDays: overlapDaysOf(deps), now: nowOf(deps) })) };
}

/**
 * A finishSecret retried once the version is AWSCURRENT: announces it again, the key it replaced
 * read from AWSPREVIOUS (where Secrets Manager moved it with AWSCURRENT). A failed read fails the
 * step, which Secrets Manager retries: the event must not say there was no previous key because
 * it could not be read.
 */
async function announceAgain(secret: RotatingSecret, token: string, deps: RotateTenantCredentialsDeps): Promise<{ accessKeyId: string; eventId: string }> {
  const current = await readVersion(deps.secretsManager, secret, CURRENT, token);
  if (!current) throw new TenantSecretConflictError(`Secret version ${token} of secret ${secret.name} holds no credentials to announce`);
  const previous = await readVersion(deps.secretsManager, secret, PREVIOUS);
  return announceRotation(secret, token, current.accessKeyId, previous?.accessKeyId, { ...deps, overlapDays: overlapDaysOf(deps), now: nowOf(deps) });
}

/** The rotation Lambda's handler over its dependencies: functions/lambda/rotate-tenant-credentials.ts wires them on AWS, local/secrets-rotation.ts locally. */
export function rotateTenantCredentialsHandler(deps: RotateTenantCredentialsDeps & FunctionBase) {
  return lambdaHandler(deps.logger, (event: TenantRotationEvent, context: Context) => rotateTenantCredentials(event, deps, context));
}
