import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import type { RetiredTenantKey } from '../../functions/lib/rotation/retire';
import type { Backend, KeyRotationProgress } from '../backend';
import { CliError } from '../errors';
import { formatTime } from '../output';
import { readTenantKeyState, type TenantKeyState } from './key-state';
import { stateLabel } from './ledger';
import { tenantLocation } from './names';

/** What rotating one tenant's key did. Key ids, versions and dates: never a secret. */
export interface TenantRotation {
  orgId: string;
  /** `scheduled` (--all --older-than): a younger key whose secret had no schedule was put on the stage's, not rotated. */
  outcome: 'rotated' | 'scheduled' | 'failed';
  secretName?: string;
  /** The key that was current, and how old it was. */
  previousAccessKeyId?: string;
  previousKeyAgeMs?: number;
  /** The new current key and its secret version. */
  accessKeyId?: string;
  versionId?: string;
  /** Until when the old key stays active (the stage's overlap), unless it was deactivated now. */
  previousKeyActiveUntil?: string;
  /** `--revoke-old-now`: the old key is inactive now. */
  previousKeyDeactivated?: boolean;
  /** `--revoke-old-now`: an earlier key still in its overlap, deactivated before rotating. */
  earlierKeyDeactivated?: string;
  /** Rotation was not configured on the secret: it now is, every this many days (rotated or only `scheduled`). */
  configuredEveryDays?: number;
  /** An abandoned rotation's AWSPENDING version that was cleared first. */
  clearedPendingVersionId?: string;
  durationMs?: number;
  error?: string;
}

export interface RotateTenantOptions {
  revokeOldNow: boolean;
  now: () => Date;
  /** Progress as the rotation goes: sentences for the operator. */
  report?: (line: string) => void;
}

/** Why a tenant's key is not rotated in its ledger state: only an active tenant's is. */
export function notRotatable(item: TenantLedgerItem, tenantctl: string): string | undefined {
  const state = stateLabel(item);
  switch (item.state) {
    case 'active':
      return undefined;
    case 'revoking':
    case 'retained':
    case 'deleting':
    case 'deleted':
      return `tenant ${item.orgId} is ${state}: it has been torn down and its access revoked, and a new key would give it back (\`${tenantctl} restore ${item.orgId}\` first, while it can be restored)`;
    case 'provisioning':
    case 'restoring':
      return `tenant ${item.orgId} is ${state}: its run is under way and makes or restores its key; rotate once it is active (\`${tenantctl} status ${item.orgId}\`)`;
    default:
      return `tenant ${item.orgId} is ${state}: it needs an operator before its key can be rotated (\`${tenantctl} status ${item.orgId}\`)`;
  }
}

/** The tenant's secret and user, as the ledger recorded them. */
export function tenantKeyNames(item: TenantLedgerItem, backend: Pick<Backend, 'config'>): { secretName: string; userName: string } {
  const location = tenantLocation(item, backend);
  return { secretName: item.provisioned?.credentials.secretName ?? location.secretName, userName: location.userName };
}

/** The tenant's key state, or a CliError saying why there is nothing to rotate. */
export async function rotatableKeyState(backend: Backend, item: TenantLedgerItem, now: Date, tenantctl: string): Promise<TenantKeyState> {
  const { secretName, userName } = tenantKeyNames(item, backend);
  const state = await readTenantKeyState(backend, secretName, userName, now);
  if (!state) throw new CliError(`tenant ${item.orgId} has no credentials secret ${secretName}`);
  const refusal = keyNotRotatable(state, item, userName, tenantctl);
  if (refusal) throw new CliError(refusal);
  return state;
}

/** Why the key a secret holds must not be rotated, now or on a schedule: only a working (Active) current key is. */
export function keyNotRotatable(state: TenantKeyState, item: TenantLedgerItem, userName: string, tenantctl: string): string | undefined {
  if (!state.current) return `the AWSCURRENT version of secret ${state.secretName} holds no tenant credentials`;
  if (state.current.status === 'Active') return undefined;
  return `the current access key ${state.current.accessKeyId} of IAM user ${userName} is ${state.current.status === 'missing' ? 'gone' : 'inactive'}: the tenant's access is revoked or broken, and a rotation would make a working key of it. Look at it first (\`${tenantctl} status ${item.orgId}\`)`;
}

