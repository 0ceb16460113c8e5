/**
 * The five paths that lost data or left a tenant exposed while the router decided from
 * execution names, each through the real router, the real ASL and the real handlers
 * against the emulator. "90 days later" is made by letting the local execution port forget the
 * closed executions, as Step Functions does 90 days after they end (then DescribeExecution finds
 * nothing and StartExecution accepts the name again). Every assertion is on what AWS would hold
 * — buckets, objects, users, keys, secrets — and each test failed on the router that walked
 * execution names (commit dcb5a53), for the reason its title gives.
 *
 * Emulator fidelity (docs/architecture.md, Emulator gaps): moto serves every bucket from every region; AWS answers a
 * request sent to another region's endpoint with 301 PermanentRedirect. The functions' S3
 * clients answer as AWS does here (test/support/s3-regions.ts), which path 4 depends on.
 */
import { GetBucketPolicyCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListAccessKeysCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { DescribeSecretCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { tenantNames } from '../../functions/lib/naming';
import type { Workflow } from '../../functions/lib/executions';
import type { LocalPipeline } from '../../local/pipeline';
import { accessDeniedError, installFaults, type FaultInjector } from '../support/fault-injection';
import { installS3RegionFidelity, type S3RegionFidelity } from '../support/s3-regions';
import { integrationPipeline } from './integration-pipeline';

jest.setTimeout(120_000);

/** How long every Wait state lasts here: long enough to act during a retention wait. */
const WAIT_MS = 4_000;
const RUN = Date.now().toString(36).slice(-5);
let counter = 0;
const nextOrgId = (path: string) => `lp-${RUN}-${path}-${++counter}`;

let pipeline: LocalPipeline;
let faults: FaultInjector;
let regions: S3RegionFidelity;

beforeAll(async () => {
  pipeline = await integrationPipeline({ allowedRegions: ['us-east-1', 'eu-west-1'], waitMs: WAIT_MS });
  const clients = pipeline.functionClients;
  const functionS3 = [clients.s3For('us-east-1'), clients.s3For('eu-west-1')];
  regions = installS3RegionFidelity(functionS3, pipeline.clients.s3);
  faults = installFaults([...functionS3, clients.iam, clients.secretsManager, clients.eventBridge, clients.s3control], { emulateCreateBucketTags: pipeline.clients.s3 });
});

afterAll(async () => {
  await pipeline?.executions.idle();
  faults?.uninstall();
  regions?.uninstall();
  await pipeline?.stop();
});

afterEach(async () => {
  faults.disarm();
  await pipeline.executions.idle();
});

const names = (orgId: string, region = 'us-east-1') => tenantNames(orgId, region, pipeline.config);

/** Waits for the execution an event started or joined, whichever workflow it is. */
async function settled(routed: { executionName?: string; workflow?: Workflow }) {
  const workflow = routed.workflow ?? 'provision';
  if (!routed.executionName || !(await pipeline.executions.describe(workflow, routed.executionName))) return undefined;
  return pipeline.executions.waitFor(routed.workflow ?? 'provision', routed.executionName, { timeoutMs: 60_000 });
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function provisioned(orgId: string, region?: string) {
  const routed = await pipeline.send('OrgCreated', { orgId, ...(region ? { region } : {}) });
  expect(routed.action).toBe('started');
  const record = await settled(routed);
  expect(record?.status).toBe('SUCCEEDED');
  return record as NonNullable<typeof record>;
}

async function putObject(bucket: string, key: string) {
  await pipeline.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
}

/** What AWS holds of a tenant: its data objects (null: no bucket), its user's key statuses (null: no user), whether its secret and bucket policy exist. */
async function holdings(orgId: string, region = 'us-east-1') {
  const { bucketCandidates, userName, secretName } = names(orgId, region);
  const bucket = bucketCandidates[0] as string;
  const { s3, iam, secretsManager } = pipeline.clients;
  const objects = await s3
    .send(new ListObjectVersionsCommand({ Bucket: bucket }))
    .then((listing) => (listing.Versions ?? []).map((v) => v.Key ?? '').filter((key) => key.startsWith('data/')).sort())
    .catch((err: Error) => (err.name === 'NoSuchBucket' ? null : Promise.reject(err)));
  const policy = await s3
    .send(new GetBucketPolicyCommand({ Bucket: bucket }))
    .then(() => true)
    .catch((err: Error) => (['NoSuchBucketPolicy', 'NoSuchBucket'].includes(err.name) ? false : Promise.reject(err)));
  const keys = await iam
    .send(new ListAccessKeysCommand({ UserName: userName }))
    .then((listed) => (listed.AccessKeyMetadata ?? []).map((k) => k.Status ?? ''))
    .catch((err: unknown) => (err instanceof NoSuchEntityException ? null : Promise.reject(err)));
  const secret = await secretsManager
    .send(new DescribeSecretCommand({ SecretId: secretName }))
    .then((described) => described.DeletedDate === undefined)
    .catch((err: unknown) => (err instanceof ResourceNotFoundException ? false : Promise.reject(err)));
  return { objects, keys, secret, policy };
}

const gone = { objects: null, keys: null, secret: false, policy: false };

describe('the five paths the execution-name router got wrong, on the ledger', () => {
  it('1. a re-signup during a retention wait that outlived the provisioning (90 days) restores the tenant: the old teardown deletes nothing, new data included', async () => {
    const orgId = nextOrgId('resignup');
    await provisioned(orgId);
    const bucket = names(orgId).bucketCandidates[0] as string;
    await putObject(bucket, 'data/before-deletion.txt');
    const deletion = await pipeline.send('OrgDeleted', { orgId, retentionDays: 30 });
    const teardown = deletion.executionName as string;
    await until(async () => ((await pipeline.executions.history('teardown', teardown)) ?? []).some((e) => e.type === 'StateEntered' && e.state === 'WaitRetentionPeriod'), 'the teardown waits out the retention');
    expect((await holdings(orgId)).keys).toEqual(['Inactive']);

    pipeline.executions.forgetClosedBefore(new Date());
    const again = await pipeline.send('OrgCreated', { orgId });
    await settled(again);
    await putObject(bucket, 'data/after-resignup.txt');
    await pipeline.executions.waitFor('teardown', teardown, { timeoutMs: 60_000 });
    await pipeline.executions.idle();

    expect(await holdings(orgId)).toEqual({ objects: ['data/after-resignup.txt', 'data/before-deletion.txt'], keys: ['Active'], secret: true, policy: true });
    expect(again).toMatchObject({ action: 'started', workflow: 'restore' });
    expect((await pipeline.ledger.get(orgId.toLowerCase()))?.history.map((h) => h.to)).toEqual(['provisioning', 'active', 'revoking', 'retained', 'restoring', 'active']);
  });

  it('2. a second OrgCreated for a live tenant after 90 days starts nothing, so a permanent error then cannot roll the live tenant back', async () => {
    const orgId = nextOrgId('replay');
    await provisioned(orgId);
    await putObject(names(orgId).bucketCandidates[0] as string, 'data/customer.txt');

    pipeline.executions.forgetClosedBefore(new Date());
    // Since the tenant was made, someone turned account-level Block Public Access on.
    faults.arm(
      { operation: 'S3.PutBucketPolicy', kind: 'permanent', times: Infinity, error: () => accessDeniedError('S3.PutBucketPolicy') },
      {
        operation: 'S3Control.GetPublicAccessBlock',
        kind: 'answer',
        times: Infinity,
        output: () => ({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }),
      },
    );
    const replay = await pipeline.send('OrgCreated', { orgId });
    await settled(replay);
    await pipeline.executions.idle();
    faults.disarm();

    expect(await holdings(orgId)).toEqual({ objects: ['data/customer.txt'], keys: ['Active'], secret: true, policy: true });
    expect(replay.action).toBe('reprovisioned-event');
    expect((await pipeline.ledger.get(orgId.toLowerCase()))?.state).toBe('active');
  });

  it('3. OrgDeleted for a re-onboarded tenant (generation 2) after generation 1\'s provisioning was forgotten tears generation 2 down', async () => {
    const orgId = nextOrgId('gen2');
    const generation1 = await provisioned(orgId);
    const firstTeardown = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    expect((await settled(firstTeardown))?.status).toBe('SUCCEEDED');
    await provisioned(orgId);
    expect((await holdings(orgId)).keys).toEqual(['Active']);

    // Between day 90 after generation 1's provisioning and day 90 after its teardown.
    const forgotten = pipeline.executions.forgetClosedBefore(new Date((generation1.stopDate as Date).getTime() + 1));
    expect(forgotten.filter((f) => f.name.includes(orgId.toLowerCase())).map((f) => f.workflow)).toEqual(['provision']);
    const deletion = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    await settled(deletion);
    await pipeline.executions.idle();

    expect(await holdings(orgId)).toEqual(gone);
    expect(deletion).toMatchObject({ action: 'started', executionName: `${orgId.toLowerCase()}-g2-teardown` });
  });

  it('4. OrgDeleted without a region, 90 days after a tenant was provisioned in a non-default region, tears down in that region', async () => {
    const orgId = nextOrgId('region');
    await provisioned(orgId, 'eu-west-1');
    await putObject(names(orgId, 'eu-west-1').bucketCandidates[0] as string, 'data/customer.txt');
    const redirectsBefore = regions.redirected.length;

    pipeline.executions.forgetClosedBefore(new Date());
    const deletion = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    await settled(deletion);
    await pipeline.executions.idle();

    expect(await holdings(orgId, 'eu-west-1')).toEqual(gone);
    expect(regions.redirected.slice(redirectsBefore)).toEqual([]);
  });

  it('5. OrgDeleted and OrgCreated handled at almost the same moment, in either order, never leave a key live', async () => {
    const created = new Date();
    const deleted = new Date(created.getTime() + 1_000);
    // Delivered out of order: the deletion first.
    const reordered = nextOrgId('race');
    await pipeline.send('OrgDeleted', { orgId: reordered, retentionDays: 0 }, { time: deleted });
    const late = await pipeline.send('OrgCreated', { orgId: reordered }, { time: created });
    await settled(late);
    // And handled at once, eight times over.
    const raced = Array.from({ length: 8 }, () => nextOrgId('race'));
    await Promise.all(
      raced.map((orgId) =>
        Promise.all([pipeline.send('OrgCreated', { orgId }, { time: created }), pipeline.send('OrgDeleted', { orgId, retentionDays: 0 }, { time: deleted })]),
      ),
    );
    await pipeline.executions.idle();

    for (const orgId of [reordered, ...raced]) {
      expect({ orgId, ...(await holdings(orgId)) }).toEqual({ orgId, ...gone });
      expect({ orgId, state: (await pipeline.ledger.get(orgId.toLowerCase()))?.state }).toEqual({ orgId, state: 'deleted' });
    }
    expect(late.action).toBe('stale');
  });
});
