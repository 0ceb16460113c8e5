/**
 * RotateTenantCredentials with mocked clients and the SDK's real exception classes. The emulator
 * cannot run this: it does not invoke rotation Lambdas (DESIGN.md §10), and it accepts a new key at
 * once, where IAM refuses it until propagated. So the tenant user's keys and the secret's versions
 * and staging labels are held in memory behind the mocks and answer as AWS documents (a staging
 * label is on one version at a time; moving AWSCURRENT moves AWSPREVIOUS; IAM's two keys per user),
 * and the tests assert on the end state.
 */
import 'aws-sdk-client-mock-jest';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  LimitExceededException as IamLimitExceededException,
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { CONFIG_DEFAULTS, loadConfig } from '../../../functions/lib/config';
import { AccessKeyQuotaSettlingError, TenantCredentialsNotReadyError, TenantQuotaExceededError, TenantSecretConflictError, TransientError } from '../../../functions/lib/errors';
import { createLogger } from '../../../functions/lib/logger';
import type { TenantKey } from '../../../functions/prove-tenant-credentials';
import {
  retirePreviousTenantKey,
  rotateTenantCredentials,
  rotateTenantCredentialsHandler,
  TenantKeyOverlapError,
  TenantRotationRequestError,
  type RotationStep,
  type TenantRotationResult,
} from '../../../functions/rotate-tenant-credentials';
import { assertTenantCredentialsRotatedDetail } from '../../../functions/lib/events';
import { noSuchSecret } from '../../support/aws-errors';
import { orgTags, samplePrefixBucket, sampleTenant, sampleUser } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedEventBridge, mockedIam, mockedSecretsManager } from '../../support/mocked-clients';
import { ScriptedAccount } from '../../support/scripted-account';

