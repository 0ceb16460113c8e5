import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../../functions/lib/config';
import type { TenantRotationEvent, TenantRotationResult } from '../../../functions/rotate-tenant-credentials';
import { ROTATION_TAGS } from '../../../local/rotation-state';
import { LocalRotationFailedError, LocalSecretsRotation } from '../../../local/secrets-rotation';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/test/acme-bistro-42/credentials-AbCdEf';
const NAME = 'fusion-rms/test/acme-bistro-42/credentials';
const CURRENT_VERSION = '3ce27422-ce27-4bba-a104-d39f6605b87b';
const NOW = new Date('2026-12-03T09:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The emulator's secret as the stand-in sees it: its tags and its versions' stages, changed by the calls it answers. */
const emulator = {
  exists: true,
  tags: [] as Tag[],
  versions: {} as Record<string, string[]>,
  deletedDate: undefined as Date | undefined,
  calls: [] as string[],
};
const secretsMock = mockClient(SecretsManagerClient);

function tagRecord(): Record<string, string> {
  return Object.fromEntries(emulator.tags.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

beforeEach(() => {
  Object.assign(emulator, {
    exists: true,
    tags: [
      { Key: 'OrgId', Value: 'Acme-Bistro-42' },
      { Key: 'ManagedBy', Value: 'tenant-provisioner' },
    ],
    versions: { [CURRENT_VERSION]: ['AWSCURRENT'] },
    deletedDate: undefined,
    calls: [],
  });
  secretsMock.reset();
  secretsMock.on(DescribeSecretCommand).callsFake(() => {
    emulator.calls.push('DescribeSecret');
    if (!emulator.exists) throw new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret." });
    return { ARN, Name: NAME, Tags: emulator.tags.map((tag) => ({ ...tag })), VersionIdsToStages: structuredClone(emulator.versions), ...(emulator.deletedDate ? { DeletedDate: emulator.deletedDate } : {}) };
  });
  secretsMock.on(TagResourceCommand).callsFake((input: { SecretId: string; Tags: Tag[] }) => {
    emulator.calls.push(`TagResource ${input.Tags.map((tag) => `${tag.Key}=${tag.Value}`).join(' ')}`);
    const record = { ...tagRecord(), ...Object.fromEntries(input.Tags.map((tag) => [tag.Key ?? '', tag.Value ?? ''])) };
    emulator.tags = Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
    return {};
  });
  secretsMock.on(UntagResourceCommand).callsFake((input: { TagKeys: string[] }) => {
    emulator.calls.push(`UntagResource ${input.TagKeys.join(' ')}`);
    emulator.tags = emulator.tags.filter((tag) => !input.TagKeys.includes(tag.Key ?? ''));
    return {};
  });
  secretsMock.on(UpdateSecretVersionStageCommand).callsFake((input: { VersionStage: string; RemoveFromVersionId: string }) => {
    emulator.calls.push(`UpdateSecretVersionStage remove ${input.VersionStage} from ${input.RemoveFromVersionId}`);
    emulator.versions[input.RemoveFromVersionId] = (emulator.versions[input.RemoveFromVersionId] ?? []).filter((stage) => stage !== input.VersionStage);
    return {};
  });
});

/** Steps invoked, in order; each answers as the real handler would unless `failAt` names it. */
function rotationFunction(options: { failAt?: string; error?: Error } = {}) {
  const invoked: TenantRotationEvent[] = [];
  const invoke = async (event: TenantRotationEvent): Promise<TenantRotationResult> => {
    invoked.push(event);
    emulator.calls.push(`invoke ${event.Step}`);
    if (event.Step === options.failAt) throw options.error ?? new Error(`${event.Step} failed`);
    switch (event.Step) {
      case 'createSecret':
        emulator.versions[event.ClientRequestToken] = ['AWSPENDING'];
        return { step: 'createSecret', outcome: 'created', accessKeyId: 'AKIANEWKEY000000001', deletedAccessKeyIds: [] };
      case 'setSecret':
        return { step: 'setSecret', outcome: 'nothing-to-set' };
      case 'testSecret':
        return { step: 'testSecret', outcome: 'tested', accessKeyId: 'AKIANEWKEY000000001' };
      case 'finishSecret':
        emulator.versions = { [CURRENT_VERSION]: ['AWSPREVIOUS'], [event.ClientRequestToken]: ['AWSCURRENT'] };
        return { step: 'finishSecret', outcome: 'finished' };
    }
  };
  return { invoke, invoked };
}

function standIn(invoke: (event: TenantRotationEvent) => Promise<TenantRotationResult>, logger?: Logger) {
  return new LocalSecretsRotation({
    secretsManager: new SecretsManagerClient({}),
    functionClients: { iam: new IAMClient({}), secretsManager: new SecretsManagerClient({}), eventBridge: new EventBridgeClient({}), asTenant: () => { throw new Error('the tests invoke no real step'); } },
    config: loadConfig(),
    stage: 'test',
    now: () => NOW,
    testConfiguration: true,
    invoke,
    ...(logger ? { logger } : {}),
  });
}

function scheduled(days = 90) {
  emulator.tags.push({ Key: ROTATION_TAGS.enabled, Value: 'true' }, { Key: ROTATION_TAGS.days, Value: String(days) }, { Key: ROTATION_TAGS.scheduledDate, Value: '2026-12-01T00:00:00.000Z' });
}

describe('LocalSecretsRotation.rotate', () => {
  it('invokes the four steps in order with the secret ARN and one new ClientRequestToken, then records LastRotatedDate', async () => {
    scheduled();
    const { invoke, invoked } = rotationFunction();

    const outcome = await standIn(invoke).rotate(NAME);

    const token = invoked[0]?.ClientRequestToken ?? '';
    expect(token).toMatch(UUID);
    expect(invoked).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((Step) => ({ Step, SecretId: ARN, ClientRequestToken: token })));
    expect(emulator.calls).toEqual([
      'DescribeSecret',
      `TagResource ${ROTATION_TAGS.pendingVersionId}=${token}`,
      'invoke createSecret',
      'invoke setSecret',
      'invoke testSecret',
      'invoke finishSecret',
      `TagResource ${ROTATION_TAGS.lastRotatedDate}=${NOW.toISOString()}`,
      `UntagResource ${ROTATION_TAGS.pendingVersionId}`,
    ]);
    expect(outcome).toMatchObject({ secretArn: ARN, secretName: NAME, versionId: token, previousVersionId: CURRENT_VERSION, accessKeyId: 'AKIANEWKEY000000001', rotatedAt: NOW.toISOString() });
    expect(outcome.steps.map((step) => step.outcome)).toEqual(['created', 'nothing-to-set', 'tested', 'finished']);
  });

  it('stops at the first failing step and leaves the rotation in progress, as Secrets Manager does', async () => {
    scheduled();
    const cause = Object.assign(new Error('New access key still refused'), { name: 'TenantCredentialsNotReadyError' });
    const { invoke, invoked } = rotationFunction({ failAt: 'testSecret', error: cause });
    const rotation = standIn(invoke);

    const failure = await rotation.rotate(NAME).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(LocalRotationFailedError);
    expect(failure).toMatchObject({ name: 'LocalRotationFailedError', step: 'testSecret', versionId: invoked[0]?.ClientRequestToken, cause });
    expect((failure as LocalRotationFailedError).completed.map((step) => step.step)).toEqual(['createSecret', 'setSecret']);
    expect((failure as Error).message).toContain('failed at testSecret (TenantCredentialsNotReadyError: New access key still refused)');
    expect(invoked.map((event) => event.Step)).toEqual(['createSecret', 'setSecret', 'testSecret']);
    expect(tagRecord()[ROTATION_TAGS.pendingVersionId]).toBe(invoked[0]?.ClientRequestToken);
    expect(tagRecord()[ROTATION_TAGS.lastRotatedDate]).toBeUndefined();
    expect((await rotation.describe(NAME)).VersionIdsToStages).toEqual({ [CURRENT_VERSION]: ['AWSCURRENT'], [invoked[0]?.ClientRequestToken ?? '']: ['AWSPENDING'] });
  });

  it('refuses the next rotation while one is in progress (even one whose version is still empty), until it is abandoned', async () => {
    scheduled();
    const failing = rotationFunction({ failAt: 'createSecret' });
    const rotation = standIn(failing.invoke);
    await rotation.rotate(NAME).catch(() => undefined);
    const abandoned = failing.invoked[0]?.ClientRequestToken;
    const { invoke, invoked } = rotationFunction();
    const next = standIn(invoke);

    const refusal = await next.rotate(NAME).catch((err: unknown) => err);
    const cleared = await next.abandonPending(NAME);
    const outcome = await next.rotate(NAME);

    expect(refusal).toBeInstanceOf(InvalidRequestException);
    expect((refusal as Error).message).toContain(`isn't complete (version ${abandoned} is AWSPENDING)`);
    expect(cleared).toBe(abandoned);
    expect(invoked.map((event) => event.Step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(outcome.versionId).not.toBe(abandoned);
  });

  it('abandons a stored AWSPENDING version by removing its label, as an operator does on AWS', async () => {
    scheduled();
    emulator.versions['0d7e5a3c-1111-4222-8333-944455556666'] = ['AWSPENDING'];

    const cleared = await standIn(rotationFunction().invoke).abandonPending(NAME);

    expect(cleared).toBe('0d7e5a3c-1111-4222-8333-944455556666');
    expect(emulator.calls).toContain('UpdateSecretVersionStage remove AWSPENDING from 0d7e5a3c-1111-4222-8333-944455556666');
  });

  it('refuses a secret without a rotation schedule, or with a cancelled one, and invokes nothing', async () => {
    const { invoke, invoked } = rotationFunction();
    const rotation = standIn(invoke);

    const unconfigured = await rotation.rotate(NAME).catch((err: unknown) => err);
    emulator.tags.push({ Key: ROTATION_TAGS.enabled, Value: 'false' }, { Key: ROTATION_TAGS.days, Value: '90' });
    const cancelled = await rotation.rotate(NAME).catch((err: unknown) => err);

    expect(unconfigured).toBeInstanceOf(InvalidRequestException);
    expect((unconfigured as Error).message).toContain(`Secret ${NAME} has no rotation configured`);
    expect(cancelled).toBeInstanceOf(InvalidRequestException);
    expect((cancelled as Error).message).toContain('is cancelled');
    expect(invoked).toEqual([]);
    expect(emulator.calls.filter((call) => call.startsWith('TagResource'))).toEqual([]);
  });

  it('configures the schedule first when given days, then rotates', async () => {
    const { invoke, invoked } = rotationFunction();

    await standIn(invoke).rotate(NAME, { days: 30 });

    expect(tagRecord()).toMatchObject({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '30', [ROTATION_TAGS.lastRotatedDate]: NOW.toISOString() });
    // The new schedule's test (testSecret alone), then the rotation's four steps.
    expect(invoked.map((event) => event.Step)).toEqual(['testSecret', 'createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  });

  it('says what Secrets Manager says of a secret that does not exist', async () => {
    emulator.exists = false;

    await expect(standIn(rotationFunction().invoke).rotate(NAME)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('LocalSecretsRotation.schedule', () => {
  it('enables rotation every `days` and tests the configuration with testSecret alone on an empty AWSPENDING version it then removes', async () => {
    const { invoke, invoked } = rotationFunction();
    const rotation = standIn(invoke);

    await rotation.schedule(ARN, 90);

    const token = invoked[0]?.ClientRequestToken ?? '';
    expect(invoked).toEqual([{ Step: 'testSecret', SecretId: ARN, ClientRequestToken: token }]);
    expect(token).toMatch(UUID);
    expect(emulator.calls).toEqual([
      'DescribeSecret',
      `TagResource ${ROTATION_TAGS.enabled}=true ${ROTATION_TAGS.days}=90 ${ROTATION_TAGS.scheduledDate}=${NOW.toISOString()}`,
      `TagResource ${ROTATION_TAGS.pendingVersionId}=${token}`,
      'invoke testSecret',
      `UntagResource ${ROTATION_TAGS.pendingVersionId}`,
    ]);
    expect(await rotation.describe(ARN)).toMatchObject({ RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 90 }, NextRotationDate: new Date('2027-03-03T09:00:00.000Z') });
  });

  it('runs no configuration test unless asked to (it would run inside the provisioning step that schedules)', async () => {
    const { invoke, invoked } = rotationFunction();
    const rotation = new LocalSecretsRotation({ secretsManager: new SecretsManagerClient({}), functionClients: standIn(invoke)['options'].functionClients, config: loadConfig(), stage: 'test', now: () => NOW, invoke });

    await rotation.schedule(ARN, 90);

    expect(invoked).toEqual([]);
    expect(tagRecord()).toMatchObject({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '90' });
  });

  it('does nothing when the secret is already on that schedule (safe to repeat)', async () => {
    scheduled(90);
    const { invoke, invoked } = rotationFunction();

    await standIn(invoke).schedule(ARN, 90);

    expect(emulator.calls).toEqual(['DescribeSecret']);
    expect(invoked).toEqual([]);
  });

  it('keeps the schedule when its test fails, and logs the failure (on AWS the call has returned by then)', async () => {
    const logger = new Logger({ logLevel: 'SILENT' });
    const warn = jest.spyOn(logger, 'warn');
    const { invoke } = rotationFunction({ failAt: 'testSecret' });

    await standIn(invoke, logger).schedule(ARN, 90);

    expect(tagRecord()).toMatchObject({ [ROTATION_TAGS.enabled]: 'true', [ROTATION_TAGS.days]: '90' });
    expect(tagRecord()[ROTATION_TAGS.pendingVersionId]).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('configuration test'), expect.objectContaining({ secretName: NAME, error: 'Error: testSecret failed' }));
  });

  it.each([0, 1001, 1.5])('refuses %s days as Secrets Manager does (InvalidParameterException) before any call', async (days) => {
    await expect(standIn(rotationFunction().invoke).schedule(ARN, days)).rejects.toBeInstanceOf(InvalidParameterException);
    expect(emulator.calls).toEqual([]);
  });

  it('refuses a secret marked for deletion', async () => {
    emulator.deletedDate = NOW;

    await expect(standIn(rotationFunction().invoke).schedule(ARN, 90)).rejects.toBeInstanceOf(InvalidRequestException);
  });
});

describe('LocalSecretsRotation.cancel', () => {
  it('turns rotation off, keeping its rules, and says it did', async () => {
    scheduled(90);
    const rotation = standIn(rotationFunction().invoke);

    expect(await rotation.cancel(ARN)).toBe(true);
    expect(await rotation.describe(ARN)).toMatchObject({ RotationEnabled: false, RotationRules: { AutomaticallyAfterDays: 90 } });
  });

  it('leaves alone a secret without rotation, one not this stack\'s, and one that is gone', async () => {
    const rotation = standIn(rotationFunction().invoke);

    const none = await rotation.cancel(ARN);
    scheduled(90);
    emulator.tags = emulator.tags.filter((tag) => tag.Key !== 'ManagedBy');
    const foreign = await rotation.cancel(ARN);
    emulator.exists = false;
    const gone = await rotation.cancel(ARN);

    expect([none, foreign, gone]).toEqual([false, false, false]);
    expect(emulator.calls.filter((call) => call.startsWith('TagResource'))).toEqual([]);
  });
});
