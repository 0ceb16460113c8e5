import { ListUserTagsCommand, NoSuchEntityException, type AccessKeyMetadata, type IAMClient } from '@aws-sdk/client-iam';
import { DeleteSecretCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import { deleteAccessKey, listAccessKeys } from './lib/access-keys';
import type { Config } from './lib/config';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { deletionBlocker } from './lib/ownership';
import { describeOwner, isTenantResource, type TagList } from './lib/tags';
import { describeSecret, readHeldAccessKey } from './lib/tenant-secret';
import type { DeletionInput, DeletionResult } from './lib/types';

interface Deps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  config: Config;
  logger: Logger;
}

/** What the secret step learned about which access key must survive. */
interface SecretOutcome {
  /** The key held by the secret this call deleted: it goes too. */
  deletedKeyId?: string;
  /** The key held by a secret this call keeps: it is never deleted. */
  protectedKeyId?: string;
  /** A kept secret whose value cannot be read (scheduled for deletion): any key may be its own. */
  protectsUnknownKey: boolean;
}

async function deleteSecretStep(input: DeletionInput, deps: Deps, result: DeletionResult): Promise<SecretOutcome> {
  const { scope, tenant } = input;
  const resource = `secret ${tenant.secretName}`;
  const secret = await describeSecret(deps.secretsManager, tenant.secretName);
  if (!secret) return { protectsUnknownKey: false };

  const notOurs = deletionBlocker(scope, secret.Tags, tenant);
  if (notOurs) {
    result.skipped.push({ resource, reason: notOurs });
    // Only this org's secret can hold a key of this execution (IssueTenantCredentials writes no other).
    if (scope === 'tenant' || !isTenantResource(secret.Tags, tenant.orgId)) return { protectsUnknownKey: false };
    const held = await readHeldAccessKey(deps.secretsManager, tenant.secretName);
    return held.status === 'read' ? { protectedKeyId: held.accessKeyId, protectsUnknownKey: false } : { protectsUnknownKey: true };
  }

  const held = await readHeldAccessKey(deps.secretsManager, tenant.secretName);
  try {
    await deps.secretsManager.send(new DeleteSecretCommand({ SecretId: tenant.secretName, ForceDeleteWithoutRecovery: true }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  result.deleted.push(resource);
  return { deletedKeyId: held.status === 'read' ? held.accessKeyId : undefined, protectsUnknownKey: false };
}

/** Why an access key must stay, or undefined when this call may delete it. */
function keyKeepReason(key: AccessKeyMetadata, input: DeletionInput, secret: SecretOutcome): string | undefined {
  if (key.AccessKeyId === secret.deletedKeyId) return undefined;
  if (key.AccessKeyId === secret.protectedKeyId) return `it is held by secret ${input.tenant.secretName}, which is kept`;
  if (input.scope === 'tenant') return undefined;
  if (!key.CreateDate || key.CreateDate.getTime() < Date.parse(input.tenant.startedAt)) return 'it was created before this execution started';
  if (secret.protectsUnknownKey) return `secret ${input.tenant.secretName} is kept and its value cannot be read, so it may hold this key`;
  return undefined;
}

async function deleteKeysStep(input: DeletionInput, deps: Deps, secret: SecretOutcome, result: DeletionResult): Promise<void> {
  const { userName } = input.tenant;
  let keys: AccessKeyMetadata[];
  let userTags: TagList | undefined;
  try {
    keys = await listAccessKeys(deps.iam, userName);
    if (keys.length === 0) return;
    userTags = (await deps.iam.send(new ListUserTagsCommand({ UserName: userName }))).Tags;
  } catch (err) {
    if (err instanceof NoSuchEntityException) return;
    throw err;
  }
  if (!isTenantResource(userTags, input.tenant.orgId)) {
    result.skipped.push({ resource: `access keys of IAM user ${userName}`, reason: describeOwner(userTags) });
    return;
  }

  for (const key of keys) {
    if (!key.AccessKeyId) continue;
    const resource = `access key ${key.AccessKeyId} of IAM user ${userName}`;
    const keep = keyKeepReason(key, input, secret);
    if (keep) {
      result.skipped.push({ resource, reason: keep });
      continue;
    }
    await deleteAccessKey(deps.iam, userName, key.AccessKeyId);
    result.deleted.push(resource);
  }
}

/**
 * Deletes the tenant's credentials secret (no recovery window) and the tenant user's
 * access keys. Scope `execution` (rollback) removes only the secret this execution
 * created, the key it held, and keys created since the execution started; scope `tenant`
 * (teardown) removes the org's secret and every key of the org's user. A secret that is
 * not deletable, the key it holds, and the keys of a user that is not the org's are left
 * alone and reported in `skipped`.
 *
 * Safe to repeat: what is already gone counts as deleted, and every decision is made from
 * the tags and dates AWS reports, not from state kept between calls.
 */
export async function deleteTenantCredentials(input: DeletionInput, deps: Deps): Promise<DeletionResult> {
  const result: DeletionResult = { deleted: [], skipped: [] };
  const secret = await deleteSecretStep(input, deps, result);
  await deleteKeysStep(input, deps, secret, result);
  deps.logger.info('Deleted tenant credentials', { scope: input.scope, orgId: input.tenant.orgId, ...result });
  return result;
}

/** The Lambda handler over its dependencies: functions/lambda/delete-tenant-credentials.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function deleteTenantCredentialsHandler(deps: Parameters<typeof deleteTenantCredentials>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: DeletionInput) => deleteTenantCredentials(event, deps));
}