const { iamMock, iam } = mockedIam();
const { secretsMock, secretsManager } = mockedSecretsManager();
const { eventBridgeMock, eventBridge } = mockedEventBridge();
const stsMock = mockClient(STSClient);
const s3Mock = mockClient(S3Client);
const config = loadConfig();
const tenant = sampleTenant();
const user = sampleUser();
const secretArn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${tenant.secretName}-AbCdEf`;
const BUCKET = 'fusion-rms-acme-bistro-42';
const DAY_MS = 86_400_000;
const T0 = new Date('2026-12-01T10:00:00Z');

interface FakeVersion {
  value?: string;
  stages: string[];
  /** When its value was stored (GetSecretValue's CreatedDate). */
  created?: Date;
}

/**
 * The tenant user's access keys and the tenant secret's versions, in memory behind the SDK mocks.
 * `failNext` makes the next call of an operation fail, before or after it takes effect.
 */
class FakeAccount extends ScriptedAccount {
  keys: { id: string; secretAccessKey: string; status: 'Active' | 'Inactive' }[] = [];
  versions = new Map<string, FakeVersion>();
  rotationEnabled = true;
  lastRotated: Date | undefined;
  name = tenant.secretName;
  tags: Tag[] = orgTags(tenant.provisionedBy);
  /** Every secret access key IAM ever handed out: none may reach a log, a result or an error. */
  issuedSecrets: string[] = [];
  /** The most keys the user ever held at once. */
  mostKeysHeld = 0;
  private counter = 0;

  addKey(status: 'Active' | 'Inactive' = 'Active'): { id: string; secretAccessKey: string } {
    this.counter += 1;
    const key = { id: `AKIAFAKE${String(this.counter).padStart(12, '0')}`, secretAccessKey: `wJalrFAKE/secret+access+key/${this.counter}`, status };
    this.keys.push(key);
    this.issuedSecrets.push(key.secretAccessKey);
    this.mostKeysHeld = Math.max(this.mostKeysHeld, this.keys.length);
    return key;
  }

  /** The tenant as IssueTenantCredentials leaves it: one key, in the AWSCURRENT version `v0`. */
  provisioned(prefix?: string): { id: string; secretAccessKey: string } {
    const key = this.addKey();
    this.versions.set('v0', { value: valueFor(key, prefix), stages: ['AWSCURRENT'], created: clock });
    return key;
  }

  /** What RotateSecret does before it invokes the function: a version `token` staged AWSPENDING, with no value yet. */
  startRotation(token: string): void {
    for (const version of this.versions.values()) version.stages = version.stages.filter((stage) => stage !== 'AWSPENDING');
    this.versions.set(token, { stages: ['AWSPENDING'] });
  }

  versionWith(stage: string): [string, FakeVersion] | undefined {
    return [...this.versions.entries()].find(([, version]) => version.stages.includes(stage));
  }

  keyIdIn(stage: string): string | undefined {
    const value = this.versionWith(stage)?.[1].value;
    return value ? (JSON.parse(value) as { accessKeyId: string }).accessKeyId : undefined;
  }

  private move(label: string, to: string): void {
    const from = this.versionWith(label)?.[0];
    for (const version of this.versions.values()) version.stages = version.stages.filter((stage) => stage !== label);
    this.versions.get(to)?.stages.push(label);
    if (label === 'AWSCURRENT' && from !== undefined && from !== to) this.move('AWSPREVIOUS', from);
  }

  wire(): void {
    iamMock.on(ListAccessKeysCommand).callsFake((req: { UserName?: string }) =>
      this.run('ListAccessKeys', () => ({ AccessKeyMetadata: this.keys.map((key) => ({ UserName: req.UserName, AccessKeyId: key.id, Status: key.status })), IsTruncated: false })),
    );
    iamMock.on(CreateAccessKeyCommand).callsFake((req: { UserName?: string }) =>
      this.run('CreateAccessKey', () => {
        if (this.keys.length >= 2) throw new IamLimitExceededException({ $metadata: {}, message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
        const key = this.addKey();
        return { AccessKey: { UserName: req.UserName, AccessKeyId: key.id, SecretAccessKey: key.secretAccessKey, Status: 'Active' as const } };
      }),
    );
    iamMock.on(DeleteAccessKeyCommand).callsFake((req: { AccessKeyId?: string }) =>
      this.run('DeleteAccessKey', () => {
        if (!this.keys.some((key) => key.id === req.AccessKeyId)) throw new NoSuchEntityException({ $metadata: {}, message: `The Access Key with id ${req.AccessKeyId} cannot be found.` });
        this.keys = this.keys.filter((key) => key.id !== req.AccessKeyId);
        return {};
      }),
    );
    iamMock.on(UpdateAccessKeyCommand).callsFake((req: { AccessKeyId?: string; Status?: 'Active' | 'Inactive' }) =>
      this.run('UpdateAccessKey', () => {
        const key = this.keys.find((held) => held.id === req.AccessKeyId);
        if (!key) throw new NoSuchEntityException({ $metadata: {}, message: `The Access Key with id ${req.AccessKeyId} cannot be found.` });
        key.status = req.Status ?? key.status;
        return {};
      }),
    );
    secretsMock.on(DescribeSecretCommand).callsFake(() =>
      this.run('DescribeSecret', () => ({
        ARN: secretArn,
        Name: this.name,
        Tags: this.tags,
        RotationEnabled: this.rotationEnabled,
        LastRotatedDate: this.lastRotated,
        VersionIdsToStages: Object.fromEntries([...this.versions.entries()].filter(([, version]) => version.stages.length > 0).map(([id, version]) => [id, [...version.stages]])),
      })),
    );
    secretsMock.on(GetSecretValueCommand).callsFake((req: { VersionId?: string; VersionStage?: string }) =>
      this.run('GetSecretValue', () => {
        const stage = req.VersionStage ?? (req.VersionId ? undefined : 'AWSCURRENT');
        const found = req.VersionId ? this.versions.get(req.VersionId) : this.versionWith(stage ?? '')?.[1];
        if (!found?.value || (stage && !found.stages.includes(stage))) {
          throw new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret value for staging label: " + String(stage) });
        }
        return { ARN: secretArn, Name: this.name, SecretString: found.value, VersionStages: [...found.stages], ...(found.created ? { CreatedDate: found.created } : {}) };
      }),
    );
    secretsMock.on(PutSecretValueCommand).callsFake((req: { ClientRequestToken?: string; SecretString?: string; VersionStages?: string[] }) =>
      this.run('PutSecretValue', () => {
        const token = req.ClientRequestToken ?? 'generated';
        const existing = this.versions.get(token);
        if (existing?.value !== undefined && existing.value !== req.SecretString) {
          throw new ResourceExistsException({ $metadata: {}, message: 'A resource with the ID you requested already exists.' });
        }
        this.versions.set(token, { value: req.SecretString, stages: existing?.stages ?? [], created: existing?.created ?? clock });
        for (const stage of req.VersionStages ?? ['AWSCURRENT']) this.move(stage, token);
        return { ARN: secretArn, Name: this.name, VersionId: token };
      }),
    );
    secretsMock.on(UpdateSecretVersionStageCommand).callsFake((req: { VersionStage?: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) =>
      this.run('UpdateSecretVersionStage', () => {
        const label = req.VersionStage ?? '';
        const holder = this.versionWith(label)?.[0];
        if (req.RemoveFromVersionId !== undefined && holder !== req.RemoveFromVersionId) {
          throw new InvalidParameterException({ $metadata: {}, message: `The staging label ${label} is not attached to version ${req.RemoveFromVersionId}.` });
        }
        if (req.MoveToVersionId !== undefined && holder !== undefined && holder !== req.MoveToVersionId && req.RemoveFromVersionId === undefined) {
          throw new InvalidParameterException({ $metadata: {}, message: `The staging label ${label} is attached to version ${holder}: name it in RemoveFromVersionId.` });
        }
        if (req.MoveToVersionId !== undefined) this.move(label, req.MoveToVersionId);
        else for (const version of this.versions.values()) version.stages = version.stages.filter((stage) => stage !== label);
        return { ARN: secretArn, Name: this.name };
      }),
    );
  }
}

function valueFor(key: { id: string; secretAccessKey: string }, prefix?: string): string {
  return JSON.stringify({ accessKeyId: key.id, secretAccessKey: key.secretAccessKey, bucket: BUCKET, ...(prefix ? { prefix } : {}), region: 'us-east-1', userName: user.userName });
}

const networkError = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
const invalidAccessKeyId = () => new S3ServiceException({ name: 'InvalidAccessKeyId', $fault: 'client', $metadata: {}, message: 'The AWS Access Key Id you provided does not exist in our records.' });
const invalidClientTokenId = () => new STSServiceException({ name: 'InvalidClientTokenId', $fault: 'client', $metadata: {}, message: 'The security token included in the request is invalid.' });

let account: FakeAccount;
let clock: Date;
/** Everything the rotation said: log lines, results, errors (message and cause). */
let said: string[];
let signedWith: { key: TenantKey; region: string }[];
let slept: number[];

function deps() {
  const record = (...args: unknown[]) => void said.push(JSON.stringify(args));
  return {
    iam,
    secretsManager,
    eventBridge,
    asTenant: (key: TenantKey, region: string) => {
      signedWith.push({ key, region });
      return { sts: new STSClient({ credentials: key }), s3: new S3Client({ credentials: key, region }), destroy: () => undefined };
    },
    config,
    logger: { info: record, warn: record },
    now: () => clock,
    sleep: async (ms: number) => void slept.push(ms),
  };
}

/** One invocation as Secrets Manager makes it; what it returns or throws is recorded in `said`. */
async function invoke(Step: RotationStep, token: string, overrides: Partial<ReturnType<typeof deps>> = {}): Promise<TenantRotationResult> {
  try {
    const result = await rotateTenantCredentials({ Step, SecretId: secretArn, ClientRequestToken: token }, { ...deps(), ...overrides });
    said.push(JSON.stringify(result));
    return result;
  } catch (err) {
    said.push(String(err), String((err as Error).stack), String((err as Error).cause));
    throw err;
  }
}

/** A whole rotation, as Secrets Manager runs it, ending when it records the rotation's success. */
async function rotate(token: string): Promise<void> {
  account.startRotation(token);
  for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await invoke(step, token);
  account.lastRotated = clock;
}

beforeEach(() => {
  stsMock.reset();
  s3Mock.reset();
  account = new FakeAccount();
  account.wire();
  clock = T0;
  said = [];
  signedWith = [];
  slept = [];
  stsMock.on(GetCallerIdentityCommand).resolves({ Arn: user.arn, Account: config.accountId, UserId: user.userId });
  s3Mock.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
});

afterEach(() => {
  // No secret access key reaches a log line, a step's result or an error.
  const text = said.join('\n');
  for (const secret of account.issuedSecrets) expect(text).not.toContain(secret);
  expect(account.mostKeysHeld).toBeLessThanOrEqual(2);
});

describe('rotateTenantCredentials', () => {
  describe('createSecret', () => {
    it('creates a second key and stages it AWSPENDING under the token, copying the bucket, leaving the current key and version alone', async () => {
      const current = account.provisioned();
      account.startRotation('t1');

      const result = await invoke('createSecret', 't1');

      const created = account.keys.find((key) => key.id !== current.id);
      expect(result).toEqual({ step: 'createSecret', outcome: 'created', accessKeyId: created?.id, deletedAccessKeyIds: [] });
      expect(account.keys.map((key) => [key.id, key.status])).toEqual([
        [current.id, 'Active'],
        [created?.id, 'Active'],
      ]);
      expect(JSON.parse(account.versions.get('t1')?.value ?? '{}')).toEqual({
        accessKeyId: created?.id,
        secretAccessKey: created?.secretAccessKey,
        bucket: BUCKET,
        region: 'us-east-1',
        userName: user.userName,
      });
      expect(account.versions.get('t1')?.stages).toEqual(['AWSPENDING']);
      expect(account.keyIdIn('AWSCURRENT')).toBe(current.id);
      expect(secretsMock).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: secretArn, ClientRequestToken: 't1', VersionStages: ['AWSPENDING'] });
      expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    });

    it("keeps a prefix tenant's prefix in the new version", async () => {
      const prefix = samplePrefixBucket().prefix;
      account.provisioned(prefix);
      account.startRotation('t1');

      await invoke('createSecret', 't1');

      expect(JSON.parse(account.versions.get('t1')?.value ?? '{}')).toMatchObject({ bucket: BUCKET, prefix });
    });

    it('does nothing when repeated: the AWSPENDING value of the token exists', async () => {
      account.provisioned();
      account.startRotation('t1');
      const first = await invoke('createSecret', 't1');

      const again = await invoke('createSecret', 't1');

      expect(again).toEqual({ step: 'createSecret', outcome: 'already-created', accessKeyId: first.accessKeyId });
      expect(iamMock).toHaveReceivedCommandTimes(CreateAccessKeyCommand, 1);
      expect(secretsMock).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
      expect(account.keys).toHaveLength(2);
    });

    it('after a crash between CreateAccessKey and PutSecretValue, the retry deletes the stray and stages a new key: never a third, the current one untouched', async () => {
      const current = account.provisioned();
      account.startRotation('t1');
      account.failNext('PutSecretValue', networkError());
      await expect(invoke('createSecret', 't1')).rejects.toThrow('socket hang up');
      const stray = account.keys.find((key) => key.id !== current.id);
      expect(account.keys).toHaveLength(2);

      const retried = await invoke('createSecret', 't1');

      expect(retried.deletedAccessKeyIds).toEqual([stray?.id]);
      expect(account.keys.map((key) => key.id)).toEqual([current.id, retried.accessKeyId]);
      expect(account.keyIdIn('AWSPENDING')).toBe(retried.accessKeyId);
      expect(account.keyIdIn('AWSCURRENT')).toBe(current.id);
      expect(iamMock).not.toHaveReceivedCommandWith(DeleteAccessKeyCommand, { AccessKeyId: current.id });
      expect(account.log.filter((op) => op === 'CreateAccessKey')).toHaveLength(2);
    });

    it('after a PutSecretValue that stored the key but timed out, the retry keeps that key', async () => {
      account.provisioned();
      account.startRotation('t1');
      account.failNext('PutSecretValue', networkError(), true);
      await expect(invoke('createSecret', 't1')).rejects.toThrow('socket hang up');

      const retried = await invoke('createSecret', 't1');

      expect(retried.outcome).toBe('already-created');
      expect(iamMock).toHaveReceivedCommandTimes(CreateAccessKeyCommand, 1);
      expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    });

    it("deletes the key of an abandoned rotation's AWSPENDING version (never current) before staging its own", async () => {
      const current = account.provisioned();
      account.startRotation('abandoned');
      await invoke('createSecret', 'abandoned');
      const abandoned = account.keyIdIn('AWSPENDING');
      account.startRotation('t2');

      const result = await invoke('createSecret', 't2');

      expect(result.deletedAccessKeyIds).toEqual([abandoned]);
      expect(account.keys.map((key) => key.id)).toEqual([current.id, result.accessKeyId]);
    });

    it('tells IAM settling (AccessKeyQuotaSettlingError, transient) from a real limit when CreateAccessKey is refused', async () => {
      account.provisioned();
      account.startRotation('t1');
      account.failNext('CreateAccessKey', new IamLimitExceededException({ $metadata: {}, message: 'Cannot exceed quota for AccessKeysPerUser: 2' }));

      const run = invoke('createSecret', 't1');

      await expect(run).rejects.toThrow(AccessKeyQuotaSettlingError);
      await expect(run).rejects.toBeInstanceOf(TransientError);
    });

    it('refuses (TenantQuotaExceededError) when the user still holds two keys after making room, e.g. a key created meanwhile', async () => {
      account.provisioned();
      account.startRotation('t1');
      iamMock.on(DeleteAccessKeyCommand).resolves({});
      account.addKey();

      await expect(invoke('createSecret', 't1')).rejects.toThrow(TenantQuotaExceededError);
      expect(account.versions.get('t1')?.value).toBeUndefined();
    });

    it.each([
      ['inactive (the teardown revoked it)', 'Inactive' as const],
      ['gone', undefined],
    ])('refuses to give a key to a tenant whose current key is %s', async (_label, status) => {
      const current = account.provisioned();
      if (status) account.keys[0]!.status = status;
      else account.keys = [];
      account.startRotation('t1');

      await expect(invoke('createSecret', 't1')).rejects.toThrow(TenantRotationRequestError);
      await expect(invoke('createSecret', 't1')).rejects.toThrow(new RegExp(`${current.id} .* is ${status ? 'inactive' : 'gone'}`));
      expect(iamMock).toHaveReceivedCommandTimes(CreateAccessKeyCommand, 0);
      expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    });
  });

  describe('setSecret', () => {
    it('has nothing to set: an IAM key is live when created, so it calls neither IAM nor STS', async () => {
      account.provisioned();
      account.startRotation('t1');
      await invoke('createSecret', 't1');
      iamMock.resetHistory();

      await expect(invoke('setSecret', 't1')).resolves.toEqual({ step: 'setSecret', outcome: 'nothing-to-set' });
      await expect(invoke('setSecret', 't1')).resolves.toEqual({ step: 'setSecret', outcome: 'nothing-to-set' });
      expect(iamMock.calls()).toHaveLength(0);
      expect(signedWith).toEqual([]);
    });
  });

  describe('testSecret', () => {
    it("signs as the tenant with the AWSPENDING key: STS names the tenant user and its own bucket lists; safe to repeat", async () => {
      account.provisioned();
      account.startRotation('t1');
      const { accessKeyId } = await invoke('createSecret', 't1');
      const pending = account.keys.find((key) => key.id === accessKeyId);

      await expect(invoke('testSecret', 't1')).resolves.toEqual({ step: 'testSecret', outcome: 'tested', accessKeyId });
      await expect(invoke('testSecret', 't1')).resolves.toEqual({ step: 'testSecret', outcome: 'tested', accessKeyId });

      expect(signedWith).toEqual([
        { key: { accessKeyId, secretAccessKey: pending?.secretAccessKey }, region: 'us-east-1' },
        { key: { accessKeyId, secretAccessKey: pending?.secretAccessKey }, region: 'us-east-1' },
      ]);
      expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: BUCKET, ExpectedBucketOwner: config.accountId, MaxKeys: 1 });
      expect(account.keyIdIn('AWSCURRENT')).not.toBe(accessKeyId);
    });

    it("lists a prefix tenant's own prefix", async () => {
      const prefix = samplePrefixBucket().prefix;
      account.provisioned(prefix);
      account.startRotation('t1');
      await invoke('createSecret', 't1');

      await invoke('testSecret', 't1');

      expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: BUCKET, Prefix: prefix, MaxKeys: 1 });
    });

    it('waits while IAM propagates the new key, then passes', async () => {
      account.provisioned();
      account.startRotation('t1');
      await invoke('createSecret', 't1');
      stsMock.on(GetCallerIdentityCommand).rejectsOnce(invalidClientTokenId()).resolves({ Arn: user.arn });
      s3Mock.on(ListObjectsV2Command).rejectsOnce(invalidAccessKeyId()).resolves({ KeyCount: 0 });

      await expect(invoke('testSecret', 't1')).resolves.toMatchObject({ outcome: 'tested' });
      expect(slept).toEqual([250, 500]);
    });

    it('throws TenantCredentialsNotReadyError (transient) while S3 answers InvalidAccessKeyId past its budget, naming the key id, never its secret; the current key stays current', async () => {
      const current = account.provisioned();
      account.startRotation('t1');
      const { accessKeyId } = await invoke('createSecret', 't1');
      s3Mock.on(ListObjectsV2Command).rejects(invalidAccessKeyId());
      let now = Date.now();
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      try {
        const run = invoke('testSecret', 't1', { sleep: async (ms: number) => void ((now += ms), slept.push(ms)) });
        await expect(run).rejects.toThrow(TenantCredentialsNotReadyError);
        await expect(run).rejects.toBeInstanceOf(TransientError);
        await expect(run).rejects.toThrow(new RegExp(`${accessKeyId}.*S3: InvalidAccessKeyId`));
      } finally {
        jest.restoreAllMocks();
      }
      expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30_000);
      expect(account.keyIdIn('AWSCURRENT')).toBe(current.id);
      expect(account.keys.every((key) => key.status === 'Active')).toBe(true);
    });

    it('refuses a key that signs as another principal (TenantSecretConflictError), without trying again', async () => {
      account.provisioned();
      account.startRotation('t1');
      await invoke('createSecret', 't1');
      stsMock.on(GetCallerIdentityCommand).resolves({ Arn: `arn:aws:iam::${config.accountId}:user/tenants/test/rms_someone-else` });

      await expect(invoke('testSecret', 't1')).rejects.toThrow(TenantSecretConflictError);
      expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    });
  });

  describe('finishSecret', () => {
    it('moves AWSCURRENT to the new version and takes AWSPENDING off it; AWSPREVIOUS now names the previous key, which stays active', async () => {
      const current = account.provisioned();
      account.startRotation('t1');
      const { accessKeyId } = await invoke('createSecret', 't1');

      await expect(invoke('finishSecret', 't1')).resolves.toEqual({ step: 'finishSecret', outcome: 'finished', accessKeyId, eventId: 'event-1' });

      expect(secretsMock).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, { SecretId: secretArn, VersionStage: 'AWSCURRENT', MoveToVersionId: 't1', RemoveFromVersionId: 'v0' });
      expect(account.versions.get('t1')?.stages).toEqual(['AWSCURRENT']);
      expect(account.versions.get('v0')?.stages).toEqual(['AWSPREVIOUS']);
      expect(account.keyIdIn('AWSCURRENT')).toBe(accessKeyId);
      expect(account.keyIdIn('AWSPREVIOUS')).toBe(current.id);
      expect(account.keys.map((key) => key.status)).toEqual(['Active', 'Active']);
      expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    });

    it('does nothing the second time: the version is already AWSCURRENT (as every step then does)', async () => {
      account.provisioned();
      await rotate('t1');
      secretsMock.resetHistory();

      for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) {
        await expect(invoke(step, 't1')).resolves.toEqual({ step, outcome: 'already-current' });
      }
      // finishSecret announces the rotation again: a retry after the stage moved but before the event was put.
      await expect(invoke('finishSecret', 't1')).resolves.toEqual({ step: 'finishSecret', outcome: 'already-current', accessKeyId: account.keyIdIn('AWSCURRENT'), eventId: 'event-1' });
      expect(secretsMock).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 0);
      expect(secretsMock).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
      expect(iamMock).toHaveReceivedCommandTimes(CreateAccessKeyCommand, 1);
    });

    it('announces TenantCredentialsRotated with the key ids, the version and the end of the overlap, never a secret', async () => {
      const previous = account.provisioned();
      await rotate('t1');

      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
      const entry = eventBridgeMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
      expect(entry).toMatchObject({ Source: config.eventSource, DetailType: 'TenantCredentialsRotated', EventBusName: config.eventBusName });
      const detail = JSON.parse(entry?.Detail ?? '{}') as Record<string, unknown>;
      expect(detail).toEqual({
        orgId: tenant.orgId,
        userName: user.userName,
        credentials: { secretArn, secretName: tenant.secretName },
        versionId: 't1',
        accessKeyId: account.keyIdIn('AWSCURRENT'),
        previousAccessKeyId: previous.id,
        previousKeyActiveUntil: new Date(T0.getTime() + CONFIG_DEFAULTS.previousKeyOverlapDays * DAY_MS).toISOString(),
        rotatedAt: T0.toISOString(),
      });
      expect(() => assertTenantCredentialsRotatedDetail(detail)).not.toThrow();
      for (const secret of account.issuedSecrets) expect(entry?.Detail).not.toContain(secret);
    });

    it('fails (for Secrets Manager to retry) when EventBridge rejects the event, after the stage moved; the retry announces it', async () => {
      account.provisioned();
      account.startRotation('t1');
      await invoke('createSecret', 't1');
      eventBridgeMock
        .on(PutEventsCommand)
        .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] })
        .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });

      await expect(invoke('finishSecret', 't1')).rejects.toThrow(/TenantCredentialsRotated|rejected|InternalFailure/);
      expect(account.versions.get('t1')?.stages).toEqual(['AWSCURRENT']);
      await expect(invoke('finishSecret', 't1')).resolves.toMatchObject({ outcome: 'already-current', eventId: 'event-1' });
      expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    });
  });

  describe('the configuration test (RotateSecret with RotateImmediately false)', () => {
    it('proves the current key when the AWSPENDING version holds no value, creating nothing', async () => {
      const current = account.provisioned();
      account.startRotation('check');

      await expect(invoke('testSecret', 'check')).resolves.toEqual({ step: 'testSecret', outcome: 'tested', accessKeyId: current.id });
      expect(signedWith.map(({ key }) => key.accessKeyId)).toEqual([current.id]);
      expect(iamMock).toHaveReceivedCommandTimes(CreateAccessKeyCommand, 0);
      expect(secretsMock).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
    });
  });

  describe('a teardown revoking the tenant during a rotation', () => {
    it('deletes the key createSecret made when rotation was cancelled meanwhile (the revocation listed the keys before it existed)', async () => {
      const current = account.provisioned();
      account.startRotation('t1');
      // The revocation cancels rotation right after createSecret listed the keys and before its key is made.
      iamMock.on(CreateAccessKeyCommand).callsFake((req: { UserName?: string }) => {
        account.rotationEnabled = false;
        const key = account.addKey();
        return { AccessKey: { UserName: req.UserName, AccessKeyId: key.id, SecretAccessKey: key.secretAccessKey, Status: 'Active' as const } };
      });

      await expect(invoke('createSecret', 't1')).rejects.toThrow(TenantRotationRequestError);
      expect(account.keys.map((key) => key.id)).toEqual([current.id]);
      expect(secretsMock).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
      for (const secret of account.issuedSecrets) expect(said.join('\n')).not.toContain(secret);
    });
  });

  describe('the request', () => {
    it.each(['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)('%s refuses a token that is no version of the secret (TenantRotationRequestError), changing nothing', async (step) => {
      account.provisioned();
      account.startRotation('t1');

      await expect(invoke(step, 'unknown-token')).rejects.toThrow(/Secret version unknown-token has no stage for rotation/);
      expect(iamMock.calls()).toHaveLength(0);
      expect(secretsMock).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
      expect(secretsMock).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 0);
    });

    it('refuses a version that is not staged AWSPENDING (the previous one)', async () => {
      account.provisioned();
      await rotate('t1');

      await expect(invoke('finishSecret', 'v0')).rejects.toThrow(new TenantRotationRequestError(`Secret version v0 of secret ${tenant.secretName} is not staged AWSPENDING`));
      expect(account.keyIdIn('AWSCURRENT')).toBe(account.keys[1]?.id);
    });

    it('refuses a secret whose rotation is not enabled, before reading any value', async () => {
      account.provisioned();
      account.startRotation('t1');
      account.rotationEnabled = false;

      await expect(invoke('createSecret', 't1')).rejects.toThrow(new TenantRotationRequestError(`Secret ${tenant.secretName} is not enabled for rotation`));
      expect(account.log).toEqual(['DescribeSecret']);
    });

    it('refuses an unknown step before any call', async () => {
      await expect(invoke('rotateEverything' as RotationStep, 't1')).rejects.toThrow(TenantRotationRequestError);
      expect(secretsMock.calls()).toHaveLength(0);
    });

    it.each([
      ['named outside this stage', () => void (account.name = 'fusion-rms/prod/acme-bistro-42/credentials')],
      ['not tagged ManagedBy=tenant-provisioner', () => void (account.tags = [])],
      ['without an OrgId tag (its rotation could not be announced for an org)', () => void (account.tags = account.tags.filter((tag) => tag.Key !== 'OrgId'))],
    ])('refuses a secret %s (TenantSecretConflictError)', async (_label, change) => {
      account.provisioned();
      account.startRotation('t1');
      change();

      await expect(invoke('createSecret', 't1')).rejects.toThrow(TenantSecretConflictError);
      expect(iamMock.calls()).toHaveLength(0);
    });

    it('refuses a secret that does not exist', async () => {
      secretsMock.on(DescribeSecretCommand).rejects(noSuchSecret());

      await expect(invoke('createSecret', 't1')).rejects.toThrow(TenantRotationRequestError);
    });

    it('refuses a current value that holds no tenant credentials, never quoting it', async () => {
      account.provisioned();
      account.versions.get('v0')!.value = '{"password":"wJalrFAKE/secret+access+key/1"';
      account.startRotation('t1');

      await expect(invoke('createSecret', 't1')).rejects.toThrow(TenantSecretConflictError);
      expect(iamMock).toHaveReceivedCommandTimes(CreateAccessKeyCommand, 0);
    });
  });

  describe('the previous key across rotations', () => {
    it(`stays active for the overlap (${CONFIG_DEFAULTS.previousKeyOverlapDays} days by default), is deactivated after it, and deleted by the next rotation`, async () => {
      const first = account.provisioned();
      await rotate('t1');
      const second = account.keyIdIn('AWSCURRENT');

      clock = new Date(T0.getTime() + 6 * DAY_MS);
      await expect(retirePreviousTenantKey({ SecretId: secretArn }, deps())).resolves.toEqual({
        outcome: 'in-overlap',
        accessKeyId: first.id,
        overlapEndsAt: new Date(T0.getTime() + 7 * DAY_MS).toISOString(),
      });
      expect(account.keys.map((key) => key.status)).toEqual(['Active', 'Active']);

      clock = new Date(T0.getTime() + 7 * DAY_MS);
      await expect(retirePreviousTenantKey({ SecretId: secretArn }, deps())).resolves.toEqual({ outcome: 'deactivated', accessKeyId: first.id });
      await expect(retirePreviousTenantKey({ SecretId: secretArn }, deps())).resolves.toEqual({ outcome: 'already-inactive', accessKeyId: first.id });
      expect(account.keys.map((key) => [key.id, key.status])).toEqual([
        [first.id, 'Inactive'],
        [second, 'Active'],
      ]);

      clock = new Date(T0.getTime() + 90 * DAY_MS);
      account.startRotation('t2');
      const created = await invoke('createSecret', 't2');

      expect(created.deletedAccessKeyIds).toEqual([first.id]);
      expect(account.keys.map((key) => key.id)).toEqual([second, created.accessKeyId]);
    });

    it('lets the next rotation delete an active previous key once its overlap has passed (nothing retired it)', async () => {
      const first = account.provisioned();
      await rotate('t1');
      clock = new Date(T0.getTime() + 90 * DAY_MS);
      account.startRotation('t2');

      const created = await invoke('createSecret', 't2');

      expect(created.deletedAccessKeyIds).toEqual([first.id]);
    });

    it('refuses (TenantKeyOverlapError) to delete an active previous key still in its overlap, and deletes nothing', async () => {
      const first = account.provisioned();
      await rotate('t1');
      clock = new Date(T0.getTime() + DAY_MS);
      account.startRotation('t2');

      await expect(invoke('createSecret', 't2')).rejects.toThrow(TenantKeyOverlapError);
      await expect(invoke('createSecret', 't2')).rejects.toThrow(new RegExp(`${first.id}.*until ${new Date(T0.getTime() + 7 * DAY_MS).toISOString()}`));
      expect(account.keys).toHaveLength(2);
      expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 0);
    });

    it('takes the overlap from the stage (previousKeyOverlapDays)', async () => {
      const first = account.provisioned();
      await rotate('t1');
      clock = new Date(T0.getTime() + DAY_MS);
      account.startRotation('t2');

      const created = await invoke('createSecret', 't2', { previousKeyOverlapDays: 1 } as Partial<ReturnType<typeof deps>>);

      expect(created.deletedAccessKeyIds).toEqual([first.id]);
    });

    it('counts the overlap from the current version when the rotation that made it was not recorded (finishSecret moved AWSCURRENT, then failed): the key it demoted is kept', async () => {
      account.provisioned();
      await rotate('t1');
      clock = new Date(T0.getTime() + (CONFIG_DEFAULTS.previousKeyOverlapDays + 1) * DAY_MS);
      account.startRotation('t2');
      await invoke('createSecret', 't2');
      const demoted = account.keyIdIn('AWSCURRENT');
      eventBridgeMock.on(PutEventsCommand).rejects(new Error('EventBridge unreachable'));
      await expect(invoke('finishSecret', 't2')).rejects.toThrow('EventBridge unreachable');
      // Secrets Manager records no rotation that failed: LastRotatedDate stays at t1's.
      expect(account.lastRotated).toEqual(T0);
      clock = new Date(clock.getTime() + 60_000);

      account.startRotation('t3');
      await expect(invoke('createSecret', 't3')).rejects.toThrow(TenantKeyOverlapError);
      expect(account.keys.map((key) => `${key.id}:${key.status}`)).toEqual([`${String(demoted)}:Active`, `${String(account.keyIdIn('AWSCURRENT'))}:Active`]);
    });

    it('treats an active previous key as still in its overlap when neither the last rotation nor the current version is dated', async () => {
      account.provisioned();
      await rotate('t1');
      account.lastRotated = undefined;
      for (const version of account.versions.values()) delete version.created;
      clock = new Date(T0.getTime() + 90 * DAY_MS);
      account.startRotation('t2');

      await expect(invoke('createSecret', 't2')).rejects.toThrow(/when its overlap began is not known/);
      await expect(retirePreviousTenantKey({ SecretId: secretArn }, deps())).resolves.toMatchObject({ outcome: 'in-overlap' });
    });

    it('retires nothing before the first rotation', async () => {
      account.provisioned();

      await expect(retirePreviousTenantKey({ SecretId: secretArn }, deps())).resolves.toEqual({ outcome: 'no-previous-key' });
      expect(iamMock.calls()).toHaveLength(0);
    });
  });

  describe('rotateTenantCredentialsHandler', () => {
    it('runs a step behind middy with the Lambda context', async () => {
      account.provisioned();
      account.startRotation('t1');
      const handler = rotateTenantCredentialsHandler({ ...deps(), logger: createLogger() });

      const result = (await handler({ Step: 'createSecret', SecretId: secretArn, ClientRequestToken: 't1', RotationToken: 'rotation-token' }, fakeLambdaContext())) as TenantRotationResult;

      said.push(JSON.stringify(result));
      expect(result.outcome).toBe('created');
      expect(secretsMock).toHaveReceivedCommandWith(PutSecretValueCommand, { ClientRequestToken: 't1', RotationToken: 'rotation-token' });
    });
  });
});
