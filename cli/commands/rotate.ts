import { parseOrgCreatedDetail } from '../../functions/lib/events';
import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import { parseWholeNumber } from '../args';
import type { Backend } from '../backend';
import { checked, flag, stringOption, type Command, type CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK, UsageError } from '../errors';
import { EXIT_INTERRUPTED } from '../interrupt';
import { tenantctlFor } from '../invocation';
import { formatDuration, formatTime, oneLine } from '../output';
import { isTenant, noTenant, tenantItem } from '../tenant/ledger';
import { notRotatable, rotatableKeyState, rotateTenant, type TenantRotation } from '../tenant/rotate-tenant';

const DAY_MS = 86_400_000;
/** Rotations at once with --all: each waits mostly on IAM propagating its new key, and IAM takes ten writes a second. */
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 10;

/** `--older-than 90d`: whole days only, as IAM.3's "rotated every 90 days" counts. */
export function parseOlderThan(text: string): number {
  const match = /^(\d{1,5})d$/.exec(text.trim());
  if (!match) throw new UsageError(`--older-than ${JSON.stringify(text)} must be a number of days such as 90d (days only: a key's age is counted in days)`, 'rotate');
  return Number(match[1]);
}

const days = (ms: number | undefined) => (ms === undefined ? 'age unknown' : `${Math.floor(ms / DAY_MS)} d old`);

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

const failure = (orgId: string, err: unknown): TenantRotation => ({ orgId, outcome: 'failed', error: oneLine(err instanceof Error ? err.message : String(err), 1_000) });

function resultLines(result: TenantRotation): string[] {
  const lines: string[] = [];
  if (result.outcome === 'failed' && !result.accessKeyId) return lines;
  lines.push(`✓ rotated in ${formatDuration(result.durationMs)}: ${result.previousAccessKeyId ?? '?'} → ${result.accessKeyId ?? '?'} (secret version ${result.versionId ?? '?'})`);
  if (result.previousKeyDeactivated) lines.push(`old key ${result.previousAccessKeyId ?? ''} deactivated (--revoke-old-now): only ${result.accessKeyId ?? ''} works now`);
  else if (result.previousKeyActiveUntil) lines.push(`old key ${result.previousAccessKeyId ?? ''} stays active until ${formatTime(new Date(result.previousKeyActiveUntil))} for consumers to pick up the new one, then is deactivated`);
  return lines;
}

async function rotateOne(context: CommandContext, backend: Backend, orgId: string, revokeOldNow: boolean): Promise<number> {
  const { out } = context;
  const item = await tenantItem(backend, orgId);
  if (!item) throw noTenant(orgId);
  const refusal = notRotatable(item, tenantctlFor(backend));
  if (refusal) throw new CliError(refusal);
  out.line(`▶ rotate the access key of ${item.orgId} — ${backend.location}`);
  const result = await rotateTenant(backend, item, tenantctlFor(backend), { revokeOldNow, now: context.io.now, report: (line) => out.line(`  ${line}`) });
  for (const line of resultLines(result)) out.line(`  ${line}`);
  out.result({ mode: backend.mode, location: backend.location, revokeOldNow, ...result });
  if (result.outcome === 'failed') {
    out.error(result.error ?? 'the rotation failed');
    return EXIT_FAILED;
  }
  return EXIT_OK;
}

interface Candidate {
  item: TenantLedgerItem;
  ageMs?: number;
}

