import { stageConfig } from '../../../../cli/aws/config';

describe('stageConfig (the stage as tenantctl knows it)', () => {
  it('is a bucket-tenancy stage by default, with no shared bucket', () => {
    const config = stageConfig('prod', 'eu-west-1', '123456789012', {});
    expect(config).toMatchObject({ tenancy: 'bucket', prefixTemplate: 'userdata/{slug}-publisher/', objectAcls: false });
    expect(config.sharedBucket).toBeUndefined();
    expect(config.tenantPrefixPolicyArn).toBeUndefined();
  });

  it("takes a prefix stage's settings from TENANT_PROVISIONER_*, naming its prefix policy as the stack does", () => {
    const config = stageConfig('prod', 'eu-west-1', '123456789012', {
      TENANT_PROVISIONER_TENANCY: 'prefix',
      TENANT_PROVISIONER_SHARED_BUCKET: 'connect.pozi.com',
      TENANT_PROVISIONER_PREFIX_TEMPLATE: 'sites/{slug}/',
      TENANT_PROVISIONER_OBJECT_ACLS: 'enabled',
    });
    expect(config).toMatchObject({
      tenancy: 'prefix',
      sharedBucket: 'connect.pozi.com',
      prefixTemplate: 'sites/{slug}/',
      objectAcls: true,
      tenantPrefixPolicyArn: 'arn:aws:iam::123456789012:policy/tenant-provisioner-prod-tenant-prefix',
    });
  });

  it('names the TENANT_PROVISIONER_ variable an operator must set or fix (exit 2)', () => {
    const attempt = (env: Record<string, string>) => () => stageConfig('prod', 'eu-west-1', '123456789012', env);
    expect(attempt({ TENANT_PROVISIONER_TENANCY: 'prefix' })).toThrow(expect.objectContaining({ exitCode: 2, message: 'Missing TENANT_PROVISIONER_SHARED_BUCKET (TENANCY=prefix keeps every new tenant in the shared bucket)' }));
    expect(attempt({ TENANT_PROVISIONER_TENANCY: 'folders' })).toThrow(/^TENANT_PROVISIONER_TENANCY="folders" is invalid: must be "bucket" or "prefix"$/);
    expect(attempt({ TENANT_PROVISIONER_SHARED_BUCKET: 'x', TENANT_PROVISIONER_TENANCY: 'prefix' })).toThrow(/^TENANT_PROVISIONER_SHARED_BUCKET="x" is invalid: must be 3–63 characters long/);
  });
});
