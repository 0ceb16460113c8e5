import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import 'aws-sdk-client-mock-jest';
import {
  GetUserCommand,
  IAMServiceException,
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
  type AccessKeyMetadata,
  type Tag,
} from '@aws-sdk/client-iam';
import { DeleteBucketPolicyCommand, GetBucketTaggingCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, InvalidRequestException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/lambda/revoke-tenant-access';
import { revokeTenantAccess, type RevokeTenantAccessInput } from '../../../functions/revoke-tenant-access';
import { loadConfig } from '../../../functions/lib/config';
import { createLogger } from '../../../functions/lib/logger';
import { accessDenied, noSuchBucket, noSuchSecret, noSuchUser } from '../../support/aws-errors';
import { answerLedgerGet, ledgerOnRun, orgTags, SAMPLE_RUN_ID, SAMPLE_SHARED_BUCKET, SAMPLE_TENANT_PREFIX, samplePrefixTenant, sampleRunId, sampleTenant } from '../../support/fixtures';
import { recordingRotationSchedule } from '../../support/rotation-schedule';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedIam, mockedS3, mockedSecretsManager } from '../../support/mocked-clients';

const { iamMock, iam } = mockedIam();
const { secretsMock, secretsManager } = mockedSecretsManager();
const { s3Mock, s3For, regionsAsked } = mockedS3('eu-west-1');
const config = loadConfig();
const keyRotation = recordingRotationSchedule();
const deps = { iam, secretsManager, s3For, ledger: ledgerOnRun(sampleRunId('acme-bistro-42-g1-teardown'), 'teardown'), keyRotation, config, logger: createLogger() };
const meta = { $metadata: {} };

/** The tenant as PrepareTeardown hands it over: the teardown's run of generation 1, without a bucket from the ledger. */
const tenant = sampleTenant({ region: 'eu-west-1', executionName: 'acme-bistro-42-g1-teardown' });
const input: RevokeTenantAccessInput = { tenant };
const { userName: UserName, secretName } = tenant;
const [primary = '', fallback1 = '', fallback2 = ''] = tenant.bucketCandidates;
/** A bucket by none of the tenant's names: only a secret or user tag could point at it. */
const ELSEWHERE = 'fusion-rms-somewhere-else';
/** What generation 1's provisioning tagged. */
const ours = orgTags(SAMPLE_RUN_ID);
const otherOrg = orgTags(sampleRunId('other-org-g1-provision'), 'Other-Org');
const ExpectedBucketOwner = config.accountId;
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const key = (AccessKeyId: string, Status: 'Active' | 'Inactive' = 'Active'): AccessKeyMetadata => ({ UserName, AccessKeyId, Status, CreateDate: new Date('2026-11-23T09:00:05Z') });

function givenUser(tags: Tag[] | undefined, keys: AccessKeyMetadata[] = []): void {
  iamMock.on(GetUserCommand).resolves({
    User: { UserName, UserId: 'AIDAEXAMPLE', Arn: `arn:aws:iam::123456789012:user/tenants/test/${UserName}`, Path: '/tenants/test/', CreateDate: new Date(), Tags: tags },
  });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: keys, IsTruncated: false });
}

/** The org's user with its `TenantBucket` tag, as CreateTenantUser leaves it. */
const userTags = (bucket: string): Tag[] => [...ours, { Key: 'TenantBucket', Value: bucket }];

