import { GetObjectTaggingCommand, HeadBucketCommand, ListObjectsV2Command, NotFound, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from './lib/config';
import { errorName, InvalidEventError, TenantPrefixInUseError } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { assertRunMayAct } from './lib/ledger/run-guard';
import type { LedgerStore } from './lib/ledger/store';
import { bucketArn } from './lib/naming';
import { describeOwner, isTenantResource } from './lib/tags';
import type { TenantBucket, TenantRef } from './lib/types';

export interface ClaimTenantPrefixInput {
  tenant: TenantRef;
}

export interface ClaimTenantPrefixDeps {
  s3For: (region: string) => S3Client;
  /** The tenant ledger, asked whether this run may still act (lib/ledger/run-guard.ts). */
  ledger: Pick<LedgerStore, 'get'>;
  config: Config;
  logger?: Logger;
}

/**
 * Transient: the stage's shared bucket does not exist, or is not this account's. A stage
 * misconfiguration, not a fault of the org: not caught, so once the retries run out the run parks
 * at this step, with nothing created, for an operator to fix the stage and redrive it.
 */
export class SharedBucketUnavailableError extends Error {
  override readonly name = 'SharedBucketUnavailableError';
}

/**
 * The URL a prefix tenant's objects are under: virtual-hosted style, as S3 serves them, or
 * path style for a name with a dot (`connect.pozi.com`), whose virtual host S3's wildcard TLS
 * certificate does not cover.
 */
export function prefixBaseUrl(bucket: string, region: string, prefix: string): string {
  return bucket.includes('.') ? `https://s3.${region}.amazonaws.com/${bucket}/${prefix}` : `https://${bucket}.s3.${region}.amazonaws.com/${prefix}`;
}

/**
 * Claims a prefix tenant's prefix of the stage's shared bucket, in place of creating a bucket:
 * writes nothing, and creates nothing. The shared bucket must exist and be this account's. An
 * empty prefix is the tenant's (`created`: nothing of anyone's is there, so a rollback may empty
 * it again). A prefix that already holds objects is adopted only when its folder object (the key
 * equal to the prefix, what the S3 console's "Create folder" makes) is tagged with this org's
 * OrgId and ManagedBy=tenant-provisioner, as a bucket is adopted only when tagged so; that is how an operator hands a site
 * made by hand over to its tenant. Safe to repeat: it only reads.
 *
 * @throws TenantPrefixInUseError when the prefix holds objects not marked as this org's.
 * @throws SharedBucketUnavailableError (transient) when the shared bucket is missing or not this account's.
 */
export async function claimTenantPrefix(input: ClaimTenantPrefixInput, deps: ClaimTenantPrefixDeps): Promise<TenantBucket> {
  const { tenant } = input;
  const { config } = deps;
  if (tenant.tenancy !== 'prefix' || tenant.bucket === undefined || tenant.prefix === undefined) {
    throw new InvalidEventError(`Cannot claim a prefix for tenant ${tenant.slug}: it is not a prefix tenant (its input names no shared bucket and prefix)`);
  }
  await assertRunMayAct(deps.ledger, tenant, 'claim the tenant prefix');
  const { bucket, prefix, region } = tenant;
  const s3 = deps.s3For(region);
  const target = { Bucket: bucket, ExpectedBucketOwner: config.accountId };
  try {
    await s3.send(new HeadBucketCommand(target));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (err instanceof NotFound || status === 403 || status === 301) {
      throw new SharedBucketUnavailableError(
        `The stage's shared bucket ${bucket} ${err instanceof NotFound ? 'does not exist' : status === 301 ? `is not in ${region}` : "is not this account's, or this function's role may not list it (403)"}: prefix tenants cannot be provisioned until SHARED_BUCKET names this account's bucket in ${region}`,
        { cause: err },
      );
    }
    throw err;
  }
  const claimed = (created: boolean): TenantBucket => ({
    name: bucket,
    region,
    arn: bucketArn(bucket),
    created,
    prefix,
    baseUrl: prefixBaseUrl(bucket, region, prefix),
    publicObjects: config.objectAcls,
  });

  const listing = await s3.send(new ListObjectsV2Command({ ...target, Prefix: prefix, MaxKeys: 1 }));
  const sample = listing.Contents?.[0]?.Key;
  if (sample === undefined) {
    deps.logger?.info('Tenant prefix claimed', { bucket, prefix, orgId: tenant.orgId });
    return claimed(true);
  }

  let tags: { Key?: string; Value?: string }[] | undefined;
  try {
    tags = (await s3.send(new GetObjectTaggingCommand({ ...target, Key: prefix }))).TagSet;
  } catch (err) {
    if (errorName(err) !== 'NoSuchKey') throw err;
  }
  if (isTenantResource(tags, tenant.orgId)) {
    deps.logger?.info("Tenant prefix adopted: it holds objects and its folder object is tagged as the org's", { bucket, prefix, orgId: tenant.orgId });
    return claimed(false);
  }
  const marker = tags === undefined ? 'no folder object marks it as this org\'s' : `its folder object is not marked as this org's (${describeOwner(tags).replace(/^it /, '')})`;
  throw new TenantPrefixInUseError(
    `Prefix s3://${bucket}/${prefix} for OrgId ${JSON.stringify(tenant.orgId)} already holds objects (${JSON.stringify(sample.slice(0, 200))}) and ${marker}: ` +
      `it may be another site's data. If it is this org's (a site made by hand), tag its folder object (the key ${JSON.stringify(prefix)}) with OrgId=${tenant.orgId} and ManagedBy=tenant-provisioner, then start the next generation (tenantctl provision ${tenant.orgId} --new-generation); otherwise choose another PREFIX_TEMPLATE or move the objects`,
  );
}

/** The Lambda handler over its dependencies: functions/lambda/claim-tenant-prefix.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function claimTenantPrefixHandler(deps: Parameters<typeof claimTenantPrefix>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: ClaimTenantPrefixInput) => claimTenantPrefix(event, deps));
}
