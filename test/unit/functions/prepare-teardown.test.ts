import { handler } from '../../../functions/lambda/prepare-teardown';
import { prepareTeardown } from '../../../functions/prepare-teardown';
import { validateOrg } from '../../../functions/validate-org';
import { loadConfig } from '../../../functions/lib/config';
import { InvalidEventError, InvalidOrgIdError, InvalidTenantPrefixError } from '../../../functions/lib/errors';
import sample from '../../../events/samples/org-deleted.json';
import { prefixTenancyConfig, SAMPLE_SHARED_BUCKET, SAMPLE_TENANT_PREFIX } from '../../support/fixtures';
import { fakeLambdaContext } from '../../support/lambda-context';

const config = loadConfig();
const execution = { name: 'acme-bistro-42-g1-teardown', startTime: '2026-11-30T09:00:01.000Z' };
/** What the tenant ledger puts in a teardown's input besides the OrgDeleted fields. */
const run = { generation: 1, runId: 'acme-bistro-42-g1-teardown.0123456789ab' };
const DAY = 86_400;

describe('prepareTeardown', () => {
  it('derives the same tenant names as validateOrg for the same orgId', async () => {
    const plan = await prepareTeardown({ event: { orgId: 'Acme-Bistro-42', settleSeconds: 0 }, execution }, { config });
    const provisioned = await validateOrg({ event: { orgId: 'Acme-Bistro-42' }, execution }, { config });

    expect(plan.tenant).toEqual(provisioned);
    expect(plan.tenant).toMatchObject({
      orgId: 'Acme-Bistro-42',
      slug: 'acme-bistro-42',
      region: 'us-east-1',
      provisionedBy: execution.name,
      executionName: execution.name,
      startedAt: execution.startTime,
      userName: 'rms_acme-bistro-42',
      userPath: '/tenants/test/',
      secretName: 'fusion-rms/test/acme-bistro-42/credentials',
    });
    expect(plan.tenant.bucketCandidates[0]).toBe('fusion-rms-acme-bistro-42');
    expect(plan.tenant.bucketCandidates).toHaveLength(config.maxBucketCandidates);
  });

  it('derives the names of the region the event names, as validateOrg does', async () => {
    const plan = await prepareTeardown({ event: { orgId: 'acme', region: 'eu-west-1' }, execution }, { config });
    const provisioned = await validateOrg({ event: { orgId: 'acme', region: 'eu-west-1' }, execution }, { config });
    const defaultRegion = await prepareTeardown({ event: { orgId: 'acme' }, execution }, { config });

    expect(plan.tenant.region).toBe('eu-west-1');
    expect(plan.tenant.bucketCandidates).toEqual(provisioned.bucketCandidates);
    expect(plan.tenant.bucketCandidates[1]).not.toBe(defaultRegion.tenant.bucketCandidates[1]);
  });

  it('plans the sample OrgDeleted: no settle wait and no retention', async () => {
    await expect(prepareTeardown({ event: sample.detail, execution }, { config })).resolves.toEqual({
      tenant: expect.objectContaining({ orgId: 'Acme-Bistro-42' }),
      settleSeconds: 0,
      retentionDays: 0,
      retentionSeconds: 0,
    });
  });

  it('takes retentionDays from the event and converts it to seconds', async () => {
    const plan = await prepareTeardown({ event: { orgId: 'acme', retentionDays: 30 }, execution }, { config });

    expect(plan.retentionDays).toBe(30);
    expect(plan.retentionSeconds).toBe(30 * DAY);
  });

  it('accepts the longest retention, 350 days (a parked deletion stays redrivable within the one-year limit)', async () => {
    const plan = await prepareTeardown({ event: { orgId: 'acme', retentionDays: 350 }, execution }, { config });

    expect(plan.retentionSeconds).toBe(350 * DAY);
  });

  it("takes the generation, the run id and the bucket from the ledger's input", async () => {
    const plan = await prepareTeardown(
      { event: { orgId: 'Acme-Bistro-42', region: 'eu-west-1', retentionDays: 7, settleSeconds: 0, bucketName: 'fusion-rms-acme-bistro-42-1a2b3c4d', ...run }, execution },
      { config },
    );

    expect(plan.tenant).toMatchObject({
      orgId: 'Acme-Bistro-42',
      region: 'eu-west-1',
      generation: 1,
      provisionedBy: run.runId,
      executionName: execution.name,
      bucket: 'fusion-rms-acme-bistro-42-1a2b3c4d',
    });
    expect(plan).toMatchObject({ retentionDays: 7, settleSeconds: 0 });
  });

  it('names no bucket, and uses the execution name as run id, for an input without them (an execution started before the ledger)', async () => {
    const plan = await prepareTeardown({ event: { orgId: 'Acme-Bistro-42' }, execution }, { config });

    expect(plan.tenant.provisionedBy).toBe(execution.name);
    expect(plan.tenant).not.toHaveProperty('bucket');
    expect(plan.tenant).not.toHaveProperty('generation');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a generation 0', { generation: 0 }, /generation/],
    ['a fractional generation', { generation: 1.5 }, /generation/],
    ['a generation that is a string', { generation: '1' }, /generation/],
    ['a run id with a space', { runId: 'acme g1' }, /runId/],
    ['an empty run id', { runId: '' }, /runId/],
    ['a bucketName that breaks S3 naming rules', { bucketName: 'Fusion_RMS' }, /bucketName/],
    ['a bucketName that is not a string', { bucketName: 42 }, /bucketName/],
  ])('rejects %s with InvalidEventError naming the field', async (_label, fields, field) => {
    const result = prepareTeardown({ event: { orgId: 'acme', ...fields }, execution }, { config });

    await expect(result).rejects.toThrow(InvalidEventError);
    await expect(result).rejects.toThrow(field);
  });

  it("falls back to the stage's defaultRetentionDays when the event names none", async () => {
    expect(config.defaultRetentionDays).toBe(7);

    const plan = await prepareTeardown({ event: { orgId: 'acme' }, execution }, { config });

    expect(plan.retentionDays).toBe(7);
    expect(plan.retentionSeconds).toBe(7 * DAY);
  });

  it('uses the config it is given, not the environment', async () => {
    const plan = await prepareTeardown({ event: { orgId: 'acme' }, execution }, { config: { ...config, defaultRetentionDays: 2 } });

    expect(plan).toMatchObject({ retentionDays: 2, retentionSeconds: 2 * DAY });
  });

  it('allows retentionDays 0 (no grace period) even when the stage default is not 0', async () => {
    const plan = await prepareTeardown({ event: { orgId: 'acme', retentionDays: 0 }, execution }, { config });

    expect(plan).toMatchObject({ retentionDays: 0, retentionSeconds: 0 });
  });

  it('defaults settleSeconds to 0', async () => {
    const plan = await prepareTeardown({ event: { orgId: 'acme' }, execution }, { config });

    expect(plan.settleSeconds).toBe(0);
  });

  it.each([60, 900])('accepts settleSeconds %d from the router', async (settleSeconds) => {
    const plan = await prepareTeardown({ event: { orgId: 'acme', settleSeconds }, execution }, { config });

    expect(plan.settleSeconds).toBe(settleSeconds);
  });

  describe("a teardown's last part, which deletes the bucket it kept", () => {
    const keep = { bucketName: 'fusion-rms-acme-bistro-42', until: '2027-01-01T10:00:00.000Z' };

    it('hands the kept bucket and its time on with the plan', async () => {
      await expect(prepareTeardown({ event: { orgId: 'acme-bistro-42', ...run, keep }, execution }, { config })).resolves.toMatchObject({ keep });
    });

    it.each<[string, unknown, RegExp]>([
      ['no bucket name', { until: keep.until }, /keep\.bucketName must be a bucket name/],
      ['a bucket name S3 refuses', { ...keep, bucketName: 'Fusion_RMS' }, /keep\.bucketName must be a bucket name/],
      ['a date without a time', { ...keep, until: '2027-01-01' }, /keep\.until must be an ISO 8601 UTC time/],
      ['no object', 'fusion-rms-acme-bistro-42', /keep\.bucketName must be a bucket name/],
    ])('rejects a keep with %s with InvalidEventError naming the field', async (_label, bad, message) => {
      const result = prepareTeardown({ event: { orgId: 'acme-bistro-42', ...run, keep: bad }, execution }, { config });

      await expect(result).rejects.toThrow(InvalidEventError);
      await expect(result).rejects.toThrow(message);
    });
  });

  describe('a continued teardown (its input carries the state of the loop it goes on with)', () => {
    const continuation = {
      part: 2,
      previous: 'acme-bistro-42-g1-teardown',
      revoked: { bucketName: 'fusion-rms-acme-bistro-42', bucketFoundBy: 'ledger', keysDeactivated: [], bucketPolicyDeleted: true, skipped: [] },
      deletedCredentials: { deleted: [], skipped: [] },
      deletedUser: { deleted: ['user rms_acme-bistro-42'], skipped: [] },
      deletedBucket: { done: false, cursor: '{"objectsDeleted":4000}', objectsDeleted: 4000, deleted: [], skipped: [], history: { events: 0 } },
    };

    it('hands the continuation on with the plan', async () => {
      const plan = await prepareTeardown({ event: { orgId: 'acme-bistro-42', ...run, continuation }, execution }, { config });

      expect(plan.continuation).toEqual(continuation);
      expect(plan.tenant.orgId).toBe('acme-bistro-42');
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      ['part 1', { part: 1 }, /continuation\.part must be a whole number from 2/],
      ['no bucket', { revoked: { ...continuation.revoked, bucketName: '' } }, /continuation\.revoked must name the bucket/],
      ['a finished deletion', { deletedBucket: { ...continuation.deletedBucket, done: true } }, /continuation\.deletedBucket must be a bucket deletion under way/],
      ['no cursor', { deletedBucket: { ...continuation.deletedBucket, cursor: null } }, /continuation\.deletedBucket/],
      ['no user result', { deletedUser: 'gone' }, /continuation\.deletedUser must list/],
      ['a previous that is no execution name', { previous: 'a b' }, /continuation\.previous must be an execution name/],
    ])('rejects a continuation with %s with InvalidEventError naming the field', async (_label, change, message) => {
      const result = prepareTeardown({ event: { orgId: 'acme-bistro-42', ...run, continuation: { ...continuation, ...change } }, execution }, { config });

      await expect(result).rejects.toThrow(InvalidEventError);
      await expect(result).rejects.toThrow(message);
    });
  });

  it.each<[string, unknown]>([
    ['negative', -1],
    ['fractional', 1.5],
    ['a string', 'x'],
    ['a numeric string', '60'],
    ['longer than 15 minutes', 901],
    ['a boolean', true],
  ])('rejects a settleSeconds that is %s with InvalidEventError', async (_label, settleSeconds) => {
    const run = prepareTeardown({ event: { orgId: 'acme', settleSeconds }, execution }, { config });

    await expect(run).rejects.toThrow(InvalidEventError);
    await expect(run).rejects.toThrow(/settleSeconds/);
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['a wildcard', '*'],
    ['a path', '../x'],
    ['an underscore', 'a_b'],
    ['unicode', 'café'],
    ['too long', 'a'.repeat(41)],
    ['a leading dash', '-acme'],
    ['a number', 42],
  ])('rejects an orgId that is %s with InvalidOrgIdError naming the field', async (_label, orgId) => {
    const run = prepareTeardown({ event: { orgId, settleSeconds: 0 }, execution }, { config });

    await expect(run).rejects.toThrow(InvalidOrgIdError);
    await expect(run).rejects.toThrow(/orgId/);
  });

  it.each([{}, { retentionDays: 1, settleSeconds: 0 }])('rejects an input without an orgId (%p) with InvalidOrgIdError', async (event) => {
    await expect(prepareTeardown({ event, execution }, { config })).rejects.toThrow(new InvalidOrgIdError('Invalid OrgDeleted: orgId is required'));
  });

  it.each([undefined, null, 'Acme-Bistro-42', 42, []])('rejects an input that is not an object (%p) with an error the state machine catches', async (event) => {
    const error = await prepareTeardown({ event, execution }, { config }).then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(error).toBeInstanceOf(Error);
    expect(['InvalidOrgIdError', 'InvalidEventError']).toContain((error as Error).name);
    expect((error as Error).message).toMatch(/^Invalid OrgDeleted: /);
  });

  it.each<[string, unknown]>([
    ['above 350', 351],
    ['negative', -1],
    ['fractional', 1.5],
    ['a string', '7'],
  ])('rejects a retentionDays that is %s with InvalidEventError naming the field', async (_label, retentionDays) => {
    const run = prepareTeardown({ event: { orgId: 'acme', retentionDays }, execution }, { config });

    await expect(run).rejects.toThrow(InvalidEventError);
    await expect(run).rejects.toThrow(/retentionDays/);
  });

  it('rejects a region the stage does not allow with InvalidEventError', async () => {
    const run = prepareTeardown({ event: { orgId: 'acme', region: 'ap-south-1' }, execution }, { config });

    await expect(run).rejects.toThrow(InvalidEventError);
    await expect(run).rejects.toThrow('Invalid OrgDeleted: region "ap-south-1" is not allowed');
  });

  it('rejects a region that is not a region name with InvalidEventError', async () => {
    await expect(prepareTeardown({ event: { orgId: 'acme', region: 'Mars' }, execution }, { config })).rejects.toThrow(InvalidEventError);
  });

  it('runs through the Lambda handler as the state machine invokes it', async () => {
    const context = fakeLambdaContext('tenant-provisioner-test-prepareTeardown');

    const plan = await handler({ event: { orgId: 'Acme-Bistro-42', retentionDays: 1, settleSeconds: 60 }, execution }, context);

    expect(plan).toMatchObject({ settleSeconds: 60, retentionDays: 1, retentionSeconds: DAY });
    expect(plan.tenant).toMatchObject({ orgId: 'Acme-Bistro-42', userName: 'rms_acme-bistro-42', provisionedBy: execution.name, executionName: execution.name });
  });
});

