import { parseOrgCreatedDetail } from '../../functions/lib/events';
import type { OrgProvisionedDetail } from '../../functions/lib/publish';
import { tenantSlug } from '../../functions/lib/naming';
import { assertAllowedRegion } from '../../functions/lib/tenant';
import { tenantLines } from '../../local/output/tenant';
import type { Backend } from '../backend';
import { checked, flag, stringOption, type Command, type CommandContext } from '../context';
import { UsageError } from '../errors';
import type { FollowResult } from '../follow';
import { WORKFLOW_MACHINE } from '../output';
import { provisionedDetail } from '../tenant/names';
import { decidedOf, documentOf, finish, follow, putAndFollow, reportUnfollowed, type LifecycleDocument } from './lifecycle';
import { tenantctlFor } from '../invocation';

/** A region the stage does not allow is bad usage: the router would reject it (OrgProvisioningFailed) and start nothing. */
function assertStageRegion(backend: Backend, region: string | undefined): void {
  if (region === undefined) return;
  try {
    checked('provision', () => assertAllowedRegion(region, backend.config, 'OrgCreated'));
  } catch (err) {
    if (err instanceof UsageError && backend.mode === 'aws') {
      throw new UsageError(`${err.message} (the stage's allowed regions as tenantctl knows them: set TENANT_PROVISIONER_ALLOWED_REGIONS if the stage was deployed with others)`, 'provision');
    }
    throw err;
  }
}

/**
 * `--new-generation`: the lifecycle rules start generation N+1 for a tenant whose provisioning
 * rolled back or parked, or that was torn down; they refuse (with the reason) while it is active
 * or anything of it is under way.
 */
async function startNewGeneration(context: CommandContext, backend: Backend, request: { orgId: string; orgName?: string; region?: string }, noWait: boolean): Promise<{ document: LifecycleDocument; followed?: FollowResult; code?: number }> {
  const { out } = context;
  const result = await backend.lifecycle({ kind: 'new-generation', ...request, by: 'tenantctl provision --new-generation' });
  const document = documentOf(request.orgId, backend, decidedOf(result));
  if (result.action !== 'started' || !result.executionName) return { document, code: reportUnfollowed(context, document, { subject: 'the new generation', declined: 'not starting a new generation' }) };
  out.line(`▶ generation ${result.generation ?? ''} of ${request.orgId} (--new-generation; the previous generation stays as it is) — ${backend.location}`);
  out.line(`  started: ${WORKFLOW_MACHINE.provision} ${result.executionName}`);
  return follow(context, backend, document, noWait);
}

/** The tenant as its provisioning announced it: the ledger's OrgProvisioned detail, else the execution's output. */
async function announcedTenant(backend: Backend, orgId: string, followed: FollowResult | undefined): Promise<OrgProvisionedDetail | undefined> {
  if (followed && followed.record.status !== 'SUCCEEDED') return undefined;
  const item = await backend.ledger.get(tenantSlug(orgId));
  return (item?.state === 'active' ? item.provisioned : undefined) ?? provisionedDetail(followed?.record);
}

export const provisionCommand: Command = {
  spec: {
    name: 'provision',
    summary: 'put OrgCreated as the POS system does, and follow the provisioning (or restore)',
    usage: 'provision <orgId> [--name <orgName>] [--region <region>] [--no-wait] [--new-generation]',
    description: [
      'Decides OrgCreated against the tenant ledger with the router\'s own rules, puts the same event',
      'the POS system puts (source pos.signup, on the stage\'s bus; locally through the real router)',
      'when the router would act on it, then follows the run it starts with a live display of its',
      'states until it ends: the provisioning <slug>-g<N>-provision of a new tenant (or of the next',
      'generation after a teardown), or the restore <slug>-g<N>-restore of a tenant still in its',
      'retention period. A duplicate of a running provisioning follows that one; for a tenant that',
      'exists the router emits OrgProvisioned again. A tenant whose provisioning rolled back or',
      'parked is left to operators: nothing is put, and the reason says what to do.',
      '',
      '--new-generation is the operators\' request for a tenant whose provisioning rolled back (or',
      'parked and cannot be redriven), or that was torn down: it starts the next generation',
      '<slug>-g<N+1>-provision through the ledger, not through the router. Fix the cause first (e.g.',
      'the IAM user or secret of the same name that belongs to something else). The ledger refuses it',
      'while the tenant is active or anything of it is under way.',
      'Exit status: 0 when the provisioning succeeded (or the tenant exists), 1 when it failed or was',
      'not started, 2 for bad input (an invalid orgId, a region the stage does not allow).',
    ].join('\n'),
    options: {
      name: { type: 'string', value: '<orgName>', help: "the organisation's display name (OrgCreated's orgName)" },
      region: { type: 'string', value: '<region>', help: "the tenant bucket's region (one of the stage's allowed regions)" },
      'no-wait': { type: 'boolean', help: 'return once the execution has started' },
      'new-generation': { type: 'boolean', help: 'start the next generation through the ledger (see above)' },
    },
    positionals: { min: 1, max: 1 },
    examples: ['tenantctl provision Acme-Bistro-42 --name "Acme Bistro"', 'tenantctl provision Acme-Bistro-42 --new-generation   # starts acme-bistro-42-g2-provision'],
  },
  async run(context) {
    const orgId = context.positionals[0] as string;
    const orgName = stringOption(context, 'name');
    const region = stringOption(context, 'region');
    const detail = checked('provision', () =>
      parseOrgCreatedDetail({ orgId, ...(orgName === undefined ? {} : { orgName }), ...(region === undefined ? {} : { region }) }),
    );
    const noWait = flag(context, 'no-wait');
    const backend = await context.backend();
    assertStageRegion(backend, detail.region);
    const request = { orgId: detail.orgId, ...(detail.orgName === undefined ? {} : { orgName: detail.orgName }), ...(detail.region === undefined ? {} : { region: detail.region }) };

    const { document, followed, code } = flag(context, 'new-generation')
      ? await startNewGeneration(context, backend, request, noWait)
      : await putAndFollow(context, backend, { kind: 'OrgCreated', ...request, eventTime: context.io.now().toISOString() }, { ...request }, noWait);

    const exit = finish(context, document, followed, code);
    if (document.workflow === 'restore' || (document.outcome !== 'reprovisioned-event' && !followed)) return exit;
    const tenant = await announcedTenant(backend, orgId, followed);
    if (tenant) {
      const { out } = context;
      out.line();
      for (const line of tenantLines(tenant, { handoff: `${tenantctlFor(backend)} credentials ${orgId}` })) out.line(line);
      out.result({ ...document, tenant });
    }
    return exit;
  },
};
