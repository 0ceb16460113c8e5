/**
 * `tenantctl rotate` on the AWS backend: the ledger of the world (test/unit/cli/world.ts), and
 * Secrets Manager and IAM as the rotation model answers them over aws-sdk-client-mock
 * (test/unit/cli/rotation-account.ts: the emulator cannot run a rotation; the local mode's own is
 * in test/e2e/tenantctl-rotate.test.ts).
 */
import { GetUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidRequestException, RotateSecretCommand, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { stageConfig } from '../../../../cli/aws/config';
import { parseOlderThan } from '../../../../cli/commands/rotate';
import { RotationAccount } from '../rotation-account';
import { ACCOUNT, createWorld, DAY_MS, REGION, ROTATION_FUNCTION_ARN, T0, type World } from '../world';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);

let world: World;
let account: RotationAccount;

beforeEach(() => {
  for (const mock of [iamMock, s3Mock, secretsMock]) mock.reset();
  world = createWorld('aws');
  account = new RotationAccount(() => world.clock()).install({ iam: iamMock, secretsManager: secretsMock });
});

/** Nothing the command printed holds a secret access key of the model. */
function expectNoSecret(run: { stdout: string; stderr: string }): void {
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/SECRET\/|wJalrXUtnFEMI/);
}

describe('tenantctl rotate <orgId>', () => {
  it('rotates the key now and names the old and new key ids, the new version and until when the old key works, never a secret', async () => {
    await world.provisioned('Acme');
    const { secret, currentKeyId } = account.tenant('Acme', { ageDays: 40, rotationDays: 90, lastRotatedDaysAgo: 40 });

    const run = await world.tenantctl(['rotate', 'Acme']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const newKeyId = account.keyIdAt(secret.name, 'AWSCURRENT') as string;
    expect(newKeyId).not.toBe(currentKeyId);
    expect(run.stdout).toMatch(/^▶ rotate the access key of Acme — AWS account 123456789012, us-east-1, stage dev\n {2}rotation started: new version v-acme-r\d+ \(AWSPENDING\)\n/);
    expect(run.stdout).toContain(`  ✓ rotated in `);
    expect(run.stdout).toContain(`: ${currentKeyId} → ${newKeyId} (secret version v-acme-r`);
    expect(run.stdout).toMatch(new RegExp(`\\n {2}old key ${currentKeyId} stays active until 2026-11-30 09:00:\\d\\dZ for consumers to pick up the new one, then is deactivated\\n$`));
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expectNoSecret(run);
  });

  it('with --revoke-old-now deactivates the old key once the new one is current', async () => {
    await world.provisioned('Acme');
    const { secret, currentKeyId } = account.tenant('Acme', { ageDays: 3, rotationDays: 90 });

    const run = await world.tenantctl(['rotate', 'Acme', '--revoke-old-now']);

    expect(run.code).toBe(0);
    const newKeyId = account.keyIdAt(secret.name, 'AWSCURRENT') as string;
    expect(run.stdout).toContain(`  old key ${currentKeyId} deactivated (--revoke-old-now): only ${newKeyId} works now\n`);
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName: 'rms_acme', AccessKeyId: currentKeyId, Status: 'Inactive' });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
    expect(account.users.get('rms_acme')?.map((key) => `${key.id}:${key.status}`)).toEqual([`${currentKeyId}:Inactive`, `${newKeyId}:Active`]);
    expectNoSecret(run);
  });

  it('refuses while the previous key is still active in its overlap (the rotation would delete it), pointing at --revoke-old-now', async () => {
    await world.provisioned('Acme');
    const { previousKeyId } = account.tenant('Acme', { ageDays: 2, rotationDays: 90, lastRotatedDaysAgo: 2, previous: { status: 'Active' } });

    const run = await world.tenantctl(['rotate', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^tenantctl: the previous access key ${previousKeyId} is still active, in its overlap until 2026-11-28 09:00:\\d\\dZ: a rotation now would have to delete it while consumers may still use it\\. Add --revoke-old-now`));
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it("counts the overlap from the current version's making when its rotation was never recorded (it failed after making its key current)", async () => {
    await world.provisioned('Acme');
    // The last recorded rotation is 30 days old, but the current version (and key) was made 2 days ago.
    const { previousKeyId } = account.tenant('Acme', { ageDays: 2, rotationDays: 90, lastRotatedDaysAgo: 30, previous: { status: 'Active' } });

    const run = await world.tenantctl(['rotate', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^tenantctl: the previous access key ${previousKeyId} is still active, in its overlap until 2026-11-28 09:00:\\d\\dZ`));
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('with --revoke-old-now deactivates an earlier key still in its overlap first, then rotates and deactivates the one it replaced', async () => {
    await world.provisioned('Acme');
    const { currentKeyId, previousKeyId } = account.tenant('Acme', { ageDays: 2, rotationDays: 90, lastRotatedDaysAgo: 2, previous: { status: 'Active' } });

    const run = await world.tenantctl(['rotate', 'Acme', '--revoke-old-now', '--json']);

    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ orgId: 'Acme', outcome: 'rotated', earlierKeyDeactivated: previousKeyId, previousAccessKeyId: currentKeyId, previousKeyDeactivated: true, revokeOldNow: true });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { AccessKeyId: previousKeyId, Status: 'Inactive' });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { AccessKeyId: currentKeyId, Status: 'Inactive' });
    expectNoSecret(run);
  });

  it('configures rotation on a secret that has none, with the stage schedule, and says so', async () => {
    await world.provisioned('Acme');
    account.tenant('Acme', { ageDays: 200 });

    const run = await world.tenantctl(['rotate', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  rotation was not configured on the secret: configuring it, every 90 d with arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioner-dev-rotateTenantCredentials\n');
    expect(secretsMock).toHaveReceivedCommandWith(RotateSecretCommand, { RotationRules: { AutomaticallyAfterDays: 90 } });
  });

  it('refuses a tenant whose current key is inactive (revoked or broken): a rotation would make a working key of it', async () => {
    await world.provisioned('Acme');
    const { currentKeyId } = account.tenant('Acme', { ageDays: 200, rotationDays: 90 });
    (account.users.get('rms_acme') ?? [])[0]!.status = 'Inactive';

    const run = await world.tenantctl(['rotate', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`tenantctl: the current access key ${currentKeyId} of IAM user rms_acme is inactive: the tenant's access is revoked or broken`);
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('refuses an unknown org, and a torn-down tenant (its access is revoked: a new key would give it back)', async () => {
    const unknown = await world.tenantctl(['rotate', 'Nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('tenantctl: no tenant Nobody\n');

    await world.retained('Acme', 7);
    account.tenant('Acme', { ageDays: 200, rotationDays: 90 });
    const retained = await world.tenantctl(['rotate', 'Acme']);
    expect(retained.code).toBe(1);
    expect(retained.stderr).toMatch(/^tenantctl: tenant Acme is retained: it has been torn down and its access revoked, and a new key would give it back \(`npx tenantctl restore Acme` first/);
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('fails with the rotation function named when the rotation does not finish, the current key untouched', async () => {
    await world.provisioned('Acme');
    const { secret, currentKeyId } = account.tenant('Acme', { ageDays: 200, rotationDays: 90 });
    account.behaviour.set(secret.name, { kind: 'stuck' });

    const run = await world.tenantctl(['rotate', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tenantctl: The rotation of secret fusion-rms\/dev\/acme\/credentials did not finish within 0 s: AWSPENDING is still on version v-acme-r\d+; the current key \(version v-acme-1\) keeps working/);
    expect(account.keyIdAt(secret.name, 'AWSCURRENT')).toBe(currentKeyId);
  });
});

describe('tenantctl rotate: bad usage', () => {
  it.each([
    [['rotate'], 'Missing argument: tenantctl rotate <orgId>, or --all --older-than <n>d'],
    [['rotate', 'Acme', '--all'], 'Give an orgId or --all, not both'],
    [['rotate', '--all'], "--all needs --older-than <n>d (--older-than 0d rotates every live tenant's key)"],
    [['rotate', 'Acme', '--older-than', '90d'], '--older-than applies only with --all'],
    [['rotate', 'Acme', '--dry-run', '--concurrency', '2'], '--concurrency, --dry-run apply only with --all'],
    [['rotate', '--all', '--older-than', '90'], '--older-than "90" must be a number of days such as 90d'],
    [['rotate', '--all', '--older-than', '3w'], '--older-than "3w" must be a number of days such as 90d'],
    [['rotate', '--all', '--older-than', '90d', '--concurrency', '0'], '--concurrency "0" must be a whole number from 1 to 10'],
    [['rotate', 'not_an_org!'], 'orgId "not_an_org!" is invalid'],
    [['rotate', 'Acme', '--revoke-old'], 'Unknown option'],
    [['rotate', 'Acme', '--schedule-only'], '--schedule-only applies only with --all'],
    [['rotate', '--all', '--schedule-only', '--older-than', '90d'], '--schedule-only rotates no key: it cannot be combined with --older-than'],
    [['rotate', '--all', '--schedule-only', '--revoke-old-now'], '--schedule-only rotates no key: it cannot be combined with --revoke-old-now'],
    [['rotate', '--all', '--schedule-only', '--concurrency', '11'], '--concurrency "11" must be a whole number from 1 to 10'],
  ])('%j is refused with exit status 2 before anything is called', async (argv, message) => {
    const run = await world.tenantctl(argv);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Run `npx tenantctl rotate --help`.');
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('parses --older-than as whole days', () => {
    expect(parseOlderThan('90d')).toBe(90);
    expect(parseOlderThan('0d')).toBe(0);
    expect(() => parseOlderThan('-1d')).toThrow('must be a number of days');
    expect(() => parseOlderThan('1.5d')).toThrow('must be a number of days');
  });
});

describe('tenantctl rotate --all --older-than', () => {
  /** Three active tenants (keys 120, 100 and 10 days old), one torn down (200 days). */
  async function fleet() {
    for (const orgId of ['Alpha', 'Bravo', 'Charlie', 'Delta']) await world.provisioned(orgId);
    await world.retained('Delta', 7);
    return {
      alpha: account.tenant('Alpha', { ageDays: 120, rotationDays: 90 }),
      bravo: account.tenant('Bravo', { ageDays: 100, rotationDays: 90 }),
      charlie: account.tenant('Charlie', { ageDays: 10, rotationDays: 90 }),
      delta: account.tenant('Delta', { ageDays: 200, rotationDays: 90 }),
    };
  }

  it('rotates every live tenant whose key is older, with a line each and a summary; the younger and the torn-down are left alone', async () => {
    const { alpha, bravo, charlie, delta } = await fleet();

    const run = await world.tenantctl(['rotate', '--all', '--older-than', '90d', '--concurrency', '1']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe("▶ rotate every live tenant's key older than 90 d — AWS account 123456789012, us-east-1, stage dev");
    expect(lines[1]).toBe('  2 of 3 live tenants have a key older than 90 d (1 younger)');
    expect(lines[2]).toMatch(new RegExp(`^ {2}\\[1/2\\] Alpha {2}rotated {2}${alpha.currentKeyId} → AKIAMODEL\\d+ \\(was 120 d old, \\d+ ms\\)$`));
    expect(lines[3]).toMatch(new RegExp(`^ {2}\\[2/2\\] Bravo {2}rotated {2}${bravo.currentKeyId} → AKIAMODEL\\d+ \\(was 100 d old, \\d+ ms\\)$`));
    expect(lines[4]).toBe('3 live tenants: 2 rotated, 0 failed, 1 younger than 90 d');
    expect(account.keyIdAt(charlie.secret.name, 'AWSCURRENT')).toBe(charlie.currentKeyId);
    expect(account.keyIdAt(delta.secret.name, 'AWSCURRENT')).toBe(delta.currentKeyId);
    expect(secretsMock).toHaveReceivedCommandTimes(RotateSecretCommand, 2);
    expectNoSecret(run);
  });

  it("goes on after one tenant's failure and exits 1, the failure on its own line and in the summary", async () => {
    const { alpha, bravo } = await fleet();
    account.behaviour.set(alpha.secret.name, { kind: 'refuse', error: () => new InvalidRequestException({ $metadata: {}, message: "A previous rotation isn't complete. That rotation will be reattempted." }) });

    const run = await world.tenantctl(['rotate', '--all', '--older-than', '90d']);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/\n {2}\[\d\/2\] Alpha {2}failed {3}Secrets Manager will not rotate secret fusion-rms\/dev\/alpha\/credentials now: A previous rotation isn't complete/);
    expect(run.stdout).toMatch(new RegExp(`\\n {2}\\[\\d/2\\] Bravo {2}rotated {2}${bravo.currentKeyId} → `));
    expect(run.stdout).toContain('3 live tenants: 1 rotated, 1 failed, 1 younger than 90 d\n');
    expect(run.stderr).toBe('tenantctl: 1 of the 3 live tenants was not rotated: see above\n');
  });

  it('counts a tenant whose key cannot be rotated (its current key inactive) as failed, and still rotates the others', async () => {
    const { charlie } = await fleet();
    (account.users.get('rms_charlie') ?? [])[0]!.status = 'Inactive';

    const run = await world.tenantctl(['rotate', '--all', '--older-than', '90d', '--concurrency', '1']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  2 of 3 live tenants have a key older than 90 d (0 younger, 1 not rotatable)\n');
    expect(run.stdout).toContain(`  ✗ Charlie: the current access key ${charlie.currentKeyId} of IAM user rms_charlie is inactive`);
    expect(run.stdout).toContain('3 live tenants: 2 rotated, 1 failed, 0 younger than 90 d\n');
    expect(secretsMock).toHaveReceivedCommandTimes(RotateSecretCommand, 2);
  });

  it('puts a younger key whose secret has no schedule on the stage\'s, without rotating it, and counts it in the summary', async () => {
    const { alpha, bravo, charlie } = await fleet();
    delete charlie.secret.rotation;

    const run = await world.tenantctl(['rotate', '--all', '--older-than', '90d', '--concurrency', '1']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toBe("  2 of 3 live tenants have a key older than 90 d (0 younger, 1 younger without a rotation schedule: to be put on the stage's (every 90 d), not rotated)");
    expect(lines[2]).toMatch(new RegExp(`^ {2}\\[1/3\\] Alpha {4}rotated {4}${alpha.currentKeyId} → AKIAMODEL\\d+ \\(was 120 d old, \\d+ ms\\)$`));
    expect(lines[3]).toMatch(new RegExp(`^ {2}\\[2/3\\] Bravo {4}rotated {4}${bravo.currentKeyId} → `));
    expect(lines[4]).toBe('  [3/3] Charlie  scheduled  every 90 d from now, not rotated (key 10 d old; its secret had no rotation schedule)');
    expect(lines[5]).toBe('3 live tenants: 2 rotated, 1 scheduled, 0 failed, 0 younger than 90 d');
    expect(secretsMock).toHaveReceivedCommandTimes(RotateSecretCommand, 3);
    expect(secretsMock).toHaveReceivedCommandWith(RotateSecretCommand, { SecretId: charlie.secret.name, RotationLambdaARN: ROTATION_FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 90 }, RotateImmediately: false });
    expect(account.keyIdAt(charlie.secret.name, 'AWSCURRENT')).toBe(charlie.currentKeyId);
    expect(charlie.secret.rotation).toEqual({ enabled: true, days: 90, lambdaArn: ROTATION_FUNCTION_ARN });

    const document = (await world.tenantctl(['rotate', '--all', '--older-than', '90d', '--json'])).json();
    expect(document.summary).toEqual({ rotated: 0, scheduled: 0, failed: 0, younger: 3, notStarted: 0 });
  });

  it('with --dry-run says a younger key without a schedule would be scheduled, and sends nothing', async () => {
    const { charlie } = await fleet();
    delete charlie.secret.rotation;

    const run = await world.tenantctl(['rotate', '--all', '--older-than', '90d', '--dry-run']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  [3/3] Charlie  would schedule (10 d old, no rotation schedule)\n');
    expect(run.stdout).toContain('3 live tenants: 2 would be rotated, 1 would be scheduled, 0 younger than 90 d\n');
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('--dry-run lists what would be rotated and rotates nothing', async () => {
    await fleet();

    const run = await world.tenantctl(['rotate', '--all', '--older-than', '90d', '--dry-run']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  [1/2] Alpha  would rotate (120 d old)\n  [2/2] Bravo  would rotate (100 d old)\n');
    expect(run.stdout).toContain('3 live tenants: 2 would be rotated, 1 younger than 90 d\n');
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('prints one JSON document with every result and the summary', async () => {
    const { alpha } = await fleet();
    // Age from IAM's CreateDate of the current key, not the secret's last rotation.
    alpha.secret.lastRotated = new Date(T0.getTime() - 1 * DAY_MS);

    const run = await world.tenantctl(['rotate', '--all', '--older-than', '90d', '--json', '--revoke-old-now']);

    expect(run.code).toBe(0);
    const document = run.json();
    expect(document).toMatchObject({ mode: 'aws', olderThanDays: 90, revokeOldNow: true, dryRun: false, live: 3, summary: { rotated: 2, failed: 0, younger: 1, notStarted: 0 } });
    expect(document.results.map((r: { orgId: string; outcome: string; previousKeyDeactivated?: boolean }) => [r.orgId, r.outcome, r.previousKeyDeactivated])).toEqual([
      ['Alpha', 'rotated', true],
      ['Bravo', 'rotated', true],
    ]);
    expectNoSecret(run);
  });
});

describe('tenantctl rotate --all --schedule-only', () => {
  /** Active tenants provisioned before rotation (Alpha), scheduled every 30 d (Bravo), on the stage's schedule (Charlie), cancelled (Echo); one torn down (Delta). */
  async function fleet() {
    for (const orgId of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']) await world.provisioned(orgId);
    await world.retained('Delta', 7);
    const tenants = {
      alpha: account.tenant('Alpha', { ageDays: 400 }),
      bravo: account.tenant('Bravo', { ageDays: 20, rotationDays: 30 }),
      charlie: account.tenant('Charlie', { ageDays: 10, rotationDays: 90 }),
      delta: account.tenant('Delta', { ageDays: 200 }),
      echo: account.tenant('Echo', { ageDays: 5, rotationDays: 90 }),
    };
    tenants.echo.secret.rotation = { enabled: false, days: 90, lambdaArn: ROTATION_FUNCTION_ARN };
    return tenants;
  }
  const stageSchedule = (secretId: string) => ({ SecretId: secretId, RotationLambdaARN: ROTATION_FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 90 }, RotateImmediately: false });

  it("puts every live tenant not on the stage's schedule on it, rotating no key, with a line each and a summary", async () => {
    const { alpha, bravo, charlie, delta, echo } = await fleet();

    const run = await world.tenantctl(['rotate', '--all', '--schedule-only', '--concurrency', '1']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "▶ put every live tenant's secret on the stage's rotation schedule, every 90 d, without rotating — AWS account 123456789012, us-east-1, stage dev",
        '  [1/4] Alpha    scheduled          every 90 d (had none)',
        '  [2/4] Bravo    scheduled          every 90 d (was every 30 d)',
        '  [3/4] Charlie  already scheduled  every 90 d',
        '  [4/4] Echo     scheduled          every 90 d (was cancelled)',
        '4 live tenants: 3 scheduled, 1 already scheduled, 0 failed',
        '',
      ].join('\n'),
    );
    expect(secretsMock).toHaveReceivedCommandTimes(RotateSecretCommand, 3);
    for (const { secret } of [alpha, bravo, echo]) {
      expect(secretsMock.commandCalls(RotateSecretCommand).map((call) => call.args[0].input)).toContainEqual(stageSchedule(secret.name));
      expect(secret.rotation).toEqual({ enabled: true, days: 90, lambdaArn: ROTATION_FUNCTION_ARN });
    }
    for (const tenant of [alpha, bravo, charlie, delta, echo]) {
      expect([...tenant.secret.versions.values()].map((version) => version.stages)).toEqual([['AWSCURRENT']]);
      expect(account.keyIdAt(tenant.secret.name, 'AWSCURRENT')).toBe(tenant.currentKeyId);
    }
    expect(delta.secret.rotation).toBeUndefined();
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expectNoSecret(run);

    const again = await world.tenantctl(['rotate', '--all', '--schedule-only', '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ scheduleOnly: true, rotationDays: 90, dryRun: false, live: 4, summary: { scheduled: 0, alreadyScheduled: 4, failed: 0, notStarted: 0 } });
    expect(secretsMock).toHaveReceivedCommandTimes(RotateSecretCommand, 3);
  });

  it('--dry-run lists who would be scheduled and sends nothing', async () => {
    await fleet();

    const run = await world.tenantctl(['rotate', '--all', '--schedule-only', '--dry-run']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(dry run: nothing is changed)');
    expect(run.stdout).toMatch(/\n {2}\[\d\/4\] Alpha {4}would schedule {5}every 90 d \(had none\)\n/);
    expect(run.stdout).toMatch(/\n {2}\[\d\/4\] Charlie {2}already scheduled {2}every 90 d\n/);
    expect(run.stdout).toContain('4 live tenants: 3 would be scheduled, 1 already scheduled\n');
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it("goes on after one tenant's failure and exits 1; a tenant whose current key is inactive is not scheduled (its rotation would make a working key of it)", async () => {
    const { alpha, bravo, echo } = await fleet();
    (account.users.get('rms_alpha') ?? [])[0]!.status = 'Inactive';
    account.behaviour.set(bravo.secret.name, {
      kind: 'refuse',
      error: () => new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'User is not authorized to perform: lambda:InvokeFunction' }),
    });

    const run = await world.tenantctl(['rotate', '--all', '--schedule-only', '--concurrency', '1']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`  [1/4] Alpha    failed             the current access key ${alpha.currentKeyId} of IAM user rms_alpha is inactive: the tenant's access is revoked or broken, and a rotation would make a working key of it`);
    expect(run.stdout).toContain(`  [2/4] Bravo    failed             Cannot put secret ${bravo.secret.name} on its schedule (every 90 d with rotation function ${ROTATION_FUNCTION_ARN}): AccessDeniedException`);
    expect(run.stdout).toContain('  [4/4] Echo     scheduled          every 90 d (was cancelled)\n');
    expect(run.stdout).toContain('4 live tenants: 1 scheduled, 1 already scheduled, 2 failed\n');
    expect(run.stderr).toBe('tenantctl: 2 of the 4 live tenants were not put on the schedule: see above\n');
    expect(alpha.secret.rotation).toBeUndefined();
    expect(echo.secret.rotation).toEqual({ enabled: true, days: 90, lambdaArn: ROTATION_FUNCTION_ARN });
  });

  it('is refused for a stage that schedules no rotation (rotationDays 0), reading and sending nothing; --older-than then schedules no younger key', async () => {
    const { alpha } = await fleet();
    world.config = stageConfig('dev', REGION, ACCOUNT, { TENANT_PROVISIONER_ROTATION_DAYS: '0' });

    const run = await world.tenantctl(['rotate', '--all', '--schedule-only']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^tenantctl: Stage dev schedules no rotation \(its rotationDays is 0; TENANT_PROVISIONER_ROTATION_DAYS tells tenantctl a stage's own\): there is no schedule to put tenants on\./);
    expect(secretsMock.calls()).toHaveLength(0);

    const older = await world.tenantctl(['rotate', '--all', '--older-than', '500d']);
    expect(older.code).toBe(0);
    expect(older.stdout).toContain('  0 of 4 live tenants have a key older than 500 d (4 younger)\n');
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
    expect(alpha.secret.rotation).toBeUndefined();
  });
});

describe('tenantctl status: the access key and its rotation', () => {
  it("shows the key's age, the previous key's overlap, the schedule and the last rotation", async () => {
    await world.provisioned('Acme');
    const { secret } = account.tenant('Acme', { ageDays: 30, rotationDays: 90, lastRotatedDaysAgo: 2, previous: { status: 'Active' } });
    // Present for the resources part of status (the rotation model answers the rest).
    iamMock.on(GetUserCommand).resolves({ User: { UserName: 'rms_acme', Path: '/tenants/dev/', UserId: 'AIDA', Arn: 'arn:aws:iam::123456789012:user/tenants/dev/rms_acme', CreateDate: T0, Tags: [{ Key: 'OrgId', Value: 'Acme' }, { Key: 'ManagedBy', Value: 'tenant-provisioner' }] } });

    const run = await world.tenantctl(['status', 'Acme']);

    const current = account.keyIdAt(secret.name, 'AWSCURRENT');
    const previous = account.keyIdAt(secret.name, 'AWSPREVIOUS');
    expect(run.stdout).toMatch(
      new RegExp(
        `\\nAccess key and rotation\\n {2}current key {3}${current} {2}Active, 30 d 0 h old\\n {2}previous key {2}${previous} {2}Active until 2026-11-28 09:00:\\d\\dZ \\(the overlap\\), then deactivated\\n {2}rotation {6}every 90 d, next 2027-02-19 09:00:\\d\\dZ \\(in 88 d\\)\\n {2}last rotated {2}2026-11-21 09:00:\\d\\dZ \\(2 d ago\\)\\n$`,
      ),
    );
    const document = (await world.tenantctl(['status', 'Acme', '--json'])).json();
    expect(document.key).toMatchObject({ current: { accessKeyId: current, status: 'Active', ageFrom: 'key-created' }, rotation: { enabled: true, everyDays: 90 } });
    expectNoSecret(run);
  });

  it('says rotation is not scheduled, and how to start it', async () => {
    await world.provisioned('Acme');
    account.tenant('Acme', { ageDays: 30 });

    const run = await world.tenantctl(['status', 'Acme']);

    expect(run.stdout).toContain('  rotation      not scheduled (`npx tenantctl rotate --all --schedule-only` schedules it without rotating; `npx tenantctl rotate Acme` rotates now and schedules it)\n  last rotated  never\n');
  });
});
