import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetObjectTaggingCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  S3ServiceException,
  type Tag,
} from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/lambda/claim-tenant-prefix';
import { claimTenantPrefix, prefixBaseUrl, SharedBucketUnavailableError } from '../../../functions/claim-tenant-prefix';
import { InvalidEventError, TenantPrefixInUseError, TenantRunSupersededError } from '../../../functions/lib/errors';
import { tenantTags } from '../../../functions/lib/tags';
import {
  answerLedgerGet,
  ledgerOnRun,
  prefixTenancyConfig,
  SAMPLE_RUN_ID,
  SAMPLE_SHARED_BUCKET,
  SAMPLE_TENANT_PREFIX,
  samplePrefixTenant,
  sampleRunId,
  sampleTenant,
} from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedS3 } from '../../support/mocked-clients';

const { s3Mock, s3For, regionsAsked } = mockedS3('us-east-1');
const config = prefixTenancyConfig();
const meta = { $metadata: {} };

const tenant = samplePrefixTenant();
const SHARED = SAMPLE_SHARED_BUCKET;
const PREFIX = SAMPLE_TENANT_PREFIX;
const ExpectedBucketOwner = config.accountId;
/** A key the prefix already holds. */
const SAMPLE_KEY = `${PREFIX}index.html`;

function fakeLogger() {
  return { warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
}
const deps = (overrides: Partial<Parameters<typeof claimTenantPrefix>[1]> = {}) => ({
  s3For,
  ledger: ledgerOnRun(SAMPLE_RUN_ID),
  config,
  logger: fakeLogger() as unknown as Logger,
  ...overrides,
});

/** Names of every command sent to S3, in order. */
const sent = () => s3Mock.calls().map((call) => call.args[0].constructor.name);

/** The shared bucket exists and is this account's; the prefix holds `keys`; its folder object answers `tagging`. */
function givenSharedBucket(keys: string[] = [], tagging?: () => unknown): void {
  s3Mock.on(HeadBucketCommand).resolves({ BucketRegion: 'us-east-1' });
  s3Mock.on(ListObjectsV2Command).resolves({ KeyCount: keys.length, Contents: keys.slice(0, 1).map((Key) => ({ Key })), IsTruncated: keys.length > 1 });
  s3Mock.on(GetObjectTaggingCommand).callsFake(tagging ?? (() => Promise.reject(new NoSuchKey({ ...meta, message: 'The specified key does not exist.' }))));
}

const forbidden = () => new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: '' });
const movedPermanently = () => new S3ServiceException({ name: 'PermanentRedirect', $fault: 'client', $metadata: { httpStatusCode: 301 }, message: '' });

