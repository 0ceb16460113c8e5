/**
 * A teardown meets versions S3 will not delete (an Object Lock legal hold), against the AWS
 * emulator: it deletes everything else, parks at DeleteTenantBucket with TenantObjectsLockedError
 * saying how many and why, and once the hold is lifted a redrive deletes the rest and the bucket.
 * (The walk's paging is proven against a model of S3's listing in the unit tests: the emulator's
 * own loses entries when paged while deleting, which the walk's second pass makes up for.)
 */
import {
  DeleteObjectCommand,
  HeadBucketCommand,
  NotFound,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import { tenantNames } from '../../functions/lib/naming';
import type { LocalPipeline } from '../../local/pipeline';
import { LOCAL_REGION } from '../../local/stack';
import { integrationPipeline } from './integration-pipeline';

jest.setTimeout(120_000);

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await integrationPipeline();
});
afterAll(() => pipeline?.stop());

describe('a teardown that meets locked versions', () => {
  it('parks at DeleteTenantBucket naming the held versions, and a redrive after the hold is lifted finishes the teardown', async () => {
    const orgId = 'Int-Locked-1';
    const bucket = tenantNames(orgId, LOCAL_REGION, pipeline.config).bucketCandidates[0] as string;
    const routed = await pipeline.send('OrgCreated', { orgId });
    expect((await pipeline.executions.waitFor('provision', routed.executionName as string, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');

    // The tenant's data: 30 objects, one of them under a legal hold.
    const { s3 } = pipeline.clients;
    // The emulator enables Object Lock on an empty bucket only (AWS: on any versioned one): the pub/ marker goes first.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'pub/' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }));
    for (let i = 0; i < 30; i++) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `sales/day-${i}.csv`, Body: `day ${i}` }));
    const held = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'audit/ledger.csv', Body: 'kept for the auditors', ObjectLockLegalHoldStatus: 'ON' }));

    const teardown = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    const parked = await pipeline.executions.waitFor('teardown', teardown.executionName as string, { timeoutMs: 60_000 });

    expect(parked).toMatchObject({ status: 'FAILED', failedState: 'DeleteTenantBucket', error: 'TenantObjectsLockedError', redriveStatus: 'REDRIVABLE' });
    expect(parked.cause).toContain(`1 version(s) in bucket ${bucket} cannot be deleted, and nothing else is left`);
    // The emulator's per-key error names no VersionId (S3's does): the hold is then asked of the key's current version.
    expect(parked.cause).toMatch(/"audit\/ledger\.csv"( version \S+)? is under a legal hold/);
    expect(parked.cause).toContain('(30 deleted)');
    // Not retried: listing everything again would find the same.
    const retried = ((await pipeline.executions.history('teardown', parked.name)) ?? []).filter((e) => e.type === 'StateRetried' && e.state === 'DeleteTenantBucket');
    expect(retried).toEqual([]);
    await pipeline.executions.idle();
    expect(await pipeline.ledger.get(orgId.toLowerCase())).toMatchObject({ state: 'parked', parked: { from: 'deleting', error: 'TenantObjectsLockedError' } });

    await s3.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'audit/ledger.csv', VersionId: held.VersionId, LegalHold: { Status: 'OFF' } }));
    await pipeline.executions.redrive('teardown', parked.name);
    const redriven = await pipeline.executions.waitFor('teardown', parked.name, { timeoutMs: 60_000 });

    expect(redriven.status).toBe('SUCCEEDED');
    await pipeline.executions.idle();
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow(NotFound);
    expect(await pipeline.ledger.get(orgId.toLowerCase())).toMatchObject({ state: 'deleted' });
  });
});
