import {
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  PutPublicAccessBlockCommand,
  S3ServiceException,
  type DeleteObjectsCommandInput,
  type ListObjectVersionsCommandInput,
  type ObjectIdentifier,
} from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { handler } from '../../../functions/lambda/delete-tenant-bucket';
import { deleteTenantBucket } from '../../../functions/delete-tenant-bucket';
import { TenantBucketNotEmptiedError } from '../../../functions/lib/bucket-walk';
import { TenantObjectsLockedError } from '../../../functions/lib/errors';
import { EVENTS_BEFORE_LOOP_BOUND, EVENTS_PER_LOOP_BOUND } from '../../../functions/lib/history-budget';
import { loadConfig } from '../../../functions/lib/config';
import { tenantTags } from '../../../functions/lib/tags';
import type { DeleteBucketInput } from '../../../functions/lib/types';
import { noSuchBucket } from '../../support/aws-errors';
import { SAMPLE_EXECUTION_NAME, SAMPLE_SHARED_BUCKET, SAMPLE_TENANT_PREFIX, samplePrefixBucket, samplePrefixTenant, sampleRunId, sampleTenant } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedS3 } from '../../support/mocked-clients';

const { s3Mock, s3For, regionsAsked } = mockedS3('eu-west-1');
const config = loadConfig();

/** A result of an invocation whose input carried no history count (the loop's first in its execution): not to continue as new. */
const firstLoop = <T extends object>(fields: T) => ({ ...fields, history: { events: EVENTS_BEFORE_LOOP_BOUND + EVENTS_PER_LOOP_BOUND }, continueAsNew: false });
const plentyOfTime = () => 600_000;
const meta = { $metadata: {} };

const tenant = sampleTenant({ region: 'eu-west-1' });
const bucketName = 'fusion-rms-acme-bistro-42';
const rollback: DeleteBucketInput = { scope: 'execution', tenant, bucketName, cursor: null };
const teardown: DeleteBucketInput = { scope: 'tenant', tenant, bucketName, cursor: null };

/** Not one call that removes anything was made. */
function expectNothingDeleted(): void {
  expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
  expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectsCommand, 0);
  expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 0);
}

/**
 * An in-memory versioned bucket behind the mock: ordered versions and delete markers, marker
 * paging, DeleteObjects with S3's 1000-key limit, and BucketNotEmpty until it is empty.
 */
class FakeBucket {
  entries: { Key: string; VersionId: string; deleteMarker: boolean }[] = [];
  /** Each version's place in time (newer: higher), kept after it is deleted: what S3's markers point at. */
  readonly sequence = new Map<string, number>();
  /** Versions S3 refuses to delete, with the per-key error code, and how many more times (Infinity: always). */
  readonly refusals = new Map<string, { code: string; times: number }>();
  /** Every (key, version) each listing returned, in order. */
  readonly listed: string[] = [];

  refuse(Key: string, VersionId: string, code: string, times = Infinity): this {
    this.refusals.set(`${Key}\n${VersionId}`, { code, times });
    return this;
  }
  deleteCalls: number[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(tags = tenantTags(tenant.orgId, tenant.provisionedBy)) {
    s3Mock.on(GetBucketTaggingCommand).resolves({ TagSet: tags });
    s3Mock.on(ListObjectVersionsCommand).callsFake((input: ListObjectVersionsCommandInput) => this.list(input));
    s3Mock.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => this.delete(input));
    s3Mock.on(DeleteBucketCommand).callsFake(() => {
      if (this.entries.length > 0) throw new S3ServiceException({ name: 'BucketNotEmpty', $fault: 'client', ...meta, message: 'not empty' });
      return {};
    });
  }

  addVersions(count: number, versionsPerKey = 1, under = ''): this {
    for (let i = 0; i < count; i++) {
      const Key = `${under}data/object-${String(Math.floor(i / versionsPerKey)).padStart(6, '0')}.json`;
      this.entries.push({ Key, VersionId: `v${i % versionsPerKey}`, deleteMarker: false });
      this.sequence.set(`${Key}\nv${i % versionsPerKey}`, this.sequence.size + 1);
    }
    return this;
  }

  addDeleteMarker(Key: string, VersionId: string): this {
    this.entries.push({ Key, VersionId, deleteMarker: true });
    this.sequence.set(`${Key}\n${VersionId}`, this.sequence.size + 1);
    return this;
  }

