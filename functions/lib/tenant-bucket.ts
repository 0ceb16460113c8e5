import type { Logger } from '@aws-lambda-powertools/logger';
import type { IAMClient, User } from '@aws-sdk/client-iam';
import { NoSuchBucket, type S3Client, type Tag } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { bucketTagSet, NOT_OUR_BUCKET_ERRORS } from './bucket-tags';
import type { Config } from './config';
import { errorName } from './errors';
import { getUser } from './iam-user';
import { describeOwner, isTenantResource, tagsToRecord, TAG_TENANT_BUCKET, TAG_TENANT_PREFIX } from './tags';
import { describeSecret, readHeldAccessKey } from './tenant-secret';
import type { RevocationResult, TenantRef } from './types';

export interface TenantLookupDeps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  s3For: (region: string) => S3Client;
  config: Pick<Config, 'accountId'>;
  logger?: Pick<Logger, 'warn'>;
}

/** Resources with a tenant's name that are not the tenant's, and why: reported, never touched. */
export type Skipped = RevocationResult['skipped'];

/** The bucket name the tenant's secret records, if the secret is this tenant's and readable. */
async function bucketFromSecret(tenant: TenantRef, deps: TenantLookupDeps, skipped: Skipped): Promise<string | undefined> {
  const secret = await describeSecret(deps.secretsManager, tenant.secretName);
  if (!secret) return undefined;
  if (!isTenantResource(secret.Tags, tenant.orgId)) {
    skipped.push({ resource: `secret ${tenant.secretName}`, reason: describeOwner(secret.Tags) });
    return undefined;
  }
  // Scheduled for deletion or gone meanwhile: the other sources remain.
  const held = await readHeldAccessKey(deps.secretsManager, tenant.secretName);
  return held.status === 'read' ? held.bucket : undefined;
}

/** The tenant's IAM user, when it exists and is tagged for this org (otherwise reported in `skipped`). */
export async function findTenantUser(tenant: TenantRef, deps: TenantLookupDeps, skipped: Skipped): Promise<User | undefined> {
  const user = await getUser(deps.iam, tenant.userName);
  if (!user) return undefined;
  if (!isTenantResource(user.Tags, tenant.orgId)) {
    skipped.push({ resource: `IAM user ${tenant.userName}`, reason: describeOwner(user.Tags) });
    return undefined;
  }
  return user;
}

/** Whether `bucket` exists, is this account's and is tagged for this org; a mismatch is reported when asked. */
async function isTenantBucket(bucket: string, tenant: TenantRef, deps: TenantLookupDeps, skipped: Skipped, report: boolean): Promise<boolean> {
  let tags: Tag[] | undefined;
  try {
    tags = await bucketTagSet(deps.s3For(tenant.region), bucket, deps.config.accountId);
  } catch (err) {
    if (err instanceof NoSuchBucket) return false;
    const name = errorName(err) ?? '';
    if (NOT_OUR_BUCKET_ERRORS.has(name)) {
      // Also what a missing permission of our own role looks like: say so where operators look.
      if (name === 'AccessDenied') deps.logger?.warn("AccessDenied reading a bucket with the tenant's name: another account's bucket, or a permission missing", { bucket, orgId: tenant.orgId });
      if (report) skipped.push({ resource: `bucket ${bucket}`, reason: `it is not this account's bucket in ${tenant.region} (${name})` });
      return false;
    }
    throw err;
  }
  if (isTenantResource(tags, tenant.orgId)) return true;
  if (report) skipped.push({ resource: `bucket ${bucket}`, reason: describeOwner(tags) });
  return false;
}

/**
 * A prefix tenant's part of the shared bucket (the stage's, named by the ledger; never checked for
 * tags: it is no tenant's): its prefix, but only when this org's user is tagged with that prefix
 * of that bucket, or the ledger saw the generation active (`prefixHeld`: its user may be gone by
 * now, deleted by an earlier teardown). The ledger records the prefix when a generation starts,
 * before ClaimTenantPrefix has found it free; a generation whose claim was refused (another site's
 * objects are there) or that was stopped before its user existed never held it, and its teardown
 * must not empty it.
 */
function prefixOfTenant(tenant: TenantRef, user: User | undefined, skipped: Skipped): { bucketName: string; bucketFoundBy: RevocationResult['bucketFoundBy'] } {
  const tags = tagsToRecord(user?.Tags);
  if (user && tenant.bucket && tags[TAG_TENANT_BUCKET] === tenant.bucket && tags[TAG_TENANT_PREFIX] === tenant.prefix) return { bucketName: tenant.bucket, bucketFoundBy: 'user-tag' };
  if (tenant.bucket && tenant.prefixHeld) return { bucketName: tenant.bucket, bucketFoundBy: 'ledger' };
  skipped.push({
    resource: `prefix s3://${tenant.bucket ?? ''}/${tenant.prefix ?? ''}`,
    reason: user ? `the tenant's IAM user is not tagged with it (${TAG_TENANT_PREFIX}=${JSON.stringify(tags[TAG_TENANT_PREFIX] ?? null)})` : "no IAM user of this org holds it: this generation never claimed it, or its user was deleted outside this workflow",
  });
  return { bucketName: '', bucketFoundBy: 'none' };
}

/**
 * The tenant's bucket: the one the tenant ledger recorded, else the one its secret names, else
 * its user's `TenantBucket` tag, else the first of its deterministic name candidates that is
 * this org's — always used only when its tags say it is this org's, in the tenant's region.
 * Buckets with the tenant's names that belong to something else are reported in `skipped`.
 * A prefix tenant's is the shared bucket its ledger record names, when its user holds its prefix
 * ({@link prefixOfTenant}).
 */
export async function findTenantBucket(
  tenant: TenantRef,
  user: User | undefined,
  deps: TenantLookupDeps,
  skipped: Skipped,
): Promise<{ bucketName: string; bucketFoundBy: RevocationResult['bucketFoundBy'] }> {
  if (tenant.tenancy === 'prefix') return prefixOfTenant(tenant, user, skipped);
  // Each source is asked only when the ones before it found nothing: the ledger's bucket, once
  // verified, needs no read of the secret.
  const named: { source: RevocationResult['bucketFoundBy']; bucket: () => Promise<string | undefined> }[] = [
    { source: 'ledger', bucket: async () => tenant.bucket },
    { source: 'secret', bucket: () => bucketFromSecret(tenant, deps, skipped) },
    { source: 'user-tag', bucket: async () => (user ? tagsToRecord(user.Tags)[TAG_TENANT_BUCKET] : undefined) },
  ];
  const checked = new Set<string>();
  for (const { source, bucket: find } of named) {
    const bucket = await find();
    if (!bucket || checked.has(bucket)) continue;
    checked.add(bucket);
    if (await isTenantBucket(bucket, tenant, deps, skipped, true)) return { bucketName: bucket, bucketFoundBy: source };
  }
  for (const candidate of tenant.bucketCandidates) {
    if (checked.has(candidate)) continue;
    // The primary name belonging to someone else is worth reporting; a hashed fallback that
    // does is only a guess that did not match, so it is passed over silently.
    if (await isTenantBucket(candidate, tenant, deps, skipped, candidate === tenant.bucketCandidates[0])) {
      return { bucketName: candidate, bucketFoundBy: 'candidate' };
    }
  }
  return { bucketName: '', bucketFoundBy: 'none' };
}
