import type { OrgProvisionedDetail } from '../../../../functions/lib/publish';
import { handoffIniLines, tenantLines } from '../../../../local/output/tenant';

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
});

describe('handoffIniLines', () => {
  it('is the [AWS] section the POS server reads, with the secret as given (masked or not)', () => {
    expect(handoffIniLines({ bucket: 'fusion-rms-acme', accessKeyId: 'AKIAEXAMPLE' }, 'abcd****')).toEqual(['[AWS]', 'bucket=fusion-rms-acme', 'key=AKIAEXAMPLE', 'secret=abcd****']);
  });
});
