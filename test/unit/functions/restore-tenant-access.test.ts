import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetUserCommand,
  IAMServiceException,
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
  type AccessKeyMetadata,
  type Tag,
} from '@aws-sdk/client-iam';
import { DeleteBucketPolicyCommand, GetBucketTaggingCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadConfig } from '../../../functions/lib/config';
import { InvalidEventError, InvalidTenantPrefixError, TenantBucketMissingError, TenantRunSupersededError, TenantUserConflictError } from '../../../functions/lib/errors';
import { createLogger } from '../../../functions/lib/logger';
import type { RestoreInput } from '../../../functions/lib/types';
import { handler } from '../../../functions/lambda/restore-tenant-access';
import { restoreTenantAccess } from '../../../functions/restore-tenant-access';
import { noSuchBucket, noSuchSecret, noSuchUser } from '../../support/aws-errors';
import { answerLedgerGet, ledgerOnRun, orgTags, SAMPLE_RUN_ID, SAMPLE_SHARED_BUCKET, SAMPLE_TENANT_PREFIX, sampleRunId, sampleTenant } from '../../support/fixtures';
import { recordingRotationSchedule } from '../../support/rotation-schedule';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedIam, mockedS3, mockedSecretsManager } from '../../support/mocked-clients';

const { iamMock, iam } = mockedIam();
const { secretsMock, secretsManager } = mockedSecretsManager();
const { s3Mock, s3For, regionsAsked } = mockedS3();
const config = loadConfig();
const keyRotation = recordingRotationSchedule();
const deps = { iam, secretsManager, s3For, ledger: ledgerOnRun(sampleRunId('acme-bistro-42-g1-restore'), 'restore'), keyRotation, config, logger: createLogger() };
const meta = { $metadata: {} };

const RESTORE = 'acme-bistro-42-g1-restore';
const execution = { name: RESTORE, startTime: '2026-12-01T10:20:00.000Z' };
/** The sample tenant in eu-west-1, as its restore derives it (names are the region's). */
const tenant = sampleTenant({ region: 'eu-west-1', executionName: RESTORE });
const { userName: UserName, secretName } = tenant;
const [primary = '', fallback1 = ''] = tenant.bucketCandidates;
/** A bucket by none of the tenant's names: only the ledger (or secret, or user tag) names it. */
const LEDGER_BUCKET = 'fusion-rms-acme-bistro-42-recorded';
const ours = orgTags(SAMPLE_RUN_ID);
const otherOrg = orgTags(sampleRunId('other-org-g1-provision'), 'Other-Org');
const USER_ARN = `arn:aws:iam::123456789012:user/tenants/test/${UserName}`;

/** The restore-tenant input the tenant ledger starts (lifecycle.ts startRestore). */
function restoreInput(overrides: Partial<RestoreInput> = {}): RestoreInput {
  return { orgId: 'Acme-Bistro-42', region: 'eu-west-1', generation: 1, runId: sampleRunId(RESTORE), settleSeconds: 0, bucketName: LEDGER_BUCKET, keyIds: ['AKIAREVOKED000000001'], ...overrides };
}

const key = (AccessKeyId: string, Status: 'Active' | 'Inactive'): AccessKeyMetadata => ({ UserName, AccessKeyId, Status, CreateDate: new Date('2026-11-23T09:00:05Z') });

function givenUser(tags: Tag[] | undefined, keys: AccessKeyMetadata[] = []): void {
  iamMock.on(GetUserCommand).resolves({ User: { UserName, UserId: 'AIDAEXAMPLE', Arn: USER_ARN, Path: '/tenants/test/', CreateDate: new Date(), Tags: tags } });
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: keys, IsTruncated: false });
}

