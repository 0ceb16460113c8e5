import { EventBridgeServiceException } from '@aws-sdk/client-eventbridge';
import { IAMServiceException, LimitExceededException } from '@aws-sdk/client-iam';
import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import { STSServiceException } from '@aws-sdk/client-sts';
import sample from '../../events/samples/org-created.json';
import { assertOrgProvisionedDetail, assertOrgProvisioningFailedDetail } from '../../functions/lib/events';
import { loadConfig } from '../../functions/lib/config';
import { applyLifecycle } from '../../functions/lib/ledger/apply';
import { tenantNames } from '../../functions/lib/naming';
import { tenantTags } from '../../functions/lib/tags';
import { LocalExecutionPort } from '../../local/executions';
import type { FakeAws } from '../support/fake-aws';
import { testTaskHandlers } from '../support/task-handlers';
import { sampleRunId } from '../support/fixtures';
import { BUCKET, newLedgerWorld, SECRET, SLUG, USER, type LedgerWorld } from './ledger-world';
import { runWorkflow } from './run-state-machine';

const ASL = 'provision-tenant.asl.json';
const BOUNDARY = process.env.TENANT_BOUNDARY_ARN as string;
const ORG = sample.detail.orgId;
const meta = { $metadata: {} };

const NAME = 'acme-bistro-42-g1-provision';
const RUN_ID = sampleRunId(NAME);
/** A bucket tenant's states; IsPrefixTenant and NeedsBucketPolicy choose them over a prefix tenant's. */
const HAPPY_PATH_STATES = [
  'ValidateOrg',
  'ConfirmTenantRun',
  'IsPrefixTenant',
  'CreateTenantBucket',
  'ConfigureTenantBucket',
  'CreateTenantUser',
  'IssueTenantCredentials',
  'NeedsBucketPolicy',
  'ApplyTenantBucketPolicy',
  'ProveTenantCredentials',
  'RecordTenantActive',
  'PublishOrgProvisioned',
];
const ROLLBACK_STATES = ['UndoIssueTenantCredentials', 'UndoCreateTenantUser', 'PrepareBucketRollback', 'UndoCreateTenantBucket', 'IsBucketRollbackDone'];
const FAILURE_TAIL = ['PublishOrgProvisioningFailed', 'RecordTenantRolledBack', 'ProvisioningFailed'];

let aws: FakeAws;
let world: LedgerWorld;
beforeEach(() => {
  ({ aws, world } = newLedgerWorld());
});
afterEach(() => aws.restore());

/** The sample OrgCreated through the router: the ledger records generation 1 provisioning and starts NAME. */
async function routeSample(): Promise<void> {
  const routed = await world.route('OrgCreated', { orgName: sample.detail.orgName });
  expect(routed).toMatchObject({ action: 'started', executionName: NAME, state: 'provisioning' });
}

const secretKeyId = (name = SECRET) => JSON.parse(aws.secrets.get(name)?.value ?? '{}').accessKeyId;

