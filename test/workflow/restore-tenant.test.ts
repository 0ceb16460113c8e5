import { S3ServiceException } from '@aws-sdk/client-s3';
import { assertOrgRestoredDetail } from '../../functions/lib/events';
import type { FakeAws } from '../support/fake-aws';
import { BUCKET, DELETIONS, newLedgerWorld, SECRET, USER, type LedgerWorld } from './ledger-world';

const TEARDOWN = 'acme-bistro-42-g1-teardown';
const RESTORE = 'acme-bistro-42-g1-restore';
const meta = { $metadata: {} };
const arn = (machine: string, name: string) => `arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-test-${machine}:${name}`;

let aws: FakeAws;
let world: LedgerWorld;
let policy: string | undefined;
let keyId: string | undefined;
let provisioned: Record<string, unknown> | undefined;

beforeEach(async () => {
  ({ aws, world } = newLedgerWorld());
  await world.provision({ orgName: 'Acme Bistro' });
  aws.buckets.get(BUCKET)?.objects.set('sales/2026-11-23.csv', 1);
  policy = aws.buckets.get(BUCKET)?.policy;
  keyId = aws.users.get(USER)?.keys[0]?.id;
  provisioned = world.item.provisioned as unknown as Record<string, unknown>;
});
afterEach(() => aws.restore());