  /** Versions and delete markers of other keys than the tenant's, beside them in a shared bucket. */
  addOthers(keys: string[]): this {
    for (const Key of keys) {
      this.entries.push({ Key, VersionId: 'v0', deleteMarker: false });
      this.sequence.set(`${Key}\nv0`, this.sequence.size + 1);
    }
    return this;
  }

  /**
   * ListObjectVersions as S3 pages it: keys in order, each key's versions newest first; a marker
   * is a position in that order, kept even when its version has been deleted since, so a walk that
   * deletes as it pages neither skips nor repeats anything.
   */
  private list(input: ListObjectVersionsCommandInput) {
    const order = (e: { Key: string; VersionId: string }) => this.sequence.get(`${e.Key}\n${e.VersionId}`) ?? 0;
    const listed = this.entries.filter((e) => e.Key.startsWith(input.Prefix ?? '')).sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : order(b) - order(a)));
    const marker = input.KeyMarker;
    const markerOrder = marker !== undefined && input.VersionIdMarker !== undefined ? this.sequence.get(`${marker}\n${input.VersionIdMarker}`) : undefined;
    const after = marker === undefined ? listed : listed.filter((e) => e.Key > marker || (e.Key === marker && markerOrder !== undefined && order(e) < markerOrder));
    const page = after.slice(0, Math.min(input.MaxKeys ?? 1000, 1000));
    for (const e of page) this.listed.push(`${e.Key}\n${e.VersionId}`);
    const last = page[page.length - 1];
    const IsTruncated = page.length < after.length;
    return {
      Versions: page.filter((e) => !e.deleteMarker).map(({ Key, VersionId }) => ({ Key, VersionId })),
      DeleteMarkers: page.filter((e) => e.deleteMarker).map(({ Key, VersionId }) => ({ Key, VersionId })),
      IsTruncated,
      ...(IsTruncated ? { NextKeyMarker: last?.Key, NextVersionIdMarker: last?.VersionId } : {}),
    };
  }

  private async delete(input: DeleteObjectsCommandInput) {
    const objects = input.Delete?.Objects ?? [];
    if (objects.length > 1000) throw new S3ServiceException({ name: 'MalformedXML', $fault: 'client', ...meta, message: 'more than 1000 keys' });
    this.deleteCalls.push(objects.length);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight -= 1;
    const Errors: { Key?: string; VersionId?: string; Code: string; Message: string }[] = [];
    const gone = new Set<string>();
    for (const o of objects) {
      const id = `${o.Key}\n${o.VersionId}`;
      const refusal = this.refusals.get(id);
      if (refusal && refusal.times > 0) {
        refusal.times -= 1;
        Errors.push({ Key: o.Key, VersionId: o.VersionId, Code: refusal.code, Message: refusal.code === 'AccessDenied' ? 'Access Denied' : 'We encountered an internal error. Please try again.' });
      } else gone.add(id);
    }
    this.entries = this.entries.filter((e) => !gone.has(`${e.Key}\n${e.VersionId}`));
    return { Errors };
  }
}

function deletedIdentifiers(): ObjectIdentifier[] {
  return s3Mock.commandCalls(DeleteObjectsCommand).flatMap((call) => call.args[0].input.Delete?.Objects ?? []);
}