async function rotateAll(context: CommandContext, backend: Backend, olderThanDays: number, options: { revokeOldNow: boolean; concurrency: number; dryRun: boolean }): Promise<number> {
  const { out, io } = context;
  const tenantctl = tenantctlFor(backend);
  out.line(`▶ rotate every live tenant's key older than ${olderThanDays} d${options.dryRun ? ' (dry run: nothing is rotated)' : ''} — ${backend.location}`);

  const live: TenantLedgerItem[] = [];
  for await (const item of backend.ledger.list({ states: ['active'] })) if (isTenant(item)) live.push(item);
  live.sort((a, b) => a.slug.localeCompare(b.slug));

  // Whose key is old enough: read first (the same bounded concurrency), so the count N is known
  // before the first rotation; a key that cannot be read or rotated is a failure of its own.
  const due: Candidate[] = [];
  const results: TenantRotation[] = [];
  await eachBounded(live, options.concurrency, () => false, async (item) => {
    try {
      const state = await rotatableKeyState(backend, item, io.now(), tenantctl);
      const ageMs = state.current?.ageMs;
      if (ageMs === undefined || ageMs > olderThanDays * DAY_MS) due.push({ item, ...(ageMs === undefined ? {} : { ageMs }) });
    } catch (err) {
      results.push(failure(item.orgId, err));
    }
  });
  due.sort((a, b) => a.item.slug.localeCompare(b.item.slug));
  const younger = live.length - due.length - results.length;
  out.line(`  ${due.length} of ${live.length} live ${live.length === 1 ? 'tenant has' : 'tenants have'} a key older than ${olderThanDays} d (${younger} younger${results.length ? `, ${results.length} not rotatable` : ''})`);
  for (const refused of results) out.line(`  ✗ ${refused.orgId}: ${refused.error ?? ''}`);

  const total = due.length;
  const width = String(total).length;
  const orgWidth = Math.max(0, ...due.map(({ item }) => item.orgId.length));
  const head = (item: TenantLedgerItem) => `  [${String(++done).padStart(width)}/${total}] ${item.orgId.padEnd(orgWidth)}`;
  let done = 0;
  let attempted = 0;
  let stopping = false;
  const off = options.dryRun
    ? undefined
    : io.onInterrupt?.(() => {
        if (stopping) io.exit?.(EXIT_INTERRUPTED);
        stopping = true;
        io.stderr('^C stopping after the rotations under way (Ctrl-C again to quit now; a rotation already started finishes in Secrets Manager)\n');
      });
  try {
    await eachBounded(due, options.dryRun ? total : options.concurrency, () => stopping, async ({ item, ageMs }) => {
      if (options.dryRun) {
        out.line(`${head(item)}  would rotate (${days(ageMs)})`);
        return;
      }
      attempted++;
      let result: TenantRotation;
      try {
        result = await rotateTenant(backend, item, tenantctl, { revokeOldNow: options.revokeOldNow, now: io.now });
      } catch (err) {
        result = failure(item.orgId, err);
      }
      if (ageMs !== undefined) result.previousKeyAgeMs ??= ageMs;
      results.push(result);
      const line =
        result.outcome === 'rotated'
          ? `${out.style.green('rotated')}  ${result.previousAccessKeyId ?? '?'} → ${result.accessKeyId ?? '?'} (was ${days(ageMs)}, ${formatDuration(result.durationMs)})${result.previousKeyDeactivated ? ', old key deactivated' : ''}`
          : `${out.style.red('failed ')}  ${result.error ?? ''}`;
      out.line(`${head(item)}  ${line}`);
    });
  } finally {
    off?.();
  }

  const rotated = results.filter((result) => result.outcome === 'rotated').length;
  const failed = results.filter((result) => result.outcome === 'failed').length;
  const notStarted = options.dryRun ? 0 : total - attempted;
  const summary = options.dryRun
    ? `${total} would be rotated, ${younger} younger than ${olderThanDays} d${failed ? `, ${failed} not rotatable` : ''}`
    : `${rotated} rotated, ${failed} failed, ${younger} younger than ${olderThanDays} d${notStarted ? `, ${notStarted} not started (interrupted)` : ''}`;
  out.line(`${live.length} live ${live.length === 1 ? 'tenant' : 'tenants'}: ${summary}`);
  out.result({
    mode: backend.mode,
    location: backend.location,
    olderThanDays,
    revokeOldNow: options.revokeOldNow,
    dryRun: options.dryRun,
    live: live.length,
    due: due.map(({ item, ageMs }) => ({ orgId: item.orgId, ...(ageMs === undefined ? {} : { keyAgeMs: ageMs }) })),
    results: results.sort((a, b) => a.orgId.localeCompare(b.orgId)),
    summary: { rotated, failed, younger, notStarted },
  });
  if (failed > 0) out.error(`${failed} of the ${live.length} live ${live.length === 1 ? 'tenant' : 'tenants'} ${failed === 1 ? 'was' : 'were'} not rotated: see above`);
  if (stopping) return EXIT_INTERRUPTED;
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

export const rotateCommand: Command = {
  spec: {
    name: 'rotate',
    summary: "rotate a tenant's access key now (a leaked key), or every live tenant's key older than an age",
    usage: 'rotate <orgId> [--revoke-old-now] | rotate --all --older-than <n>d [--revoke-old-now] [--concurrency <n>] [--dry-run]',
    description: [
      "Rotates the tenant's IAM access key through Secrets Manager's rotation of its secret, as the",
      'schedule does (every rotationDays, default 90): the rotation function creates a second key,',
      "proves it by signing as the tenant (STS and the tenant's own bucket or prefix), and makes it",
      'AWSCURRENT. The old key stays active for the stage\'s overlap (previousKeyOverlapDays, default',
      '7) so that the tenant\'s servers pick the new one up from the secret, then it is deactivated',
      'and the next rotation deletes it. The command waits until the rotation has finished.',
      'A secret without rotation gets the stage\'s schedule first. An earlier rotation that never',
      'finished is cleared first (on AWS once its AWSPENDING version is 15 min old): the rotation',
      'deletes the key it made.',
      '--revoke-old-now is the "key leaked" button: the old key is deactivated as soon as the new one',
      'is proven and current (and an earlier key still in its overlap, before rotating).',
      '--all --older-than <n>d rotates every active tenant whose current key (IAM\'s CreateDate of',
      'it, else the last rotation) is older than n days, a few at a time (--concurrency), with a',
      'line per tenant; one tenant\'s failure does not stop the others. --dry-run lists them only.',
      'Only an active tenant is rotated: a torn-down one\'s access is revoked, and a new key would',
      'give it back. Output names key ids and secret versions, never a secret.',
      'Exit status: 0 when every rotation succeeded; 1 when one failed or was refused; 2 bad usage;',
      '130 when --all was interrupted (the rotations under way finish).',
    ].join('\n'),
    options: {
      'revoke-old-now': { type: 'boolean', help: 'deactivate the old key as soon as the new one is proven (a leaked key)' },
      all: { type: 'boolean', help: 'every live (active) tenant whose key is older than --older-than' },
      'older-than': { type: 'string', value: '<n>d', help: 'with --all: the key age in days above which a key is rotated (0d: every key)' },
      concurrency: { type: 'string', value: '<n>', help: `with --all: rotations at once, 1 to ${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})` },
      'dry-run': { type: 'boolean', help: 'with --all: list the tenants that would be rotated, rotate none' },
    },
    positionals: { min: 0, max: 1 },
    examples: [
      'tenantctl rotate Acme-Bistro-42',
      'tenantctl rotate Acme-Bistro-42 --revoke-old-now   # the key leaked',
      'tenantctl rotate --all --older-than 90d --dry-run',
      'tenantctl rotate --all --older-than 90d --json > rotation-report.json',
    ],
  },
  async run(context) {
    const orgId = context.positionals[0];
    const all = flag(context, 'all');
    const olderThan = stringOption(context, 'older-than');
    const concurrencyText = stringOption(context, 'concurrency');
    const dryRun = flag(context, 'dry-run');
    const revokeOldNow = flag(context, 'revoke-old-now');
    if (orgId !== undefined && all) throw new UsageError('Give an orgId or --all, not both', 'rotate');
    if (orgId === undefined && !all) throw new UsageError('Missing argument: tenantctl rotate <orgId>, or --all --older-than <n>d', 'rotate');
    if (!all) {
      const allOnly = [olderThan !== undefined && '--older-than', concurrencyText !== undefined && '--concurrency', dryRun && '--dry-run'].filter(Boolean);
      if (allOnly.length) throw new UsageError(`${allOnly.join(', ')} ${allOnly.length === 1 ? 'applies' : 'apply'} only with --all`, 'rotate');
      checked('rotate', () => parseOrgCreatedDetail({ orgId }));
      return rotateOne(context, await context.backend(), orgId as string, revokeOldNow);
    }
    if (olderThan === undefined) throw new UsageError('--all needs --older-than <n>d (--older-than 0d rotates every live tenant\'s key)', 'rotate');
    const olderThanDays = parseOlderThan(olderThan);
    const concurrency = concurrencyText === undefined ? DEFAULT_CONCURRENCY : parseWholeNumber('concurrency', concurrencyText, 1, MAX_CONCURRENCY);
    return rotateAll(context, await context.backend(), olderThanDays, { revokeOldNow, concurrency, dryRun });
  },
};
