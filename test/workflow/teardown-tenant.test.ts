import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import created from '../../events/samples/org-created.json';
import { assertOrgDeprovisionedDetail } from '../../functions/lib/events';
import { tenantTags } from '../../functions/lib/tags';
import { FakeAws } from '../support/fake-aws';
import { runWorkflow } from './run-state-machine';

const ORG = created.detail.orgId;
const BUCKET = 'fusion-rms-acme-bistro-42';
const USER = 'rms_acme-bistro-42';
const SECRET = 'fusion-rms/acme-bistro-42/credentials';
const DELETIONS = ['SecretsManager.DeleteSecret', 'IAM.DeleteAccessKey', 'IAM.DeleteUser', 'S3.DeleteObjects', 'S3.DeleteBucket'];
const meta = { $metadata: {} };
const empty = { buckets: [], users: [], keys: [], secrets: [] };

let aws: FakeAws;
beforeEach(() => {
  aws = new FakeAws().install();
});
afterEach(() => aws.restore());

async function provision(): Promise<void> {
  const run = await runWorkflow('provision-tenant.asl.json', created.detail);
  expect(run.status).toBe('SUCCEEDED');
  const bucket = aws.buckets.get(BUCKET);
  for (let i = 0; i < 1500; i++) bucket?.objects.set(`sales/${i}.csv`, 2);
  aws.calls = [];
  aws.events = [];
}

const teardown = (detail: Record<string, unknown>, options = {}) => runWorkflow('teardown-tenant.asl.json', { orgId: ORG, ...detail }, options);