describe('deleteTenantBucket', () => {
  it('succeeds without doing anything when the bucket does not exist', async () => {
    s3Mock.on(GetBucketTaggingCommand).rejects(noSuchBucket());

    const result = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 0, deleted: [], skipped: [] }));
    expect(regionsAsked).toEqual(['eu-west-1']);
    expectNothingDeleted();
  });

  it.each([
    ['on rollback a bucket adopted from another run', rollback, () => ({ TagSet: tenantTags(tenant.orgId, sampleRunId('acme-bistro-42-g2-provision')) }), new RegExp(`not created by execution ${tenant.provisionedBy.replace('.', '\\.')}`)],
    // Step Functions accepts a closed execution's name again 90 days after it ended: only the run id tells the runs apart.
    ['on rollback a bucket an earlier run of the same execution name created', rollback, () => ({ TagSet: tenantTags(tenant.orgId, `${SAMPLE_EXECUTION_NAME}.fedcba987654`) }), /not created by execution/],
    ['on rollback a bucket of another org', rollback, () => ({ TagSet: tenantTags('Other-Org', tenant.provisionedBy) }), /OrgId "Other-Org"/],
    ['on teardown a bucket of another org', teardown, () => ({ TagSet: tenantTags('Other-Org', sampleRunId('other-org-g1-provision')) }), /OrgId "Other-Org"/],
    [
      'on teardown an untagged bucket',
      teardown,
      () => Promise.reject(new S3ServiceException({ name: 'NoSuchTagSet', $fault: 'client', ...meta, message: 'The TagSet does not exist' })),
      /not managed by tenant-provisioner/,
    ],
  ])('%s is never touched, reported skipped, and warned about', async (_label, input, tagging, reason) => {
    s3Mock.on(GetBucketTaggingCommand).callsFake(tagging);
    const logger = { warn: jest.fn(), info: jest.fn() };

    const result = await deleteTenantBucket(input, { s3For, config, logger: logger as unknown as Logger, remainingTimeMs: plentyOfTime });

    expect(result).toMatchObject({ done: true, cursor: null, deleted: [] });
    expect(result.skipped).toEqual([{ resource: `bucket ${bucketName}`, reason: expect.stringMatching(reason) }]);
    expect(logger.warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ bucket: bucketName, reason: expect.stringMatching(reason) }));
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectVersionsCommand, 0);
    expectNothingDeleted();
  });

  it('on teardown deletes this org’s bucket whichever execution created it', async () => {
    new FakeBucket(tenantTags(tenant.orgId, sampleRunId('acme-bistro-42-g2-provision'))).addVersions(3);

    const result = await deleteTenantBucket(teardown, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 3, deleted: [`bucket ${bucketName}`], skipped: [] }));
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketCommand, { Bucket: bucketName, ExpectedBucketOwner: config.accountId });
  });

  it('removes the bucket policy first, then deletes every version and delete marker, then the bucket', async () => {
    const bucket = new FakeBucket().addVersions(6, 3).addDeleteMarker('data/object-000000.json', 'dm1').addDeleteMarker('gone.txt', 'dm2');

    const result = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 8, deleted: [`bucket ${bucketName}`], skipped: [] }));
    expect(bucket.entries).toEqual([]);
    expect(deletedIdentifiers()).toEqual(
      expect.arrayContaining([
        { Key: 'data/object-000000.json', VersionId: 'v0' },
        { Key: 'data/object-000001.json', VersionId: 'v2' },
        { Key: 'data/object-000000.json', VersionId: 'dm1' },
        { Key: 'gone.txt', VersionId: 'dm2' },
      ]),
    );
    expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectsCommand, { Bucket: bucketName, Delete: expect.objectContaining({ Quiet: true }) });
    const order = s3Mock.calls().map((call) => call.args[0].constructor.name);
    expect(order.slice(0, 2)).toEqual(['GetBucketTaggingCommand', 'DeleteBucketPolicyCommand']);
    expect(order[order.length - 1]).toBe('DeleteBucketCommand');
  });

  describe('with keepEmptyBucketAfterTeardownDays', () => {
    const keepConfig = loadConfig({ ...process.env, KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS: '30' });
    const now = () => new Date('2026-12-02T10:00:00.000Z');

    it('on teardown empties the bucket, locks it down and keeps it 30 days, reporting it kept', async () => {
      const bucket = new FakeBucket().addVersions(4, 2);

      const result = await deleteTenantBucket(teardown, { s3For, config: keepConfig, remainingTimeMs: plentyOfTime, now });

      expect(result).toMatchObject({
        done: true,
        objectsDeleted: 4,
        deleted: [`every object version of bucket ${bucketName}`],
        skipped: [{ resource: `bucket ${bucketName}`, reason: expect.stringContaining('kept empty and locked down until 2027-01-01T10:00:00.000Z') }],
        kept: { bucketName, until: '2027-01-01T10:00:00.000Z' },
      });
      expect(bucket.entries).toEqual([]);
      expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 0);
      expect(s3Mock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
        Bucket: bucketName,
        ExpectedBucketOwner: keepConfig.accountId,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      });
    });

    it('on rollback deletes the bucket it created as ever: nobody had its name yet', async () => {
      new FakeBucket().addVersions(2);

      const result = await deleteTenantBucket(rollback, { s3For, config: keepConfig, remainingTimeMs: plentyOfTime, now });

      expect(result).toMatchObject({ done: true, deleted: [`bucket ${bucketName}`] });
      expect(result.kept).toBeUndefined();
      expect(s3Mock).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 0);
    });

    it('at the end of the keep deletes the kept bucket when it is still the org\'s and empty; leaves it, reported, when something wrote to it', async () => {
      const kept: DeleteBucketInput = { scope: 'kept', tenant, bucketName };
      const bucket = new FakeBucket();

      await expect(deleteTenantBucket(kept, { s3For, config: keepConfig, remainingTimeMs: plentyOfTime })).resolves.toMatchObject({ done: true, deleted: [`bucket ${bucketName}`], skipped: [] });
      expect(s3Mock).toHaveReceivedCommandTimes(ListObjectVersionsCommand, 0);

      bucket.addVersions(1);
      await expect(deleteTenantBucket(kept, { s3For, config: keepConfig, remainingTimeMs: plentyOfTime })).resolves.toMatchObject({
        done: true,
        deleted: [],
        skipped: [{ resource: `bucket ${bucketName}`, reason: expect.stringContaining('not empty any more') }],
      });
      expect(bucket.entries).toHaveLength(1);
    });

    it('at the end of the keep touches no bucket that is not the org\'s', async () => {
      new FakeBucket(tenantTags('other-org', 'run'));

      const result = await deleteTenantBucket({ scope: 'kept', tenant, bucketName }, { s3For, config: keepConfig, remainingTimeMs: plentyOfTime });

      expect(result).toMatchObject({ done: true, deleted: [], skipped: [{ resource: `bucket ${bucketName}`, reason: expect.stringContaining("not this tenant's bucket") }] });
      expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 0);
    });
  });

  it('deletes 2,500 versions in DeleteObjects batches of at most 1000 keys', async () => {
    const bucket = new FakeBucket().addVersions(2500, 5);

    const result = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toMatchObject({ done: true, objectsDeleted: 2500, deleted: [`bucket ${bucketName}`] });
    const sizes = s3Mock.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects?.length ?? 0);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(1000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2500);
    expect(new Set(deletedIdentifiers().map((o) => `${o.Key}\n${o.VersionId}`)).size).toBe(2500);
    expect(bucket.maxInFlight).toBeGreaterThan(1);
    expect(bucket.maxInFlight).toBeLessThanOrEqual(4);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 1);
  });

  it('walks the listing once, each round going on from where the last stopped, and a second pass finds it empty', async () => {
    const bucket = new FakeBucket().addVersions(5000);

    await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    const listings = s3Mock.commandCalls(ListObjectVersionsCommand).map((call) => call.args[0].input);
    // Pass 1: round 1 lists 4 pages (the start and 3 markers), round 2 one from the 4th marker; pass 2: the empty listing.
    expect(listings.map((input) => input.KeyMarker === undefined)).toEqual([true, false, false, false, false, true]);
    expect(bucket.listed).toHaveLength(5000);
    expect(new Set(bucket.listed).size).toBe(5000);
  });

  it('lists every version once per pass although it deletes as it pages: an S3 marker keeps its place after its version is gone', async () => {
    // Three versions a key, so pages end inside a key's versions.
    const bucket = new FakeBucket().addVersions(2500, 3);

    const result = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toMatchObject({ done: true, objectsDeleted: 2500 });
    expect(bucket.listed).toHaveLength(2500);
    expect(new Set(bucket.listed).size).toBe(2500);
    expect(bucket.entries).toEqual([]);
  });

  it('stops with a cursor when the time budget runs low, and a second invocation finishes the job', async () => {
    const bucket = new FakeBucket().addVersions(5000);
    const firstBudget = jest.fn().mockReturnValueOnce(60_000).mockReturnValue(5_000);

    const first = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: firstBudget });

    expect(first).toMatchObject({ done: false, objectsDeleted: 4000, deleted: [], skipped: [] });
    expect(typeof first.cursor).toBe('string');
    expect(bucket.entries).toHaveLength(1000);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 0);

    s3Mock.resetHistory();
    const second = await deleteTenantBucket({ ...rollback, cursor: first.cursor }, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(second).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 5000, deleted: [`bucket ${bucketName}`], skipped: [] }));
    expect(bucket.entries).toEqual([]);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 1);
  });

  it('counts the loop\'s history events and, on teardown, says to continue as new once the count reaches the stage\'s TEARDOWN_CONTINUE_AT_EVENTS', async () => {
    // Four rounds of 4,000 versions: each invocation with a low budget does one.
    new FakeBucket().addVersions(13_000);
    const lowBudget = () => jest.fn().mockReturnValueOnce(60_000).mockReturnValue(5_000);
    const near = { events: config.teardownContinueAtEvents - EVENTS_PER_LOOP_BOUND };

    const earlier = await deleteTenantBucket({ ...teardown, history: { events: near.events - 1 } }, { s3For, config, remainingTimeMs: lowBudget() });
    expect(earlier).toMatchObject({ done: false, history: { events: config.teardownContinueAtEvents - 1 }, continueAsNew: false });

    const at = await deleteTenantBucket({ ...teardown, cursor: earlier.cursor, history: near }, { s3For, config, remainingTimeMs: lowBudget() });
    expect(at).toMatchObject({ done: false, history: { events: config.teardownContinueAtEvents }, continueAsNew: true });

    // A rollback's loop (provision-tenant) has nothing to continue in; a finished one nothing to continue.
    const rolledBack = await deleteTenantBucket({ ...rollback, cursor: at.cursor, history: near }, { s3For, config, remainingTimeMs: lowBudget() });
    expect(rolledBack).toMatchObject({ done: false, continueAsNew: false });
    const finished = await deleteTenantBucket({ ...teardown, cursor: rolledBack.cursor, history: near }, { s3For, config, remainingTimeMs: plentyOfTime });
    expect(finished).toMatchObject({ done: true, continueAsNew: false });
  });

  it('starts no round at all when less than 20 s remain', async () => {
    new FakeBucket().addVersions(10);

    const result = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: () => 19_999 });

    expect(result.done).toBe(false);
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectVersionsCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectsCommand, 0);
  });

  it('throws TenantBucketNotEmptiedError when a whole pass deleted nothing and S3 refused for now (the state machine backs off), and never deletes the bucket', async () => {
    new FakeBucket().addVersions(1).refuse('data/object-000000.json', 'v0', 'InternalError');

    const run = deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    await expect(run).rejects.toThrow(TenantBucketNotEmptiedError);
    await expect(run).rejects.toThrow(/none of the 1 version\(s\) left in bucket .*, 1 of them refused for now: "data\/object-000000\.json" version v0: InternalError/);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 0);
  });

  it('counts a version S3 refuses for now and goes on; the next pass deletes it, and the bucket goes', async () => {
    const bucket = new FakeBucket().addVersions(3).refuse('data/object-000001.json', 'v0', 'InternalError', 1);

    const result = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toMatchObject({ done: true, objectsDeleted: 3, deleted: [`bucket ${bucketName}`] });
    expect(bucket.entries).toEqual([]);
    // Pass 1 listed 3, pass 2 the one refused, pass 3 nothing.
    expect(bucket.listed).toHaveLength(4);
  });

  it('ends with TenantObjectsLockedError when only versions S3 will not delete remain: how many, why, a sample, and what to do', async () => {
    const bucket = new FakeBucket().addVersions(1000).refuse('data/object-000007.json', 'v0', 'AccessDenied').refuse('data/object-000500.json', 'v0', 'AccessDenied');
    s3Mock.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    s3Mock.on(GetObjectRetentionCommand).resolves({ Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date('2031-01-01T00:00:00Z') } });
    s3Mock.on(GetObjectLegalHoldCommand, { Key: 'data/object-000500.json' }).resolves({ LegalHold: { Status: 'ON' } });

    const run = deleteTenantBucket(teardown, { s3For, config, remainingTimeMs: plentyOfTime });

    await expect(run).rejects.toThrow(TenantObjectsLockedError);
    const message = await run.catch((err: Error) => err.message);
    expect(message).toMatch(new RegExp(`^2 version\\(s\\) in bucket ${bucketName} cannot be deleted, and nothing else is left \\(998 deleted\\)`));
    expect(message).toContain('"data/object-000007.json" version v0 is under COMPLIANCE retention until 2031-01-01T00:00:00.000Z (nobody can delete it sooner)');
    expect(message).toContain('"data/object-000500.json" version v0 is under a legal hold');
    expect(message).toContain('Sample: "data/object-000007.json" version v0: AccessDenied');
    expect(message).toMatch(/then redrive the execution$/);
    expect(bucket.entries.map((e) => e.Key)).toEqual(['data/object-000007.json', 'data/object-000500.json']);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 0);
    // One walk through the 1,000, then one through the 2 left: every version listed about once.
    expect(bucket.listed).toHaveLength(1002);
  });

  it('says MFA delete when the bucket has it and S3 names no retention or hold', async () => {
    new FakeBucket().addVersions(1).refuse('data/object-000000.json', 'v0', 'AccessDenied');
    s3Mock.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled', MFADelete: 'Enabled' });
    s3Mock.on(GetObjectRetentionCommand).rejects(new S3ServiceException({ name: 'ObjectLockConfigurationNotFoundError', $fault: 'client', ...meta, message: 'Object Lock configuration does not exist for this bucket' }));

    const run = deleteTenantBucket(teardown, { s3For, config, remainingTimeMs: plentyOfTime });

    await expect(run).rejects.toThrow(/the bucket has MFA delete enabled/);
  });

  it('lists again when DeleteBucket answers BucketNotEmpty (an object arrived after the last listing)', async () => {
    const bucket = new FakeBucket();
    s3Mock
      .on(DeleteBucketCommand)
      .callsFakeOnce(() => {
        bucket.addVersions(1);
        throw new S3ServiceException({ name: 'BucketNotEmpty', $fault: 'client', ...meta, message: 'not empty' });
      })
      .resolves({});

    const result = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toMatchObject({ done: true, objectsDeleted: 1, deleted: [`bucket ${bucketName}`] });
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 2);
  });

  it('accepts a bucket without a policy (NoSuchBucketPolicy)', async () => {
    new FakeBucket();
    s3Mock.on(DeleteBucketPolicyCommand).rejects(new S3ServiceException({ name: 'NoSuchBucketPolicy', $fault: 'client', ...meta, message: 'no policy' }));

    await expect(deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime })).resolves.toMatchObject({ done: true, deleted: [`bucket ${bucketName}`] });
  });

  it('is done when the bucket disappears part-way (a previous attempt deleted it)', async () => {
    new FakeBucket();
    s3Mock.on(ListObjectVersionsCommand).rejects(noSuchBucket());

    const result = await deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 0, deleted: [], skipped: [] }));
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 0);
  });

  it('rethrows a throttling error untouched', async () => {
    new FakeBucket().addVersions(3);
    const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', ...meta, message: 'Please reduce your request rate.' });
    s3Mock.on(DeleteObjectsCommand).rejects(slowDown);

    await expect(deleteTenantBucket(rollback, { s3For, config, remainingTimeMs: plentyOfTime })).rejects.toBe(slowDown);
  });
});

