import 'aws-sdk-client-mock-jest';
import {
  DeleteAccessKeyCommand,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  type AccessKeyMetadata,
} from '@aws-sdk/client-iam';
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { handler } from '../../../functions/lambda/delete-tenant-credentials';
import { deleteTenantCredentials } from '../../../functions/delete-tenant-credentials';
import { loadConfig } from '../../../functions/lib/config';
import { createLogger } from '../../../functions/lib/logger';
import type { DeletionInput } from '../../../functions/lib/types';
import { noSuchSecret, noSuchUser } from '../../support/aws-errors';
import { orgTags, SAMPLE_EXECUTION_NAME, SAMPLE_RUN_ID, sampleTenant } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedIam, mockedSecretsManager } from '../../support/mocked-clients';

const { iamMock, iam } = mockedIam();
const { secretsMock, secretsManager } = mockedSecretsManager();
const config = loadConfig();
const deps = { iam, secretsManager, config, logger: createLogger() };

/** The second generation's provisioning (its run id is the `ProvisionedBy` of what it creates); generation 1 came before. */
const tenant = sampleTenant({ generation: 2, executionName: 'acme-bistro-42-g2-provision' });
const rollback: DeletionInput = { scope: 'execution', tenant };
const teardown: DeletionInput = { scope: 'tenant', tenant };

const thisExecution = orgTags(tenant.provisionedBy);
const earlierExecution = orgTags(SAMPLE_RUN_ID);

const BEFORE_START = new Date('2026-10-01T12:00:00Z');
const AFTER_START = new Date('2026-11-23T09:00:07Z');
const key = (AccessKeyId: string, CreateDate: Date): AccessKeyMetadata => ({ UserName: tenant.userName, AccessKeyId, Status: 'Active', CreateDate });
const value = (accessKeyId: string) => JSON.stringify({ accessKeyId, secretAccessKey: 'stored-secret', bucket: 'fusion-rms-acme-bistro-42', region: 'us-east-1', userName: tenant.userName });

function givenSecret(tags: Tag[], secretValue: string | Error, deletedDate?: Date): void {
  secretsMock.on(DescribeSecretCommand).resolves({ ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x', Name: tenant.secretName, Tags: tags, DeletedDate: deletedDate });
  if (secretValue instanceof Error) secretsMock.on(GetSecretValueCommand).rejects(secretValue);
  else secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretValue });
}

function givenUser(keys: AccessKeyMetadata[], tags: Tag[] = earlierExecution): void {
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: keys, IsTruncated: false });
  iamMock.on(ListUserTagsCommand).resolves({ Tags: tags.map(({ Key = '', Value = '' }) => ({ Key, Value })) });
}

const deletedKeyIds = () => iamMock.commandCalls(DeleteAccessKeyCommand).map((call) => call.args[0].input.AccessKeyId);

beforeEach(() => {
  secretsMock.on(DescribeSecretCommand).rejects(noSuchSecret());
  secretsMock.on(DeleteSecretCommand).resolves({});
  iamMock.on(ListAccessKeysCommand).rejects(noSuchUser(tenant.userName));
  iamMock.on(DeleteAccessKeyCommand).resolves({});
});

