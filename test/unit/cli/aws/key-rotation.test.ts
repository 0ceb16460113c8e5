/**
 * The AWS backend's key rotation (cli/aws/key-rotation.ts) against Secrets Manager and IAM as
 * aws-sdk-client-mock answers them, with the SDK's own exception classes: the emulator cannot run
 * these paths (moto's RotateSecret invokes only a Lambda it hosts, and it holds neither an empty
 * AWSPENDING version nor a rotation configuration without one; DESIGN 10).
 */
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import {
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { stageConfig } from '../../../../cli/aws/config';
import { AwsKeyRotation, ROTATION_IN_PROGRESS_MS } from '../../../../cli/aws/key-rotation';
import type { KeyRotationProgress } from '../../../../cli/backend';
import { CliError } from '../../../../cli/errors';
import { RotationAccount } from '../rotation-account';
import { ACCOUNT, REGION, ROTATION_FUNCTION_ARN, T0 } from '../world';

const iamMock = mockClient(IAMClient);
const secretsMock = mockClient(SecretsManagerClient);
const now = () => T0;

function rotationOf(env: NodeJS.ProcessEnv = {}, timeoutMs = 50) {
  return new AwsKeyRotation({
    secretsManager: new SecretsManagerClient({ region: REGION }),
    iam: new IAMClient({ region: REGION }),
    config: stageConfig('dev', REGION, ACCOUNT, env),
    rotationFunctionArn: ROTATION_FUNCTION_ARN,
    pollMs: 0,
    timeoutMs,
    sleep: async () => undefined,
    now,
  });
}

let account: RotationAccount;
beforeEach(() => {
  iamMock.reset();
  secretsMock.reset();
  account = new RotationAccount(now).install({ iam: iamMock, secretsManager: secretsMock });
});

describe('AwsKeyRotation.rotateNow', () => {
  it('rotates a secret that has its rotation (RotateSecret without configuration) and waits until AWSCURRENT has moved', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100, rotationDays: 90 });
    account.behaviour.set(secret.name, { kind: 'complete', describes: 3 });
    const progress: KeyRotationProgress[] = [];

    const result = await rotationOf().rotateNow(secret.name, (p) => progress.push(p));

    expect(secretsMock).toHaveReceivedCommandWith(RotateSecretCommand, { SecretId: secret.name, RotateImmediately: true });
    expect(secretsMock.commandCalls(RotateSecretCommand)[0]?.args[0].input).not.toHaveProperty('RotationLambdaARN');
    expect(result).toEqual({ versionId: expect.stringMatching(/^v-acme-r\d+$/), previousVersionId: 'v-acme-1' });
    expect(secret.versions.get(result.versionId)?.stages).toEqual(['AWSCURRENT']);
    expect(secret.versions.get('v-acme-1')?.stages).toEqual(['AWSPREVIOUS']);
    expect(progress).toEqual([{ kind: 'started', versionId: result.versionId }]);
  });

  it("configures a secret without rotation with the stage's rotationDays and its rotation function, and rotates it", async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100 });
    const progress: KeyRotationProgress[] = [];

    const result = await rotationOf({ TENANT_PROVISIONER_ROTATION_DAYS: '30', TENANT_PROVISIONER_PREVIOUS_KEY_OVERLAP_DAYS: '3' }).rotateNow(secret.name, (p) => progress.push(p));

    expect(secretsMock).toHaveReceivedCommandWith(RotateSecretCommand, { SecretId: secret.name, RotationLambdaARN: ROTATION_FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: true });
    expect(result.configured).toEqual({ rotationDays: 30, functionArn: ROTATION_FUNCTION_ARN });
    expect(progress[0]).toEqual({ kind: 'configuring', rotationDays: 30, functionArn: ROTATION_FUNCTION_ARN });
    expect(secret.rotation).toMatchObject({ enabled: true, days: 30 });
  });

  it('refuses to configure rotation for a stage that schedules none (rotationDays 0), calling nothing that changes the secret', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100 });

    await expect(rotationOf({ TENANT_PROVISIONER_ROTATION_DAYS: '0' }).rotateNow(secret.name)).rejects.toThrow(/has no rotation configured, and stage dev schedules none \(ROTATION_DAYS is 0/);
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('says which rotation function could not be configured when Secrets Manager may not invoke it (AccessDeniedException)', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100 });
    // Secrets Manager's AccessDeniedException is not modelled by the SDK: it arrives as the service exception with that name.
    account.behaviour.set(secret.name, {
      kind: 'refuse',
      error: () => new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Secrets Manager cannot invoke the specified Lambda function.' }),
    });

    const error = await rotationOf().rotateNow(secret.name).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toContain(`Cannot configure rotation of secret ${secret.name} with rotation function ${ROTATION_FUNCTION_ARN}: AccessDeniedException: Secrets Manager cannot invoke`);
    expect((error as Error).message).toContain('TENANT_PROVISIONER_ROTATION_FUNCTION_ARN');
  });

  it('removes an abandoned AWSPENDING label (older than a rotation can run) before rotating, which RotateSecret would otherwise refuse', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100, rotationDays: 90 });
    const stale = account.pending(secret.name, ROTATION_IN_PROGRESS_MS + 60_000);
    const progress: KeyRotationProgress[] = [];

    const result = await rotationOf().rotateNow(secret.name, (p) => progress.push(p));

    expect(secretsMock).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, { SecretId: secret.name, VersionStage: 'AWSPENDING', RemoveFromVersionId: stale });
    expect(secretsMock).toHaveReceivedCommandWith(ListSecretVersionIdsCommand, { SecretId: secret.name, IncludeDeprecated: true });
    expect(progress[0]).toMatchObject({ kind: 'cleared-stale-pending', versionId: stale });
    expect(result.clearedPendingVersionId).toBe(stale);
    expect(secret.versions.get(result.versionId)?.stages).toEqual(['AWSCURRENT']);
  });

  it('leaves a young AWSPENDING version alone (a rotation may still be running) and says when to try again', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100, rotationDays: 90 });
    account.pending(secret.name, 60_000);

    await expect(rotationOf().rotateNow(secret.name)).rejects.toThrow(/A rotation of secret fusion-rms\/dev\/acme\/credentials is under way: AWSPENDING is on version v-acme-pending, created 60 s ago\. Let it finish \(or fail\) and try again in 14 min/);
    expect(secretsMock).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('gives up after its timeout when the rotation function never finishes, naming the pending version and the function, the current key still working', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100, rotationDays: 90 });
    account.behaviour.set(secret.name, { kind: 'stuck' });

    const error = (await rotationOf({}, 20).rotateNow(secret.name).catch((err: unknown) => err)) as Error;

    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toMatch(/^The rotation of secret fusion-rms\/dev\/acme\/credentials did not finish within 0 s: AWSPENDING is still on version v-acme-r\d+; the current key \(version v-acme-1\) keeps working\./);
    expect(error.message).toContain(ROTATION_FUNCTION_ARN);
    expect(secret.versions.get('v-acme-1')?.stages).toEqual(['AWSCURRENT']);
  });

  it('reports a rotation abandoned under it: AWSPENDING gone while AWSCURRENT did not move', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100, rotationDays: 90 });
    account.behaviour.set(secret.name, { kind: 'stuck' });
    secretsMock.on(RotateSecretCommand).resolvesOnce({ VersionId: 'v-never-staged' });

    await expect(rotationOf().rotateNow(secret.name)).rejects.toThrow(/^The rotation of secret fusion-rms\/dev\/acme\/credentials was abandoned: AWSPENDING left version v-never-staged and AWSCURRENT is still on v-acme-1/);
  });

  it('refuses a secret that does not exist', async () => {
    await expect(rotationOf().rotateNow('fusion-rms/dev/ghost/credentials')).rejects.toThrow('Secret fusion-rms/dev/ghost/credentials does not exist: nothing to rotate');
  });

  it("passes on Secrets Manager's refusal of a rotation when another one has not finished", async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100, rotationDays: 90 });
    account.behaviour.set(secret.name, { kind: 'refuse', error: () => new InvalidRequestException({ $metadata: {}, message: "A previous rotation isn't complete. That rotation will be reattempted." }) });

    await expect(rotationOf().rotateNow(secret.name)).rejects.toThrow("Secrets Manager will not rotate secret fusion-rms/dev/acme/credentials now: A previous rotation isn't complete");
  });
});

