import 'aws-sdk-client-mock-jest';
import { createWorld } from '../world';

describe('tenantctl restore', () => {
  it('asks the ledger to restore a tenant in its retention period: the teardown is stopped, acme-g1-restore followed to its end', async () => {
    const world = createWorld('aws');
    await world.retained('Acme');

    const run = await world.tenantctl(['restore', 'Acme']);

    expect(run.code).toBe(0);
    expect(world.lifecycleRequests).toEqual([{ kind: 'restore', orgId: 'Acme', by: 'tenantctl restore' }]);
    expect(world.events).toEqual([]);
    expect(run.stdout).toContain('▶ restore of Acme — AWS account 123456789012, us-east-1, stage dev\n  stopped first: teardown-tenant acme-g1-teardown\n  started: restore-tenant acme-g1-restore\n');
    expect(run.stdout).toMatch(/✓ RestoreTenantAccess[\s\S]*✓ RecordTenantRestored[\s\S]*\n {2}SUCCEEDED in /);
    expect(run.stderr).toBe('');
    expect(world.executions.stops).toEqual([{ workflow: 'teardown', name: 'acme-g1-teardown', error: 'OrgRestored' }]);
    expect((await world.item('acme')).state).toBe('active');
  });

  it('with --no-wait and --json, returns once started', async () => {
    const world = createWorld('local');
    await world.retained('Acme');

    const run = await world.tenantctl(['restore', 'Acme', '--no-wait', '--json']);

    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ outcome: 'started', workflow: 'restore', stateMachine: 'restore-tenant', executionName: 'acme-g1-restore', state: 'restoring', status: 'RUNNING' });
  });

  it('refuses once the teardown has begun deleting: the reason on stderr, exit 1', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Acme');

    const run = await world.tenantctl(['restore', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^tenantctl: not restoring: [^\n]*acme-g1-teardown began deleting it[^\n]*\n$/);
    expect(world.executions.runs.has('restore/acme-g1-restore')).toBe(false);
  });

  it('refuses an active tenant (there is no teardown to undo) and an org without a tenant', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');

    const active = await world.tenantctl(['restore', 'Acme', '--json']);
    const unknown = await world.tenantctl(['restore', 'Nobody']);

    expect(active.code).toBe(1);
    expect(active.stderr).toMatch(/^tenantctl: not restoring: [^\n]*no teardown to undo\n$/);
    expect(active.json()).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('no teardown to undo') });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('tenantctl: not restoring: no tenant Nobody\n');
  });
});
