import {
  CancelRotateSecretCommand,
  InvalidRequestException,
  ResourceNotFoundException,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ConfigError, MANAGED_BY, requireEnv, type Config, type Env } from './config';
import { TAG_MANAGED_BY, tagsToRecord } from './tags';
import { describeSecret } from './tenant-secret';

/**
 * Where a tenant secret's rotation schedule is kept: Secrets Manager's own rotation configuration
 * on AWS, local mode's stand-in of it (local/secrets-rotation.ts) where the emulator cannot hold
 * one (docs/architecture.md, Emulator gaps).
 */
export interface KeyRotationSchedule {
  /** Puts the secret on its rotation schedule, every `days` (1–1000), without rotating now. Safe to repeat. */
  schedule(secretId: string, days: number): Promise<void>;
  /**
   * Takes the secret off its schedule, so that no rotation can give a revoked tenant an active key.
   * Safe to repeat; a secret that is gone, has no rotation or is not this stack's is left alone.
   * @returns whether a schedule was cancelled.
   */
  cancel(secretId: string): Promise<boolean>;
}

/**
 * A Lambda entry's schedule: ROTATION_FUNCTION_ARN (the stack's RotateTenantCredentials) is read
 * at cold start, required when the stage rotates keys on a schedule (`rotationDays` > 0) and the
 * function schedules (`schedules`); cancelling needs no function.
 */
export function lambdaRotationSchedule(client: SecretsManagerClient, config: Pick<Config, 'rotationDays'>, schedules: boolean, env: Env = process.env): KeyRotationSchedule {
  return secretsManagerRotationSchedule(client, schedules && config.rotationDays > 0 ? requireEnv(env, 'ROTATION_FUNCTION_ARN') : undefined);
}

/**
 * Secrets Manager's rotation configuration, calling `rotationFunctionArn` (the stack's
 * RotateTenantCredentials function). RotateSecret requires the caller to have
 * lambda:InvokeFunction on that function as well as secretsmanager:RotateSecret (API_RotateSecret).
 */
export function secretsManagerRotationSchedule(client: SecretsManagerClient, rotationFunctionArn: string | undefined): KeyRotationSchedule {
  return {
    async schedule(secretId, days) {
      if (!rotationFunctionArn) throw new ConfigError('Missing required environment variable ROTATION_FUNCTION_ARN (the rotation function a tenant secret is scheduled with)');
      try {
        // RotateImmediately false: Secrets Manager only tests the configuration, by running the
        // function's testSecret on a pending copy it then removes (API_RotateSecret, RotateImmediately).
        await client.send(
          new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: rotationFunctionArn, RotationRules: { AutomaticallyAfterDays: days }, RotateImmediately: false }),
        );
      } catch (err) {
        // A repeat while that test (or a rotation) is still running is refused as "a previous
        // rotation isn't complete": done when the schedule is already the one asked for.
        if (!(err instanceof InvalidRequestException)) throw err;
        const described = await describeSecret(client, secretId);
        const done = described?.RotationEnabled && described.RotationLambdaARN === rotationFunctionArn && described.RotationRules?.AutomaticallyAfterDays === days;
        if (!done) throw err;
      }
    },
    async cancel(secretId) {
      const described = await describeSecret(client, secretId);
      if (!described?.RotationEnabled || tagsToRecord(described.Tags)[TAG_MANAGED_BY] !== MANAGED_BY) return false;
      try {
        await client.send(new CancelRotateSecretCommand({ SecretId: described.ARN ?? secretId }));
      } catch (err) {
        // Gone, or marked for deletion, since it was described: no rotation can run on it.
        if (err instanceof ResourceNotFoundException || err instanceof InvalidRequestException) return false;
        throw err;
      }
      return true;
    },
  };
}
