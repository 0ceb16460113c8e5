import { execFileSync } from 'node:child_process';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, InvalidRequestException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mockTenantAbsent, mockTenantPresent } from '../resources-mock';
import { createWorld, type World } from '../world';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);
const mocks = { iam: iamMock, s3: s3Mock, secretsManager: secretsMock };

let world: World;
const tenantctl = (argv: string[]) => world.tenantctl(argv);

beforeEach(async () => {
  for (const mock of [iamMock, s3Mock, secretsMock]) mock.reset();
  mockTenantAbsent(mocks);
  world = createWorld('aws');
  await world.provisioned('Acme');
});

describe('tenantctl credentials', () => {
  it('prints the [AWS] handoff with the secret access key masked, and never the key itself', async () => {
    const { accessKeyId, secretAccessKey } = mockTenantPresent(mocks);

    const run = await tenantctl(['credentials', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`[AWS]\nbucket=fusion-rms-acme\nkey=${accessKeyId}\nsecret=wJal************************************\n`);
    expect(run.stdout + run.stderr).not.toContain(secretAccessKey);
    expect(run.stderr).toBe('tenantctl: the secret access key is masked; add --reveal to print it\n');
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'fusion-rms/dev/acme/credentials' });
  });

  it('prints the environment form masked only as a comment, so sourcing it never sets a key that does not work', async () => {
    const { accessKeyId, secretAccessKey } = mockTenantPresent(mocks);

    const run = await tenantctl(['credentials', 'Acme', '--format', 'env']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`AWS_ACCESS_KEY_ID=${accessKeyId}\n# AWS_SECRET_ACCESS_KEY=wJal************************************  (masked: add --reveal)\nAWS_REGION=us-east-1\nTENANT_BUCKET=fusion-rms-acme\n`);
    expect(run.stdout).not.toContain(secretAccessKey);
    const sourced = execFileSync('bash', ['-c', `${run.stdout}\nprintf '%s|%s' "\${AWS_ACCESS_KEY_ID}" "\${AWS_SECRET_ACCESS_KEY-unset}"`], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(sourced).toBe(`${accessKeyId}|unset`);
  });

  it('prints the environment form with the key itself only with --reveal', async () => {
    const { accessKeyId, secretAccessKey } = mockTenantPresent(mocks);

    const run = await tenantctl(['credentials', 'Acme', '--format', 'env', '--reveal']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`AWS_ACCESS_KEY_ID=${accessKeyId}\nAWS_SECRET_ACCESS_KEY=${secretAccessKey}\nAWS_REGION=us-east-1\nTENANT_BUCKET=fusion-rms-acme\n`);
    expect(run.stderr).toBe('');
  });

  it('prints one JSON document with --json (masked) and with --format json --reveal', async () => {
    const { accessKeyId, secretAccessKey } = mockTenantPresent(mocks);

    const masked = await tenantctl(['credentials', 'Acme', '--json']);
    const revealed = await tenantctl(['credentials', 'Acme', '--format', 'json', '--reveal']);

    const expected = {
      orgId: 'Acme',
      bucket: 'fusion-rms-acme',
      region: 'us-east-1',
      accessKeyId,
      secretAccessKey: 'wJal************************************',
      secretRevealed: false,
      keyStatus: 'Active',
      userName: 'rms_acme',
      secretName: 'fusion-rms/dev/acme/credentials',
    };
    expect(masked.json()).toEqual(expected);
    expect(masked.stdout).not.toContain(secretAccessKey);
    expect(revealed.json()).toEqual({ ...expected, secretAccessKey, secretRevealed: true });
  });

  it('warns on stderr when the key in the secret is no longer active', async () => {
    mockTenantPresent(mocks, 'Acme', 'Inactive');

    const run = await tenantctl(['credentials', 'Acme']);

    expect(run.code).toBe(0);
    expect(run.stderr).toContain('tenantctl: warning: access key AKIAEXAMPLEKEY000001 of rms_acme is inactive: these credentials no longer work');
  });

  it("reads the secret the ledger recorded for the tenant (its OrgProvisioned detail)", async () => {
    const item = await world.item('acme');
    await world.ledger.write({ ...item, version: item.version + 1, provisioned: { ...(item.provisioned as NonNullable<typeof item.provisioned>), credentials: { secretArn: 'arn', secretName: 'fusion-rms/dev/acme/credentials-v2' } } }, item.version, 0, 5000);

    const run = await tenantctl(['credentials', 'Acme']);

    expect(run.code).toBe(1);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'fusion-rms/dev/acme/credentials-v2' });
  });

  it('exits 1 in one sentence when the tenant has no secret, or its secret is scheduled for deletion', async () => {
    const missing = await tenantctl(['credentials', 'Acme']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('tenantctl: Tenant Acme has no credentials secret fusion-rms/dev/acme/credentials: is it provisioned? (npx tenantctl status Acme)\n');

    secretsMock.on(GetSecretValueCommand).rejects(new InvalidRequestException({ $metadata: {}, message: 'You can’t perform this operation on the secret because it was marked for deletion.' }));
    const deleting = await tenantctl(['credentials', 'Acme']);
    expect(deleting.code).toBe(1);
    expect(deleting.stderr).toBe('tenantctl: The credentials secret fusion-rms/dev/acme/credentials of tenant Acme is scheduled for deletion: the tenant is being torn down\n');
  });

  it('refuses --json with another --format, and an unknown format, as bad usage', async () => {
    const conflicting = await tenantctl(['credentials', 'Acme', '--json', '--format', 'ini']);
    expect(conflicting.code).toBe(2);
    expect(conflicting.json()).toEqual({ error: { name: 'UsageError', message: expect.stringContaining('--json prints JSON'), exitCode: 2 } });

    const unknown = await tenantctl(['credentials', 'Acme', '--format', 'yaml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('tenantctl: --format "yaml" must be ini, env or json. Run `npx tenantctl credentials --help`.\n');
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });
});
