import 'aws-sdk-client-mock-jest';
import { createWorld, DAY_MS } from '../world';

describe('tenantctl list', () => {
  it('lists every tenant sorted by slug with state, generation, region, age and last transition; a parked one with the state it parked in', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Zeta-Foods');
    await world.provisioned('acme');
    await world.rolledBack('Bistro-With-A-Rather-Long-Org-Id-0042');
    world.advance(3 * DAY_MS);

    const run = await world.tenantctl(['list']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('3 tenants — AWS account 123456789012, us-east-1, stage dev');
    expect(lines[2]).toMatch(/^ORG ID +STATE +GEN +REGION +AGE +LAST TRANSITION$/);
    expect(lines[3]).toMatch(/^acme +active +1 +us-east-1 +3 d 0 h +2026-11-23 09:\d\d:\d\dZ → active: provisioned: bucket fusion-rms-acme$/);
    expect(lines[4]).toMatch(/^Bistro-With-A-Rather-Long-Org-Id-0042 +rolled-back +1 +us-east-1 +3 d 0 h +.* → rolled-back: provisioning failed with TenantUserConflictError; what this…$/);
    expect(lines[5]).toMatch(/^Zeta-Foods +parked \(deleting\) +1 +us-east-1 +3 d 0 h +.* → parked: zeta-foods-g1-teardown FAILED \(InvalidParameterException\): …$/);
    // Columns line up whatever the length of an orgId.
    const stateColumn = lines[2]?.indexOf('STATE');
    for (const line of lines.slice(3, 6)) expect(line.slice(stateColumn).startsWith(' ')).toBe(false);
  });

  it('filters by --state (several, comma-separated)', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');
    await world.rolledBack('Bravo');
    await world.retained('Charlie');

    const run = await world.tenantctl(['list', '--state', 'rolled-back,retained', '--json']);

    expect(run.code).toBe(0);
    expect(run.json().tenants.map((tenant: { orgId: string; state: string }) => [tenant.orgId, tenant.state])).toEqual([
      ['Bravo', 'rolled-back'],
      ['Charlie', 'retained'],
    ]);
    expect(run.json().states).toEqual(['rolled-back', 'retained']);
  });

  it('shows the tombstones of OrgDeleted for orgs that never had a tenant only with --all', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');
    await world.route('OrgDeleted', { orgId: 'Typo-Org-9' });

    const plain = await world.tenantctl(['list', '--json']);
    const all = await world.tenantctl(['list', '--all', '--json']);

    expect(plain.json().tenants.map((tenant: { orgId: string }) => tenant.orgId)).toEqual(['Acme']);
    expect(all.json().tenants).toEqual([
      expect.objectContaining({ orgId: 'Acme', generation: 1 }),
      expect.objectContaining({ orgId: 'Typo-Org-9', state: 'deleted', generation: 0, lastTransition: expect.objectContaining({ from: null, to: 'deleted' }) }),
    ]);
  });

  it('prints one JSON document per tenant with its age and last transition', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Acme');
    world.advance(DAY_MS);

    const run = await world.tenantctl(['list', '--json']);

    const [tenant] = run.json().tenants;
    expect(tenant).toMatchObject({ orgId: 'Acme', slug: 'acme', state: 'parked', parkedFrom: 'deleting', generation: 1, region: 'us-east-1', lastTransition: { to: 'parked', by: 'Step Functions: acme-g1-teardown FAILED' } });
    expect(tenant.ageMs).toBeGreaterThanOrEqual(DAY_MS);
  });

  it('says there are none on an empty ledger', async () => {
    const run = await createWorld('aws').tenantctl(['list']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('0 tenants — AWS account 123456789012, us-east-1, stage dev\n');
  });

  it('refuses an unknown state as bad usage, naming the valid ones', async () => {
    const run = await createWorld('aws').tenantctl(['list', '--state', 'active,failed']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'tenantctl: --state "active,failed": unknown state "failed"; the states are provisioning, active, rolled-back, parked, revoking, retained, deleting, deleted, restoring. Run `npx tenantctl list --help`.\n',
    );
  });
});