const progressLine = (progress: KeyRotationProgress): string => {
  switch (progress.kind) {
    case 'cleared-stale-pending':
      return `an earlier rotation never finished${progress.createdAt ? ` (started ${formatTime(progress.createdAt)})` : ''}: removed its AWSPENDING label from version ${progress.versionId}`;
    case 'configuring':
      return `rotation was not configured on the secret: configuring it, every ${progress.rotationDays} d${progress.functionArn ? ` with ${progress.functionArn}` : ''}`;
    case 'started':
      return `rotation started: new version ${progress.versionId} (AWSPENDING)`;
    case 'waiting':
      return `waiting for the rotation function (${Math.round(progress.elapsedMs / 1000)} s)`;
  }
};

const retiredOk = (retired: RetiredTenantKey) => retired.outcome === 'deactivated' || retired.outcome === 'already-inactive' || retired.outcome === 'gone';

/**
 * Rotates the key of one active tenant now: checks its current key works and what a rotation would
 * have to delete (a previous key still in its overlap is refused, or with `revokeOldNow`
 * deactivated first), has the backend rotate and wait, then reads which key is current. With
 * `revokeOldNow` the old key is deactivated as soon as the rotation (which proves the new key
 * before promoting it) has finished; if that deactivation fails, the result is `failed` with the
 * new key named (it is current and works).
 * @throws CliError for a tenant that is not active or whose key cannot be rotated, and for a rotation that failed.
 */
export async function rotateTenant(backend: Backend, item: TenantLedgerItem, tenantctl: string, options: RotateTenantOptions): Promise<TenantRotation> {
  const refusal = notRotatable(item, tenantctl);
  if (refusal) throw new CliError(refusal);
  const report = options.report ?? (() => undefined);
  const started = Date.now();
  const before = await rotatableKeyState(backend, item, options.now(), tenantctl);
  const { secretName } = before;
  const old = before.current as NonNullable<TenantKeyState['current']>;
  const result: TenantRotation = { orgId: item.orgId, outcome: 'rotated', secretName, previousAccessKeyId: old.accessKeyId, ...(old.ageMs === undefined ? {} : { previousKeyAgeMs: old.ageMs }) };

  const earlier = before.previous;
  const inOverlap = earlier?.status === 'Active' && (!earlier.overlapEndsAt || Date.parse(earlier.overlapEndsAt) > options.now().getTime());
  if (earlier && inOverlap) {
    if (!options.revokeOldNow) {
      throw new CliError(
        `the previous access key ${earlier.accessKeyId} is still active${earlier.overlapEndsAt ? `, in its overlap until ${formatTime(new Date(earlier.overlapEndsAt))}` : ''}: ` +
          `a rotation now would have to delete it while consumers may still use it. Add --revoke-old-now to deactivate it and the current key ${old.accessKeyId} once the new one is proven, or wait until then`,
      );
    }
    const retired = await backend.rotation.retirePrevious(secretName, { overlapDays: 0 });
    if (!retiredOk(retired)) throw new CliError(`could not deactivate the previous access key ${earlier.accessKeyId} before rotating (${retired.outcome})`);
    report(`deactivated the earlier key ${earlier.accessKeyId} first (--revoke-old-now; it was still in its overlap)`);
    result.earlierKeyDeactivated = earlier.accessKeyId;
  }

  const rotated = await backend.rotation.rotateNow(secretName, (progress) => report(progressLine(progress)));
  result.versionId = rotated.versionId;
  if (rotated.configured) result.configuredEveryDays = rotated.configured.rotationDays;
  if (rotated.clearedPendingVersionId) result.clearedPendingVersionId = rotated.clearedPendingVersionId;

  const { userName } = tenantKeyNames(item, backend);
  const after = await readTenantKeyState(backend, secretName, userName, options.now());
  const current = after?.current;
  if (!current || current.accessKeyId === old.accessKeyId) {
    throw new CliError(`the rotation of secret ${secretName} finished, but its AWSCURRENT version still holds ${current ? `the old key ${old.accessKeyId}` : 'no credentials'}`);
  }
  result.accessKeyId = current.accessKeyId;

  if (options.revokeOldNow) {
    const retired = await backend.rotation.retirePrevious(secretName, { overlapDays: 0 });
    if (!retiredOk(retired) || (retired.accessKeyId !== undefined && retired.accessKeyId !== old.accessKeyId)) {
      // The new key is current and works: the run failed only at what --revoke-old-now asked for.
      result.outcome = 'failed';
      result.error = `rotated to ${current.accessKeyId}, but the old key ${old.accessKeyId} was not deactivated (${retired.outcome}${retired.accessKeyId ? ` for ${retired.accessKeyId}` : ''}): deactivate it by hand`;
    } else {
      result.previousKeyDeactivated = true;
    }
  } else if (after.previous?.overlapEndsAt) {
    result.previousKeyActiveUntil = after.previous.overlapEndsAt;
  }
  result.durationMs = Date.now() - started;
  return result;
}
