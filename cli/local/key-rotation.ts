import { Logger } from '@aws-lambda-powertools/logger';
import { InvalidParameterException, InvalidRequestException, ResourceNotFoundException, type DescribeSecretResponse } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../../functions/lib/config';
import { CURRENT, rotationInProgress, versionWith } from '../../functions/lib/rotation/rotating-secret';
import { LocalRotationFailedError, LocalSecretsRotation } from '../../local/secrets-rotation';
import { LOCAL_STAGE, localFunctionClients, type LocalClients } from '../../local/stack';
import { isOnStageSchedule, type KeyRotationPort, type KeyRotationProgress, type KeyRotationResult, type KeyScheduleResult } from '../backend';
import { CliError } from '../errors';

/**
 * Key rotation in local mode: local/secrets-rotation.ts stands in for Secrets Manager's rotation
 * (the emulator cannot invoke a rotation function) and runs the real rotation handler's four
 * steps in this process, against the emulator, before `rotateNow` returns. What it keeps (the
 * schedule, the last rotation) is in tags on the secret, so every local process sees it.
 *
 * As on AWS: a secret without rotation is given the stage's schedule, and a rotation that never
 * finished (AWSPENDING on a version that is not AWSCURRENT) is cleared first. Unlike AWS there is
 * no age check before clearing it: a local rotation runs to its end inside one tenantctl or demo
 * process, so a pending version found here belongs to a process that failed or was stopped.
 */
export class LocalKeyRotation implements KeyRotationPort {
  constructor(
    private readonly standIn: Pick<LocalSecretsRotation, 'rotate' | 'schedule' | 'describe' | 'retirePrevious' | 'abandonPending'>,
    private readonly config: Config,
  ) {}

  async describe(secretId: string): Promise<DescribeSecretResponse | undefined> {
    try {
      return await this.standIn.describe(secretId);
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  }

  async rotateNow(secretId: string, onProgress: (progress: KeyRotationProgress) => void = () => undefined): Promise<KeyRotationResult> {
    const described = await this.describe(secretId);
    if (!described) throw new CliError(`Secret ${secretId} does not exist: nothing to rotate`);
    if (described.DeletedDate) throw new CliError(`Secret ${secretId} is scheduled for deletion (since ${described.DeletedDate.toISOString()}): the tenant is being torn down`);
    const name = described.Name ?? secretId;
    const previousVersionId = versionWith(described.VersionIdsToStages, CURRENT);
    const pending = rotationInProgress(described.VersionIdsToStages);
    let clearedPendingVersionId: string | undefined;
    if (pending) {
      clearedPendingVersionId = (await this.standIn.abandonPending(name)) ?? pending;
      onProgress({ kind: 'cleared-stale-pending', versionId: clearedPendingVersionId });
    }
    let configured: KeyRotationResult['configured'];
    if (!described.RotationEnabled) {
      if (this.config.rotationDays === 0) {
        throw new CliError(`Secret ${name} has no rotation configured, and the local stage schedules none (ROTATION_DAYS is 0): Secrets Manager rotates only a secret with a schedule`);
      }
      configured = { rotationDays: this.config.rotationDays };
      onProgress({ kind: 'configuring', ...configured });
    }
    try {
      const outcome = await this.standIn.rotate(name, configured ? { days: configured.rotationDays } : {});
      return {
        versionId: outcome.versionId,
        ...(previousVersionId ? { previousVersionId } : {}),
        ...(configured ? { configured } : {}),
        ...(clearedPendingVersionId ? { clearedPendingVersionId } : {}),
      };
    } catch (err) {
      if (err instanceof LocalRotationFailedError) throw new CliError(err.message, undefined, { cause: err });
      if (err instanceof InvalidRequestException || err instanceof InvalidParameterException) throw new CliError(`Secrets Manager (local) refused the rotation of secret ${name}: ${err.message}`, undefined, { cause: err });
      throw err;
    }
  }

  async schedule(secretId: string, days: number): Promise<KeyScheduleResult> {
    if (days === 0) throw new CliError(`The local stage schedules no rotation (ROTATION_DAYS is 0): secret ${secretId} is not put on a schedule`);
    const described = await this.describe(secretId);
    if (!described) throw new CliError(`Secret ${secretId} does not exist: nothing to schedule`);
    if (described.DeletedDate) throw new CliError(`Secret ${secretId} is scheduled for deletion (since ${described.DeletedDate.toISOString()}): the tenant is being torn down`);
    const name = described.Name ?? secretId;
    const every = described.RotationRules?.AutomaticallyAfterDays;
    if (isOnStageSchedule({ enabled: described.RotationEnabled === true, ...(every === undefined ? {} : { everyDays: every }) }, days, undefined)) return { outcome: 'already-scheduled', everyDays: days };
    try {
      await this.standIn.schedule(name, days);
    } catch (err) {
      if (err instanceof InvalidRequestException || err instanceof InvalidParameterException) throw new CliError(`Secrets Manager (local) refused to schedule secret ${name}: ${err.message}`, undefined, { cause: err });
      throw err;
    }
    return { outcome: 'scheduled', everyDays: days };
  }

  retirePrevious(secretId: string, options: { overlapDays: number }) {
    return this.standIn.retirePrevious(secretId, { overlapDays: options.overlapDays });
  }
}

/**
 * The stand-in over the emulator at `endpoint`: its state kept with the operator's client, the
 * rotation function run with the functions' own clients (as the local pipeline's steps are). The
 * handler's routine logs are not the operator's output: only its warnings reach stderr.
 */
export function localKeyRotation(endpoint: string, clients: Pick<LocalClients, 'secretsManager'>, config: Config): LocalKeyRotation {
  const { iam, secretsManager, eventBridge, asTenant } = localFunctionClients(endpoint);
  const standIn = new LocalSecretsRotation({
    secretsManager: clients.secretsManager,
    functionClients: { iam, secretsManager, eventBridge, asTenant },
    config,
    stage: LOCAL_STAGE,
    logger: new Logger({ serviceName: 'tenant-provisioner', logLevel: 'WARN' }),
  });
  return new LocalKeyRotation(standIn, config);
}
