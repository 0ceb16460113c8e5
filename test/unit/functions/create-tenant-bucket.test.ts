import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  NotFound,
  PutBucketTaggingCommand,
  S3ServiceException,
  type Tag,
} from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/lambda/create-tenant-bucket';
import { createTenantBucket } from '../../../functions/create-tenant-bucket';
import { loadConfig } from '../../../functions/lib/config';
import { BucketNameSettlingError, BucketNameUnavailableError, TenantQuotaExceededError } from '../../../functions/lib/errors';
import { tenantNames } from '../../../functions/lib/naming';
import { tenantTags } from '../../../functions/lib/tags';
import { answerLedgerGet, ledgerOnRun, SAMPLE_EXECUTION_NAME, SAMPLE_RUN_ID, sampleRunId, sampleTenant } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedS3 } from '../../support/mocked-clients';

const { s3Mock, s3For, regionsAsked } = mockedS3('us-east-1');
const config = loadConfig();
const meta = { $metadata: {} };
/** This run's id: the `ProvisionedBy` of what it creates. */
const execution = SAMPLE_RUN_ID;
/** Another generation's run. */
const otherRun = sampleRunId('acme-bistro-42-g2-provision');

const eu = sampleTenant({ region: 'eu-west-1' });
const us = sampleTenant({ region: 'us-east-1' });
const [euFirst, euSecond] = eu.bucketCandidates as [string, string];
const [usFirst, usSecond] = us.bucketCandidates as [string, string];
const ourTags = tenantTags('Acme-Bistro-42', execution);

