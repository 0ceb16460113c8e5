import type { ExecutionRecord } from '../../../../functions/lib/executions';
import { decisionContextOf } from '../../../../cli/tenant/ledger';
import { assessRedrive } from '../../../../cli/tenant/redrive-assessment';
import { createWorld, type World } from '../world';

/** The redrive assessment of execution `name`, as the world's Step Functions describes it, for tenant Acme as its ledger has it. */
async function assess(world: World, workflow: ExecutionRecord['workflow'], name: string) {
  const record = await world.executions.describe(workflow, name);
  if (!record) throw new Error(`no execution ${name}`);
  return assessRedrive(record, 'Acme', await world.ledger.get('acme'), decisionContextOf(world.backend(), world.clock()));
}

describe('assessRedrive', () => {
  it("allows the ledger's parked run that gave up at a Task, within the 14-day window", async () => {
    const world = createWorld();
    await world.parkedTeardown('Acme');

    expect(await assess(world, 'teardown', 'acme-g1-teardown')).toEqual({ redrivable: true });
  });

  it('says to wait a few minutes first when the run parked on AWS still settling (a bucket name deleted moments before)', async () => {
    const world = createWorld();
    world.executions.outcomes.set('acme-g1-provision', { kind: 'give-up', state: 'CreateTenantBucket', error: 'BucketNameSettlingError', cause: 'S3 is still settling an operation on bucket name fusion-rms-acme' });
    await world.route('OrgCreated', { orgId: 'Acme' });
    await world.settle();

    expect(await assess(world, 'provision', 'acme-g1-provision')).toEqual({
      redrivable: true,
      firstDo: 'wait a few minutes: S3 is still settling an operation on the bucket name (its deletion moments before, typically)',
    });
  });

  it('refuses what Step Functions reports NOT_REDRIVABLE, with its reason', async () => {
    const world = createWorld();
    await world.parkedTeardown('Acme');
    world.executions.outOfRedriveWindow('teardown', 'acme-g1-teardown');

    expect(await assess(world, 'teardown', 'acme-g1-teardown')).toEqual({
      redrivable: false,
      reason: 'Step Functions will not redrive it: Execution ended more than 14 days ago',
    });
  });

  it('suggests a new generation for a parked provisioning Step Functions will not redrive (the lifecycle rules would start one)', async () => {
    const world = createWorld();
    await world.parkedProvisioning('Acme');
    world.executions.outOfRedriveWindow('provision', 'acme-g1-provision');

    expect(await assess(world, 'provision', 'acme-g1-provision')).toMatchObject({ redrivable: false, suggestion: 'npx tenantctl provision Acme --new-generation' });
  });

  it('refuses a provisioning that rolled back to its Fail state, with --new-generation instead', async () => {
    const world = createWorld();
    await world.rolledBack('Acme');

    expect(await assess(world, 'provision', 'acme-g1-provision')).toEqual({
      redrivable: false,
      reason: 'it ended in its Fail state ProvisioningFailed after rolling back what it had created (TenantUserConflictError): a redrive would re-enter that Fail state and fail again',
      suggestion: 'fix the cause, then: npx tenantctl provision Acme --new-generation',
    });
  });

  it('refuses a run the ledger has moved past (a provisioning OrgDeleted stopped), in the lifecycle rules\' words', async () => {
    const world = createWorld();
    await world.route('OrgCreated', { orgId: 'Acme' });
    await world.route('OrgDeleted', { orgId: 'Acme', retentionDays: 7 });
    await world.settle();
    expect((await world.executions.describe('provision', 'acme-g1-provision'))?.status).toBe('ABORTED');

    expect(await assess(world, 'provision', 'acme-g1-provision')).toMatchObject({
      redrivable: false,
      reason: expect.stringMatching(/^acme-g1-provision is no longer tenant acme's current run /),
    });
  });

  it('refuses an execution that has not failed', async () => {
    const world = createWorld();
    await world.provisioned('Acme');

    expect(await assess(world, 'provision', 'acme-g1-provision')).toEqual({
      redrivable: false,
      reason: 'it is SUCCEEDED; only a failed, timed-out or aborted execution can be redriven',
    });
  });
});
