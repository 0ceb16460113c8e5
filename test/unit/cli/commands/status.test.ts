import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand, HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mockTenantAbsent, mockTenantPresent } from '../resources-mock';
import { createWorld } from '../world';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);
const mocks = { iam: iamMock, s3: s3Mock, secretsManager: secretsMock };

beforeEach(() => {
  for (const mock of [iamMock, s3Mock, secretsMock]) mock.reset();
  mockTenantAbsent(mocks);
});

describe('tenantctl status', () => {
  it('starts from the ledger item (state, names, history), then the executions it records with their timelines, then the resources now', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');
    mockTenantPresent(mocks);

    const run = await world.tenantctl(['status', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /^Tenant Acme — AWS account 123456789012, us-east-1, stage dev\n {2}state +active since 2026-11-23 09:00:\d\dZ \(generation 1\)\n {2}region +us-east-1\n {2}bucket +fusion-rms-acme\n {2}IAM user +rms_acme\n {2}secret +fusion-rms\/dev\/acme\/credentials\n\nHistory\n/,
    );
    expect(run.stdout).toMatch(/\n {2}2026-11-23 09:00:\d\dZ {2}— +→ provisioning {2}OrgCreated evt-1: OrgCreated: first provisioning\n/);
    expect(run.stdout).toMatch(/\n {2}2026-11-23 09:00:\d\dZ {2}provisioning → active {8}workflow acme-g1-provision: provisioned: bucket fusion-rms-acme\n/);
    expect(run.stdout).toMatch(/Executions of generation 1\nprovision-tenant {2}acme-g1-provision {2}SUCCEEDED {2}started 2026-11-23 09:00:\d\dZ, took /);
    expect(run.stdout).toMatch(/\+\d+ ms {2}✓ ValidateOrg +100 ms\n/);
    expect(run.stdout).toMatch(/bucket +fusion-rms-acme +present/);
    expect(run.stdout).toMatch(/access keys +AKIAEXAMPLEKEY000001 \(Active\) +present/);
    expect(s3Mock).toHaveReceivedCommandWith(GetBucketTaggingCommand, { Bucket: 'fusion-rms-acme', ExpectedBucketOwner: '123456789012' });
  });

  it("shows a prefix tenant's prefix of the shared bucket, in the ledger and as it is now, and never looks for a bucket of its own", async () => {
    const world = createWorld('aws');
    const item = await world.provisioned('Acme');
    // A tenant the ledger recorded as a prefix of the stage's shared bucket.
    await world.ledger.write({ ...item, tenancy: 'prefix', resources: { ...item.resources, bucket: 'connect.pozi.com', prefix: 'userdata/acme-publisher/' }, version: item.version + 1 }, item.version, 0);
    mockTenantPresent(mocks);
    s3Mock.on(HeadBucketCommand).resolves({});
    s3Mock.on(ListObjectsV2Command).resolves({ KeyCount: 1, Contents: [{ Key: 'userdata/acme-publisher/sales.csv' }] });

    const run = await world.tenantctl(['status', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\n {2}prefix +s3:\/\/connect\.pozi\.com\/userdata\/acme-publisher\/ \(a prefix of the shared bucket\)\n/);
    expect(run.stdout).toMatch(/\n {2}prefix +s3:\/\/connect\.pozi\.com\/userdata\/acme-publisher\/ +present \(a prefix of the shared bucket, holding objects\)\n/);
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: 'connect.pozi.com', Prefix: 'userdata/acme-publisher/', MaxKeys: 1, ExpectedBucketOwner: '123456789012' });
    expect(s3Mock).not.toHaveReceivedCommand(GetBucketTaggingCommand);
  });

  it('prints one JSON document with the ledger item, the executions and the resources', async () => {
    const world = createWorld('aws');
    const item = await world.provisioned('Acme');

    const run = await world.tenantctl(['status', 'acme', '--json']);

    expect(run.code).toBe(0);
    const status = run.json();
    expect(status).toMatchObject({ orgId: 'Acme', slug: 'acme', mode: 'aws', ledger: JSON.parse(JSON.stringify(item)) });
    expect(status.executions).toEqual([expect.objectContaining({ workflow: 'provision', name: 'acme-g1-provision', generation: 1, orgId: 'Acme', status: 'SUCCEEDED', redriveCount: 0 })]);
    expect(status.resources).toMatchObject({ bucket: { name: 'fusion-rms-acme', status: 'absent' }, user: { name: 'rms_acme', status: 'absent' } });
  });

  it('shows when a retained tenant will be deleted and how to restore it, and the teardown waiting', async () => {
    const world = createWorld('aws');
    const item = await world.retained('Acme', 7);

    const run = await world.tenantctl(['status', 'Acme']);

    expect(run.code).toBe(0);
    const until = new Date(item.teardown?.retainedUntil ?? '').toISOString().slice(0, 19).replace('T', ' ');
    expect(run.stdout).toContain(`  retained     until ${until}Z, then deleted; \`npx tenantctl restore Acme\` gives its access back until then\n`);
    expect(run.stdout).toMatch(/teardown-tenant {2}acme-g1-teardown {2}RUNNING {2}started .*, running\n/);
  });

  it('shows the parked run with its error, whether a redrive helps, and exits 1', async () => {
    const world = createWorld('aws');
    await world.parkedTeardown('Acme');

    const run = await world.tenantctl(['status', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ {2}state +parked \(deleting\) since /);
    expect(run.stdout).toMatch(
      / {2}parked +teardown-tenant acme-g1-teardown FAILED at 2026-11-23 .*Z: InvalidParameterException — You can't delete secret fusion-rms\/dev\/acme\/credentials that still has replica regions \[us-west-2\]\n/,
    );
    expect(run.stdout).toContain('  FAILED at DeleteTenantCredentials (Task): InvalidParameterException');
    expect(run.stdout).toContain('  redrivable: yes — `npx tenantctl redrive Acme` resumes at the failed state DeleteTenantCredentials\n');
  });

  it('says a recorded execution Step Functions no longer has was forgotten (90-day retention) — not an error', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');
    world.executions.forget('provision', 'acme-g1-provision');

    const run = await world.tenantctl(['status', 'Acme', '--json']);
    const text = await world.tenantctl(['status', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.json().executions).toEqual([
      { workflow: 'provision', stateMachine: 'provision-tenant', name: 'acme-g1-provision', executionArn: expect.stringMatching(/:execution:tenant-provisioner-dev-provision-tenant:acme-g1-provision$/), startedAt: expect.any(String), forgotten: true },
    ]);
    expect(text.stdout).toMatch(/\nprovision-tenant {2}acme-g1-provision {2}forgotten by Step Functions \(90-day retention\); started /);
    expect(text.stderr).toBe('');
  });

  it('shows the executions of the current generation only, and that a teardown stopped by a restore must not be redriven', async () => {
    const world = createWorld('aws');
    await world.retained('Acme');
    await world.lifecycle({ kind: 'restore', orgId: 'Acme', by: 'test' });
    await world.settle();

    const run = await world.tenantctl(['status', 'Acme', '--json']);

    expect(run.code).toBe(0);
    const reports = run.json().executions;
    expect(reports.map((report: { name: string; status: string }) => [report.name, report.status])).toEqual([
      ['acme-g1-provision', 'SUCCEEDED'],
      ['acme-g1-teardown', 'ABORTED'],
      ['acme-g1-restore', 'SUCCEEDED'],
    ]);
    expect(reports[1].redrive).toEqual({ redrivable: false, reason: expect.stringMatching(/^acme-g1-teardown is no longer tenant acme's current run/) });
  });

  it('shows a teardown that continued as new as one teardown in its executions, each naming the one before and after it', async () => {
    const world = createWorld('aws');
    const item = await world.continuedTeardown('Acme');
    expect(item).toMatchObject({ state: 'deleted', teardown: { name: 'acme-g1-teardown-part2', part: 2, earlierParts: [{ name: 'acme-g1-teardown' }] } });

    const run = await world.tenantctl(['status', 'Acme']);
    const json = await world.tenantctl(['status', 'Acme', '--json']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nteardown-tenant {2}acme-g1-teardown {2}SUCCEEDED {2}started .*, took .* — part 1 of 2 of one teardown: continued in acme-g1-teardown-part2\n/);
    expect(run.stdout).toMatch(/\nteardown-tenant {2}acme-g1-teardown-part2 {2}SUCCEEDED {2}started .*, took .* — part 2 of 2 of one teardown: continues acme-g1-teardown\n/);
    expect(run.stdout).toMatch(/deleting +→ deleting +workflow acme-g1-teardown: history near Step Functions' limit after 1000000 versions deleted: continues in acme-g1-teardown-part2 \(part 2\)\n/);
    expect(json.json().executions.map((report: { name: string; part?: unknown }) => [report.name, report.part])).toEqual([
      ['acme-g1-provision', undefined],
      ['acme-g1-teardown', { index: 1, of: 2, next: 'acme-g1-teardown-part2' }],
      ['acme-g1-teardown-part2', { index: 2, of: 2, previous: 'acme-g1-teardown' }],
    ]);
  });

  it('shows a bucket the teardown keeps, until when, and what gets it back', async () => {
    const world = createWorld('aws');
    await world.provisioned('Acme');
    world.executions.outcomes.set('acme-g1-teardown', { kind: 'keep', until: '2027-01-01T09:00:00.000Z' });
    world.executions.outcomes.set('acme-g1-teardown-part2', { kind: 'running' });
    await world.route('OrgDeleted', { orgId: 'Acme', retentionDays: 0 });
    await world.settle();

    const run = await world.tenantctl(['status', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  kept bucket  fusion-rms-acme kept empty and locked down until 2027-01-01 09:00:00Z, then deleted by acme-g1-teardown-part2; an OrgCreated before then gets it back\n');
    expect(run.stdout).toMatch(/\nteardown-tenant {2}acme-g1-teardown-part2 {2}RUNNING .* — part 2 of 2 of one teardown: continues acme-g1-teardown\n/);
  });

  it('says what a step that keeps retrying waits for when AWS is still settling something (a bucket name deleted moments before)', async () => {
    const world = createWorld('aws');
    world.executions.outcomes.set('acme-g1-provision', { kind: 'running' });
    await world.route('OrgCreated', { orgId: 'Acme' });
    await world.settle();
    const run = world.executions.runs.get('provision/acme-g1-provision');
    const at = world.clock();
    run?.history.push(
      { type: 'StateEntered', timestamp: at, state: 'CreateTenantBucket', stateType: 'Task', input: {} },
      { type: 'StateRetried', timestamp: at, state: 'CreateTenantBucket', stateType: 'Task', error: 'BucketNameSettlingError', cause: 'S3 is still settling', retryAttempt: 1 },
    );

    const text = await world.tenantctl(['status', 'Acme']);

    expect(text.stdout).toMatch(/… CreateTenantBucket +running +1 retry +\(last: BucketNameSettlingError\)\n +S3 is still settling an operation on the bucket name \(its deletion moments before, typically\): retried for up to 17 minutes\n/);
  });

  it('exits 1 for a rolled-back tenant, with --new-generation as what helps', async () => {
    const world = createWorld('aws');
    await world.rolledBack('Acme');

    const run = await world.tenantctl(['status', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  redrivable: no — it ended in its Fail state ProvisioningFailed after rolling back what it had created (TenantUserConflictError): a redrive would re-enter that Fail state and fail again; instead: fix the cause, then: npx tenantctl provision Acme --new-generation\n');
  });

  it('says "no tenant" on stderr and exits 1 for an org without a ledger item, or with only a tombstone', async () => {
    const world = createWorld('aws');
    await world.route('OrgDeleted', { orgId: 'Ghost' });

    const none = await world.tenantctl(['status', 'Nobody']);
    const tombstone = await world.tenantctl(['status', 'Ghost', '--json']);

    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('tenantctl: no tenant Nobody\n');
    expect(tombstone.code).toBe(1);
    expect(tombstone.stderr).toBe('tenantctl: no tenant Ghost\n');
    expect(tombstone.json()).toEqual({ error: { name: 'CliError', message: 'no tenant Ghost', exitCode: 1 } });
    expect(iamMock).toHaveReceivedCommandTimes(GetUserCommand, 0);
  });
});
