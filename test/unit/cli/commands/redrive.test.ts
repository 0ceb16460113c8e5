import 'aws-sdk-client-mock-jest';
import { redriveClientToken } from '../../../../cli/commands/redrive';
import { createWorld } from '../world';

describe('tenantctl redrive', () => {
  it('says the state the tenant returned to, not where a fast run had already got to, when the run recorded itself first', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Acme');
    world.executions.finishOnRedrive = true;

    const run = await world.tenantctl(['redrive', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  the ledger has tenant Acme deleting again\n');
    expect((await world.item('acme')).state).toBe('deleted');
  });

  it("redrives the ledger's parked run with a clientToken of its failure, records the redrive in the ledger, and follows it to its end", async () => {
    const world = createWorld('aws');
    const parked = await world.parkedTeardown('Acme');
    const executionArn = parked.parked?.executionArn as string;

    const run = await world.tenantctl(['redrive', 'Acme']);

    expect(run.code).toBe(0);
    expect(world.executions.redrives).toEqual([{ workflow: 'teardown', name: 'acme-g1-teardown', clientToken: redriveClientToken({ executionArn, redriveCount: 0 }) }]);
    expect(world.lifecycleRequests).toEqual([{ kind: 'resume', slug: 'acme', executionArn, by: 'tenantctl redrive' }]);
    expect(run.stdout).toContain('Redriven teardown-tenant acme-g1-teardown (was FAILED at DeleteTenantCredentials): resumes at the failed state DeleteTenantCredentials\n');
    expect(run.stdout).toContain('  the ledger has tenant Acme deleting again\n');
    expect(run.stdout).toMatch(/ {4}↺ redriven \(1\): resumes at the failed state\n {4}✓ DeleteTenantCredentials/);
    expect(run.stdout).toMatch(/ {2}SUCCEEDED in .* \(since redrive 1\) — resumed at the failed state DeleteTenantCredentials\n$/);
    const item = await world.item('acme');
    expect(item.state).toBe('deleted');
    expect(item.history.map((entry) => entry.to).slice(-3)).toEqual(['parked', 'deleting', 'deleted']);
    expect(item.history.at(-2)).toMatchObject({ by: 'tenantctl redrive', reason: 'acme-g1-teardown redriven' });
  });

  it('says nothing more when the redriven run already got on before its redrive was recorded, and warns when the ledger moved past it', async () => {
    const world = createWorld('local');
    const parked = await world.parkedTeardown('Acme');
    const lifecycle = jest.spyOn(world, 'lifecycle');
    lifecycle.mockResolvedValueOnce({ action: 'superseded', slug: 'acme', reason: 'it got on', item: { ...parked, state: 'deleted', parked: undefined } });

    const finished = await world.tenantctl(['redrive', 'Acme', '--no-wait']);

    expect(finished.code).toBe(0);
    expect(finished.stderr).toBe('');
    expect(finished.stdout).not.toContain('the ledger has tenant');

    const other = await createWorld('local').parkedTeardown('Acme');
    const moved = createWorld('local');
    await moved.parkedTeardown('Acme');
    jest.spyOn(moved, 'lifecycle').mockResolvedValueOnce({ action: 'superseded', slug: 'acme', reason: 'a newer run', item: { ...other, state: 'active', parked: undefined, teardown: { ...(other.teardown as NonNullable<typeof other.teardown>), arn: 'arn:other' } } });

    const warned = await moved.tenantctl(['redrive', 'Acme', '--no-wait']);

    expect(warned.stderr).toBe('tenantctl: warning: the ledger did not record the redrive: a newer run\n');
  });

  it('redrives a provisioning that gave up at a step (parked in provisioning) and the tenant becomes active', async () => {
    const world = createWorld('local');
    await world.parkedProvisioning('Acme');

    const run = await world.tenantctl(['redrive', 'Acme', '--json']);

    expect(run.code).toBe(0);
    expect(run.json().results).toEqual([expect.objectContaining({ action: 'redriven', name: 'acme-g1-provision', state: 'provisioning', finalStatus: 'SUCCEEDED', from: 'failed-state' })]);
    expect((await world.item('acme')).state).toBe('active');
  });

  it('refuses the provisioning of a rolled-back tenant on stderr, suggesting only --new-generation, and redrives nothing', async () => {
    const world = createWorld('aws');
    await world.rolledBack('Acme');

    const run = await world.tenantctl(['redrive', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'tenantctl: not redriving provision-tenant acme-g1-provision (FAILED at ProvisioningFailed): it ended in its Fail state ProvisioningFailed after rolling back what it had created (TenantUserConflictError): a redrive would re-enter that Fail state and fail again\n' +
        'tenantctl: instead: fix the cause, then: npx tenantctl provision Acme --new-generation\n',
    );
    expect(world.executions.redrives).toEqual([]);
    expect(world.lifecycleRequests).toEqual([]);
  });

  it('refuses a run Step Functions will not redrive (ended more than 14 days ago)', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Acme');
    world.executions.outOfRedriveWindow('teardown', 'acme-g1-teardown');

    const run = await world.tenantctl(['redrive', 'Acme', '--json']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenantctl: not redriving teardown-tenant acme-g1-teardown (FAILED at DeleteTenantCredentials): Step Functions will not redrive it: Execution ended more than 14 days ago\n');
    expect(run.json().results).toEqual([expect.objectContaining({ action: 'refused', reason: 'Step Functions will not redrive it: Execution ended more than 14 days ago' })]);
    expect(world.executions.redrives).toEqual([]);
  });

  it('refuses a parked run Step Functions has forgotten', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Acme');
    world.executions.forget('teardown', 'acme-g1-teardown');

    const run = await world.tenantctl(['redrive', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenantctl: not redriving teardown-tenant acme-g1-teardown: Step Functions no longer has it (it forgets an execution 90 days after it ended); it cannot be redriven\n');
  });

  it('says there is nothing to redrive for an active tenant, and "no tenant" for an unknown org', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');

    const active = await world.tenantctl(['redrive', 'Acme']);
    const unknown = await world.tenantctl(['redrive', 'Nobody']);

    expect(active.code).toBe(0);
    // The run that made the tenant active is looked at (it may have failed while publishing): it succeeded.
    expect(active.stdout).toBe('provision-tenant acme-g1-provision is SUCCEEDED; nothing to redrive\n');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('tenantctl: no tenant Nobody\n');
  });

  it('says a run already redriven is under way, and records in the ledger a redrive it had not recorded', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Acme');
    world.executions.outcomes.set('acme-g1-teardown', { kind: 'running' });
    await world.executions.redrive('teardown', 'acme-g1-teardown');

    const run = await world.tenantctl(['redrive', 'Acme', '--no-wait']);

    expect(run.stdout).toMatch(/^teardown-tenant acme-g1-teardown was already redriven \(1×, last at .*\) and is RUNNING; nothing to redrive\n$/);
    expect(run.code).toBe(0);
    expect(world.lifecycleRequests).toEqual([expect.objectContaining({ kind: 'resume', slug: 'acme' })]);
  });

  it('says what it would redrive with --dry-run, and redrives nothing', async () => {
    const world = createWorld('local');
    await world.parkedTeardown('Acme');

    const run = await world.tenantctl(['redrive', 'Acme', '--dry-run']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Would redrive teardown-tenant acme-g1-teardown (FAILED at DeleteTenantCredentials): it re-runs from the start (local runner: every step is idempotent)\n');
    expect(world.executions.redrives).toEqual([]);
    expect(world.lifecycleRequests).toEqual([]);
  });

  it('with --all-failed redrives every parked tenant and lists the rolled-back ones as skipped, with what helps instead', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Alpha');
    await world.rolledBack('Bravo');

    const run = await world.tenantctl(['redrive', '--all-failed']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Alpha  teardown-tenant  alpha-g1-teardown  redriven → SUCCEEDED: resumed at the failed state DeleteTenantCredentials\n');
    expect(run.stdout).toContain('Bravo  provision-tenant  bravo-g1-provision  skipped — it ended in its Fail state ProvisioningFailed');
    expect(run.stdout).toContain('; instead: fix the cause, then: npx tenantctl provision Bravo --new-generation\n');
    expect(world.executions.redrives.map((redrive) => redrive.name)).toEqual(['alpha-g1-teardown']);
    expect((await world.item('alpha')).state).toBe('deleted');
  });

  it('refuses an orgId together with --all-failed, and neither', async () => {
    const world = createWorld('aws');
    expect((await world.tenantctl(['redrive', 'Acme', '--all-failed'])).code).toBe(2);
    expect((await world.tenantctl(['redrive'])).stderr).toBe('tenantctl: Missing argument: tenantctl redrive <orgId> | --all-failed. Run `npx tenantctl redrive --help`.\n');
  });
});

describe('redriveClientToken', () => {
  it('is the same for one failure and different after the next redrive', () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-dev-teardown-tenant:acme-g1-teardown';
    expect(redriveClientToken({ executionArn: arn, redriveCount: 0 })).toBe(redriveClientToken({ executionArn: arn }));
    expect(redriveClientToken({ executionArn: arn, redriveCount: 1 })).not.toBe(redriveClientToken({ executionArn: arn, redriveCount: 0 }));
    expect(redriveClientToken({ executionArn: arn })).toMatch(/^tenantctl-[0-9a-f]{48}$/);
  });
});
