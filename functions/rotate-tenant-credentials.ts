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
  NoSuchEntityException,
  UpdateAccessKeyCommand,
  type AccessKeyMetadata,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { deleteAccessKey, listAccessKeys } from './lib/access-keys';
import { MANAGED_BY, tenantSecretPrefix, tenantUserPath, type Config } from './lib/config';
import { AccessKeyQuotaSettlingError, TenantQuotaExceededError, TenantSecretConflictError } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { TAG_MANAGED_BY, tagsToRecord } from './lib/tags';
import { describeSecret, parseTenantSecret, tenantSecretString, type TenantSecret } from './lib/tenant-secret';
import { proveKey, type AsTenant } from './lib/key-proof';

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
}

export interface RotateTenantCredentialsDeps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  /** Clients signing with `key` in `region` (as ProveTenantCredentials gets them). */
  asTenant: AsTenant;
  config: Config;
  logger?: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
  /** Waits `ms` between attempts of testSecret (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
  /** Days the previous key stays active after a rotation ({@link DEFAULT_PREVIOUS_KEY_OVERLAP_DAYS} when absent). */
  previousKeyOverlapDays?: number;
}

/** How long consumers have to pick up a rotated key before the previous one may be deactivated. */
export const DEFAULT_PREVIOUS_KEY_OVERLAP_DAYS = 7;

/** The rotation request does not fit the secret: rotation off, a step or version unknown, a version not AWSPENDING. */
export class TenantRotationRequestError extends Error {
  override readonly name = 'TenantRotationRequestError';
}

/**
 * createSecret would have to delete the previous key while consumers may still be using it (its
 * overlap has not passed, or when it began is not known). An operator who knows it is unused
 * deactivates it; the next attempt then deletes it.
 */
