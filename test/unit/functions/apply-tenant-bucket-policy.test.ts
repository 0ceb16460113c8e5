import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutBucketPolicyCommand, S3ServiceException } from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand,
  NoSuchPublicAccessBlockConfiguration,
  S3ControlClient,
  S3ControlServiceException,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/lambda/apply-tenant-bucket-policy';
import { applyTenantBucketPolicy } from '../../../functions/apply-tenant-bucket-policy';
import { loadConfig, type Config } from '../../../functions/lib/config';
import { PublicAccessBlockedError, TenantBucketMissingError, TenantPolicyNotReadyError, TenantRunSupersededError } from '../../../functions/lib/errors';
import type { PolicyDocument } from '../../../functions/lib/policies';
import { accessDenied, noSuchBucket } from '../../support/aws-errors';
import { answerLedgerGet, ledgerOnRun, SAMPLE_RUN_ID, sampleBucket, sampleRunId, sampleTenant, sampleUser } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';
import { mockedS3 } from '../../support/mocked-clients';

const { s3Mock, s3 } = mockedS3('us-east-1');
const s3controlMock = mockClient(S3ControlClient);
const config = loadConfig();
const s3control = new S3ControlClient({ region: 'us-east-1' });
const depsWith = (overrides: Partial<Config> = {}) => ({ s3For: () => s3, s3control: async () => s3control, ledger: ledgerOnRun(SAMPLE_RUN_ID), config: { ...config, ...overrides } });
const meta = { $metadata: {} };

const name = 'fusion-rms-acme-bistro-42';
const user = sampleUser();
const input = { tenant: sampleTenant(), bucket: sampleBucket({ name }), user };

function sentPolicy(): PolicyDocument {
  const policy = s3Mock.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy;
  return JSON.parse(policy ?? 'null') as PolicyDocument;
}

beforeEach(() => s3controlMock.reset());

describe('applyTenantBucketPolicy', () => {
  it('puts public read of pub/*, the user object actions and ListBucket, and the non-TLS deny', async () => {
    const result = await applyTenantBucketPolicy(input, depsWith({ bucketPolicyTlsOnly: true }));

    expect(result).toEqual({ applied: true, tlsOnly: true, statementIds: ['PublicReadPub', 'TenantUserObjects', 'TenantUserList', 'DenyInsecureTransport'] });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketPolicyCommand, { Bucket: name, ExpectedBucketOwner: config.accountId });
    expect(sentPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'PublicReadPub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/pub/*` },
        {
          Sid: 'TenantUserObjects',
          Effect: 'Allow',
          Principal: '*',
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          Resource: `arn:aws:s3:::${name}/*`,
          Condition: { ArnEquals: { 'aws:PrincipalArn': user.arn } },
        },
        { Sid: 'TenantUserList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${name}`, Condition: { ArnEquals: { 'aws:PrincipalArn': user.arn } } },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    expect(s3controlMock).toHaveReceivedCommandTimes(GetPublicAccessBlockCommand, 0);
  });

  it('leaves out the non-TLS deny when the stage is not TLS-only', async () => {
    const result = await applyTenantBucketPolicy(input, depsWith({ bucketPolicyTlsOnly: false }));

    expect(result).toEqual({ applied: true, tlsOnly: false, statementIds: ['PublicReadPub', 'TenantUserObjects', 'TenantUserList'] });
    const policy = sentPolicy();
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['PublicReadPub', 'TenantUserObjects', 'TenantUserList']);
    expect(policy.Statement.some((s) => s.Effect === 'Deny' || s.Condition?.Bool !== undefined)).toBe(false);
  });

  it('names the user only by its ARN, so a recreated user of the same name needs no new policy and IAM propagation never refuses it', async () => {
    await applyTenantBucketPolicy(input, depsWith());
    await applyTenantBucketPolicy({ ...input, user: { ...user, userId: 'AIDANEW' } }, depsWith());

    const [first, second] = s3Mock.commandCalls(PutBucketPolicyCommand).map((call) => call.args[0].input.Policy);
    expect(second).toBe(first);
    expect(first).not.toContain(user.userId);
    expect(sentPolicy().Statement.every((s) => s.Principal === '*')).toBe(true);
  });

  it('re-puts the policy on every run', async () => {
    await applyTenantBucketPolicy(input, depsWith());
    await applyTenantBucketPolicy({ ...input, user: { ...user, userId: 'AIDANEW' } }, depsWith());

    expect(s3Mock).toHaveReceivedCommandTimes(PutBucketPolicyCommand, 2);
  });

  it('rethrows MalformedPolicy untouched (no principal in the policy is resolved, so it is never IAM propagation)', async () => {
    const malformed = new S3ServiceException({ name: 'MalformedPolicy', $fault: 'client', ...meta, message: 'Policy has invalid resource' });
    s3Mock.on(PutBucketPolicyCommand).rejects(malformed);

    await expect(applyTenantBucketPolicy(input, depsWith())).rejects.toBe(malformed);
  });

  it('turns OperationAborted into TenantPolicyNotReadyError', async () => {
    s3Mock.on(PutBucketPolicyCommand).rejects(new S3ServiceException({ name: 'OperationAborted', $fault: 'client', ...meta, message: 'conflicting operation' }));

    await expect(applyTenantBucketPolicy(input, depsWith())).rejects.toThrow(TenantPolicyNotReadyError);
  });

  it('reports account-level BlockPublicPolicy as PublicAccessBlockedError telling the operator what to turn off', async () => {
    const denied = accessDenied();
    s3Mock.on(PutBucketPolicyCommand).rejects(denied);
    s3controlMock.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    });

    const run = applyTenantBucketPolicy(input, depsWith());

    await expect(run).rejects.toThrow(PublicAccessBlockedError);
    await expect(run).rejects.toThrow(/account-level S3 Block Public Access \(BlockPublicPolicy\).*Turn off BlockPublicPolicy/is);
    await expect(run).rejects.toHaveProperty('cause', denied);
    expect(s3controlMock).toHaveReceivedCommandWith(GetPublicAccessBlockCommand, { AccountId: config.accountId });
  });

  it('also recognises AccessDenied surfaced as a plain S3ServiceException', async () => {
    s3Mock.on(PutBucketPolicyCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', ...meta, message: 'Access Denied' }));
    s3controlMock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicPolicy: true } });

    await expect(applyTenantBucketPolicy(input, depsWith())).rejects.toThrow(PublicAccessBlockedError);
  });

  it.each([
    ['off', () => Promise.resolve({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false } })],
    ['not configured', () => Promise.reject(new NoSuchPublicAccessBlockConfiguration({ ...meta, message: 'none' }))],
  ])('turns AccessDenied into TenantPolicyNotReadyError when account-level BlockPublicPolicy is %s (bucket BPA still propagating)', async (_label, answer) => {
    s3Mock.on(PutBucketPolicyCommand).rejects(accessDenied());
    s3controlMock.on(GetPublicAccessBlockCommand).callsFake(answer);

    await expect(applyTenantBucketPolicy(input, depsWith())).rejects.toThrow(TenantPolicyNotReadyError);
  });

  it('rethrows the original AccessDenied when the account-level setting cannot be read', async () => {
    const denied = accessDenied();
    s3Mock.on(PutBucketPolicyCommand).rejects(denied);
    s3controlMock.on(GetPublicAccessBlockCommand).rejects(new S3ControlServiceException({ name: 'AccessDenied', $fault: 'client', ...meta, message: 'no s3:GetAccountPublicAccessBlock' }));

    await expect(applyTenantBucketPolicy(input, depsWith())).rejects.toBe(denied);
  });

  it('throws TenantBucketMissingError when the bucket is gone', async () => {
    s3Mock.on(PutBucketPolicyCommand).rejects(noSuchBucket());

    await expect(applyTenantBucketPolicy(input, depsWith())).rejects.toThrow(TenantBucketMissingError);
  });

  it('rethrows a throttling error untouched', async () => {
    const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', ...meta, message: 'Please reduce your request rate.' });
    s3Mock.on(PutBucketPolicyCommand).rejects(slowDown);

    await expect(applyTenantBucketPolicy(input, depsWith())).rejects.toBe(slowDown);
  });
});

