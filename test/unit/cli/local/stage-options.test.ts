import { localStageOptions } from '../../../../cli/local/backend';

describe('localStageOptions (tenantctl --local: the local stage as the operator asks for it)', () => {
  it('is bucket tenancy without object ACLs by default', () => {
    expect(localStageOptions({})).toEqual({ tenancy: 'bucket', objectAcls: false });
  });

  it('makes new tenants prefixes of the local shared bucket with TENANT_PROVISIONER_TENANCY=prefix', () => {
    expect(localStageOptions({ TENANT_PROVISIONER_TENANCY: 'prefix', TENANT_PROVISIONER_OBJECT_ACLS: 'enabled' })).toEqual({ tenancy: 'prefix', objectAcls: true });
  });

  it('names the variable that is malformed, exit 2', () => {
    expect(() => localStageOptions({ TENANT_PROVISIONER_TENANCY: 'folder' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'TENANT_PROVISIONER_TENANCY="folder" is invalid: must be "bucket" or "prefix"' }),
    );
    expect(() => localStageOptions({ TENANT_PROVISIONER_OBJECT_ACLS: 'yes' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'TENANT_PROVISIONER_OBJECT_ACLS="yes" is invalid: must be "enabled" or "disabled"' }),
    );
  });
});
