import { AccessDenied, NoSuchBucket, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { Config } from './lib/config';
import { PublicAccessBlockedError, TenantBucketMissingError, TenantPolicyNotReadyError, errorName } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { assertRunMayAct } from './lib/ledger/run-guard';
import type { LedgerStore } from './lib/ledger/store';
import { tenantBucketPolicy } from './lib/policies';
import type { TenantBucket, TenantBucketPolicyResult, TenantRef, TenantUser } from './lib/types';

export interface ApplyTenantBucketPolicyInput {
  tenant: TenantRef;
  bucket: TenantBucket;
  user: TenantUser;
}

export interface ApplyTenantBucketPolicyDeps {
  s3For: (region: string) => S3Client;
  /** S3 Control, asked for on the first AccessDenied only: nothing else needs it (lib/account-public-access.ts). */
  s3control: () => Promise<S3ControlClient>;
  /** The tenant ledger, asked whether this run may still act (lib/ledger/run-guard.ts). */
  ledger: Pick<LedgerStore, 'get'>;
  config: Config;
}

/**
 * S3's AccessDenied. client-s3 models it as a class only in recent versions (older ones, and
 * fakes, surface an S3ServiceException named AccessDenied), so both forms are recognised.
 */
function isAccessDenied(err: unknown): boolean {
  return err instanceof AccessDenied || errorName(err) === 'AccessDenied';
}

/**
 * Whether the account-level Block Public Access forbids public bucket policies. Any failure
 * to find out is reported as the original AccessDenied, which is what the operator must see.
 */
async function accountBlocksPublicPolicy(deps: ApplyTenantBucketPolicyDeps, accessDenied: unknown): Promise<boolean> {
  try {
    const { accountBlockPublicPolicy } = await import('./lib/account-public-access');
    return await accountBlockPublicPolicy(await deps.s3control(), deps.config.accountId);
  } catch {
    throw accessDenied;
  }
}

/**
 * Puts the tenant bucket's policy: public read of `pub/*`, the tenant user's object actions
 * and ListBucket, and (when the stage is TLS-only) a deny of plain-HTTP requests. The user is
 * named by `aws:PrincipalArn` (policies.ts), so S3 takes the policy whether or not IAM has
 * propagated the user yet. Always re-puts the whole policy; safe to repeat.
 *
 * @throws TenantPolicyNotReadyError (transient, retried by the ASL) when a concurrent change is
 *   in progress (OperationAborted), or the bucket's Block Public Access change has not propagated yet.
 * @throws PublicAccessBlockedError when the account-level Block Public Access forbids public policies.
 * @throws TenantBucketMissingError when the bucket no longer exists.
 */
export async function applyTenantBucketPolicy(input: ApplyTenantBucketPolicyInput, deps: ApplyTenantBucketPolicyDeps): Promise<TenantBucketPolicyResult> {
  const { bucket, user } = input;
  const { config } = deps;
  await assertRunMayAct(deps.ledger, input.tenant, 'put the bucket policy');
  const tlsOnly = config.bucketPolicyTlsOnly;
  const policy = tenantBucketPolicy({ bucket: bucket.name, userArn: user.arn, tlsOnly });
  try {
    await deps
      .s3For(bucket.region)
      .send(new PutBucketPolicyCommand({ Bucket: bucket.name, ExpectedBucketOwner: config.accountId, Policy: JSON.stringify(policy) }));
  } catch (err) {
    if (errorName(err) === 'OperationAborted') {
      throw new TenantPolicyNotReadyError(`A conflicting operation on bucket ${bucket.name} is in progress; the bucket policy will be retried`, { cause: err });
    }
    if (err instanceof NoSuchBucket) {
      throw new TenantBucketMissingError(`Tenant bucket ${bucket.name} no longer exists; it was deleted outside this workflow`, { cause: err });
    }
    if (isAccessDenied(err)) {
      if (await accountBlocksPublicPolicy(deps, err)) {
        throw new PublicAccessBlockedError(
          `Account-level S3 Block Public Access (BlockPublicPolicy) in account ${config.accountId} forbids the public read grant on ${bucket.name}/pub/*. ` +
            'Turn off BlockPublicPolicy in the account-level Block Public Access settings for this account, then provision the tenant again.',
          { cause: err },
        );
      }
      throw new TenantPolicyNotReadyError(
        `S3 denied the bucket policy of ${bucket.name} while account-level BlockPublicPolicy is off; the bucket's Block Public Access change has probably not propagated yet`,
        { cause: err },
      );
    }
    throw err;
  }
  return { applied: true, tlsOnly, statementIds: policy.Statement.map((statement) => statement.Sid) };
}

/** The Lambda handler over its dependencies: functions/lambda/apply-tenant-bucket-policy.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function applyTenantBucketPolicyHandler(deps: Parameters<typeof applyTenantBucketPolicy>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: ApplyTenantBucketPolicyInput) => applyTenantBucketPolicy(event, deps));
}
