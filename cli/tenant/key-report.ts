import type { Backend } from '../backend';
import { formatDuration, formatTime, oneLine, type Output } from '../output';
import { readTenantKeyState, type TenantKeyState } from './key-state';
import type { TenantResources } from './resources';

/** The tenant's access key and its rotation as `status` reports it; `error` when it could not be read. */
export type KeyReport = TenantKeyState | { error: string };

const DAY_MS = 86_400_000;

/** How long until (or since) `iso`, in whole days: `in 12 d`, `3 d ago`, `today`. */
function relativeDays(iso: string, now: Date): string {
  const days = Math.round((Date.parse(iso) - now.getTime()) / DAY_MS);
  return days === 0 ? 'today' : days > 0 ? `in ${days} d` : `${-days} d ago`;
}

/** The access key's age and its rotation: schedule, last and next rotation, the previous key's overlap. */
export function printKey(out: Output, key: KeyReport | undefined, now: Date, tenantctl: string, orgId: string): void {
  if (!key) return;
  out.line();
  out.line('Access key and rotation');
  const label = (text: string) => `  ${text.padEnd(13)} `;
  if ('error' in key) {
    out.line(`${label('rotation')}${out.style.yellow('unknown')} (${key.error})`);
    return;
  }
  const { current, previous, rotation } = key;
  if (current) {
    const age = current.ageMs === undefined ? 'age unknown' : `${formatDuration(current.ageMs)} old${current.ageFrom === 'key-created' ? '' : current.ageFrom === 'last-rotated' ? ' (since the last rotation)' : ' (since the secret was made)'}`;
    out.line(`${label('current key')}${current.accessKeyId}  ${current.status}, ${age}`);
  } else {
    out.line(`${label('current key')}none: the AWSCURRENT version holds no credentials`);
  }
  if (previous) {
    const shown = previous.status === 'missing' ? 'deleted' : previous.status === 'Active' && previous.overlapEndsAt ? `Active until ${formatTime(new Date(previous.overlapEndsAt))} (the overlap), then deactivated` : previous.status;
    out.line(`${label('previous key')}${previous.accessKeyId}  ${shown}`);
  }
  if (key.otherKeyIds.length) out.line(`${label('other keys')}${key.otherKeyIds.join(', ')} (in no version of the secret: the next rotation deletes them)`);
  const schedule = rotation.enabled
    ? `every ${rotation.everyDays !== undefined ? `${rotation.everyDays} d` : (rotation.scheduleExpression ?? '?')}${rotation.nextRotationAt ? `, next ${formatTime(new Date(rotation.nextRotationAt))} (${relativeDays(rotation.nextRotationAt, now)})` : ''}`
    : `not scheduled (\`${tenantctl} rotate --all --schedule-only\` schedules it without rotating; \`${tenantctl} rotate ${orgId}\` rotates now and schedules it)`;
  out.line(`${label('rotation')}${schedule}`);
  out.line(`${label('last rotated')}${rotation.lastRotatedAt ? `${formatTime(new Date(rotation.lastRotatedAt))} (${relativeDays(rotation.lastRotatedAt, now)})` : 'never'}`);
  if (rotation.pendingVersionId) out.line(`${label('pending')}${out.style.yellow(`version ${rotation.pendingVersionId}`)}: a rotation under way, or one that never finished`);
}

/** The key's state for status: only for a tenant whose secret exists now (undefined otherwise); a failure to read it is reported, not thrown. */
export async function keyReport(backend: Pick<Backend, 'rotation' | 'secretsManager' | 'iam' | 'config'>, resources: Pick<TenantResources, 'secret'>, userName: string, now: Date): Promise<KeyReport | undefined> {
  if (resources.secret.status !== 'present') return undefined;
  try {
    return await readTenantKeyState(backend, resources.secret.name, userName, now);
  } catch (err) {
    return { error: oneLine(`${err instanceof Error ? err.name : 'Error'}: ${err instanceof Error ? err.message : String(err)}`, 200) };
  }
}
