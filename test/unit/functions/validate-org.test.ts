import { validateOrg } from '../../../functions/validate-org';
import { INVALID_ORG_IDS } from '../../support/fixtures';
import { loadConfig } from '../../../functions/lib/config';
import { InvalidEventError, InvalidOrgIdError } from '../../../functions/lib/errors';
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
