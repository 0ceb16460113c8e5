import {
  NoSuchEntityException,
  UpdateAccessKeyCommand,
  type IAMClient,
  type User,
} from '@aws-sdk/client-iam';
import { DeleteBucketPolicyCommand, NoSuchBucket, type S3Client, type Tag } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import { listAccessKeys } from './lib/access-keys';
import { bucketTagSet, NOT_OUR_BUCKET_ERRORS } from './lib/bucket-tags';
import { getUser } from './lib/iam-user';
import { iam } from './lib/clients/iam';
import { s3For } from './lib/clients/s3';
import { secretsManager } from './lib/clients/secrets-manager';
import { loadConfig, type Config } from './lib/config';
import { errorName } from './lib/errors';
import { lambdaHandler } from './lib/handler';
import { logger } from './lib/logger';
import { describeOwner, isTenantResource, tagsToRecord, TAG_TENANT_BUCKET } from './lib/tags';
import { describeSecret, readHeldAccessKey } from './lib/tenant-secret';
import type { RevocationResult, TenantRef } from './lib/types';

export interface RevokeTenantAccessInput {
  tenant: TenantRef;
}

export interface RevokeTenantAccessDeps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  s3For: (region: string) => S3Client;
  config: Config;
  logger?: Logger;
}

type Skipped = RevocationResult['skipped'];

/** The bucket name the tenant's secret records, if the secret is this tenant's and readable. */
async function bucketFromSecret(tenant: TenantRef, deps: RevokeTenantAccessDeps, skipped: Skipped): Promise<string | undefined> {
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

async function tenantUser(tenant: TenantRef, deps: RevokeTenantAccessDeps, skipped: Skipped): Promise<User | undefined> {
  const user = await getUser(deps.iam, tenant.userName);
  if (!user) return undefined;
  if (!isTenantResource(user.Tags, tenant.orgId)) {
    skipped.push({ resource: `IAM user ${tenant.userName}`, reason: describeOwner(user.Tags) });
    return undefined;
  }
  return user;
}

/** Whether `bucket` exists, is this account's and is tagged for this org; a mismatch is reported when asked. */
async function isTenantBucket(bucket: string, tenant: TenantRef, deps: RevokeTenantAccessDeps, skipped: Skipped, report: boolean): Promise<boolean> {
  let tags: Tag[] | undefined;
  try {
    tags = await bucketTagSet(deps.s3For(tenant.region), bucket, deps.config.accountId);
  } catch (err) {
    if (err instanceof NoSuchBucket) return false;
    const name = errorName(err) ?? '';
    if (NOT_OUR_BUCKET_ERRORS.has(name)) {
      // Also what a missing permission of our own role looks like: say so where operators look.
      if (name === 'AccessDenied') deps.logger?.warn('AccessDenied reading a bucket with the tenant\'s name: another account\'s bucket, or a permission missing', { bucket, orgId: tenant.orgId });
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
 * Finds the tenant's resources and ends every access to them at once, before anything is
 * deleted: every access key of the tenant user becomes Inactive and the bucket policy (the
 * user's grant and the public `pub/` grant) is deleted. The bucket is found from the
 * tenant's secret, then the user's `TenantBucket` tag, then the deterministic name
 * candidates — and is used only when its tags say it is this org's. Resources with the
 * tenant's names but other tags are reported and left alone. Safe to repeat: deactivating an
 * inactive key and deleting an absent policy change nothing; a tenant already (partly) gone
 * is not an error.
 */
export async function revokeTenantAccess(input: RevokeTenantAccessInput, deps: RevokeTenantAccessDeps): Promise<RevocationResult> {
  const { tenant } = input;
  const log = deps.logger ?? logger;
  const skipped: Skipped = [];

  const user = await tenantUser(tenant, deps, skipped);
  const named: { source: RevocationResult['bucketFoundBy']; bucket: string | undefined }[] = [
    { source: 'secret', bucket: await bucketFromSecret(tenant, deps, skipped) },
    { source: 'user-tag', bucket: user ? tagsToRecord(user.Tags)[TAG_TENANT_BUCKET] : undefined },
  ];
  let bucketName = '';
  let bucketFoundBy: RevocationResult['bucketFoundBy'] = 'none';
  const checked = new Set<string>();
  for (const { source, bucket } of named) {
    if (!bucket || checked.has(bucket)) continue;
    checked.add(bucket);
    if (await isTenantBucket(bucket, tenant, deps, skipped, true)) {
      bucketName = bucket;
      bucketFoundBy = source;
      break;
    }
  }
  if (!bucketName) {
    for (const candidate of tenant.bucketCandidates) {
      if (checked.has(candidate)) continue;
      // The primary name belonging to someone else is worth reporting; a hashed fallback that
      // does is only a guess that did not match, so it is passed over silently.
      if (await isTenantBucket(candidate, tenant, deps, skipped, candidate === tenant.bucketCandidates[0])) {
        bucketName = candidate;
        bucketFoundBy = 'candidate';
        break;
      }
    }
  }

  const keysDeactivated: string[] = [];
  if (user) {
    for (const key of await listAccessKeys(deps.iam, tenant.userName).catch((err: unknown) => {
      if (err instanceof NoSuchEntityException) return [];
      throw err;
    })) {
      if (key.Status === 'Inactive' || !key.AccessKeyId) continue;
      try {
        await deps.iam.send(new UpdateAccessKeyCommand({ UserName: tenant.userName, AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
        keysDeactivated.push(key.AccessKeyId);
      } catch (err) {
        if (!(err instanceof NoSuchEntityException)) throw err;
      }
    }
  }

  let bucketPolicyDeleted = false;
  if (bucketName) {
    try {
      await deps.s3For(tenant.region).send(new DeleteBucketPolicyCommand({ Bucket: bucketName, ExpectedBucketOwner: deps.config.accountId }));
      bucketPolicyDeleted = true;
    } catch (err) {
      if (!(err instanceof NoSuchBucket) && errorName(err) !== 'NoSuchBucketPolicy') throw err;
    }
  }

  log.info('Tenant access revoked', { orgId: tenant.orgId, bucket: bucketName, bucketFoundBy, keysDeactivated, skipped });
  return { bucketName, bucketFoundBy, keysDeactivated, bucketPolicyDeleted, skipped };
}

const config = loadConfig();
export const handler = lambdaHandler((event: RevokeTenantAccessInput) =>
  revokeTenantAccess(event, { iam, secretsManager, s3For, config, logger }),
);