describe('AwsKeyRotation.retirePrevious', () => {
  it("deactivates the previous key with overlap 0 even when this machine's clock is behind Secrets Manager's LastRotatedDate", async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100, rotationDays: 90 });
    await rotationOf().rotateNow(secret.name);
    const old = account.keyIdAt(secret.name, 'AWSPREVIOUS');
    // Secrets Manager recorded the rotation a second after what this machine calls now.
    secret.lastRotated = new Date(T0.getTime() + 1_000);

    const retired = await rotationOf().retirePrevious(secret.name, { overlapDays: 0 });

    expect(retired).toEqual({ outcome: 'deactivated', accessKeyId: old });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName: 'rms_acme', AccessKeyId: old, Status: 'Inactive' });
  });

  it("leaves the previous key active within the stage's overlap", async () => {
    const { secret } = account.tenant('Acme', { ageDays: 100, rotationDays: 90 });
    await rotationOf().rotateNow(secret.name);

    const retired = await rotationOf().retirePrevious(secret.name, { overlapDays: 7 });

    expect(retired.outcome).toBe('in-overlap');
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });
});

describe('AwsKeyRotation.describe', () => {
  it('answers undefined for a secret that does not exist', async () => {
    await expect(rotationOf().describe('fusion-rms/dev/ghost/credentials')).resolves.toBeUndefined();
  });
});

