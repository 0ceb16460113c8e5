import { NoSuchBucket, PutBucketOwnershipControlsCommand, PutPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3';
import { PUBLIC_PREFIX, type Config } from './lib/config';
import { TenantBucketMissingError } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { assertRunMayAct } from './lib/ledger/run-guard';
import type { LedgerStore } from './lib/ledger/store';
import { publicBaseUrl } from './lib/naming';
import type { TenantBucket, TenantBucketConfig, TenantRef } from './lib/types';

export interface ConfigureTenantBucketInput {
  tenant: TenantRef;
  bucket: TenantBucket;
}

export interface ConfigureTenantBucketDeps {
  s3For: (region: string) => S3Client;
  /** The tenant ledger, asked whether this run may still act (lib/ledger/run-guard.ts). */
  ledger: Pick<LedgerStore, 'get'>;
  config: Config;
}

/**
 * Configures the tenant's bucket: Block Public Access with only `BlockPublicPolicy`/
 * `RestrictPublicBuckets` off (so the bucket policy may grant public reads of `pub/`, while ACLs
 * can never make anything public). An adopted bucket also gets `BucketOwnerEnforced` object
 * ownership, which a bucket this execution created already got from CreateBucket. Every call is
 * an idempotent put, so the step is safe to repeat.
 *
 * Nothing else is sent: S3 encrypts every bucket with SSE-S3 by default (since January 2023, new
 * and existing buckets alike: S3 User Guide, "Setting default server-side encryption behavior"),
 * and the public prefix `pub/` needs no object to exist.
 *
 * @throws TenantBucketMissingError when the bucket no longer exists.
 */
export async function configureTenantBucket(input: ConfigureTenantBucketInput, deps: ConfigureTenantBucketDeps): Promise<TenantBucketConfig> {
  const { bucket } = input;
  await assertRunMayAct(deps.ledger, input.tenant, 'configure the tenant bucket');
  const s3 = deps.s3For(bucket.region);
  const target = { Bucket: bucket.name, ExpectedBucketOwner: deps.config.accountId };
  try {
    if (!bucket.created) {
      await s3.send(
        new PutBucketOwnershipControlsCommand({ ...target, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }),
      );
    }
    await s3.send(
      new PutPublicAccessBlockCommand({
        ...target,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      }),
    );
  } catch (err) {
    if (err instanceof NoSuchBucket) {
      throw new TenantBucketMissingError(`Tenant bucket ${bucket.name} no longer exists; it was deleted outside this workflow`, { cause: err });
    }
    throw err;
  }
  return { publicPrefix: PUBLIC_PREFIX, publicBaseUrl: publicBaseUrl(bucket.name, bucket.region) };
}

/** The Lambda handler over its dependencies: functions/lambda/configure-tenant-bucket.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function configureTenantBucketHandler(deps: Parameters<typeof configureTenantBucket>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: ConfigureTenantBucketInput) => configureTenantBucket(event, deps));
}
