import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import type { Backend } from '../backend';
import type { CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors';
import { EXIT_INTERRUPTED } from '../interrupt';
import { tenantctlFor } from '../invocation';
import { formatDuration, oneLine, type CliIo } from '../output';
import { isTenant } from '../tenant/ledger';
import { rotatableKeyState, rotateTenant, type TenantRotation } from '../tenant/rotate-tenant';
import { describeSchedule, scheduleTenant, type TenantScheduling } from '../tenant/schedule-tenant';

const DAY_MS = 86_400_000;

const days = (ms: number | undefined) => (ms === undefined ? 'age unknown' : `${Math.floor(ms / DAY_MS)} d old`);
const errorText = (err: unknown) => oneLine(err instanceof Error ? err.message : String(err), 1_000);
const failure = (orgId: string, err: unknown): TenantRotation => ({ orgId, outcome: 'failed', error: errorText(err) });
const tenants = (n: number) => (n === 1 ? 'tenant' : 'tenants');

/** Runs `work` over `items`, at most `limit` at once, in order of start; stops starting new ones once `stopped()`. */
async function eachBounded<T>(items: T[], limit: number, stopped: () => boolean, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stopped()) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The first Ctrl-C lets the work under way finish and starts no more; the second quits at once. */
function stopOnInterrupt(io: CliIo, message: string): { stopping: () => boolean; off: () => void } {
  let stopping = false;
  const off = io.onInterrupt?.(() => {
    if (stopping) io.exit?.(EXIT_INTERRUPTED);
    stopping = true;
    io.stderr(`^C ${message}\n`);
  });
  return { stopping: () => stopping, off: () => off?.() };
}

/** Every live (active) tenant of the ledger, by slug. */
async function liveTenants(backend: Backend): Promise<TenantLedgerItem[]> {
  const live: TenantLedgerItem[] = [];
  for await (const item of backend.ledger.list({ states: ['active'] })) if (isTenant(item)) live.push(item);
  return live.sort((a, b) => a.slug.localeCompare(b.slug));
}

/** `[ 3/12] Acme-Bistro-42` numbered as the lines are printed. */
function counter(total: number, orgIds: string[]): (orgId: string) => string {
  const width = String(total).length;
  const orgWidth = Math.max(0, ...orgIds.map((orgId) => orgId.length));
  let done = 0;
  return (orgId) => `  [${String(++done).padStart(width)}/${total}] ${orgId.padEnd(orgWidth)}`;
}

interface Candidate {
  item: TenantLedgerItem;
  /** Rotate a key older than the age; put a younger one whose secret has no schedule on the stage's. */
  action: 'rotate' | 'schedule';
  secretName: string;
  ageMs?: number;
}

/**
 * `rotate --all --older-than <n>d`: rotates every live tenant whose key is older than n days; a
 * younger key whose secret has no rotation schedule (a tenant provisioned before rotation
 * existed, or one whose schedule was cancelled) is put on the stage's, not rotated.
 */
export async function rotateAll(context: CommandContext, backend: Backend, olderThanDays: number, options: { revokeOldNow: boolean; concurrency: number; dryRun: boolean }): Promise<number> {
  const { out, io } = context;
  const tenantctl = tenantctlFor(backend);
  const rotationDays = backend.config.rotationDays;
  out.line(`▶ rotate every live tenant's key older than ${olderThanDays} d${options.dryRun ? ' (dry run: nothing is rotated)' : ''} — ${backend.location}`);
  const live = await liveTenants(backend);

  // Whose key is old enough: read first (the same bounded concurrency), so the count N is known
  // before the first rotation; a key that cannot be read or rotated is a failure of its own.
  const candidates: Candidate[] = [];
  const results: TenantRotation[] = [];
  await eachBounded(live, options.concurrency, () => false, async (item) => {
    try {
      const state = await rotatableKeyState(backend, item, io.now(), tenantctl);
      const ageMs = state.current?.ageMs;
      const age = ageMs === undefined ? {} : { ageMs };
      if (ageMs === undefined || ageMs > olderThanDays * DAY_MS) candidates.push({ item, action: 'rotate', secretName: state.secretName, ...age });
      else if (rotationDays > 0 && !state.rotation.enabled) candidates.push({ item, action: 'schedule', secretName: state.secretName, ...age });
    } catch (err) {
      results.push(failure(item.orgId, err));
    }
  });
  candidates.sort((a, b) => a.item.slug.localeCompare(b.item.slug));
  const due = candidates.filter((candidate) => candidate.action === 'rotate');
  const unscheduled = candidates.length - due.length;
  const younger = live.length - candidates.length - results.length;
  const toSchedule = unscheduled ? `, ${unscheduled} younger without a rotation schedule: ${options.dryRun ? 'would be' : 'to be'} put on the stage's (every ${rotationDays} d), not rotated` : '';
  out.line(`  ${due.length} of ${live.length} live ${live.length === 1 ? 'tenant has' : 'tenants have'} a key older than ${olderThanDays} d (${younger} younger${toSchedule}${results.length ? `, ${results.length} not rotatable` : ''})`);
  for (const refused of results) out.line(`  ✗ ${refused.orgId}: ${refused.error ?? ''}`);

  const total = candidates.length;
  const head = counter(total, candidates.map(({ item }) => item.orgId));
  const labelWidth = unscheduled ? 'scheduled'.length : 'rotated'.length;
  const label = (text: string) => text.padEnd(labelWidth);
  let attempted = 0;
  const interrupt = options.dryRun ? undefined : stopOnInterrupt(io, 'stopping after the rotations under way (Ctrl-C again to quit now; a rotation already started finishes in Secrets Manager)');
  const stopping = () => interrupt?.stopping() ?? false;
  try {
    await eachBounded(candidates, options.dryRun ? total : options.concurrency, stopping, async ({ item, action, secretName, ageMs }) => {
      if (options.dryRun) {
        out.line(`${head(item.orgId)}  ${action === 'rotate' ? `would rotate (${days(ageMs)})` : `would schedule (${days(ageMs)}, no rotation schedule)`}`);
        return;
      }
      attempted++;
      let result: TenantRotation;
      try {
        if (action === 'schedule') {
          await backend.rotation.schedule(secretName, rotationDays);
          result = { orgId: item.orgId, outcome: 'scheduled', secretName, configuredEveryDays: rotationDays };
        } else {
          result = await rotateTenant(backend, item, tenantctl, { revokeOldNow: options.revokeOldNow, now: io.now });
        }
      } catch (err) {
        result = failure(item.orgId, err);
      }
      if (ageMs !== undefined) result.previousKeyAgeMs ??= ageMs;
      results.push(result);
      const line =
        result.outcome === 'rotated'
          ? `${out.style.green(label('rotated'))}  ${result.previousAccessKeyId ?? '?'} → ${result.accessKeyId ?? '?'} (was ${days(ageMs)}, ${formatDuration(result.durationMs)})${result.previousKeyDeactivated ? ', old key deactivated' : ''}`
          : result.outcome === 'scheduled'
            ? `${out.style.green(label('scheduled'))}  every ${rotationDays} d from now, not rotated (key ${days(ageMs)}; its secret had no rotation schedule)`
            : `${out.style.red(label('failed'))}  ${result.error ?? ''}`;
      out.line(`${head(item.orgId)}  ${line}`);
    });
  } finally {
    interrupt?.off();
  }

  const rotated = results.filter((result) => result.outcome === 'rotated').length;
  const scheduled = results.filter((result) => result.outcome === 'scheduled').length;
  const failed = results.filter((result) => result.outcome === 'failed').length;
  const notStarted = options.dryRun ? 0 : total - attempted;
  const summary = options.dryRun
    ? `${due.length} would be rotated${unscheduled ? `, ${unscheduled} would be scheduled` : ''}, ${younger} younger than ${olderThanDays} d${failed ? `, ${failed} not rotatable` : ''}`
    : `${rotated} rotated${unscheduled ? `, ${scheduled} scheduled` : ''}, ${failed} failed, ${younger} younger than ${olderThanDays} d${notStarted ? `, ${notStarted} not started (interrupted)` : ''}`;
  out.line(`${live.length} live ${tenants(live.length)}: ${summary}`);
  out.result({
    mode: backend.mode,
    location: backend.location,
    olderThanDays,
    revokeOldNow: options.revokeOldNow,
    dryRun: options.dryRun,
    live: live.length,
    due: due.map(({ item, ageMs }) => ({ orgId: item.orgId, ...(ageMs === undefined ? {} : { keyAgeMs: ageMs }) })),
    unscheduled: candidates.filter(({ action }) => action === 'schedule').map(({ item, ageMs }) => ({ orgId: item.orgId, ...(ageMs === undefined ? {} : { keyAgeMs: ageMs }) })),
    results: results.sort((a, b) => a.orgId.localeCompare(b.orgId)),
    summary: { rotated, scheduled, failed, younger, notStarted },
  });
  if (failed > 0) out.error(`${failed} of the ${live.length} live ${tenants(live.length)} ${failed === 1 ? 'was' : 'were'} not rotated: see above`);
  if (stopping()) return EXIT_INTERRUPTED;
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

const SCHEDULE_LABELS: Record<TenantScheduling['outcome'], string> = {
  scheduled: 'scheduled',
  'already-scheduled': 'already scheduled',
  'would-schedule': 'would schedule',
  failed: 'failed',
};

/**
 * `rotate --all --schedule-only`: puts every live tenant's secret on the stage's rotation schedule
 * without rotating any key: one with no schedule (provisioned before rotation existed), a
 * cancelled one, or another interval or rotation function. A line per tenant and a summary.
 * @throws CliError before anything is read when the stage schedules no rotation (rotationDays 0).
 */
export async function scheduleAll(context: CommandContext, backend: Backend, options: { concurrency: number; dryRun: boolean }): Promise<number> {
  const { out, io } = context;
  const tenantctl = tenantctlFor(backend);
  const { rotationDays, stage } = backend.config;
  if (rotationDays === 0) {
    throw new CliError(
      `Stage ${stage} schedules no rotation (its rotationDays is 0; TENANT_PROVISIONER_ROTATION_DAYS tells tenantctl a stage's own): there is no schedule to put tenants on. ` +
        `Deploy the stage with rotationDays 1–1000 first; \`${tenantctl} rotate <orgId>\` still rotates a key on demand`,
    );
  }
  out.line(`▶ put every live tenant's secret on the stage's rotation schedule, every ${rotationDays} d, without rotating${options.dryRun ? ' (dry run: nothing is changed)' : ''} — ${backend.location}`);
  const live = await liveTenants(backend);
  const head = counter(live.length, live.map((item) => item.orgId));
  const labelWidth = Math.max(...(options.dryRun ? ['would schedule', 'already scheduled', 'failed'] : ['scheduled', 'already scheduled', 'failed']).map((text) => text.length));
  const results: TenantScheduling[] = [];
  let attempted = 0;
  const interrupt = options.dryRun ? undefined : stopOnInterrupt(io, 'stopping after the tenants under way (Ctrl-C again to quit now)');
  const stopping = () => interrupt?.stopping() ?? false;
  try {
    await eachBounded(live, options.concurrency, stopping, async (item) => {
      attempted++;
      let result: TenantScheduling;
      try {
        result = await scheduleTenant(backend, item, tenantctl, { days: rotationDays, dryRun: options.dryRun, now: io.now });
      } catch (err) {
        result = { orgId: item.orgId, outcome: 'failed', error: errorText(err) };
      }
      results.push(result);
      const label = SCHEDULE_LABELS[result.outcome].padEnd(labelWidth);
      const detail =
        result.outcome === 'failed'
          ? result.error ?? ''
          : result.outcome === 'already-scheduled'
            ? `every ${rotationDays} d`
            : `every ${rotationDays} d (${describeSchedule(result.before, backend.rotation.functionArn)})`;
      const painted = result.outcome === 'scheduled' ? out.style.green(label) : result.outcome === 'failed' ? out.style.red(label) : result.outcome === 'already-scheduled' ? out.style.dim(label) : label;
      out.line(`${head(item.orgId)}  ${painted}  ${detail}`);
    });
  } finally {
    interrupt?.off();
  }

  const count = (outcome: TenantScheduling['outcome']) => results.filter((result) => result.outcome === outcome).length;
  const scheduled = count('scheduled');
  const wouldSchedule = count('would-schedule');
  const alreadyScheduled = count('already-scheduled');
  const failed = count('failed');
  const notStarted = live.length - attempted;
  const summary = options.dryRun
    ? `${wouldSchedule} would be scheduled, ${alreadyScheduled} already scheduled${failed ? `, ${failed} failed` : ''}`
    : `${scheduled} scheduled, ${alreadyScheduled} already scheduled, ${failed} failed${notStarted ? `, ${notStarted} not started (interrupted)` : ''}`;
  out.line(`${live.length} live ${tenants(live.length)}: ${summary}`);
  out.result({
    mode: backend.mode,
    location: backend.location,
    scheduleOnly: true,
    rotationDays,
    dryRun: options.dryRun,
    live: live.length,
    results: results.sort((a, b) => a.orgId.localeCompare(b.orgId)),
    summary: { scheduled, wouldSchedule, alreadyScheduled, failed, notStarted },
  });
  if (failed > 0) out.error(`${failed} of the ${live.length} live ${tenants(live.length)} ${failed === 1 ? 'was' : 'were'} not put on the schedule: see above`);
  if (stopping()) return EXIT_INTERRUPTED;
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}
