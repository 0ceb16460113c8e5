import { parseOrgCreatedDetail } from '../../functions/lib/events';
import { executionName, tenantSlug } from '../../functions/lib/naming';
import { provisionInputOf } from '../../functions/lib/tenant';
import type { ProvisionInput } from '../../functions/lib/types';
import type { Backend } from '../backend';
import { checked, flag, stringOption, type Command, type CommandContext } from '../context';
import { CliError } from '../errors';
import { WORKFLOW_MACHINE } from '../output';
import { expectOrgCreated } from '../tenant/expectations';
import { isRunning, latestOf, orgIdOf, tenantGenerations } from '../tenant/generations';
import { provisionedDetail } from '../tenant/names';
import { finish, followStarted, putAndFollow, type LifecycleDocument } from './lifecycle';

/**
 * `--new-generation`: starts `org-<slug>-g<N+1>` directly, for a tenant whose latest
 * provisioning failed (or was torn down). Refused while anything of the tenant runs, or when
 * its latest provisioning succeeded and was not torn down (the tenant exists).
 */
async function startNewGeneration(context: CommandContext, backend: Backend, input: ProvisionInput): Promise<LifecycleDocument> {
  const { out } = context;
  const slug = tenantSlug(input.orgId);
  const generations = await tenantGenerations(backend.executions, slug);
  const latest = latestOf(generations);
  const existing = orgIdOf(latest?.provision ?? latest?.teardown);
  if (existing && existing !== input.orgId) throw new CliError(`orgId ${JSON.stringify(input.orgId)} collides case-insensitively with existing org ${JSON.stringify(existing)}`);
  for (const record of [latest?.provision, latest?.teardown]) {
    if (record && isRunning(record.status)) {
      throw new CliError(`Not starting a new generation: ${WORKFLOW_MACHINE[record.workflow]} ${record.name} is ${record.status} (tenantctl status ${input.orgId})`);
    }
  }
  if (latest?.provision?.status === 'SUCCEEDED' && !latest.teardown) {
    throw new CliError(`Not starting a new generation: the tenant exists (${latest.provision.name} SUCCEEDED and was not torn down)`);
  }
  const name = executionName(slug, (latest?.generation ?? 0) + 1);
  out.line(`▶ provision-tenant ${name} started directly (--new-generation; the previous generation ${latest?.name ?? '—'} stays as it is) — ${backend.location}`);
  const started = await backend.startExecution('provision', name, input);
  if (!started.started) throw new CliError(`The execution name ${name} is already taken: run the command again`);
  out.line(`  started: provision-tenant ${name}`);
  return { orgId: input.orgId, mode: backend.mode, outcome: 'started', workflow: 'provision', stateMachine: WORKFLOW_MACHINE.provision, executionName: name };
}

export const provisionCommand: Command = {
  spec: {
    name: 'provision',
    summary: 'put OrgCreated as the POS system does, and follow the provisioning',
    usage: 'provision <orgId> [--name <orgName>] [--region <region>] [--no-wait] [--new-generation]',
    description: [
      'Puts the same OrgCreated event the POS system puts (source pos.signup, on the stage\'s bus;',
      'locally through the real router), then follows the provisioning the router starts with a',
      'live display of its states until it ends. A duplicate of a running provisioning follows that',
      'one; for a tenant that exists the router re-emits OrgProvisioned.',
      '',
      '--new-generation is the operators\' override for a tenant whose latest provisioning failed',
      'in a way a redrive cannot repair (it rolled back and ended in ProvisioningFailed, or ended',
      'more than 14 days ago): it starts the next generation org-<slug>-g<N+1> directly with the',
      'same input, not through the router. Fix the cause first (e.g. the IAM user or secret of',
      'the same name that belongs to something else). It is refused while the tenant has a running',
      'execution, or when the tenant exists.',
      'Exit status: 0 when the provisioning succeeded (or the tenant exists), 1 when it failed or was not started.',
    ].join('\n'),
    options: {
      name: { type: 'string', value: '<orgName>', help: "the organisation's display name (OrgCreated's orgName)" },
      region: { type: 'string', value: '<region>', help: "the tenant bucket's region (one of the stage's allowed regions)" },
      'no-wait': { type: 'boolean', help: 'return once the execution has started' },
      'new-generation': { type: 'boolean', help: 'start the next generation directly (see above)' },
    },
    positionals: { min: 1, max: 1 },
    examples: ['tenantctl provision Acme-Bistro-42 --name "Acme Bistro"', 'tenantctl provision Acme-Bistro-42 --new-generation'],
  },
  async run(context) {
    const orgId = context.positionals[0] as string;
    const orgName = stringOption(context, 'name');
    const region = stringOption(context, 'region');
    const detail = checked('provision', () =>
      parseOrgCreatedDetail({ orgId, ...(orgName === undefined ? {} : { orgName }), ...(region === undefined ? {} : { region }) }),
    );
    const input = provisionInputOf(detail);
    const noWait = flag(context, 'no-wait');
    const backend = await context.backend();

    const { document, followed } = flag(context, 'new-generation')
      ? await followStarted(context, backend, await startNewGeneration(context, backend, input), noWait)
      : await putAndFollow(context, backend, 'OrgCreated', { ...input }, expectOrgCreated(orgId, tenantSlug(orgId), await tenantGenerations(backend.executions, tenantSlug(orgId))), noWait);

    const code = finish(context, document, followed);
    const tenant = provisionedDetail(followed?.record);
    if (tenant) {
      const { out } = context;
      out.line();
      out.line('Tenant');
      out.line(`  bucket      ${tenant.bucket.name} (${tenant.bucket.region})`);
      out.line(`  user        ${tenant.user.arn}`);
      out.line(`  secret      ${tenant.credentials.secretName}`);
      out.line(`  public URL  ${tenant.bucket.publicBaseUrl}`);
      out.line(`  handoff     tenantctl ${backend.mode === 'local' ? '--local ' : ''}credentials ${orgId}`);
      out.result({ ...document, tenant });
    }
    return code;
  },
};
