/**
 * Secrets Manager's rotation, stood in for locally (issue 18, item 5).
 *
 * The emulator gap: on AWS, RotateSecret configures a secret's rotation (the rotation Lambda, the
 * schedule) and, to rotate, makes a new version staged AWSPENDING — empty, its id the rotation's
 * ClientRequestToken — then invokes the rotation function's four steps in order (createSecret,
 * setSecret, testSecret, finishSecret), each with `{ Step, SecretId: <ARN>, ClientRequestToken }`.
 * moto 5.x cannot do that without Docker: its RotateSecret invokes only a Lambda it hosts, and
 * without one it stages an empty version AWSCURRENT at once (moto/secretsmanager/models.py,
 * `rotate_secret`); it cannot hold an empty AWSPENDING version either, nor keep RotationEnabled
 * without a rotation Lambda. LocalStack's free edition has the same limits.
 *
 * So this class is that part of Secrets Manager: it keeps each secret's rotation configuration and
 * the rotation in progress as tags on the secret in the emulator (local/rotation-state.ts, where
 * every local process sees them), and rotates as RotateSecret does — refusing when rotation is not
 * configured or a rotation is still in progress, then calling the real rotation handler in-process
 * with the four steps, stopping at the first failure and leaving the secret as Secrets Manager
 * would (the version stays AWSPENDING, the current key keeps working), and recording
 * LastRotatedDate when the rotation succeeded. The handler's Secrets Manager client carries the
 * state in its DescribeSecret answers ({@link withLocalRotationState}), so it runs unchanged; its
 * other calls (GetSecretValue, PutSecretValue, UpdateSecretVersionStage) are the emulator's own,
 * and moto moves AWSPREVIOUS with AWSCURRENT as AWS does.
 *
 * Differences from AWS that remain: rotation runs when asked (by `rotate`, as `tenantctl rotate`
 * or the demo asks), not on the schedule's date, and runs to its end before `rotate` returns (AWS
 * rotates asynchronously); a failed rotation is not retried by itself (AWS retries it), but the
 * next `rotate` is refused until {@link LocalSecretsRotation.abandonPending} clears it, as an operator
 * clears a stuck AWSPENDING label on AWS; `schedule` runs the configuration test (testSecret
 * alone, as AWS does when RotateImmediately is false) only when asked to, and then before it returns. The functions' calls that stand for
 * RotateSecret and CancelRotateSecret are this class's own tag writes, so the local checks of what
 * each role allows do not see them (the security suite's iam-simulate proofs do).
 */