describe('AwsKeyRotation.schedule', () => {
  it("puts a secret without rotation on the stage's schedule with RotateSecret's only allowed form, rotating nothing", async () => {
    const { secret, currentKeyId } = account.tenant('Acme', { ageDays: 10 });

    const result = await rotationOf().schedule(secret.name, 90);

    expect(result).toEqual({ outcome: 'scheduled', everyDays: 90, functionArn: ROTATION_FUNCTION_ARN });
    expect(secretsMock).toHaveReceivedCommandTimes(RotateSecretCommand, 1);
    expect(secretsMock.commandCalls(RotateSecretCommand)[0]?.args[0].input).toEqual({
      SecretId: secret.name,
      RotationLambdaARN: ROTATION_FUNCTION_ARN,
      RotationRules: { AutomaticallyAfterDays: 90 },
      RotateImmediately: false,
    });
    expect(secret.rotation).toEqual({ enabled: true, days: 90, lambdaArn: ROTATION_FUNCTION_ARN });
    expect(account.keyIdAt(secret.name, 'AWSCURRENT')).toBe(currentKeyId);
    expect([...secret.versions.keys()]).toEqual(['v-acme-1']);
    expect(iamMock.calls()).toHaveLength(0);
  });

  it('sends nothing for a secret already on that schedule', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 10, rotationDays: 90 });

    await expect(rotationOf().schedule(secret.name, 90)).resolves.toEqual({ outcome: 'already-scheduled', everyDays: 90, functionArn: ROTATION_FUNCTION_ARN });

    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it.each([
    ['another interval', { enabled: true, days: 30, lambdaArn: ROTATION_FUNCTION_ARN }],
    ['a cancelled schedule', { enabled: false, days: 90, lambdaArn: ROTATION_FUNCTION_ARN }],
    ["another stage's rotation function", { enabled: true, days: 90, lambdaArn: ROTATION_FUNCTION_ARN.replace('-dev-', '-prod-') }],
  ])("puts a secret with %s on the stage's schedule", async (_, rotation) => {
    const { secret } = account.tenant('Acme', { ageDays: 10 });
    secret.rotation = rotation;

    await expect(rotationOf().schedule(secret.name, 90)).resolves.toMatchObject({ outcome: 'scheduled' });

    expect(secretsMock).toHaveReceivedCommandWith(RotateSecretCommand, { SecretId: secret.name, RotationLambdaARN: ROTATION_FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 90 }, RotateImmediately: false });
    expect(secret.rotation).toEqual({ enabled: true, days: 90, lambdaArn: ROTATION_FUNCTION_ARN });
  });

  it('refuses 0 days (a stage that schedules none), sending nothing', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 10 });

    await expect(rotationOf({ TENANT_PROVISIONER_ROTATION_DAYS: '0' }).schedule(secret.name, 0)).rejects.toThrow(/^Stage dev schedules no rotation \(ROTATION_DAYS is 0\)/);

    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('says which rotation function it could not schedule with when Secrets Manager may not invoke it (AccessDeniedException)', async () => {
    const { secret } = account.tenant('Acme', { ageDays: 10 });
    account.behaviour.set(secret.name, {
      kind: 'refuse',
      error: () => new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'User is not authorized to perform: lambda:InvokeFunction' }),
    });

    const refused = rotationOf().schedule(secret.name, 90);

    await expect(refused).rejects.toThrow(CliError);
    await expect(refused).rejects.toThrow(`Cannot put secret ${secret.name} on its schedule (every 90 d with rotation function ${ROTATION_FUNCTION_ARN}): AccessDeniedException: User is not authorized`);
  });

  it('refuses a secret that does not exist', async () => {
    await expect(rotationOf().schedule('fusion-rms/dev/ghost/credentials', 90)).rejects.toThrow('Secret fusion-rms/dev/ghost/credentials does not exist: nothing to schedule');
    expect(secretsMock).not.toHaveReceivedCommand(RotateSecretCommand);
  });
});
