/**
 * Secrets Manager's rotation configuration, with aws-sdk-client-mock and the SDK's real exception
 * classes: neither emulator can hold a rotation configuration without invoking a rotation Lambda
 * it hosts (docs/architecture.md, Emulator gaps), so this path is proven here.
 */
import 'aws-sdk-client-mock-jest';
import { CancelRotateSecretCommand, DescribeSecretCommand, InvalidRequestException, ResourceNotFoundException, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../../../../functions/lib/config';
import { lambdaRotationSchedule, secretsManagerRotationSchedule } from '../../../../functions/lib/rotation-schedule';
import { orgTags } from '../../../support/fixtures';
import { mockedSecretsManager } from '../../../support/mocked-clients';

const { secretsMock, secretsManager } = mockedSecretsManager();
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:tenant-provisioner-test-rotateTenantCredentials';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/test/acme-bistro-42/credentials-AbCdEf';
const ours = orgTags('run-1');
const inProgress = () => new InvalidRequestException({ $metadata: {}, message: "A previous rotation isn't complete. That rotation will be reattempted." });

describe('secretsManagerRotationSchedule', () => {
  const schedule = secretsManagerRotationSchedule(secretsManager, FUNCTION_ARN);

  it('configures rotation every N days with the stack\'s function, without rotating now', async () => {
    secretsMock.on(RotateSecretCommand).resolves({ ARN: SECRET_ARN });

    await schedule.schedule(SECRET_ARN, 90);

    expect(secretsMock).toHaveReceivedCommandWith(RotateSecretCommand, { SecretId: SECRET_ARN, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 90 }, RotateImmediately: false });
  });

  it('takes a refusal while the configuration test still runs as done when the schedule asked for is in place', async () => {
    secretsMock.on(RotateSecretCommand).rejects(inProgress());
    secretsMock.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, RotationEnabled: true, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 90 }, Tags: ours });

    await expect(schedule.schedule(SECRET_ARN, 90)).resolves.toBeUndefined();
  });

  it('passes the refusal on when the schedule in place is another one', async () => {
    secretsMock.on(RotateSecretCommand).rejects(inProgress());
    secretsMock.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, RotationEnabled: true, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 30 }, Tags: ours });

    await expect(schedule.schedule(SECRET_ARN, 90)).rejects.toThrow(InvalidRequestException);
  });

  it('cancels the rotation of a secret of ours that has one', async () => {
    secretsMock.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, RotationEnabled: true, Tags: ours });
    secretsMock.on(CancelRotateSecretCommand).resolves({ ARN: SECRET_ARN });

    await expect(schedule.cancel('fusion-rms/test/acme-bistro-42/credentials')).resolves.toBe(true);
    expect(secretsMock).toHaveReceivedCommandWith(CancelRotateSecretCommand, { SecretId: SECRET_ARN });
  });

  it.each([
    ['a secret that is gone', () => secretsMock.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret." }))],
    ['a secret without rotation', () => secretsMock.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, RotationEnabled: false, Tags: ours })],
    ['a secret that is not ours', () => secretsMock.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, RotationEnabled: true, Tags: [{ Key: 'ManagedBy', Value: 'someone-else' }] })],
  ])('leaves %s alone', async (_label, given) => {
    given();

    await expect(schedule.cancel(SECRET_ARN)).resolves.toBe(false);
    expect(secretsMock).toHaveReceivedCommandTimes(CancelRotateSecretCommand, 0);
  });

  it('takes a secret marked for deletion since it was described as having no rotation to cancel', async () => {
    secretsMock.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, RotationEnabled: true, Tags: ours });
    secretsMock.on(CancelRotateSecretCommand).rejects(new InvalidRequestException({ $metadata: {}, message: "You can't perform this operation on the secret because it was marked for deletion." }));

    await expect(schedule.cancel(SECRET_ARN)).resolves.toBe(false);
  });
});

describe('lambdaRotationSchedule', () => {
  const config = loadConfig();

  it('requires ROTATION_FUNCTION_ARN at cold start of a function that schedules, in a stage that rotates', () => {
    expect(() => lambdaRotationSchedule(secretsManager, config, true, {})).toThrow(/Missing required environment variable ROTATION_FUNCTION_ARN/);
  });

  it('needs no function to cancel, nor in a stage that rotates nothing on a schedule, and then refuses to schedule', async () => {
    const cancelling = lambdaRotationSchedule(secretsManager, config, false, {});
    expect(() => lambdaRotationSchedule(secretsManager, { rotationDays: 0 }, true, {})).not.toThrow();

    await expect(cancelling.schedule(SECRET_ARN, 90)).rejects.toThrow(/ROTATION_FUNCTION_ARN/);
    expect(secretsMock).toHaveReceivedCommandTimes(RotateSecretCommand, 0);
  });
});
