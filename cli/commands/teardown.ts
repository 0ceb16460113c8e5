import { MAX_RETENTION_DAYS } from '../../functions/lib/config';
import { parseOrgDeletedDetail } from '../../functions/lib/events';
import { parseWholeNumber } from '../args';
import { checked, flag, stringOption, type Command } from '../context';
import { noTenant, tenantItem } from '../tenant/ledger';
import { finish, putAndFollow } from './lifecycle';
import { publishedDetail } from '../../functions/lib/publish';

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
      'Decides OrgDeleted against the tenant ledger with the router\'s own rules, puts the same event',
      'the POS system puts when the router would act on it, then follows the teardown the router',
      'starts (<slug>-g<N>-teardown): access is revoked at once (keys deactivated, bucket policy',
      'deleted), the data is kept for the retention period, then the secret, keys, user and bucket',
      "are deleted — only what is tagged as the tenant's, in the region the ledger recorded. A",
      'provisioning or restore still running is stopped first by the router.',
      'With a retention period, following stops once access is revoked and the wait begins; the',
      'teardown continues by itself afterwards (see `tenantctl status`), and until it begins',
      'deleting, `tenantctl restore` gives the tenant its access back.',
      'An org the ledger has no tenant for is refused (`no tenant <orgId>`) and nothing is put.',
      'Exit status: 0 when the teardown succeeded or is waiting out its retention, 1 when it failed',
      'or there is no such tenant.',
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
    // The router would only acknowledge (and log) OrgDeleted for an org without a tenant.
    if (!(await tenantItem(backend, detail.orgId))) throw noTenant(detail.orgId);
    const request = {
      kind: 'OrgDeleted' as const,
      orgId: detail.orgId,
      ...(detail.retentionDays === undefined ? {} : { retentionDays: detail.retentionDays }),
      eventTime: context.io.now().toISOString(),
    };
    const { document, followed, code: decided } = await putAndFollow(context, backend, request, { ...detail }, flag(context, 'no-wait'));

    const code = finish(context, document, followed, decided);
    const published = publishedDetail<DeprovisionedDetail>(followed?.record.output);
    if (published && followed?.record.status === 'SUCCEEDED') {
      const { out } = context;
      out.line();
      const objects = published.objectsDeleted ?? 0;
      const contents = objects === 0 ? ', empty' : `, with its ${objects} ${objects === 1 ? 'object' : 'objects'}`;
      out.line('Deleted');
      for (const resource of published.deleted ?? []) out.line(`  ${resource}${resource.startsWith('bucket ') ? contents : ''}`);
      if (published.leftAlone?.length) {
        out.line('Left alone (not the tenant\'s)');
        for (const { resource, reason } of published.leftAlone) out.line(`  ${resource}: ${reason}`);
      }
      out.result({ ...document, deprovisioned: published });
    }
    return code;
  },
};
