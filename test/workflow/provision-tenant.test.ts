import { IAMServiceException } from '@aws-sdk/client-iam';
import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import sample from '../../events/samples/org-created.json';
import { assertOrgProvisionedDetail, assertOrgProvisioningFailedDetail } from '../../functions/lib/events';
import { loadConfig } from '../../functions/lib/config';
import { tenantNames } from '../../functions/lib/naming';
import { tenantTags } from '../../functions/lib/tags';
import { FakeAws } from '../support/fake-aws';
import { runWorkflow } from './run-state-machine';

const ASL = 'provision-tenant.asl.json';
const BOUNDARY = process.env.TENANT_BOUNDARY_ARN as string;
const ORG = sample.detail.orgId;
const BUCKET = 'fusion-rms-acme-bistro-42';
const USER = 'rms_acme-bistro-42';
const SECRET = 'fusion-rms/acme-bistro-42/credentials';
const meta = { $metadata: {} };

const HAPPY_PATH_STATES = ['ValidateOrg', 'CreateTenantBucket', 'ConfigureTenantBucket', 'CreateTenantUser', 'IssueTenantCredentials', 'ApplyTenantBucketPolicy', 'PublishOrgProvisioned'];
const ROLLBACK_STATES = ['UndoIssueTenantCredentials', 'UndoCreateTenantUser', 'PrepareBucketRollback', 'UndoCreateTenantBucket', 'IsBucketRollbackDone'];
const FAILURE_TAIL = ['PublishOrgProvisioningFailed', 'ProvisioningFailed'];

let aws: FakeAws;
beforeEach(() => {
  aws = new FakeAws().install();
});
afterEach(() => aws.restore());

const secretKeyId = (name = SECRET) => JSON.parse(aws.secrets.get(name)?.value ?? '{}').accessKeyId;

