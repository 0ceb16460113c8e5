import 'aws-sdk-client-mock-jest';
import { createWorld } from '../world';

describe('tenantctl teardown', () => {
  it('puts OrgDeleted with the retention, follows acme-g1-teardown and lists what it deleted', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');

    const run = await world.tenantctl(['teardown', 'Acme', '--retention-days', '0']);

    expect(run.code).toBe(0);
    expect(world.events).toEqual([{ detailType: 'OrgDeleted', detail: { orgId: 'Acme', retentionDays: 0 } }]);
    expect(run.stdout).toContain('  started: teardown-tenant acme-g1-teardown\n    ✓ PrepareTeardown                100 ms\n    ✓ RevokeTenantAccess             100 ms\n');
    expect(run.stdout).toMatch(/ {2}SUCCEEDED in .*\n\nDeleted\n {2}secret fusion-rms\/dev\/acme\/credentials\n {2}IAM user rms_acme\n {2}bucket fusion-rms-acme, with its 3 objects\n/);
    expect(run.stderr).toBe('');
    expect((await world.item('acme')).state).toBe('deleted');
  });

  it('follows a teardown into the execution it continued in, to its end', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');
    world.executions.outcomes.set('acme-g1-teardown', { kind: 'continue' });

    const run = await world.tenantctl(['teardown', 'Acme', '--retention-days', '0']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ {4}✓ DeleteTenantBucket +100 ms\n {2}↪ continues in acme-g1-teardown-part2: acme-g1-teardown came near Step Functions' history limit\n {4}✓ DeleteTenantBucket +100 ms\n {4}✓ RecordTenantDeleted/);
    expect(run.stdout).toMatch(/ {2}SUCCEEDED in .*\n\nDeleted\n/);
    expect((await world.item('acme')).state).toBe('deleted');
  });

  it('stops following once access is revoked and the retention wait begins, says how to restore, and exits 0', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');

    const run = await world.tenantctl(['teardown', 'Acme', '--retention-days', '7', '--json']);

    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ outcome: 'started', executionName: 'acme-g1-teardown', status: 'RUNNING', waiting: { state: 'WaitRetentionPeriod' } });
    // A repeated OrgDeleted: the router would repeat its StartExecution at most (idempotent); the run to follow is the same.
    const text = await world.tenantctl(['teardown', 'Acme']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\n {2}already under way \(.*\): teardown-tenant acme-g1-teardown\n/);
    expect(world.executions.runs.has('teardown/acme-g1-teardown-2')).toBe(false);
    expect(text.stdout).toMatch(/ {4}⧗ WaitRetentionPeriod +waits 7 d 0 h/);
    expect(text.stdout).toContain('  until then the tenant can be restored: npx tenantctl restore Acme\n');
    expect((await world.item('acme')).state).toBe('retained');
  });

  it('says "no tenant" on stderr and exits 1 for an org the ledger does not know, without putting the event', async () => {
    const world = createWorld('aws');

    const run = await world.tenantctl(['teardown', 'Typo-Org-9', '--retention-days', '0']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenantctl: no tenant Typo-Org-9\n');
    expect(run.stdout).toBe('');
    expect(world.events).toEqual([]);
    expect(await world.ledger.get('typo-org-9')).toBeUndefined();
  });

  it('says "no tenant" for the tombstone of an earlier OrgDeleted of an org that never had one', async () => {
    const world = createWorld('local');
    await world.route('OrgDeleted', { orgId: 'Typo-Org-9' });
    expect((await world.item('typo-org-9')).generation).toBe(0);

    const run = await world.tenantctl(['teardown', 'Typo-Org-9']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenantctl: no tenant Typo-Org-9\n');
    expect(world.events).toEqual([]);
  });

  it('has nothing to do for a tenant already torn down: no event, exit 0', async () => {
    const world = createWorld('aws');
    await world.deleted('Acme');

    const run = await world.tenantctl(['teardown', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  nothing to do: the tenant was already torn down (acme-g1-teardown)\n');
    expect(world.events).toEqual([]);
  });

  it('says the router stops a provisioning under way first (locally, from its RouteResult)', async () => {
    const world = createWorld('local');
    await world.route('OrgCreated', { orgId: 'Acme' });

    const run = await world.tenantctl(['teardown', 'Acme', '--retention-days', '0', '--json']);

    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ outcome: 'started', stopped: { workflow: 'provision', name: 'acme-g1-provision' }, executionName: 'acme-g1-teardown', status: 'SUCCEEDED' });
    expect(world.executions.stops).toEqual([{ workflow: 'provision', name: 'acme-g1-provision', error: 'OrgDeleted' }]);
  });

  it('leaves a parked teardown to operators: the reason (redrive) on stderr, exit 1, nothing put', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Acme');

    const run = await world.tenantctl(['teardown', 'Acme']);

    expect(run.code).toBe(1);
    // The reason is the lifecycle rules' own (functions/lib/ledger/lifecycle.ts).
    expect(run.stderr).toMatch(/^tenantctl: not putting OrgDeleted: tenant acme is left to operators: [^\n]*acme-g1-teardown[^\n]*tenantctl redrive Acme\n$/);
    expect(world.events).toEqual([]);
  });

  it('refuses a retention outside 0–350 days as bad usage', async () => {
    const world = createWorld('aws');

    const run = await world.tenantctl(['teardown', 'Acme', '--retention-days', '400']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tenantctl: --retention-days "400" must be a whole number from 0 to 350/);
  });
});
