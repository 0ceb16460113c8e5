import { MAX_RETENTION_DAYS } from '../../functions/lib/config';
import { parseOrgDeletedDetail } from '../../functions/lib/events';
import { tenantSlug } from '../../functions/lib/naming';
import { parseWholeNumber } from '../args';
import { checked, flag, stringOption, type Command } from '../context';
import { expectOrgDeleted } from '../tenant/expectations';
import { tenantGenerations } from '../tenant/generations';
import { finish, putAndFollow } from './lifecycle';

interface DeprovisionedDetail {
  bucket?: string;
  objectsDeleted?: number;
  retentionDays?: number;
  deleted?: string[];
  leftAlone?: { resource: string; reason: string }[];
}

export const teardownCommand: Command = {
  spec: {
    name: 'teardown',
    summary: 'put OrgDeleted as the POS system does, and follow the teardown',
    usage: 'teardown <orgId> [--retention-days <days>] [--no-wait]',
    description: [
      'Puts the same OrgDeleted event the POS system puts, then follows the teardown the router',
      'starts: access is revoked at once (keys deactivated, bucket policy deleted), the data is kept',
      'for the retention period, then the secret, keys, user and bucket are deleted — only what is',
      "tagged as the tenant's. A provisioning still running is stopped first by the router.",
      'With a retention period, following stops once access is revoked and the wait begins; the',
      'teardown continues by itself afterwards (see `tenantctl status`).',
      'Exit status: 0 when the teardown succeeded or is waiting out its retention, 1 when it failed.',
    ].join('\n'),
    options: {
      'retention-days': { type: 'string', value: '<days>', help: "days to keep the revoked data before deletion (0–350; default: the stage's, 7)" },
      'no-wait': { type: 'boolean', help: 'return once the execution has started' },
    },
    positionals: { min: 1, max: 1 },
    examples: ['tenantctl teardown Acme-Bistro-42 --retention-days 0', 'tenantctl teardown Acme-Bistro-42 --no-wait'],
  },
  async run(context) {
    const orgId = context.positionals[0] as string;
    const days = stringOption(context, 'retention-days');
    const retentionDays = days === undefined ? undefined : parseWholeNumber('retention-days', days, 0, MAX_RETENTION_DAYS);
    const detail = checked('teardown', () => parseOrgDeletedDetail({ orgId, ...(retentionDays === undefined ? {} : { retentionDays }) }));
    const backend = await context.backend();
    const slug = tenantSlug(orgId);
    const expected = expectOrgDeleted(orgId, slug, await tenantGenerations(backend.executions, slug));
    const { document, followed } = await putAndFollow(context, backend, 'OrgDeleted', { ...detail }, expected, flag(context, 'no-wait'));

    const code = finish(context, document, followed);
    const published = (followed?.record.output as { published?: { detail?: DeprovisionedDetail } } | undefined)?.published?.detail;
    if (published && followed?.record.status === 'SUCCEEDED') {
      const { out } = context;
      out.line();
      const objects = published.objectsDeleted ?? 0;
      out.line(`Deleted (${objects} ${objects === 1 ? 'object' : 'objects'})`);
      for (const resource of published.deleted ?? []) out.line(`  ${resource}`);
      if (published.leftAlone?.length) {
        out.line('Left alone (not the tenant\'s)');
        for (const { resource, reason } of published.leftAlone) out.line(`  ${resource}: ${reason}`);
      }
      out.result({ ...document, deprovisioned: published });
    }
    return code;
  },
};
