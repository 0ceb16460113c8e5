import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import { isOnStageSchedule, type Backend, type SecretRotationSchedule } from '../backend';
import { CliError } from '../errors';
import { readTenantKeyState } from './key-state';
import { keyNotRotatable, notRotatable, tenantKeyNames } from './rotate-tenant';

/** What putting one tenant's secret on the stage's rotation schedule did. Never a secret. */
export interface TenantScheduling {
  orgId: string;
  outcome: 'scheduled' | 'already-scheduled' | 'would-schedule' | 'failed';
  secretName?: string;
  /** The secret's schedule before: none, cancelled, or another interval or function. */
  before?: SecretRotationSchedule;
  /** The stage's schedule it is (or would be) on. */
  everyDays?: number;
  error?: string;
}

/** The schedule a secret had, for the operator: `had none`, `was cancelled`, `was every 30 d`, `was every 90 d with <another function>`. */
export function describeSchedule(before: SecretRotationSchedule | undefined, stageFunctionArn: string | undefined): string {
  if (!before) return 'unknown before';
  if (!before.enabled) return before.everyDays === undefined && before.scheduleExpression === undefined ? 'had none' : 'was cancelled';
  const every = before.scheduleExpression ?? (before.everyDays === undefined ? 'another schedule' : `every ${before.everyDays} d`);
  const otherFunction = stageFunctionArn !== undefined && before.functionArn !== stageFunctionArn ? ` with ${before.functionArn ?? 'no rotation function'}` : '';
  return `was ${every}${otherFunction}`;
}

const scheduleOf = (rotation: SecretRotationSchedule): SecretRotationSchedule => ({
  enabled: rotation.enabled,
  ...(rotation.everyDays === undefined ? {} : { everyDays: rotation.everyDays }),
  ...(rotation.scheduleExpression === undefined ? {} : { scheduleExpression: rotation.scheduleExpression }),
  ...(rotation.functionArn === undefined ? {} : { functionArn: rotation.functionArn }),
});

/**
 * Puts one active tenant's secret on the stage's rotation schedule (every `days`) without rotating
 * its key: a secret with no schedule, a cancelled one, or another interval or rotation function.
 * A secret already on it is left alone; `dryRun` says what would be done and changes nothing.
 * Refused for a tenant that is not active, or whose current key does not work (a scheduled
 * rotation would make a working key of a revoked or broken one). Safe to repeat.
 * @throws CliError naming why the tenant was not scheduled.
 */
export async function scheduleTenant(backend: Backend, item: TenantLedgerItem, tenantctl: string, options: { days: number; dryRun: boolean; now: () => Date }): Promise<TenantScheduling> {
  const refusal = notRotatable(item, tenantctl);
  if (refusal) throw new CliError(refusal);
  const { secretName, userName } = tenantKeyNames(item, backend);
  const state = await readTenantKeyState(backend, secretName, userName, options.now());
  if (!state) throw new CliError(`tenant ${item.orgId} has no credentials secret ${secretName}`);
  const result: TenantScheduling = { orgId: item.orgId, outcome: 'already-scheduled', secretName: state.secretName, before: scheduleOf(state.rotation), everyDays: options.days };
  if (isOnStageSchedule(state.rotation, options.days, backend.rotation.functionArn)) return result;
  const keyRefusal = keyNotRotatable(state, item, userName, tenantctl);
  if (keyRefusal) throw new CliError(keyRefusal);
  if (options.dryRun) return { ...result, outcome: 'would-schedule' };
  const scheduled = await backend.rotation.schedule(state.secretName, options.days);
  return { ...result, outcome: scheduled.outcome };
}
