import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  HeadBucketCommand,
  NotFound,
  PutBucketTaggingCommand,
  type BucketLocationConstraint,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { bucketTagSet } from './lib/bucket-tags';
import type { Config } from './lib/config';
import { BucketNameSettlingError, BucketNameUnavailableError, TenantQuotaExceededError, errorName } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { assertRunMayAct } from './lib/ledger/run-guard';
import type { LedgerStore } from './lib/ledger/store';
import { accountRegionalBucketName, bucketArn } from './lib/naming';
import { describeOwner, isCreatedBy, isTenantResource, tenantTags } from './lib/tags';
import type { TenantBucket, TenantRef } from './lib/types';

export interface CreateTenantBucketInput {
  tenant: TenantRef;
}

export interface CreateTenantBucketDeps {
  s3For: (region: string) => S3Client;
  /** The tenant ledger, asked whether this run may still act (lib/ledger/run-guard.ts). */
  ledger: Pick<LedgerStore, 'get'>;
  config: Config;
  logger?: Logger;
}

/** A candidate's outcome: the tenant's bucket, or why the name cannot be used. */
type CandidateOutcome = { bucket: TenantBucket } | { unavailable: string };

/** Whether an S3 error is a redirect to the bucket's own region (the bucket lives elsewhere). */
function isRegionRedirect(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return status === 301 || errorName(err) === 'PermanentRedirect';
}

/**
 * Creates the tenant's bucket in `tenant.region`, trying `tenant.bucketCandidates` in order,
 * and tags it (`OrgId`, `ManagedBy`, `ProvisionedBy`) in the same invocation.
 *
 * A name taken by another account, or owned by this account for anything but this org, is
 * skipped and never modified. A bucket this account already owns and has tagged for this org
 * is adopted unchanged (`created` is true only when this execution's tags are on it, i.e. a
 * retry of our own creation), so the step is safe to repeat and to redrive.
 *
 * @throws BucketNameUnavailableError when every candidate is unavailable (the message says why for each).
 * @throws TenantQuotaExceededError when the account has reached its bucket quota.
 */
export async function createTenantBucket(input: CreateTenantBucketInput, deps: CreateTenantBucketDeps): Promise<TenantBucket> {
  const { tenant } = input;
  const { config } = deps;
  await assertRunMayAct(deps.ledger, tenant, 'create the tenant bucket');
  const log = deps.logger;
  const region = tenant.region;
  const s3 = deps.s3For(region);
  const tags = tenantTags(tenant.orgId, tenant.provisionedBy);

  const bucketOf = (name: string, created: boolean): TenantBucket => ({ name, region, arn: bucketArn(name), created });

  /** Adopts a bucket this account owns when it is tagged for this org; never modifies it. */
  async function adoptIfTenants(name: string): Promise<CandidateOutcome> {
    let tagSet: Tag[] | undefined;
    try {
      tagSet = await bucketTagSet(s3, name, config.accountId);
    } catch (err) {
      if (isRegionRedirect(err)) return { unavailable: `owned by this account in a region other than ${region}` };
      throw err;
    }
    if (isTenantResource(tagSet, tenant.orgId)) {
      return { bucket: bucketOf(name, isCreatedBy(tagSet, tenant.orgId, tenant.provisionedBy)) };
    }
    const owner = describeOwner(tagSet);
    log?.warn('Skipping a bucket name owned by this account but not by this tenant; the bucket is left untouched', {
      bucket: name,
      orgId: tenant.orgId,
      owner,
    });
    return { unavailable: `owned by this account, but ${owner}` };
  }

  async function tryCandidate(name: string): Promise<CandidateOutcome> {
    if (region === 'us-east-1') {
      // In us-east-1 CreateBucket on a bucket we already own returns 200, not
      // BucketAlreadyOwnedByYou, so only HeadBucket can tell "created now" from "already ours".
      try {
        await s3.send(new HeadBucketCommand({ Bucket: name, ExpectedBucketOwner: config.accountId }));
        return adoptIfTenants(name);
      } catch (err) {
        // 403 (another owner) or 301 (another region): CreateBucket's error says which. Anything
        // else (throttling, 5xx) must not fall through: a 200 from CreateBucket would then be
        // read as "created now" for a bucket of ours that belongs to something else.
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (!(err instanceof NotFound) && status !== 403 && status !== 301) throw err;
        if (!(err instanceof NotFound)) log?.debug('HeadBucket did not find the bucket free; trying CreateBucket', { bucket: name, error: errorName(err) });
      }
    }

    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: name,
          ObjectOwnership: 'BucketOwnerEnforced',
          // Only this account can create a name of its account regional namespace.
          ...(config.bucketNamespace === 'account-regional' ? { BucketNamespace: 'account-regional' as const } : {}),
          CreateBucketConfiguration: {
            ...(region === 'us-east-1' ? {} : { LocationConstraint: region as BucketLocationConstraint }),
            Tags: tags,
          },
        }),
      );
    } catch (err) {
      if (err instanceof BucketAlreadyExists) return { unavailable: 'taken by another AWS account' };
      if (err instanceof BucketAlreadyOwnedByYou) return adoptIfTenants(name);
      if (errorName(err) === 'InvalidBucketName') return { unavailable: 'rejected by S3 as an invalid bucket name' };
      if (errorName(err) === 'OperationAborted') {
        throw new BucketNameSettlingError(
          `S3 is still settling an operation on bucket name ${name} (OperationAborted: a conflicting conditional operation is in progress), such as its deletion moments before; retried for up to 17 minutes`,
          { cause: err },
        );
      }
      if (errorName(err) === 'TooManyBuckets') {
        throw new TenantQuotaExceededError(
          `Cannot create bucket ${name} for OrgId ${JSON.stringify(tenant.orgId)}: the account has reached its S3 bucket quota (TooManyBuckets)`,
          { cause: err },
        );
      }
      throw err;
    }
    // AWS applies CreateBucket's Tags; an emulator that drops them (config.verifyCreateBucketTags) gets them put.
    if (config.verifyCreateBucketTags && !isCreatedBy(await bucketTagSet(s3, name, config.accountId), tenant.orgId, tenant.provisionedBy)) {
      await s3.send(new PutBucketTaggingCommand({ Bucket: name, ExpectedBucketOwner: config.accountId, Tagging: { TagSet: tags } }));
    }
    return { bucket: bucketOf(name, true) };
  }

  if (config.bucketNamespace === 'account-regional') {
    const { shortened } = accountRegionalBucketName(tenant.slug, region, config);
    if (shortened) log?.info('Tenant bucket name shortened to fit 63 characters', { orgId: tenant.orgId, reason: shortened });
  }
  const tried: string[] = [];
  for (const name of tenant.bucketCandidates) {
    const outcome = await tryCandidate(name);
    if ('bucket' in outcome) {
      log?.info(outcome.bucket.created ? 'Tenant bucket created' : 'Tenant bucket adopted', { bucket: outcome.bucket.name, region, orgId: tenant.orgId });
      return outcome.bucket;
    }
    tried.push(`${name} (${outcome.unavailable})`);
  }
  throw new BucketNameUnavailableError(
    `No bucket name is available for OrgId ${JSON.stringify(tenant.orgId)} in ${region}; tried ${tried.length}: ${tried.join('; ')}`,
  );
}

/** The Lambda handler over its dependencies: functions/lambda/create-tenant-bucket.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function createTenantBucketHandler(deps: Parameters<typeof createTenantBucket>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: CreateTenantBucketInput) => createTenantBucket(event, deps));
}