describe('provision-tenant (real ASL, real handlers, modelled AWS)', () => {
  it('provisions a tenant: calls in order, one of everything, the ledger records it active, and the recorded OrgProvisioned is published', async () => {
    await routeSample();
    expect(world.inputOf(NAME)).toEqual({ ...sample.detail, region: 'us-east-1', generation: 1, runId: RUN_ID });

    const run = await world.run('provision', NAME);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(HAPPY_PATH_STATES);
    expect(aws.calls).toEqual([
      'DynamoDB.GetItem',
      // Each step that changes the tenant first asks the ledger whether the run still may (run guard).
      // CreateBucket's Tags tag the bucket; S3 encrypts it by default; pub/ needs no object.
      'DynamoDB.GetItem', 'S3.HeadBucket', 'S3.CreateBucket',
      'DynamoDB.GetItem', 'S3.PutPublicAccessBlock',
      'DynamoDB.GetItem', 'IAM.CreateUser',
      // A user this run created, on the step's first attempt: no earlier attempt can have left a key to list.
      'DynamoDB.GetItem', 'IAM.CreateAccessKey', 'SecretsManager.CreateSecret',
      'DynamoDB.GetItem', 'S3.PutBucketPolicy',
      // The key is proven as the tenant before the tenant is announced.
      'SecretsManager.GetSecretValue', 'STS.GetCallerIdentity', 'S3.ListObjectsV2',
      // The proven key is put on the stage's rotation schedule (RotateImmediately false).
      'SecretsManager.RotateSecret',
      'DynamoDB.GetItem', 'DynamoDB.PutItem',
      'EventBridge.PutEvents',
    ]);
    expect(aws.snapshot()).toEqual({ buckets: [BUCKET], users: [USER], keys: [expect.stringMatching(`^${USER}:AKIA`)], secrets: [SECRET] });
    expect(`${USER}:${secretKeyId()}`).toBe(aws.snapshot().keys[0]);

    const output = run.output as Record<string, Record<string, unknown>>;
    expect(output.bucket).toMatchObject({ name: BUCKET, region: 'us-east-1', created: true });
    expect(output.user).toMatchObject({ userName: USER, created: true });
    expect(output.credentials).toMatchObject({ secretName: SECRET, issued: true });
    expect(JSON.stringify(output)).not.toMatch(/secretAccessKey|wJalr/i);

    expect(aws.events.map((e) => e.DetailType)).toEqual(['OrgProvisioned']);
    const detail = aws.events[0]?.Detail;
    expect(() => assertOrgProvisionedDetail(detail)).not.toThrow();
    expect(detail).toMatchObject({ orgId: ORG, generation: 1, executionName: NAME, bucket: { name: BUCKET }, user: { name: USER } });
    expect(aws.users.get(USER)).toMatchObject({ path: '/tenants/test/', boundary: BOUNDARY });
    expect(aws.buckets.get(BUCKET)?.tags).toEqual(tenantTags(ORG, RUN_ID));
    expect(aws.users.get(USER)?.tags).toEqual(expect.arrayContaining(tenantTags(ORG, RUN_ID)));
    // The proven key's secret rotates every 90 days (the stage's rotationDays), by the stack's rotation function.
    expect(aws.secrets.get(SECRET)?.rotation).toEqual({ lambdaArn: process.env.ROTATION_FUNCTION_ARN, days: 90 });

    // The ledger holds the tenant and the very detail that was published (re-emitted for a repeated OrgCreated).
    expect(world.item).toMatchObject({
      state: 'active',
      generation: 1,
      resources: { bucket: BUCKET, userName: USER, secretName: SECRET, userArn: aws.users.get(USER)?.arn, secretArn: aws.secrets.get(SECRET)?.arn },
      provisioned: detail,
    });
    expect(world.item.history.map((entry) => `${entry.from}→${entry.to}`)).toEqual(['null→provisioning', 'provisioning→active']);
    expect(run.output?.published).toEqual({ eventId: expect.any(String), detail });
  });

  it('re-emits the recorded OrgProvisioned for a repeated OrgCreated, and starts nothing', async () => {
    await routeSample();
    await world.run('provision', NAME);
    const published = aws.events[0]?.Detail;
    aws.calls = [];
    const started = world.deps.recorded.started.length;

    const again = await world.route('OrgCreated', { orgName: sample.detail.orgName });

    expect(again).toMatchObject({ action: 'reprovisioned-event', state: 'active' });
    expect(world.deps.recorded.started).toHaveLength(started);
    expect(aws.events.map((e) => e.Detail)).toEqual([published, published]);
  });

  it('ends at ProvisioningSuperseded, announcing nothing and granting no more access, when the ledger moved past the run while it worked (OrgDeleted)', async () => {
    await routeSample();

    const run = await world.run('provision', NAME, {
      onTask: (state) => {
        // The router handles OrgDeleted while the run applies the bucket policy; its stop has not reached the run.
        if (state === 'ApplyTenantBucketPolicy') world.decideNow('OrgDeleted');
      },
    });

    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('TenantRunSupersededError');
    // ApplyTenantBucketPolicy asks the ledger first (access guard): it puts no policy for a run the ledger moved past.
    expect(run.entered.slice(-2)).toEqual(['ApplyTenantBucketPolicy', 'ProvisioningSuperseded']);
    expect(run.retried).not.toContain('ApplyTenantBucketPolicy');
    expect(aws.calls).not.toContain('S3.PutBucketPolicy');
    expect(aws.events).toEqual([]);
    expect(world.item).toMatchObject({ state: 'revoking', teardown: { name: 'acme-bistro-42-g1-teardown' } });
    expect(world.item).not.toHaveProperty('provisioned');
    // Nothing is rolled back: the teardown that superseded the run owns what it made.
    expect(run.entered.filter((s) => s.startsWith('Undo'))).toEqual([]);
    expect(aws.snapshot()).toMatchObject({ buckets: [BUCKET], users: [USER], secrets: [SECRET] });
  });

  it('touches nothing when the ledger moved past the run before it began (an OrgDeleted handled at the same moment)', async () => {
    await routeSample();
    world.decideNow('OrgDeleted');

    const run = await world.run('provision', NAME);

    expect(run).toMatchObject({ status: 'FAILED', error: { name: 'TenantRunSupersededError' } });
    expect(run.entered).toEqual(['ValidateOrg', 'ConfirmTenantRun', 'ProvisioningSuperseded']);
    expect(aws.calls.filter((call) => !call.startsWith('DynamoDB.'))).toEqual([]);
  });

  interface PermanentCase {
    step: string;
    error: string;
    arrange: () => void;
    input?: Record<string, unknown>;
    rollback: string[];
    leftBehind: { buckets: string[]; users: string[]; secrets: string[] };
  }
  const permanentCases: PermanentCase[] = [
    { step: 'ValidateOrg', error: 'InvalidOrgIdError', input: { orgId: 'a_b' }, arrange: () => undefined, rollback: [], leftBehind: { buckets: [], users: [], secrets: [] } },
    {
      step: 'CreateTenantBucket',
      error: 'BucketNameUnavailableError',
      arrange: () => {
        // Every candidate is taken by another account.
        for (const name of [BUCKET, ...candidateFallbacks()]) aws.addForeignBucket(name);
      },
      rollback: [],
      leftBehind: { buckets: [BUCKET, ...candidateFallbacks()].sort(), users: [], secrets: [] },
    },
    {
      step: 'ConfigureTenantBucket',
      error: 'TenantBucketMissingError',
      arrange: () => void aws.inject('S3.PutPublicAccessBlock', () => new NoSuchBucket({ ...meta, message: 'The specified bucket does not exist' })),
      rollback: ['PrepareBucketRollback', 'UndoCreateTenantBucket', 'IsBucketRollbackDone'],
      leftBehind: { buckets: [], users: [], secrets: [] },
    },
    {
      step: 'CreateTenantUser',
      error: 'TenantUserConflictError',
      arrange: () => void aws.addUser(USER, tenantTags('Someone-Else', sampleRunId('someone-else-g1-provision')), { boundary: BOUNDARY }),
      rollback: ['PrepareBucketRollback', 'UndoCreateTenantBucket', 'IsBucketRollbackDone'],
      leftBehind: { buckets: [], users: [USER], secrets: [] },
    },
    {
      step: 'IssueTenantCredentials',
      error: 'TenantSecretConflictError',
      arrange: () => void aws.addSecret(SECRET, { note: 'not ours' }, [{ Key: 'Owner', Value: 'security-team' }]),
      rollback: ROLLBACK_STATES,
      leftBehind: { buckets: [], users: [], secrets: [SECRET] },
    },
    {
      step: 'ApplyTenantBucketPolicy',
      error: 'PublicAccessBlockedError',
      arrange: () => {
        aws.accountBlockPublicPolicy = true;
      },
      rollback: ROLLBACK_STATES,
      leftBehind: { buckets: [], users: [], secrets: [] },
    },
  ];

  it.each(permanentCases)('a permanent error in $step rolls back what was created, reports it, records it and fails with $error', async (c) => {
    // An invalid orgId never passes the router: that run is started by hand, without the ledger.
    if (!c.input) await routeSample();
    c.arrange();
    const before = aws.snapshot();

    const run = c.input ? await runWorkflow(ASL, c.input, { executionName: 'a_b-by-hand' }) : await world.run('provision', NAME);

    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe(c.error);
    const upTo = HAPPY_PATH_STATES.slice(0, HAPPY_PATH_STATES.indexOf(c.step) + 1);
    expect(run.entered).toEqual([...upTo, ...c.rollback, ...FAILURE_TAIL]);
    expect(run.retried).toEqual([]);
    expect(aws.snapshot()).toEqual({ ...c.leftBehind, keys: [] });
    // Whatever existed before the run is still there.
    for (const bucket of before.buckets) expect(aws.buckets.has(bucket)).toBe(true);

    expect(aws.events.map((e) => e.DetailType)).toEqual(['OrgProvisioningFailed']);
    const detail = aws.events[0]?.Detail;
    expect(() => assertOrgProvisioningFailedDetail(detail)).not.toThrow();
    expect(detail).toMatchObject({ stage: 'workflow', error: c.error, rolledBack: c.rollback.length > 0 });
    if (c.input) {
      // No valid orgId: nothing to record, and the ledger was never asked.
      expect(aws.ledger.items.size).toBe(0);
      expect(run.events.find((e) => e.type === 'StateExited' && e.state === 'RecordTenantRolledBack')?.output).toMatchObject({ recordedRollback: { recorded: false } });
    } else {
      expect(world.item).toMatchObject({ state: 'rolled-back', generation: 1 });
      expect(world.item.history.at(-1)).toMatchObject({ from: 'provisioning', to: 'rolled-back', reason: expect.stringContaining(c.error) });
      expect(aws.ledger.liveTenants()).toBe(0);
    }
  });

  it('retries a transient error and then succeeds', async () => {
    await routeSample();
    aws.inject('IAM.CreateUser', () => new IAMServiceException({ name: 'Throttling', $fault: 'client', ...meta, message: 'Rate exceeded' }), 2);

    const run = await world.run('provision', NAME);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toEqual(['CreateTenantUser', 'CreateTenantUser']);
    expect(aws.count('IAM.CreateUser')).toBe(3);
    expect(aws.snapshot()).toMatchObject({ buckets: [BUCKET], users: [USER], secrets: [SECRET] });
  });

  it('announces the tenant only once its new key works: refused by STS, then by S3, while IAM propagates it, then proven within the step', async () => {
    await routeSample();
    // What AWS answers for a key created moments before, until IAM has propagated it.
    aws.inject('STS.GetCallerIdentity', () => new STSServiceException({ name: 'InvalidClientTokenId', $fault: 'client', ...meta, message: 'The security token included in the request is invalid.' }), 2);
    aws.inject('S3.ListObjectsV2', () => new S3ServiceException({ name: 'InvalidAccessKeyId', $fault: 'client', ...meta, message: 'The AWS Access Key Id you provided does not exist in our records.' }), 1);

    const run = await world.run('provision', NAME);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toEqual([]);
    const proof = aws.calls.slice(aws.calls.indexOf('SecretsManager.GetSecretValue'));
    expect(proof.slice(0, 6)).toEqual(['SecretsManager.GetSecretValue', 'STS.GetCallerIdentity', 'STS.GetCallerIdentity', 'STS.GetCallerIdentity', 'S3.ListObjectsV2', 'STS.GetCallerIdentity']);
    expect(proof.indexOf('EventBridge.PutEvents')).toBeGreaterThan(proof.lastIndexOf('S3.ListObjectsV2'));
    expect((run.output as { proof: unknown }).proof).toEqual({ accessKeyId: secretKeyId(), attempts: 4, waitedMs: expect.any(Number), rotationDays: 90 });
    expect(JSON.stringify(run.output)).not.toMatch(/secretAccessKey|wJalr/i);
  });

  it('parks the execution at the failing state when transient errors never stop: nothing rolled back, nothing reported, nothing recorded', async () => {
    await routeSample();
    aws.inject('S3.PutPublicAccessBlock', () => new S3ServiceException({ name: 'SlowDown', $fault: 'server', ...meta, message: 'Please reduce your request rate.' }), 1000);

    const run = await world.run('provision', NAME);

    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('SlowDown');
    expect(run.failedAt).toBe('ConfigureTenantBucket');
    expect(run.entered).toEqual(['ValidateOrg', 'ConfirmTenantRun', 'IsPrefixTenant', 'CreateTenantBucket', 'ConfigureTenantBucket']);
    // The status tracker parks the tenant from Step Functions' FAILED event; the run itself records nothing.
    expect(world.item.state).toBe('provisioning');
    expect(run.retried.length).toBeGreaterThanOrEqual(3);
    expect(run.entered.filter((s) => s.startsWith('Undo'))).toEqual([]);
    expect(aws.events).toEqual([]);
    // Kept for a redrive after the outage.
    expect(aws.snapshot().buckets).toEqual([BUCKET]);
  });

  it('a crash after CreateAccessKey and before the secret is written ends with exactly one key, the one in the secret', async () => {
    await routeSample();
    aws.afterEffect('IAM.CreateAccessKey', () => new IAMServiceException({ name: 'TimeoutError', $fault: 'client', ...meta, message: 'Task timed out' }));

    const run = await world.run('provision', NAME);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toContain('IssueTenantCredentials');
    expect(aws.count('IAM.CreateAccessKey')).toBe(2);
    const keys = aws.users.get(USER)?.keys ?? [];
    expect(keys).toHaveLength(1);
    expect(keys[0]?.id).toBe(secretKeyId());
  });

  it('waits for S3 to settle a bucket name deleted moments before (OperationAborted) with its own long backoff, and keeps the name', async () => {
    await routeSample();
    aws.inject('S3.CreateBucket', () => new S3ServiceException({ name: 'OperationAborted', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'A conflicting conditional operation is currently in progress against this resource.' }), 3);

    const run = await world.run('provision', NAME);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toEqual(['CreateTenantBucket', 'CreateTenantBucket', 'CreateTenantBucket']);
    expect(aws.snapshot().buckets).toEqual([BUCKET]);
  });

  it('after a crash, rides out IAM still counting the stray key it deleted (LimitExceeded with no key held): retried, not rolled back, one key in the end', async () => {
    await routeSample();
    aws.afterEffect('IAM.CreateAccessKey', () => new IAMServiceException({ name: 'TimeoutError', $fault: 'client', ...meta, message: 'Task timed out' }));
    // The second attempt deletes the first's key; IAM's count has not caught up when it creates one.
    aws.inject('IAM.CreateAccessKey', () => new LimitExceededException({ $metadata: {}, message: 'Cannot exceed quota for AccessKeysPerUser: 2' }));

    const run = await world.run('provision', NAME);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried.filter((state) => state === 'IssueTenantCredentials')).toHaveLength(2);
    expect(run.entered.filter((s) => s.startsWith('Undo'))).toEqual([]);
    const keys = aws.users.get(USER)?.keys ?? [];
    expect(keys).toHaveLength(1);
    expect(keys[0]?.id).toBe(secretKeyId());
  });

  it('a run under the same execution name with another run id (a name Step Functions accepts again after 90 days) touches nothing of the live tenant', async () => {
    await routeSample();
    expect((await world.run('provision', NAME)).status).toBe('SUCCEEDED');
    aws.buckets.get(BUCKET)?.objects.set('sales/2026-11-23.csv', 1);
    const before = aws.snapshot();
    const secretBefore = aws.secrets.get(SECRET)?.value;
    const ledgerBefore = world.item;
    aws.accountBlockPublicPolicy = true;
    aws.calls = [];
    aws.events = [];

    const replay = await runWorkflow(ASL, { ...world.inputOf(NAME), runId: `${NAME}.fedcba987654` }, { executionName: NAME });

    expect(replay).toMatchObject({ status: 'FAILED', error: { name: 'TenantRunSupersededError' } });
    expect(replay.entered).toEqual(['ValidateOrg', 'ConfirmTenantRun', 'ProvisioningSuperseded']);
    expect(aws.calls.filter((call) => !call.startsWith('DynamoDB.Get'))).toEqual([]);
    expect(aws.snapshot()).toEqual(before);
    expect(aws.secrets.get(SECRET)?.value).toBe(secretBefore);
    expect(aws.buckets.get(BUCKET)?.objects.has('sales/2026-11-23.csv')).toBe(true);
    expect(world.item).toEqual(ledgerBefore);
  });

  it('a new generation that adopts what a parked one created and then fails permanently rolls back only what it created itself', async () => {
    // Generation 1 parks at IssueTenantCredentials: its bucket and user stay, tagged with its run id.
    await routeSample();
    aws.inject('SecretsManager.CreateSecret', () => new SecretsManagerServiceException({ name: 'InternalServiceError', $fault: 'server', ...meta, message: 'boom' }), 1000);
    expect((await world.run('provision', NAME)).failedAt).toBe('IssueTenantCredentials');
    aws.heal();
    const run = world.item.provision;
    await applyLifecycle({ kind: 'run-ended', slug: SLUG, executionArn: run?.arn ?? '', executionName: NAME, status: 'FAILED', error: 'InternalServiceError', by: 'test' }, world.deps);
    aws.buckets.get(BUCKET)?.objects.set('sales/2026-11-23.csv', 1);
    const g2 = await applyLifecycle({ kind: 'new-generation', orgId: ORG, by: 'tenantctl provision --new-generation' }, world.deps);
    expect(g2).toMatchObject({ action: 'started', executionName: 'acme-bistro-42-g2-provision' });
    aws.accountBlockPublicPolicy = true;

    const second = await world.run('provision', 'acme-bistro-42-g2-provision');

    expect(second.status).toBe('FAILED');
    expect(second.error?.name).toBe('PublicAccessBlockedError');
    const output = (state: string) => second.events.find((e) => e.type === 'StateExited' && e.state === state)?.output as Record<string, { created: boolean }>;
    expect(output('CreateTenantBucket').bucket?.created).toBe(false);
    expect(output('CreateTenantUser').user?.created).toBe(false);
    // Generation 1's bucket (with its data) and user stay; generation 2's secret and key are gone.
    expect(aws.snapshot()).toEqual({ buckets: [BUCKET], users: [USER], keys: [], secrets: [] });
    expect(aws.buckets.get(BUCKET)?.objects.has('sales/2026-11-23.csv')).toBe(true);
    expect(aws.buckets.get(BUCKET)?.tags).toEqual(tenantTags(ORG, RUN_ID));
    expect(world.item).toMatchObject({ state: 'rolled-back', generation: 2 });
  });

  it('publishes OrgProvisioned when the local runner redrives (from the start) a run that failed after the ledger recorded it active', async () => {
    const executions = new LocalExecutionPort({ handlers: testTaskHandlers(), retryIntervalMs: 0, waitMs: 0, stage: loadConfig().stage });
    const deps = { ...world.deps, executions };
    aws.inject('EventBridge.PutEvents', () => new EventBridgeServiceException({ name: 'InternalException', $fault: 'server', ...meta, message: 'EventBridge is down' }), 1000);
    await applyLifecycle({ kind: 'OrgCreated', orgId: ORG, eventTime: '2026-12-01T10:00:00.000Z', eventId: 'e1' }, deps);
    const failed = await executions.waitFor('provision', NAME);
    expect(failed).toMatchObject({ status: 'FAILED', failedState: 'PublishOrgProvisioned' });
    expect(world.item.state).toBe('active');
    aws.heal();

    await executions.redrive('provision', NAME);
    const redriven = await executions.waitFor('provision', NAME);
    await executions.idle();

    // The local runner redrives from the start: ConfirmTenantRun accepts the provisioning that made the
    // tenant active itself, so a run that failed while publishing publishes when redriven. (On AWS the
    // redrive resumes at PublishOrgProvisioned.)
    expect({ status: redriven.status, failedState: redriven.failedState, error: redriven.error }).toEqual({ status: 'SUCCEEDED', failedState: undefined, error: undefined });
    expect(aws.events.filter((e) => e.DetailType === 'OrgProvisioned').map((e) => e.Detail)).toEqual([world.item.provisioned]);
  });
});

/** The hashed fallback bucket names of the sample org (as ValidateOrg derives them). */
function candidateFallbacks(): string[] {
  return tenantNames(ORG, 'us-east-1', loadConfig()).bucketCandidates.slice(1);
}
