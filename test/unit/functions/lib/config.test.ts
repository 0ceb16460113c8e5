import { CONFIG_DEFAULTS, ConfigError, loadConfig, prefixTemplateViolation, tenantPrefixOf, type Env } from '../../../../functions/lib/config';

/** The variables a cold start needs whatever the tenancy; nothing of prefix tenancy. */
const BASE_ENV: Env = {
  AWS_REGION: 'eu-west-1',
  ACCOUNT_ID: '123456789012',
  TENANT_LEDGER_TABLE: 'tenant-provisioner-test-tenants',
  TENANT_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/tenant-provisioner-test-tenant-boundary',
};
const SHARED_BUCKET = 'connect.pozi.com';
const TENANT_PREFIX_POLICY_ARN = 'arn:aws:iam::123456789012:policy/tenant-provisioner-test-tenant-prefix';
/** A stage of prefix tenants, as the stack sets it up. */
const PREFIX_ENV: Env = { ...BASE_ENV, TENANCY: 'prefix', SHARED_BUCKET, TENANT_PREFIX_POLICY_ARN };

/** The ConfigError loadConfig throws for `env`, so a test can check both its name and its whole message. */
function configErrorOf(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  describe('prefix tenancy settings', () => {
    it('defaults to bucket tenancy, the default template and object ACLs disabled, with no shared bucket or prefix policy', () => {
      const config = loadConfig(BASE_ENV);

      expect(config).toMatchObject({ tenancy: 'bucket', prefixTemplate: 'userdata/{slug}-publisher/', objectAcls: false });
      expect(config).not.toHaveProperty('sharedBucket');
      expect(config).not.toHaveProperty('tenantPrefixPolicyArn');
      expect([config.tenancy, config.prefixTemplate, config.objectAcls ? 'enabled' : 'disabled']).toEqual([CONFIG_DEFAULTS.tenancy, CONFIG_DEFAULTS.prefixTemplate, CONFIG_DEFAULTS.objectAcls]);
    });

    it('reads an empty variable as unset (the stack passes "" for a setting a stage does not use)', () => {
      const config = loadConfig({ ...BASE_ENV, TENANCY: '', SHARED_BUCKET: '', PREFIX_TEMPLATE: '', TENANT_PREFIX_POLICY_ARN: '', OBJECT_ACLS: ' ' });

      expect(config).toEqual(loadConfig(BASE_ENV));
    });

    it('reads a stage of prefix tenants, trimming white space', () => {
      const config = loadConfig({ ...PREFIX_ENV, SHARED_BUCKET: ` ${SHARED_BUCKET}\n`, PREFIX_TEMPLATE: 'sites/{slug}/', OBJECT_ACLS: 'enabled' });

      expect(config).toMatchObject({ tenancy: 'prefix', sharedBucket: SHARED_BUCKET, prefixTemplate: 'sites/{slug}/', tenantPrefixPolicyArn: TENANT_PREFIX_POLICY_ARN, objectAcls: true });
    });

    it('keeps the shared bucket of a bucket-tenancy stage that had prefix tenants', () => {
      const config = loadConfig({ ...PREFIX_ENV, TENANCY: 'bucket' });

      expect(config).toMatchObject({ tenancy: 'bucket', sharedBucket: SHARED_BUCKET, tenantPrefixPolicyArn: TENANT_PREFIX_POLICY_ARN });
    });

    it('names tenant buckets in the global namespace unless BUCKET_NAMESPACE=account-regional', () => {
      expect(loadConfig(BASE_ENV).bucketNamespace).toBe('global');
      expect(loadConfig({ ...BASE_ENV, BUCKET_NAMESPACE: 'account-regional' }).bucketNamespace).toBe('account-regional');
    });

    it('deletes a torn-down tenant\'s bucket at once unless KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS keeps it', () => {
      expect(loadConfig(BASE_ENV).keepEmptyBucketAfterTeardownDays).toBe(0);
      expect(loadConfig({ ...BASE_ENV, KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS: '364' }).keepEmptyBucketAfterTeardownDays).toBe(364);
    });

    it('continues a teardown in a new execution at 15,000 counted history events unless TEARDOWN_CONTINUE_AT_EVENTS says sooner', () => {
      expect(loadConfig(BASE_ENV).teardownContinueAtEvents).toBe(15_000);
      expect(loadConfig({ ...BASE_ENV, TEARDOWN_CONTINUE_AT_EVENTS: '500' }).teardownContinueAtEvents).toBe(500);
    });

    it('takes OBJECT_ACLS=disabled as disabled', () => {
      expect(loadConfig({ ...PREFIX_ENV, OBJECT_ACLS: 'disabled' }).objectAcls).toBe(false);
    });

    it('accepts a shared bucket named as the bucket prefix itself, or starting with it without the "-"', () => {
      expect(loadConfig({ ...PREFIX_ENV, SHARED_BUCKET: 'fusion-rms' }).sharedBucket).toBe('fusion-rms');
      expect(loadConfig({ ...PREFIX_ENV, SHARED_BUCKET: 'fusion-rmsshared' }).sharedBucket).toBe('fusion-rmsshared');
    });

    it.each<[string, Env, string]>([
      ['TENANCY is neither bucket nor prefix', { ...BASE_ENV, TENANCY: 'shared' }, 'Environment variable TENANCY="shared" is invalid: must be "bucket" or "prefix"'],
      ['TENANCY is in capitals', { ...BASE_ENV, TENANCY: 'Prefix' }, 'Environment variable TENANCY="Prefix" is invalid: must be "bucket" or "prefix"'],
      [
        'TENANCY=prefix has no SHARED_BUCKET',
        { ...BASE_ENV, TENANCY: 'prefix', TENANT_PREFIX_POLICY_ARN },
        'Missing required environment variable SHARED_BUCKET (TENANCY=prefix keeps every new tenant in the shared bucket)',
      ],
      [
        "SHARED_BUCKET starts with the tenant buckets' prefix",
        { ...PREFIX_ENV, SHARED_BUCKET: 'fusion-rms-shared' },
        'Environment variable SHARED_BUCKET="fusion-rms-shared" is invalid: must not start with "fusion-rms-", the prefix of every tenant bucket\'s name',
      ],
      [
        "SHARED_BUCKET starts with the stage's own BUCKET_PREFIX",
        { ...PREFIX_ENV, BUCKET_PREFIX: 'pozi', SHARED_BUCKET: 'pozi-userdata' },
        'Environment variable SHARED_BUCKET="pozi-userdata" is invalid: must not start with "pozi-", the prefix of every tenant bucket\'s name',
      ],
      [
        'SHARED_BUCKET has capitals',
        { ...PREFIX_ENV, SHARED_BUCKET: 'Connect.Pozi.com' },
        'Environment variable SHARED_BUCKET="Connect.Pozi.com" is invalid: must be lowercase letters, digits, "." and "-", starting and ending with a letter or digit (an S3 bucket name)',
      ],
      [
        'SHARED_BUCKET is the bucket with its prefix, as a Pozi client config writes it',
        { ...PREFIX_ENV, SHARED_BUCKET: 'connect.pozi.com/userdata' },
        'Environment variable SHARED_BUCKET="connect.pozi.com/userdata" is invalid: must be lowercase letters, digits, "." and "-", starting and ending with a letter or digit (an S3 bucket name)',
      ],
      ['SHARED_BUCKET is too short', { ...PREFIX_ENV, SHARED_BUCKET: 'ab' }, 'Environment variable SHARED_BUCKET="ab" is invalid: must be 3–63 characters long (an S3 bucket name)'],
      [
        'SHARED_BUCKET has two adjacent periods',
        { ...PREFIX_ENV, SHARED_BUCKET: 'connect..pozi.com' },
        'Environment variable SHARED_BUCKET="connect..pozi.com" is invalid: must not contain two adjacent periods (an S3 bucket name)',
      ],
      [
        'SHARED_BUCKET looks like an IP address',
        { ...PREFIX_ENV, SHARED_BUCKET: '192.168.5.4' },
        'Environment variable SHARED_BUCKET="192.168.5.4" is invalid: must not look like an IP address (an S3 bucket name)',
      ],
      [
        'SHARED_BUCKET ends with a reserved suffix',
        { ...PREFIX_ENV, SHARED_BUCKET: 'userdata-s3alias' },
        'Environment variable SHARED_BUCKET="userdata-s3alias" is invalid: must not end with the reserved suffix "-s3alias" (an S3 bucket name)',
      ],
      ['PREFIX_TEMPLATE has no {slug}', { ...PREFIX_ENV, PREFIX_TEMPLATE: 'userdata/publisher/' }, 'Environment variable PREFIX_TEMPLATE="userdata/publisher/" is invalid: must contain {slug} exactly once (it has 0)'],
      ['PREFIX_TEMPLATE has {Slug} in capitals', { ...PREFIX_ENV, PREFIX_TEMPLATE: 'userdata/{Slug}/' }, 'Environment variable PREFIX_TEMPLATE="userdata/{Slug}/" is invalid: must contain {slug} exactly once (it has 0)'],
      ['PREFIX_TEMPLATE has two {slug}', { ...PREFIX_ENV, PREFIX_TEMPLATE: 'userdata/{slug}/{slug}/' }, 'Environment variable PREFIX_TEMPLATE="userdata/{slug}/{slug}/" is invalid: must contain {slug} exactly once (it has 2)'],
      [
        'PREFIX_TEMPLATE gives a prefix without its trailing "/"',
        { ...PREFIX_ENV, PREFIX_TEMPLATE: 'userdata/{slug}-publisher' },
        'Environment variable PREFIX_TEMPLATE="userdata/{slug}-publisher" is invalid: gives the prefix "userdata/a-publisher", which must end with "/" (without it the tenant would also reach "userdata/a-publisher-2/…" and every other key that starts with it)',
      ],
      [
        'PREFIX_TEMPLATE gives a prefix with a leading "/"',
        { ...PREFIX_ENV, PREFIX_TEMPLATE: '/{slug}/' },
        'Environment variable PREFIX_TEMPLATE="/{slug}/" is invalid: gives the prefix "/a/", which must not start with "/" (S3 keys have no leading slash: "/a/" is not the prefix "a/")',
      ],
      [
        'PREFIX_TEMPLATE gives a prefix with an empty segment',
        { ...PREFIX_ENV, PREFIX_TEMPLATE: 'userdata//{slug}/' },
        'Environment variable PREFIX_TEMPLATE="userdata//{slug}/" is invalid: gives the prefix "userdata//a/", which must not contain an empty segment ("//")',
      ],
      [
        'PREFIX_TEMPLATE has a policy variable',
        { ...PREFIX_ENV, PREFIX_TEMPLATE: '${aws:username}/{slug}/' },
        'Environment variable PREFIX_TEMPLATE="${aws:username}/{slug}/" is invalid: gives the prefix "${aws:username}/a/", which must not contain "$" (IAM reads "${…}" as a policy variable)',
      ],
      [
        'PREFIX_TEMPLATE gives the longest slug a prefix longer than a tag value holds',
        { ...PREFIX_ENV, PREFIX_TEMPLATE: `${'u'.repeat(220)}/{slug}/` },
        `Environment variable PREFIX_TEMPLATE="${'u'.repeat(220)}/{slug}/" is invalid: gives the prefix "${'u'.repeat(220)}/${'x'.repeat(40)}/", which is 262 characters long, more than 256 (what an IAM tag value holds)`,
      ],
      [
        'SHARED_BUCKET has no TENANT_PREFIX_POLICY_ARN',
        { ...PREFIX_ENV, TENANT_PREFIX_POLICY_ARN: undefined },
        'Missing required environment variable TENANT_PREFIX_POLICY_ARN (the managed policy of the prefix tenants of SHARED_BUCKET)',
      ],
      [
        'SHARED_BUCKET of a bucket-tenancy stage has no TENANT_PREFIX_POLICY_ARN',
        { ...PREFIX_ENV, TENANCY: 'bucket', TENANT_PREFIX_POLICY_ARN: '' },
        'Missing required environment variable TENANT_PREFIX_POLICY_ARN (the managed policy of the prefix tenants of SHARED_BUCKET)',
      ],
      [
        'TENANT_PREFIX_POLICY_ARN is a role',
        { ...PREFIX_ENV, TENANT_PREFIX_POLICY_ARN: 'arn:aws:iam::123456789012:role/tenant-prefix' },
        'Environment variable TENANT_PREFIX_POLICY_ARN="arn:aws:iam::123456789012:role/tenant-prefix" is invalid: must be an IAM managed policy ARN',
      ],
      [
        'TENANT_PREFIX_POLICY_ARN is a policy name',
        { ...PREFIX_ENV, TENANT_PREFIX_POLICY_ARN: 'tenant-provisioner-test-tenant-prefix' },
        'Environment variable TENANT_PREFIX_POLICY_ARN="tenant-provisioner-test-tenant-prefix" is invalid: must be an IAM managed policy ARN',
      ],
      ['OBJECT_ACLS is "true"', { ...PREFIX_ENV, OBJECT_ACLS: 'true' }, 'Environment variable OBJECT_ACLS="true" is invalid: must be "enabled" or "disabled"'],
      ['BUCKET_NAMESPACE is "regional"', { ...BASE_ENV, BUCKET_NAMESPACE: 'regional' }, 'Environment variable BUCKET_NAMESPACE="regional" is invalid: must be "global" or "account-regional"'],
      ['KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS is a year', { ...BASE_ENV, KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS: '365' }, 'Environment variable KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS="365" is invalid: must be a whole number of days from 0 to 364'],
      ['KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS is negative', { ...BASE_ENV, KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS: '-1' }, 'Environment variable KEEP_EMPTY_BUCKET_AFTER_TEARDOWN_DAYS="-1" is invalid: must be a whole number of days from 0 to 364'],
      ['TEARDOWN_CONTINUE_AT_EVENTS is past the default', { ...BASE_ENV, TEARDOWN_CONTINUE_AT_EVENTS: '20000' }, 'Environment variable TEARDOWN_CONTINUE_AT_EVENTS="20000" is invalid: must be a whole number from 1 to 15000'],
      ['TEARDOWN_CONTINUE_AT_EVENTS is 0', { ...BASE_ENV, TEARDOWN_CONTINUE_AT_EVENTS: '0' }, 'Environment variable TEARDOWN_CONTINUE_AT_EVENTS="0" is invalid: must be a whole number from 1 to 15000'],
      ['OBJECT_ACLS is "Enabled"', { ...PREFIX_ENV, OBJECT_ACLS: 'Enabled' }, 'Environment variable OBJECT_ACLS="Enabled" is invalid: must be "enabled" or "disabled"'],
    ])('fails the cold start when %s, naming the variable and what is wrong', (_title, env, message) => {
      const error = configErrorOf(env);

      expect(error.name).toBe('ConfigError');
      expect(error.message).toBe(message);
    });
  });
});

