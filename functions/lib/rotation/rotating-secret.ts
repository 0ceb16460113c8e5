/**
 * A tenant secret as its key's rotation sees it: its versions and their stages, the user its key
 * belongs to, and when its last rotation ended. Shared by the rotation's four steps
 * (functions/rotate-tenant-credentials.ts) and the retirement of the previous key (./retire.ts).
 */
import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MANAGED_BY, tenantSecretPrefix, type Config } from '../config';
import { TenantSecretConflictError } from '../errors';
import { TAG_MANAGED_BY, TAG_ORG_ID, tagsToRecord } from '../tags';
import { describeSecret, parseTenantSecret, type TenantSecret } from '../tenant-secret';

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';
export const PREVIOUS = 'AWSPREVIOUS';
const DAY_MS = 86_400_000;

/** The rotation request does not fit the secret: rotation off, a step or version unknown, a version not AWSPENDING, a revoked tenant. */
export class TenantRotationRequestError extends Error {
  override readonly name = 'TenantRotationRequestError';
}

/**
 * createSecret would have to delete the previous key while consumers may still be using it (its
 * overlap has not passed, or when it began is not known). An operator who knows it is unused
 * deactivates it (`tenantctl rotate --revoke-old-now` did, or does); the next attempt then deletes it.
 */
export class TenantKeyOverlapError extends Error {
  override readonly name = 'TenantKeyOverlapError';
}

/** A tenant secret checked for rotation: its metadata, and the user its key belongs to. */
export interface RotatingSecret {
  arn: string;
  name: string;
  userName: string;
  /** The OrgId tag of the secret, for the TenantCredentialsRotated event. */
  orgId: string;
  versions: Record<string, string[]>;
  lastRotated: Date | undefined;
}

/** Describes the secret and checks it is a tenant secret of this stage (named as one, tagged ManagedBy); `rotating`: with rotation enabled. */
export async function tenantSecretOf(client: SecretsManagerClient, secretId: string, config: Config, rotating: boolean): Promise<RotatingSecret> {
  const described = await describeSecret(client, secretId);
  if (!described) throw new TenantRotationRequestError(`Secret ${secretId} does not exist`);
  if (rotating && !described.RotationEnabled) throw new TenantRotationRequestError(`Secret ${described.Name ?? secretId} is not enabled for rotation`);
  const name = described.Name ?? '';
  const userName = tenantUserNameOf(name, config);
  const tags = tagsToRecord(described.Tags);
  if (!userName || tags[TAG_MANAGED_BY] !== MANAGED_BY || !tags[TAG_ORG_ID]) {
    throw new TenantSecretConflictError(`Secret ${name || secretId} is not a tenant secret of stage ${config.stage} (named as one, tagged ManagedBy and OrgId): its key is not rotated`);
  }
  return { arn: described.ARN ?? secretId, name, userName, orgId: tags[TAG_ORG_ID], versions: described.VersionIdsToStages ?? {}, lastRotated: described.LastRotatedDate };
}

/** The tenant user whose key secret `<bucketPrefix>/<stage>/<slug>/credentials` holds: `<userPrefix><slug>`. */
function tenantUserNameOf(secretName: string, config: Config): string | undefined {
  const prefix = tenantSecretPrefix(config);
  if (!secretName.startsWith(prefix)) return undefined;
  const slug = /^([a-z0-9-]+)\/credentials$/.exec(secretName.slice(prefix.length))?.[1];
  return slug === undefined ? undefined : `${config.userPrefix}${slug}`;
}

/** A version's tenant credentials, and when the version was created. */
export type SecretVersionValue = TenantSecret & { createdDate?: Date };

/** The tenant credentials a version holds, or undefined when there is no such version (or it holds no value yet). */
export async function readVersion(client: SecretsManagerClient, secret: RotatingSecret, stage: string, versionId?: string): Promise<SecretVersionValue | undefined> {
  let text: string | undefined;
  let createdDate: Date | undefined;
  try {
    ({ SecretString: text, CreatedDate: createdDate } = await client.send(new GetSecretValueCommand({ SecretId: secret.arn, VersionStage: stage, ...(versionId ? { VersionId: versionId } : {}) })));
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
  const value = parseTenantSecret(text);
  if (!value) throw new TenantSecretConflictError(`The ${stage} version of secret ${secret.name} holds no tenant credentials`);
  if (value.userName !== undefined && value.userName !== secret.userName) {
    throw new TenantSecretConflictError(`The ${stage} version of secret ${secret.name} names IAM user ${value.userName}, not ${secret.userName}`);
  }
  return { ...value, ...(createdDate ? { createdDate } : {}) };
}

/** Secrets Manager's version ids and their staging labels (DescribeSecret's VersionIdsToStages). */
export type VersionStages = Record<string, string[]> | undefined;

/** The id of the version holding the staging label `stage`, if any (a label is on one version at a time). */
export function versionWith(versions: VersionStages, stage: string): string | undefined {
  return Object.entries(versions ?? {}).find(([, stages]) => stages.includes(stage))?.[0];
}

/**
 * The version of a rotation in progress, as Secrets Manager tells one (API_RotateSecret): AWSPENDING
 * on a version that is not AWSCURRENT. AWSPENDING on the AWSCURRENT version is a finished rotation.
 */
export function rotationInProgress(versions: VersionStages): string | undefined {
  const pending = versionWith(versions, PENDING);
  return pending !== undefined && !versions?.[pending]?.includes(CURRENT) ? pending : undefined;
}

/**
 * When the previous key's overlap ends: `overlapDays` after it stopped being current; undefined
 * when when that was is not known. That moment is taken as the later of the last recorded
 * rotation (`LastRotatedDate`) and the creation of the current version: Secrets Manager records
 * a rotation only once it succeeded, so a finishSecret that moved AWSCURRENT and then failed
 * leaves LastRotatedDate at the rotation before; the current version, made by this rotation's
 * createSecret, dates it (a few seconds early, never late), so its previous key keeps its overlap.
 */
export function overlapEnd(secret: RotatingSecret, overlapDays: number, current: Pick<SecretVersionValue, 'createdDate'> | undefined): Date | undefined {
  return overlapEndAfter([secret.lastRotated, current?.createdDate], overlapDays);
}

/**
 * The one rule of the overlap, for every reader of it (the rotation, the daily sweep, the event,
 * `tenantctl status`): `overlapDays` after the latest of `since` — what is known of when the
 * previous key stopped being current; undefined when nothing is.
 */
export function overlapEndAfter(since: readonly (Date | undefined)[], overlapDays: number): Date | undefined {
  const times = since.filter((date): date is Date => date !== undefined).map((date) => date.getTime());
  if (times.length === 0) return undefined;
  return new Date(Math.max(...times) + overlapDays * DAY_MS);
}
