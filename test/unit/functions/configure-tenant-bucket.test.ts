import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutBucketOwnershipControlsCommand, PutPublicAccessBlockCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/lambda/configure-tenant-bucket';
import { configureTenantBucket } from '../../../functions/configure-tenant-bucket';
import { loadConfig } from '../../../functions/lib/config';
import { TenantBucketMissingError } from '../../../functions/lib/errors';
import { noSuchBucket } from '../../support/aws-errors';
import { answerLedgerGet, ledgerOnRun, SAMPLE_RUN_ID, sampleBucket, sampleTenant } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedS3 } from '../../support/mocked-clients';

const { s3Mock, s3For, regionsAsked } = mockedS3('eu-west-1');
const config = loadConfig();
const deps = { s3For, ledger: ledgerOnRun(SAMPLE_RUN_ID), config };
const meta = { $metadata: {} };

const tenant = sampleTenant({ region: 'eu-west-1' });
const name = 'fusion-rms-acme-bistro-42';
const created = sampleBucket({ name, region: 'eu-west-1' });
const adopted = sampleBucket({ name, region: 'eu-west-1', created: false });
const owner = { Bucket: name, ExpectedBucketOwner: config.accountId };

describe('configureTenantBucket', () => {
  it('sends only Block Public Access, with only the policy settings off: S3 encrypts every bucket (SSE-S3) by default, and pub/ needs no object', async () => {
    const result = await configureTenantBucket({ tenant, bucket: created }, deps);

    expect(result).toEqual({ publicPrefix: 'pub/', publicBaseUrl: `https://${name}.s3.eu-west-1.amazonaws.com/pub/` });
    expect(regionsAsked).toEqual(['eu-west-1']);
    expect(s3Mock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      ...owner,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
    });
    expect(s3Mock.calls().map((call) => call.args[0].constructor.name)).toEqual(['PutPublicAccessBlockCommand']);
  });

  it('leaves object ownership alone on a bucket it created (CreateBucket set BucketOwnerEnforced)', async () => {
    await configureTenantBucket({ tenant, bucket: created }, deps);

    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketOwnershipControlsCommand, 0);
  });

  it('also enforces BucketOwnerEnforced ownership on an adopted bucket', async () => {
    await configureTenantBucket({ tenant, bucket: adopted }, deps);

    expect(s3Mock).toHaveReceivedCommandWith(PutBucketOwnershipControlsCommand, {
      ...owner,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(s3Mock).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
  });

  it('throws TenantBucketMissingError when the bucket was deleted outside the workflow', async () => {
    const missing = noSuchBucket();
    s3Mock.on(PutPublicAccessBlockCommand).rejects(missing);

    const run = configureTenantBucket({ tenant, bucket: created }, deps);

    await expect(run).rejects.toThrow(TenantBucketMissingError);
    await expect(run).rejects.toHaveProperty('cause', missing);
  });

  it('rethrows any other error untouched', async () => {
    const internal = new S3ServiceException({ name: 'InternalError', $fault: 'server', ...meta, message: 'We encountered an internal error' });
    s3Mock.on(PutPublicAccessBlockCommand).rejects(internal);

    await expect(configureTenantBucket({ tenant, bucket: created }, deps)).rejects.toBe(internal);
  });

  it('is safe to repeat: a second run makes the same puts', async () => {
    await configureTenantBucket({ tenant, bucket: created }, deps);
    const first = s3Mock.calls().map((call) => call.args[0].input);
    s3Mock.resetHistory();
    await configureTenantBucket({ tenant, bucket: created }, deps);

    expect(s3Mock.calls().map((call) => call.args[0].input)).toEqual(first);
  });
});

describe('configure-tenant-bucket handler', () => {
  it('configures the bucket through its Lambda entry and the clients it makes', async () => {
    answerLedgerGet(mockClient(DynamoDBClient), ledgerOnRun(SAMPLE_RUN_ID).item);
    const result = await handler({ tenant, bucket: created }, fakeLambdaContext('configureTenantBucket'));

    expect(result.publicPrefix).toBe('pub/');
    expect(s3Mock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, { Bucket: name });
  });
});