describe('provision-tenant (real ASL, real handlers, modelled AWS)', () => {
  it('provisions a tenant: calls in order, one of everything, and an OrgProvisioned event', async () => {
    const run = await runWorkflow(ASL, sample.detail);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(HAPPY_PATH_STATES);
    expect(aws.calls).toEqual([
      'S3.HeadBucket', 'S3.CreateBucket', 'S3.PutBucketTagging',
      'S3.PutBucketEncryption', 'S3.PutPublicAccessBlock', 'S3.PutObject',
      'IAM.CreateUser',
      'IAM.ListAccessKeys', 'IAM.CreateAccessKey', 'SecretsManager.CreateSecret',
      'S3.PutBucketPolicy',
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
    expect(detail).toMatchObject({ orgId: ORG, executionName: 'org-acme-bistro-42', bucket: { name: BUCKET }, user: { name: USER } });
    expect(aws.users.get(USER)).toMatchObject({ path: '/tenants/', boundary: BOUNDARY });
    expect(aws.buckets.get(BUCKET)?.tags).toEqual(tenantTags(ORG, 'org-acme-bistro-42'));
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
      arrange: () => void aws.inject('S3.PutBucketEncryption', () => new NoSuchBucket({ ...meta, message: 'The specified bucket does not exist' })),
      rollback: ['PrepareBucketRollback', 'UndoCreateTenantBucket', 'IsBucketRollbackDone'],
      leftBehind: { buckets: [], users: [], secrets: [] },
    },
    {
      step: 'CreateTenantUser',
      error: 'TenantUserConflictError',
      arrange: () => void aws.addUser(USER, tenantTags('Someone-Else', 'org-someone-else'), { boundary: BOUNDARY }),
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

  it.each(permanentCases)('a permanent error in $step rolls back what was created, reports it and fails with $error', async (c) => {
    c.arrange();
    const before = aws.snapshot();

    const run = await runWorkflow(ASL, c.input ?? sample.detail);

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
  });

  it('retries a transient error and then succeeds', async () => {
    aws.inject('IAM.CreateUser', () => new IAMServiceException({ name: 'Throttling', $fault: 'client', ...meta, message: 'Rate exceeded' }), 2);

    const run = await runWorkflow(ASL, sample.detail);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toEqual(['CreateTenantUser', 'CreateTenantUser']);
    expect(aws.count('IAM.CreateUser')).toBe(3);
    expect(aws.snapshot()).toMatchObject({ buckets: [BUCKET], users: [USER], secrets: [SECRET] });
  });

  it('parks the execution at the failing state when transient errors never stop: nothing rolled back, nothing reported', async () => {
    aws.inject('S3.PutBucketEncryption', () => new S3ServiceException({ name: 'SlowDown', $fault: 'server', ...meta, message: 'Please reduce your request rate.' }), 1000);

    const run = await runWorkflow(ASL, sample.detail);

    expect(run.status).toBe('FAILED');
    expect(run.error?.name).toBe('SlowDown');
    expect(run.failedAt).toBe('ConfigureTenantBucket');
    expect(run.entered).toEqual(['ValidateOrg', 'CreateTenantBucket', 'ConfigureTenantBucket']);
    expect(run.retried.length).toBeGreaterThanOrEqual(3);
    expect(run.entered.filter((s) => s.startsWith('Undo'))).toEqual([]);
    expect(aws.events).toEqual([]);
    // Kept for a redrive after the outage.
    expect(aws.snapshot().buckets).toEqual([BUCKET]);
  });

  it('a crash after CreateAccessKey and before the secret is written ends with exactly one key, the one in the secret', async () => {
    aws.afterEffect('IAM.CreateAccessKey', () => new IAMServiceException({ name: 'TimeoutError', $fault: 'client', ...meta, message: 'Task timed out' }));

    const run = await runWorkflow(ASL, sample.detail);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toContain('IssueTenantCredentials');
    expect(aws.count('IAM.CreateAccessKey')).toBe(2);
    const keys = aws.users.get(USER)?.keys ?? [];
    expect(keys).toHaveLength(1);
    expect(keys[0]?.id).toBe(secretKeyId());
  });

  it('a replayed OrgCreated for an existing tenant that then fails permanently leaves its bucket, data, user, key and secret untouched', async () => {
    const first = await runWorkflow(ASL, sample.detail, { executionName: 'org-acme-bistro-42' });
    expect(first.status).toBe('SUCCEEDED');
    aws.buckets.get(BUCKET)?.objects.set('sales/2026-11-23.csv', 1);
    const keyBefore = secretKeyId();
    const secretBefore = aws.secrets.get(SECRET)?.value;
    const before = aws.snapshot();
    aws.accountBlockPublicPolicy = true;

    const replay = await runWorkflow(ASL, sample.detail, { executionName: 'org-acme-bistro-42-g2', startTime: '2026-11-24T09:00:00.000Z' });

    expect(replay.status).toBe('FAILED');
    expect(replay.error?.name).toBe('PublicAccessBlockedError');
    expect(replay.entered).toEqual(expect.arrayContaining(['UndoIssueTenantCredentials', 'UndoCreateTenantUser', 'UndoCreateTenantBucket']));
    const output = replay.events.find((e) => e.type === 'StateExited' && e.state === 'CreateTenantBucket')?.output as Record<string, { created: boolean }>;
    expect(output.bucket?.created).toBe(false);
    expect(aws.snapshot()).toEqual(before);
    expect(secretKeyId()).toBe(keyBefore);
    expect(aws.secrets.get(SECRET)?.value).toBe(secretBefore);
    expect(aws.buckets.get(BUCKET)?.objects.has('sales/2026-11-23.csv')).toBe(true);
    expect(aws.count('S3.DeleteBucket') + aws.count('IAM.DeleteUser') + aws.count('IAM.DeleteAccessKey') + aws.count('SecretsManager.DeleteSecret')).toBe(0);
  });
});

/** The hashed fallback bucket names of the sample org (as ValidateOrg derives them). */
function candidateFallbacks(): string[] {
  return tenantNames(ORG, 'us-east-1', loadConfig()).bucketCandidates.slice(1);
}