describe('the access guard', () => {
  it.each([
    ['its provisioning, superseded by an OrgDeleted (revoking)', ledgerOnRun(SAMPLE_RUN_ID, 'provision', 'revoking')],
    ['its provisioning, after the teardown revoked access (retained)', ledgerOnRun(SAMPLE_RUN_ID, 'provision', 'retained')],
    ['a run the ledger does not know', ledgerOnRun(sampleRunId('acme-bistro-42-g9-provision'))],
  ])('puts no policy for %s', async (_case, ledger) => {
    await expect(applyTenantBucketPolicy(input, { ...depsWith(), ledger })).rejects.toThrow(TenantRunSupersededError);
    expect(s3Mock).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('puts it for its own restore', async () => {
    const restore = sampleRunId('acme-bistro-42-g1-restore');
    const restoreInput = { ...input, tenant: { ...input.tenant, provisionedBy: restore } };
    await expect(applyTenantBucketPolicy(restoreInput, { ...depsWith(), ledger: ledgerOnRun(restore, 'restore') })).resolves.toMatchObject({ applied: true });
  });
});

describe('apply-tenant-bucket-policy handler', () => {
  it('puts the policy through its Lambda entry and the clients it makes with the stage TLS setting', async () => {
    answerLedgerGet(mockClient(DynamoDBClient), ledgerOnRun(SAMPLE_RUN_ID).item);
    const result = await handler(input, fakeLambdaContext('applyTenantBucketPolicy'));

    expect(result).toMatchObject({ applied: true, tlsOnly: config.bucketPolicyTlsOnly });
    expect(s3Mock).toHaveReceivedCommandWith(PutBucketPolicyCommand, { Bucket: name });
  });

  it('makes its S3 Control client on an AccessDenied, to read the account-level Block Public Access', async () => {
    answerLedgerGet(mockClient(DynamoDBClient), ledgerOnRun(SAMPLE_RUN_ID).item);
    s3Mock.on(PutBucketPolicyCommand).rejects(accessDenied());
    s3controlMock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicPolicy: true } });

    await expect(handler(input, fakeLambdaContext('applyTenantBucketPolicy'))).rejects.toThrow(PublicAccessBlockedError);
    expect(s3controlMock).toHaveReceivedCommandWith(GetPublicAccessBlockCommand, { AccountId: config.accountId });
  });
});
