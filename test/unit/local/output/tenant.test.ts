import type { OrgProvisionedDetail } from '../../../../functions/lib/publish';
import { handoffIniLines, poziLines, poziSyncLines, tenantLines } from '../../../../local/output/tenant';

const detail: OrgProvisionedDetail = {
  orgId: 'Acme',
  executionName: 'acme-g1-provision',
  bucket: { name: 'fusion-rms-acme', region: 'us-east-1', arn: 'arn:aws:s3:::fusion-rms-acme', publicBaseUrl: 'https://fusion-rms-acme.s3.us-east-1.amazonaws.com/pub/' },
  user: { name: 'rms_acme', arn: 'arn:aws:iam::123456789012:user/tenants/dev/rms_acme' },
  credentials: { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fusion-rms/dev/acme/credentials', secretName: 'fusion-rms/dev/acme/credentials' },
  provisionedAt: '2026-11-23T09:00:00.000Z',
};

describe('tenantLines', () => {
  it("shows the announced tenant's bucket, user, secret and public URL in one column, and what the caller adds after them", () => {
    expect(tenantLines(detail, { handoff: 'npx tenantctl credentials Acme' })).toEqual([
      'Tenant',
      '  bucket      fusion-rms-acme (us-east-1)',
      '  user        arn:aws:iam::123456789012:user/tenants/dev/rms_acme',
      '  secret      fusion-rms/dev/acme/credentials',
      '  public URL  https://fusion-rms-acme.s3.us-east-1.amazonaws.com/pub/',
      '  handoff     npx tenantctl credentials Acme',
    ]);
  });

  it("shows a prefix tenant's shared bucket, prefix and base URL, and no public URL when it announced none", () => {
    const { publicBaseUrl: _none, ...sharedBucket } = { ...detail.bucket, name: 'connect.pozi.com', arn: 'arn:aws:s3:::connect.pozi.com' };
    const prefixTenant = {
      ...detail,
      tenancy: 'prefix',
      bucket: { ...sharedBucket, prefix: 'userdata/acme-publisher/', baseUrl: 'https://connect.pozi.com.s3.us-east-1.amazonaws.com/userdata/acme-publisher/' },
    } as unknown as OrgProvisionedDetail;

    expect(tenantLines(prefixTenant)).toEqual([
      'Tenant',
      '  bucket      connect.pozi.com (us-east-1)',
      '  prefix      userdata/acme-publisher/',
      '  user        arn:aws:iam::123456789012:user/tenants/dev/rms_acme',
      '  secret      fusion-rms/dev/acme/credentials',
      '  base URL    https://connect.pozi.com.s3.us-east-1.amazonaws.com/userdata/acme-publisher/',
    ]);
  });

  it("shows a prefix tenant's public URL as well only when it differs from its base URL", () => {
    const baseUrl = 'https://connect.pozi.com.s3.us-east-1.amazonaws.com/userdata/acme-publisher/';
    const tenant = (publicBaseUrl: string) => ({ ...detail, bucket: { ...detail.bucket, name: 'connect.pozi.com', prefix: 'userdata/acme-publisher/', baseUrl, publicBaseUrl } }) as OrgProvisionedDetail;

    expect(tenantLines(tenant(baseUrl)).filter((line) => line.includes('URL'))).toEqual([`  base URL    ${baseUrl}`]);
    expect(tenantLines(tenant(`${baseUrl}pub/`)).filter((line) => line.includes('URL'))).toEqual([`  base URL    ${baseUrl}`, `  public URL  ${baseUrl}pub/`]);
  });
});

describe('handoffIniLines', () => {
  it('is the [AWS] section the POS server reads, with the secret as given (masked or not)', () => {
    expect(handoffIniLines({ bucket: 'fusion-rms-acme', accessKeyId: 'AKIAEXAMPLE' }, 'abcd****')).toEqual(['[AWS]', 'bucket=fusion-rms-acme', 'key=AKIAEXAMPLE', 'secret=abcd****']);
  });

  it("names a prefix tenant's prefix after its shared bucket", () => {
    expect(handoffIniLines({ bucket: 'connect.pozi.com', prefix: 'userdata/acme-publisher/', accessKeyId: 'AKIAEXAMPLE' }, 'abcd****')).toEqual([
      '[AWS]',
      'bucket=connect.pozi.com',
      'prefix=userdata/acme-publisher/',
      'key=AKIAEXAMPLE',
      'secret=abcd****',
    ]);
  });
});

describe('poziLines', () => {
  it("is Pozi's [AWS] block: a prefix tenant's bucket= is the shared bucket and its prefix without the trailing slash", () => {
    expect(poziLines({ bucket: 'connect.pozi.com', prefix: 'userdata/acme-publisher/', accessKeyId: 'AKIAEXAMPLE' }, 'abcd****')).toEqual([
      '[AWS]',
      'bucket=connect.pozi.com/userdata/acme-publisher',
      'key=AKIAEXAMPLE',
      'secret=abcd****',
    ]);
  });

  it("gives a bucket tenant's bucket= its own bucket alone", () => {
    expect(poziLines({ bucket: 'fusion-rms-acme', accessKeyId: 'AKIAEXAMPLE' }, 'abcd****')).toEqual(['[AWS]', 'bucket=fusion-rms-acme', 'key=AKIAEXAMPLE', 'secret=abcd****']);
  });
});

describe('poziSyncLines', () => {
  it('is sitename (lower case), username (the key id) and password (the secret as given)', () => {
    expect(poziSyncLines('Acme-Bistro-42', { accessKeyId: 'AKIAEXAMPLE' }, 'abcd****')).toEqual(['sitename=acme-bistro-42', 'username=AKIAEXAMPLE', 'password=abcd****']);
  });
});
