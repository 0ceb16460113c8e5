import { tenantBoundaryPolicy, tenantBucketPolicy } from '../../../../functions/lib/policies';

const bucket = 'fusion-rms-acme-bistro-42';
const userArn = 'arn:aws:iam::123456789012:user/tenants/rms_acme-bistro-42';

describe('tenantBucketPolicy', () => {
  it('grants public read of pub/* only, and the tenant user its object actions and ListBucket', () => {
    const policy = tenantBucketPolicy({ bucket, userArn, tlsOnly: false });

    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'PublicReadPub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/pub/*` },
        { Sid: 'TenantUserObjects', Effect: 'Allow', Principal: { AWS: userArn }, Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${bucket}/*` },
        { Sid: 'TenantUserList', Effect: 'Allow', Principal: { AWS: userArn }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
      ],
    });
  });

  it('adds a deny of every non-TLS request on the bucket and its objects when tlsOnly', () => {
    const policy = tenantBucketPolicy({ bucket, userArn, tlsOnly: true });

    expect(policy.Statement.map((s) => s.Sid)).toEqual(['PublicReadPub', 'TenantUserObjects', 'TenantUserList', 'DenyInsecureTransport']);
    expect(policy.Statement[3]).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('gives the public nothing but GetObject under pub/', () => {
    for (const tlsOnly of [true, false]) {
      const publicAllows = tenantBucketPolicy({ bucket, userArn, tlsOnly }).Statement.filter((s) => s.Principal === '*' && s.Effect === 'Allow');
      expect(publicAllows).toEqual([expect.objectContaining({ Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/pub/*` })]);
    }
  });

  it('fits well within the 20 KB bucket policy limit', () => {
    const longest = tenantBucketPolicy({ bucket: 'b'.repeat(63), userArn: `${userArn}${'x'.repeat(40)}`, tlsOnly: true });
    expect(JSON.stringify(longest).length).toBeLessThan(20_480);
  });
});

describe('tenantBoundaryPolicy', () => {
  it("caps a tenant user at object actions and ListBucket on the bucket its own TenantBucket tag names", () => {
    expect(tenantBoundaryPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'TenantObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::${aws:PrincipalTag/TenantBucket}/*' },
        { Sid: 'TenantList', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::${aws:PrincipalTag/TenantBucket}' },
      ],
    });
  });

  it('is an identity policy with no principal, no wildcard action and nothing outside S3 objects and listing', () => {
    const boundary = tenantBoundaryPolicy();
    const actions = boundary.Statement.flatMap((s) => [s.Action].flat());

    expect(boundary.Statement.every((s) => s.Principal === undefined && s.Effect === 'Allow')).toBe(true);
    expect(actions.sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    expect(boundary.Statement.flatMap((s) => [s.Resource].flat()).every((r) => r.startsWith('arn:aws:s3:::${aws:PrincipalTag/TenantBucket}'))).toBe(true);
  });
});
