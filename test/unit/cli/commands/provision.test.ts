import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import 'aws-sdk-client-mock-jest';
import { stageConfig } from '../../../../cli/aws/config';
import { ACCOUNT, createWorld, eventBridgeMock, provisionedDetailOf, REGION } from '../world';

describe('tenantctl provision', () => {
  it('predicts from the ledger that the router starts the first generation, puts OrgCreated, and follows acme-g1-provision to its end', async () => {
    const world = createWorld('aws');

    const run = await world.tenantctl(['provision', 'Acme', '--name', 'Acme Ltd']);

    expect(run.code).toBe(0);
    expect(world.events).toEqual([{ detailType: 'OrgCreated', detail: { orgId: 'Acme', orgName: 'Acme Ltd' } }]);
    expect(run.stdout).toContain('▶ OrgCreated orgId=Acme orgName=Acme Ltd — AWS account 123456789012, us-east-1, stage dev\n');
    expect(run.stdout).toContain('  event evt-1 put on the bus (source pos.signup)\n  started: provision-tenant acme-g1-provision\n');
    expect(run.stdout).toMatch(/ {4}✓ ValidateOrg +100 ms\n/);
    expect(run.stdout).toMatch(/ {4}✓ PublishOrgProvisioned +100 ms\n {2}SUCCEEDED in /);
    expect(run.stdout).toContain('  bucket      fusion-rms-acme (us-east-1)\n');
    expect(run.stdout).toContain('  handoff     npx tenantctl credentials Acme\n');
    expect(run.stderr).toBe('');
    expect((await world.item('acme')).state).toBe('active');
  });

  it('prints one JSON document with the prediction, the event, the execution and the tenant from the ledger', async () => {
    const world = createWorld('aws');

    const run = await world.tenantctl(['provision', 'Acme', '--json']);

    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({
      orgId: 'Acme',
      mode: 'aws',
      event: { detailType: 'OrgCreated', eventId: 'evt-1' },
      outcome: 'started',
      predicted: true,
      state: 'provisioning',
      generation: 1,
      workflow: 'provision',
      stateMachine: 'provision-tenant',
      executionName: 'acme-g1-provision',
      status: 'SUCCEEDED',
      tenant: provisionedDetailOf('Acme', 1),
    });
  });

  it("locally reports what the router did (its RouteResult), not the prediction", async () => {
    const world = createWorld('local');

    const run = await world.tenantctl(['provision', 'Acme', '--json']);

    expect(run.code).toBe(0);
    const document = run.json();
    expect(document).toMatchObject({ outcome: 'started', executionName: 'acme-g1-provision', event: { detailType: 'OrgCreated' }, status: 'SUCCEEDED' });
    expect(document.predicted).toBeUndefined();
    expect(document.event.eventId).toBeUndefined();
  });

  it('starts the next generation after a completed teardown', async () => {
    const world = createWorld('aws');
    await world.deleted('Acme');

    const run = await world.tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  started: provision-tenant acme-g2-provision\n');
    expect(await world.item('acme')).toMatchObject({ state: 'active', generation: 2 });
  });

  it('restores a tenant in its retention period: the router stops the teardown and follows acme-g1-restore', async () => {
    const world = createWorld('aws');
    await world.retained('Acme');

    const run = await world.tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  stopped first: teardown-tenant acme-g1-teardown\n');
    expect(run.stdout).toContain('  started: restore-tenant acme-g1-restore\n');
    expect(run.stdout).not.toContain('Tenant\n');
    expect(world.executions.stops).toEqual([{ workflow: 'teardown', name: 'acme-g1-teardown', error: 'OrgRestored' }]);
    expect((await world.item('acme')).state).toBe('active');
  });

  it('says the tenant exists and that the router emits OrgProvisioned again, exit 0', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');

    const run = await world.tenantctl(['provision', 'Acme', '--json']);

    expect(run.code).toBe(0);
    expect(world.events).toHaveLength(1);
    expect(run.json()).toMatchObject({ outcome: 'reprovisioned-event', executionName: 'acme-g1-provision', tenant: provisionedDetailOf('Acme', 1) });
    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, { Entries: [expect.objectContaining({ DetailType: 'OrgProvisioned' })] });
  });

  it('puts nothing for a rolled-back tenant and says on stderr that --new-generation is what helps, exit 1', async () => {
    const world = createWorld('aws');
    await world.rolledBack('Acme');

    const run = await world.tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(1);
    expect(world.events).toEqual([]);
    expect(run.stdout).toBe('');
    // The reason is the lifecycle rules' own (functions/lib/ledger/lifecycle.ts).
    expect(run.stderr).toMatch(/^tenantctl: not putting OrgCreated: tenant acme is left to operators: [^\n]*acme-g1-provision[^\n]*rolled back[^\n]*tenantctl provision Acme --new-generation[^\n]*\n$/);
    expect(run.stderr).not.toContain('redrive');
  });

  it('follows a provisioning that rolls back to its Fail state and suggests only --new-generation, never a redrive', async () => {
    const world = createWorld('aws');
    world.executions.outcomes.set('acme-g1-provision', { kind: 'roll-back', state: 'CreateTenantUser', error: 'TenantUserConflictError', cause: 'IAM user rms_acme already exists and is not tagged for OrgId "Acme"' });

    const run = await world.tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('    ↯ CreateTenantUser               TenantUserConflictError caught → PrepareBucketRollback\n');
    expect(run.stdout).toContain('    ✗ ProvisioningFailed             TenantUserConflictError\n');
    expect(run.stdout).toMatch(/ {2}FAILED at ProvisioningFailed after .*: TenantUserConflictError — IAM user rms_acme already exists/);
    expect(run.stdout).toContain('  instead: fix the cause, then: npx tenantctl provision Acme --new-generation\n');
    expect(run.stdout + run.stderr).not.toContain('tenantctl redrive');
  });

  it('says a provisioning that gave up at a step is parked for a redrive', async () => {
    const world = createWorld('aws');
    world.executions.outcomes.set('acme-g1-provision', { kind: 'give-up', state: 'CreateTenantBucket', error: 'ServiceUnavailable', cause: 'Please reduce your request rate.' });

    const run = await world.tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  parked for an operator: `npx tenantctl redrive Acme` once the cause is fixed\n');
    expect((await world.item('acme')).state).toBe('parked');
  });

  it('rejects a region the stage does not allow as bad usage (exit 2), before putting anything', async () => {
    const world = createWorld('aws');

    const run = await world.tenantctl(['provision', 'Acme', '--region', 'eu-west-1']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tenantctl: Invalid OrgCreated: region "eu-west-1" is not allowed: must be one of us-east-1 \(the stage's allowed regions as tenantctl knows them: set TENANT_PROVISIONER_ALLOWED_REGIONS/);
    expect(run.stdout).toBe('');
    expect(world.events).toEqual([]);
  });

  it('exits 2 when the router rejects bad input (locally: its RouteResult)', async () => {
    const world = createWorld('local');
    // tenantctl was told the stage allows eu-west-1; the router's configuration does not.
    world.config = stageConfig('dev', REGION, ACCOUNT, { TENANT_PROVISIONER_ALLOWED_REGIONS: 'us-east-1,eu-west-1' });

    const run = await world.tenantctl(['provision', 'Acme', '--region', 'eu-west-1']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tenantctl: the router rejected OrgCreated: Invalid OrgCreated: region "eu-west-1" is not allowed: must be one of us-east-1\n');
    expect(world.events).toHaveLength(1);
  });

  it('rejects an orgId that differs only in case from an existing org, exit 2, nothing put', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');

    const run = await world.tenantctl(['provision', 'ACME']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tenantctl: the router would reject OrgCreated: orgId "ACME" collides case-insensitively with existing org "Acme"[^\n]*\n$/);
    expect(world.events).toHaveLength(0);
  });

  it('refuses a malformed orgId as bad usage before any call', async () => {
    const world = createWorld('aws');

    const run = await world.tenantctl(['provision', 'not_valid!']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tenantctl: Invalid OrgCreated: orgId "not_valid!" is invalid/);
    expect(world.events).toEqual([]);
  });

  it('exits 1 in one sentence when the router starts nothing after the event (AWS)', async () => {
    const world = createWorld('aws');
    jest.spyOn(world, 'route').mockResolvedValue({ action: 'rejected', slug: 'acme', reason: 'lost' });

    const run = await world.tenantctl(['provision', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "tenantctl: The router started no provision-tenant execution acme-g1-provision within 0 s of event evt-1: check the router's logs (a rejected event is reported as OrgProvisioningFailed) and `npx tenantctl status Acme`\n",
    );
  });

  it('follows the provisioning under way for a duplicate, starting nothing new', async () => {
    const world = createWorld('aws');
    await world.route('OrgCreated', { orgId: 'Acme' });

    const run = await world.tenantctl(['provision', 'Acme', '--no-wait', '--json']);

    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ outcome: 'duplicate', executionName: 'acme-g1-provision', status: 'RUNNING' });
    expect([...world.executions.runs.keys()]).toEqual(['provision/acme-g1-provision']);
  });

  describe('--new-generation', () => {
    it('asks the ledger for the next generation of a rolled-back tenant, and follows acme-g2-provision', async () => {
      const world = createWorld('aws');
      await world.rolledBack('Acme');

      const run = await world.tenantctl(['provision', 'Acme', '--name', 'Acme Ltd', '--new-generation']);

      expect(run.code).toBe(0);
      expect(world.events).toEqual([]);
      expect(world.lifecycleRequests).toEqual([{ kind: 'new-generation', orgId: 'Acme', orgName: 'Acme Ltd', by: 'tenantctl provision --new-generation' }]);
      expect(run.stdout).toContain('▶ generation 2 of Acme (--new-generation; the previous generation stays as it is)');
      expect(run.stdout).toContain('  started: provision-tenant acme-g2-provision\n');
      expect(run.stdout).toMatch(/SUCCEEDED in/);
      expect(await world.item('acme')).toMatchObject({ state: 'active', generation: 2, orgName: 'Acme Ltd' });
    });

    it('is refused while the tenant is active: the reason on stderr, exit 1', async () => {
      const world = createWorld('aws');
      await world.provisioned('Acme');

      const run = await world.tenantctl(['provision', 'Acme', '--new-generation']);

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^tenantctl: not starting a new generation: [^\n]*active[^\n]*\n$/);
      expect(run.stdout).toBe('');
      expect(world.executions.runs.has('provision/acme-g2-provision')).toBe(false);
    });

    it('is refused for an orgId that differs only in case from the existing one, as bad input (exit 2)', async () => {
      const world = createWorld('aws');
      await world.rolledBack('Acme');

      const run = await world.tenantctl(['provision', 'ACME', '--new-generation']);

      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^tenantctl: not starting a new generation: orgId "ACME" collides case-insensitively with existing org "Acme"[^\n]*\n$/);
    });

    it('checks the region against the stage before asking the ledger', async () => {
      const world = createWorld('aws');

      const run = await world.tenantctl(['provision', 'Acme', '--region', 'eu-west-1', '--new-generation']);

      expect(run.code).toBe(2);
      expect(world.lifecycleRequests).toEqual([]);
    });
  });
});
