import { orgProvisionedDetail, publishedDetail } from '../../../../functions/lib/publish';
import { assertOrgProvisionedDetail } from '../../../../functions/lib/events';
import { InvalidEventError } from '../../../../functions/lib/errors';
import { orgProvisionedDetail as validOrgProvisionedDetail } from '../../../../functions/lib/generated/event-validators';
import sample from '../../../../events/samples/org-provisioned.json';
import { SAMPLE_SHARED_BUCKET, SAMPLE_TENANT_PREFIX, samplePrefixBucket, samplePrefixProvisioned, sampleProvisioned, sampleTenant } from '../../../support/fixtures';

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

describe('orgProvisionedDetail for a prefix tenant', () => {
  const baseUrl = `https://${SAMPLE_SHARED_BUCKET}.s3.us-east-1.amazonaws.com/${SAMPLE_TENANT_PREFIX}`;

  it('says tenancy prefix and gives the shared bucket with the prefix and its base URL, and no publicBaseUrl while objects cannot be public', () => {
    const detail = orgProvisionedDetail(samplePrefixProvisioned(), provisionedAt);

    expect(detail).toEqual({
      orgId: 'Acme-Bistro-42',
      orgName: 'Acme Bistro',
      generation: 1,
      executionName: 'acme-bistro-42-g1-provision',
      tenancy: 'prefix',
      bucket: { name: SAMPLE_SHARED_BUCKET, region: 'us-east-1', arn: `arn:aws:s3:::${SAMPLE_SHARED_BUCKET}`, prefix: 'userdata/acme-bistro-42-publisher/', baseUrl },
      user: sample.detail.user,
      credentials: sample.detail.credentials,
      provisionedAt: sample.detail.provisionedAt,
    });
    expect(detail.bucket).not.toHaveProperty('publicBaseUrl');
    expect(() => assertOrgProvisionedDetail(detail)).not.toThrow();
    expect(validOrgProvisionedDetail(detail)).toBe(true);
  });

  it('adds publicBaseUrl, the base URL, when the stage lets the tenant make its objects public (object ACLs enabled)', () => {
    const detail = orgProvisionedDetail(samplePrefixProvisioned({ bucket: samplePrefixBucket({ publicObjects: true }) }), provisionedAt);

    expect(detail.bucket).toEqual({ name: SAMPLE_SHARED_BUCKET, region: 'us-east-1', arn: `arn:aws:s3:::${SAMPLE_SHARED_BUCKET}`, prefix: SAMPLE_TENANT_PREFIX, baseUrl, publicBaseUrl: baseUrl });
    expect(validOrgProvisionedDetail(detail)).toBe(true);
  });

  it('carries the path-style base URL of a dotted shared bucket, which the schema accepts', () => {
    const dottedUrl = `https://s3.us-east-1.amazonaws.com/connect.pozi.com/${SAMPLE_TENANT_PREFIX}`;
    const bucket = samplePrefixBucket({ name: 'connect.pozi.com', baseUrl: dottedUrl });

    const detail = orgProvisionedDetail(samplePrefixProvisioned({ bucket }), provisionedAt);

    expect(detail.bucket).toMatchObject({ name: 'connect.pozi.com', arn: 'arn:aws:s3:::connect.pozi.com', baseUrl: dottedUrl });
    expect(validOrgProvisionedDetail(detail)).toBe(true);
  });

  it('gives a bucket tenant neither tenancy nor prefix nor baseUrl, and its public pub/ URL as always', () => {
    const detail = orgProvisionedDetail(sampleProvisioned(), provisionedAt);

    expect(detail).not.toHaveProperty('tenancy');
    expect(Object.keys(detail.bucket).sort()).toEqual(['arn', 'name', 'publicBaseUrl', 'region']);
  });

  it.each<[string, (detail: Record<string, unknown>) => Record<string, unknown>]>([
    ['a tenancy other than prefix', (detail) => ({ ...detail, tenancy: 'bucket' })],
    ['a prefix without its trailing slash', (detail) => ({ ...detail, bucket: { ...(detail.bucket as object), prefix: 'userdata/acme-bistro-42-publisher' } })],
    ['a plain-HTTP baseUrl', (detail) => ({ ...detail, bucket: { ...(detail.bucket as object), baseUrl: `http://${SAMPLE_SHARED_BUCKET}.s3.us-east-1.amazonaws.com/` } })],
    ['an unknown bucket field', (detail) => ({ ...detail, bucket: { ...(detail.bucket as object), publicObjects: true } })],
  ])('is refused by the schema with %s', (_label, breakIt) => {
    const broken = breakIt(orgProvisionedDetail(samplePrefixProvisioned(), provisionedAt) as unknown as Record<string, unknown>);

    expect(validOrgProvisionedDetail(broken)).toBe(false);
    expect(() => assertOrgProvisionedDetail(broken)).toThrow(InvalidEventError);
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
