/**
 * The built `tenantctl` (dist/tenantctl.cjs) run as a child process in --local mode, with its
 * own state directory and its own background emulator: provision → status → credentials →
 * two real failures (one parked for redrive, one rolled back) → failed → redrive → teardown →
 * status shows everything absent; then `local stop`.
 *
 * The failures are real conditions in the emulator, made with operator clients, not hooks:
 * - parked: the tenant's secret is replicated to another region (ReplicateSecretToRegions).
 *   Secrets Manager refuses to delete a secret that still has replicas, so the teardown's
 *   DeleteTenantCredentials fails with InvalidParameterException — a transient error to the
 *   workflow: retried, then the execution stops there, redrivable. Removing the replica
 *   (RemoveRegionsFromReplication) and redriving finishes the teardown.
 * - rolled back: an IAM user with the tenant's name exists and is not the tenant's. The
 *   provisioning fails permanently (TenantUserConflictError), rolls back and ends in
 *   ProvisioningFailed: not usefully redrivable; once the user is gone,
 *   `provision --new-generation` starts org-<slug>-g2.
 */
import { CreateUserCommand, DeleteUserCommand } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, RemoveRegionsFromReplicationCommand, ReplicateSecretToRegionsCommand } from '@aws-sdk/client-secrets-manager';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../../local/processes';
import { localClients, type LocalClients } from '../../local/stack';

jest.setTimeout(180_000);

const BIN = join(__dirname, '../../dist/tenantctl.cjs');
const ALPHA = 'E2e-Alpha';
const BRAVO = 'E2e-Bravo';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let stateDir: string;
let clients: LocalClients;

function tenantctl(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, TENANTCTL_STATE_DIR: stateDir, TENANTCTL_LOCAL_RETRY_INTERVAL_MS: '20' };
  delete env.AWS_ENDPOINT_URL;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const local = (...args: string[]) => tenantctl('--local', ...args);
const json = <T = Record<string, any>>(run: Run): T => JSON.parse(run.stdout) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