import {
  DescribeSecretCommand,
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { MANAGED_BY, type Config } from '../functions/lib/config';
import { createLogger } from '../functions/lib/logger';
import type { KeyRotationSchedule } from '../functions/lib/rotation-schedule';
import { CURRENT, PENDING, rotationInProgress, versionWith } from '../functions/lib/rotation/rotating-secret';
import { TAG_MANAGED_BY, tagsToRecord } from '../functions/lib/tags';
import {
  retirePreviousTenantKey,
  rotateTenantCredentialsHandler,
  type RetiredTenantKey,
  type RotateTenantCredentialsDeps,
  type RotationStep,
  type TenantRotationEvent,
  type TenantRotationResult,
} from '../functions/rotate-tenant-credentials';
import { runAsFunction, runOutsideFunctions } from './function-scope';
import { localLambdaContext } from './lambda-context';
import { describedWithRotationState, ROTATION_TAGS, rotationStateOf, withLocalRotationState } from './rotation-state';

/** The four steps, in the order Secrets Manager invokes them. */
export const ROTATION_STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** Secrets Manager's bounds of RotationRules.AutomaticallyAfterDays. */
const MIN_DAYS = 1;
const MAX_DAYS = 1000;

/** What a rotation did, step by step. Never a secret access key. */
export interface LocalRotationOutcome {
  secretArn: string;
  secretName: string;
  /** The rotation's ClientRequestToken: the id of the version it made, now AWSCURRENT. */
  versionId: string;
  /** The version that was AWSCURRENT before (now AWSPREVIOUS). */
  previousVersionId?: string;
  steps: TenantRotationResult[];
  /** The new access key id (createSecret's). */
  accessKeyId: string | undefined;
  /** The LastRotatedDate recorded, ISO 8601. */
  rotatedAt: string;
}

/**
 * A rotation stopped at a step (the handler's error is the `cause`). As on AWS, the version stays
 * AWSPENDING, the current key keeps working, and the next rotation is refused until the pending
 * one is cleared ({@link LocalSecretsRotation.abandonPending}).
 */
export class LocalRotationFailedError extends Error {
  override readonly name = 'LocalRotationFailedError';
  constructor(
    message: string,
    readonly step: RotationStep,
    readonly versionId: string,
    readonly completed: TenantRotationResult[],
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** The rotation function's own clients, as its Lambda would have them. */
export type RotationFunctionClients = Pick<RotateTenantCredentialsDeps, 'iam' | 'secretsManager' | 'eventBridge' | 'asTenant'>;

export interface LocalSecretsRotationOptions {
  /** Secrets Manager as the stand-in sees it: the client it keeps its state with (not a function's). */
  secretsManager: SecretsManagerClient;
  /** The rotation function's clients; their Secrets Manager client is given the rotation state. */
  functionClients: RotationFunctionClients;
  /** The local stage's configuration, or how to get it once (its account comes from the emulator). */
  config: Config | (() => Promise<Config>);
  /** The stage's name (the rotation function's name is derived from it). */
  stage: string;
  logger?: Logger;
  /** The stand-in's clock: LastRotatedDate, the schedule's start, and the handler's `now`. */
  now?: () => Date;
  /**
   * Whether `schedule` runs Secrets Manager's test of a new configuration (testSecret alone). AWS
   * runs it after RotateSecret has returned; here it would run inside the step that schedules
   * (ProveTenantCredentials), adding a key proof to every local provisioning and its calls to
   * every fault-injected run, so it is off unless asked for. The handler's path for it is
   * unit-tested (test/unit/functions/rotate-tenant-credentials.test.ts).
   */
  testConfiguration?: boolean;
  /** Invokes one step of the rotation function (default: the real handler, in-process); tests replace it. */
  invoke?: (event: TenantRotationEvent) => Promise<TenantRotationResult>;
}

/** Rotations in progress in this process, by secret ARN: RotateSecret's check and its start are one step on AWS. */
const rotating = new Set<string>();

/**
 * Secrets Manager's rotation for the local stage: the schedule the functions set and cancel
 * ({@link KeyRotationSchedule}), and what RotateSecret, DescribeSecret and the daily retirement of
 * previous keys do, for the demo and `tenantctl --local`.
 */
export class LocalSecretsRotation implements KeyRotationSchedule {
  private readonly state: SecretsManagerClient;
  private readonly clients: RotationFunctionClients;
  private readonly now: () => Date;
  private config?: Promise<Config>;

  constructor(private readonly options: LocalSecretsRotationOptions) {
    this.state = options.secretsManager;
    this.now = options.now ?? (() => new Date());
    this.clients = { ...options.functionClients, secretsManager: withLocalRotationState(options.functionClients.secretsManager, options.stage) };
  }

  /**
   * Puts the secret on its rotation schedule, every `days` (1–1000), without rotating now
   * (RotateSecret with RotateImmediately false). With `testConfiguration`, as Secrets Manager does
   * then, a newly enabled schedule is tested by running the rotation function's testSecret alone
   * on an empty AWSPENDING version that is removed after; the schedule stays whatever the test says
   * (on AWS the call has returned by then), and a failed test is logged. Safe to repeat.
   * @throws InvalidParameterException when `days` is outside 1–1000.
   * @throws InvalidRequestException when the secret is marked for deletion.
   */
  async schedule(secretId: string, days: number): Promise<void> {
    checkDays(days);
    const described = await runOutsideFunctions(() => this.describeRaw(secretId));
    refuseDeleted(described, secretId);
    const state = rotationStateOf(described.Tags);
    if (state.enabled && state.days === days) return;
    await runOutsideFunctions(() =>
      this.tag(described, {
        [ROTATION_TAGS.enabled]: 'true',
        [ROTATION_TAGS.days]: String(days),
        ...(state.enabled ? {} : { [ROTATION_TAGS.scheduledDate]: this.now().toISOString() }),
      }),
    );
    if (this.options.testConfiguration && !state.enabled && !this.inProgress(described)) await this.testConfiguration(described);
  }

  /**
   * Takes the secret off its schedule (CancelRotateSecret): no rotation runs on it until it is
   * scheduled again. A rotation in progress is left as it is, as on AWS. Safe to repeat; a secret
   * that is gone, not this stack's, or not on a schedule is left alone.
   * @returns whether a schedule was cancelled.
   */
  async cancel(secretId: string): Promise<boolean> {
    return runOutsideFunctions(async () => {
      let described: DescribeSecretCommandOutput;
      try {
        described = await this.describeRaw(secretId);
      } catch (err) {
        if (err instanceof ResourceNotFoundException) return false;
        throw err;
      }
      if (described.DeletedDate || tagsToRecord(described.Tags)[TAG_MANAGED_BY] !== MANAGED_BY) return false;
      if (!rotationStateOf(described.Tags).enabled) return false;
      await this.tag(described, { [ROTATION_TAGS.enabled]: 'false' });
      return true;
    });
  }

  /**
   * What RotateSecret (rotate now) makes Secrets Manager do: refuses when rotation is not
   * configured or is cancelled (unless `options.days` is given, which schedules it), or when a
   * rotation is still in progress (a version AWSPENDING that is not AWSCURRENT); otherwise makes a
   * new ClientRequestToken and invokes the rotation function's four steps with it, in order.
   *
   * @returns what each step did, once all four succeeded and LastRotatedDate is recorded.
   * @throws InvalidRequestException (Secrets Manager's) when rotation is off or another is in progress.
   * @throws InvalidParameterException when `options.days` is outside 1–1000.
   * @throws ResourceNotFoundException when there is no such secret.
   * @throws LocalRotationFailedError when a step failed: the secret is left as Secrets Manager leaves it.
   */
  async rotate(secretId: string, options: { days?: number } = {}): Promise<LocalRotationOutcome> {
    if (options.days !== undefined) await this.schedule(secretId, options.days);
    const described = await runOutsideFunctions(() => this.describeRaw(secretId));
    refuseDeleted(described, secretId);
    const arn = described.ARN ?? secretId;
    const name = described.Name ?? secretId;
    const state = rotationStateOf(described.Tags);
    if (state.days === undefined) {
      throw new InvalidRequestException({ $metadata: {}, message: `Secret ${name} has no rotation configured: schedule it first (rotation days 1–${MAX_DAYS})` });
    }
    if (!state.enabled) {
      throw new InvalidRequestException({ $metadata: {}, message: `Rotation of secret ${name} is cancelled (its tenant's access may be revoked): schedule it again to rotate` });
    }
    if (rotating.has(arn)) throw previousRotationIncomplete(name, 'in this process');
    const pending = this.inProgress(described);
    if (pending) throw previousRotationIncomplete(name, `version ${pending} is AWSPENDING`);
    const previousVersionId = versionWith(described.VersionIdsToStages, CURRENT);

    rotating.add(arn);
    try {
      const token = randomUUID();
      await runOutsideFunctions(() => this.tag(described, { [ROTATION_TAGS.pendingVersionId]: token }));
      const steps: TenantRotationResult[] = [];
      for (const step of ROTATION_STEPS) {
        try {
          steps.push(await this.invoke({ Step: step, SecretId: arn, ClientRequestToken: token }));
        } catch (err) {
          const cause = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          throw new LocalRotationFailedError(
            `Rotation ${token} of secret ${name} failed at ${step} (${cause}); its version stays AWSPENDING and the current key keeps working, as Secrets Manager leaves them`,
            step,
            token,
            steps,
            { cause: err },
          );
        }
      }
      const rotatedAt = this.now().toISOString();
      await runOutsideFunctions(async () => {
        await this.tag(described, { [ROTATION_TAGS.lastRotatedDate]: rotatedAt });
        await this.state.send(new UntagResourceCommand({ SecretId: arn, TagKeys: [ROTATION_TAGS.pendingVersionId] }));
      });
      return {
        secretArn: arn,
        secretName: name,
        versionId: token,
        ...(previousVersionId ? { previousVersionId } : {}),
        steps,
        accessKeyId: steps.find((s) => s.step === 'createSecret')?.accessKeyId,
        rotatedAt,
      };
    } finally {
      rotating.delete(arn);
    }
  }

  /**
   * Clears a rotation that failed or was abandoned, as an operator does on AWS by removing the
   * AWSPENDING label from its version (UpdateSecretVersionStage): the next `rotate` may start.
   * The keys are left as they are; the next createSecret deletes a key the failed one made.
   * @returns the version id cleared, or undefined when no rotation was in progress.
   */
  async abandonPending(secretId: string): Promise<string | undefined> {
    return runOutsideFunctions(async () => {
      const described = await this.describeRaw(secretId);
      const arn = described.ARN ?? secretId;
      const pending = this.inProgress(described);
      if (pending && described.VersionIdsToStages?.[pending]?.includes(PENDING)) {
        await this.state.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: PENDING, RemoveFromVersionId: pending }));
      }
      if (rotationStateOf(described.Tags).pendingVersionId !== undefined) {
        await this.state.send(new UntagResourceCommand({ SecretId: arn, TagKeys: [ROTATION_TAGS.pendingVersionId] }));
      }
      return pending;
    });
  }

  /** DescribeSecret as Secrets Manager would answer it: RotationEnabled, RotationRules, LastRotatedDate, NextRotationDate, the versions' stages. */
  async describe(secretId: string): Promise<DescribeSecretCommandOutput> {
    const described = await runOutsideFunctions(() => this.describeRaw(secretId));
    return describedWithRotationState(described, this.stage());
  }

  /**
   * The daily retirement of previous keys (retirePreviousTenantKey, the real function) for one
   * secret: deactivates the previous key once the overlap after the last rotation has passed.
   * `overlapDays` overrides the stage's (0: at once, `--revoke-old-now`); `now` stands for a later
   * day (the demo's way to let the overlap pass).
   */
  async retirePrevious(secretId: string, options: { overlapDays?: number; now?: Date } = {}): Promise<RetiredTenantKey> {
    const config = await this.configOnce();
    const { iam, secretsManager } = this.clients;
    const at = options.now;
    return runAsFunction('retirePreviousTenantKeys', () =>
      retirePreviousTenantKey(
        { SecretId: secretId },
        {
          iam,
          secretsManager,
          config,
          logger: this.options.logger ?? createLogger(),
          now: at ? () => at : this.now,
          ...(options.overlapDays === undefined ? {} : { previousKeyOverlapDays: options.overlapDays }),
        },
      ),
    );
  }

  /** The version of a rotation in progress: AWSPENDING on a version that is not AWSCURRENT (as Secrets Manager tells one). */
  private inProgress(described: DescribeSecretCommandOutput): string | undefined {
    return rotationInProgress(describedWithRotationState(described, this.stage()).VersionIdsToStages);
  }

  /** Secrets Manager's test of a new rotation configuration: testSecret alone, on an empty AWSPENDING version removed after. */
  private async testConfiguration(described: DescribeSecretCommandOutput): Promise<void> {
    const arn = described.ARN ?? described.Name ?? '';
    if (rotating.has(arn)) return;
    rotating.add(arn);
    const token = randomUUID();
    try {
      await runOutsideFunctions(() => this.tag(described, { [ROTATION_TAGS.pendingVersionId]: token }));
      await this.invoke({ Step: 'testSecret', SecretId: arn, ClientRequestToken: token });
    } catch (err) {
      (this.options.logger ?? createLogger()).warn('The rotation configuration test (testSecret) failed; the schedule stays, as on AWS', {
        secretName: described.Name,
        versionId: token,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    } finally {
      try {
        await runOutsideFunctions(() => this.state.send(new UntagResourceCommand({ SecretId: arn, TagKeys: [ROTATION_TAGS.pendingVersionId] })));
      } finally {
        rotating.delete(arn);
      }
    }
  }

  /** One step of the rotation function, as Secrets Manager invokes it: the real handler in-process, as its function. */
  private async invoke(event: TenantRotationEvent): Promise<TenantRotationResult> {
    if (this.options.invoke) return this.options.invoke(event);
    const config = await this.configOnce();
    const handler = rotateTenantCredentialsHandler({ ...this.clients, config, logger: this.options.logger ?? createLogger(), now: this.now });
    const context = localLambdaContext(`tenant-provisioner-${config.stage}-rotateTenantCredentials`, { region: config.region, accountId: config.accountId });
    return runAsFunction('rotateTenantCredentials', () => handler(event, context));
  }

  private configOnce(): Promise<Config> {
    const { config } = this.options;
    this.config ??= typeof config === 'function' ? config() : Promise.resolve(config);
    this.config.catch(() => (this.config = undefined));
    return this.config;
  }

  private stage(): string {
    return this.options.stage;
  }

  private describeRaw(secretId: string): Promise<DescribeSecretCommandOutput> {
    return this.state.send(new DescribeSecretCommand({ SecretId: secretId }));
  }

  private async tag(described: DescribeSecretCommandOutput, tags: Record<string, string>): Promise<void> {
    await this.state.send(new TagResourceCommand({ SecretId: described.ARN ?? described.Name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  }
}

function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < MIN_DAYS || days > MAX_DAYS) {
    throw new InvalidParameterException({ $metadata: {}, message: `RotationRules.AutomaticallyAfterDays must be a whole number from ${MIN_DAYS} to ${MAX_DAYS}, not ${days}` });
  }
}

function refuseDeleted(described: DescribeSecretCommandOutput, secretId: string): void {
  if (described.DeletedDate) {
    throw new InvalidRequestException({ $metadata: {}, message: `Secret ${described.Name ?? secretId} is marked for deletion: its rotation cannot be changed or run` });
  }
}

function previousRotationIncomplete(name: string, why: string): InvalidRequestException {
  return new InvalidRequestException({
    $metadata: {},
    message: `A previous rotation of secret ${name} isn't complete (${why}): clear it (abandonPending, as removing its AWSPENDING label does on AWS) before rotating again`,
  });
}
