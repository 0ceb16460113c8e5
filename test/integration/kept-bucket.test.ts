/**
 * keepEmptyBucketAfterTeardownDays against the AWS emulator, through the real router, ASL and
 * handlers: a teardown empties the tenant's bucket, locks it down and keeps it; its last part
 * deletes it when the time is up. And an org that signs up again while its bucket is kept gets it
 * back: the new generation adopts it, and the keeper is stopped before it can delete it.
 */
import { GetPublicAccessBlockCommand, HeadBucketCommand, ListObjectVersionsCommand, NotFound, PutObjectCommand } from '@aws-sdk/client-s3';
import { tenantNames } from '../../functions/lib/naming';
import type { LocalPipeline } from '../../local/pipeline';
import { LOCAL_REGION } from '../../local/stack';
import { integrationPipeline } from './integration-pipeline';

jest.setTimeout(120_000);

async function provisionWithData(pipeline: LocalPipeline, orgId: string): Promise<string> {
  const routed = await pipeline.send('OrgCreated', { orgId });
  expect((await pipeline.executions.waitFor('provision', routed.executionName as string, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
  const bucket = tenantNames(orgId, LOCAL_REGION, pipeline.config).bucketCandidates[0] as string;
  for (let i = 0; i < 5; i++) await pipeline.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `pub/menu-${i}.json`, Body: `{"i":${i}}` }));
  return bucket;
}

describe('a teardown that keeps the emptied bucket until its time is up', () => {
  let pipeline: LocalPipeline;
  beforeAll(async () => {
    // Every Wait state takes no time: the keeper wakes at once.
    pipeline = await integrationPipeline({ keepEmptyBucketAfterTeardownDays: 30, waitMs: 0 });
  });
  afterAll(() => pipeline?.stop());

  it('empties and locks down the bucket, reports it kept, and its last part deletes it', async () => {
    const orgId = 'Int-Kept-1';
    const bucket = await provisionWithData(pipeline, orgId);

    const teardown = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    const first = await pipeline.executions.waitFor('teardown', teardown.executionName as string, { timeoutMs: 60_000 });
    expect(first.status).toBe('SUCCEEDED');
    const published = (first.output as { published: { detail: { deleted: string[]; leftAlone: { resource: string; reason: string }[]; objectsDeleted: number } } }).published.detail;
    expect(published.deleted).toContain(`every object version of bucket ${bucket}`);
    expect(published.leftAlone).toEqual([{ resource: `bucket ${bucket}`, reason: expect.stringMatching(/^kept empty and locked down until \d{4}-\d\d-\d\dT.*\(keepEmptyBucketAfterTeardownDays 30\)/) }]);
    expect(published.objectsDeleted).toBe(5);

    const keeper = `${orgId.toLowerCase()}-g1-teardown-part2`;
    const kept = await pipeline.executions.waitFor('teardown', keeper, { timeoutMs: 60_000 });
    expect(kept).toMatchObject({ status: 'SUCCEEDED' });
    const entered = ((await pipeline.executions.history('teardown', keeper)) ?? []).filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered.slice(-5)).toEqual(['IsContinuation', 'WaitKeptBucket', 'RecordKeptBucketDeleting', 'DeleteKeptTenantBucket', 'RecordKeptBucketDeleted']);
    await expect(pipeline.clients.s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toBeInstanceOf(NotFound);
    const item = await pipeline.ledger.get(orgId.toLowerCase());
    expect(item).toMatchObject({ state: 'deleted', teardown: { name: keeper, part: 2 } });
    expect(item?.keptBucket).toBeUndefined();
  });
});

describe('an org that signs up again while its bucket is kept', () => {
  let pipeline: LocalPipeline;
  beforeAll(async () => {
    // Under 24.8 days: the local runner's Wait is one setTimeout, which Node fires at once past 2^31 - 1 ms.
    pipeline = await integrationPipeline({ keepEmptyBucketAfterTeardownDays: 20 });
  });
  afterAll(async () => {
    await pipeline?.executions.idle();
    await pipeline?.stop();
  });

  it('gets its bucket back: the new generation adopts it, and the keeper is stopped before it deletes anything', async () => {
    const orgId = 'Int-Kept-2';
    const bucket = await provisionWithData(pipeline, orgId);
    const teardown = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    expect((await pipeline.executions.waitFor('teardown', teardown.executionName as string, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
    const keeper = `${orgId.toLowerCase()}-g1-teardown-part2`;
    // The keeper waits (20 days, really): the bucket is there, empty, with every public access blocked.
    expect((await pipeline.executions.describe('teardown', keeper))?.status).toBe('RUNNING');
    expect((await pipeline.clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions ?? []).toEqual([]);
    expect((await pipeline.clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(await pipeline.ledger.get(orgId.toLowerCase())).toMatchObject({ state: 'deleted', keptBucket: { name: bucket } });

    const again = await pipeline.send('OrgCreated', { orgId });
    expect(again).toMatchObject({ action: 'started', executionName: `${orgId.toLowerCase()}-g2-provision` });
    const provisioned = await pipeline.executions.waitFor('provision', again.executionName as string, { timeoutMs: 60_000 });

    expect(provisioned.status).toBe('SUCCEEDED');
    expect((await pipeline.executions.describe('teardown', keeper))?.status).toBe('ABORTED');
    await expect(pipeline.clients.s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    const item = await pipeline.ledger.get(orgId.toLowerCase());
    expect(item).toMatchObject({ state: 'active', generation: 2, resources: { bucket } });
    expect(item?.keptBucket).toBeUndefined();
  });
});
