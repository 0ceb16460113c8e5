/**
 * Provisioning through the real router, the real ASL and the real handlers against the AWS
 * emulator, read back from the emulator with operator clients.
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetUserCommand } from '@aws-sdk/client-iam';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { tenantNames } from '../../functions/lib/naming';
import { tagsToRecord } from '../../functions/lib/tags';
import type { LocalPipeline } from '../../local/pipeline';
import type { LocalSecretsRotation } from '../../local/secrets-rotation';
import { LOCAL_REGION } from '../../local/stack';
import { integrationPipeline } from './integration-pipeline';

jest.setTimeout(120_000);

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await integrationPipeline();
});
afterAll(() => pipeline?.stop());

const names = (orgId: string) =>
  tenantNames(orgId, LOCAL_REGION, pipeline.config);

async function provision(orgId: string) {
  const routed = await pipeline.send('OrgCreated', { orgId, orgName: `${orgId} Ltd` });
  expect(routed).toMatchObject({ action: 'started', executionName: `${orgId.toLowerCase()}-g1-provision` });
  return pipeline.executions.waitFor('provision', routed.executionName as string);
}

describe('provisioning against the AWS emulator', () => {
  it('creates exactly the bucket, user and secret of docs/architecture.md, Names, readable back from the emulator', async () => {
    const orgId = 'Int-Readback-1';
    const { slug, userName, secretName, bucketCandidates } = names(orgId);
    const bucket = bucketCandidates[0] as string;

    const record = await provision(orgId);

    expect(record.status).toBe('SUCCEEDED');
    const { s3, iam, secretsManager } = pipeline.clients;
    // ProvisionedBy is the run id the ledger gave this run: the execution name and a unique part.
    const runId = (await pipeline.ledger.get(slug))?.provision?.runId;
    expect(runId).toMatch(new RegExp(`^${slug}-g1-provision\\.[0-9a-f]{12}$`));
    const tags = { OrgId: orgId, ManagedBy: 'tenant-provisioner', ProvisionedBy: runId };

    expect(tagsToRecord((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet)).toEqual(tags);
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    // No PutBucketEncryption is sent: AWS encrypts every bucket with SSE-S3 by default (since January
    // 2023; GetBucketEncryption answers AES256 for a new bucket). moto models no default encryption
    // and answers ServerSideEncryptionConfigurationNotFoundError; AWS is right, so either is taken here.
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })).then(
      (answer) => answer.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
      (err: Error) => err.name,
    );
    expect(['AES256', 'ServerSideEncryptionConfigurationNotFoundError']).toContain(encryption);
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    // pub/ is a prefix the policy opens, not an object: nothing is written to the new bucket.
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);

    const user = (await iam.send(new GetUserCommand({ UserName: userName }))).User;
    expect(user?.Path).toBe('/tenants/local/');
    expect(tagsToRecord(user?.Tags)).toEqual({ ...tags, TenantBucket: bucket });

    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}');
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Sid: 'PublicReadPub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/pub/*` }),
      expect.objectContaining({ Sid: 'TenantUserObjects', Effect: 'Allow', Principal: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': user?.Arn } } }),
      expect.objectContaining({ Sid: 'TenantUserList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}`, Condition: { ArnEquals: { 'aws:PrincipalArn': user?.Arn } } }),
    ]);

    const described = await secretsManager.send(new DescribeSecretCommand({ SecretId: secretName }));
    // The LocalRotation:* tags are local mode's stand-in for the rotation configuration the emulator cannot hold (local/secrets-rotation.ts).
    expect(Object.fromEntries(Object.entries(tagsToRecord(described.Tags)).filter(([key]) => !key.startsWith('LocalRotation:')))).toEqual(tags);
    // ProveTenantCredentials put the proven key on the stage's rotation schedule.
    const rotation = await (pipeline.functionClients.keyRotation as LocalSecretsRotation).describe(secretName);
    expect(rotation).toMatchObject({ RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 90 } });
    const secret = JSON.parse((await secretsManager.send(new GetSecretValueCommand({ SecretId: secretName }))).SecretString ?? '{}');
    expect(secret).toEqual({ accessKeyId: expect.stringMatching(/^AKIA/), secretAccessKey: expect.any(String), bucket, region: LOCAL_REGION, userName });
    const sts = new STSClient({ endpoint: pipeline.emulator.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey } });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(user?.Arn);

    const residue = await pipeline.residue();
    expect(residue.accessKeys.filter((k) => k.startsWith(`${userName}:`))).toEqual([`${userName}:${secret.accessKeyId}`]);
    expect(JSON.stringify(record.output)).not.toContain(secret.secretAccessKey);

    const events = (await pipeline.events()).filter((e) => e.detail.orgId === orgId);
    expect(events.map((e) => e['detail-type'])).toEqual(['OrgProvisioned']);
    expect(events[0]?.detail).toMatchObject({ bucket: { name: bucket }, user: { name: userName, arn: user?.Arn }, credentials: { secretName } });
  });

  it('gives the tenant the first fallback name when another account owns fusion-rms-<orgid>', async () => {
    const orgId = 'Int-Collision-1';
    const [primary, firstFallback] = names(orgId).bucketCandidates as [string, string];
    // The emulator maps credentials from an AssumeRole into another account to that account.
    const sts = new STSClient({ endpoint: pipeline.emulator.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::210987654321:role/squatter', RoleSessionName: 'squat' }));
    const other = new S3Client({
      endpoint: pipeline.emulator.endpoint,
      region: LOCAL_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: Credentials?.AccessKeyId ?? '', secretAccessKey: Credentials?.SecretAccessKey ?? '', sessionToken: Credentials?.SessionToken },
    });
    await other.send(new CreateBucketCommand({ Bucket: primary }));

    const record = await provision(orgId);

    expect(record.status).toBe('SUCCEEDED');
    expect((record.output as { bucket: { name: string } }).bucket.name).toBe(firstFallback);
    const residue = await pipeline.residue();
    expect(residue.buckets).toContain(firstFallback);
    // Not ours: never listed among this account's buckets, never touched.
    expect(residue.buckets).not.toContain(primary);
  });

  it('provisions one tenant when the same OrgCreated arrives three times at once', async () => {
    const orgId = 'Int-Concurrent-1';
    const { userName, secretName, bucketCandidates } = names(orgId);

    const results = await Promise.all([1, 2, 3].map(() => pipeline.send('OrgCreated', { orgId, orgName: 'Concurrent' })));

    const name = `${orgId.toLowerCase()}-g1-provision`;
    expect(new Set(results.map((r) => r.executionName))).toEqual(new Set([name]));
    expect(results.map((r) => r.action).sort()).toEqual(['duplicate', 'duplicate', 'started']);
    const record = await pipeline.executions.waitFor('provision', name);
    expect(record.status).toBe('SUCCEEDED');
    const residue = await pipeline.residue();
    expect(residue.buckets.filter((b) => bucketCandidates.includes(b))).toEqual([bucketCandidates[0]]);
    expect(residue.users.filter((u) => u === userName)).toHaveLength(1);
    expect(residue.accessKeys.filter((k) => k.startsWith(`${userName}:`))).toHaveLength(1);
    expect(residue.secrets.filter((s) => s === secretName)).toHaveLength(1);
    const executions: string[] = [];
    for await (const summary of pipeline.executions.list('provision')) executions.push(summary.name);
    expect(executions.filter((n) => n.startsWith(orgId.toLowerCase()))).toEqual([name]);
    expect(await pipeline.ledger.get(orgId.toLowerCase())).toMatchObject({ state: 'active', generation: 1 });
  });
});
