import { GetUserCommand, NoSuchEntityException, type Tag, type User } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, InvalidRequestException } from '@aws-sdk/client-secrets-manager';
import 'aws-sdk-client-mock-jest';
import { loadConfig } from '../../../../functions/lib/config';
import { findTenantBucket, findTenantUser, type Skipped } from '../../../../functions/lib/tenant-bucket';
import { accessDenied, noSuchBucket, noSuchSecret } from '../../../support/aws-errors';
import { orgTags, SAMPLE_RUN_ID, sampleRunId, sampleTenant } from '../../../support/fixtures';
import { mockedIam, mockedS3, mockedSecretsManager } from '../../../support/mocked-clients';

const { iamMock, iam } = mockedIam();
const { secretsMock, secretsManager } = mockedSecretsManager();
const { s3Mock, s3For, regionsAsked } = mockedS3();
const config = loadConfig();
const meta = { $metadata: {} };
const warn = jest.fn();
const deps = { iam, secretsManager, s3For, config, logger: { warn } };

const LEDGER = 'fusion-rms-acme-bistro-42-ledger';
const FROM_SECRET = 'fusion-rms-acme-bistro-42-secret';
const FROM_TAG = 'fusion-rms-acme-bistro-42-usertag';
/** The tenant as a teardown in eu-west-1 sees it, with the bucket the ledger recorded. */
const tenant = sampleTenant({ region: 'eu-west-1', executionName: 'acme-bistro-42-g1-teardown', bucket: LEDGER });
const [primary = '', fallback1 = '', fallback2 = ''] = tenant.bucketCandidates;
const ours = orgTags(SAMPLE_RUN_ID);
const otherOrg = orgTags(sampleRunId('other-org-g1-provision'), 'Other-Org');

const user = (tags: Tag[] = [...ours, { Key: 'TenantBucket', Value: FROM_TAG }]): User => ({
  UserName: tenant.userName,
  UserId: 'AIDAEXAMPLE',
  Arn: `arn:aws:iam::123456789012:user/tenants/test/${tenant.userName}`,
  Path: '/tenants/test/',
  CreateDate: new Date(),
  Tags: tags,
});

function givenSecret(tags: Tag[], bucket = FROM_SECRET): void {
  secretsMock.on(DescribeSecretCommand).resolves({ Name: tenant.secretName, Tags: tags });
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ accessKeyId: 'AKIAHELD000000000001', secretAccessKey: 'x', bucket }) });
}

function givenBucket(Bucket: string, answer: Tag[] | Error): void {
  if (answer instanceof Error) s3Mock.on(GetBucketTaggingCommand, { Bucket }).rejects(answer);
  else s3Mock.on(GetBucketTaggingCommand, { Bucket }).resolves({ TagSet: answer });
}

const lookedAt = () => s3Mock.commandCalls(GetBucketTaggingCommand).map((call) => call.args[0].input.Bucket);

beforeEach(() => {
  warn.mockReset();
  secretsMock.on(DescribeSecretCommand).rejects(noSuchSecret());
  s3Mock.on(GetBucketTaggingCommand).rejects(noSuchBucket());
});

