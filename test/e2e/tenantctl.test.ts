/**
 * The built `tenantctl` (dist/tenantctl.cjs) run as a child process in --local mode, with its
 * own state directory and its own background emulator: list on a fresh emulator → provision →
 * status (the ledger item first) → credentials → a teardown in its retention period and restore →
 * two real failures (one parked for redrive, one rolled back) → failed → redrive → teardown →
 * status shows everything absent; teardown of an org that never existed; then `local stop`.
 *
 * The failures are real conditions in the emulator, made with operator clients, not hooks:
 * - parked: the tenant's secret is replicated to another region (ReplicateSecretToRegions).
 *   Secrets Manager refuses to delete a secret that still has replicas, so the teardown's
 *   DeleteTenantCredentials fails with InvalidParameterException — a transient error to the
 *   workflow: retried, then the execution stops there, redrivable, and the ledger has the tenant
 *   parked. Removing the replica (RemoveRegionsFromReplication) and redriving finishes it.
 * - rolled back: an IAM user with the tenant's name exists and is not the tenant's. The
 *   provisioning fails permanently (TenantUserConflictError), rolls back and ends in
 *   ProvisioningFailed: not usefully redrivable; once the user is gone,
 *   `provision --new-generation` starts <slug>-g2-provision.
 */
import { CreateUserCommand, DeleteUserCommand } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, RemoveRegionsFromReplicationCommand, ReplicateSecretToRegionsCommand } from '@aws-sdk/client-secrets-manager';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../../local/processes';
import { localClients, type LocalClients } from '../../local/stack';
import { runTenantctl, type Run } from './support/tenantctl-bin';

jest.setTimeout(180_000);

const ALPHA = 'E2e-Alpha';
const BRAVO = 'E2e-Bravo';
const CHARLIE = 'E2e-Charlie';


let stateDir: string;
let clients: LocalClients;

const tenantctl = (...args: string[]): Promise<Run> => runTenantctl(stateDir, ...args);

const local = (...args: string[]) => tenantctl('--local', ...args);
const json = <T = Record<string, any>>(run: Run): T => JSON.parse(run.stdout) as T; // eslint-disable-line @typescript-eslint/no-explicit-any
const stateNames = (states: { state: string }[], among: string[]) => states.map((s) => s.state).filter((state) => among.includes(state));

function emulatorPid(): number {
  return (JSON.parse(readFileSync(join(stateDir, 'emulator.json'), 'utf8')) as { pid: number }).pid;
}

/** The tenant's ledger state, once it has left the states of a run under way (the run goes on in its background runner). */
async function settledState(orgId: string): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  let status = json(await local('status', orgId, '--json'));
  for (let i = 0; i < 100 && ['provisioning', 'revoking', 'deleting', 'restoring'].includes(status.ledger.state); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = json(await local('status', orgId, '--json'));
  }
  return status;
}

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'tenantctl-e2e-'));
});

afterAll(async () => {
  if (existsSync(join(stateDir, 'emulator.json'))) await tenantctl('local', 'stop');
  rmSync(stateDir, { recursive: true, force: true });
});