describe('prepareTeardown for a prefix tenant', () => {
  /** The teardown input the tenant ledger starts for a prefix tenant (lifecycle.ts teardownInputOf). */
  const teardownInput = (fields: Record<string, unknown> = {}) => ({
    orgId: 'Acme-Bistro-42',
    region: 'us-east-1',
    retentionDays: 7,
    settleSeconds: 0,
    bucketName: SAMPLE_SHARED_BUCKET,
    tenancy: 'prefix',
    prefix: SAMPLE_TENANT_PREFIX,
    ...run,
    ...fields,
  });

  it('plans the teardown of the prefix of the shared bucket the ledger recorded, in the stage\'s region', async () => {
    const plan = await prepareTeardown({ event: teardownInput(), execution }, { config });

    expect(plan).toMatchObject({ retentionDays: 7, retentionSeconds: 7 * DAY, settleSeconds: 0 });
    expect(plan.tenant).toMatchObject({
      tenancy: 'prefix',
      bucket: SAMPLE_SHARED_BUCKET,
      prefix: 'userdata/acme-bistro-42-publisher/',
      region: config.region,
      orgId: 'Acme-Bistro-42',
      generation: 1,
      provisionedBy: run.runId,
      userName: 'rms_acme-bistro-42',
    });
  });

  it('hands on that the prefix is the tenant\'s when the ledger says so (prefixHeld: the generation was active)', async () => {
    const plan = await prepareTeardown({ event: teardownInput({ prefixHeld: true }), execution }, { config });

    expect(plan.tenant).toMatchObject({ tenancy: 'prefix', prefix: SAMPLE_TENANT_PREFIX, prefixHeld: true });
    expect((await prepareTeardown({ event: teardownInput(), execution }, { config })).tenant).not.toHaveProperty('prefixHeld');
  });

  it('derives the same tenant as validateOrg does for the prefix tenant the provisioning made', async () => {
    const plan = await prepareTeardown({ event: teardownInput({ retentionDays: undefined, settleSeconds: undefined }), execution }, { config });
    const provisioned = await validateOrg({ event: { orgId: 'Acme-Bistro-42', region: 'us-east-1', tenancy: 'prefix', bucketName: SAMPLE_SHARED_BUCKET, prefix: SAMPLE_TENANT_PREFIX, ...run }, execution }, { config });

    expect(plan.tenant).toEqual(provisioned);
  });

  it('does not need the stage to be a prefix stage still: the ledger\'s input is enough (a stage switched back to bucket tenancy)', async () => {
    const bucketStage = prefixTenancyConfig({ TENANCY: 'bucket' });

    const plan = await prepareTeardown({ event: teardownInput(), execution }, { config: bucketStage });

    expect(plan.tenant).toMatchObject({ tenancy: 'prefix', bucket: SAMPLE_SHARED_BUCKET, prefix: SAMPLE_TENANT_PREFIX });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a tenancy other than "prefix"', { tenancy: 'shared' }, /teardown-tenant input: tenancy "shared" must be "prefix"/],
    ['a tenancy without a prefix', { prefix: undefined }, /needs its prefix/],
    ['a prefix without a tenancy', { tenancy: undefined }, /must be "prefix"/],
    ['no bucketName', { bucketName: undefined }, /needs its shared bucket as bucketName/],
    ['a bucketName that breaks S3 naming rules', { bucketName: 'Shared_Bucket' }, /bucketName/],
    ['a region other than the stage\'s', { region: 'eu-west-1' }, /Invalid OrgDeleted: region "eu-west-1" is not the region of the shared bucket/],
    ['a prefixHeld that is not true', { prefixHeld: 'yes' }, /prefixHeld must be true when present/],
  ])('rejects %s with InvalidEventError naming what is wrong', async (_label, fields, message) => {
    const result = prepareTeardown({ event: teardownInput(fields), execution }, { config });

    await expect(result).rejects.toThrow(InvalidEventError);
    await expect(result).rejects.toThrow(message);
  });

  it.each(['userdata/acme-bistro-42-publisher', '/userdata/acme/', 'userdata/*/', ''])('rejects the prefix %p with InvalidTenantPrefixError', async (prefix) => {
    const result = prepareTeardown({ event: teardownInput({ prefix }), execution }, { config });

    await expect(result).rejects.toThrow(InvalidTenantPrefixError);
    await expect(result).rejects.toThrow(`tenant prefix ${JSON.stringify(prefix)}`);
  });
});
