import { NoSuchEntityException, UpdateAccessKeyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DeleteBucketPolicyCommand, NoSuchBucket, type S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import { listAccessKeys } from './lib/access-keys';
import type { Config } from './lib/config';
import { errorName } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { assertRunMayAct } from './lib/ledger/run-guard';
import type { LedgerStore } from './lib/ledger/store';
import type { KeyRotationSchedule } from './lib/rotation-schedule';
import { findTenantBucket, findTenantUser, type Skipped } from './lib/tenant-bucket';
import type { RevocationResult, TenantRef } from './lib/types';

export interface RevokeTenantAccessInput {
  tenant: TenantRef;
}

export interface RevokeTenantAccessDeps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  s3For: (region: string) => S3Client;
  /** The tenant ledger, asked whether this run may still act (lib/ledger/run-guard.ts). */
  ledger: Pick<LedgerStore, 'get'>;
  /** The secret's rotation schedule: cancelled before the keys are deactivated, restored with them. */
  keyRotation: KeyRotationSchedule;
  config: Config;
  logger?: Logger;
}

/**
 * Finds the tenant's resources and ends every access to them at once, before anything is
 * deleted: every access key of the tenant user becomes Inactive and the bucket policy (the
 * user's grant and the public `pub/` grant) is deleted. The bucket is the one the tenant ledger
 * recorded, else found from the tenant's secret, then the user's `TenantBucket` tag, then the
 * deterministic name candidates — and is used only when its tags say it is this org's. Resources with the
 * tenant's names but other tags are reported and left alone. Safe to repeat: deactivating an
 * inactive key and deleting an absent policy change nothing; a tenant already (partly) gone
 * is not an error. A prefix tenant's access is its keys alone: the shared bucket is not touched.
 *
 * The secret's rotation is cancelled first: a rotation would give the revoked tenant a new active
 * key. One already past its own check makes its key after this cancel, and then deletes it
 * (functions/rotate-tenant-credentials.ts, abandonIfRevoked), or before the keys are listed here.
 */
export async function revokeTenantAccess(input: RevokeTenantAccessInput, deps: RevokeTenantAccessDeps): Promise<RevocationResult> {
  const { tenant } = input;
  await assertRunMayAct(deps.ledger, tenant, 'revoke the tenant\'s access');
  const log = deps.logger;
  const skipped: Skipped = [];

  const user = await findTenantUser(tenant, deps, skipped);
  const { bucketName, bucketFoundBy } = await findTenantBucket(tenant, user, deps, skipped);

  const rotationCancelled = await deps.keyRotation.cancel(tenant.secretName);
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
  // The shared bucket's policy is the stage's, never a tenant's: a prefix tenant's access is its keys alone.
  if (bucketName && tenant.tenancy !== 'prefix') {
    try {
      await deps.s3For(tenant.region).send(new DeleteBucketPolicyCommand({ Bucket: bucketName, ExpectedBucketOwner: deps.config.accountId }));
      bucketPolicyDeleted = true;
    } catch (err) {
      if (!(err instanceof NoSuchBucket) && errorName(err) !== 'NoSuchBucketPolicy') throw err;
    }
  }

  log?.info('Tenant access revoked', { orgId: tenant.orgId, bucket: bucketName, bucketFoundBy, keysDeactivated, rotationCancelled, skipped });
  return { bucketName, bucketFoundBy, keysDeactivated, bucketPolicyDeleted, skipped };
}

/** The Lambda handler over its dependencies: functions/lambda/revoke-tenant-access.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function revokeTenantAccessHandler(deps: Parameters<typeof revokeTenantAccess>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: RevokeTenantAccessInput) => revokeTenantAccess(event, deps));
}
