import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import 'aws-sdk-client-mock-jest';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  IAMServiceException,
  LimitExceededException as IamLimitExceededException,
  ListAccessKeysCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  LimitExceededException as SecretsLimitExceededException,
  PutSecretValueCommand,
  ResourceExistsException,
  RestoreSecretCommand,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/lambda/issue-tenant-credentials';
import { issueTenantCredentials, type IssueTenantCredentialsInput } from '../../../functions/issue-tenant-credentials';
import { loadConfig } from '../../../functions/lib/config';
import { AccessKeyQuotaSettlingError, TenantQuotaExceededError, TenantRunSupersededError, TenantSecretConflictError } from '../../../functions/lib/errors';
import { createLogger } from '../../../functions/lib/logger';
import { noSuchSecret } from '../../support/aws-errors';
import { answerLedgerGet, ledgerOnRun, orgTags, SAMPLE_RUN_ID, sampleBucket, sampleRunId, sampleTenant, sampleUser } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedIam, mockedSecretsManager } from '../../support/mocked-clients';
import { ScriptedAccount } from '../../support/scripted-account';

const { iamMock, iam } = mockedIam();
const { secretsMock, secretsManager } = mockedSecretsManager();
const config = loadConfig();
const tenant = sampleTenant({ generation: 2, executionName: 'acme-bistro-42-g2-provision' });
const deps = { iam, secretsManager, ledger: ledgerOnRun(tenant.provisionedBy), config, logger: createLogger() };
/** A run of an earlier generation of the org, whose secret a later provisioning adopts. */
const earlierRun = sampleRunId('acme-bistro-42-g1-provision');
const input: IssueTenantCredentialsInput = { tenant, bucket: sampleBucket(), user: sampleUser() };
const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/acme-bistro-42/credentials-AbCdEf';

interface FakeSecret {
  value?: string;
  tags: Tag[];
  deletedDate?: Date;
}

/**
 * IAM access keys of the tenant user and the tenant secret, held in memory behind the SDK
 * mocks and answering as AWS does, so tests can assert on the end state. `failNext` makes
 * the next call of an operation fail, before or after it takes effect (a timed-out write
 * may still have happened).
 */
class FakeAccount extends ScriptedAccount {
  keys: { id: string; secretAccessKey: string; createDate: Date; status: 'Active' | 'Inactive' }[] = [];
  secret: FakeSecret | undefined;
  private counter = 0;

  addKey(createDate = new Date('2026-11-23T09:00:05Z'), status: 'Active' | 'Inactive' = 'Active'): string {
    this.counter += 1;
    const id = `AKIAFAKE${String(this.counter).padStart(12, '0')}`;
    this.keys.push({ id, secretAccessKey: `fake-secret-access-key-${this.counter}`, createDate, status });
    return id;
  }

  /** The access key id the secret's current value holds. */
  secretKeyId(): string | undefined {
    return this.secret?.value ? (JSON.parse(this.secret.value) as { accessKeyId: string }).accessKeyId : undefined;
  }

  keyIds(): string[] {
    return this.keys.map((key) => key.id);
  }

