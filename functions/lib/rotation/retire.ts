import { NoSuchEntityException, UpdateAccessKeyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import { listAccessKeys } from '../access-keys';
import type { Config } from '../config';
import { CURRENT, overlapEnd, PREVIOUS, readVersion, tenantSecretOf, versionWith } from './rotating-secret';

/** What {@link retirePreviousTenantKey} found or did. */
export interface RetiredTenantKey {
  outcome: 'no-previous-key' | 'in-overlap' | 'deactivated' | 'already-inactive' | 'gone';
  accessKeyId?: string;
  /** When the overlap ends (`in-overlap`). */
  overlapEndsAt?: string;
}

export interface RetirePreviousTenantKeyDeps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  config: Config;
  logger?: Pick<Logger, 'info'>;
  now?: () => Date;
  /** Days the previous key stays active after a rotation (the stage's `previousKeyOverlapDays` when absent; 0: at once, the "key leaked" case). */
  previousKeyOverlapDays?: number;
}

/**
 * Deactivates the tenant's previous access key (the AWSPREVIOUS version's) once the overlap after
 * the last rotation has passed; the next rotation deletes it. Never touches the current key.
 * Safe to repeat: an inactive or deleted key is left as it is; during the overlap nothing changes.
 * @throws TenantSecretConflictError when the secret is not a tenant secret of this stage or a version holds no credentials.
 */
export async function retirePreviousTenantKey(input: { SecretId: string }, deps: RetirePreviousTenantKeyDeps): Promise<RetiredTenantKey> {
  const secret = await tenantSecretOf(deps.secretsManager, input.SecretId, deps.config, false);
  const { userName } = secret;
  const previous = versionWith(secret.versions, PREVIOUS) ? await readVersion(deps.secretsManager, secret, PREVIOUS) : undefined;
  const current = await readVersion(deps.secretsManager, secret, CURRENT);
  if (!previous || previous.accessKeyId === current?.accessKeyId) return { outcome: 'no-previous-key' };
  const { accessKeyId } = previous;

  const end = overlapEnd(secret, deps.previousKeyOverlapDays ?? deps.config.previousKeyOverlapDays, current);
  const now = (deps.now ?? (() => new Date()))();
  if (!end || now < end) return { outcome: 'in-overlap', accessKeyId, ...(end ? { overlapEndsAt: end.toISOString() } : {}) };

  const key = (await listAccessKeys(deps.iam, userName)).find((held) => held.AccessKeyId === accessKeyId);
  if (!key) return { outcome: 'gone', accessKeyId };
  if (key.Status !== 'Active') return { outcome: 'already-inactive', accessKeyId };
  try {
    await deps.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
  } catch (err) {
    if (err instanceof NoSuchEntityException) return { outcome: 'gone', accessKeyId };
    throw err;
  }
  deps.logger?.info('Deactivated the previous access key: its overlap has passed', { secretName: secret.name, accessKeyId, overlapEndedAt: end.toISOString() });
  return { outcome: 'deactivated', accessKeyId };
}
