import { EventBridgeServiceException } from '@aws-sdk/client-eventbridge';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import created from '../../events/samples/org-created.json';
import { assertOrgDeprovisionedDetail } from '../../functions/lib/events';
import { tenantTags } from '../../functions/lib/tags';
import type { FakeAws } from '../support/fake-aws';
import { sampleRunId } from '../support/fixtures';
import { BUCKET, DELETIONS, newLedgerWorld, SECRET, USER, type LedgerWorld } from './ledger-world';
import { runWorkflow, type WorkflowRun } from './run-state-machine';

const ORG = created.detail.orgId;
const meta = { $metadata: {} };
const empty = { buckets: [], users: [], keys: [], secrets: [] };

const TEARDOWN = 'acme-bistro-42-g1-teardown';

let aws: FakeAws;
let world: LedgerWorld;
beforeEach(() => {
  ({ aws, world } = newLedgerWorld());
});
afterEach(() => aws.restore());

/** The sample tenant provisioned through the ledger, with 1500 objects of two versions each. */
async function provision(): Promise<void> {
  await world.provision({ orgName: created.detail.orgName });
  const bucket = aws.buckets.get(BUCKET);
  for (let i = 0; i < 1500; i++) bucket?.objects.set(`sales/${i}.csv`, 2);
}

/** OrgDeleted through the router, then the teardown the ledger started. */
async function teardown(detail: Record<string, unknown>, options: Parameters<LedgerWorld['run']>[2] = {}) {
  const routed = await world.route('OrgDeleted', detail);
  expect(routed).toMatchObject({ action: 'started', executionName: TEARDOWN });
  return world.run('teardown', TEARDOWN, options);
}

/** The provisioned sample tenant's teardown (retention 0) failing at `failedAt` while `call` keeps failing with `error`; then AWS heals. */
async function failedTeardown(call: string, error: () => Error, failedAt: string): Promise<void> {
  await provision();
  aws.inject(call, error, 1000);
  const failed = await teardown({ retentionDays: 0 });
  expect(failed.failedAt).toBe(failedAt);
  aws.heal();
}