  wire(): void {
    iamMock.on(ListAccessKeysCommand).callsFake((req: { UserName?: string }) =>
      this.run('ListAccessKeys', () => ({
        AccessKeyMetadata: this.keys.map((key) => ({ UserName: req.UserName, AccessKeyId: key.id, Status: key.status, CreateDate: key.createDate })),
        IsTruncated: false,
      })),
    );
    iamMock.on(CreateAccessKeyCommand).callsFake((req: { UserName?: string }) =>
      this.run('CreateAccessKey', () => {
        if (this.keys.length >= 2) throw new IamLimitExceededException({ $metadata: {}, message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
        const id = this.addKey(new Date());
        const key = this.keys.find((k) => k.id === id);
        return { AccessKey: { UserName: req.UserName, AccessKeyId: id, SecretAccessKey: key?.secretAccessKey, Status: 'Active' as const, CreateDate: key?.createDate } };
      }),
    );
    iamMock.on(DeleteAccessKeyCommand).callsFake((req: { AccessKeyId?: string }) =>
      this.run('DeleteAccessKey', () => {
        if (!this.keys.some((key) => key.id === req.AccessKeyId)) throw new NoSuchEntityException({ $metadata: {}, message: `The Access Key with id ${req.AccessKeyId} cannot be found.` });
        this.keys = this.keys.filter((key) => key.id !== req.AccessKeyId);
        return {};
      }),
    );
    secretsMock.on(DescribeSecretCommand).callsFake(() =>
      this.run('DescribeSecret', () => {
        if (!this.secret) throw noSuchSecret();
        return { ARN: secretArn, Name: tenant.secretName, Tags: this.secret.tags, DeletedDate: this.secret.deletedDate };
      }),
    );
    secretsMock.on(GetSecretValueCommand).callsFake(() =>
      this.run('GetSecretValue', () => {
        if (!this.secret?.value) throw noSuchSecret();
        if (this.secret.deletedDate) throw new InvalidRequestException({ $metadata: {}, message: 'You tried to perform the operation on a secret that\'s currently marked deleted.' });
        return { ARN: secretArn, Name: tenant.secretName, SecretString: this.secret.value };
      }),
    );
    secretsMock.on(CreateSecretCommand).callsFake((req: { SecretString?: string; Tags?: Tag[] }) =>
      this.run('CreateSecret', () => {
        if (this.secret?.deletedDate) throw new InvalidRequestException({ $metadata: {}, message: "You can't create this secret because a secret with this name is already scheduled for deletion." });
        if (this.secret) throw new ResourceExistsException({ $metadata: {}, message: `The operation failed because the secret ${tenant.secretName} already exists.` });
        this.secret = { value: req.SecretString, tags: req.Tags ?? [] };
        return { ARN: secretArn, Name: tenant.secretName };
      }),
    );
    secretsMock.on(RestoreSecretCommand).callsFake(() =>
      this.run('RestoreSecret', () => {
        if (!this.secret) throw noSuchSecret();
        this.secret.deletedDate = undefined;
        return { ARN: secretArn, Name: tenant.secretName };
      }),
    );
    secretsMock.on(PutSecretValueCommand).callsFake((req: { SecretString?: string }) =>
      this.run('PutSecretValue', () => {
        if (!this.secret) throw noSuchSecret();
        if (this.secret.deletedDate) throw new InvalidRequestException({ $metadata: {}, message: "You can't perform this operation on the secret because it was marked for deletion." });
        this.secret.value = req.SecretString;
        return { ARN: secretArn, Name: tenant.secretName };
      }),
    );
  }
}

const storedValue = (accessKeyId: string) => JSON.stringify({ accessKeyId, secretAccessKey: 'stored-secret', bucket: input.bucket.name, region: 'us-east-1', userName: tenant.userName });
const networkError = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });

let account: FakeAccount;

beforeEach(() => {
  account = new FakeAccount();
  account.wire();
});