export class TenantKeyOverlapError extends Error {
  override readonly name = 'TenantKeyOverlapError';
}

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';
const PREVIOUS = 'AWSPREVIOUS';
const STEPS: readonly string[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
const DAY_MS = 86_400_000;

/** A tenant secret checked for rotation: its metadata, and the user its key belongs to. */
interface RotatingSecret {
  arn: string;
  name: string;
  userName: string;
  versions: Record<string, string[]>;
  lastRotated: Date | undefined;
}

/**
 * Rotates the tenant's access key, one step per call, as Secrets Manager's rotation contract
 * defines: every step first checks that rotation is enabled and that the ClientRequestToken is a
 * version of the secret staged AWSPENDING; a version already AWSCURRENT means the rotation is done
 * and the step does nothing.
 *
 * Safe to repeat, step by step, under Secrets Manager's retries: createSecret does nothing when the
 * token's AWSPENDING value exists; otherwise every key of the user that is neither current nor the
 * previous one still in its overlap is deleted first, so a key created by an attempt that crashed
 * before storing it is deleted, never kept as a third. The current key is never touched. testSecret
 * only reads; finishSecret does nothing once the version is current.
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

/** Describes the secret and checks it is a tenant secret of this stage (named as one, tagged ManagedBy); `rotating`: with rotation enabled. */
async function tenantSecretOf(client: SecretsManagerClient, secretId: string, config: Config, rotating: boolean): Promise<RotatingSecret> {
  const described = await describeSecret(client, secretId);
  if (!described) throw new TenantRotationRequestError(`Secret ${secretId} does not exist`);
  if (rotating && !described.RotationEnabled) throw new TenantRotationRequestError(`Secret ${described.Name ?? secretId} is not enabled for rotation`);
  const name = described.Name ?? '';
  const userName = tenantUserNameOf(name, config);
  if (!userName || tagsToRecord(described.Tags)[TAG_MANAGED_BY] !== MANAGED_BY) {
    throw new TenantSecretConflictError(`Secret ${name || secretId} is not a tenant secret of stage ${config.stage}: its key is not rotated`);
  }
  return { arn: described.ARN ?? secretId, name, userName, versions: described.VersionIdsToStages ?? {}, lastRotated: described.LastRotatedDate };
}

/** The tenant user whose key secret `<bucketPrefix>/<stage>/<slug>/credentials` holds: `<userPrefix><slug>`. */
function tenantUserNameOf(secretName: string, config: Config): string | undefined {
  const prefix = tenantSecretPrefix(config);
  if (!secretName.startsWith(prefix)) return undefined;
  const slug = /^([a-z0-9-]+)\/credentials$/.exec(secretName.slice(prefix.length))?.[1];
  return slug === undefined ? undefined : `${config.userPrefix}${slug}`;
}

/** The tenant credentials a version holds, or undefined when there is no such version. */
async function readVersion(client: SecretsManagerClient, secret: RotatingSecret, stage: string, versionId?: string): Promise<TenantSecret | undefined> {
  let text: string | undefined;
  try {
    ({ SecretString: text } = await client.send(new GetSecretValueCommand({ SecretId: secret.arn, VersionStage: stage, ...(versionId ? { VersionId: versionId } : {}) })));
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
  const value = parseTenantSecret(text);
  if (!value) throw new TenantSecretConflictError(`The ${stage} version of secret ${secret.name} holds no tenant credentials`);
  if (value.userName !== undefined && value.userName !== secret.userName) {
    throw new TenantSecretConflictError(`The ${stage} version of secret ${secret.name} names IAM user ${value.userName}, not ${secret.userName}`);
  }
  return value;
}

function hasStage(secret: RotatingSecret, stage: string): boolean {
  return Object.values(secret.versions).some((stages) => stages.includes(stage));
}

/** When the previous key's overlap ends, or undefined when when it began is not known. */
function overlapEnd(secret: RotatingSecret, deps: Pick<RotateTenantCredentialsDeps, 'previousKeyOverlapDays'>): Date | undefined {
  if (!secret.lastRotated) return undefined;
  return new Date(secret.lastRotated.getTime() + (deps.previousKeyOverlapDays ?? DEFAULT_PREVIOUS_KEY_OVERLAP_DAYS) * DAY_MS);
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

  const previous = hasStage(secret, PREVIOUS) ? await readVersion(deps.secretsManager, secret, PREVIOUS) : undefined;
  const keys = await listAccessKeys(deps.iam, secret.userName);
  const currentKey = keys.find((key) => key.AccessKeyId === current.accessKeyId);
  if (currentKey?.Status !== 'Active') {
    throw new TenantRotationRequestError(
      `The current access key ${current.accessKeyId} of IAM user ${secret.userName} is ${currentKey ? 'inactive' : 'gone'}: the tenant's access is revoked or broken, ` +
        'and a new active key would give it back. Restore or reissue the tenant\'s credentials instead',
    );
  }
  const deleted = await makeRoom(secret, keys, current.accessKeyId, previous?.accessKeyId, deps);

  const { AccessKey } = await createAccessKey(deps.iam, secret.userName, deleted.length);
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error(`IAM returned no access key for user ${secret.userName}`);
  const accessKeyId = AccessKey.AccessKeyId;
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
 * Deletes every key of the user but the current one, so that a new one fits IAM's two: strays (a
 * crashed attempt's, an abandoned rotation's) at once, the previous key once it is inactive or its
 * overlap has passed. Returns the deleted key ids.
 */
async function makeRoom(secret: RotatingSecret, keys: AccessKeyMetadata[], currentKeyId: string, previousKeyId: string | undefined, deps: RotateTenantCredentialsDeps): Promise<string[]> {
  const deleted: string[] = [];
  for (const key of keys) {
    const keyId = key.AccessKeyId;
    if (!keyId || keyId === currentKeyId) continue;
    if (keyId === previousKeyId && key.Status === 'Active') {
      const end = overlapEnd(secret, deps);
      const now = (deps.now ?? (() => new Date()))();
      if (!end || now < end) {
        throw new TenantKeyOverlapError(
          `IAM user ${secret.userName} holds its previous access key ${keyId}, still active ` +
            (end ? `and in its overlap until ${end.toISOString()}` : '(when its overlap began is not known)') +
            `: rotating now would delete a key consumers may still use. Deactivate it if it is unused, then rotate again`,
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
  const pending = await readVersion(deps.secretsManager, secret, PENDING, token);
  if (!pending) throw new TenantRotationRequestError(`Secret version ${token} of secret ${secret.name} has no AWSPENDING value to test`);
  const { config } = deps;
  const { attempts, waitedMs } = await proveKey(
    {
      key: { accessKeyId: pending.accessKeyId, secretAccessKey: pending.secretAccessKey },
      bucket: pending.bucket,
      ...(pending.prefix ? { prefix: pending.prefix } : {}),
      region: pending.region || config.region,
      accountId: config.accountId,
      assertIdentity: (arn) => {
        const [, , , , account, resource] = (arn ?? '').split(':');
        if (account !== config.accountId || resource !== `user${tenantUserPath(config.stage)}${secret.userName}`) {
          throw new TenantSecretConflictError(`The new access key in secret ${secret.name} signs as ${String(arn)}, not as IAM user ${secret.userName}`);
        }
      },
      notReadyMessage: ({ attempts: tried, elapsedMs, refused }) =>
        `New access key ${pending.accessKeyId} of IAM user ${secret.userName} is still refused after ${tried} attempt(s) in ${elapsedMs} ms (${refused}): ` +
        'IAM has not propagated it yet; the current key keeps working and Secrets Manager retries the rotation',
    },
    deps,
    context,
  );
  deps.logger?.info('Tested the new access key', { secretName: secret.name, accessKeyId: pending.accessKeyId, attempts, waitedMs });
  return { step: 'testSecret', outcome: 'tested', accessKeyId: pending.accessKeyId };
}

async function finishSecret(secret: RotatingSecret, token: string, deps: RotateTenantCredentialsDeps): Promise<TenantRotationResult> {
  const currentVersion = Object.entries(secret.versions).find(([, stages]) => stages.includes(CURRENT))?.[0];
  await deps.secretsManager.send(
    new UpdateSecretVersionStageCommand({ SecretId: secret.arn, VersionStage: CURRENT, MoveToVersionId: token, ...(currentVersion ? { RemoveFromVersionId: currentVersion } : {}) }),
  );
  await deps.secretsManager.send(new UpdateSecretVersionStageCommand({ SecretId: secret.arn, VersionStage: PENDING, RemoveFromVersionId: token }));
  deps.logger?.info('Promoted the new access key to AWSCURRENT; the previous one stays active for its overlap', { secretName: secret.name, versionId: token, previousVersionId: currentVersion });
  return { step: 'finishSecret', outcome: 'finished' };
}

/** What {@link retirePreviousTenantKey} found or did. */
export interface RetiredTenantKey {
  outcome: 'no-previous-key' | 'in-overlap' | 'deactivated' | 'already-inactive' | 'gone';
  accessKeyId?: string;
  /** When the overlap ends (`in-overlap`). */
  overlapEndsAt?: string;
}

/**
 * Deactivates the tenant's previous access key (the AWSPREVIOUS version's) once the stage's overlap
 * after the last rotation has passed; the next rotation deletes it. Never touches the current key.
 * Safe to repeat: an inactive or deleted key is left as it is; during the overlap nothing changes.
 * @throws TenantSecretConflictError when the secret is not a tenant secret of this stage or a version holds no credentials.
 */
export async function retirePreviousTenantKey(input: { SecretId: string }, deps: Omit<RotateTenantCredentialsDeps, 'asTenant' | 'sleep'>): Promise<RetiredTenantKey> {
  const secret = await tenantSecretOf(deps.secretsManager, input.SecretId, deps.config, false);
  const { userName } = secret;
  const previous = hasStage(secret, PREVIOUS) ? await readVersion(deps.secretsManager, secret, PREVIOUS) : undefined;
  const current = await readVersion(deps.secretsManager, secret, CURRENT);
  if (!previous || previous.accessKeyId === current?.accessKeyId) return { outcome: 'no-previous-key' };
  const { accessKeyId } = previous;

  const end = overlapEnd(secret, deps);
  const now = (deps.now ?? (() => new Date()))();
  if (!end || now < end) return { outcome: 'in-overlap', accessKeyId, ...(end ? { overlapEndsAt: end.toISOString() } : {}) };

  const key = (await listAccessKeys(deps.iam, userName)).find((held) => held.AccessKeyId === accessKeyId);
  if (!key) return { outcome: 'gone', accessKeyId };
  if (key.Status !== 'Active') return { outcome: 'already-inactive', accessKeyId };
  try {
    await deps.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
  } catch (err) {
    if (err instanceof NoSuchEntityException) return { outcome: 'gone', accessKeyId };
    throw err;
  }
  deps.logger?.info('Deactivated the previous access key: its overlap has passed', { secretName: secret.name, accessKeyId, overlapEndedAt: end.toISOString() });
  return { outcome: 'deactivated', accessKeyId };
}

/** The rotation Lambda's handler over its dependencies (not wired yet: a functions/lambda/ entry and serverless.yml will). */
export function rotateTenantCredentialsHandler(deps: RotateTenantCredentialsDeps & FunctionBase) {
  return lambdaHandler(deps.logger, (event: TenantRotationEvent, context: Context) => rotateTenantCredentials(event, deps, context));
}
