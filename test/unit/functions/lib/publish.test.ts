import { orgProvisionedDetail, publishedDetail } from '../../../../functions/lib/publish';
import { assertOrgProvisionedDetail } from '../../../../functions/lib/events';
import sample from '../../../../events/samples/org-provisioned.json';
import { sampleProvisioned, sampleTenant } from '../../../support/fixtures';

const provisionedAt = new Date(sample.detail.provisionedAt);

describe('orgProvisionedDetail', () => {
  it("is the sample OrgProvisioned for the sample tenant's provisioning: its first execution's name and generation", () => {
    const detail = orgProvisionedDetail(sampleProvisioned(), provisionedAt);

    expect(detail).toEqual(sample.detail);
    expect(() => assertOrgProvisionedDetail(detail)).not.toThrow();
  });

  it('names the execution, never the run id (which only tags resources)', () => {
    const provisioned = sampleProvisioned();

    const detail = orgProvisionedDetail(provisioned, provisionedAt);

    expect(detail.executionName).toBe('acme-bistro-42-g1-provision');
    expect(JSON.stringify(detail)).not.toContain(provisioned.tenant.provisionedBy);
  });

  it('never carries the access key id', () => {
    const provisioned = sampleProvisioned();

    const detail = orgProvisionedDetail(provisioned, provisionedAt);

    expect(JSON.stringify(detail)).not.toContain(provisioned.credentials.accessKeyId);
  });

  it('leaves orgName and generation out when the tenant has none', () => {
    const { orgName: _orgName, generation: _generation, ...tenant } = sampleTenant();

    const detail = orgProvisionedDetail(sampleProvisioned({ tenant }), provisionedAt);

    expect(detail).not.toHaveProperty('orgName');
    expect(detail).not.toHaveProperty('generation');
    expect(() => assertOrgProvisionedDetail(detail)).not.toThrow();
  });
});

describe('publishedDetail', () => {
  it("reads the detail a workflow's Publish state put at $.published, and nothing else", () => {
    expect(publishedDetail({ tenant: {}, published: { eventId: 'e-1', detail: sample.detail } })).toEqual(sample.detail);
    expect(publishedDetail({ tenant: {} })).toBeUndefined();
    expect(publishedDetail({ published: { eventId: 'e-1' } })).toBeUndefined();
    expect(publishedDetail({ published: 'not an object' })).toBeUndefined();
    expect(publishedDetail(undefined)).toBeUndefined();
    expect(publishedDetail(null)).toBeUndefined();
  });
});