const transitions = () => world.item.history.map((entry) => `${entry.from}→${entry.to}`);
/** How RevokeTenantAccess found the tenant's bucket, as its output says. */
const bucketFoundBy = (run: WorkflowRun) => (run.events.find((e) => e.type === 'StateExited' && e.state === 'RevokeTenantAccess')?.output as { revoked: { bucketFoundBy: string } }).revoked.bucketFoundBy;
/** How long WaitRetentionPeriod waited, as its input says. */
const retentionSecondsWaited = (run: WorkflowRun) => (run.events.find((e) => e.type === 'StateEntered' && e.state === 'WaitRetentionPeriod')?.input as { teardown: { retentionSeconds: number } }).teardown.retentionSeconds;

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
    expect(detail).toMatchObject({ orgId: ORG, bucket: BUCKET, objectsDeleted: 3000, retentionDays: 0, leftAlone: [] });
    expect(detail?.deleted).toEqual(expect.arrayContaining([`secret ${SECRET}`, `IAM user ${USER}`, `bucket ${BUCKET}`]));

    // The ledger went revoking → retained → deleting → deleted, each step before the work it announces.
    expect(transitions().slice(-4)).toEqual(['active→revoking', 'revoking→retained', 'retained→deleting', 'deleting→deleted']);
    expect(world.item).toMatchObject({ state: 'deleted', generation: 1, teardown: { name: TEARDOWN, keysDeactivated: [expect.stringMatching(/^AKIA/)] } });
    expect(aws.ledger.liveTenants()).toBe(0);
    const record = (state: string) => run.entered.indexOf(state);
    expect(record('RecordTenantRetained')).toBeGreaterThan(record('RevokeTenantAccess'));
    expect(record('RecordTenantDeleting')).toBeLessThan(record('DeleteTenantCredentials'));
    expect(record('RecordTenantDeleted')).toBeGreaterThan(record('DeleteTenantBucket'));
    expect(record('RecordTenantDeleted')).toBeLessThan(record('PublishOrgDeprovisioned'));
  });

  it("tears down in the region and bucket the ledger recorded, even when OrgDeleted names neither", async () => {
    await world.provision({ region: 'eu-west-1' });

    const run = await teardown({ retentionDays: 0 });

    expect(world.inputOf(TEARDOWN)).toMatchObject({ region: 'eu-west-1', bucketName: BUCKET, generation: 1, runId: sampleRunId(TEARDOWN) });
    expect(run.status).toBe('SUCCEEDED');
    expect(bucketFoundBy(run)).toBe('ledger');
    expect(aws.snapshot()).toEqual(empty);
  });

  it('ends as TeardownSuperseded with nothing deleted when a restore takes the tenant over during the retention wait', async () => {
    await provision();

    const run = await teardown({ retentionDays: 30 }, {
      onTask: (state) => {
        // OrgCreated arrives while the teardown waits; the router's StopExecution has not reached it.
        if (state === 'RecordTenantDeleting') world.decideNow('OrgCreated');
      },
    });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(-3)).toEqual(['WaitRetentionPeriod', 'RecordTenantDeleting', 'TeardownSuperseded']);
    expect(run.retried).not.toContain('RecordTenantDeleting');
    expect(DELETIONS.map((op) => aws.count(op))).toEqual([0, 0, 0, 0, 0]);
    expect(aws.snapshot()).toMatchObject({ buckets: [BUCKET], users: [USER], secrets: [SECRET] });
    expect(aws.buckets.get(BUCKET)?.objects.size).toBe(1500);
    expect(aws.events).toEqual([]);
    expect(world.item).toMatchObject({ state: 'restoring', restore: { name: 'acme-bistro-42-g1-restore' } });
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
    expect(retentionSecondsWaited(run)).toBe(30 * 86_400);
    expect(atFirstDeletion).toEqual({ keyStatuses: ['Inactive'], policy: undefined, objects: 1500 });
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
    await provision();

    const run = await teardown({});

    expect(world.inputOf(TEARDOWN)).toMatchObject({ retentionDays: 7 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toContain('WaitRetentionPeriod');
    expect(retentionSecondsWaited(run)).toBe(7 * 86_400);
  });

  it('tears down a half-provisioned tenant (provisioning stuck at IssueTenantCredentials, stopped by OrgDeleted)', async () => {
    aws.inject('SecretsManager.CreateSecret', () => new SecretsManagerServiceException({ name: 'InternalServiceError', $fault: 'server', ...meta, message: 'boom' }), 1000);
    const routed = await world.route('OrgCreated');
    const parked = await world.run('provision', routed.executionName as string);
    expect(parked.failedAt).toBe('IssueTenantCredentials');
    expect(aws.snapshot().buckets).toEqual([BUCKET]);
    expect(aws.snapshot().users).toEqual([USER]);

    const run = await teardown({ retentionDays: 0 });

    expect(world.deps.recorded.stopped).toEqual([expect.objectContaining({ workflow: 'provision', name: routed.executionName, error: 'OrgDeleted' })]);

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.snapshot()).toEqual(empty);
    // No secret: the bucket was found from the deterministic candidates and verified by its tags.
    expect(['user-tag', 'candidate']).toContain(bucketFoundBy(run));
  });

  it('is idempotent: a repeated OrgDeleted starts nothing, and the same teardown run again deletes nothing', async () => {
    await provision();
    expect((await teardown({ retentionDays: 0 })).status).toBe('SUCCEEDED');
    aws.calls = [];
    aws.events = [];
    const started = world.deps.recorded.started.length;

    const repeated = await world.route('OrgDeleted', { retentionDays: 0 });
    const again = await world.run('teardown', TEARDOWN);

    expect(repeated).toMatchObject({ action: 'duplicate', state: 'deleted' });
    expect(world.deps.recorded.started).toHaveLength(started);
    expect(again.status).toBe('SUCCEEDED');
    expect(DELETIONS.map((op) => aws.count(op))).toEqual([0, 0, 0, 0, 0]);
    expect(world.item.state).toBe('deleted');
  });

  it('records what the steps of a teardown it runs again already recorded only once (a redrive from the start)', async () => {
    await failedTeardown('S3.DeleteBucket', () => new S3ServiceException({ name: 'InternalError', $fault: 'server', ...meta, message: 'We encountered an internal error.' }), 'DeleteTenantBucket');
    expect(world.item.state).toBe('deleting');
    const history = world.item.history.length;

    const redriven = await world.run('teardown', TEARDOWN);

    expect(redriven.status).toBe('SUCCEEDED');
    expect(aws.snapshot()).toEqual(empty);
    expect(world.item.state).toBe('deleted');
    expect(world.item.history.slice(history).map((entry) => `${entry.from}→${entry.to}`)).toEqual(['deleting→deleted']);
  });

  it('publishes OrgDeprovisioned when a teardown that failed after recording the tenant deleted runs again from the start (the local runner\'s redrive)', async () => {
    await failedTeardown('EventBridge.PutEvents', () => new EventBridgeServiceException({ name: 'InternalException', $fault: 'server', ...meta, message: 'EventBridge is down' }), 'PublishOrgDeprovisioned');
    expect(world.item.state).toBe('deleted');

    const redriven = await world.run('teardown', TEARDOWN);

    // ConfirmTenantRun accepts a teardown in any of its own states, `deleted` included: the local runner
    // redrives from the start, and a run that failed after recording the tenant deleted must still publish.
    expect(redriven.entered).not.toContain('TeardownSuperseded');
    expect(aws.events.map((e) => e.DetailType)).toEqual(['OrgDeprovisioned']);
  });

  it('never empties a bucket with the tenant\'s name that is not this tenant\'s, and reports it', async () => {
    const foreign = aws.addOwnBucket(BUCKET, tenantTags('Someone-Else', sampleRunId('someone-else-g1-provision')));
    foreign.objects.set('their/data.csv', 3);
    aws.addUser(USER, [{ Key: 'Team', Value: 'payments' }]);
    // The tenant's provisioning was recorded but never ran: OrgDeleted stops it and tears down.
    await world.route('OrgCreated');

    const run = await teardown({ retentionDays: 0 });

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.buckets.get(BUCKET)?.objects.get('their/data.csv')).toBe(3);
    expect(aws.users.has(USER)).toBe(true);
    expect(aws.count('S3.DeleteObjects') + aws.count('S3.DeleteBucket') + aws.count('S3.DeleteBucketPolicy') + aws.count('IAM.DeleteUser')).toBe(0);
    const detail = aws.events[0]?.Detail as { leftAlone: { resource: string }[] };
    expect(detail.leftAlone.map((s) => s.resource)).toEqual(expect.arrayContaining([`bucket ${BUCKET}`, `IAM user ${USER}`]));
  });

  it('waits for a provisioning run the ledger stopped to settle before looking', async () => {
    await world.route('OrgCreated');

    const run = await teardown({ retentionDays: 0 });

    expect(world.inputOf(TEARDOWN)).toMatchObject({ settleSeconds: 60 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(0, 6)).toEqual(['PrepareTeardown', 'ConfirmTenantRun', 'IsContinuation', 'IsSettleNeeded', 'SettleAfterStoppedProvisioning', 'RevokeTenantAccess']);
    // The teardown stops the provisioning again itself before it settles (the router's stop may have been lost).
    expect(aws.stoppedExecutions).toEqual([
      { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-test-provision-tenant:acme-bistro-42-g1-provision', error: 'OrgDeleted', cause: expect.stringContaining(TEARDOWN) },
    ]);
  });

  it('touches nothing when the ledger moved past the teardown before it began (a restore handled at the same moment)', async () => {
    await provision();
    await world.route('OrgDeleted', { retentionDays: 30 });
    // The teardown has not revoked yet: an OrgCreated now starts a restore and stops the teardown.
    world.decideNow('OrgCreated');

    const run = await world.run('teardown', TEARDOWN);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(['PrepareTeardown', 'ConfirmTenantRun', 'TeardownSuperseded']);
    expect(aws.calls.filter((call) => !call.startsWith('DynamoDB.'))).toEqual([]);
    expect(aws.users.get(USER)?.keys.map((k) => k.status)).toEqual(['Active']);
  });

  it('rejects an invalid input without touching anything', async () => {
    const run = await runWorkflow('teardown-tenant.asl.json', { orgId: '../x' }, { executionName: 'by-hand' });
    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('InvalidOrgIdError');
    expect(aws.calls).toEqual([]);
  });
});