function fakeLogger() {
  return { warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
}
const deps = (logger = fakeLogger()) => ({ s3For, ledger: ledgerOnRun(SAMPLE_RUN_ID), config, logger: logger as unknown as Logger });

/** Names of the mutating commands (Put*, Delete*, Create*) sent for `bucket`. */
function writesTo(bucket: string): string[] {
  return s3Mock
    .calls()
    .map((call) => call.args[0] as { constructor: { name: string }; input: { Bucket?: string } })
    .filter((command) => command.input.Bucket === bucket && /^(Put|Delete|Create)/.test(command.constructor.name))
    .map((command) => command.constructor.name);
}

const noSuchTagSet = () => new S3ServiceException({ name: 'NoSuchTagSet', $fault: 'client', ...meta, message: 'The TagSet does not exist' });

describe('createTenantBucket', () => {
  it('creates the first candidate outside us-east-1 with its LocationConstraint, ownership and tags, in that one call', async () => {
    const bucket = await createTenantBucket({ tenant: eu }, deps());

    expect(bucket).toEqual({ name: euFirst, region: 'eu-west-1', arn: `arn:aws:s3:::${euFirst}`, created: true });
    expect(regionsAsked).toEqual(['eu-west-1']);
    expect(s3Mock).toHaveReceivedCommandTimes(HeadBucketCommand, 0);
    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, {
      Bucket: euFirst,
      ObjectOwnership: 'BucketOwnerEnforced',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1', Tags: ourTags },
    });
    // AWS applies CreateBucket's Tags: nothing else is sent for them.
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketTaggingCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(GetBucketTaggingCommand, 0);
  });

  it('on an endpoint that drops CreateBucket\'s Tags (verifyCreateBucketTags, the emulator), checks them and puts them only when dropped', async () => {
    const emulator = { ...deps(), config: { ...config, verifyCreateBucketTags: true } };
    let tagged = false;
    s3Mock.on(PutBucketTaggingCommand).callsFake(() => ((tagged = true), {}));
    s3Mock.on(GetBucketTaggingCommand).callsFake(() => (tagged ? { TagSet: ourTags } : Promise.reject(noSuchTagSet())));

    await createTenantBucket({ tenant: eu }, emulator);
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketTaggingCommand, { Bucket: euFirst, ExpectedBucketOwner: config.accountId, Tagging: { TagSet: ourTags } });

    s3Mock.resetHistory();
    await createTenantBucket({ tenant: eu }, emulator);
    expect(s3Mock).toHaveReceivedCommandTimes(GetBucketTaggingCommand, 1);
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketTaggingCommand, 0);
  });

  it('in us-east-1 creates a bucket HeadBucket reports free (404), without a LocationConstraint', async () => {
    s3Mock.on(HeadBucketCommand).rejects(new NotFound({ ...meta, message: 'Not Found' }));

    const bucket = await createTenantBucket({ tenant: us }, deps());

    expect(bucket).toMatchObject({ name: usFirst, region: 'us-east-1', created: true });
    expect(s3Mock).toHaveReceivedCommandWith(HeadBucketCommand, { Bucket: usFirst, ExpectedBucketOwner: config.accountId });
    const create = s3Mock.commandCalls(CreateBucketCommand)[0]?.args[0].input;
    expect(create?.CreateBucketConfiguration).toEqual({ Tags: ourTags });
    expect(create?.CreateBucketConfiguration).not.toHaveProperty('LocationConstraint');
  });

  it('moves to the next candidate when a name is taken by another account', async () => {
    s3Mock.on(CreateBucketCommand, { Bucket: euFirst }).rejects(new BucketAlreadyExists({ ...meta, message: 'taken' }));

    const bucket = await createTenantBucket({ tenant: eu }, deps());

    expect(bucket).toMatchObject({ name: euSecond, created: true });
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 2);
    expect(writesTo(euFirst)).toEqual(['CreateBucketCommand']);
    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, { Bucket: euSecond });
  });

  it('moves to the next candidate when S3 rejects a name as invalid', async () => {
    s3Mock.on(CreateBucketCommand, { Bucket: euFirst }).rejects(new S3ServiceException({ name: 'InvalidBucketName', $fault: 'client', ...meta, message: 'bad' }));

    await expect(createTenantBucket({ tenant: eu }, deps())).resolves.toMatchObject({ name: euSecond });
  });

  it.each([
    ['another generation\'s run of this org (created false)', otherRun, false],
    // Step Functions accepts a closed execution's name again 90 days after it ended: only the run id tells the runs apart.
    ['an earlier run of the same execution name (created false)', `${SAMPLE_EXECUTION_NAME}.fedcba987654`, false],
    ['this run, on a retry (created true)', execution, true],
  ])('adopts its own bucket tagged for this org by %s without modifying it', async (_label, provisionedBy, created) => {
    s3Mock.on(CreateBucketCommand).rejects(new BucketAlreadyOwnedByYou({ ...meta, message: 'yours' }));
    s3Mock.on(GetBucketTaggingCommand).resolves({ TagSet: tenantTags('Acme-Bistro-42', provisionedBy) });

    const bucket = await createTenantBucket({ tenant: eu }, deps());

    expect(bucket).toEqual({ name: euFirst, region: 'eu-west-1', arn: `arn:aws:s3:::${euFirst}`, created });
    expect(s3Mock).toHaveReceivedCommandWith(GetBucketTaggingCommand, { Bucket: euFirst, ExpectedBucketOwner: config.accountId });
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketTaggingCommand, 0);
    expect(writesTo(euFirst)).toEqual(['CreateBucketCommand']);
  });

  it.each([
    ['tagged for another org', () => ({ TagSet: tenantTags('Other-Org', sampleRunId('other-org-g1-provision')) }), 'OrgId "Other-Org"'],
    ['tagged by something else', () => ({ TagSet: [{ Key: 'team', Value: 'data' }] as Tag[] }), 'not managed by tenant-provisioner'],
    ['untagged (NoSuchTagSet)', () => Promise.reject(noSuchTagSet()), 'not managed by tenant-provisioner'],
  ])('skips an own bucket %s, never modifying it, and warns naming the bucket and owner', async (_label, tagging, owner) => {
    s3Mock.on(CreateBucketCommand, { Bucket: euFirst }).rejects(new BucketAlreadyOwnedByYou({ ...meta, message: 'yours' }));
    s3Mock.on(GetBucketTaggingCommand, { Bucket: euFirst }).callsFake(tagging);
    const logger = fakeLogger();

    const bucket = await createTenantBucket({ tenant: eu }, deps(logger));

    expect(bucket).toMatchObject({ name: euSecond, created: true });
    expect(writesTo(euFirst)).toEqual(['CreateBucketCommand']);
    expect(writesTo(euSecond)).toEqual(['CreateBucketCommand']);
    expect(logger.warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ bucket: euFirst, owner: expect.stringContaining(owner) }));
  });

  it('skips an own bucket that lives in another region (GetBucketTagging redirects)', async () => {
    s3Mock.on(CreateBucketCommand, { Bucket: euFirst }).rejects(new BucketAlreadyOwnedByYou({ ...meta, message: 'yours' }));
    s3Mock
      .on(GetBucketTaggingCommand, { Bucket: euFirst })
      .rejects(new S3ServiceException({ name: 'PermanentRedirect', $fault: 'client', $metadata: { httpStatusCode: 301 }, message: 'redirect' }));

    await expect(createTenantBucket({ tenant: eu }, deps())).resolves.toMatchObject({ name: euSecond });
    expect(writesTo(euFirst)).toEqual(['CreateBucketCommand']);
  });

  it('in us-east-1 checks the tags of an own bucket HeadBucket finds (200) and adopts it without CreateBucket', async () => {
    s3Mock.on(HeadBucketCommand).resolves({ BucketRegion: 'us-east-1' });
    s3Mock.on(GetBucketTaggingCommand).resolves({ TagSet: tenantTags('Acme-Bistro-42', otherRun) });

    const bucket = await createTenantBucket({ tenant: us }, deps());

    expect(bucket).toMatchObject({ name: usFirst, created: false });
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 0);
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketTaggingCommand, 0);
  });

  it('in us-east-1 skips an own untagged bucket HeadBucket finds, and creates the next candidate', async () => {
    s3Mock.on(HeadBucketCommand, { Bucket: usFirst }).resolves({});
    s3Mock.on(HeadBucketCommand, { Bucket: usSecond }).rejects(new NotFound({ ...meta, message: 'Not Found' }));
    s3Mock.on(GetBucketTaggingCommand, { Bucket: usFirst }).rejects(noSuchTagSet());

    const bucket = await createTenantBucket({ tenant: us }, deps());

    expect(bucket).toMatchObject({ name: usSecond, created: true });
    expect(writesTo(usFirst)).toEqual([]);
  });

  it('in us-east-1 still tries CreateBucket when HeadBucket is forbidden (403), and moves on when it is taken', async () => {
    s3Mock.on(HeadBucketCommand, { Bucket: usFirst }).rejects(new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: '' }));
    s3Mock.on(HeadBucketCommand, { Bucket: usSecond }).rejects(new NotFound({ ...meta, message: 'Not Found' }));
    s3Mock.on(CreateBucketCommand, { Bucket: usFirst }).rejects(new BucketAlreadyExists({ ...meta, message: 'taken' }));

    const bucket = await createTenantBucket({ tenant: us }, deps());

    expect(bucket).toMatchObject({ name: usSecond, created: true });
    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, { Bucket: usFirst });
    expect(s3Mock).toHaveReceivedCommandTimes(GetBucketTaggingCommand, 0);
  });

  it('in us-east-1 rethrows a throttled HeadBucket instead of calling CreateBucket, whose 200 could not tell ours from new', async () => {
    const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.' });
    s3Mock.on(HeadBucketCommand).rejects(slowDown);

    await expect(createTenantBucket({ tenant: us }, deps())).rejects.toBe(slowDown);
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 0);
  });

  it('throws BucketNameUnavailableError listing every name tried and why, when all candidates are unavailable', async () => {
    s3Mock.on(CreateBucketCommand).rejects(new BucketAlreadyExists({ ...meta, message: 'taken' }));
    s3Mock.on(CreateBucketCommand, { Bucket: euSecond }).rejects(new BucketAlreadyOwnedByYou({ ...meta, message: 'yours' }));
    s3Mock.on(GetBucketTaggingCommand).resolves({ TagSet: tenantTags('Other-Org', sampleRunId('other-org-g1-provision')) });

    const run = createTenantBucket({ tenant: eu }, deps());

    await expect(run).rejects.toThrow(BucketNameUnavailableError);
    const message = ((await run.catch((err: unknown) => err)) as Error).message;
    for (const name of eu.bucketCandidates) expect(message).toContain(name);
    expect(message).toContain(`${euFirst} (taken by another AWS account)`);
    expect(message).toContain(`${euSecond} (owned by this account, but it belongs to OrgId "Other-Org")`);
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, eu.bucketCandidates.length);
    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketTaggingCommand, 0);
  });

  it('throws TenantQuotaExceededError when the account is out of buckets (TooManyBuckets)', async () => {
    const quota = new S3ServiceException({ name: 'TooManyBuckets', $fault: 'client', ...meta, message: 'You have attempted to create more buckets than allowed' });
    s3Mock.on(CreateBucketCommand).rejects(quota);

    const run = createTenantBucket({ tenant: eu }, deps());

    await expect(run).rejects.toThrow(TenantQuotaExceededError);
    await expect(run).rejects.toHaveProperty('cause', quota);
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 1);
  });

  it('keeps to the name S3 is still settling (OperationAborted, a deletion moments before): BucketNameSettlingError, no fallback name tried', async () => {
    const aborted = new S3ServiceException({
      name: 'OperationAborted',
      $fault: 'client',
      $metadata: { httpStatusCode: 409 },
      message: 'A conflicting conditional operation is currently in progress against this resource. Please try again.',
    });
    s3Mock.on(CreateBucketCommand).rejects(aborted);

    const run = createTenantBucket({ tenant: eu }, deps());

    await expect(run).rejects.toThrow(BucketNameSettlingError);
    await expect(run).rejects.toThrow(`S3 is still settling an operation on bucket name ${eu.bucketCandidates[0] ?? ''} (OperationAborted`);
    await expect(run).rejects.toHaveProperty('cause', aborted);
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 1);
  });

  it('rethrows a throttling error untouched', async () => {
    const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', ...meta, message: 'Please reduce your request rate.' });
    s3Mock.on(CreateBucketCommand).rejects(slowDown);

    await expect(createTenantBucket({ tenant: eu }, deps())).rejects.toBe(slowDown);
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 1);
  });

  it('rethrows an unexpected GetBucketTagging error rather than guessing ownership', async () => {
    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', ...meta, message: 'Access Denied' });
    s3Mock.on(CreateBucketCommand).rejects(new BucketAlreadyOwnedByYou({ ...meta, message: 'yours' }));
    s3Mock.on(GetBucketTaggingCommand).rejects(denied);

    await expect(createTenantBucket({ tenant: eu }, deps())).rejects.toBe(denied);
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 1);
  });
});

