import { parseOrgCreatedDetail } from '../../functions/lib/events';
import { parseWholeNumber } from '../args';
import type { Backend } from '../backend';
import { checked, flag, stringOption, type Command, type CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK, UsageError } from '../errors';
import { tenantctlFor } from '../invocation';
import { formatDuration, formatTime } from '../output';
import { noTenant, tenantItem } from '../tenant/ledger';
import { notRotatable, rotateTenant, type TenantRotation } from '../tenant/rotate-tenant';
import { rotateAll, scheduleAll } from './rotate-all';

/** Rotations at once with --all: each waits mostly on IAM propagating its new key, and IAM takes ten writes a second. */
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 10;

/** `--older-than 90d`: whole days only, as IAM.3's "rotated every 90 days" counts. */
export function parseOlderThan(text: string): number {
  const match = /^(\d{1,5})d$/.exec(text.trim());
  if (!match) throw new UsageError(`--older-than ${JSON.stringify(text)} must be a number of days such as 90d (days only: a key's age is counted in days)`, 'rotate');
  return Number(match[1]);
}

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

export const rotateCommand: Command = {
  spec: {
    name: 'rotate',
    summary: "rotate a tenant's access key now (a leaked key), or every live tenant's older than an age, or only schedule their rotation",
    usage: 'rotate <orgId> [--revoke-old-now] | rotate --all --older-than <n>d [--revoke-old-now] [--concurrency <n>] [--dry-run] | rotate --all --schedule-only [--concurrency <n>] [--dry-run]',
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
      'A younger key whose secret has no rotation schedule is put on the stage\'s, not rotated.',
      '--all --schedule-only rotates nothing: it puts every active tenant whose secret has no',
      'rotation schedule (provisioned before rotation existed, or cancelled), or another interval',
      'than the stage\'s rotationDays, on the stage\'s schedule (RotateSecret with the stage\'s',
      'rotation function and RotateImmediately false), a line per tenant; one already on it is left',
      'alone. Refused when the stage schedules none (rotationDays 0).',
      'Only an active tenant is rotated or scheduled: a torn-down one\'s access is revoked, and a new key would',
      'give it back. Output names key ids and secret versions, never a secret.',
      'Exit status: 0 when every rotation or schedule succeeded; 1 when one failed or was refused;',
      '2 bad usage; 130 when --all was interrupted (the rotations under way finish).',
    ].join('\n'),
    options: {
      'revoke-old-now': { type: 'boolean', help: 'deactivate the old key as soon as the new one is proven (a leaked key)' },
      all: { type: 'boolean', help: 'every live (active) tenant: whose key is older than --older-than, or with --schedule-only' },
      'older-than': { type: 'string', value: '<n>d', help: 'with --all: the key age in days above which a key is rotated (0d: every key)' },
      concurrency: { type: 'string', value: '<n>', help: `with --all: rotations at once, 1 to ${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})` },
      'schedule-only': { type: 'boolean', help: "with --all: put every live tenant on the stage's rotation schedule (rotationDays), rotate none" },
      'dry-run': { type: 'boolean', help: 'with --all: list the tenants that would be rotated or scheduled, change none' },
    },
    positionals: { min: 0, max: 1 },
    examples: [
      'tenantctl rotate Acme-Bistro-42',
      'tenantctl rotate Acme-Bistro-42 --revoke-old-now   # the key leaked',
      'tenantctl rotate --all --older-than 90d --dry-run',
      'tenantctl rotate --all --older-than 90d --json > rotation-report.json',
      'tenantctl rotate --all --schedule-only --dry-run   # tenants provisioned before rotation'
    ],
  },
  async run(context) {
    const orgId = context.positionals[0];
    const all = flag(context, 'all');
    const olderThan = stringOption(context, 'older-than');
    const concurrencyText = stringOption(context, 'concurrency');
    const dryRun = flag(context, 'dry-run');
    const revokeOldNow = flag(context, 'revoke-old-now');
    const scheduleOnly = flag(context, 'schedule-only');
    if (orgId !== undefined && all) throw new UsageError('Give an orgId or --all, not both', 'rotate');
    if (orgId === undefined && !all) throw new UsageError('Missing argument: tenantctl rotate <orgId>, or --all --older-than <n>d', 'rotate');
    if (!all) {
      const allOnly = [olderThan !== undefined && '--older-than', scheduleOnly && '--schedule-only', concurrencyText !== undefined && '--concurrency', dryRun && '--dry-run'].filter(Boolean);
      if (allOnly.length) throw new UsageError(`${allOnly.join(', ')} ${allOnly.length === 1 ? 'applies' : 'apply'} only with --all`, 'rotate');
      checked('rotate', () => parseOrgCreatedDetail({ orgId }));
      return rotateOne(context, await context.backend(), orgId as string, revokeOldNow);
    }
    const concurrency = concurrencyText === undefined ? DEFAULT_CONCURRENCY : parseWholeNumber('concurrency', concurrencyText, 1, MAX_CONCURRENCY);
    if (scheduleOnly) {
      const rotating = [olderThan !== undefined && '--older-than', revokeOldNow && '--revoke-old-now'].filter(Boolean);
      if (rotating.length) throw new UsageError(`--schedule-only rotates no key: it cannot be combined with ${rotating.join(' or ')} (run \`rotate --all --older-than <n>d\` for that)`, 'rotate');
      return scheduleAll(context, await context.backend(), { concurrency, dryRun });
    }
    if (olderThan === undefined) throw new UsageError('--all needs --older-than <n>d (--older-than 0d rotates every live tenant\'s key), or --schedule-only', 'rotate');
    const olderThanDays = parseOlderThan(olderThan);
    return rotateAll(context, await context.backend(), olderThanDays, { revokeOldNow, concurrency, dryRun });
  },
};