function givenSecret(tags: Tag[], bucket: string | undefined): void {
  secretsMock.on(DescribeSecretCommand).resolves({ ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${secretName}-AbCdEf`, Name: secretName, Tags: tags });
  secretsMock.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({ accessKeyId: 'AKIAHELD000000000001', secretAccessKey: SECRET_ACCESS_KEY, bucket, region: tenant.region, userName: UserName }),
  });
}

function givenBucket(Bucket: string, answer: Tag[] | Error): void {
  if (answer instanceof Error) s3Mock.on(GetBucketTaggingCommand, { Bucket }).rejects(answer);
  else s3Mock.on(GetBucketTaggingCommand, { Bucket }).resolves({ TagSet: answer });
}

const bucketsLookedAt = () => s3Mock.commandCalls(GetBucketTaggingCommand).map((call) => call.args[0].input.Bucket);
const keysUpdated = () => iamMock.commandCalls(UpdateAccessKeyCommand).map((call) => call.args[0].input.AccessKeyId);

beforeEach(() => {
  keyRotation.calls.length = 0;
  // Nothing exists until a test says so.
  iamMock.on(GetUserCommand).rejects(noSuchUser(UserName));
  iamMock.on(ListAccessKeysCommand).rejects(noSuchUser(UserName));
  iamMock.on(UpdateAccessKeyCommand).resolves({});
  secretsMock.on(DescribeSecretCommand).rejects(noSuchSecret());
  s3Mock.on(GetBucketTaggingCommand).rejects(noSuchBucket());
  s3Mock.on(DeleteBucketPolicyCommand).resolves({});
});

describe('revokeTenantAccess', () => {
  it('finds the bucket the secret names, deactivates every active key and deletes the bucket policy', async () => {
    givenSecret(ours, fallback1);
    givenUser(userTags(fallback1), [key('AKIAACTIVE0000000001'), key('AKIAINACTIVE00000001', 'Inactive'), key('AKIAACTIVE0000000002')]);
    givenBucket(fallback1, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result).toEqual({ bucketName: fallback1, bucketFoundBy: 'secret', keysDeactivated: ['AKIAACTIVE0000000001', 'AKIAACTIVE0000000002'], bucketPolicyDeleted: true, skipped: [] });
    expect(s3Mock).toHaveReceivedCommandWith(GetBucketTaggingCommand, { Bucket: fallback1, ExpectedBucketOwner });
    expect(bucketsLookedAt()).toEqual([fallback1]);
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 2);
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName, AccessKeyId: 'AKIAACTIVE0000000001', Status: 'Inactive' });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName, AccessKeyId: 'AKIAACTIVE0000000002', Status: 'Inactive' });
    expect(keysUpdated()).not.toContain('AKIAINACTIVE00000001');
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 1);
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: fallback1, ExpectedBucketOwner });
    expect(new Set(regionsAsked)).toEqual(new Set([tenant.region]));
    // Rotation is cancelled first: a rotation under way then either made its key before the keys were listed here, or sees rotation off and deletes it.
    expect(keyRotation.calls).toEqual([`cancel ${tenant.secretName}`]);
  });

  it('revokes the bucket the tenant ledger recorded first, verified by its tags, in the ledger\'s region', async () => {
    givenSecret(ours, fallback1);
    givenUser(userTags(fallback1), [key('AKIAACTIVE0000000001')]);
    givenBucket(ELSEWHERE, ours);
    givenBucket(fallback1, ours);

    const result = await revokeTenantAccess({ tenant: { ...tenant, bucket: ELSEWHERE } }, deps);

    expect(result).toEqual({ bucketName: ELSEWHERE, bucketFoundBy: 'ledger', keysDeactivated: ['AKIAACTIVE0000000001'], bucketPolicyDeleted: true, skipped: [] });
    expect(bucketsLookedAt()).toEqual([ELSEWHERE]);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 1);
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: ELSEWHERE, ExpectedBucketOwner });
    expect(new Set(regionsAsked)).toEqual(new Set(['eu-west-1']));
  });

  it("never revokes a bucket the ledger names whose tags are another org's: reports it and finds the tenant's own", async () => {
    givenSecret(ours, fallback1);
    givenUser(userTags(fallback1), [key('AKIAACTIVE0000000001')]);
    givenBucket(ELSEWHERE, otherOrg);
    givenBucket(fallback1, ours);

    const result = await revokeTenantAccess({ tenant: { ...tenant, bucket: ELSEWHERE } }, deps);

    expect(result).toMatchObject({ bucketName: fallback1, bucketFoundBy: 'secret' });
    expect(result.skipped).toEqual([{ resource: `bucket ${ELSEWHERE}`, reason: expect.stringContaining('OrgId "Other-Org"') }]);
    expect(s3Mock).not.toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: ELSEWHERE });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: fallback1, ExpectedBucketOwner });
  });

  it('revokes both kinds of access and deletes nothing: only reads, UpdateAccessKey and DeleteBucketPolicy are sent', async () => {
    givenSecret(ours, primary);
    givenUser(userTags(primary), [key('AKIAACTIVE0000000001')]);
    givenBucket(primary, ours);

    await revokeTenantAccess(input, deps);

    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName, AccessKeyId: 'AKIAACTIVE0000000001', Status: 'Inactive' });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: primary, ExpectedBucketOwner });
    const sent = [...iamMock.calls(), ...secretsMock.calls(), ...s3Mock.calls()].map((call) => call.args[0].constructor.name);
    expect(new Set(sent)).toEqual(
      new Set(['GetUserCommand', 'ListAccessKeysCommand', 'UpdateAccessKeyCommand', 'DescribeSecretCommand', 'GetSecretValueCommand', 'GetBucketTaggingCommand', 'DeleteBucketPolicyCommand']),
    );
  });

  it('never returns the secret value it reads the bucket name from', async () => {
    givenSecret(ours, primary);
    givenUser(ours, []);
    givenBucket(primary, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result.bucketName).toBe(primary);
    expect(JSON.stringify(result)).not.toContain(SECRET_ACCESS_KEY);
    expect(JSON.stringify(result)).not.toContain('AKIAHELD000000000001');
  });

  it("finds the bucket from the user's TenantBucket tag when there is no secret", async () => {
    givenUser(userTags(fallback1), [key('AKIAACTIVE0000000001')]);
    givenBucket(fallback1, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result).toMatchObject({ bucketName: fallback1, bucketFoundBy: 'user-tag', keysDeactivated: ['AKIAACTIVE0000000001'], bucketPolicyDeleted: true, skipped: [] });
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    expect(bucketsLookedAt()).toEqual([fallback1]);
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: fallback1, ExpectedBucketOwner });
  });

  it("falls back to the user's tag when the secret is scheduled for deletion and its value cannot be read", async () => {
    givenSecret(ours, primary);
    secretsMock.on(DescribeSecretCommand).resolves({ Name: secretName, Tags: ours, DeletedDate: new Date('2026-11-29T00:00:00Z') });
    secretsMock.on(GetSecretValueCommand).rejects(new InvalidRequestException({ ...meta, message: 'You can’t perform this operation on the secret because it was marked for deletion.' }));
    givenUser(userTags(fallback1));
    givenBucket(fallback1, ours);

    await expect(revokeTenantAccess(input, deps)).resolves.toMatchObject({ bucketName: fallback1, bucketFoundBy: 'user-tag' });
  });

  it('falls back to the user tag when the bucket the secret names no longer exists', async () => {
    givenSecret(ours, fallback2);
    givenUser(userTags(fallback1));
    givenBucket(fallback1, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result).toMatchObject({ bucketName: fallback1, bucketFoundBy: 'user-tag', skipped: [] });
    expect(bucketsLookedAt()).toEqual([fallback2, fallback1]);
  });

  it('looks at a bucket once when the secret and the user tag name the same one', async () => {
    givenSecret(ours, fallback1);
    givenUser(userTags(fallback1));
    givenBucket(fallback1, new S3ServiceException({ name: 'NoSuchTagSet', $fault: 'client', ...meta, message: 'The TagSet does not exist' }));

    const result = await revokeTenantAccess(input, deps);

    expect(bucketsLookedAt().filter((bucket) => bucket === fallback1)).toHaveLength(1);
    expect(result.skipped).toEqual([{ resource: `bucket ${fallback1}`, reason: 'it is not managed by tenant-provisioner' }]);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
  });

  it('walks the name candidates when neither the secret nor the user names a bucket', async () => {
    givenUser(ours, [key('AKIAACTIVE0000000001')]);
    givenBucket(fallback1, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result).toEqual({ bucketName: fallback1, bucketFoundBy: 'candidate', keysDeactivated: ['AKIAACTIVE0000000001'], bucketPolicyDeleted: true, skipped: [] });
    expect(bucketsLookedAt()).toEqual([primary, fallback1]);
    expect(s3Mock).toHaveReceivedCommandWith(GetBucketTaggingCommand, { Bucket: primary, ExpectedBucketOwner });
    expect(s3Mock).toHaveReceivedCommandWith(GetBucketTaggingCommand, { Bucket: fallback1, ExpectedBucketOwner });
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 1);
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: fallback1, ExpectedBucketOwner });
  });

  it('succeeds without revoking anything when nothing of the tenant exists', async () => {
    const result = await revokeTenantAccess(input, deps);

    expect(result).toEqual({ bucketName: '', bucketFoundBy: 'none', keysDeactivated: [], bucketPolicyDeleted: false, skipped: [] });
    expect(bucketsLookedAt()).toEqual(tenant.bucketCandidates);
    expect(iamMock).toHaveReceivedCommandTimes(ListAccessKeysCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
  });

  it("leaves a bucket the secret names but another org's tags claim untouched, and reports it", async () => {
    givenSecret(ours, primary);
    givenUser(ours);
    givenBucket(primary, otherOrg);

    const result = await revokeTenantAccess(input, deps);

    expect(result).toMatchObject({ bucketName: '', bucketFoundBy: 'none', bucketPolicyDeleted: false });
    expect(result.skipped).toEqual([{ resource: `bucket ${primary}`, reason: 'it belongs to OrgId "Other-Org"' }]);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
    expect(bucketsLookedAt().filter((bucket) => bucket === primary)).toHaveLength(1);
  });

  it('leaves a user with the tenant name but not tagged for the org untouched, and reports it', async () => {
    givenUser(otherOrg, [key('AKIAOTHER00000000001')]);

    const result = await revokeTenantAccess(input, deps);

    expect(result.skipped).toEqual([{ resource: `IAM user ${UserName}`, reason: 'it belongs to OrgId "Other-Org"' }]);
    expect(result.keysDeactivated).toEqual([]);
    expect(iamMock).toHaveReceivedCommandTimes(ListAccessKeysCommand, 0);
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
  });

  it("does not trust the TenantBucket tag of a user that is not the org's", async () => {
    givenUser([{ Key: 'TenantBucket', Value: ELSEWHERE }], [key('AKIAOTHER00000000001')]);
    givenBucket(ELSEWHERE, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result.skipped).toEqual([{ resource: `IAM user ${UserName}`, reason: 'it is not managed by tenant-provisioner' }]);
    expect(bucketsLookedAt()).toEqual(tenant.bucketCandidates);
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
  });

  it("does not read the value of a secret that is not the org's", async () => {
    givenSecret(otherOrg, ELSEWHERE);
    givenBucket(ELSEWHERE, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result.skipped).toEqual([{ resource: `secret ${secretName}`, reason: 'it belongs to OrgId "Other-Org"' }]);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    expect(bucketsLookedAt()).toEqual(tenant.bucketCandidates);
  });

  it("does not use a bucket that answers AccessDenied (another account's) and keeps looking", async () => {
    givenSecret(ours, primary);
    givenUser(ours);
    givenBucket(primary, accessDenied());
    givenBucket(fallback1, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result).toMatchObject({ bucketName: fallback1, bucketFoundBy: 'candidate' });
    expect(result.skipped).toEqual([{ resource: `bucket ${primary}`, reason: "it is not this account's bucket in eu-west-1 (AccessDenied)" }]);
    expect(s3Mock).not.toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: primary });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: fallback1, ExpectedBucketOwner });
  });

  it('finds no bucket when the only one by the tenant names answers AccessDenied', async () => {
    givenUser(ours, [key('AKIAACTIVE0000000001')]);
    givenBucket(fallback1, accessDenied());

    const result = await revokeTenantAccess(input, deps);

    expect(result).toMatchObject({ bucketName: '', bucketFoundBy: 'none', keysDeactivated: ['AKIAACTIVE0000000001'], skipped: [] });
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
  });

  it("passes over a fallback candidate tagged for another org without reporting it", async () => {
    givenBucket(fallback1, otherOrg);
    givenBucket(fallback2, ours);

    const result = await revokeTenantAccess(input, deps);

    expect(result).toMatchObject({ bucketName: fallback2, bucketFoundBy: 'candidate', skipped: [] });
    expect(s3Mock).not.toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: fallback1 });
  });

  it('rethrows a throttling error from IAM untouched, before revoking anything', async () => {
    const throttled = new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    iamMock.on(GetUserCommand).rejects(throttled);
    givenBucket(primary, ours);

    await expect(revokeTenantAccess(input, deps)).rejects.toBe(throttled);
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
  });

  it('rethrows a throttling error from UpdateAccessKey untouched', async () => {
    const throttled = new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    givenUser(ours, [key('AKIAACTIVE0000000001')]);
    iamMock.on(UpdateAccessKeyCommand).rejects(throttled);

    await expect(revokeTenantAccess(input, deps)).rejects.toBe(throttled);
  });

  it('rethrows an S3 server error on GetBucketTagging untouched', async () => {
    const unavailable = new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'We encountered an internal error.' });
    givenBucket(primary, unavailable);

    await expect(revokeTenantAccess(input, deps)).rejects.toBe(unavailable);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
  });

  it('deactivates the keys of every ListAccessKeys page', async () => {
    givenUser(ours);
    iamMock
      .on(ListAccessKeysCommand)
      .resolvesOnce({ AccessKeyMetadata: [key('AKIAPAGE100000000001')], IsTruncated: true, Marker: 'page-2' })
      .resolvesOnce({ AccessKeyMetadata: [key('AKIAPAGE200000000001')], IsTruncated: false });

    const result = await revokeTenantAccess(input, deps);

    expect(result.keysDeactivated).toEqual(['AKIAPAGE100000000001', 'AKIAPAGE200000000001']);
    expect(iamMock).toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName, Marker: 'page-2' });
  });

  it('is safe to repeat: inactive keys, a key gone meanwhile and an absent policy change nothing', async () => {
    givenSecret(ours, primary);
    givenUser(userTags(primary), [key('AKIAINACTIVE00000001', 'Inactive'), key('AKIAGONE000000000001')]);
    givenBucket(primary, ours);
    iamMock.on(UpdateAccessKeyCommand).rejects(new NoSuchEntityException({ ...meta, message: 'The Access Key with id AKIAGONE000000000001 cannot be found.' }));
    s3Mock.on(DeleteBucketPolicyCommand).rejects(new S3ServiceException({ name: 'NoSuchBucketPolicy', $fault: 'client', ...meta, message: 'The bucket policy does not exist' }));

    const result = await revokeTenantAccess(input, deps);

    expect(result).toEqual({ bucketName: primary, bucketFoundBy: 'secret', keysDeactivated: [], bucketPolicyDeleted: false, skipped: [] });
    expect(keysUpdated()).toEqual(['AKIAGONE000000000001']);
  });

  it('treats a user deleted between GetUser and ListAccessKeys as gone', async () => {
    givenUser(ours);
    givenBucket(primary, ours);
    iamMock.on(ListAccessKeysCommand).rejects(new NoSuchEntityException({ ...meta, message: 'gone' }));

    await expect(revokeTenantAccess(input, deps)).resolves.toMatchObject({ bucketName: primary, keysDeactivated: [], bucketPolicyDeleted: true });
  });

  it('treats a bucket deleted between the lookup and DeleteBucketPolicy as revoked', async () => {
    givenBucket(primary, ours);
    s3Mock.on(DeleteBucketPolicyCommand).rejects(noSuchBucket());

    await expect(revokeTenantAccess(input, deps)).resolves.toMatchObject({ bucketName: primary, bucketPolicyDeleted: false });
  });

  it('rethrows an AccessDenied on DeleteBucketPolicy untouched', async () => {
    const denied = accessDenied();
    givenBucket(primary, ours);
    s3Mock.on(DeleteBucketPolicyCommand).rejects(denied);

    await expect(revokeTenantAccess(input, deps)).rejects.toBe(denied);
  });

  it('runs through its Lambda entry, with the clients it makes', async () => {
    answerLedgerGet(mockClient(DynamoDBClient), deps.ledger.item);
    const usTenant = sampleTenant({ executionName: 'acme-bistro-42-g1-teardown' });
    givenUser(userTags(usTenant.bucketCandidates[0] ?? ''), [key('AKIAACTIVE0000000001')]);
    givenBucket(usTenant.bucketCandidates[0] ?? '', ours);
    const context = fakeLambdaContext('tenant-provisioner-test-revokeTenantAccess');

    const result = await handler({ tenant: usTenant }, context);

    expect(result).toMatchObject({ bucketName: usTenant.bucketCandidates[0], bucketFoundBy: 'user-tag', keysDeactivated: ['AKIAACTIVE0000000001'], bucketPolicyDeleted: true });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName: usTenant.userName, AccessKeyId: 'AKIAACTIVE0000000001', Status: 'Inactive' });
    expect(s3Mock).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, { Bucket: usTenant.bucketCandidates[0], ExpectedBucketOwner });
  });
});

describe('revokeTenantAccess for a prefix tenant', () => {
  /** The prefix tenant as PrepareTeardown hands it over: the shared bucket and its prefix, from the ledger. */
  const prefixTenant = samplePrefixTenant({ executionName: 'acme-bistro-42-g1-teardown' });
  /** The prefix tenant's user as CreateTenantUser tagged it. */
  const prefixUserTags = [...ours, { Key: 'TenantBucket', Value: SAMPLE_SHARED_BUCKET }, { Key: 'TenantPrefix', Value: SAMPLE_TENANT_PREFIX }];

  it('deactivates every active key and leaves the shared bucket alone: no policy deleted, its tags never asked', async () => {
    givenSecret(ours, SAMPLE_SHARED_BUCKET);
    givenUser(prefixUserTags, [key('AKIAACTIVE0000000001'), key('AKIAINACTIVE00000001', 'Inactive')]);
    givenBucket(SAMPLE_SHARED_BUCKET, [{ Key: 'ManagedBy', Value: 'tenant-provisioner' }]);

    const result = await revokeTenantAccess({ tenant: prefixTenant }, deps);

    expect(result).toEqual({ bucketName: SAMPLE_SHARED_BUCKET, bucketFoundBy: 'user-tag', keysDeactivated: ['AKIAACTIVE0000000001'], bucketPolicyDeleted: false, skipped: [] });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName, AccessKeyId: 'AKIAACTIVE0000000001', Status: 'Inactive' });
    expect(keysUpdated()).toEqual(['AKIAACTIVE0000000001']);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(GetBucketTaggingCommand, 0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it("leaves the prefix alone when no user of the org holds it (a claim refused as another site's, a run stopped before its user): the teardown then empties nothing", async () => {
    const result = await revokeTenantAccess({ tenant: prefixTenant }, deps);

    expect(result).toEqual({
      bucketName: '',
      bucketFoundBy: 'none',
      keysDeactivated: [],
      bucketPolicyDeleted: false,
      skipped: [{ resource: `prefix s3://${SAMPLE_SHARED_BUCKET}/${SAMPLE_TENANT_PREFIX}`, reason: expect.stringContaining('no IAM user of this org holds it') }],
    });
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('empties the prefix of a tenant the ledger saw active even once its user is gone (a teardown started again after the last one deleted it)', async () => {
    const result = await revokeTenantAccess({ tenant: { ...prefixTenant, prefixHeld: true } }, deps);

    expect(result).toEqual({ bucketName: SAMPLE_SHARED_BUCKET, bucketFoundBy: 'ledger', keysDeactivated: [], bucketPolicyDeleted: false, skipped: [] });
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('leaves the prefix alone when the org\'s user is tagged with another prefix', async () => {
    givenUser([...ours, { Key: 'TenantBucket', Value: SAMPLE_SHARED_BUCKET }, { Key: 'TenantPrefix', Value: 'userdata/someone-else-publisher/' }], []);

    const result = await revokeTenantAccess({ tenant: prefixTenant }, deps);

    expect(result).toMatchObject({ bucketName: '', bucketFoundBy: 'none', skipped: [{ reason: expect.stringContaining('TenantPrefix="userdata/someone-else-publisher/"') }] });
  });

  it('changes nothing but access keys', async () => {
    givenUser(prefixUserTags, [key('AKIAACTIVE0000000001'), key('AKIAACTIVE0000000002')]);

    await revokeTenantAccess({ tenant: prefixTenant }, deps);

    const sent = [...iamMock.calls(), ...secretsMock.calls(), ...s3Mock.calls()].map((call) => call.args[0].constructor.name);
    expect(sent.filter((name) => !/^(Get|List|Describe)/.test(name))).toEqual(['UpdateAccessKeyCommand', 'UpdateAccessKeyCommand']);
  });
});
