import type { IAMClient } from '@aws-sdk/client-iam';
import {
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  type DescribeSecretResponse,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Config } from '../../functions/lib/config';
import { errorName } from '../../functions/lib/errors';
import { secretsManagerRotationSchedule } from '../../functions/lib/rotation-schedule';
import { describeSecret } from '../../functions/lib/tenant-secret';
import { retirePreviousTenantKey } from '../../functions/lib/rotation/retire';
import { CURRENT, PENDING, rotationInProgress, versionWith } from '../../functions/lib/rotation/rotating-secret';
import { isOnStageSchedule, type KeyRotationPort, type KeyRotationProgress, type KeyRotationResult, type KeyScheduleResult } from '../backend';
import { CliError } from '../errors';


/**
 * An AWSPENDING version younger than this may belong to a rotation that is still running (the
 * rotation function's four steps, each up to its Lambda timeout, and Secrets Manager's retries of
 * them): it is left alone. Older, it is an abandoned rotation's.
 */
export const ROTATION_IN_PROGRESS_MS = 15 * 60_000;

/** How long `rotateNow` waits for the rotation function by default. */
export const DEFAULT_ROTATION_TIMEOUT_MS = 10 * 60_000;

/** How often a rotation still under way is reported. */
const REPORT_EVERY_MS = 15_000;

export interface AwsKeyRotationDeps {
  secretsManager: SecretsManagerClient;
  iam: IAMClient;
  config: Config;
  /** The stage's rotation function: what a secret without rotation is configured with. */
  rotationFunctionArn: string;
  pollMs: number;
  timeoutMs?: number;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
}

const isAccessDenied = (err: unknown) => errorName(err) === 'AccessDeniedException';

/**
 * Key rotation on AWS, with the operator's own credentials: Secrets Manager's RotateSecret, which
 * invokes the stage's rotation function for its four steps, then DescribeSecret until AWSCURRENT
 * has moved. The operator needs secretsmanager:DescribeSecret, ListSecretVersionIds, RotateSecret,
 * UpdateSecretVersionStage and GetSecretValue on the tenant secrets, lambda:InvokeFunction on the
 * rotation function (RotateSecret requires it of its caller; `schedule` needs only DescribeSecret,
 * RotateSecret and that), and for retirePrevious
 * iam:ListAccessKeys and UpdateAccessKey on the tenant users.
 */
export class AwsKeyRotation implements KeyRotationPort {
  readonly functionArn: string;

  constructor(private readonly deps: AwsKeyRotationDeps) {
    this.functionArn = deps.rotationFunctionArn;
  }

  describe(secretId: string): Promise<DescribeSecretResponse | undefined> {
    return describeSecret(this.deps.secretsManager, secretId);
  }