describe('findTenantBucket', () => {
  it('looks at the ledger\'s bucket, then the secret\'s, then the user tag\'s, then the name candidates, in that order', async () => {
    givenSecret(ours);
    givenBucket(fallback1, ours);
    const skipped: Skipped = [];

    const found = await findTenantBucket(tenant, user(), deps, skipped);

    expect(found).toEqual({ bucketName: fallback1, bucketFoundBy: 'candidate' });
    expect(lookedAt()).toEqual([LEDGER, FROM_SECRET, FROM_TAG, primary, fallback1]);
    expect(skipped).toEqual([]);
    expect(new Set(regionsAsked)).toEqual(new Set(['eu-west-1']));
  });

  it.each<[string, () => void, string, 'ledger' | 'secret' | 'user-tag']>([
    ['the ledger', () => givenBucket(LEDGER, ours), LEDGER, 'ledger'],
    ['the secret', () => givenBucket(FROM_SECRET, ours), FROM_SECRET, 'secret'],
    ['the user tag', () => givenBucket(FROM_TAG, ours), FROM_TAG, 'user-tag'],
  ])('stops at the first source whose bucket is this org\'s: %s', async (_label, arrange, bucket, source) => {
    givenSecret(ours);
    givenBucket(LEDGER, noSuchBucket());
    arrange();

    const found = await findTenantBucket(tenant, user(), deps, []);

    expect(found).toEqual({ bucketName: bucket, bucketFoundBy: source });
    expect(lookedAt().at(-1)).toBe(bucket);
    expect(lookedAt()).not.toContain(primary);
  });

  it('uses a ledger bucket only when its tags say it is this org\'s: another org\'s is reported and passed over', async () => {
    givenBucket(LEDGER, otherOrg);
    givenBucket(primary, ours);
    const skipped: Skipped = [];

    const found = await findTenantBucket(tenant, undefined, deps, skipped);

    expect(found).toEqual({ bucketName: primary, bucketFoundBy: 'candidate' });
    expect(skipped).toEqual([{ resource: `bucket ${LEDGER}`, reason: 'it belongs to OrgId "Other-Org"' }]);
  });

  it('works without a ledger bucket (a teardown of a tenant that never got one, or an older input)', async () => {
    const { bucket: _bucket, ...withoutLedger } = tenant;
    givenBucket(primary, ours);

    await expect(findTenantBucket(withoutLedger, undefined, deps, [])).resolves.toEqual({ bucketName: primary, bucketFoundBy: 'candidate' });
    expect(lookedAt()).toEqual([primary]);
  });

  it("neither reads nor follows a secret that is not this org's, and reports it", async () => {
    givenSecret(otherOrg);
    givenBucket(FROM_SECRET, ours);
    const skipped: Skipped = [];

    await findTenantBucket({ ...tenant, bucket: undefined }, undefined, deps, skipped);

    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
    expect(lookedAt()).not.toContain(FROM_SECRET);
    expect(skipped).toContainEqual({ resource: `secret ${tenant.secretName}`, reason: 'it belongs to OrgId "Other-Org"' });
  });

  it('passes over a secret scheduled for deletion (its value cannot be read)', async () => {
    givenSecret(ours);
    secretsMock.on(GetSecretValueCommand).rejects(new InvalidRequestException({ ...meta, message: 'marked for deletion' }));
    givenBucket(FROM_TAG, ours);

    await expect(findTenantBucket({ ...tenant, bucket: undefined }, user(), deps, [])).resolves.toEqual({ bucketName: FROM_TAG, bucketFoundBy: 'user-tag' });
  });

  it('looks at a bucket once when several sources name it', async () => {
    givenSecret(ours, LEDGER);
    givenBucket(LEDGER, noSuchBucket());
    givenBucket(primary, ours);

    await findTenantBucket(tenant, user([...ours, { Key: 'TenantBucket', Value: LEDGER }]), deps, []);

    expect(lookedAt()).toEqual([LEDGER, primary]);
  });

  it("reports the primary candidate when it is someone else's, but not a hashed fallback", async () => {
    givenBucket(LEDGER, noSuchBucket());
    givenBucket(primary, otherOrg);
    givenBucket(fallback1, otherOrg);
    givenBucket(fallback2, ours);
    const skipped: Skipped = [];

    const found = await findTenantBucket(tenant, undefined, deps, skipped);

    expect(found.bucketName).toBe(fallback2);
    expect(skipped).toEqual([{ resource: `bucket ${primary}`, reason: 'it belongs to OrgId "Other-Org"' }]);
  });

  it.each([
    ['AccessDenied (another account\'s)', accessDenied, true],
    ['PermanentRedirect (a bucket in another region)', () => new S3ServiceException({ name: 'PermanentRedirect', $fault: 'client', $metadata: { httpStatusCode: 301 }, message: 'redirect' }), false],
  ])('treats %s as not this tenant\'s bucket here, reports it and keeps looking', async (_label, error, warns) => {
    givenBucket(LEDGER, error());
    givenBucket(primary, ours);
    const skipped: Skipped = [];

    const found = await findTenantBucket(tenant, undefined, deps, skipped);

    expect(found).toEqual({ bucketName: primary, bucketFoundBy: 'candidate' });
    expect(skipped).toEqual([{ resource: `bucket ${LEDGER}`, reason: expect.stringContaining("it is not this account's bucket in eu-west-1") }]);
    expect(warn).toHaveBeenCalledTimes(warns ? 1 : 0);
  });

  it('rethrows any other S3 error untouched', async () => {
    const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.' });
    givenBucket(LEDGER, slowDown);

    await expect(findTenantBucket(tenant, undefined, deps, [])).rejects.toBe(slowDown);
  });

  it('finds none when nothing by any name is this org\'s', async () => {
    await expect(findTenantBucket(tenant, undefined, deps, [])).resolves.toEqual({ bucketName: '', bucketFoundBy: 'none' });
    expect(lookedAt()).toEqual([LEDGER, ...tenant.bucketCandidates]);
  });
});

describe('findTenantUser', () => {
  it("returns the org's user", async () => {
    iamMock.on(GetUserCommand).resolves({ User: user() });

    await expect(findTenantUser(tenant, deps, [])).resolves.toMatchObject({ UserName: tenant.userName, UserId: 'AIDAEXAMPLE' });
    expect(iamMock).toHaveReceivedCommandWith(GetUserCommand, { UserName: tenant.userName });
  });

  it('returns nothing when there is no such user', async () => {
    iamMock.on(GetUserCommand).rejects(new NoSuchEntityException({ ...meta, message: 'cannot be found' }));
    const skipped: Skipped = [];

    await expect(findTenantUser(tenant, deps, skipped)).resolves.toBeUndefined();
    expect(skipped).toEqual([]);
  });

  it("returns nothing for a user of the tenant's name that is not this org's, and reports it", async () => {
    iamMock.on(GetUserCommand).resolves({ User: user([{ Key: 'Team', Value: 'payments' }]) });
    const skipped: Skipped = [];

    await expect(findTenantUser(tenant, deps, skipped)).resolves.toBeUndefined();
    expect(skipped).toEqual([{ resource: `IAM user ${tenant.userName}`, reason: 'it is not managed by tenant-provisioner' }]);
  });
});
