import { rotationFunctionArn, stageConfig } from '../../../../cli/aws/config';

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

describe('the stage rotation, as tenantctl knows it', () => {
  it("takes the stage's rotationDays and previousKeyOverlapDays from TENANT_PROVISIONER_*, checked as the functions check them", () => {
    expect(stageConfig('prod', 'eu-west-1', '123456789012', {})).toMatchObject({ rotationDays: 90, previousKeyOverlapDays: 7 });
    expect(stageConfig('prod', 'eu-west-1', '123456789012', { TENANT_PROVISIONER_ROTATION_DAYS: '30', TENANT_PROVISIONER_PREVIOUS_KEY_OVERLAP_DAYS: '2' })).toMatchObject({ rotationDays: 30, previousKeyOverlapDays: 2 });
    expect(() => stageConfig('prod', 'eu-west-1', '123456789012', { TENANT_PROVISIONER_ROTATION_DAYS: '5', TENANT_PROVISIONER_PREVIOUS_KEY_OVERLAP_DAYS: '7' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^TENANT_PROVISIONER_PREVIOUS_KEY_OVERLAP_DAYS="7" is invalid: must be less than ROTATION_DAYS/) }),
    );
  });

  it('names the rotation function as serverless.yml does, unless TENANT_PROVISIONER_ROTATION_FUNCTION_ARN names another (a Lambda ARN, else exit 2)', () => {
    expect(rotationFunctionArn('prod', 'eu-west-1', '123456789012', {})).toBe('arn:aws:lambda:eu-west-1:123456789012:function:tenant-provisioner-prod-rotateTenantCredentials');
    const own = 'arn:aws:lambda:eu-west-1:123456789012:function:my-rotator:live';
    expect(rotationFunctionArn('prod', 'eu-west-1', '123456789012', { TENANT_PROVISIONER_ROTATION_FUNCTION_ARN: own })).toBe(own);
    expect(() => rotationFunctionArn('prod', 'eu-west-1', '123456789012', { TENANT_PROVISIONER_ROTATION_FUNCTION_ARN: 'my-rotator' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'TENANT_PROVISIONER_ROTATION_FUNCTION_ARN="my-rotator" is not a Lambda function ARN' }),
    );
  });
});
