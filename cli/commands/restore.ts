import { parseOrgCreatedDetail } from '../../functions/lib/events';
import { checked, flag, type Command } from '../context';
import { WORKFLOW_MACHINE } from '../output';
import { decidedOf, documentOf, finish, follow, reportUnfollowed } from './lifecycle';

export const restoreCommand: Command = {
  spec: {
    name: 'restore',
    summary: 'give a torn-down tenant its access back while its teardown is still in the retention period',
    usage: 'restore <orgId> [--no-wait]',
    description: [
      'The undo of an accidental OrgDeleted. While the teardown of a tenant is revoking access or',
      'waiting out its retention period (the ledger says revoking or retained), restore stops that',
      'teardown and starts <slug>-g<N>-restore, which activates the access keys the teardown',
      'deactivated and applies the bucket policy again; the tenant is active again and one',
      'OrgRestored event says so. Then it follows the restore until it ends.',
      'Once the teardown has begun deleting, there is nothing to restore: refused, with the reason',
      '(the same rules the router applies to an OrgCreated during the retention period).',
      'Exit status: 0 when the restore succeeded, 1 when it was refused or failed.',
    ].join('\n'),
    options: {
      'no-wait': { type: 'boolean', help: 'return once the restore has started' },
    },
    positionals: { min: 1, max: 1 },
    examples: ['tenantctl restore Acme-Bistro-42   # runs acme-bistro-42-g1-restore', 'tenantctl restore Acme-Bistro-42 --no-wait --json'],
  },
  async run(context) {
    const orgId = context.positionals[0] as string;
    checked('restore', () => parseOrgCreatedDetail({ orgId }));
    const backend = await context.backend();
    const result = await backend.lifecycle({ kind: 'restore', orgId, by: 'tenantctl restore' });
    const document = documentOf(orgId, backend, decidedOf(result));
    if ((result.action !== 'started' && result.action !== 'duplicate') || !result.executionName) {
      return finish(context, document, undefined, reportUnfollowed(context, document, { subject: 'the restore', declined: 'not restoring' }));
    }
    const { out } = context;
    out.line(`▶ restore of ${orgId} — ${backend.location}`);
    if (result.stopped) out.line(`  stopped first: ${WORKFLOW_MACHINE[result.stopped.workflow]} ${result.stopped.name}`);
    out.line(`  ${result.action === 'started' ? 'started' : 'already under way'}: ${WORKFLOW_MACHINE.restore} ${result.executionName}`);
    const { document: followedDocument, followed } = await follow(context, backend, document, flag(context, 'no-wait'));
    return finish(context, followedDocument, followed);
  },
};