function givenSecret(accessKeyId: string, bucket = LEDGER_BUCKET): void {
  secretsMock.on(DescribeSecretCommand).resolves({ ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${secretName}-AbCdEf`, Name: secretName, Tags: ours });
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ accessKeyId, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', bucket, region: 'eu-west-1', userName: UserName }) });
}

const activated = () => iamMock.commandCalls(UpdateAccessKeyCommand).map((call) => call.args[0].input);

beforeEach(() => {
  keyRotation.calls.length = 0;
  iamMock.on(GetUserCommand).rejects(noSuchUser(UserName));
  iamMock.on(UpdateAccessKeyCommand).resolves({});
  secretsMock.on(DescribeSecretCommand).rejects(noSuchSecret());
  secretsMock.on(GetSecretValueCommand).rejects(noSuchSecret());
  s3Mock.on(GetBucketTaggingCommand).rejects(noSuchBucket());
  s3Mock.on(GetBucketTaggingCommand, { Bucket: LEDGER_BUCKET }).resolves({ TagSet: ours });
});

describe('restoreTenantAccess', () => {
  it('activates exactly the keys the teardown deactivated (the ledger\'s), never another inactive key', async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive'), key('AKIALEAKED0000000001', 'Inactive')]);

    const result = await restoreTenantAccess({ event: restoreInput(), execution }, deps);

    expect(activated()).toEqual([{ UserName, AccessKeyId: 'AKIAREVOKED000000001', Status: 'Active' }]);
    expect(result).toEqual({
      tenant: expect.objectContaining({ orgId: 'Acme-Bistro-42', region: 'eu-west-1', generation: 1, provisionedBy: sampleRunId(RESTORE), executionName: RESTORE, bucket: LEDGER_BUCKET }),
      bucket: { name: LEDGER_BUCKET, region: 'eu-west-1', arn: `arn:aws:s3:::${LEDGER_BUCKET}`, created: false },
      user: { userName: UserName, arn: USER_ARN, userId: 'AIDAEXAMPLE', created: false },
      keysActivated: ['AKIAREVOKED000000001'],
      keysMissing: [],
      skipped: [],
    });
  });

  it("uses the ledger's bucket, verified by its tags, in the ledger's region", async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);

    await restoreTenantAccess({ event: restoreInput(), execution }, deps);

    expect(s3Mock).toHaveReceivedCommandWith(GetBucketTaggingCommand, { Bucket: LEDGER_BUCKET, ExpectedBucketOwner: config.accountId });
    expect(s3Mock.commandCalls(GetBucketTaggingCommand).map((call) => call.args[0].input.Bucket)).toEqual([LEDGER_BUCKET]);
    expect(new Set(regionsAsked)).toEqual(new Set(['eu-west-1']));
  });

  it('activates the key the tenant secret holds when the teardown was stopped before it recorded its keys', async () => {
    givenUser(ours, [key('AKIAHELD000000000001', 'Inactive'), key('AKIALEAKED0000000001', 'Inactive')]);
    givenSecret('AKIAHELD000000000001');

    const result = await restoreTenantAccess({ event: restoreInput({ keyIds: undefined }), execution }, deps);

    expect(activated()).toEqual([{ UserName, AccessKeyId: 'AKIAHELD000000000001', Status: 'Active' }]);
    expect(result.keysActivated).toEqual(['AKIAHELD000000000001']);
    // The revocation cancelled its rotation: the tenant's secret is on its schedule again.
    expect(keyRotation.calls).toEqual([expect.stringMatching(new RegExp(`^schedule arn:aws:secretsmanager:.*${tenant.secretName}.* every ${config.rotationDays} days$`))]);
  });

  it("activates the ledger's keys and the one the secret holds (a retried revocation records none), and no other inactive key", async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive'), key('AKIAHELD000000000001', 'Inactive'), key('AKIALEAKED0000000001', 'Inactive')]);
    givenSecret('AKIAHELD000000000001');

    await restoreTenantAccess({ event: restoreInput({ bucketName: undefined }), execution }, deps);

    expect(activated().map((input) => input.AccessKeyId)).toEqual(['AKIAREVOKED000000001', 'AKIAHELD000000000001']);
  });

  it('activates nothing when there is neither a recorded key nor a readable secret', async () => {
    givenUser(ours, [key('AKIALEAKED0000000001', 'Inactive')]);

    const result = await restoreTenantAccess({ event: restoreInput({ keyIds: undefined }), execution }, deps);

    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(result).toMatchObject({ keysActivated: [], keysMissing: [] });
  });

  it('reports a recorded key that no longer exists, or vanishes before UpdateAccessKey, as missing', async () => {
    givenUser(ours, [key('AKIAREVOKED000000002', 'Inactive')]);
    iamMock.on(UpdateAccessKeyCommand, { AccessKeyId: 'AKIAREVOKED000000002' }).rejects(new NoSuchEntityException({ ...meta, message: 'The Access Key with id AKIAREVOKED000000002 cannot be found.' }));

    const result = await restoreTenantAccess({ event: restoreInput({ keyIds: ['AKIAREVOKED000000001', 'AKIAREVOKED000000002'] }), execution }, deps);

    expect(result).toMatchObject({ keysActivated: [], keysMissing: ['AKIAREVOKED000000001', 'AKIAREVOKED000000002'] });
    expect(activated().map((input) => input.AccessKeyId)).toEqual(['AKIAREVOKED000000002']);
  });

  it('is safe to repeat: a key already active is left as it is', async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);
    const first = await restoreTenantAccess({ event: restoreInput(), execution }, deps);
    givenUser(ours, [key('AKIAREVOKED000000001', 'Active')]);
    iamMock.resetHistory();

    const again = await restoreTenantAccess({ event: restoreInput(), execution }, deps);

    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(again).toEqual({ ...first, keysActivated: [] });
  });

  it('changes nothing but access keys: no bucket policy call (ApplyTenantBucketPolicy re-applies it next)', async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);

    await restoreTenantAccess({ event: restoreInput(), execution }, deps);

    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteBucketPolicyCommand, 0);
    const sent = [...iamMock.calls(), ...secretsMock.calls(), ...s3Mock.calls()].map((call) => call.args[0].constructor.name);
    expect(sent.filter((name) => !/^(Get|List|Describe)/.test(name))).toEqual(['UpdateAccessKeyCommand']);
  });

  it('throws TenantUserConflictError when the tenant user is gone, activating nothing', async () => {
    const result = restoreTenantAccess({ event: restoreInput(), execution }, deps);

    await expect(result).rejects.toThrow(TenantUserConflictError);
    await expect(result).rejects.toThrow(`IAM user ${UserName} does not exist`);
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
  });

  it("throws TenantUserConflictError naming the owner when the user of the tenant's name is not this org's", async () => {
    givenUser(otherOrg, [key('AKIAREVOKED000000001', 'Inactive')]);

    const result = restoreTenantAccess({ event: restoreInput(), execution }, deps);

    await expect(result).rejects.toThrow(TenantUserConflictError);
    await expect(result).rejects.toThrow('OrgId "Other-Org"');
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
  });

  it('throws TenantBucketMissingError when no bucket of this org exists in its region, activating nothing', async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);
    s3Mock.on(GetBucketTaggingCommand, { Bucket: LEDGER_BUCKET }).rejects(noSuchBucket());

    const result = restoreTenantAccess({ event: restoreInput(), execution }, deps);

    await expect(result).rejects.toThrow(TenantBucketMissingError);
    await expect(result).rejects.toThrow('no bucket of OrgId "Acme-Bistro-42" exists in eu-west-1');
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
  });

  it("never restores a bucket the ledger names whose tags are another org's: it finds the tenant's own by its names", async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);
    s3Mock.on(GetBucketTaggingCommand, { Bucket: LEDGER_BUCKET }).resolves({ TagSet: otherOrg });
    s3Mock.on(GetBucketTaggingCommand, { Bucket: fallback1 }).resolves({ TagSet: ours });

    const result = await restoreTenantAccess({ event: restoreInput(), execution }, deps);

    expect(result.bucket.name).toBe(fallback1);
    expect(result.tenant.bucket).toBe(fallback1);
    expect(result.skipped).toEqual([{ resource: `bucket ${LEDGER_BUCKET}`, reason: 'it belongs to OrgId "Other-Org"' }]);
    expect(s3Mock.commandCalls(GetBucketTaggingCommand).map((call) => call.args[0].input.Bucket)).toEqual([LEDGER_BUCKET, primary, fallback1]);
  });

  it('accepts the state document the ASL passes (the confirmation and settle wait beside the input)', async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);

    const event = { ...restoreInput({ settleSeconds: 60 }), confirmed: { recorded: true, state: 'restoring', generation: 1 } };

    await expect(restoreTenantAccess({ event, execution }, deps)).resolves.toMatchObject({ keysActivated: ['AKIAREVOKED000000001'] });
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'Acme-Bistro-42', /must be a JSON object/],
    ['without a run id', { ...restoreInput(), runId: undefined }, /generation and runId are required/],
    ['without a generation', { ...restoreInput(), generation: undefined }, /generation and runId are required/],
    ['with keyIds that are not access key ids', restoreInput({ keyIds: ['not a key'] }), /keyIds/],
    ['with keyIds that are not a list', { ...restoreInput(), keyIds: 'AKIAREVOKED000000001' }, /keyIds/],
    ['with a bucketName that is not a string', { ...restoreInput(), bucketName: 7 }, /bucketName/],
    ['with a region the stage does not allow', restoreInput({ region: 'ap-south-1' }), /region "ap-south-1" is not allowed/],
  ])('rejects an input %s with InvalidEventError before any AWS call', async (_label, event, message) => {
    const result = restoreTenantAccess({ event, execution }, deps);

    await expect(result).rejects.toThrow(InvalidEventError);
    await expect(result).rejects.toThrow(message);
    expect([...iamMock.calls(), ...secretsMock.calls(), ...s3Mock.calls()]).toHaveLength(0);
  });

  it('rethrows an IAM error other than a missing key untouched', async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);
    const throttled = new IAMServiceException({ name: 'Throttling', $fault: 'client', ...meta, message: 'Rate exceeded' });
    iamMock.on(UpdateAccessKeyCommand).rejects(throttled);

    await expect(restoreTenantAccess({ event: restoreInput(), execution }, deps)).rejects.toBe(throttled);
  });

  it('activates nothing once the ledger has moved past this restore (an OrgDeleted superseded it)', async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);
    const ledger = ledgerOnRun(sampleRunId(RESTORE), 'restore', 'revoking');

    const run = restoreTenantAccess({ event: restoreInput(), execution }, { ...deps, ledger });

    await expect(run).rejects.toThrow(TenantRunSupersededError);
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('runs through its Lambda entry, with the clients it makes', async () => {
    givenUser(ours, [key('AKIAREVOKED000000001', 'Inactive')]);
    answerLedgerGet(mockClient(DynamoDBClient), deps.ledger.item);

    const result = await handler({ event: restoreInput(), execution }, fakeLambdaContext('tenant-provisioner-test-restoreTenantAccess'));

    expect(result).toMatchObject({ keysActivated: ['AKIAREVOKED000000001'], bucket: { name: LEDGER_BUCKET } });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName, AccessKeyId: 'AKIAREVOKED000000001', Status: 'Active' });
  });
});

describe('restoreTenantAccess for a prefix tenant', () => {
  /** The restore-tenant input the ledger starts for a prefix tenant: in the stage's region, naming the shared bucket and the prefix. */
  const prefixInput = (fields: Record<string, unknown> = {}) => ({ ...restoreInput({ region: 'us-east-1', bucketName: SAMPLE_SHARED_BUCKET }), tenancy: 'prefix', prefix: SAMPLE_TENANT_PREFIX, ...fields });
  const usUser = sampleTenant({ region: 'us-east-1', executionName: RESTORE }).userName;
  /** The prefix tenant's user as CreateTenantUser tagged it: it holds the prefix. */
  const prefixUserTags = [...ours, { Key: 'TenantBucket', Value: SAMPLE_SHARED_BUCKET }, { Key: 'TenantPrefix', Value: SAMPLE_TENANT_PREFIX }];

  it('activates the keys the teardown deactivated and hands on a prefix tenant of the shared bucket (the state machine skips the bucket policy for it)', async () => {
    givenUser(prefixUserTags, [key('AKIAREVOKED000000001', 'Inactive')]);

    const result = await restoreTenantAccess({ event: prefixInput(), execution }, deps);

    expect(result.tenant).toMatchObject({ tenancy: 'prefix', bucket: SAMPLE_SHARED_BUCKET, prefix: 'userdata/acme-bistro-42-publisher/', region: config.region, generation: 1 });
    expect(result.bucket).toMatchObject({ name: SAMPLE_SHARED_BUCKET, region: 'us-east-1', arn: `arn:aws:s3:::${SAMPLE_SHARED_BUCKET}`, created: false });
    expect(result.keysActivated).toEqual(['AKIAREVOKED000000001']);
    expect(activated()).toEqual([{ UserName: usUser, AccessKeyId: 'AKIAREVOKED000000001', Status: 'Active' }]);
  });

  it("never asks the shared bucket's tags (it is no tenant's) and changes nothing but access keys", async () => {
    givenUser(prefixUserTags, [key('AKIAREVOKED000000001', 'Inactive')]);

    await restoreTenantAccess({ event: prefixInput(), execution }, deps);

    expect(s3Mock).toHaveReceivedCommandTimes(GetBucketTaggingCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 0);
    const sent = [...iamMock.calls(), ...secretsMock.calls(), ...s3Mock.calls()].map((call) => call.args[0].constructor.name);
    expect(sent.filter((name) => !/^(Get|List|Describe)/.test(name))).toEqual(['UpdateAccessKeyCommand']);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a tenancy other than "prefix"', { tenancy: 'bucket' }, /restore-tenant input: tenancy "bucket" must be "prefix"/],
    ['a tenancy without a prefix', { prefix: undefined }, /needs its prefix/],
    ['no bucketName', { bucketName: undefined }, /needs its shared bucket as bucketName/],
    ['a bucketName that breaks S3 naming rules', { bucketName: 'Shared_Bucket' }, /bucketName \(got "Shared_Bucket"\)/],
    ['a region other than the stage\'s', { region: 'eu-west-1' }, /region "eu-west-1" is not the region of the shared bucket/],
  ])('rejects an input with %s with InvalidEventError before any AWS call', async (_label, fields, message) => {
    const result = restoreTenantAccess({ event: prefixInput(fields), execution }, deps);

    await expect(result).rejects.toThrow(InvalidEventError);
    await expect(result).rejects.toThrow(message);
    expect([...iamMock.calls(), ...secretsMock.calls(), ...s3Mock.calls()]).toHaveLength(0);
  });

  it.each(['userdata/acme-bistro-42-publisher', '/userdata/acme/', 'userdata/../acme/'])('rejects the prefix %p with InvalidTenantPrefixError before any AWS call', async (prefix) => {
    const result = restoreTenantAccess({ event: prefixInput({ prefix }), execution }, deps);

    await expect(result).rejects.toThrow(InvalidTenantPrefixError);
    expect([...iamMock.calls(), ...secretsMock.calls(), ...s3Mock.calls()]).toHaveLength(0);
  });
});
