/**
 * `tenantctl rotate` as operators run it: the built binary (dist/tenantctl.cjs) in --local mode,
 * with its own state directory and background emulator. Rotation runs through local mode's
 * stand-in for Secrets Manager's rotation (local/secrets-rotation.ts), which invokes the real
 * rotation handler's four steps against the emulator. The keys' states are read back from the
 * emulator's IAM with operator clients, never from tenantctl's own words alone.
 */
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROTATION_TAGS } from '../../local/rotation-state';
import { LocalSecretsRotation } from '../../local/secrets-rotation';
import { localAccountId, localClients, localConfig, localFunctionClients, LOCAL_STAGE, type LocalClients } from '../../local/stack';
import { runTenantctl, type Run } from './support/tenantctl-bin';

jest.setTimeout(180_000);

const ROMEO = 'E2e-Romeo';
const SIERRA = 'E2e-Sierra';
const TANGO = 'E2e-Tango';
const secretName = (orgId: string) => `fusion-rms/local/${orgId.toLowerCase()}/credentials`;


let stateDir: string;
let endpoint: string;
let clients: LocalClients;

const tenantctl = (...args: string[]): Promise<Run> => runTenantctl(stateDir, ...args);

const local = (...args: string[]) => tenantctl('--local', ...args);
const json = <T = Record<string, any>>(run: Run): T => JSON.parse(run.stdout) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The secret access keys the secret's versions hold: what no output may contain. */
async function secretsOf(orgId: string): Promise<string[]> {
  const found: string[] = [];
  for (const stage of ['AWSCURRENT', 'AWSPREVIOUS']) {
    try {
      const { SecretString } = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName(orgId), VersionStage: stage }));
      found.push((JSON.parse(SecretString ?? '{}') as { secretAccessKey: string }).secretAccessKey);
    } catch {
      // No AWSPREVIOUS before the first rotation.
    }
  }
  return found;
}

async function currentKeyId(orgId: string): Promise<string> {
  const { SecretString } = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName(orgId) }));
  return (JSON.parse(SecretString ?? '{}') as { accessKeyId: string }).accessKeyId;
}

async function keyStatuses(orgId: string): Promise<Record<string, string>> {
  const { AccessKeyMetadata = [] } = await clients.iam.send(new ListAccessKeysCommand({ UserName: `rms_${orgId.toLowerCase()}` }));
  return Object.fromEntries(AccessKeyMetadata.map((key) => [key.AccessKeyId, key.Status]));
}

async function expectNoSecretIn(run: Run, ...orgIds: string[]): Promise<void> {
  for (const orgId of orgIds) for (const secret of await secretsOf(orgId)) expect(run.stdout + run.stderr).not.toContain(secret);
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'tenantctl-rotate-e2e-'));
  for (const orgId of [ROMEO, SIERRA]) {
    const provisioned = await local('provision', orgId);
    if (provisioned.code !== 0) throw new Error(`provisioning ${orgId} failed: ${provisioned.stderr}`);
  }
  endpoint = (JSON.parse(readFileSync(join(stateDir, 'emulator.json'), 'utf8')) as { endpoint: string }).endpoint;
  clients = localClients(endpoint);
});

afterAll(async () => {
  if (existsSync(join(stateDir, 'emulator.json'))) await tenantctl('local', 'stop');
  rmSync(stateDir, { recursive: true, force: true });
});