describe('teardown-tenant (real ASL, real handlers, modelled AWS)', () => {
  it('tears a whole tenant down: revoke first, then secret, keys, user and every object version, then OrgDeprovisioned', async () => {
    await provision();

    const run = await teardown({ retentionDays: 0 });

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.snapshot()).toEqual(empty);
    const firstDeletion = Math.min(...DELETIONS.map((op) => aws.calls.indexOf(op)).filter((i) => i >= 0));
    expect(aws.calls.indexOf('IAM.UpdateAccessKey')).toBeGreaterThanOrEqual(0);
    expect(aws.calls.indexOf('IAM.UpdateAccessKey')).toBeLessThan(firstDeletion);
    expect(aws.calls.indexOf('S3.DeleteBucketPolicy')).toBeLessThan(firstDeletion);
    expect(run.entered).not.toContain('WaitRetentionPeriod');

    expect(aws.events.map((e) => e.DetailType)).toEqual(['OrgDeprovisioned']);
    const detail = aws.events[0]?.Detail;
    expect(() => assertOrgDeprovisionedDetail(detail)).not.toThrow();
    expect(detail).toMatchObject({ orgId: ORG, bucket: BUCKET, objectsDeleted: 3001, retentionDays: 0, leftAlone: [] });
    expect(detail?.deleted).toEqual(expect.arrayContaining([`secret ${SECRET}`, `IAM user ${USER}`, `bucket ${BUCKET}`]));
  });

  it('keeps the revoked tenant for retentionDays: keys inactive and policy gone when the wait ends, data still there', async () => {
    await provision();
    let atFirstDeletion: { keyStatuses: string[]; policy: string | undefined; objects: number } | undefined;

    const run = await teardown({ retentionDays: 30 }, {
      onTask: (state: string) => {
        if (state !== 'DeleteTenantCredentials' || atFirstDeletion) return;
        atFirstDeletion = {
          keyStatuses: (aws.users.get(USER)?.keys ?? []).map((k) => k.status),
          policy: aws.buckets.get(BUCKET)?.policy,
          objects: aws.buckets.get(BUCKET)?.objects.size ?? 0,
        };
      },
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(expect.arrayContaining(['RevokeTenantAccess', 'WaitRetentionPeriod', 'DeleteTenantCredentials']));
    expect(run.entered.indexOf('RevokeTenantAccess')).toBeLessThan(run.entered.indexOf('WaitRetentionPeriod'));
    const waited = run.events.find((e) => e.type === 'StateEntered' && e.state === 'WaitRetentionPeriod')?.input as { teardown: { retentionSeconds: number } };
    expect(waited.teardown.retentionSeconds).toBe(30 * 86_400);
    expect(atFirstDeletion).toEqual({ keyStatuses: ['Inactive'], policy: undefined, objects: 1501 });
    expect(aws.snapshot()).toEqual(empty);
  });

  it('loops through IsBucketDeleted while the bucket step runs out of time, and finishes', async () => {
    await provision();
    // The bucket step's first two invocations have time for one round each: the budget reads
    // 25 s before the first round and 5 s before the second.
    const budgets = [25_000, 5_000, 25_000, 5_000];

    const run = await teardown({ retentionDays: 0 }, {
      remainingTimeMs: (state: string) => (state === 'DeleteTenantBucket' ? (budgets.shift() ?? 900_000) : 900_000),
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.filter((s) => s === 'DeleteTenantBucket').length).toBeGreaterThan(1);
    expect(run.entered.filter((s) => s === 'IsBucketDeleted').length).toBe(run.entered.filter((s) => s === 'DeleteTenantBucket').length);
    expect(aws.snapshot()).toEqual(empty);
  });

  it('uses the stage default retention when OrgDeleted names none', async () => {
    const run = await teardown({});
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toContain('WaitRetentionPeriod');
  });

  it('tears down a half-provisioned tenant (provisioning parked at IssueTenantCredentials)', async () => {
    aws.inject('SecretsManager.CreateSecret', () => new SecretsManagerServiceException({ name: 'InternalServiceError', $fault: 'server', ...meta, message: 'boom' }), 1000);
    const parked = await runWorkflow('provision-tenant.asl.json', created.detail);
    expect(parked.failedAt).toBe('IssueTenantCredentials');
    expect(aws.snapshot().buckets).toEqual([BUCKET]);
    expect(aws.snapshot().users).toEqual([USER]);

    const run = await teardown({ retentionDays: 0 });

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.snapshot()).toEqual(empty);
    // No secret: the bucket was found from the deterministic candidates and verified by its tags.
    const revoked = run.events.find((e) => e.type === 'StateExited' && e.state === 'RevokeTenantAccess')?.output as { revoked: { bucketFoundBy: string } };
    expect(['user-tag', 'candidate']).toContain(revoked.revoked.bucketFoundBy);
  });

  it('is idempotent: a second teardown finds nothing, deletes nothing and succeeds', async () => {
    await provision();
    expect((await teardown({ retentionDays: 0 })).status).toBe('SUCCEEDED');
    aws.calls = [];
    aws.events = [];

    const again = await teardown({ retentionDays: 0 });

    expect(again.status).toBe('SUCCEEDED');
    expect(DELETIONS.map((op) => aws.count(op))).toEqual([0, 0, 0, 0, 0]);
    expect(again.entered).toContain('NoTenantBucket');
    expect(aws.events[0]?.Detail).toMatchObject({ deleted: [], leftAlone: [] });
  });

  it('never empties a bucket with the tenant\'s name that is not this tenant\'s, and reports it', async () => {
    const foreign = aws.addOwnBucket(BUCKET, tenantTags('Someone-Else', 'org-someone-else'));
    foreign.objects.set('their/data.csv', 3);
    aws.addUser(USER, [{ Key: 'Team', Value: 'payments' }]);

    const run = await teardown({ retentionDays: 0 });

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.buckets.get(BUCKET)?.objects.get('their/data.csv')).toBe(3);
    expect(aws.users.has(USER)).toBe(true);
    expect(aws.count('S3.DeleteObjects') + aws.count('S3.DeleteBucket') + aws.count('S3.DeleteBucketPolicy') + aws.count('IAM.DeleteUser')).toBe(0);
    const detail = aws.events[0]?.Detail as { leftAlone: { resource: string }[] };
    expect(detail.leftAlone.map((s) => s.resource)).toEqual(expect.arrayContaining([`bucket ${BUCKET}`, `IAM user ${USER}`]));
  });

  it('waits for a stopped provisioning run to settle before looking', async () => {
    const run = await teardown({ retentionDays: 0, settleSeconds: 60 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(0, 4)).toEqual(['PrepareTeardown', 'IsSettleNeeded', 'SettleAfterStoppedProvisioning', 'RevokeTenantAccess']);
  });

  it('rejects an invalid input without touching anything', async () => {
    const run = await runWorkflow('teardown-tenant.asl.json', { orgId: '../x' });
    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('InvalidOrgIdError');
    expect(aws.calls).toEqual([]);
  });
});
