import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { listAccessKeys } from '../../functions/lib/access-keys';
import { CURRENT, overlapEndAfter, PREVIOUS, rotationInProgress, versionWith } from '../../functions/lib/rotation/rotating-secret';
import { parseTenantSecret } from '../../functions/lib/tenant-secret';
import type { Backend } from '../backend';

export type KeyStatus = 'Active' | 'Inactive' | 'missing';

/** One access key the tenant secret names: its id (never its secret), its version, and how IAM has it. */
export interface SecretKey {
  accessKeyId: string;
  versionId?: string;
  status: KeyStatus;
  /** IAM's CreateDate of the key (ISO). */
  createdAt?: string;
}

/**
 * A tenant's access key and its rotation, as Secrets Manager and IAM have them now. Key ids and
 * dates only: the secret's value is read for the key id it holds and then dropped.
 */
export interface TenantKeyState {
  secretName: string;
  /** The current key (AWSCURRENT), and how old it is. */
  current?: SecretKey & { ageMs?: number; ageFrom?: 'key-created' | 'last-rotated' | 'secret-created' };
  /** The key before it (AWSPREVIOUS), while it still differs from the current one. */
  previous?: SecretKey & { overlapEndsAt?: string };
  /** Keys of the user the secret names in neither version (a crashed rotation's, an abandoned one's). */
  otherKeyIds: string[];
  rotation: {
    enabled: boolean;
    everyDays?: number;
    scheduleExpression?: string;
    lastRotatedAt?: string;
    nextRotationAt?: string;
    functionArn?: string;
    /** AWSPENDING on a version that is not AWSCURRENT: a rotation under way, or one that never finished. */
    pendingVersionId?: string;
  };
}

type Reader = Pick<Backend, 'rotation' | 'secretsManager' | 'iam' | 'config'>;

/** The access key id a version of the secret holds, and when the version was made; undefined when there is no such version or it holds no credentials. */
async function keyIdOf(backend: Reader, secretName: string, stage: string): Promise<{ accessKeyId: string; versionCreated?: Date } | undefined> {
  try {
    const { SecretString, CreatedDate } = await backend.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: stage }));
    const accessKeyId = parseTenantSecret(SecretString)?.accessKeyId;
    return accessKeyId === undefined ? undefined : { accessKeyId, ...(CreatedDate ? { versionCreated: CreatedDate } : {}) };
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

/**
 * Reads the tenant's key state: the secret's rotation (through the backend's rotation port, which
 * locally answers with the stand-in's configuration), the key ids of its AWSCURRENT and AWSPREVIOUS
 * versions, and IAM's keys of `userName`. Undefined when the secret does not exist. Read-only.
 * The key's age is IAM's CreateDate of the current key, else the last rotation, else the secret's creation.
 */
export async function readTenantKeyState(backend: Reader, secretName: string, userName: string, now: Date): Promise<TenantKeyState | undefined> {
  const described = await backend.rotation.describe(secretName);
  if (!described || described.DeletedDate) return undefined;
  const stages = described.VersionIdsToStages;
  const currentVersion = versionWith(stages, CURRENT);
  const previousVersion = versionWith(stages, PREVIOUS);
  const pendingVersion = rotationInProgress(stages);
  const [currentHeld, previousHeld] = await Promise.all([keyIdOf(backend, secretName, CURRENT), previousVersion ? keyIdOf(backend, secretName, PREVIOUS) : undefined]);
  const currentId = currentHeld?.accessKeyId;
  const previousId = previousHeld?.accessKeyId;
  let keys: Awaited<ReturnType<typeof listAccessKeys>> = [];
  try {
    keys = await listAccessKeys(backend.iam, userName);
  } catch (err) {
    if (!(err instanceof NoSuchEntityException)) throw err;
  }
  const iamKey = (accessKeyId: string, versionId: string | undefined): SecretKey => {
    const key = keys.find((held) => held.AccessKeyId === accessKeyId);
    return {
      accessKeyId,
      ...(versionId ? { versionId } : {}),
      status: key?.Status === 'Active' || key?.Status === 'Inactive' ? key.Status : 'missing',
      ...(key?.CreateDate ? { createdAt: key.CreateDate.toISOString() } : {}),
    };
  };

  const lastRotated = described.LastRotatedDate;
  let current: TenantKeyState['current'];
  if (currentId) {
    const key = iamKey(currentId, currentVersion);
    const since = key.createdAt ? { at: new Date(key.createdAt), from: 'key-created' as const } : lastRotated ? { at: lastRotated, from: 'last-rotated' as const } : described.CreatedDate ? { at: described.CreatedDate, from: 'secret-created' as const } : undefined;
    current = { ...key, ...(since ? { ageMs: Math.max(0, now.getTime() - since.at.getTime()), ageFrom: since.from } : {}) };
  }
  let previous: TenantKeyState['previous'];
  if (previousId && previousId !== currentId) {
    // The rotation's own rule: from the later of the last recorded rotation and the current version's making.
    const overlapEndsAt = overlapEndAfter([lastRotated, currentHeld?.versionCreated], backend.config.previousKeyOverlapDays)?.toISOString();
    previous = { ...iamKey(previousId, previousVersion), ...(overlapEndsAt ? { overlapEndsAt } : {}) };
  }
  const named = new Set([currentId, previousId]);
  const rules = described.RotationRules;
  return {
    secretName: described.Name ?? secretName,
    ...(current ? { current } : {}),
    ...(previous ? { previous } : {}),
    otherKeyIds: keys.map((key) => key.AccessKeyId).filter((id): id is string => id !== undefined && !named.has(id)),
    rotation: {
      enabled: described.RotationEnabled === true,
      ...(rules?.AutomaticallyAfterDays ? { everyDays: rules.AutomaticallyAfterDays } : {}),
      ...(rules?.ScheduleExpression ? { scheduleExpression: rules.ScheduleExpression } : {}),
      ...(lastRotated ? { lastRotatedAt: lastRotated.toISOString() } : {}),
      ...(described.NextRotationDate ? { nextRotationAt: described.NextRotationDate.toISOString() } : {}),
      ...(described.RotationLambdaARN ? { functionArn: described.RotationLambdaARN } : {}),
      ...(pendingVersion ? { pendingVersionId: pendingVersion } : {}),
    },
  };
}
