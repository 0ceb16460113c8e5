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
    expect(unknown.stderr).toBe('tenantctl: --format "yaml" must be ini, env, json, pozi or pozi-sync. Run `npx tenantctl credentials --help`.\n');
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });

  it('refuses --json with --format pozi or pozi-sync before reading the secret', async () => {
    mockTenantPresent(mocks);

    for (const format of ['pozi', 'pozi-sync']) {
      const run = await tenantctl(['credentials', 'Acme', '--json', '--format', format]);
      expect(run.code).toBe(2);
      expect(run.json()).toEqual({ error: { name: 'UsageError', message: `--json prints JSON; it cannot be combined with --format ${format}. Run \`npx tenantctl credentials --help\`.`, exitCode: 2 } });
    }
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });

  it('names every format in its usage and help', async () => {
    const help = await tenantctl(['credentials', '--help']);

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('credentials <orgId> [--format ini|env|json|pozi|pozi-sync] [--reveal]');
    expect(help.stdout).toContain('--format <ini|env|json|pozi|pozi-sync>');
    expect(help.stdout).toContain('`pozi-sync` is what legacy Pozi Data Sync asks for');
  });
});

describe('tenantctl credentials (Pozi formats)', () => {
  const MASKED = 'wJal************************************';

  /** Acme as a prefix tenant: its secret names the shared bucket and its folder of it. */
  function mockPrefixTenant(): { accessKeyId: string; secretAccessKey: string } {
    const credentials = mockTenantPresent(mocks);
    secretsMock.on(GetSecretValueCommand, { SecretId: 'fusion-rms/dev/acme/credentials' }).resolves({
      SecretString: JSON.stringify({ ...credentials, bucket: 'connect.pozi.com', prefix: 'userdata/acme-publisher/', region: 'us-east-1', userName: 'rms_acme' }),
    });
    return credentials;
  }

  it("prints a prefix tenant's Pozi [AWS] block: the shared bucket and its prefix without the trailing slash, the secret masked", async () => {
    const { accessKeyId, secretAccessKey } = mockPrefixTenant();

    const run = await tenantctl(['credentials', 'Acme', '--format', 'pozi']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`[AWS]\nbucket=connect.pozi.com/userdata/acme-publisher\nkey=${accessKeyId}\nsecret=${MASKED}\n`);
    expect(run.stdout + run.stderr).not.toContain(secretAccessKey);
    expect(run.stderr).toBe('tenantctl: the secret access key is masked; add --reveal to print it\n');
  });

  it('prints the secret access key itself in the Pozi block only with --reveal', async () => {
    const { accessKeyId, secretAccessKey } = mockPrefixTenant();

    const run = await tenantctl(['credentials', 'Acme', '--format', 'pozi', '--reveal']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`[AWS]\nbucket=connect.pozi.com/userdata/acme-publisher\nkey=${accessKeyId}\nsecret=${secretAccessKey}\n`);
    expect(run.stderr).toBe('');
  });

  it("gives a bucket tenant's Pozi block its own bucket, all of it", async () => {
    const { accessKeyId } = mockTenantPresent(mocks);

    const run = await tenantctl(['credentials', 'Acme', '--format', 'pozi']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`[AWS]\nbucket=fusion-rms-acme\nkey=${accessKeyId}\nsecret=${MASKED}\n`);
  });

  it('prints the Pozi Data Sync fields: the lower-case slug as sitename, the key id as username, the masked secret as password', async () => {
    const { accessKeyId, secretAccessKey } = mockPrefixTenant();

    const masked = await tenantctl(['credentials', 'Acme', '--format', 'pozi-sync']);
    const revealed = await tenantctl(['credentials', 'Acme', '--format', 'pozi-sync', '--reveal']);

    expect(masked.code).toBe(0);
    expect(masked.stdout).toBe(`sitename=acme\nusername=${accessKeyId}\npassword=${MASKED}\n`);
    expect(masked.stdout + masked.stderr).not.toContain(secretAccessKey);
    expect(masked.stderr).toBe('tenantctl: the secret access key is masked; add --reveal to print it\n');
    expect(revealed.stdout).toBe(`sitename=acme\nusername=${accessKeyId}\npassword=${secretAccessKey}\n`);
    expect(revealed.stderr).toBe('');
  });

  it('prints the Pozi Data Sync fields of a bucket tenant too', async () => {
    const { accessKeyId } = mockTenantPresent(mocks);

    const run = await tenantctl(['credentials', 'Acme', '--format', 'pozi-sync']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`sitename=acme\nusername=${accessKeyId}\npassword=${MASKED}\n`);
  });

  it("adds a prefix tenant's prefix to the ini, env and json forms", async () => {
    const { accessKeyId } = mockPrefixTenant();

    const ini = await tenantctl(['credentials', 'Acme']);
    const env = await tenantctl(['credentials', 'Acme', '--format', 'env']);
    const json = await tenantctl(['credentials', 'Acme', '--json']);

    expect(ini.stdout).toBe(`[AWS]\nbucket=connect.pozi.com\nprefix=userdata/acme-publisher/\nkey=${accessKeyId}\nsecret=${MASKED}\n`);
    expect(env.stdout).toBe(
      `AWS_ACCESS_KEY_ID=${accessKeyId}\n# AWS_SECRET_ACCESS_KEY=${MASKED}  (masked: add --reveal)\nAWS_REGION=us-east-1\nTENANT_BUCKET=connect.pozi.com\nTENANT_PREFIX=userdata/acme-publisher/\n`,
    );
    expect(json.json()).toEqual(expect.objectContaining({ bucket: 'connect.pozi.com', prefix: 'userdata/acme-publisher/', secretAccessKey: MASKED }));
  });
});