function emulatorPid(): number {
  return (JSON.parse(readFileSync(join(stateDir, 'emulator.json'), 'utf8')) as { pid: number }).pid;
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

    const missing = await tenantctl('--local', 'provision');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('tenantctl: Missing argument: tenantctl provision <orgId> [--name <orgName>] [--region <region>] [--no-wait] [--new-generation]. Run `tenantctl provision --help`.\n');
    const invalid = await tenantctl('--local', 'status', 'not_valid!');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^tenantctl: Invalid OrgCreated: orgId "not_valid!" is invalid/);
    expect(existsSync(join(stateDir, 'emulator.json'))).toBe(false);
  });

  it('provisions a tenant through the router, following its states, and starts the emulator in the background', async () => {
    const run = await local('provision', ALPHA, '--name', 'E2E Alpha');

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/started the local AWS emulator at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    expect(run.stdout).toContain('started: provision-tenant org-e2e-alpha');
    expect(run.stdout).toMatch(/✓ ApplyTenantBucketPolicy/);
    expect(run.stdout).toMatch(/SUCCEEDED in/);
    expect(run.stdout).toContain('bucket      fusion-rms-e2e-alpha (us-east-1)');
    expect(isProcessAlive(emulatorPid())).toBe(true);
    clients = localClients((JSON.parse(readFileSync(join(stateDir, 'emulator.json'), 'utf8')) as { endpoint: string }).endpoint);
  });

  it('shows the tenant: its execution timeline and every resource present', async () => {
    const run = await local('status', ALPHA, '--json');

    expect(run.code).toBe(0);
    const status = json(run);
    expect(status.executions).toHaveLength(1);
    expect(status.executions[0]).toMatchObject({ workflow: 'provision', name: 'org-e2e-alpha', status: 'SUCCEEDED', redriveCount: 0 });
    expect(status.executions[0].states.map((s: { state: string }) => s.state)).toEqual([
      'ValidateOrg',
      'CreateTenantBucket',
      'ConfigureTenantBucket',
      'CreateTenantUser',
      'IssueTenantCredentials',
      'ApplyTenantBucketPolicy',
      'PublishOrgProvisioned',
    ]);
    expect(status.resources).toMatchObject({
      bucket: { name: 'fusion-rms-e2e-alpha', status: 'present' },
      user: { name: 'rms_e2e-alpha', status: 'present' },
      accessKeys: { status: 'present', active: [expect.stringMatching(/^AKIA/)] },
      secret: { name: 'fusion-rms/e2e-alpha/credentials', status: 'present' },
    });

    const text = await local('status', ALPHA);
    expect(text.stdout).toMatch(/provision-tenant {2}org-e2e-alpha {2}SUCCEEDED/);
    expect(text.stdout).toMatch(/bucket +fusion-rms-e2e-alpha +present/);
  });

  it('prints the handoff configuration with the secret masked, and the secret itself only with --reveal', async () => {
    const { SecretString } = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: 'fusion-rms/e2e-alpha/credentials' }));
    const secret = JSON.parse(SecretString ?? '{}') as { accessKeyId: string; secretAccessKey: string };

    const ini = await local('credentials', ALPHA);
    expect(ini.code).toBe(0);
    expect(ini.stdout).toBe(`[AWS]\nbucket=fusion-rms-e2e-alpha\nkey=${secret.accessKeyId}\nsecret=${secret.secretAccessKey.slice(0, 4)}${'*'.repeat(secret.secretAccessKey.length - 4)}\n`);
    expect(ini.stdout + ini.stderr).not.toContain(secret.secretAccessKey);

    const env = await local('credentials', ALPHA, '--format', 'env', '--reveal');
    expect(env.stdout).toContain(`AWS_SECRET_ACCESS_KEY=${secret.secretAccessKey}\n`);
    expect(env.stdout).toContain('TENANT_BUCKET=fusion-rms-e2e-alpha\n');
  });

  it('rolls back a provisioning that meets a user it may not adopt, and says a redrive would not help', async () => {
    await clients.iam.send(new CreateUserCommand({ UserName: 'rms_e2e-bravo', Path: '/tenants/' }));

    const run = await local('provision', BRAVO);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/↯ CreateTenantUser +TenantUserConflictError caught → PrepareBucketRollback/);
    expect(run.stdout).not.toMatch(/✓ CreateTenantUser/);
    expect(run.stdout).toMatch(/✗ ProvisioningFailed +TenantUserConflictError/);
    expect(run.stdout).toContain('FAILED at ProvisioningFailed');
    expect(run.stdout).toContain(`instead: fix the cause, then: tenantctl provision ${BRAVO} --new-generation`);
  });

  it('parks a teardown that cannot delete a replicated secret at DeleteTenantCredentials', async () => {
    await clients.secretsManager.send(new ReplicateSecretToRegionsCommand({ SecretId: 'fusion-rms/e2e-alpha/credentials', AddReplicaRegions: [{ Region: 'us-west-2' }] }));

    const run = await local('teardown', ALPHA, '--retention-days', '0');

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✓ RevokeTenantAccess/);
    expect(run.stdout).toMatch(/↻ DeleteTenantCredentials +retry 5 after InvalidParameterException/);
    expect(run.stdout).toContain("FAILED at DeleteTenantCredentials after");
    expect(run.stdout).toContain("InvalidParameterException — You can't delete secret fusion-rms/e2e-alpha/credentials that still has replica regions [us-west-2]");
    expect(run.stdout).toContain(`parked for an operator: \`tenantctl redrive ${ALPHA}\``);
  });

  it('lists both failures, newest first, with whether each can be redriven', async () => {
    const run = await local('failed', '--json');

    expect(run.code).toBe(0);
    expect(json(run).executions).toEqual([
      expect.objectContaining({
        orgId: ALPHA,
        workflow: 'teardown',
        name: 'org-e2e-alpha',
        status: 'FAILED',
        failedState: 'DeleteTenantCredentials',
        failedStateType: 'Task',
        error: 'InvalidParameterException',
        redrivable: true,
        redriveFrom: 'start',
      }),
      expect.objectContaining({
        orgId: BRAVO,
        workflow: 'provision',
        name: 'org-e2e-bravo',
        failedState: 'ProvisioningFailed',
        failedStateType: 'Fail',
        error: 'TenantUserConflictError',
        redrivable: false,
        reason: expect.stringContaining('a redrive would re-enter that Fail state and fail again'),
        suggestion: `fix the cause, then: tenantctl provision ${BRAVO} --new-generation`,
      }),
    ]);

    const text = await local('failed');
    expect(text.stdout).toContain('2 failed executions since');
    expect(text.stdout).toContain(`redrive    yes — \`tenantctl redrive ${ALPHA}\` re-runs from the start (local runner: every step is idempotent)`);
    expect(text.stdout).toContain(`instead    fix the cause, then: tenantctl provision ${BRAVO} --new-generation`);
  });

  it('refuses to redrive the rolled-back provisioning, and dry-runs --all-failed', async () => {
    const refused = await local('redrive', BRAVO);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Not redriving provision-tenant org-e2e-bravo (FAILED at ProvisioningFailed): it ended in its Fail state ProvisioningFailed');
    expect(refused.stdout).toContain(`Instead: fix the cause, then: tenantctl provision ${BRAVO} --new-generation`);

    const dryRun = await local('redrive', '--all-failed', '--dry-run', '--json');
    expect(dryRun.code).toBe(0);
    expect(json(dryRun).results).toEqual([
      expect.objectContaining({ orgId: ALPHA, name: 'org-e2e-alpha', action: 'would-redrive', from: 'start' }),
      expect.objectContaining({ orgId: BRAVO, name: 'org-e2e-bravo', action: 'refused' }),
    ]);
  });

  it('redrives the parked teardown once its cause is removed: it re-runs from the start and finishes', async () => {
    await clients.secretsManager.send(new RemoveRegionsFromReplicationCommand({ SecretId: 'fusion-rms/e2e-alpha/credentials', RemoveReplicaRegions: ['us-west-2'] }));

    const run = await local('redrive', ALPHA);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Redriven teardown-tenant org-e2e-alpha (was FAILED at DeleteTenantCredentials): re-runs from the start (local runner: every step is idempotent)');
    expect(run.stdout).toMatch(/✓ DeleteTenantCredentials/);
    expect(run.stdout).toMatch(/SUCCEEDED in .* — re-ran from the start \(local runner\)/);

    const again = await local('redrive', ALPHA);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was already redriven (1×');
  });

  it('shows the torn-down tenant with both executions and every resource absent', async () => {
    const run = await local('status', ALPHA, '--json');

    expect(run.code).toBe(0);
    const status = json(run);
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
    expect(provisioned.stdout).toContain('provision-tenant org-e2e-bravo-g2 started directly (--new-generation');
    expect(provisioned.stdout).toMatch(/SUCCEEDED in/);

    const teardown = await local('teardown', BRAVO, '--retention-days', '0', '--no-wait', '--json');
    expect(teardown.code).toBe(0);
    expect(json(teardown)).toMatchObject({ outcome: 'started', workflow: 'teardown', executionName: 'org-e2e-bravo-g2', status: 'RUNNING' });

    // The teardown runs on in its background runner after the command has returned.
    let status = json(await local('status', BRAVO, '--json'));
    for (let i = 0; i < 100 && status.executions.at(-1).status === 'RUNNING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = json(await local('status', BRAVO, '--json'));
    }
    expect(status.executions.map((e: { workflow: string; name: string; status: string }) => [e.workflow, e.name, e.status])).toEqual([
      ['provision', 'org-e2e-bravo', 'FAILED'],
      ['provision', 'org-e2e-bravo-g2', 'SUCCEEDED'],
      ['teardown', 'org-e2e-bravo-g2', 'SUCCEEDED'],
    ]);
    expect([status.resources.bucket, status.resources.user, status.resources.accessKeys, status.resources.secret].map((r) => r.status)).toEqual([
      'absent',
      'absent',
      'absent',
      'absent',
    ]);
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