describe('tenantctl (built binary, --local)', () => {
  it('answers --help with an example and bad usage with exit status 2', async () => {
    const help = await tenantctl('redrive', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tenantctl redrive <orgId> | --all-failed');
    expect(help.stdout).toMatch(/Examples?:\n {2}tenantctl redrive/);
    const general = await tenantctl('--help');
    for (const command of ['list', 'status', 'failed', 'redrive', 'provision', 'teardown', 'restore', 'credentials', 'local']) expect(general.stdout).toContain(`\n  ${command} `);

    const missing = await tenantctl('--local', 'provision');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('tenantctl: Missing argument: tenantctl provision <orgId> [--name <orgName>] [--region <region>] [--no-wait] [--new-generation]. Run `npx tenantctl provision --help`.\n');
    const invalid = await tenantctl('--local', 'status', 'not_valid!');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^tenantctl: Invalid OrgCreated: orgId "not_valid!" is invalid/);
    const state = await tenantctl('--local', 'list', '--state', 'failed');
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('the states are provisioning, active, rolled-back, parked, revoking, retained, deleting, deleted, restoring');
    expect(existsSync(join(stateDir, 'emulator.json'))).toBe(false);
  });

  it('lists an empty ledger without starting an emulator, then on a fresh one (its table is not created yet), and says "no tenant" for status', async () => {
    const before = await local('list', '--json');
    expect(before.code).toBe(0);
    expect(json(before)).toMatchObject({ mode: 'local', tenants: [] });
    expect(existsSync(join(stateDir, 'emulator.json'))).toBe(false);

    // A command that is not read-only starts the emulator.
    const started = await local('credentials', ALPHA);
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(/started the local AWS emulator at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    expect(isProcessAlive(emulatorPid())).toBe(true);

    const run = await local('list', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(json(run)).toMatchObject({ mode: 'local', tenants: [] });
    clients = localClients((JSON.parse(readFileSync(join(stateDir, 'emulator.json'), 'utf8')) as { endpoint: string }).endpoint);

    const status = await local('status', ALPHA);
    expect(status.code).toBe(1);
    expect(status.stdout).toBe('');
    expect(status.stderr).toBe(`tenantctl: no tenant ${ALPHA}\n`);
  });

  it('provisions a tenant through the router, following its states', async () => {
    const run = await local('provision', ALPHA, '--name', 'E2E Alpha');

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('started: provision-tenant e2e-alpha-g1-provision');
    expect(run.stdout).toMatch(/✓ ApplyTenantBucketPolicy/);
    expect(run.stdout).toMatch(/SUCCEEDED in/);
    expect(run.stdout).toContain('bucket      fusion-rms-e2e-alpha (us-east-1)');
  });

  it('shows the tenant: the ledger item, its execution timeline and every resource present', async () => {
    const run = await local('status', ALPHA, '--json');

    expect(run.code).toBe(0);
    const status = json(run);
    expect(status.ledger).toMatchObject({ slug: 'e2e-alpha', orgId: ALPHA, orgName: 'E2E Alpha', state: 'active', generation: 1, region: 'us-east-1', resources: { bucket: 'fusion-rms-e2e-alpha' } });
    expect(status.ledger.history.map((entry: { to: string }) => entry.to)).toEqual(['provisioning', 'active']);
    expect(status.executions).toHaveLength(1);
    expect(status.executions[0]).toMatchObject({ workflow: 'provision', name: 'e2e-alpha-g1-provision', status: 'SUCCEEDED', redriveCount: 0 });
    const steps = ['ValidateOrg', 'CreateTenantBucket', 'ConfigureTenantBucket', 'CreateTenantUser', 'IssueTenantCredentials', 'ApplyTenantBucketPolicy', 'PublishOrgProvisioned'];
    expect(stateNames(status.executions[0].states, steps)).toEqual(steps);
    expect(status.resources).toMatchObject({
      bucket: { name: 'fusion-rms-e2e-alpha', status: 'present' },
      user: { name: 'rms_e2e-alpha', status: 'present' },
      accessKeys: { status: 'present', active: [expect.stringMatching(/^AKIA/)] },
      secret: { name: 'fusion-rms/local/e2e-alpha/credentials', status: 'present' },
    });

    const text = await local('status', ALPHA);
    expect(text.stdout).toMatch(/ {2}state +active since .* \(generation 1\)/);
    expect(text.stdout).toMatch(/provision-tenant {2}e2e-alpha-g1-provision {2}SUCCEEDED/);
    expect(text.stdout).toMatch(/bucket +fusion-rms-e2e-alpha +present/);
  });

  it('prints the handoff configuration with the secret masked, and the secret itself only with --reveal', async () => {
    const { SecretString } = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: 'fusion-rms/local/e2e-alpha/credentials' }));
    const secret = JSON.parse(SecretString ?? '{}') as { accessKeyId: string; secretAccessKey: string };

    const ini = await local('credentials', ALPHA);
    expect(ini.code).toBe(0);
    expect(ini.stdout).toBe(`[AWS]\nbucket=fusion-rms-e2e-alpha\nkey=${secret.accessKeyId}\nsecret=${secret.secretAccessKey.slice(0, 4)}${'*'.repeat(secret.secretAccessKey.length - 4)}\n`);
    expect(ini.stdout + ini.stderr).not.toContain(secret.secretAccessKey);

    const env = await local('credentials', ALPHA, '--format', 'env', '--reveal');
    expect(env.stdout).toContain(`AWS_SECRET_ACCESS_KEY=${secret.secretAccessKey}\n`);
    expect(env.stdout).toContain('TENANT_BUCKET=fusion-rms-e2e-alpha\n');
  });

  it('restores a tenant within its retention period: the teardown is stopped and access given back', async () => {
    expect((await local('provision', CHARLIE)).code).toBe(0);

    const teardown = await local('teardown', CHARLIE, '--retention-days', '1');
    expect(teardown.code).toBe(0);
    expect(teardown.stdout).toContain('started: teardown-tenant e2e-charlie-g1-teardown');
    expect(teardown.stdout).toMatch(/RUNNING: waiting in WaitRetentionPeriod until /);
    expect(teardown.stdout).toContain(`until then the tenant can be restored: npx tenantctl --local restore ${CHARLIE}`);
    const retained = json(await local('list', '--state', 'retained', '--json'));
    expect(retained.tenants).toEqual([expect.objectContaining({ orgId: CHARLIE, state: 'retained', generation: 1 })]);
    const revoked = json(await local('status', CHARLIE, '--json'));
    expect(revoked.resources.accessKeys).toMatchObject({ status: 'absent', active: [], inactive: [expect.stringMatching(/^AKIA/)] });

    const restore = await local('restore', CHARLIE);

    expect(restore.code).toBe(0);
    expect(restore.stderr).toBe('');
    expect(restore.stdout).toContain('  stopped first: teardown-tenant e2e-charlie-g1-teardown\n  started: restore-tenant e2e-charlie-g1-restore\n');
    expect(restore.stdout).toMatch(/✓ RestoreTenantAccess/);
    expect(restore.stdout).toMatch(/SUCCEEDED in/);
    const status = await settledState(CHARLIE);
    expect(status.ledger.state).toBe('active');
    expect(status.ledger.history.map((entry: { to: string }) => entry.to)).toEqual(['provisioning', 'active', 'revoking', 'retained', 'restoring', 'active']);
    expect(status.executions.map((e: { name: string; status: string }) => [e.name, e.status])).toEqual([
      ['e2e-charlie-g1-provision', 'SUCCEEDED'],
      ['e2e-charlie-g1-teardown', 'ABORTED'],
      ['e2e-charlie-g1-restore', 'SUCCEEDED'],
    ]);
    expect(status.resources.accessKeys).toMatchObject({ status: 'present', active: [expect.stringMatching(/^AKIA/)] });
    expect(status.resources.bucket.status).toBe('present');

    // Restored means active: there is no teardown to undo now.
    const again = await local('restore', CHARLIE);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^tenantctl: not restoring: .*no teardown to undo\n$/);
  });

  it('rolls back a provisioning that meets a user it may not adopt, and suggests only a new generation', async () => {
    await clients.iam.send(new CreateUserCommand({ UserName: 'rms_e2e-bravo', Path: '/tenants/' }));

    const run = await local('provision', BRAVO);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/↯ CreateTenantUser +TenantUserConflictError caught → PrepareBucketRollback/);
    expect(run.stdout).not.toMatch(/✓ CreateTenantUser/);
    expect(run.stdout).toMatch(/✗ ProvisioningFailed +TenantUserConflictError/);
    expect(run.stdout).toContain('FAILED at ProvisioningFailed');
    expect(run.stdout).toContain(`instead: fix the cause, then: npx tenantctl --local provision ${BRAVO} --new-generation`);
    expect(run.stdout + run.stderr).not.toContain('tenantctl redrive');

    const again = await local('provision', BRAVO);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(new RegExp(`^tenantctl: not putting OrgCreated: tenant e2e-bravo is left to operators: .*npx tenantctl --local provision ${BRAVO} --new-generation`));
  });

  it('parks a teardown that cannot delete a replicated secret at DeleteTenantCredentials', async () => {
    await clients.secretsManager.send(new ReplicateSecretToRegionsCommand({ SecretId: 'fusion-rms/local/e2e-alpha/credentials', AddReplicaRegions: [{ Region: 'us-west-2' }] }));

    const run = await local('teardown', ALPHA, '--retention-days', '0');

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('started: teardown-tenant e2e-alpha-g1-teardown');
    expect(run.stdout).toMatch(/✓ RevokeTenantAccess/);
    expect(run.stdout).toMatch(/↻ DeleteTenantCredentials +retry 5 after InvalidParameterException/);
    expect(run.stdout).toContain('FAILED at DeleteTenantCredentials after');
    expect(run.stdout).toContain("InvalidParameterException — You can't delete secret fusion-rms/local/e2e-alpha/credentials that still has replica regions [us-west-2]");
    expect(run.stdout).toContain(`parked for an operator: \`npx tenantctl --local redrive ${ALPHA}\``);
  });

  it('lists both failures from the ledger, newest first, with what to do about each', async () => {
    const run = await local('failed', '--json');

    expect(run.code).toBe(0);
    expect(json(run).tenants).toEqual([
      expect.objectContaining({
        orgId: ALPHA,
        state: 'parked',
        parkedFrom: 'deleting',
        workflow: 'teardown',
        executionName: 'e2e-alpha-g1-teardown',
        execution: 'present',
        status: 'FAILED',
        failedState: 'DeleteTenantCredentials',
        failedStateType: 'Task',
        error: 'InvalidParameterException',
        redrivable: true,
        redriveFrom: 'start',
      }),
      expect.objectContaining({
        orgId: BRAVO,
        state: 'rolled-back',
        workflow: 'provision',
        executionName: 'e2e-bravo-g1-provision',
        failedState: 'ProvisioningFailed',
        failedStateType: 'Fail',
        error: 'TenantUserConflictError',
        redrivable: false,
        reason: expect.stringContaining('a redrive would re-enter that Fail state and fail again'),
        suggestion: `fix the cause, then: npx tenantctl --local provision ${BRAVO} --new-generation`,
      }),
    ]);

    const text = await local('failed');
    expect(text.stdout).toContain('2 tenants need an operator');
    expect(text.stdout).toContain(`redrive    yes — \`npx tenantctl --local redrive ${ALPHA}\` re-runs from the start (local runner: every step is idempotent)`);
    expect(text.stdout).toContain(`instead    fix the cause, then: npx tenantctl --local provision ${BRAVO} --new-generation`);
    const list = await local('list');
    expect(list.stdout).toMatch(/\nE2e-Alpha +parked \(deleting\) +1 +us-east-1 /);
    expect(list.stdout).toMatch(/\nE2e-Bravo +rolled-back +1 +us-east-1 /);
  });

  it('refuses to redrive the rolled-back provisioning (on stderr), and dry-runs --all-failed', async () => {
    const refused = await local('redrive', BRAVO);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('tenantctl: not redriving provision-tenant e2e-bravo-g1-provision (FAILED at ProvisioningFailed): it ended in its Fail state ProvisioningFailed');
    expect(refused.stderr).toContain(`tenantctl: instead: fix the cause, then: npx tenantctl --local provision ${BRAVO} --new-generation`);

    const dryRun = await local('redrive', '--all-failed', '--dry-run', '--json');
    expect(dryRun.code).toBe(0);
    expect(json(dryRun).results).toEqual([
      expect.objectContaining({ orgId: ALPHA, name: 'e2e-alpha-g1-teardown', action: 'would-redrive', from: 'start' }),
      expect.objectContaining({ orgId: BRAVO, name: 'e2e-bravo-g1-provision', action: 'refused' }),
    ]);
  });

  it('redrives the parked teardown once its cause is removed: the ledger records it, it re-runs from the start and finishes', async () => {
    await clients.secretsManager.send(new RemoveRegionsFromReplicationCommand({ SecretId: 'fusion-rms/local/e2e-alpha/credentials', RemoveReplicaRegions: ['us-west-2'] }));

    const run = await local('redrive', ALPHA);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Redriven teardown-tenant e2e-alpha-g1-teardown (was FAILED at DeleteTenantCredentials): re-runs from the start (local runner: every step is idempotent)');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/✓ DeleteTenantCredentials/);
    expect(run.stdout).toMatch(/SUCCEEDED in .* — re-ran from the start \(local runner\)/);

    const status = await settledState(ALPHA);
    expect(status.ledger.state).toBe('deleted');
    const again = await local('redrive', ALPHA);
    expect(again.code).toBe(0);
    // The teardown that deleted the tenant is looked at (it might have failed while publishing): it succeeded.
    expect(again.stdout).toMatch(new RegExp(`^teardown-tenant ${ALPHA.toLowerCase()}-g1-teardown was already redriven \\(1×, last at [^)]+\\) and is SUCCEEDED; nothing to redrive\n$`));
  });

  it('shows the torn-down tenant with both executions and every resource absent', async () => {
    const run = await local('status', ALPHA, '--json');

    expect(run.code).toBe(0);
    const status = json(run);
    expect(status.ledger.history.map((entry: { to: string }) => entry.to)).toEqual(['provisioning', 'active', 'revoking', 'retained', 'deleting', 'parked', 'deleting', 'deleted']);
    expect(status.executions.map((e: { workflow: string; status: string; redriveCount: number }) => [e.workflow, e.status, e.redriveCount])).toEqual([
      ['provision', 'SUCCEEDED', 0],
      ['teardown', 'SUCCEEDED', 1],
    ]);
    expect(status.resources).toMatchObject({
      bucket: { status: 'absent' },
      user: { status: 'absent' },
      accessKeys: { status: 'absent', active: [] },
      secret: { status: 'absent' },
    });
  });

  it('starts the next generation of the rolled-back tenant, and tears it down without waiting', async () => {
    await clients.iam.send(new DeleteUserCommand({ UserName: 'rms_e2e-bravo' }));

    const provisioned = await local('provision', BRAVO, '--new-generation');
    expect(provisioned.code).toBe(0);
    expect(provisioned.stdout).toContain(`▶ generation 2 of ${BRAVO} (--new-generation`);
    expect(provisioned.stdout).toContain('started: provision-tenant e2e-bravo-g2-provision');
    expect(provisioned.stdout).toMatch(/SUCCEEDED in/);

    const teardown = await local('teardown', BRAVO, '--retention-days', '0', '--no-wait', '--json');
    expect(teardown.code).toBe(0);
    expect(json(teardown)).toMatchObject({ outcome: 'started', workflow: 'teardown', executionName: 'e2e-bravo-g2-teardown', status: 'RUNNING' });

    // The teardown runs on in its background runner after the command has returned.
    const status = await settledState(BRAVO);
    expect(status.ledger).toMatchObject({ state: 'deleted', generation: 2 });
    expect(status.executions.map((e: { workflow: string; name: string; status: string }) => [e.workflow, e.name, e.status])).toEqual([
      ['provision', 'e2e-bravo-g2-provision', 'SUCCEEDED'],
      ['teardown', 'e2e-bravo-g2-teardown', 'SUCCEEDED'],
    ]);
    expect([status.resources.bucket, status.resources.user, status.resources.accessKeys, status.resources.secret].map((r) => r.status)).toEqual([
      'absent',
      'absent',
      'absent',
      'absent',
    ]);
  });

  it('refuses a teardown of an org that never existed ("no tenant", exit 1), puts nothing and starts nothing', async () => {
    const run = await local('teardown', 'Typo-Org-9', '--retention-days', '0');

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('tenantctl: no tenant Typo-Org-9\n');
    expect(json(await local('list', '--all', '--json')).tenants.map((tenant: { orgId: string }) => tenant.orgId)).toEqual([ALPHA, BRAVO, CHARLIE]);
    expect(existsSync(join(stateDir, 'executions', 'teardown', 'typo-org-9-g1-teardown.json'))).toBe(false);
  });

  it('exits 2 for a region the stage does not allow, before anything is put', async () => {
    const run = await local('provision', 'E2e-Delta', '--region', 'eu-west-1');

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^tenantctl: Invalid OrgCreated: region "eu-west-1" is not allowed: must be one of us-east-1/);
    expect((await local('status', 'E2e-Delta')).stderr).toBe('tenantctl: no tenant E2e-Delta\n');
  });

  it('stops its background emulator with `local stop`', async () => {
    const pid = emulatorPid();

    const run = await tenantctl('local', 'stop');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`stopped the local AWS emulator (pid ${pid}`);
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(join(stateDir, 'emulator.json'))).toBe(false);
  });
});