describe('deleteTenantCredentials', () => {
  it.each([rollback, teardown])('succeeds without deleting anything when neither secret nor user exists (scope $scope)', async (input) => {
    await expect(deleteTenantCredentials(input, deps)).resolves.toEqual({ deleted: [], skipped: [] });

    expect(secretsMock).toHaveReceivedCommandTimes(DeleteSecretCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
  });

  it('rollback deletes the secret this execution created and the key it holds', async () => {
    givenSecret(thisExecution, value('AKIANEW0000000000001'));
    givenUser([key('AKIANEW0000000000001', AFTER_START)]);

    const result = await deleteTenantCredentials(rollback, deps);

    expect(secretsMock).toHaveReceivedCommandWith(DeleteSecretCommand, { SecretId: tenant.secretName, ForceDeleteWithoutRecovery: true });
    expect(deletedKeyIds()).toEqual(['AKIANEW0000000000001']);
    expect(result.deleted).toEqual([`secret ${tenant.secretName}`, `access key AKIANEW0000000000001 of IAM user ${tenant.userName}`]);
    expect(result.skipped).toEqual([]);
  });

  it('rollback leaves the secret of an earlier run of the same execution name untouched (Step Functions reuses a name after 90 days)', async () => {
    const sameName = { scope: 'execution' as const, tenant: { ...tenant, executionName: SAMPLE_EXECUTION_NAME, provisionedBy: `${SAMPLE_EXECUTION_NAME}.fedcba987654` } };
    givenSecret(orgTags(SAMPLE_RUN_ID), value('AKIAOLD0000000000001'));
    givenUser([key('AKIAOLD0000000000001', BEFORE_START)]);

    const result = await deleteTenantCredentials(sameName, deps);

    expect(secretsMock).toHaveReceivedCommandTimes(DeleteSecretCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(result.deleted).toEqual([]);
  });

  it("rollback leaves an existing tenant's secret and its older key untouched", async () => {
    givenSecret(earlierExecution, value('AKIAOLD0000000000001'));
    givenUser([key('AKIAOLD0000000000001', BEFORE_START)]);

    const result = await deleteTenantCredentials(rollback, deps);

    expect(secretsMock).toHaveReceivedCommandTimes(DeleteSecretCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(result.deleted).toEqual([]);
    expect(result.skipped).toEqual([
      { resource: `secret ${tenant.secretName}`, reason: `it was provisioned by "${SAMPLE_RUN_ID}", not by this execution` },
      { resource: `access key AKIAOLD0000000000001 of IAM user ${tenant.userName}`, reason: `it is held by secret ${tenant.secretName}, which is kept` },
    ]);
  });

  it('rollback never deletes a key created by this execution that a kept secret now holds', async () => {
    givenSecret(earlierExecution, value('AKIANEW0000000000001'));
    givenUser([key('AKIANEW0000000000001', AFTER_START)]);

    const result = await deleteTenantCredentials(rollback, deps);

    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(result.skipped[1]?.reason).toMatch(/held by secret .* which is kept/);
  });

  it('rollback deletes a stray key created after the execution started when no secret holds it', async () => {
    givenUser([key('AKIAOLD0000000000001', BEFORE_START), key('AKIASTRAY00000000001', AFTER_START)]);

    const result = await deleteTenantCredentials(rollback, deps);

    expect(deletedKeyIds()).toEqual(['AKIASTRAY00000000001']);
    expect(result.deleted).toEqual([`access key AKIASTRAY00000000001 of IAM user ${tenant.userName}`]);
    expect(result.skipped.map((s) => s.resource)).toEqual([`access key AKIAOLD0000000000001 of IAM user ${tenant.userName}`]);
  });

  it('rollback neither reads nor deletes a secret that is not managed by tenant-provisioner, and still removes its own new key', async () => {
    givenSecret([{ Key: 'Owner', Value: 'security-team' }], JSON.stringify({ note: 'not ours' }));
    givenUser([key('AKIANEW0000000000001', AFTER_START)], thisExecution);

    const result = await deleteTenantCredentials(rollback, deps);

    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    expect(secretsMock).toHaveReceivedCommandTimes(DeleteSecretCommand, 0);
    expect(deletedKeyIds()).toEqual(['AKIANEW0000000000001']);
    expect(result.skipped).toEqual([{ resource: `secret ${tenant.secretName}`, reason: 'it is not managed by tenant-provisioner' }]);
  });

  it('rollback deletes its own secret that is already scheduled for deletion, without reading its value', async () => {
    const scheduled = new InvalidRequestException({ $metadata: {}, message: "You can't perform this operation on the secret because it was marked for deletion." });
    givenSecret(thisExecution, scheduled, new Date('2026-11-23T09:01:00Z'));
    givenUser([key('AKIANEW0000000000001', AFTER_START)]);

    const result = await deleteTenantCredentials(rollback, deps);

    expect(secretsMock).toHaveReceivedCommandWith(DeleteSecretCommand, { SecretId: tenant.secretName, ForceDeleteWithoutRecovery: true });
    expect(deletedKeyIds()).toEqual(['AKIANEW0000000000001']);
    expect(result.deleted).toHaveLength(2);
  });

  it('rollback keeps new keys when a kept secret cannot be read, since it may hold one of them', async () => {
    givenSecret(earlierExecution, new InvalidRequestException({ $metadata: {}, message: 'marked for deletion' }), new Date('2026-11-20T00:00:00Z'));
    givenUser([key('AKIANEW0000000000001', AFTER_START)]);

    const result = await deleteTenantCredentials(rollback, deps);

    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(secretsMock).toHaveReceivedCommandTimes(DeleteSecretCommand, 0);
    expect(result.skipped).toHaveLength(2);
  });

  it('teardown deletes the org secret and every key of the org user, old or new', async () => {
    givenSecret(earlierExecution, value('AKIAOLD0000000000001'));
    givenUser([key('AKIAOLD0000000000001', BEFORE_START), key('AKIANEW0000000000001', AFTER_START)]);

    const result = await deleteTenantCredentials(teardown, deps);

    expect(secretsMock).toHaveReceivedCommandWith(DeleteSecretCommand, { SecretId: tenant.secretName, ForceDeleteWithoutRecovery: true });
    expect(deletedKeyIds()).toEqual(['AKIAOLD0000000000001', 'AKIANEW0000000000001']);
    expect(result.skipped).toEqual([]);
    expect(result.deleted).toHaveLength(3);
  });

  it("teardown leaves another org's secret and the keys of a user that is not the org's", async () => {
    givenSecret(orgTags(SAMPLE_RUN_ID, 'acme-bistro-42'), value('AKIAOTHER00000000001'));
    givenUser([key('AKIAOTHER00000000001', BEFORE_START)], [{ Key: 'Team', Value: 'payments' }]);

    const result = await deleteTenantCredentials(teardown, deps);

    expect(secretsMock).toHaveReceivedCommandTimes(DeleteSecretCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(result.skipped).toEqual([
      { resource: `secret ${tenant.secretName}`, reason: 'it belongs to OrgId "acme-bistro-42"' },
      { resource: `access keys of IAM user ${tenant.userName}`, reason: 'it is not managed by tenant-provisioner' },
    ]);
  });

  it('counts a secret or key that vanished mid-way (ResourceNotFound, NoSuchEntity) as deleted', async () => {
    givenSecret(thisExecution, noSuchSecret());
    secretsMock.on(DeleteSecretCommand).rejects(noSuchSecret());
    givenUser([key('AKIANEW0000000000001', AFTER_START)]);
    iamMock.on(DeleteAccessKeyCommand).rejects(new NoSuchEntityException({ $metadata: {}, message: 'The Access Key with id AKIANEW0000000000001 cannot be found.' }));

    const result = await deleteTenantCredentials(rollback, deps);

    expect(result.deleted).toEqual([`secret ${tenant.secretName}`, `access key AKIANEW0000000000001 of IAM user ${tenant.userName}`]);
  });

  it('treats a user deleted between listing its keys and reading its tags as nothing to do', async () => {
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [key('AKIANEW0000000000001', AFTER_START)] });
    iamMock.on(ListUserTagsCommand).rejects(noSuchUser(tenant.userName));

    await expect(deleteTenantCredentials(rollback, deps)).resolves.toEqual({ deleted: [], skipped: [] });
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
  });

  it('rethrows an unexpected error untouched', async () => {
    const denied = new InvalidRequestException({ $metadata: {}, message: 'secret is managed by another service' });
    givenSecret(thisExecution, value('AKIANEW0000000000001'));
    secretsMock.on(DeleteSecretCommand).rejects(denied);

    await expect(deleteTenantCredentials(rollback, deps)).rejects.toBe(denied);
  });

  it('runs through its Lambda entry, with the clients it makes', async () => {
    givenSecret(thisExecution, value('AKIANEW0000000000001'));
    givenUser([key('AKIANEW0000000000001', AFTER_START)]);
    const context = fakeLambdaContext('tenant-provisioner-test-deleteTenantCredentials');

    const result = await handler(rollback, context);

    expect(result.deleted).toHaveLength(2);
    expect(deletedKeyIds()).toEqual(['AKIANEW0000000000001']);
  });
});