describe('tenantctl rotate (built binary, --local)', () => {
  it('rotates a tenant key now: the secret holds a new key, the old one stays active for its overlap, and the output names key ids only', async () => {
    const before = await currentKeyId(ROMEO);

    const run = await local('rotate', ROMEO);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const after = await currentKeyId(ROMEO);
    expect(after).not.toBe(before);
    expect(run.stdout).toContain(`▶ rotate the access key of ${ROMEO} — local emulator at http://127.0.0.1:`);
    expect(run.stdout).toMatch(new RegExp(`\\n {2}✓ rotated in [\\d.]+ m?s: ${before} → ${after} \\(secret version [0-9a-f-]{36}\\)\\n`));
    expect(run.stdout).toMatch(new RegExp(`\\n {2}old key ${before} stays active until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ for consumers to pick up the new one, then is deactivated\\n$`));
    expect(await keyStatuses(ROMEO)).toEqual({ [before]: 'Active', [after]: 'Active' });
    await expectNoSecretIn(run, ROMEO);

    const handoff = json(await local('credentials', ROMEO, '--format', 'json'));
    expect(handoff).toMatchObject({ accessKeyId: after, keyStatus: 'Active' });
  });

  it("status shows the key's age, the previous key in its overlap, the schedule and the last rotation", async () => {
    const run = await local('status', ROMEO);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nAccess key and rotation\n {2}current key {3}AKIA\w+ {2}Active, [\d.]+ m?s old\n {2}previous key {2}AKIA\w+ {2}Active until .+ \(the overlap\), then deactivated\n {2}rotation {6}every 90 d, next \d{4}-.+ \(in 90 d\)\n {2}last rotated {2}\d{4}-.+ \(today\)\n$/);
    const document = json(await local('status', ROMEO, '--json'));
    expect(document.key).toMatchObject({ current: { accessKeyId: await currentKeyId(ROMEO), status: 'Active', ageFrom: 'key-created' }, rotation: { enabled: true, everyDays: 90 } });
  });

  it('refuses a second rotation while the previous key is in its overlap, and with --revoke-old-now deactivates both old keys', async () => {
    const refused = await local('rotate', ROMEO);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^tenantctl: the previous access key AKIA\w+ is still active, in its overlap until .*Add --revoke-old-now/);

    const before = await currentKeyId(ROMEO);
    const leaked = await local('rotate', ROMEO, '--revoke-old-now');

    expect(leaked.code).toBe(0);
    const after = await currentKeyId(ROMEO);
    expect(leaked.stdout).toMatch(/\n {2}deactivated the earlier key AKIA\w+ first \(--revoke-old-now; it was still in its overlap\)\n/);
    expect(leaked.stdout).toContain(`  old key ${before} deactivated (--revoke-old-now): only ${after} works now\n`);
    const statuses = await keyStatuses(ROMEO);
    expect(statuses[after]).toBe('Active');
    expect(statuses[before]).toBe('Inactive');
    expect(Object.values(statuses).filter((status) => status === 'Active')).toHaveLength(1);
    await expectNoSecretIn(leaked, ROMEO);
  });

  it('clears a rotation a killed process left pending, then rotates', async () => {
    // What a tenantctl stopped between RotateSecret's start and its end leaves: an AWSPENDING version (the stand-in's record of it).
    await clients.secretsManager.send(new TagResourceCommand({ SecretId: secretName(SIERRA), Tags: [{ Key: ROTATION_TAGS.pendingVersionId, Value: '00000000-0000-4000-8000-000000000001' }] }));

    const run = await local('rotate', SIERRA);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  an earlier rotation never finished: removed its AWSPENDING label from version 00000000-0000-4000-8000-000000000001\n');
    expect(run.stdout).toMatch(/✓ rotated in/);
  });

  it('rotates every live tenant older than an age with --all, one line each and a summary; --dry-run rotates nothing', async () => {
    const none = await local('rotate', '--all', '--older-than', '90d');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('  0 of 2 live tenants have a key older than 90 d (2 younger)\n');

    const dry = await local('rotate', '--all', '--older-than', '0d', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`  [1/2] ${ROMEO}   would rotate (0 d old)\n  [2/2] ${SIERRA}  would rotate (0 d old)\n`);

    const before: Record<string, string> = { [ROMEO]: await currentKeyId(ROMEO), [SIERRA]: await currentKeyId(SIERRA) };
    const run = await local('rotate', '--all', '--older-than', '0d', '--revoke-old-now', '--json');

    expect(run.code).toBe(0);
    const document = json(run);
    expect(document).toMatchObject({ mode: 'local', olderThanDays: 0, live: 2, summary: { rotated: 2, failed: 0, younger: 0 } });
    for (const orgId of [ROMEO, SIERRA]) {
      const after = await currentKeyId(orgId);
      expect(after).not.toBe(before[orgId]);
      expect(document.results).toContainEqual(expect.objectContaining({ orgId, outcome: 'rotated', previousAccessKeyId: before[orgId], accessKeyId: after, previousKeyDeactivated: true }));
      expect((await keyStatuses(orgId))[before[orgId] ?? '']).toBe('Inactive');
    }
    await expectNoSecretIn(run, ROMEO, SIERRA);
  });

  it('refuses an unknown org, a torn-down tenant and bad flags', async () => {
    const unknown = await local('rotate', 'E2e-Nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('tenantctl: no tenant E2e-Nobody\n');

    expect((await local('provision', TANGO)).code).toBe(0);
    expect((await local('teardown', TANGO, '--retention-days', '1')).code).toBe(0);
    const retained = await local('rotate', TANGO);
    expect(retained.code).toBe(1);
    expect(retained.stderr).toContain(`tenantctl: tenant ${TANGO} is retained: it has been torn down and its access revoked, and a new key would give it back`);
    expect(Object.values(await keyStatuses(TANGO))).toEqual(['Inactive']);

    const badAge = await local('rotate', '--all', '--older-than', '3 months');
    expect(badAge.code).toBe(2);
    expect(badAge.stderr).toBe('tenantctl: --older-than "3 months" must be a number of days such as 90d (days only: a key\'s age is counted in days). Run `npx tenantctl rotate --help`.\n');
    const both = await local('rotate', ROMEO, '--all', '--older-than', '90d');
    expect(both.code).toBe(2);
  });

  it("--all --schedule-only puts a tenant never scheduled and one whose schedule was cancelled back on the stage's, rotating no key", async () => {
    // Sierra's schedule cancelled as RevokeTenantAccess cancels it, through local mode's stand-in for Secrets Manager's rotation.
    const standIn = new LocalSecretsRotation({ secretsManager: clients.secretsManager, functionClients: localFunctionClients(endpoint), config: localConfig(endpoint, await localAccountId(endpoint)), stage: LOCAL_STAGE });
    expect(await standIn.cancel(secretName(SIERRA))).toBe(true);
    // Romeo as a tenant provisioned before rotation existed: no schedule at all.
    await clients.secretsManager.send(new UntagResourceCommand({ SecretId: secretName(ROMEO), TagKeys: [ROTATION_TAGS.enabled, ROTATION_TAGS.days, ROTATION_TAGS.scheduledDate] }));
    const keys: Record<string, string> = { [ROMEO]: await currentKeyId(ROMEO), [SIERRA]: await currentKeyId(SIERRA) };
    expect((await local('status', SIERRA)).stdout).toContain('  rotation      not scheduled (`npx tenantctl --local rotate --all --schedule-only` schedules it without rotating;');

    const dry = await local('rotate', '--all', '--schedule-only', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('2 live tenants: 2 would be scheduled, 0 already scheduled\n');
    expect((await standIn.describe(secretName(SIERRA))).RotationEnabled).toBe(false);

    const run = await local('rotate', '--all', '--schedule-only');

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^▶ put every live tenant's secret on the stage's rotation schedule, every 90 d, without rotating — local emulator at http:\/\/127\.0\.0\.1:/);
    expect(run.stdout).toMatch(new RegExp(`\\n {2}\\[\\d/2\\] ${ROMEO} {3}scheduled {10}every 90 d \\(had none\\)\\n`));
    expect(run.stdout).toMatch(new RegExp(`\\n {2}\\[\\d/2\\] ${SIERRA} {2}scheduled {10}every 90 d \\(was cancelled\\)\\n`));
    expect(run.stdout).toContain('2 live tenants: 2 scheduled, 0 already scheduled, 0 failed\n');
    for (const orgId of [ROMEO, SIERRA]) {
      expect(await currentKeyId(orgId)).toBe(keys[orgId]);
      expect(await standIn.describe(secretName(orgId))).toMatchObject({ RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 90 } });
    }
    const status = await local('status', SIERRA);
    expect(status.stdout).toMatch(/\n {2}rotation {6}every 90 d, next \d{4}-.+ \(in 90 d\)\n/);
    expect(json(await local('status', SIERRA, '--json')).key).toMatchObject({ rotation: { enabled: true, everyDays: 90 } });
    await expectNoSecretIn(run, ROMEO, SIERRA);

    const again = json(await local('rotate', '--all', '--schedule-only', '--json'));
    expect(again).toMatchObject({ mode: 'local', scheduleOnly: true, summary: { scheduled: 0, alreadyScheduled: 2, failed: 0 } });
  });
});
