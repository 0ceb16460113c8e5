import { validateOrg } from '../../../functions/validate-org';
import { INVALID_ORG_IDS } from '../../support/fixtures';
import { loadConfig } from '../../../functions/lib/config';
import { InvalidEventError, InvalidOrgIdError } from '../../../functions/lib/errors';
import sample from '../../../events/samples/org-created.json';

const config = loadConfig();
const execution = { name: 'org-acme-bistro-42', startTime: '2026-11-23T09:00:00.000Z' };

describe('validateOrg', () => {
  it('derives every tenant name from the sample OrgCreated', async () => {
    const tenant = await validateOrg({ event: sample.detail, execution }, { config });
    expect(tenant).toMatchObject({
      orgId: 'Acme-Bistro-42',
      orgName: 'Acme Bistro',
      slug: 'acme-bistro-42',
      region: 'us-east-1',
      provisionedBy: 'org-acme-bistro-42',
      startedAt: execution.startTime,
      userName: 'rms_acme-bistro-42',
      userPath: '/tenants/',
      secretName: 'fusion-rms/acme-bistro-42/credentials',
    });
    expect(tenant.bucketCandidates[0]).toBe('fusion-rms-acme-bistro-42');
    expect(tenant.bucketCandidates).toHaveLength(config.maxBucketCandidates);
    expect(new Set(tenant.bucketCandidates).size).toBe(tenant.bucketCandidates.length);
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