/** OrgDeleted, then its teardown until `state`, where an OrgCreated arrives and the ledger starts a restore. */
async function teardownUntilRestored(state: 'RecordTenantRetained' | 'RecordTenantDeleting', retentionDays = 30) {
  await world.route('OrgDeleted', { retentionDays });
  const run = await world.run('teardown', TEARDOWN, {
    onTask: (entered) => {
      if (entered === state) world.decideNow('OrgCreated');
    },
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.entered.slice(-2)).toEqual([state, 'TeardownSuperseded']);
  expect(world.item).toMatchObject({ state: 'restoring', restore: { name: RESTORE } });
  aws.calls = [];
  aws.events = [];
  return run;
}

const keyStatuses = () => (aws.users.get(USER)?.keys ?? []).map((key) => `${key.id}:${key.status}`);
const transitions = () => world.item.history.map((entry) => `${entry.from}→${entry.to}`);

describe('restore-tenant (real ASL, real handlers, modelled AWS)', () => {
  it('gives access back after a restore in the retention wait: the keys the teardown deactivated, the bucket policy, OrgRestored; nothing deleted', async () => {
    await teardownUntilRestored('RecordTenantDeleting');
    expect(keyStatuses()).toEqual([`${keyId}:Inactive`]);
    // The revocation took the secret off its rotation schedule: no rotation gives a revoked tenant a key.
    expect(aws.secrets.get(SECRET)?.rotation).toBeUndefined();
    expect(aws.buckets.get(BUCKET)?.policy).toBeUndefined();
    expect(world.inputOf(RESTORE)).toMatchObject({ settleSeconds: 0, bucketName: BUCKET, keyIds: [keyId] });

    const run = await world.run('restore', RESTORE);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(['ConfirmTenantRun', 'IsSettleNeeded', 'RestoreTenantAccess', 'HasBucketPolicy', 'ApplyTenantBucketPolicy', 'RecordTenantRestored', 'PublishOrgRestored']);
    expect(keyStatuses()).toEqual([`${keyId}:Active`]);
    expect(aws.secrets.get(SECRET)?.rotation).toEqual({ lambdaArn: process.env.ROTATION_FUNCTION_ARN, days: 90 });
    expect(JSON.parse(aws.secrets.get(SECRET)?.value ?? '{}').accessKeyId).toBe(keyId);
    expect(aws.buckets.get(BUCKET)?.policy).toBe(policy);
    expect(aws.buckets.get(BUCKET)?.objects.has('sales/2026-11-23.csv')).toBe(true);
    expect(DELETIONS.map((op) => aws.count(op))).toEqual([0, 0, 0, 0, 0]);

    expect(aws.events.map((e) => e.DetailType)).toEqual(['OrgRestored']);
    const detail = aws.events[0]?.Detail;
    expect(() => assertOrgRestoredDetail(detail)).not.toThrow();
    const { provisionedAt: _at, executionName: _name, ...tenant } = provisioned ?? {};
    expect(detail).toEqual({ ...tenant, executionName: RESTORE, restoredAt: expect.any(String) });

    expect(world.item.state).toBe('active');
    expect(transitions().slice(-4)).toEqual(['active→revoking', 'revoking→retained', 'retained→restoring', 'restoring→active']);
    expect(aws.ledger.liveTenants()).toBe(1);
    // The restore stops the teardown it superseded itself, before it changes anything.
    expect(aws.stoppedExecutions).toEqual([{ executionArn: arn('teardown-tenant', TEARDOWN), error: 'OrgRestored', cause: expect.stringContaining(RESTORE) }]);
  });

  it('waits for a teardown stopped while revoking to settle, then activates the key the tenant secret holds', async () => {
    await teardownUntilRestored('RecordTenantRetained');
    expect(keyStatuses()).toEqual([`${keyId}:Inactive`]);
    expect(world.inputOf(RESTORE)).toMatchObject({ settleSeconds: 60 });
    expect(world.inputOf(RESTORE)).not.toHaveProperty('keyIds');

    const run = await world.run('restore', RESTORE);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(0, 4)).toEqual(['ConfirmTenantRun', 'IsSettleNeeded', 'SettleAfterStoppedTeardown', 'RestoreTenantAccess']);
    const waited = run.events.find((e) => e.type === 'StateEntered' && e.state === 'SettleAfterStoppedTeardown')?.input as { settleSeconds: number };
    expect(waited.settleSeconds).toBe(60);
    expect(keyStatuses()).toEqual([`${keyId}:Active`]);
    expect(aws.buckets.get(BUCKET)?.policy).toBe(policy);
    expect(world.item.state).toBe('active');
  });

  it('gives the key back even when the teardown had to retry its revocation (the retry finds the key already inactive)', async () => {
    // UpdateAccessKey succeeds, then DeleteBucketPolicy is throttled: the step fails and is retried.
    aws.inject('S3.DeleteBucketPolicy', () => new S3ServiceException({ name: 'SlowDown', $fault: 'server', ...meta, message: 'Please reduce your request rate.' }), 1);
    const teardown = await teardownUntilRestored('RecordTenantDeleting');
    expect(teardown.retried).toContain('RevokeTenantAccess');

    const run = await world.run('restore', RESTORE);

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.events.map((e) => e.DetailType)).toEqual(['OrgRestored']);
    // The retried RevokeTenantAccess reports keysDeactivated [] (it deactivated nothing this time) and
    // the ledger records []: RestoreTenantAccess also activates the key the tenant's secret holds, so
    // OrgRestored is never announced while the tenant's only key stays Inactive.
    expect(keyStatuses()).toEqual([`${keyId}:Active`]);
  });

  it('ends at RestoreSuperseded, announcing nothing, when an OrgDeleted takes the tenant over while it restores', async () => {
    await teardownUntilRestored('RecordTenantDeleting');

    const run = await world.run('restore', RESTORE, {
      onTask: (state) => {
        if (state === 'ApplyTenantBucketPolicy') world.decideNow('OrgDeleted', { retentionDays: 30 });
      },
    });

    expect(run).toMatchObject({ status: 'FAILED', error: { name: 'TenantRunSupersededError' } });
    // ApplyTenantBucketPolicy asks the ledger first (access guard): no policy for a restore the ledger moved past.
    expect(run.entered.slice(-2)).toEqual(['ApplyTenantBucketPolicy', 'RestoreSuperseded']);
    expect(aws.count('S3.PutBucketPolicy')).toBe(0);
    expect(aws.events).toEqual([]);
    expect(world.item).toMatchObject({ state: 'revoking', teardown: { name: 'acme-bistro-42-g1-teardown-2' } });
  });

  it('fails at RestoreTenantAccess, parked for an operator, when the tenant user is gone: nothing re-applied or announced', async () => {
    await teardownUntilRestored('RecordTenantDeleting');
    aws.users.delete(USER);

    const run = await world.run('restore', RESTORE);

    expect(run).toMatchObject({ status: 'FAILED', failedAt: 'RestoreTenantAccess', error: { name: 'TenantUserConflictError' } });
    expect(run.retried).not.toContain('RestoreTenantAccess');
    expect(aws.count('S3.PutBucketPolicy')).toBe(0);
    expect(aws.events).toEqual([]);
    expect(world.item.state).toBe('restoring');
  });
});