describe('issueTenantCredentials', () => {
  it('creates one key and stores it in a new tagged secret with exactly ListAccessKeys, CreateAccessKey, CreateSecret', async () => {
    const result = await issueTenantCredentials(input, deps);

    expect(account.log).toEqual(['ListAccessKeys', 'CreateAccessKey', 'CreateSecret']);
    expect(iamMock.calls()).toHaveLength(2);
    expect(secretsMock.calls()).toHaveLength(1);
    const [key] = account.keys;
    expect(account.keys).toHaveLength(1);
    expect(result).toEqual({ secretArn, secretName: tenant.secretName, accessKeyId: key?.id, issued: true });
    expect(iamMock).toHaveReceivedCommandWith(CreateAccessKeyCommand, { UserName: tenant.userName });
    expect(secretsMock).toHaveReceivedCommandWith(CreateSecretCommand, { Name: tenant.secretName, Tags: orgTags(tenant.provisionedBy) });
    expect(secretsMock.commandCalls(CreateSecretCommand)[0]?.args[0].input.Description).toEqual(expect.stringContaining(tenant.userName));
    expect(JSON.parse(account.secret?.value ?? '{}')).toEqual({
      accessKeyId: key?.id,
      secretAccessKey: key?.secretAccessKey,
      bucket: 'fusion-rms-acme-bistro-42',
      region: 'us-east-1',
      userName: tenant.userName,
    });
    expect(JSON.stringify(result)).not.toContain(key?.secretAccessKey);
  });

  it('on the first attempt of a run never redriven, for a user this run created, lists no keys: none can be left by an earlier attempt', async () => {
    const result = await issueTenantCredentials({ ...input, user: sampleUser({ created: true }), retryCount: 0, redriveCount: 0 }, deps);

    expect(account.log).toEqual(['CreateAccessKey', 'CreateSecret']);
    expect(result).toMatchObject({ issued: true, accessKeyId: account.keyIds()[0] });
  });

  it.each([
    ['a retry of the step', { retryCount: 1, redriveCount: 0 }, true],
    ['a redriven run', { retryCount: 0, redriveCount: 1 }, true],
    ['a user it adopted', { retryCount: 0, redriveCount: 0 }, false],
    ['a caller that does not say which attempt it is', {}, true],
  ])('lists the keys on %s, where an earlier attempt may have left one', async (_label, attempt, created) => {
    await issueTenantCredentials({ ...input, user: sampleUser({ created }), ...attempt }, deps);

    expect(account.log[0]).toBe('ListAccessKeys');
  });

  it('after a crash between CreateAccessKey and CreateSecret, the retry ends with exactly one key: the one in the secret', async () => {
    const crash = networkError();
    account.failNext('CreateSecret', crash);

    await expect(issueTenantCredentials(input, deps)).rejects.toBe(crash);
    const [stray] = account.keyIds();
    expect(account.keys).toHaveLength(1);
    expect(account.secret).toBeUndefined();

    const result = await issueTenantCredentials(input, deps);

    expect(account.keys).toHaveLength(1);
    expect(account.keyIds()).not.toContain(stray);
    expect(account.secretKeyId()).toBe(account.keyIds()[0]);
    expect(result).toMatchObject({ accessKeyId: account.keyIds()[0], issued: true });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { UserName: tenant.userName, AccessKeyId: stray });
  });

  it('after a CreateSecret that timed out but was stored, the retry keeps that key and issues nothing', async () => {
    const timeout = networkError();
    account.failNext('CreateSecret', timeout, true);

    await expect(issueTenantCredentials(input, deps)).rejects.toBe(timeout);
    const [first] = account.keyIds();
    account.log = [];

    const result = await issueTenantCredentials(input, deps);

    expect(result).toEqual({ secretArn, secretName: tenant.secretName, accessKeyId: first, issued: false });
    expect(account.keyIds()).toEqual([first]);
    expect(account.secretKeyId()).toBe(first);
    expect(account.log).toEqual(['ListAccessKeys', 'DescribeSecret', 'GetSecretValue']);
  });

  it('issues nothing when the secret already holds a key the user still has', async () => {
    const live = account.addKey(new Date('2026-01-01T00:00:00Z'));
    account.secret = { value: storedValue(live), tags: orgTags(earlierRun) };

    const result = await issueTenantCredentials(input, deps);

    expect(result).toEqual({ secretArn, secretName: tenant.secretName, accessKeyId: live, issued: false });
    expect(account.log).toEqual(['ListAccessKeys', 'DescribeSecret', 'GetSecretValue']);
    expect(iamMock).toHaveReceivedCommandTimes(CreateAccessKeyCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    expect(account.secret?.value).toBe(storedValue(live));
  });

  it('replaces an inactive key held by the secret and deletes it as a stray', async () => {
    const inactive = account.addKey(new Date('2026-01-01T00:00:00Z'), 'Inactive');
    account.secret = { value: storedValue(inactive), tags: orgTags(earlierRun) };

    const result = await issueTenantCredentials(input, deps);

    expect(account.keyIds()).not.toContain(inactive);
    expect(account.keys).toEqual([expect.objectContaining({ status: 'Active' })]);
    expect(account.secretKeyId()).toBe(account.keyIds()[0]);
    expect(result).toMatchObject({ accessKeyId: account.keyIds()[0], issued: true });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, { UserName: tenant.userName, AccessKeyId: inactive });
    expect(account.log).toEqual(['ListAccessKeys', 'DescribeSecret', 'GetSecretValue', 'DeleteAccessKey', 'CreateAccessKey', 'PutSecretValue']);
  });

  it('replaces a dead key in the org secret, deletes the stray keys and keeps the secret tags', async () => {
    const strays = [account.addKey(), account.addKey()];
    account.secret = { value: storedValue('AKIAGONEGONEGONEGONE'), tags: orgTags(earlierRun) };

    const result = await issueTenantCredentials(input, deps);

    expect(account.keys).toHaveLength(1);
    expect(account.keyIds()).not.toEqual(expect.arrayContaining([strays[0]]));
    expect(account.keyIds()).not.toEqual(expect.arrayContaining([strays[1]]));
    expect(account.secretKeyId()).toBe(account.keyIds()[0]);
    expect(result).toMatchObject({ accessKeyId: account.keyIds()[0], issued: true });
    expect(account.secret?.tags).toEqual(orgTags(earlierRun));
    expect(account.log).toEqual(['ListAccessKeys', 'DescribeSecret', 'GetSecretValue', 'DeleteAccessKey', 'DeleteAccessKey', 'CreateAccessKey', 'PutSecretValue']);
  });

  it('restores and updates an org secret that is scheduled for deletion (CreateSecret refused)', async () => {
    account.secret = { value: storedValue('AKIAGONEGONEGONEGONE'), tags: orgTags(earlierRun), deletedDate: new Date('2026-11-01T00:00:00Z') };

    const result = await issueTenantCredentials(input, deps);

    expect(account.log).toEqual(['ListAccessKeys', 'CreateAccessKey', 'CreateSecret', 'DescribeSecret', 'RestoreSecret', 'PutSecretValue']);
    expect(account.secret?.deletedDate).toBeUndefined();
    expect(account.secretKeyId()).toBe(account.keyIds()[0]);
    expect(account.keys).toHaveLength(1);
    expect(result).toMatchObject({ secretArn, issued: true });
    expect(account.secret?.tags).toEqual(orgTags(earlierRun));
  });

  it('restores a secret scheduled for deletion also when CreateSecret answers ResourceExistsException (as moto does)', async () => {
    account.secret = { value: storedValue('AKIAGONEGONEGONEGONE'), tags: orgTags(earlierRun), deletedDate: new Date('2026-11-01T00:00:00Z') };
    account.failNext('CreateSecret', new ResourceExistsException({ $metadata: {}, message: 'A resource with the ID you requested already exists.' }));

    await issueTenantCredentials(input, deps);

    expect(account.log.slice(-3)).toEqual(['DescribeSecret', 'RestoreSecret', 'PutSecretValue']);
    expect(account.secret?.deletedDate).toBeUndefined();
    expect(account.secretKeyId()).toBe(account.keyIds()[0]);
  });

  it('restores and updates a secret scheduled for deletion that it found while cleaning up stray keys', async () => {
    account.addKey();
    account.secret = { value: storedValue('AKIAGONEGONEGONEGONE'), tags: orgTags(earlierRun), deletedDate: new Date('2026-11-01T00:00:00Z') };

    await issueTenantCredentials(input, deps);

    expect(account.log).toEqual(['ListAccessKeys', 'DescribeSecret', 'DeleteAccessKey', 'CreateAccessKey', 'RestoreSecret', 'PutSecretValue']);
    expect(account.secret?.deletedDate).toBeUndefined();
    expect(account.keys).toHaveLength(1);
    expect(account.secretKeyId()).toBe(account.keyIds()[0]);
  });

  it("refuses another org's secret with TenantSecretConflictError and deletes the key it had just created", async () => {
    const foreign = { value: storedValue('AKIAFOREIGNFOREIGN00'), tags: orgTags(SAMPLE_RUN_ID, 'acme-bistro-42') };
    account.secret = { ...foreign };

    const run = issueTenantCredentials(input, deps);

    await expect(run).rejects.toThrow(TenantSecretConflictError);
    await expect(run).rejects.toThrow(/fusion-rms\/test\/acme-bistro-42\/credentials.*belongs to OrgId "acme-bistro-42"/);
    await expect(run.catch((err: unknown) => (err as Error).cause)).resolves.toBeInstanceOf(ResourceExistsException);
    expect(account.keys).toHaveLength(0);
    expect(account.log).toEqual(['ListAccessKeys', 'CreateAccessKey', 'CreateSecret', 'DescribeSecret', 'DeleteAccessKey']);
    expect(account.secret).toEqual(foreign);
  });

  it("refuses another org's secret before creating any key when the user already has keys", async () => {
    const existing = account.addKey();
    account.secret = { value: storedValue(existing), tags: [{ Key: 'Team', Value: 'payments' }] };

    await expect(issueTenantCredentials(input, deps)).rejects.toThrow(/not managed by tenant-provisioner/);

    expect(account.log).toEqual(['ListAccessKeys', 'DescribeSecret']);
    expect(account.keyIds()).toEqual([existing]);
  });

  it('reads the access key quota as IAM still counting the stray keys it just deleted: transient, retried, no secret written', async () => {
    account.addKey(new Date('2026-11-30T09:00:00.000Z'));
    account.addKey(new Date('2026-11-30T09:00:01.000Z'));
    const quota = new IamLimitExceededException({ $metadata: {}, message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
    account.failNext('CreateAccessKey', quota);

    const run = issueTenantCredentials(input, deps);

    await expect(run).rejects.toThrow(AccessKeyQuotaSettlingError);
    await expect(run).rejects.toThrow(/although it holds 0: the 2 stray key\(s\) this attempt deleted are still counted until IAM settles/);
    await expect(run.catch((err: unknown) => (err as Error).cause)).resolves.toBe(quota);
    expect(account.log).toEqual(['ListAccessKeys', 'DescribeSecret', 'DeleteAccessKey', 'DeleteAccessKey', 'CreateAccessKey', 'ListAccessKeys']);
    expect(secretsMock).toHaveReceivedCommandTimes(CreateSecretCommand, 0);
  });

  it('translates the access key quota into TenantQuotaExceededError when the user really holds two keys', async () => {
    const quota = new IamLimitExceededException({ $metadata: {}, message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
    // Someone else gave the user two keys between this attempt's listing and its CreateAccessKey.
    iamMock.on(CreateAccessKeyCommand).callsFake(() => {
      account.addKey(new Date());
      account.addKey(new Date());
      throw quota;
    });

    const run = issueTenantCredentials(input, deps);

    await expect(run).rejects.toThrow(TenantQuotaExceededError);
    await expect(run).rejects.toThrow(/it holds 2, IAM's limit/);
    await expect(run.catch((err: unknown) => (err as Error).cause)).resolves.toBe(quota);
    expect(secretsMock).toHaveReceivedCommandTimes(CreateSecretCommand, 0);
  });

  it('translates the Secrets Manager quota into TenantQuotaExceededError after deleting the new key', async () => {
    const quota = new SecretsLimitExceededException({ $metadata: {}, message: 'You have exceeded the number of secrets.' });
    account.failNext('CreateSecret', quota);

    const run = issueTenantCredentials(input, deps);

    await expect(run).rejects.toThrow(TenantQuotaExceededError);
    await expect(run.catch((err: unknown) => (err as Error).cause)).resolves.toBe(quota);
    expect(account.keys).toHaveLength(0);
    expect(account.log).toEqual(['ListAccessKeys', 'CreateAccessKey', 'CreateSecret', 'DeleteAccessKey']);
  });

  it('rethrows throttling untouched for the state machine to retry', async () => {
    const throttled = new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    account.failNext('ListAccessKeys', throttled);

    await expect(issueTenantCredentials(input, deps)).rejects.toBe(throttled);
    expect(account.log).toEqual(['ListAccessKeys']);
  });

  it.each([
    ['an OrgDeleted superseded it (the tenant is revoking)', ledgerOnRun(tenant.provisionedBy, 'provision', 'revoking')],
    ['a later generation is the current one', ledgerOnRun(sampleRunId('acme-bistro-42-g3-provision'))],
  ])('issues nothing and touches nothing once the ledger has moved past this run: %s', async (_case, ledger) => {
    const run = issueTenantCredentials(input, { ...deps, ledger });

    await expect(run).rejects.toThrow(TenantRunSupersededError);
    await expect(run).rejects.toThrow(/acme-bistro-42-g2-provision may not issue an access key/);
    expect(iamMock.calls()).toHaveLength(0);
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('runs through its Lambda entry, with the clients it makes', async () => {
    const context = fakeLambdaContext('tenant-provisioner-test-issueTenantCredentials');
    answerLedgerGet(mockClient(DynamoDBClient), deps.ledger.item);

    const result = await handler(input, context);

    expect(result).toEqual({ secretArn, secretName: tenant.secretName, accessKeyId: account.keyIds()[0], issued: true });
    expect(account.secretKeyId()).toBe(result.accessKeyId);
  });
});
