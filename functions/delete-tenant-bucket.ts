import { DeleteBucketCommand, DeleteBucketPolicyCommand, NoSuchBucket, PutPublicAccessBlockCommand, type S3Client, type Tag } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { bucketTagSet } from './lib/bucket-tags';
import { parseWalkCursor, walkAndDelete } from './lib/bucket-walk';
import type { Config } from './lib/config';
import { errorName } from './lib/errors';
import { countLoop } from './lib/history-budget';
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
  now?: () => Date;
}

const DAY_MS = 86_400_000;

/**
 * The loop's history count after this invocation (lib/history-budget.ts) and whether the teardown
 * continues in a new execution before the next one: only a teardown's loop that is not done does.
 */
function loopCount(input: DeleteBucketInput, done: boolean, config: Config): Pick<DeleteBucketResult, 'history' | 'continueAsNew'> {
  const { history, continueAsNew } = countLoop(input.history, config.teardownContinueAtEvents);
  return { history, continueAsNew: continueAsNew && !done && input.scope === 'tenant' };
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
  const cursor = parseWalkCursor(input.cursor);
  const resource = `prefix s3://${bucketName}/${prefix}`;
  const result = (done: boolean, deleted: string[], skipped: DeleteBucketResult['skipped'] = []): DeleteBucketResult => ({
    done,
    cursor: done ? null : JSON.stringify(cursor),
    objectsDeleted: cursor.objectsDeleted,
    deleted,
    skipped,
    ...loopCount(input, done, deps.config),
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
    if ((await walkAndDelete(s3, { Bucket: bucketName, ExpectedBucketOwner: deps.config.accountId }, prefix, cursor, deps)) === 'continue') return result(false, []);
  } catch (err) {
    // The shared bucket gone means nothing of the tenant's is left in it.
    if (!(err instanceof NoSuchBucket)) throw err;
  }
  deps.logger?.info('Tenant prefix emptied', { bucket: bucketName, prefix, scope, objectsDeleted: cursor.objectsDeleted, requests: cursor.requests });
  return result(true, [resource]);
}

/**
 * Empties (every version and delete marker) and deletes a tenant bucket: for rollback
 * (`scope: 'execution'`, only a bucket this execution created) and for teardown
 * (`scope: 'tenant'`, only a bucket tagged for this org). A bucket that fails the guard is
 * reported in `skipped` and not touched at all. The bucket policy goes first, so access ends at
 * once. When fewer than TIME_RESERVE_MS remain, returns `done: false` with a cursor; the state
 * machine calls again with it. Safe to repeat: the cursor says where the walk through the
 * listing goes on (lib/bucket-walk.ts; an invocation repeated with the same cursor lists that part
 * again), and a bucket that no longer exists counts as deleted. A prefix tenant's "bucket" is its prefix of the
 * shared bucket, emptied and never deleted ({@link deleteTenantPrefix}).
 *
 * With keepEmptyBucketAfterTeardownDays, a teardown empties the bucket and keeps it locked down
 * (`kept`) instead; the teardown's last part deletes it ({@link deleteKeptBucket}, scope `kept`).
 *
 * @throws TenantObjectsLockedError when only versions S3 refuses to delete remain (uncaught: the run parks).
 */
export async function deleteTenantBucket(input: DeleteBucketInput, deps: DeleteTenantBucketDeps): Promise<DeleteBucketResult> {
  if (input.tenant.tenancy === 'prefix') return deleteTenantPrefix(input, deps);
  if (input.scope === 'kept') return deleteKeptBucket(input, deps);
  const { tenant, bucketName, scope } = input;
  const log = deps.logger;
  const s3 = deps.s3For(tenant.region);
  const target = { Bucket: bucketName, ExpectedBucketOwner: deps.config.accountId };
  const cursor = parseWalkCursor(input.cursor);
  const finished = (deleted: string[], skipped: DeleteBucketResult['skipped'] = []): DeleteBucketResult => ({
    done: true,
    cursor: null,
    objectsDeleted: cursor.objectsDeleted,
    deleted,
    skipped,
    ...loopCount(input, true, deps.config),
  });

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
    return finished([], [{ resource: `bucket ${bucketName}`, reason }]);
  }

  try {
    try {
      await s3.send(new DeleteBucketPolicyCommand(target));
    } catch (err) {
      if (errorName(err) !== 'NoSuchBucketPolicy') throw err;
    }
    const keepDays = scope === 'tenant' ? deps.config.keepEmptyBucketAfterTeardownDays : 0;
    for (;;) {
      if ((await walkAndDelete(s3, target, undefined, cursor, deps)) === 'continue') {
        return { done: false, cursor: JSON.stringify(cursor), objectsDeleted: cursor.objectsDeleted, deleted: [], skipped: [], ...loopCount(input, false, deps.config) };
      }
      if (keepDays > 0) {
        // Kept, so nobody else can create a bucket of this name meanwhile: empty, no policy, and
        // nothing public can be granted on it again (every Block Public Access setting on).
        await s3.send(new PutPublicAccessBlockCommand({ ...target, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }));
        const until = new Date((deps.now ?? (() => new Date()))().getTime() + keepDays * DAY_MS).toISOString();
        log?.info('Tenant bucket emptied and kept', { bucket: bucketName, until, objectsDeleted: cursor.objectsDeleted, requests: cursor.requests });
        const reason = `kept empty and locked down until ${until} (keepEmptyBucketAfterTeardownDays ${keepDays}), so nobody else can take its name; then deleted`;
        return { ...finished([`every object version of bucket ${bucketName}`], [{ resource: `bucket ${bucketName}`, reason }]), kept: { bucketName, until } };
      }
      try {
        await s3.send(new DeleteBucketCommand(target));
      } catch (err) {
        if (errorName(err) === 'BucketNotEmpty') continue;
        throw err;
      }
      log?.info('Tenant bucket deleted', { bucket: bucketName, scope, objectsDeleted: cursor.objectsDeleted, requests: cursor.requests });
      return finished([`bucket ${bucketName}`]);
    }
  } catch (err) {
    if (err instanceof NoSuchBucket) return finished([]);
    throw err;
  }
}