describe('prefixTemplateViolation', () => {
  it.each(['userdata/{slug}-publisher/', '{slug}/', 'sites/nz/{slug}/uploads/', 'userdata/pozi_{slug}.v2/'])('accepts %j', (template) => {
    expect(prefixTemplateViolation(template)).toBeUndefined();
  });

  it.each<[string, string]>([
    ['', 'must contain {slug} exactly once (it has 0)'],
    ['{slug}{slug}/', 'must contain {slug} exactly once (it has 2)'],
    ['{slug}', 'gives the prefix "a", which must end with "/"'],
    ['userdata/{slug}', 'gives the prefix "userdata/a", which must end with "/"'],
    ['/userdata/{slug}/', 'gives the prefix "/userdata/a/", which must not start with "/"'],
    ['userdata/{slug}/../', 'gives the prefix "userdata/a/../", which must not contain a ".." segment'],
    ['userdata/*/{slug}/', 'gives the prefix "userdata/*/a/", which must not contain "*"'],
    ['user data/{slug}/', 'gives the prefix "user data/a/", which must not contain " "'],
    ['{{slug}}/', 'gives the prefix "{a}/", which must not contain "{"'],
  ])('rejects %j: it %s', (template, reason) => {
    expect(prefixTemplateViolation(template)).toContain(reason);
  });
});

describe('tenantPrefixOf', () => {
  it("puts the tenant's slug where the template says {slug}", () => {
    expect(tenantPrefixOf(CONFIG_DEFAULTS.prefixTemplate, 'acme-bistro-42')).toBe('userdata/acme-bistro-42-publisher/');
    expect(tenantPrefixOf('sites/{slug}/uploads/', 'globex-7')).toBe('sites/globex-7/uploads/');
  });

  it('gives two slugs prefixes of which neither starts with the other', () => {
    const a = tenantPrefixOf(CONFIG_DEFAULTS.prefixTemplate, 'a');
    const aPublisher = tenantPrefixOf(CONFIG_DEFAULTS.prefixTemplate, 'a-publisher');

    expect([a, aPublisher]).toEqual(['userdata/a-publisher/', 'userdata/a-publisher-publisher/']);
    expect(aPublisher.startsWith(a) || a.startsWith(aPublisher)).toBe(false);
  });
});
