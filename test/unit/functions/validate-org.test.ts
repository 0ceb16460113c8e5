import { validateOrg } from '../../../functions/validate-org';
import { INVALID_ORG_IDS, prefixTenancyConfig, SAMPLE_SHARED_BUCKET, SAMPLE_TENANT_PREFIX } from '../../support/fixtures';
import { loadConfig } from '../../../functions/lib/config';
import { InvalidEventError, InvalidOrgIdError, InvalidTenantPrefixError } from '../../../functions/lib/errors';
import sample from '../../../events/samples/org-created.json';

const config = loadConfig();
const execution = { name: 'acme-bistro-42-g1-provision', startTime: '2026-11-23T09:00:00.000Z' };
/** What the tenant ledger adds to the OrgCreated detail in a provisioning's input. */
const run = { generation: 1, runId: 'acme-bistro-42-g1-provision.0123456789ab' };

describe('validateOrg', () => {
  it("derives every tenant name from the sample OrgCreated, with the ledger's run id as ProvisionedBy", async () => {
    const tenant = await validateOrg({ event: { ...sample.detail, ...run }, execution }, { config });
    expect(tenant).toMatchObject({
      orgId: 'Acme-Bistro-42',
      orgName: 'Acme Bistro',
      slug: 'acme-bistro-42',
      region: 'us-east-1',
      provisionedBy: run.runId,
      executionName: execution.name,
      generation: 1,
      startedAt: execution.startTime,
      userName: 'rms_acme-bistro-42',
      userPath: '/tenants/test/',
      secretName: 'fusion-rms/test/acme-bistro-42/credentials',
    });
    expect(tenant.bucketCandidates[0]).toBe('fusion-rms-acme-bistro-42');
    expect(tenant.bucketCandidates).toHaveLength(config.maxBucketCandidates);
    expect(new Set(tenant.bucketCandidates).size).toBe(tenant.bucketCandidates.length);
  });

  it('uses the execution name as run id for an input without one (an execution started before the ledger)', async () => {
    const tenant = await validateOrg({ event: sample.detail, execution }, { config });

    expect(tenant).toMatchObject({ provisionedBy: execution.name, executionName: execution.name });
    expect(tenant).not.toHaveProperty('generation');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a generation 0', { generation: 0 }, /generation/],
    ['a negative generation', { generation: -1 }, /generation/],
    ['a generation that is a string', { generation: '2' }, /generation/],
    ['a run id with a slash', { runId: 'acme/g1' }, /runId/],
    ['a run id of 129 characters', { runId: 'a'.repeat(129) }, /runId/],
    ['a run id that is a number', { runId: 7 }, /runId/],
  ])('rejects %s with InvalidEventError naming the field', async (_label, fields, field) => {
    const result = validateOrg({ event: { ...sample.detail, ...fields }, execution }, { config });

    await expect(result).rejects.toThrow(InvalidEventError);
    await expect(result).rejects.toThrow(field);
  });

  it.each(INVALID_ORG_IDS)('rejects an orgId that is %s with InvalidOrgIdError naming the field', async (_label, orgId) => {
    const run = validateOrg({ event: { orgId }, execution }, { config });
    await expect(run).rejects.toThrow(InvalidOrgIdError);
    await expect(run).rejects.toThrow(/orgId/);
  });

  it('rejects a missing orgId', async () => {
    await expect(validateOrg({ event: { orgName: 'x' }, execution }, { config })).rejects.toThrow('orgId is required');
  });

  it('rejects a region the stage does not allow', async () => {
    await expect(validateOrg({ event: { orgId: 'acme', region: 'ap-south-1' }, execution }, { config })).rejects.toThrow(InvalidEventError);
  });

  it('accepts an allowed non-default region and hashes fallbacks per region', async () => {
    const eu = await validateOrg({ event: { orgId: 'acme', region: 'eu-west-1' }, execution }, { config });
    const us = await validateOrg({ event: { orgId: 'acme' }, execution }, { config });
    expect(eu.region).toBe('eu-west-1');
    expect(eu.bucketCandidates[0]).toBe(us.bucketCandidates[0]);
    expect(eu.bucketCandidates[1]).not.toBe(us.bucketCandidates[1]);
  });
});