/**
 * The end of a teardown that kept the tenant's emptied bucket: deletes it, if it is still this
 * org's and still empty. A bucket with objects in it is left alone and reported (something of
 * this account wrote to it since the teardown emptied it: an operator looks); one already gone
 * counts as deleted.
 */
async function deleteKeptBucket(input: DeleteBucketInput, deps: DeleteTenantBucketDeps): Promise<DeleteBucketResult> {
  const { tenant, bucketName } = input;
  const s3 = deps.s3For(tenant.region);
  const target = { Bucket: bucketName, ExpectedBucketOwner: deps.config.accountId };
  const result = (deleted: string[], skipped: DeleteBucketResult['skipped'] = []): DeleteBucketResult => ({ done: true, cursor: null, objectsDeleted: 0, deleted, skipped, history: { events: 0 }, continueAsNew: false });
  try {
    const blocker = deletionBlocker('tenant', await bucketTagSet(s3, bucketName, deps.config.accountId), tenant);
    if (blocker) return result([], [{ resource: `bucket ${bucketName}`, reason: `not this tenant's bucket: ${blocker}` }]);
    await s3.send(new DeleteBucketCommand(target));
  } catch (err) {
    if (err instanceof NoSuchBucket) return result([]);
    if (errorName(err) !== 'BucketNotEmpty') throw err;
    deps.logger?.warn('Kept bucket not deleted: it is not empty any more', { bucket: bucketName, orgId: tenant.orgId });
    return result([], [{ resource: `bucket ${bucketName}`, reason: 'not empty any more: something of this account wrote to it after the teardown emptied it; left for an operator' }]);
  }
  deps.logger?.info('Kept tenant bucket deleted', { bucket: bucketName, orgId: tenant.orgId });
  return result([`bucket ${bucketName}`]);
}

/** The Lambda handler over its dependencies: functions/lambda/delete-tenant-bucket.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function deleteTenantBucketHandler(deps: Omit<DeleteTenantBucketDeps, 'remainingTimeMs'> & FunctionBase) {
  return lambdaHandler(deps.logger, (event: DeleteBucketInput, context) =>
    deleteTenantBucket(event, { ...deps, remainingTimeMs: () => context.getRemainingTimeInMillis() }),
  );
}
