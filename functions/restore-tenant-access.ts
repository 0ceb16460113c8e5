import { NoSuchEntityException, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { listAccessKeys } from './lib/access-keys';
import type { Config } from './lib/config';
import { InvalidEventError, TenantBucketMissingError, TenantUserConflictError } from './lib/errors';
import { parseOrgCreatedDetail } from './lib/events';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { assertRunMayAct } from './lib/ledger/run-guard';
import { bucketArn } from './lib/naming';
import { findTenantBucket, findTenantUser, type Skipped } from './lib/tenant-bucket';
import { splitLedgerRun, splitPrefixTenancy, tenantRef } from './lib/tenant';
import { isTenantResource } from './lib/tags';
import { describeSecret, readHeldAccessKey } from './lib/tenant-secret';
import type { ExecutionRef, TenantBucket, TenantRef, TenantUser } from './lib/types';
import type { RevokeTenantAccessDeps } from './revoke-tenant-access';

export interface RestoreTenantAccessInput {
  /** The execution input: a restore-tenant input (types.ts `RestoreInput`) from the ledger. */
  event: unknown;
  execution: ExecutionRef;
}

/** RestoreTenantAccess's result, `$.restored`: the tenant as ApplyTenantBucketPolicy and RecordTenantRestored take it. */
export interface RestoredAccess {
  tenant: TenantRef;
  bucket: TenantBucket;
  user: TenantUser;
  /** Keys that were Inactive and are Active again. */
  keysActivated: string[];
  /** Keys the ledger or the secret named that no longer exist. */
  keysMissing: string[];
  skipped: Skipped;
}

/** What revocation reaches, which restoring undoes: the same clients, ledger and configuration. */
type Deps = RevokeTenantAccessDeps;

/** The restore input's own fields (what the ledger adds to an OrgCreated-shaped detail). */
function parseInput(event: unknown, config: Config, execution: ExecutionRef): { tenant: TenantRef; keyIds?: string[] } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new InvalidEventError('Invalid restore-tenant input: must be a JSON object');
  const { run, rest: restoreAndTenancy } = splitLedgerRun(event as Record<string, unknown>, 'restore-tenant');
  const { shared, rest } = splitPrefixTenancy(restoreAndTenancy, 'restore-tenant');
  const { settleSeconds: _settle, bucketName, keyIds, ...detail } = rest as { settleSeconds?: unknown; bucketName?: unknown; keyIds?: unknown };
  if (run.runId === undefined || run.generation === undefined) throw new InvalidEventError('Invalid restore-tenant input: generation and runId are required (a restore is started by the tenant ledger)');
  if (bucketName !== undefined && typeof bucketName !== 'string') throw new InvalidEventError('Invalid restore-tenant input: bucketName must be a string');
  if (keyIds !== undefined && (!Array.isArray(keyIds) || !keyIds.every((id) => typeof id === 'string' && /^[A-Z0-9]{16,128}$/.test(id)))) {
    throw new InvalidEventError('Invalid restore-tenant input: keyIds must be a list of access key ids');
  }
  const parsed = parseOrgCreatedDetail(detail);
  const tenant = tenantRef(parsed, execution, config, 'OrgCreated', run, shared);
  return { tenant: { ...tenant, ...(bucketName === undefined ? {} : { bucket: bucketName }) }, ...(keyIds === undefined ? {} : { keyIds: keyIds as string[] }) };
}

/**
 * Gives a tenant whose teardown was stopped within its retention period its access keys back:
 * the keys the teardown deactivated (recorded in the ledger) and the key the tenant's secret
 * holds (its credentials; the only one a teardown stopped before it recorded anything knows of)
 * become Active again; no other key is touched (one deactivated before the teardown, say after a
 * leak and a new key, stays Inactive). Finds the
 * tenant's user and bucket (the ledger's, verified by its tags) for ApplyTenantBucketPolicy,
 * which re-applies the bucket policy next.
 *
 * @throws TenantRunSupersededError when the tenant ledger has moved past this restore (nothing is touched).
 * @throws TenantUserConflictError when the tenant's IAM user is gone or is not this org's.
 * @throws TenantBucketMissingError when no bucket of this org exists in its region.
 * Safe to repeat: activating an Active key changes nothing.
 */
