/**
 * ProveTenantCredentials with mocked clients and the SDK's real exception classes: what AWS answers
 * for a key IAM has not yet propagated (InvalidClientTokenId from STS, InvalidAccessKeyId from S3)
 * cannot be produced by the emulator, which accepts any key at once (DESIGN.md §10).
 */
import { ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CONFIG_DEFAULTS, loadConfig } from '../../../functions/lib/config';
import { TenantCredentialsNotReadyError, TenantSecretConflictError } from '../../../functions/lib/errors';
import { tenantSecretString } from '../../../functions/lib/tenant-secret';
import { PROOF_BUDGET_MS, proveTenantCredentials, type TenantKey } from '../../../functions/prove-tenant-credentials';
import { samplePrefixBucket, sampleBucket, sampleTenant, sampleUser } from '../../support/fixtures';
import { recordingRotationSchedule } from '../../support/rotation-schedule';

const smMock = mockClient(SecretsManagerClient);
const stsMock = mockClient(STSClient);
const s3Mock = mockClient(S3Client);
const meta = { $metadata: {} };
const config = loadConfig();

const user = sampleUser();
const bucket = sampleBucket({ name: 'fusion-rms-acme-bistro-42' });
const KEY: TenantKey = { accessKeyId: 'AKIAPROVEN0000000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET01' };
const credentials = { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/test/acme-bistro-42/credentials-AbCdEf', secretName: 'fusion-rms/test/acme-bistro-42/credentials', accessKeyId: KEY.accessKeyId, issued: true };
const input = { tenant: sampleTenant(), bucket, user, credentials };

const invalidClientTokenId = () => new STSServiceException({ name: 'InvalidClientTokenId', $fault: 'client', ...meta, message: 'The security token included in the request is invalid.' });
const invalidAccessKeyId = () => new S3ServiceException({ name: 'InvalidAccessKeyId', $fault: 'client', ...meta, message: 'The AWS Access Key Id you provided does not exist in our records.' });

/** The clients the step signs with, and the keys and regions it made them for. */
let madeFor: { key: TenantKey; region: string }[];
let destroyed: number;
let slept: number[];
let keyRotation: ReturnType<typeof recordingRotationSchedule>;
function deps() {
  return {
    secretsManager: new SecretsManagerClient({}),
    keyRotation,
    asTenant: (key: TenantKey, region: string) => {
      madeFor.push({ key, region });
      return { sts: new STSClient({ credentials: key }), s3: new S3Client({ credentials: key, region }), destroy: () => void (destroyed += 1) };
    },
    config,
    sleep: async (ms: number) => void slept.push(ms),
  };
}

beforeEach(() => {
  smMock.reset();
  stsMock.reset();
  s3Mock.reset();
  madeFor = [];
  destroyed = 0;
  slept = [];
  keyRotation = recordingRotationSchedule();
  smMock.on(GetSecretValueCommand).resolves({ SecretString: tenantSecretString({ ...KEY, bucket: bucket.name, region: 'us-east-1', userName: user.userName }) });
  stsMock.on(GetCallerIdentityCommand).resolves({ Arn: user.arn, Account: '123456789012', UserId: user.userId });
  s3Mock.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
});

describe('proveTenantCredentials', () => {
  it('signs as the tenant with the key its secret holds: STS says it is the tenant user, and its own bucket lists', async () => {
    const proof = await proveTenantCredentials(input, deps());

    expect(proof).toEqual({ accessKeyId: KEY.accessKeyId, attempts: 1, waitedMs: expect.any(Number), rotationDays: CONFIG_DEFAULTS.rotationDays });
    expect(smMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: credentials.secretArn });
    expect(madeFor).toEqual([{ key: KEY, region: 'us-east-1' }]);
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: bucket.name, ExpectedBucketOwner: config.accountId, MaxKeys: 1 });
    expect(destroyed).toBe(1);
    expect(slept).toEqual([]);
    expect(keyRotation.calls).toEqual([`schedule ${credentials.secretArn} every ${CONFIG_DEFAULTS.rotationDays} days`]);
  });

  it('schedules no rotation in a stage that rotates no key on a schedule (rotationDays 0)', async () => {
    const proof = await proveTenantCredentials(input, { ...deps(), config: { ...config, rotationDays: 0 } });

    expect(proof).toEqual({ accessKeyId: KEY.accessKeyId, attempts: 1, waitedMs: expect.any(Number) });
    expect(keyRotation.calls).toEqual([]);
  });

  it('schedules no rotation of a key it could not prove', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/someone-else' });

    await expect(proveTenantCredentials(input, deps())).rejects.toThrow(TenantSecretConflictError);
    expect(keyRotation.calls).toEqual([]);
  });

  it("lists a prefix tenant's own prefix of the shared bucket, which is all its prefix policy allows", async () => {
    const prefixBucket = samplePrefixBucket();
    await proveTenantCredentials({ ...input, bucket: prefixBucket }, deps());

    expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: prefixBucket.name, Prefix: prefixBucket.prefix, MaxKeys: 1 });
  });

  it('tries again while IAM propagates the new key (InvalidClientTokenId, then InvalidAccessKeyId), pausing 250 ms rising', async () => {
    stsMock.on(GetCallerIdentityCommand).rejectsOnce(invalidClientTokenId()).rejectsOnce(invalidClientTokenId()).resolves({ Arn: user.arn });
    s3Mock.on(ListObjectsV2Command).rejectsOnce(invalidAccessKeyId()).resolves({ KeyCount: 0 });

    const proof = await proveTenantCredentials(input, deps());

    expect(proof.attempts).toBe(4);
    expect(slept).toEqual([250, 500, 1_000]);
    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 4);
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
  });

  it('gives the wait to the ASL (TenantCredentialsNotReadyError, transient) once its budget is spent, naming the key id but never the secret', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(invalidClientTokenId());
    let clock = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
    // 8 s left of the Lambda's time, less the 5 s margin: 3 s to try in.
    const run = proveTenantCredentials(input, { ...deps(), sleep: async (ms: number) => void ((clock += ms), slept.push(ms)) }, { getRemainingTimeInMillis: () => 8_000 });

    await expect(run).rejects.toThrow(TenantCredentialsNotReadyError);
    await expect(run).rejects.toThrow(/AKIAPROVEN0000000001.*STS: InvalidClientTokenId/);
    await expect(run).rejects.not.toThrow(/wJalr/);
    jest.restoreAllMocks();
    expect(slept).toEqual([250, 500, 1_000]);
    expect(destroyed).toBe(1);
  });

  it(`never tries longer than ${PROOF_BUDGET_MS / 1000} s in one invocation, however long the Lambda may run`, async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(invalidClientTokenId());
    const realNow = Date.now;
    let clock = realNow();
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
    try {
      const run = proveTenantCredentials(input, { ...deps(), sleep: async (ms: number) => void ((clock += ms), slept.push(ms)) }, { getRemainingTimeInMillis: () => 900_000 });
      await expect(run).rejects.toThrow(TenantCredentialsNotReadyError);
    } finally {
      jest.restoreAllMocks();
    }
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(PROOF_BUDGET_MS);
    expect(slept.reduce((a, b) => a + b, 0)).toBeGreaterThan(PROOF_BUDGET_MS - 2_000);
  });

  it('refuses a key that belongs to another principal (TenantSecretConflictError), without trying again', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/someone-else' });

    await expect(proveTenantCredentials(input, deps())).rejects.toThrow(TenantSecretConflictError);
    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it('refuses a secret that holds no credentials (TenantSecretConflictError), signing nothing', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"note":"not credentials"}' });

    await expect(proveTenantCredentials(input, deps())).rejects.toThrow(TenantSecretConflictError);
    expect(madeFor).toEqual([]);
  });

  it('rethrows any other error at once (throttling is the ASL retrier\'s)', async () => {
    const throttled = new S3ServiceException({ name: 'SlowDown', $fault: 'server', ...meta, message: 'Please reduce your request rate.' });
    s3Mock.on(ListObjectsV2Command).rejects(throttled);

    await expect(proveTenantCredentials(input, deps())).rejects.toBe(throttled);
    expect(slept).toEqual([]);
    expect(destroyed).toBe(1);
  });
});