describe('deleteTenantBucket for a prefix tenant', () => {
  const prefixTenant = samplePrefixTenant();
  const SHARED = SAMPLE_SHARED_BUCKET;
  const PREFIX = SAMPLE_TENANT_PREFIX;
  const emptied = `prefix s3://${SHARED}/${PREFIX}`;
  /** Another tenant's prefix, and the shared bucket's own keys: never the tenant's to delete. */
  const OTHERS = ['userdata/globex-publisher/index.html', 'userdata/acme-bistro-42-publisher-old/x.json', 'userdata/acme-bistro-42-publisher', 'index.html'];
  const prefixTeardown: DeleteBucketInput = { scope: 'tenant', tenant: prefixTenant, bucketName: SHARED, cursor: null };
  const prefixRollback = (created: boolean): DeleteBucketInput => ({ scope: 'execution', tenant: prefixTenant, bucketName: SHARED, bucket: samplePrefixBucket({ created }), cursor: null });

  /** Not one call that touches the shared bucket itself (its tags, its policy, the bucket) was made. */
  function expectBucketUntouched(): void {
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(GetBucketTaggingCommand, 0);
  }

  it('on teardown deletes every version and delete marker under the prefix, and nothing else of the shared bucket', async () => {
    const bucket = new FakeBucket().addOthers(OTHERS).addVersions(6, 3, PREFIX).addDeleteMarker(`${PREFIX}gone.txt`, 'dm1');

    const result = await deleteTenantBucket(prefixTeardown, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 7, deleted: [emptied], skipped: [] }));
    expect(bucket.entries.map((e) => e.Key)).toEqual(OTHERS);
    expect(deletedIdentifiers()).toContainEqual({ Key: `${PREFIX}gone.txt`, VersionId: 'dm1' });
    for (const { Key } of deletedIdentifiers()) expect(Key?.startsWith(PREFIX)).toBe(true);
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectVersionsCommand, { Bucket: SHARED, ExpectedBucketOwner: config.accountId, Prefix: PREFIX });
    for (const call of s3Mock.commandCalls(ListObjectVersionsCommand)) expect(call.args[0].input.Prefix).toBe(PREFIX);
    expect(s3Mock).toHaveReceivedCommandWith(DeleteObjectsCommand, { Bucket: SHARED, ExpectedBucketOwner: config.accountId });
    expectBucketUntouched();
    expect(new Set(s3Mock.calls().map((call) => call.args[0].constructor.name))).toEqual(new Set(['ListObjectVersionsCommand', 'DeleteObjectsCommand']));
    expect(regionsAsked).toEqual(['us-east-1']);
  });

  it('deletes 2,500 versions under the prefix in DeleteObjects batches of at most 1000 keys', async () => {
    new FakeBucket().addOthers(OTHERS).addVersions(2500, 5, PREFIX);

    const result = await deleteTenantBucket(prefixTeardown, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toMatchObject({ done: true, objectsDeleted: 2500, deleted: [emptied] });
    const sizes = s3Mock.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects?.length ?? 0);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(1000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2500);
    expectBucketUntouched();
  });

  it('is done, having deleted nothing, when the prefix is already empty', async () => {
    const bucket = new FakeBucket().addOthers(OTHERS);

    const result = await deleteTenantBucket(prefixTeardown, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 0, deleted: [emptied], skipped: [] }));
    expect(bucket.entries).toHaveLength(OTHERS.length);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectsCommand, 0);
  });

  it('stops with a cursor when the time budget runs low, and a second invocation finishes the prefix', async () => {
    const bucket = new FakeBucket().addOthers(OTHERS).addVersions(5000, 1, PREFIX);
    const firstBudget = jest.fn().mockReturnValueOnce(60_000).mockReturnValue(5_000);

    const first = await deleteTenantBucket(prefixTeardown, { s3For, config, remainingTimeMs: firstBudget });

    expect(first).toMatchObject({ done: false, objectsDeleted: 4000, deleted: [], skipped: [] });
    expect(JSON.parse(first.cursor ?? 'null')).toMatchObject({ objectsDeleted: 4000, keyMarker: `${PREFIX}data/object-003999.json`, passes: 0 });

    const second = await deleteTenantBucket({ ...prefixTeardown, cursor: first.cursor }, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(second).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 5000, deleted: [emptied], skipped: [] }));
    expect(bucket.entries.map((e) => e.Key)).toEqual(OTHERS);
    expectBucketUntouched();
  });

  it('starts no round at all when less than 20 s remain', async () => {
    new FakeBucket().addVersions(10, 1, PREFIX);

    const result = await deleteTenantBucket(prefixTeardown, { s3For, config, remainingTimeMs: () => 19_999 });

    expect(result).toMatchObject({ done: false, objectsDeleted: 0, deleted: [] });
    expect(typeof result.cursor).toBe('string');
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('touches nothing, and reports it, when asked to empty a bucket that is not the shared bucket the tenant\'s prefix is in', async () => {
    new FakeBucket().addVersions(3, 1, PREFIX);

    const result = await deleteTenantBucket({ ...prefixTeardown, bucketName: 'fusion-rms-acme-bistro-42' }, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({
      done: true,
      cursor: null,
      objectsDeleted: 0,
      deleted: [],
      skipped: [{ resource: 'bucket fusion-rms-acme-bistro-42', reason: expect.stringContaining(`not the shared bucket ${SHARED}`) }],
    }));
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('on rollback leaves a prefix this run adopted with the org\'s objects in it untouched (created false), and reports it', async () => {
    const bucket = new FakeBucket().addVersions(3, 1, PREFIX);
    const logger = { warn: jest.fn(), info: jest.fn() };

    const result = await deleteTenantBucket(prefixRollback(false), { s3For, config, logger: logger as unknown as Logger, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 0, deleted: [], skipped: [{ resource: emptied, reason: expect.stringContaining(`not claimed empty by execution ${prefixTenant.provisionedBy}`) }] }));
    expect(bucket.entries).toHaveLength(3);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(logger.warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ bucket: SHARED, prefix: PREFIX }));
  });

  it('on rollback leaves the prefix untouched when the input says nothing of what the run claimed', async () => {
    new FakeBucket().addVersions(3, 1, PREFIX);
    const { bucket: _bucket, ...withoutClaim } = prefixRollback(true);

    const result = await deleteTenantBucket(withoutClaim, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toMatchObject({ done: true, deleted: [], skipped: [{ resource: emptied }] });
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('on rollback empties the prefix this run claimed empty (created true), never the bucket', async () => {
    const bucket = new FakeBucket().addOthers(OTHERS).addVersions(2, 1, PREFIX);

    const result = await deleteTenantBucket(prefixRollback(true), { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toEqual(firstLoop({ done: true, cursor: null, objectsDeleted: 2, deleted: [emptied], skipped: [] }));
    expect(bucket.entries.map((e) => e.Key)).toEqual(OTHERS);
    expectBucketUntouched();
  });

  it('is done when the shared bucket no longer exists (nothing of the tenant is left in it)', async () => {
    s3Mock.on(ListObjectVersionsCommand).rejects(noSuchBucket());

    const result = await deleteTenantBucket(prefixTeardown, { s3For, config, remainingTimeMs: plentyOfTime });

    expect(result).toMatchObject({ done: true, cursor: null, objectsDeleted: 0, skipped: [] });
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectsCommand, 0);
    expectBucketUntouched();
  });

  it('ends with TenantObjectsLockedError naming the prefix when only versions S3 will not delete remain under it', async () => {
    new FakeBucket().addVersions(1, 1, PREFIX).refuse(`${PREFIX}data/object-000000.json`, 'v0', 'AccessDenied');

    const run = deleteTenantBucket(prefixTeardown, { s3For, config, remainingTimeMs: plentyOfTime });

    await expect(run).rejects.toThrow(TenantObjectsLockedError);
    await expect(run).rejects.toThrow(new RegExp(`^1 version\\(s\\) in s3://${SHARED}/${PREFIX} cannot be deleted`));
  });

  it('rethrows an AccessDenied on the listing untouched', async () => {
    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });
    s3Mock.on(ListObjectVersionsCommand).rejects(denied);

    await expect(deleteTenantBucket(prefixTeardown, { s3For, config, remainingTimeMs: plentyOfTime })).rejects.toBe(denied);
  });

  // Fails: functions/delete-tenant-bucket.ts deleteTenantPrefix takes `tenant.prefix as string`
  // unchecked, and listRound leaves Prefix out when it is undefined: a tenant marked prefix whose
  // prefix is missing (a hand-started or corrupted input) lists and deletes every version of the
  // whole shared bucket, every other tenant's included. ClaimTenantPrefix refuses such a tenant
  // (InvalidEventError); the deletion should refuse it too, before any call.
  it('refuses a prefix tenant without a prefix rather than emptying the whole shared bucket', async () => {
    const bucket = new FakeBucket().addOthers(OTHERS);
    const { prefix: _prefix, ...noPrefix } = prefixTenant;

    await deleteTenantBucket({ ...prefixTeardown, tenant: noPrefix }, { s3For, config, remainingTimeMs: plentyOfTime }).catch(() => undefined);

    expect(bucket.entries.map((e) => e.Key)).toEqual(OTHERS);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectsCommand, 0);
  });
});

describe('delete-tenant-bucket handler', () => {
  it('uses the Lambda context for its time budget', async () => {
    new FakeBucket().addVersions(3);

    const low = await handler(rollback, fakeLambdaContext('deleteTenantBucket', () => 10_000));
    expect(low).toMatchObject({ done: false, objectsDeleted: 0 });

    const ample = await handler({ ...rollback, cursor: low.cursor }, fakeLambdaContext('deleteTenantBucket'));
    expect(ample).toMatchObject({ done: true, objectsDeleted: 3, deleted: [`bucket ${bucketName}`] });
  });
});