  async rotateNow(secretId: string, onProgress: (progress: KeyRotationProgress) => void = () => undefined): Promise<KeyRotationResult> {
    const { config } = this.deps;
    const described = await this.describe(secretId);
    if (!described) throw new CliError(`Secret ${secretId} does not exist: nothing to rotate`);
    if (described.DeletedDate) throw new CliError(`Secret ${secretId} is scheduled for deletion (since ${described.DeletedDate.toISOString()}): the tenant is being torn down`);
    const name = described.Name ?? secretId;
    const previousVersionId = versionWith(described.VersionIdsToStages, CURRENT);

    let clearedPendingVersionId: string | undefined;
    const pending = rotationInProgress(described.VersionIdsToStages);
    if (pending) {
      clearedPendingVersionId = await this.clearStalePending(name, pending, onProgress);
    }

    let configured: KeyRotationResult['configured'];
    let versionId: string | undefined;
    if (described.RotationEnabled) {
      versionId = await this.rotateSecret(name, {});
    } else {
      if (config.rotationDays === 0) {
        throw new CliError(
          `Secret ${name} has no rotation configured, and stage ${config.stage} schedules none (ROTATION_DAYS is 0; TENANT_PROVISIONER_ROTATION_DAYS tells tenantctl a stage's own): Secrets Manager rotates only a secret with a schedule`,
        );
      }
      const functionArn = this.deps.rotationFunctionArn;
      configured = { rotationDays: config.rotationDays, functionArn };
      onProgress({ kind: 'configuring', ...configured });
      versionId = await this.rotateSecret(name, { RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: config.rotationDays } });
    }
    onProgress({ kind: 'started', versionId });
    await this.waitUntilCurrent(name, versionId, previousVersionId, onProgress);
    return {
      versionId,
      ...(previousVersionId ? { previousVersionId } : {}),
      ...(configured ? { configured } : {}),
      ...(clearedPendingVersionId ? { clearedPendingVersionId } : {}),
    };
  }

  /**
   * Removes AWSPENDING from a version that is not AWSCURRENT, left by a rotation that never finished
   * (RotateSecret refuses while it is there). The new rotation's createSecret deletes the key that
   * version may hold (a stray). A version created within {@link ROTATION_IN_PROGRESS_MS} may be a
   * rotation still running: refused instead.
   */
  private async clearStalePending(secretName: string, versionId: string, onProgress: (progress: KeyRotationProgress) => void): Promise<string> {
    const { secretsManager } = this.deps;
    let createdAt: Date | undefined;
    let token: string | undefined;
    do {
      const page = await secretsManager.send(new ListSecretVersionIdsCommand({ SecretId: secretName, IncludeDeprecated: true, ...(token ? { NextToken: token } : {}) }));
      createdAt ??= page.Versions?.find((version) => version.VersionId === versionId)?.CreatedDate;
      token = page.NextToken;
    } while (token && !createdAt);
    const ageMs = createdAt ? this.deps.now().getTime() - createdAt.getTime() : undefined;
    if (ageMs !== undefined && ageMs < ROTATION_IN_PROGRESS_MS) {
      throw new CliError(
        `A rotation of secret ${secretName} is under way: AWSPENDING is on version ${versionId}, created ${Math.round(ageMs / 1000)} s ago. ` +
          `Let it finish (or fail) and try again in ${Math.ceil((ROTATION_IN_PROGRESS_MS - ageMs) / 60_000)} min; the current key keeps working meanwhile`,
      );
    }
    onProgress({ kind: 'cleared-stale-pending', versionId, ...(createdAt ? { createdAt } : {}) });
    await secretsManager.send(new UpdateSecretVersionStageCommand({ SecretId: secretName, VersionStage: PENDING, RemoveFromVersionId: versionId }));
    return versionId;
  }

  /** RotateSecret, its refusals as sentences: `configuration` empty rotates now with the secret's own configuration. */
  private async rotateSecret(secretName: string, configuration: { RotationLambdaARN?: string; RotationRules?: { AutomaticallyAfterDays: number } }): Promise<string> {
    try {
      const { VersionId } = await this.deps.secretsManager.send(new RotateSecretCommand({ SecretId: secretName, RotateImmediately: true, ...configuration }));
      if (!VersionId) throw new CliError(`RotateSecret of secret ${secretName} returned no version id`);
      return VersionId;
    } catch (err) {
      if (err instanceof CliError) throw err;
      if (err instanceof InvalidRequestException && /previous rotation isn.t complete/i.test(err.message)) {
        throw new CliError(`Secrets Manager will not rotate secret ${secretName} now: ${err.message}`, undefined, { cause: err });
      }
      const functionArn = configuration.RotationLambdaARN;
      if (functionArn && (isAccessDenied(err) || err instanceof ResourceNotFoundException || err instanceof InvalidRequestException)) {
        throw new CliError(
          `Cannot configure rotation of secret ${secretName} with rotation function ${functionArn}: ${errorName(err) ?? 'Error'}: ${err instanceof Error ? err.message : String(err)}. ` +
            'Is the stage deployed with its rotation function, may you invoke it (lambda:InvokeFunction), and does its resource policy let Secrets Manager? (TENANT_PROVISIONER_ROTATION_FUNCTION_ARN names another)',
          undefined,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /**
   * DescribeSecret every pollMs until AWSCURRENT is on `versionId` and no AWSPENDING is left. A
   * rotation whose AWSPENDING label went away without AWSCURRENT moving was abandoned; one that does
   * not finish within the timeout failed (Secrets Manager says no more: the function's logs do).
   */
  private async waitUntilCurrent(secretName: string, versionId: string, previousVersionId: string | undefined, onProgress: (progress: KeyRotationProgress) => void): Promise<void> {
    const { pollMs, sleep } = this.deps;
    // Waiting is measured on this machine's monotonic-enough clock, as following an execution is.
    const now = () => Date.now();
    const timeoutMs = this.deps.timeoutMs ?? DEFAULT_ROTATION_TIMEOUT_MS;
    const started = now();
    let reported = started;
    const still = previousVersionId ? `the current key (version ${previousVersionId}) keeps working` : 'the current key keeps working';
    for (;;) {
      const described = await this.describe(secretName);
      if (!described) throw new CliError(`Secret ${secretName} was deleted while it was being rotated`);
      const current = versionWith(described.VersionIdsToStages, CURRENT);
      const pending = versionWith(described.VersionIdsToStages, PENDING);
      if (current === versionId && !pending) return;
      if (current === versionId && pending && pending !== versionId) return;
      if (!pending && current !== versionId) {
        throw new CliError(
          `The rotation of secret ${secretName} was abandoned: AWSPENDING left version ${versionId} and AWSCURRENT is still on ${current ?? 'no version'}; ${still}. See the rotation function's logs (${this.deps.rotationFunctionArn})`,
        );
      }
      const elapsed = now() - started;
      if (elapsed >= timeoutMs) {
        throw new CliError(
          `The rotation of secret ${secretName} did not finish within ${Math.round(timeoutMs / 1000)} s: AWSPENDING is still on version ${versionId}; ${still}. ` +
            `The rotation function failed or is still retrying: see its logs (${this.deps.rotationFunctionArn}) and the rotation-failure alarm; \`rotate\` again clears the abandoned version once it is ${ROTATION_IN_PROGRESS_MS / 60_000} min old`,
        );
      }
      if (now() - reported >= REPORT_EVERY_MS) {
        reported = now();
        onProgress({ kind: 'waiting', versionId, elapsedMs: elapsed });
      }
      await sleep(pollMs);
    }
  }

  async schedule(secretId: string, days: number): Promise<KeyScheduleResult> {
    const functionArn = this.functionArn;
    if (days === 0) throw new CliError(`Stage ${this.deps.config.stage} schedules no rotation (ROTATION_DAYS is 0): secret ${secretId} is not put on a schedule`);
    const described = await this.describe(secretId);
    if (!described) throw new CliError(`Secret ${secretId} does not exist: nothing to schedule`);
    if (described.DeletedDate) throw new CliError(`Secret ${secretId} is scheduled for deletion (since ${described.DeletedDate.toISOString()}): the tenant is being torn down`);
    const name = described.Name ?? secretId;
    const rules = described.RotationRules;
    const rotation = {
      enabled: described.RotationEnabled === true,
      ...(rules?.AutomaticallyAfterDays === undefined ? {} : { everyDays: rules.AutomaticallyAfterDays }),
      ...(rules?.ScheduleExpression ? { scheduleExpression: rules.ScheduleExpression } : {}),
      ...(described.RotationLambdaARN ? { functionArn: described.RotationLambdaARN } : {}),
    };
    if (isOnStageSchedule(rotation, days, functionArn)) return { outcome: 'already-scheduled', everyDays: days, functionArn };
    try {
      await secretsManagerRotationSchedule(this.deps.secretsManager, functionArn).schedule(name, days);
    } catch (err) {
      if (err instanceof InvalidRequestException && /previous rotation isn.t complete/i.test(err.message)) {
        throw new CliError(`Secrets Manager will not change the schedule of secret ${name} while a rotation is under way: ${err.message}`, undefined, { cause: err });
      }
      if (isAccessDenied(err) || err instanceof ResourceNotFoundException || err instanceof InvalidRequestException) {
        throw new CliError(
          `Cannot put secret ${name} on its schedule (every ${days} d with rotation function ${functionArn}): ${errorName(err) ?? 'Error'}: ${err instanceof Error ? err.message : String(err)}. ` +
            'Is the stage deployed with its rotation function, may you invoke it (lambda:InvokeFunction), and does its resource policy let Secrets Manager? (TENANT_PROVISIONER_ROTATION_FUNCTION_ARN names another)',
          undefined,
          { cause: err },
        );
      }
      throw err;
    }
    return { outcome: 'scheduled', everyDays: days, functionArn };
  }

  async retirePrevious(secretId: string, options: { overlapDays: number }) {
    const { iam, secretsManager, config } = this.deps;
    // Overlap 0 means now as Secrets Manager counts it: this machine's clock may run behind the
    // LastRotatedDate it just recorded, and the key would then seem still in its overlap.
    const lastRotated = options.overlapDays === 0 ? (await this.describe(secretId))?.LastRotatedDate : undefined;
    const now = () => {
      const mine = this.deps.now();
      return lastRotated && lastRotated > mine ? lastRotated : mine;
    };
    return retirePreviousTenantKey({ SecretId: secretId }, { iam, secretsManager, config, previousKeyOverlapDays: options.overlapDays, now });
  }
}
