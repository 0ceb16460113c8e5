import {
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  NoSuchBucket,
  type ObjectIdentifier,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { bucketTagSet } from './lib/bucket-tags';
import type { Config } from './lib/config';
import { errorName } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { deletionBlocker } from './lib/ownership';
import { isTenantResource } from './lib/tags';
import { tenantPrefixViolation } from './lib/s3-names';
import type { DeleteBucketInput, DeleteBucketResult } from './lib/types';

export interface DeleteTenantBucketDeps {
  s3For: (region: string) => S3Client;
  config: Config;
  logger?: Logger;
  /** Milliseconds left in this invocation. */
  remainingTimeMs: () => number;
}

/** Time kept in reserve: a round (list up to 4 pages, delete up to 4 batches) must fit in it. */
export const TIME_RESERVE_MS = 20_000;
/** S3's limit of keys per DeleteObjects call (and per ListObjectVersions page). */
export const DELETE_BATCH_SIZE = 1000;
export const MAX_CONCURRENT_BATCHES = 4;

/**
 * Transient: DeleteObjects reported per-key errors while emptying the bucket. Not a domain
 * error of the state machines (none names it; their generic retrier retries it, then the
 * execution stops at this step, redrivable), so it lives here rather than in lib/errors.ts.
 */
export class TenantBucketNotEmptiedError extends Error {
  override readonly name = 'TenantBucketNotEmptiedError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

interface Cursor {
  objectsDeleted: number;
}

function parseCursor(cursor: string | null | undefined): Cursor {
  if (!cursor) return { objectsDeleted: 0 };
  try {
    const parsed = JSON.parse(cursor) as Partial<Cursor>;
    return { objectsDeleted: typeof parsed.objectsDeleted === 'number' ? parsed.objectsDeleted : 0 };
  } catch {
    return { objectsDeleted: 0 };
  }
}

/**
 * One round's listing: up to MAX_CONCURRENT_BATCHES pages of versions and delete markers,
 * always from the start of the bucket. Markers page only within the round, before anything
 * is deleted (the local emulator loses objects when paging continues across deletions).
 */
async function listRound(s3: S3Client, target: { Bucket: string; ExpectedBucketOwner: string }, prefix?: string): Promise<ObjectIdentifier[]> {
  const objects = new Map<string, ObjectIdentifier>();
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (let page = 0; page < MAX_CONCURRENT_BATCHES; page++) {
    const listing = await s3.send(new ListObjectVersionsCommand({ ...target, MaxKeys: DELETE_BATCH_SIZE, ...(prefix === undefined ? {} : { Prefix: prefix }), ...markers }));
    const before = objects.size;
    for (const entry of [...(listing.Versions ?? []), ...(listing.DeleteMarkers ?? [])]) {
      if (entry.Key !== undefined) objects.set(JSON.stringify([entry.Key, entry.VersionId]), { Key: entry.Key, VersionId: entry.VersionId });
    }
    // A listing that ignores the markers repeats its first page: stop rather than delete twice.
    if (!listing.IsTruncated || objects.size === before) break;
    markers = { KeyMarker: listing.NextKeyMarker, VersionIdMarker: listing.NextVersionIdMarker };
  }
  return [...objects.values()];
}

/**
 * Deletes `objects` in concurrent batches of at most DELETE_BATCH_SIZE and returns how many
 * were deleted. A batch that fails does not hide the others: when some batches succeeded the
 * count is returned with `failure` set (progress was made; the caller continues), and when
 * none did the failure is thrown (the state machine retries with backoff).
 */
async function deleteInBatches(
  s3: S3Client,
  target: { Bucket: string; ExpectedBucketOwner: string },
  objects: ObjectIdentifier[],
): Promise<{ deleted: number; failure?: unknown }> {
  const batches: ObjectIdentifier[][] = [];
  for (let i = 0; i < objects.length; i += DELETE_BATCH_SIZE) batches.push(objects.slice(i, i + DELETE_BATCH_SIZE));
  const settled = await Promise.allSettled(batches.map((batch) => s3.send(new DeleteObjectsCommand({ ...target, Delete: { Objects: batch, Quiet: true } }))));
  let deleted = 0;
  let failure: unknown;
  const errors: { Key?: string; VersionId?: string; Code?: string; Message?: string }[] = [];
  settled.forEach((result, i) => {
    if (result.status === 'rejected') {
      failure ??= result.reason;
      return;
    }
    const keyErrors = result.value.Errors ?? [];
    errors.push(...keyErrors);
    deleted += (batches[i]?.length ?? 0) - keyErrors.length;
  });
  if (errors.length > 0) {
    const sample = errors
      .slice(0, 5)
      .map((e) => `${JSON.stringify(e.Key ?? '').slice(0, 100)}${e.VersionId ? ` version ${e.VersionId}` : ''}: ${e.Code ?? 'error'} ${e.Message ?? ''}`.trim())
      .join('; ');
    failure ??= new TenantBucketNotEmptiedError(`DeleteObjects could not delete ${errors.length} of ${objects.length} objects in bucket ${target.Bucket}: ${sample}`);
  }
  if (failure !== undefined && deleted === 0) throw failure;
  return { deleted, failure };
}

/**
 * One invocation's worth of emptying: rounds of listing (under `prefix` when given) and deleting
 * until nothing is listed (`emptied`), the time budget runs out, or a round only partly succeeded.
 */
async function emptyRounds(
  s3: S3Client,
  target: { Bucket: string; ExpectedBucketOwner: string },
  prefix: string | undefined,
  deps: Pick<DeleteTenantBucketDeps, 'remainingTimeMs' | 'logger'>,
  count: { objectsDeleted: number },
): Promise<'emptied' | 'continue'> {
  for (;;) {
    if (deps.remainingTimeMs() < TIME_RESERVE_MS) {
      deps.logger?.info('Time budget nearly spent; the state machine will continue emptying', { bucket: target.Bucket, prefix, objectsDeleted: count.objectsDeleted });
      return 'continue';
    }
    const objects = await listRound(s3, target, prefix);
    if (objects.length === 0) return 'emptied';
    const round = await deleteInBatches(s3, target, objects);
    count.objectsDeleted += round.deleted;
    if (round.failure !== undefined) {
      // Part of the round failed: keep the count, and let the state machine call again.
      deps.logger?.warn('Some DeleteObjects batches failed; continuing from a fresh listing', { bucket: target.Bucket, prefix, error: errorName(round.failure) });
      return 'continue';
    }
  }
}

/**
 * A prefix tenant's part of the shared bucket: every version and delete marker under its prefix,
 * and nothing else — never the bucket, its policy or another key. Rollback (`scope: 'execution'`)
 * empties the prefix only when this run claimed it empty (`bucket.created`), never a prefix it
 * adopted with the org's data in it.
 */
async function deleteTenantPrefix(input: DeleteBucketInput, deps: DeleteTenantBucketDeps): Promise<DeleteBucketResult> {
  const { tenant, bucketName, scope } = input;
  const prefix = tenant.prefix ?? '';
  const count = { objectsDeleted: parseCursor(input.cursor).objectsDeleted };
  const resource = `prefix s3://${bucketName}/${prefix}`;
  const result = (done: boolean, deleted: string[], skipped: DeleteBucketResult['skipped'] = []): DeleteBucketResult => ({
    done,
    cursor: done ? null : JSON.stringify({ objectsDeleted: count.objectsDeleted }),
    objectsDeleted: count.objectsDeleted,
    deleted,
    skipped,
  });
  if (bucketName !== tenant.bucket) {
    return result(true, [], [{ resource: `bucket ${bucketName}`, reason: `not the shared bucket ${tenant.bucket ?? ''} the tenant's prefix is in` }]);
  }
  // Without a valid prefix a listing would be the whole shared bucket's.
  const violation = tenantPrefixViolation(prefix);
  if (violation) return result(true, [], [{ resource: `bucket ${bucketName}`, reason: `the tenant's prefix ${JSON.stringify(prefix)} ${violation}: nothing of the shared bucket is touched` }]);
  if (scope === 'execution' && input.bucket?.created !== true) {
    deps.logger?.warn('Leaving a prefix untouched: this run did not claim it empty', { bucket: bucketName, prefix, orgId: tenant.orgId });
    return result(true, [], [{ resource, reason: `not claimed empty by execution ${tenant.provisionedBy}: it held the org's objects before` }]);
  }
  const s3 = deps.s3For(tenant.region);
  try {
    if ((await emptyRounds(s3, { Bucket: bucketName, ExpectedBucketOwner: deps.config.accountId }, prefix, deps, count)) === 'continue') return result(false, []);
  } catch (err) {
    // The shared bucket gone means nothing of the tenant's is left in it.
    if (!(err instanceof NoSuchBucket)) throw err;
  }
  deps.logger?.info('Tenant prefix emptied', { bucket: bucketName, prefix, scope, objectsDeleted: count.objectsDeleted });
  return result(true, [resource]);
}

/**
 * Empties (every version and delete marker) and deletes a tenant bucket: for rollback
 * (`scope: 'execution'`, only a bucket this execution created) and for teardown
 * (`scope: 'tenant'`, only a bucket tagged for this org). A bucket that fails the guard is
 * reported in `skipped` and not touched at all. The bucket policy goes first, so access ends at
 * once. When fewer than TIME_RESERVE_MS remain, returns `done: false` with a cursor; the state
 * machine calls again with it. Safe to repeat: every round re-lists from the start, and a
 * bucket that no longer exists counts as deleted. A prefix tenant's "bucket" is its prefix of the
 * shared bucket, emptied and never deleted ({@link deleteTenantPrefix}).
 *
 * @throws TenantBucketNotEmptiedError (transient) when DeleteObjects reports per-key errors.
 */
export async function deleteTenantBucket(input: DeleteBucketInput, deps: DeleteTenantBucketDeps): Promise<DeleteBucketResult> {
  if (input.tenant.tenancy === 'prefix') return deleteTenantPrefix(input, deps);
  const { tenant, bucketName, scope } = input;
  const log = deps.logger;
  const s3 = deps.s3For(tenant.region);
  const target = { Bucket: bucketName, ExpectedBucketOwner: deps.config.accountId };
  const count = { objectsDeleted: parseCursor(input.cursor).objectsDeleted };
  const finished = (deleted: string[]): DeleteBucketResult => ({ done: true, cursor: null, objectsDeleted: count.objectsDeleted, deleted, skipped: [] });

  let tags: Tag[] | undefined;
  try {
    tags = await bucketTagSet(s3, bucketName, deps.config.accountId);
  } catch (err) {
    if (err instanceof NoSuchBucket) return finished([]);
    throw err;
  }
  const blocker = deletionBlocker(scope, tags, tenant);
  if (blocker) {
    // Worded for buckets: the org's bucket can fail the guard only on rollback.
    const reason = isTenantResource(tags, tenant.orgId) ? `not created by execution ${tenant.provisionedBy}` : `not this tenant's bucket: ${blocker}`;
    log?.warn('Leaving a bucket untouched: it fails the deletion guard', { bucket: bucketName, scope, orgId: tenant.orgId, reason });
    return { done: true, cursor: null, objectsDeleted: count.objectsDeleted, deleted: [], skipped: [{ resource: `bucket ${bucketName}`, reason }] };
  }

  try {
    try {
      await s3.send(new DeleteBucketPolicyCommand(target));
    } catch (err) {
      if (errorName(err) !== 'NoSuchBucketPolicy') throw err;
    }
    for (;;) {
      if ((await emptyRounds(s3, target, undefined, deps, count)) === 'continue') {
        return { done: false, cursor: JSON.stringify({ objectsDeleted: count.objectsDeleted }), objectsDeleted: count.objectsDeleted, deleted: [], skipped: [] };
      }
      try {
        await s3.send(new DeleteBucketCommand(target));
      } catch (err) {
        if (errorName(err) === 'BucketNotEmpty') continue;
        throw err;
      }
      log?.info('Tenant bucket deleted', { bucket: bucketName, scope, objectsDeleted: count.objectsDeleted });
      return finished([`bucket ${bucketName}`]);
    }
  } catch (err) {
    if (err instanceof NoSuchBucket) return finished([]);
    throw err;
  }
}

/** The Lambda handler over its dependencies: functions/lambda/delete-tenant-bucket.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function deleteTenantBucketHandler(deps: Omit<DeleteTenantBucketDeps, 'remainingTimeMs'> & FunctionBase) {
  return lambdaHandler(deps.logger, (event: DeleteBucketInput, context) =>
    deleteTenantBucket(event, { ...deps, remainingTimeMs: () => context.getRemainingTimeInMillis() }),
  );
}