describe('validateOrg for a prefix tenant', () => {
  const prefixConfig = prefixTenancyConfig();
  /** What the tenant ledger adds to a prefix tenant's OrgCreated (lifecycle.ts startGeneration). */
  const shared = { tenancy: 'prefix', bucketName: SAMPLE_SHARED_BUCKET, prefix: SAMPLE_TENANT_PREFIX };
  const event = (fields: Record<string, unknown> = {}) => ({ ...sample.detail, region: 'us-east-1', ...run, ...shared, ...fields });

  it('carries the tenancy, the shared bucket and the prefix into the tenant, with the names a bucket tenant would have', async () => {
    const tenant = await validateOrg({ event: event(), execution }, { config: prefixConfig });
    const asBucketTenant = await validateOrg({ event: { ...sample.detail, region: 'us-east-1', ...run }, execution }, { config: prefixConfig });

    expect(tenant).toEqual({ ...asBucketTenant, tenancy: 'prefix', bucket: SAMPLE_SHARED_BUCKET, prefix: 'userdata/acme-bistro-42-publisher/' });
    expect(tenant).toMatchObject({ region: prefixConfig.region, userName: 'rms_acme-bistro-42', provisionedBy: run.runId, generation: 1 });
  });

  it("puts a prefix tenant without a region in the stage's own region, not the first allowed one", async () => {
    const euStage = { ...prefixConfig, region: 'eu-west-1' };
    expect(euStage.allowedRegions[0]).toBe('us-east-1');

    const { region: _region, ...withoutRegion } = event();
    const tenant = await validateOrg({ event: withoutRegion, execution }, { config: euStage });

    expect(tenant.region).toBe('eu-west-1');
    await expect(validateOrg({ event: { orgId: 'acme' }, execution }, { config: euStage })).resolves.toMatchObject({ region: 'us-east-1' });
  });

  it('keeps a bucket tenant\'s input bucket-shaped on a stage with prefix tenancy: no tenancy, bucket or prefix', async () => {
    const tenant = await validateOrg({ event: { ...sample.detail, ...run }, execution }, { config: prefixConfig });

    expect(tenant).not.toHaveProperty('tenancy');
    expect(tenant).not.toHaveProperty('prefix');
    expect(tenant).not.toHaveProperty('bucket');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a tenancy other than "prefix"', { tenancy: 'bucket' }, /tenancy "bucket" must be "prefix"/],
    ['a tenancy that is not a string', { tenancy: true }, /tenancy true must be "prefix"/],
    ['a prefix without a tenancy', { tenancy: undefined }, /tenancy undefined must be "prefix"/],
    ['a tenancy without a prefix', { prefix: undefined }, /needs its prefix/],
    ['a prefix that is not a string', { prefix: 7 }, /needs its prefix/],
    ['no bucketName', { bucketName: undefined }, /needs its shared bucket as bucketName/],
    ['a bucketName that breaks S3 naming rules', { bucketName: 'Shared_Bucket' }, /bucketName \(got "Shared_Bucket"\)/],
    ['a bucketName that is not a string', { bucketName: 42 }, /bucketName \(got 42\)/],
    ['a region other than the stage\'s (allowed for bucket tenants)', { region: 'eu-west-1' }, /region "eu-west-1" is not the region of the shared bucket tenant-provisioner-test-shared \(us-east-1\)/],
    ['a region the stage does not allow', { region: 'ap-south-1' }, /region "ap-south-1"/],
  ])('rejects %s with InvalidEventError naming what is wrong', async (_label, fields, message) => {
    const result = validateOrg({ event: event(fields), execution }, { config: prefixConfig });

    await expect(result).rejects.toThrow(InvalidEventError);
    await expect(result).rejects.toThrow(message);
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['without its trailing slash', 'userdata/acme-bistro-42-publisher'],
    ['with a leading slash', '/userdata/acme-bistro-42-publisher/'],
    ['with a wildcard', 'userdata/*/'],
    ['with a policy variable', 'userdata/${aws:username}/'],
    ['with a ".." segment', 'userdata/../acme/'],
    ['with an empty segment', 'userdata//acme/'],
    ['with a space', 'user data/acme/'],
  ])('rejects a prefix %s with InvalidTenantPrefixError quoting it', async (_label, prefix) => {
    const result = validateOrg({ event: event({ prefix }), execution }, { config: prefixConfig });

    await expect(result).rejects.toThrow(InvalidTenantPrefixError);
    await expect(result).rejects.toThrow(`tenant prefix ${JSON.stringify(prefix)}`);
  });
});
