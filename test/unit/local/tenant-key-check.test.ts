import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { currentFunction, runAsFunction } from '../../../local/function-scope';
import { iamAccessKeyStatus, localTenantClients, withTenantKeyCheck, type AccessKeyStatus } from '../../../local/tenant-key-check';
import { LOCAL_TEST_CREDENTIALS, recordedHttp } from './recorded-http';

const KEY_ID = LOCAL_TEST_CREDENTIALS.accessKeyId;
const USER = 'rms_acme-bistro-42';
const ARN = `arn:aws:iam::123456789012:user/tenants/local/${USER}`;
const CALLER_IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${ARN}</Arn><UserId>AIDAUNITTEST</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
const LISTING = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>fusion-rms-acme-bistro-42</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>';

/** A lookup answering `statuses` in turn (the last one from then on), counting its calls. */
function lookupAnswering(...statuses: AccessKeyStatus[]) {
  const asked: string[] = [];
  const lookup = async (accessKeyId: string) => {
    asked.push(accessKeyId);
    return statuses[Math.min(asked.length - 1, statuses.length - 1)];
  };
  return { lookup, asked };
}

describe('withTenantKeyCheck', () => {
  it('refuses an STS request signed with an inactive key as STS does (InvalidClientTokenId, 403) and sends nothing', async () => {
    const http = recordedHttp(CALLER_IDENTITY, { 'content-type': 'text/xml' });
    const { lookup, asked } = lookupAnswering('Inactive');
    const sts = withTenantKeyCheck(new STSClient({ region: 'us-east-1', credentials: LOCAL_TEST_CREDENTIALS, requestHandler: http.requestHandler }), KEY_ID, lookup);

    const refusal = await sts.send(new GetCallerIdentityCommand({})).catch((err: unknown) => err);

    expect(refusal).toBeInstanceOf(STSServiceException);
    expect(refusal).toMatchObject({ name: 'InvalidClientTokenId', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'The security token included in the request is invalid.' });
    expect(asked).toEqual([KEY_ID]);
    expect(http.sent).toHaveLength(0);
  });

  it('refuses an S3 request signed with a key IAM does not hold as S3 does (InvalidAccessKeyId, 403)', async () => {
    const http = recordedHttp(LISTING, { 'content-type': 'application/xml' });
    const s3 = withTenantKeyCheck(new S3Client({ region: 'us-east-1', credentials: LOCAL_TEST_CREDENTIALS, forcePathStyle: true, requestHandler: http.requestHandler }), KEY_ID, lookupAnswering(undefined).lookup);

    const refusal = await s3.send(new ListObjectsV2Command({ Bucket: 'fusion-rms-acme-bistro-42', MaxKeys: 1 })).catch((err: unknown) => err);

    expect(refusal).toBeInstanceOf(S3ServiceException);
    expect(refusal).toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 }, message: 'The AWS Access Key Id you provided does not exist in our records.' });
    expect(http.sent).toHaveLength(0);
  });

  it('lets a request signed with an active key through to the service, and asks again for every request', async () => {
    const http = recordedHttp(CALLER_IDENTITY, { 'content-type': 'text/xml' });
    const { lookup, asked } = lookupAnswering('Active', 'Inactive');
    const sts = withTenantKeyCheck(new STSClient({ region: 'us-east-1', credentials: LOCAL_TEST_CREDENTIALS, requestHandler: http.requestHandler }), KEY_ID, lookup);

    const first = await sts.send(new GetCallerIdentityCommand({}));
    const second = await sts.send(new GetCallerIdentityCommand({})).catch((err: unknown) => err);

    expect(first.Arn).toBe(ARN);
    expect(second).toMatchObject({ name: 'InvalidClientTokenId' });
    expect(asked).toEqual([KEY_ID, KEY_ID]);
    expect(http.sent).toHaveLength(1);
  });
});

describe('localTenantClients', () => {
  it('gives both tenant clients the check, each refusing with its own service\'s error', async () => {
    const { lookup } = lookupAnswering('Inactive');
    const tenant = localTenantClients('http://127.0.0.1:1', 'us-east-1', lookup)(LOCAL_TEST_CREDENTIALS, 'eu-west-1');
    try {
      const sts = await tenant.sts.send(new GetCallerIdentityCommand({})).catch((err: unknown) => err);
      const s3 = await tenant.s3.send(new ListObjectsV2Command({ Bucket: 'fusion-rms-acme-bistro-42' })).catch((err: unknown) => err);

      expect(sts).toMatchObject({ name: 'InvalidClientTokenId' });
      expect(s3).toMatchObject({ name: 'InvalidAccessKeyId' });
      expect(await tenant.s3.config.region()).toBe('eu-west-1');
    } finally {
      tenant.destroy();
    }
  });
});

describe('iamAccessKeyStatus', () => {
  const iamMock = mockClient(IAMClient);
  const iam = new IAMClient({});
  beforeEach(() => iamMock.reset());

  it('finds the key\'s user, then the key\'s status among its keys', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY_ID }).resolves({ UserName: USER });
    iamMock.on(ListAccessKeysCommand, { UserName: USER }).resolves({
      AccessKeyMetadata: [
        { AccessKeyId: 'AKIAOTHERKEY0000000', Status: 'Active' },
        { AccessKeyId: KEY_ID, Status: 'Inactive' },
      ],
    });

    expect(await iamAccessKeyStatus(iam)(KEY_ID)).toBe('Inactive');
  });

  it('says the key is active only when IAM lists it Active', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).resolves({ UserName: USER });
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });

    expect(await iamAccessKeyStatus(iam)(KEY_ID)).toBe('Active');
  });

  it('says no user holds a deleted key (IAM NoSuchEntity), or a key whose user was deleted since', async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejectsOnce(new NoSuchEntityException({ $metadata: {}, message: `The Access Key with id ${KEY_ID} cannot be found` })).resolves({ UserName: USER });
    iamMock.on(ListAccessKeysCommand).rejects(new NoSuchEntityException({ $metadata: {}, message: `The user with name ${USER} cannot be found.` }));

    expect(await iamAccessKeyStatus(iam)(KEY_ID)).toBeUndefined();
    expect(await iamAccessKeyStatus(iam)(KEY_ID)).toBeUndefined();
  });

  it('asks IAM as AWS itself, outside the function whose request is checked', async () => {
    const askedAs: (string | undefined)[] = [];
    iamMock.on(GetAccessKeyLastUsedCommand).callsFake(() => {
      askedAs.push(currentFunction());
      return { UserName: USER };
    });
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });

    await runAsFunction('proveTenantCredentials', () => iamAccessKeyStatus(iam)(KEY_ID));

    expect(askedAs).toEqual([undefined]);
  });
});