export async function restoreTenantAccess(input: RestoreTenantAccessInput, deps: Deps): Promise<RestoredAccess> {
  const { tenant, keyIds } = parseInput(input.event, deps.config, input.execution);
  await assertRunMayAct(deps.ledger, tenant, 'activate access keys again');
  const skipped: Skipped = [];
  const user = await findTenantUser(tenant, deps, skipped);
  if (!user?.Arn || !user.UserId) {
    throw new TenantUserConflictError(`Cannot restore tenant ${tenant.slug}: IAM user ${tenant.userName} ${skipped.length ? skipped[0]?.reason ?? '' : 'does not exist'}`);
  }
  const { bucketName } = await findTenantBucket(tenant, user, deps, skipped);
  if (!bucketName) {
    throw new TenantBucketMissingError(
      tenant.tenancy === 'prefix'
        ? `Cannot restore tenant ${tenant.slug}: ${skipped.at(-1)?.reason ?? `its user does not hold the prefix ${tenant.prefix ?? ''}`}`
        : `Cannot restore tenant ${tenant.slug}: no bucket of OrgId ${JSON.stringify(tenant.orgId)} exists in ${tenant.region}`,
    );
  }

  // The keys the teardown recorded as deactivated, and the key the tenant's secret holds: a
  // revocation that was retried reports the keys its first attempt deactivated as already inactive.
  const wanted = new Set(keyIds ?? []);
  const secret = await describeSecret(deps.secretsManager, tenant.secretName);
  let rotationScheduled = false;
  if (secret && isTenantResource(secret.Tags, tenant.orgId)) {
    const held = await readHeldAccessKey(deps.secretsManager, tenant.secretName);
    if (held.status === 'read' && held.accessKeyId) wanted.add(held.accessKeyId);
    // Its rotation, cancelled by the revocation, is on its schedule again (none while it was revoked).
    if (secret.ARN && deps.config.rotationDays > 0) {
      await deps.keyRotation.schedule(secret.ARN, deps.config.rotationDays);
      rotationScheduled = true;
    }
  }
  const existing = new Map((await listAccessKeys(deps.iam, tenant.userName)).map((key) => [key.AccessKeyId, key]));
  const keysActivated: string[] = [];
  const keysMissing: string[] = [];
  for (const keyId of wanted) {
    const key = existing.get(keyId);
    if (!key) {
      keysMissing.push(keyId);
      continue;
    }
    if (key.Status === 'Active') continue;
    try {
      await deps.iam.send(new UpdateAccessKeyCommand({ UserName: tenant.userName, AccessKeyId: keyId, Status: 'Active' }));
      keysActivated.push(keyId);
    } catch (err) {
      if (!(err instanceof NoSuchEntityException)) throw err;
      keysMissing.push(keyId);
    }
  }
  deps.logger?.info('Tenant access keys restored', { orgId: tenant.orgId, bucket: bucketName, keysActivated, keysMissing, rotationScheduled, skipped });
  return {
    tenant: { ...tenant, bucket: bucketName },
    bucket: { name: bucketName, region: tenant.region, arn: bucketArn(bucketName), created: false },
    user: { userName: tenant.userName, arn: user.Arn, userId: user.UserId, created: false },
    keysActivated,
    keysMissing,
    skipped,
  };
}

/** The Lambda handler over its dependencies: functions/lambda/restore-tenant-access.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function restoreTenantAccessHandler(deps: Parameters<typeof restoreTenantAccess>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: RestoreTenantAccessInput) => restoreTenantAccess(event, deps));
}
