import { paginateListSecrets, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { MANAGED_BY, tenantSecretPrefix, type Config } from './lib/config';
import { errorName } from './lib/errors';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { retirePreviousTenantKey, type RetiredTenantKey } from './lib/rotation/retire';
import { overlapEndAfter, PREVIOUS } from './lib/rotation/rotating-secret';
import { TAG_MANAGED_BY } from './lib/tags';

/**
 * How many days after its overlap ended a previous key is still looked at. The sweep runs daily,
 * so a key is normally retired within a day of its overlap's end; the window lets it catch up
 * after a few failed days (its alarm fires each) without re-reading every tenant's long-retired
 * key every day. A key the window missed is deleted by the tenant's next rotation anyway.
 */
export const RETIRE_WINDOW_DAYS = 7;
/** Left of the Lambda's time when the sweep stops starting secrets (the next day's run goes on). */
const TIME_MARGIN_MS = 20_000;
const DAY_MS = 86_400_000;

export interface RetirePreviousTenantKeysDeps {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  config: Config;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
}

/** What a sweep did: counts by outcome, and the secrets it could not retire (with the error's name, never a value). */
export interface RetireSweepResult {
  examined: number;
  outcomes: Partial<Record<RetiredTenantKey['outcome'], number>>;
  failed: { secretName: string; error: string }[];
  /** Secrets left for the next run because the invocation's time ran short. */
  deferred: number;
}

/** One or more secrets' previous keys could not be retired: the sweep did all the others, and its alarm fires. */
export class RetireSweepError extends Error {
  override readonly name = 'RetireSweepError';
}

/**
 * The daily sweep: every tenant secret of this stage with a previous key (AWSPREVIOUS) whose
 * overlap ended within the last {@link RETIRE_WINDOW_DAYS} days has that key deactivated
 * (retirePreviousTenantKey, which checks everything again and is safe to repeat). Secrets are
 * chosen from ListSecrets' own answer (name prefix, ManagedBy tag, stages, LastRotatedDate), so a
 * tenant with nothing to retire costs no further call. One secret's failure does not stop the rest.
 *
 * @throws RetireSweepError after the sweep, when any secret failed (named in the message).
 */
export async function retirePreviousTenantKeys(deps: RetirePreviousTenantKeysDeps, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RetireSweepResult> {
  const { config } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const result: RetireSweepResult = { examined: 0, outcomes: {}, failed: [], deferred: 0 };
  const due: string[] = [];
  const pages = paginateListSecrets(
    { client: deps.secretsManager },
    { Filters: [{ Key: 'name', Values: [tenantSecretPrefix(config)] }, { Key: 'tag-key', Values: [TAG_MANAGED_BY] }, { Key: 'tag-value', Values: [MANAGED_BY] }] },
  );
  for await (const page of pages) {
    for (const entry of page.SecretList ?? []) {
      const ended = overlapEndAfter([entry.LastRotatedDate], config.previousKeyOverlapDays)?.getTime();
      const hasPrevious = Object.values(entry.SecretVersionsToStages ?? {}).some((stages) => stages.includes(PREVIOUS));
      if (!entry.ARN || !hasPrevious || ended === undefined || ended > now.getTime() || ended < now.getTime() - RETIRE_WINDOW_DAYS * DAY_MS) continue;
      due.push(entry.ARN);
    }
  }
  for (const [index, secretId] of due.entries()) {
    if ((context?.getRemainingTimeInMillis() ?? Infinity) < TIME_MARGIN_MS) {
      result.deferred = due.length - index;
      deps.logger?.warn('Out of time: the rest of the due secrets are left for the next run', { deferred: result.deferred });
      break;
    }
    result.examined += 1;
    try {
      const retired = await retirePreviousTenantKey({ SecretId: secretId }, { ...deps, now: () => now });
      result.outcomes[retired.outcome] = (result.outcomes[retired.outcome] ?? 0) + 1;
    } catch (err) {
      result.failed.push({ secretName: secretId, error: errorName(err) ?? 'Error' });
      deps.logger?.error('Could not retire the previous key of a tenant secret', { secretId, error: errorName(err), message: err instanceof Error ? err.message : String(err) });
    }
  }
  deps.logger?.info('Retired previous tenant keys', { due: due.length, ...result });
  if (result.failed.length > 0) {
    throw new RetireSweepError(
      `Could not retire the previous access key of ${result.failed.length} of ${result.examined} tenant secret(s): ${result.failed.map((failure) => `${failure.secretName} (${failure.error})`).join(', ')}`,
    );
  }
  return result;
}

/** The Lambda handler: functions/lambda/retire-previous-tenant-keys.ts wires it on AWS (a daily schedule invokes it). */
export function retirePreviousTenantKeysHandler(deps: RetirePreviousTenantKeysDeps & FunctionBase) {
  return lambdaHandler(deps.logger, (_event: unknown, context: Context) => retirePreviousTenantKeys(deps, context));
}