describe('createTenantBucket in the account regional namespace', () => {
  // The emulator ignores BucketNamespace (docs/architecture.md, Emulator gaps): the request is proven here.
  const regional = loadConfig({ ...process.env, BUCKET_NAMESPACE: 'account-regional', ALLOWED_REGIONS: 'eu-west-1,us-east-1' });
  const names = tenantNames('Acme-Bistro-42', 'eu-west-1', regional);
  const tenant = { ...eu, bucketCandidates: names.bucketCandidates };
  const regionalDeps = () => ({ s3For, ledger: ledgerOnRun(SAMPLE_RUN_ID), config: regional, logger: fakeLogger() as unknown as Logger });

  it('creates <prefix>-<slug>-<account>-<region>-an with BucketNamespace account-regional, its only name', async () => {
    const bucket = await createTenantBucket({ tenant }, regionalDeps());

    const name = `fusion-rms-acme-bistro-42-${regional.accountId}-eu-west-1-an`;
    expect(bucket).toEqual({ name, region: 'eu-west-1', arn: `arn:aws:s3:::${name}`, created: true });
    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, {
      Bucket: name,
      BucketNamespace: 'account-regional',
      ObjectOwnership: 'BucketOwnerEnforced',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1', Tags: ourTags },
    });
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 1);
  });

  it("adopts the org's own bucket of that name on a retry (BucketAlreadyOwnedByYou), and tries no other name", async () => {
    s3Mock.on(CreateBucketCommand).rejects(new BucketAlreadyOwnedByYou({ ...meta, message: 'Your previous request to create the named bucket succeeded' }));
    s3Mock.on(GetBucketTaggingCommand).resolves({ TagSet: ourTags });

    const bucket = await createTenantBucket({ tenant }, regionalDeps());

    expect(bucket).toMatchObject({ name: names.bucketCandidates[0], created: true });
    expect(s3Mock).toHaveReceivedCommandTimes(CreateBucketCommand, 1);
  });

  it('sends no BucketNamespace in the global namespace (the default)', async () => {
    await createTenantBucket({ tenant: eu }, deps());

    expect(s3Mock.commandCalls(CreateBucketCommand)[0]?.args[0].input).not.toHaveProperty('BucketNamespace');
  });
});

describe('create-tenant-bucket handler', () => {
  it('creates the bucket through its Lambda entry and the clients it makes', async () => {
    answerLedgerGet(mockClient(DynamoDBClient), ledgerOnRun(SAMPLE_RUN_ID).item);
    s3Mock.on(HeadBucketCommand).rejects(new NotFound({ ...meta, message: 'Not Found' }));

    const bucket = await handler({ tenant: us }, fakeLambdaContext('createTenantBucket'));

    expect(bucket).toMatchObject({ name: usFirst, region: 'us-east-1', created: true });
    expect(s3Mock).toHaveReceivedCommandWith(CreateBucketCommand, { Bucket: usFirst });
  });
});
