import { GetUserCommand, IAMClient, ListAccessKeysCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand, NoSuchBucket, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ACCOUNT, REGION } from './world';

/** A tenant's resources as IAM, S3 and Secrets Manager answer about them (the `Resources now` part of status, credentials). */
const tags = (orgId: string) => [
  { Key: 'OrgId', Value: orgId },
  { Key: 'ManagedBy', Value: 'tenant-provisioner' },
  { Key: 'ProvisionedBy', Value: `${orgId.toLowerCase()}-g1-provision.0123456789ab` },
];

/** The tenant's bucket, user (with one access key of `keyStatus`) and secret exist, tagged for the org. */
export function mockTenantPresent(
  mocks: { iam: AwsClientStub<IAMClient>; s3: AwsClientStub<S3Client>; secretsManager: AwsClientStub<SecretsManagerClient> },
  orgId = 'Acme',
  keyStatus: 'Active' | 'Inactive' = 'Active',
): { accessKeyId: string; secretAccessKey: string } {
  const slug = orgId.toLowerCase();
  const credentials = { accessKeyId: 'AKIAEXAMPLEKEY000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  mocks.iam.on(GetUserCommand, { UserName: `rms_${slug}` }).resolves({
    User: {
      UserName: `rms_${slug}`,
      Path: '/tenants/dev/',
      UserId: 'AIDAEXAMPLE',
      Arn: `arn:aws:iam::${ACCOUNT}:user/tenants/dev/rms_${slug}`,
      CreateDate: new Date(),
      Tags: [...tags(orgId), { Key: 'TenantBucket', Value: `fusion-rms-${slug}` }],
    },
  });
  mocks.iam.on(ListAccessKeysCommand, { UserName: `rms_${slug}` }).resolves({ AccessKeyMetadata: [{ UserName: `rms_${slug}`, AccessKeyId: credentials.accessKeyId, Status: keyStatus }] });
  mocks.secretsManager.on(DescribeSecretCommand, { SecretId: `fusion-rms/dev/${slug}/credentials` }).resolves({
    ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:fusion-rms/dev/${slug}/credentials-AbCdEf`,
    Name: `fusion-rms/dev/${slug}/credentials`,
    Tags: tags(orgId),
  });
  mocks.secretsManager.on(GetSecretValueCommand, { SecretId: `fusion-rms/dev/${slug}/credentials` }).resolves({
    SecretString: JSON.stringify({ ...credentials, bucket: `fusion-rms-${slug}`, region: REGION, userName: `rms_${slug}` }),
  });
  mocks.s3.on(GetBucketTaggingCommand, { Bucket: `fusion-rms-${slug}` }).resolves({ TagSet: tags(orgId) });
  return credentials;
}

/** Nothing of any tenant exists (declare before `mockTenantPresent`). */
export function mockTenantAbsent(mocks: { iam: AwsClientStub<IAMClient>; s3: AwsClientStub<S3Client>; secretsManager: AwsClientStub<SecretsManagerClient> }): void {
  mocks.iam.on(GetUserCommand).rejects(new NoSuchEntityException({ $metadata: {}, message: 'The user cannot be found.' }));
  mocks.iam.on(ListAccessKeysCommand).rejects(new NoSuchEntityException({ $metadata: {}, message: 'The user cannot be found.' }));
  mocks.secretsManager.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret." }));
  mocks.secretsManager.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret." }));
  mocks.s3.on(GetBucketTaggingCommand).rejects(new NoSuchBucket({ $metadata: {}, message: 'The specified bucket does not exist' }));
}