describe('claimTenantPrefix', () => {
  it('claims an empty prefix as created by this run: the shared bucket, the prefix, its base URL, objects not public', async () => {
    givenSharedBucket([]);

    const bucket = await claimTenantPrefix({ tenant }, deps());

    expect(bucket).toEqual({
      name: SHARED,
      region: 'us-east-1',
      arn: `arn:aws:s3:::${SHARED}`,
      created: true,
      prefix: PREFIX,
      baseUrl: `https://${SHARED}.s3.us-east-1.amazonaws.com/${PREFIX}`,
      publicObjects: false,
    });
    expect(regionsAsked).toEqual(['us-east-1']);
    expect(s3Mock).toHaveReceivedCommandWith(HeadBucketCommand, { Bucket: SHARED, ExpectedBucketOwner });
    expect(s3Mock.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({ Bucket: SHARED, ExpectedBucketOwner, Prefix: PREFIX, MaxKeys: 1 });
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectTaggingCommand, 0);
  });

  it('claims a prefix whose listing has an empty Contents list, as S3 may answer', async () => {
    givenSharedBucket([]);
    s3Mock.on(ListObjectsV2Command).resolves({ KeyCount: 0, Contents: [] });

    await expect(claimTenantPrefix({ tenant }, deps())).resolves.toMatchObject({ created: true, prefix: PREFIX });
  });

  it.each([
    ['disabled', false],
    ['enabled', true],
  ])('marks the objects public (publicObjects) exactly when OBJECT_ACLS is %s', async (objectAcls, publicObjects) => {
    givenSharedBucket([]);

    const bucket = await claimTenantPrefix({ tenant }, deps({ config: prefixTenancyConfig({ OBJECT_ACLS: objectAcls }) }));

    expect(bucket.publicObjects).toBe(publicObjects);
  });

  it.each([
    ['tagged for this org by another generation', tenantTags('Acme-Bistro-42', sampleRunId('acme-bistro-42-g2-provision'))],
    ['tagged by hand with the org and ManagedBy only (a site an operator hands over)', [{ Key: 'OrgId', Value: 'Acme-Bistro-42' }, { Key: 'ManagedBy', Value: 'tenant-provisioner' }]],
  ])('adopts a prefix that holds objects when its folder object is %s, as not created by this run', async (_label, TagSet) => {
    givenSharedBucket([SAMPLE_KEY, `${PREFIX}pub/logo.png`], () => ({ TagSet }));

    const bucket = await claimTenantPrefix({ tenant }, deps());

    expect(bucket).toEqual({
      name: SHARED,
      region: 'us-east-1',
      arn: `arn:aws:s3:::${SHARED}`,
      created: false,
      prefix: PREFIX,
      baseUrl: `https://${SHARED}.s3.us-east-1.amazonaws.com/${PREFIX}`,
      publicObjects: false,
    });
    expect(s3Mock.commandCalls(GetObjectTaggingCommand)[0]?.args[0].input).toEqual({ Bucket: SHARED, ExpectedBucketOwner, Key: PREFIX });
  });

  it.each<[string, () => unknown, RegExp]>([
    ['has no folder object (NoSuchKey)', () => Promise.reject(new NoSuchKey({ ...meta, message: 'The specified key does not exist.' })), /no folder object marks it as this org's/],
    ['has an untagged folder object', () => ({ TagSet: [] }), /folder object .*not managed by tenant-provisioner/],
    ['has a folder object tagged for another org', () => ({ TagSet: tenantTags('Other-Org', sampleRunId('other-org-g1-provision')) }), /folder object .*belongs to OrgId "Other-Org"/],
    ['has a folder object tagged with the OrgId but not ManagedBy', () => ({ TagSet: [{ Key: 'OrgId', Value: 'Acme-Bistro-42' }] as Tag[] }), /folder object .*not managed by tenant-provisioner/],
  ])('refuses a prefix that holds objects and %s with TenantPrefixInUseError naming a key it holds and how to adopt it', async (_label, tagging, marker) => {
    givenSharedBucket([SAMPLE_KEY], tagging);

    const error = await claimTenantPrefix({ tenant }, deps()).then(
      () => undefined,
      (err: unknown) => err as Error,
    );

    expect(error).toBeInstanceOf(TenantPrefixInUseError);
    expect(error?.name).toBe('TenantPrefixInUseError');
    expect(error?.message).toContain(`s3://${SHARED}/${PREFIX}`);
    expect(error?.message).toContain(JSON.stringify(SAMPLE_KEY));
    expect(error?.message).toMatch(marker);
    expect(error?.message).toContain(`tag its folder object (the key ${JSON.stringify(PREFIX)}) with OrgId=Acme-Bistro-42 and ManagedBy=tenant-provisioner`);
    expect(error?.message).toContain('tenantctl provision Acme-Bistro-42 --new-generation');
  });

  // Fails: functions/claim-tenant-prefix.ts builds `its folder object is ${describeOwner(tags)}`, and
  // describeOwner answers a whole clause ("it is not managed by …", "it belongs to OrgId …"): the
  // message must not read "its folder object is it is not managed by tenant-provisioner".
  it('says what is wrong with the folder object in one plain clause (never "is it is" / "is it belongs")', async () => {
    givenSharedBucket([SAMPLE_KEY], () => ({ TagSet: [] }));

    const message = await claimTenantPrefix({ tenant }, deps()).then(
      () => '',
      (err: unknown) => (err as Error).message,
    );

    expect(message).toContain('folder object');
    expect(message).not.toMatch(/folder object is it /);
  });

  it('quotes at most 200 characters of the key it found, whatever its length', async () => {
    const longKey = `${PREFIX}${'a'.repeat(1000)}`;
    givenSharedBucket([longKey]);

    const run = claimTenantPrefix({ tenant }, deps());

    await expect(run).rejects.toThrow(TenantPrefixInUseError);
    await expect(run).rejects.toThrow(JSON.stringify(longKey.slice(0, 200)));
    await expect(run).rejects.not.toThrow(longKey.slice(0, 201));
  });

  it('rethrows an unexpected GetObjectTagging error untouched rather than guessing whose objects these are', async () => {
    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });
    givenSharedBucket([SAMPLE_KEY], () => Promise.reject(denied));

    await expect(claimTenantPrefix({ tenant }, deps())).rejects.toBe(denied);
  });

  it.each<[string, () => Error, RegExp]>([
    ['does not exist (404)', () => new NotFound({ ...meta, message: 'Not Found' }), /does not exist/],
    ["is another account's (403)", forbidden, /is not this account's/],
    ['is in another region (301)', movedPermanently, /is not in us-east-1/],
  ])('throws SharedBucketUnavailableError naming the shared bucket when it %s, and lists nothing', async (_label, answer, why) => {
    const cause = answer();
    s3Mock.on(HeadBucketCommand).rejects(cause);

    const error = await claimTenantPrefix({ tenant }, deps()).then(
      () => undefined,
      (err: unknown) => err as Error,
    );

    expect(error).toBeInstanceOf(SharedBucketUnavailableError);
    expect(error?.name).toBe('SharedBucketUnavailableError');
    expect(error?.message).toContain(`shared bucket ${SHARED}`);
    expect(error?.message).toMatch(why);
    expect(error?.message).toContain('SHARED_BUCKET');
    expect(error?.cause).toBe(cause);
    expect(sent()).toEqual(['HeadBucketCommand']);
  });

  it('rethrows a throttled HeadBucket untouched (transient, not a missing bucket)', async () => {
    const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.' });
    s3Mock.on(HeadBucketCommand).rejects(slowDown);

    await expect(claimTenantPrefix({ tenant }, deps())).rejects.toBe(slowDown);
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 0);
  });

  it.each<[string, ReturnType<typeof samplePrefixTenant>]>([
    ['a bucket tenant', sampleTenant()],
    ['a prefix tenant without its prefix', { ...samplePrefixTenant(), prefix: undefined }],
    ['a prefix tenant without its shared bucket', { ...samplePrefixTenant(), bucket: undefined }],
    ['a tenant with a prefix but no tenancy', { ...samplePrefixTenant(), tenancy: undefined }],
  ])('refuses %s with InvalidEventError before any AWS call', async (_label, notPrefix) => {
    const run = claimTenantPrefix({ tenant: notPrefix }, deps());

    await expect(run).rejects.toThrow(InvalidEventError);
    await expect(run).rejects.toThrow('it is not a prefix tenant');
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it.each([
    ['its provisioning, superseded by an OrgDeleted (revoking)', ledgerOnRun(SAMPLE_RUN_ID, 'provision', 'revoking')],
    ['a later generation is the current one', ledgerOnRun(sampleRunId('acme-bistro-42-g3-provision'))],
  ])('claims nothing once the ledger has moved past this run (%s): TenantRunSupersededError, nothing sent', async (_label, ledger) => {
    givenSharedBucket([]);

    await expect(claimTenantPrefix({ tenant }, deps({ ledger }))).rejects.toThrow(TenantRunSupersededError);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('only reads: whether it claims, adopts or refuses, every S3 call is a Head, List or Get', async () => {
    givenSharedBucket([]);
    await claimTenantPrefix({ tenant }, deps());
    givenSharedBucket([SAMPLE_KEY], () => ({ TagSet: tenantTags('Acme-Bistro-42', SAMPLE_RUN_ID) }));
    await claimTenantPrefix({ tenant }, deps());
    givenSharedBucket([SAMPLE_KEY]);
    await expect(claimTenantPrefix({ tenant }, deps())).rejects.toThrow(TenantPrefixInUseError);

    expect(sent().length).toBeGreaterThanOrEqual(7);
    expect(sent().filter((name) => !/^(Head|List|Get)[A-Za-z0-9]*Command$/.test(name))).toEqual([]);
  });

  it('gives a dotted shared bucket a path-style base URL (its virtual host is not covered by S3\'s certificate)', async () => {
    givenSharedBucket([]);
    const dotted = samplePrefixTenant({ bucket: 'connect.pozi.com' });

    const bucket = await claimTenantPrefix({ tenant: dotted }, deps({ config: prefixTenancyConfig({ SHARED_BUCKET: 'connect.pozi.com' }) }));

    expect(bucket).toMatchObject({ name: 'connect.pozi.com', arn: 'arn:aws:s3:::connect.pozi.com', baseUrl: `https://s3.us-east-1.amazonaws.com/connect.pozi.com/${PREFIX}` });
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: 'connect.pozi.com', Prefix: PREFIX });
  });
});

describe('prefixBaseUrl', () => {
  it('is virtual-hosted style for a bucket name without a dot', () => {
    expect(prefixBaseUrl('tenant-provisioner-test-shared', 'eu-west-1', 'userdata/acme-publisher/')).toBe('https://tenant-provisioner-test-shared.s3.eu-west-1.amazonaws.com/userdata/acme-publisher/');
  });

  it('is path style for a bucket name with a dot', () => {
    expect(prefixBaseUrl('connect.pozi.com', 'ap-southeast-2', 'userdata/acme-publisher/')).toBe('https://s3.ap-southeast-2.amazonaws.com/connect.pozi.com/userdata/acme-publisher/');
  });
});

describe('claim-tenant-prefix handler', () => {
  it('claims the prefix through its Lambda entry and the clients it makes', async () => {
    answerLedgerGet(mockClient(DynamoDBClient), ledgerOnRun(SAMPLE_RUN_ID).item);
    givenSharedBucket([]);

    const bucket = await handler({ tenant }, fakeLambdaContext('claimTenantPrefix'));

    expect(bucket).toMatchObject({ name: SHARED, prefix: PREFIX, created: true });
    expect(s3Mock).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: SHARED, Prefix: PREFIX, MaxKeys: 1, ExpectedBucketOwner });
  });
});
