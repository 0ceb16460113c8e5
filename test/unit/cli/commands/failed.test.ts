import 'aws-sdk-client-mock-jest';
import { createWorld, DAY_MS } from '../world';

describe('tenantctl failed', () => {
  it('lists the parked and rolled-back tenants of the ledger, newest failure first, each with its execution and what to do', async () => {
    const world = createWorld('aws');
    await world.rolledBack('Bravo');
    await world.parkedTeardown('Alpha');
    await world.provisioned('Charlie');

    const run = await world.tenantctl(['failed']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [heading, , alpha, alphaRun, alphaAt, alphaError, alphaRedrive, , bravo, bravoRun, bravoAt, bravoError, bravoRedrive, bravoInstead] = run.stdout.split('\n');
    expect(heading).toBe('2 tenants need an operator — AWS account 123456789012, us-east-1, stage dev');
    expect(alpha).toMatch(/^Alpha {2}parked \(deleting\) {2}generation 1 {2}us-east-1 {2}failed 2026-11-23 09:00:\d\dZ$/);
    expect(alphaRun).toMatch(/^ {2}run {8}teardown-tenant alpha-g1-teardown {2}FAILED 2026-11-23/);
    expect(alphaAt).toBe('  failed at  DeleteTenantCredentials (Task)');
    expect(alphaError).toBe("  error      InvalidParameterException: You can't delete secret fusion-rms/dev/alpha/credentials that still has replica regions [us-west-2]");
    expect(alphaRedrive).toBe('  redrive    yes — `npx tenantctl redrive Alpha` resumes at the failed state DeleteTenantCredentials');
    expect(bravo).toMatch(/^Bravo {2}rolled-back {2}generation 1/);
    expect(bravoRun).toMatch(/^ {2}run {8}provision-tenant bravo-g1-provision {2}FAILED/);
    expect(bravoAt).toBe('  failed at  ProvisioningFailed (Fail)');
    expect(bravoError).toBe('  error      TenantUserConflictError: IAM user rms_bravo already exists and is not tagged for OrgId "Bravo"');
    expect(bravoRedrive).toMatch(/^ {2}redrive {4}no — it ended in its Fail state ProvisioningFailed after rolling back/);
    expect(bravoInstead).toBe('  instead    fix the cause, then: npx tenantctl provision Bravo --new-generation');
  });

  it('says what an operator must lift first when a teardown parked on versions S3 will not delete', async () => {
    const world = createWorld('aws');
    await world.provisioned('Delta');
    const cause = '2 version(s) in bucket fusion-rms-delta cannot be deleted, and nothing else is left (998 deleted): "data/x.json" version v0 is under COMPLIANCE retention until 2031-01-01T00:00:00.000Z (nobody can delete it sooner)';
    world.executions.outcomes.set('delta-g1-teardown', { kind: 'give-up', state: 'DeleteTenantBucket', error: 'TenantObjectsLockedError', cause });
    await world.route('OrgDeleted', { orgId: 'Delta', retentionDays: 0 });
    await world.settle();

    const run = await world.tenantctl(['failed']);

    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain(`  error      TenantObjectsLockedError: ${cause}`);
    const first = lines.findIndex((line) => line.startsWith('  first      '));
    expect(lines[first]).toMatch(/^ {2}first {6}lift what holds the versions S3 refuses to delete — their Object Lock legal hold, GOVERNANCE retention .* or wait until their retention ends .*; a redrive before that parks again$/);
    expect(lines[first + 1]).toBe('  redrive    yes — `npx tenantctl redrive Delta` resumes at the failed state DeleteTenantBucket');

    const status = await world.tenantctl(['status', 'Delta']);
    expect(status.stdout).toMatch(/\n {2}first: lift what holds the versions S3 refuses to delete/);
  });

  it('still lists a failure Step Functions has forgotten, with the error the ledger recorded and what helps', async () => {
    const world = createWorld('aws');
    await world.rolledBack('Bravo');
    world.executions.forget('provision', 'bravo-g1-provision');
    world.advance(120 * DAY_MS);

    const run = await world.tenantctl(['failed', '--json']);

    expect(run.code).toBe(0);
    expect(run.json().tenants).toEqual([
      expect.objectContaining({
        orgId: 'Bravo',
        state: 'rolled-back',
        executionName: 'bravo-g1-provision',
        execution: 'forgotten',
        cause: 'provisioning failed with TenantUserConflictError; what this run created was removed',
        redrivable: false,
        reason: 'Step Functions no longer has bravo-g1-provision (it forgets an execution 90 days after it ended), so it cannot be redriven',
        suggestion: 'fix the cause, then: npx tenantctl provision Bravo --new-generation',
      }),
    ]);
    const text = await world.tenantctl(['failed']);
    expect(text.stdout).toContain(
      '  run        provision-tenant bravo-g1-provision  forgotten by Step Functions (90-day retention)\n  error      provisioning failed with TenantUserConflictError; what this run created was removed\n',
    );
  });

  it('prints one JSON document with each tenant, its run and the redrive assessment', async () => {
    const world = createWorld('local');
    await world.parkedTeardown('Alpha');

    const run = await world.tenantctl(['failed', '--json']);

    expect(run.json()).toEqual({
      mode: 'local',
      tenants: [
        expect.objectContaining({
          orgId: 'Alpha',
          slug: 'alpha',
          state: 'parked',
          parkedFrom: 'deleting',
          generation: 1,
          workflow: 'teardown',
          stateMachine: 'teardown-tenant',
          executionName: 'alpha-g1-teardown',
          execution: 'present',
          status: 'FAILED',
          failedState: 'DeleteTenantCredentials',
          failedStateType: 'Task',
          error: 'InvalidParameterException',
          redriveCount: 0,
          redrivable: true,
          redriveFrom: 'start',
        }),
      ],
    });
  });

  it('with --since, only the failures since then', async () => {
    const world = createWorld('aws');
    await world.rolledBack('Bravo');
    world.advance(3 * DAY_MS);
    await world.parkedTeardown('Alpha');

    const run = await world.tenantctl(['failed', '--since', '2d', '--json']);

    expect(run.json().tenants.map((tenant: { orgId: string }) => tenant.orgId)).toEqual(['Alpha']);
    expect((await world.tenantctl(['failed'])).stdout).toMatch(/^2 tenants need an operator/);
  });

  it('says none need an operator on a healthy ledger, and refuses a malformed --since', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');

    expect((await world.tenantctl(['failed'])).stdout).toBe('0 tenants need an operator — AWS account 123456789012, us-east-1, stage dev\n');
    const bad = await world.tenantctl(['failed', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
  });
});
