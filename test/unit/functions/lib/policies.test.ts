import { InvalidTenantPrefixError } from '../../../../functions/lib/errors';
import { prefixTenantPolicy, TENANT_CANNED_ACLS, tenantBoundaryPolicy, tenantBucketPolicy } from '../../../../functions/lib/policies';
import { assertTenantPrefix, tenantPrefixViolation, TENANT_PREFIX_MAX_LENGTH } from '../../../../functions/lib/s3-names';

const bucket = 'fusion-rms-acme-bistro-42';
const userArn = 'arn:aws:iam::123456789012:user/tenants/rms_acme-bistro-42';
const sharedBucket = 'tenant-provisioner-dev-shared';
/** IAM's limit for a managed policy (a boundary is one too): 6,144 characters, white space not counted. */
const MANAGED_POLICY_MAX_CHARACTERS = 6_144;
const managedPolicySize = (document: object) => JSON.stringify(document).replace(/\s/g, '').length;
const LONGEST_BUCKET_NAME = 'b'.repeat(63);

/** The prefix statements' shared parts, as IAM reads them. */
const ownObjectsOf = (bucketArn: string) => `${bucketArn}/\${aws:PrincipalTag/TenantPrefix}*`;
const tagShape = { 'aws:PrincipalTag/TenantPrefix': '?*/' };
const noGrantList = {
  's3:x-amz-grant-read': 'true',
  's3:x-amz-grant-write': 'true',
  's3:x-amz-grant-read-acp': 'true',
  's3:x-amz-grant-write-acp': 'true',
  's3:x-amz-grant-full-control': 'true',
};
const cannedAcls = ['private', 'public-read', 'bucket-owner-read', 'bucket-owner-full-control'];
/** The boundary's condition that keeps a prefix statement to a user whose TenantBucket is the shared bucket. */
const ofTheSharedBucket = { 'aws:PrincipalTag/TenantBucket': sharedBucket };

describe('tenantBucketPolicy', () => {
  it('grants public read of pub/* only, and the tenant user its object actions and ListBucket', () => {
    const policy = tenantBucketPolicy({ bucket, userArn, tlsOnly: false });

    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'PublicReadPub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/pub/*` },
        // The user by aws:PrincipalArn, not as Principal: S3 takes the policy before IAM has propagated the user.
        {
          Sid: 'TenantUserObjects',
          Effect: 'Allow',
          Principal: '*',
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          Resource: `arn:aws:s3:::${bucket}/*`,
          Condition: { ArnEquals: { 'aws:PrincipalArn': userArn } },
        },
        { Sid: 'TenantUserList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}`, Condition: { ArnEquals: { 'aws:PrincipalArn': userArn } } },
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
      // An allow to "*" is public unless a condition names who it is for (the user's aws:PrincipalArn).
      const publicAllows = tenantBucketPolicy({ bucket, userArn, tlsOnly }).Statement.filter((s) => s.Principal === '*' && s.Effect === 'Allow' && s.Condition?.ArnEquals?.['aws:PrincipalArn'] !== userArn);
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
    for (const boundary of [tenantBoundaryPolicy(), tenantBoundaryPolicy({ sharedBucket })]) {
      const actions = boundary.Statement.flatMap((s) => [s.Action].flat());

      expect(boundary.Statement.every((s) => s.Principal === undefined && s.Effect === 'Allow')).toBe(true);
      expect([...new Set(actions)].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
      expect(boundary.Statement.flatMap((s) => [s.Resource].flat()).every((r) => r.startsWith('arn:aws:s3:::${aws:PrincipalTag/TenantBucket}'))).toBe(true);
    }
  });

  it("with the stage's shared bucket, keeps the bucket statements from a user whose TenantBucket is the shared bucket and caps that user at its TenantPrefix, uploads carrying no ACL but bucket-owner-full-control", () => {
    const notShared = { StringNotEquals: { 'aws:PrincipalTag/TenantBucket': sharedBucket } };
    const ownObjects = ownObjectsOf('arn:aws:s3:::${aws:PrincipalTag/TenantBucket}');

    expect(tenantBoundaryPolicy({ sharedBucket })).toEqual({
      Version: '2012-10-17',
      Statement: [
        { ...tenantBoundaryPolicy().Statement[0], Condition: notShared },
        { ...tenantBoundaryPolicy().Statement[1], Condition: notShared },
        { Sid: 'PrefixTenantObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: ownObjects, Condition: { StringEquals: ofTheSharedBucket, StringLike: tagShape } },
        {
          Sid: 'PrefixTenantUploads',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: ownObjects,
          Condition: { StringEquals: ofTheSharedBucket, StringLike: tagShape, StringEqualsIfExists: { 's3:x-amz-acl': ['bucket-owner-full-control'] }, Null: noGrantList },
        },
        {
          Sid: 'PrefixTenantList',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::${aws:PrincipalTag/TenantBucket}',
          Condition: { StringEquals: ofTheSharedBucket, StringLike: { 's3:prefix': '${aws:PrincipalTag/TenantPrefix}*', ...tagShape } },
        },
      ],
    });
  });

  it.each([false, true])('keeps every prefix statement to a user whose TenantBucket is the shared bucket, and every bucket statement from it (objectAcls %s)', (objectAcls) => {
    const statements = tenantBoundaryPolicy({ sharedBucket, objectAcls }).Statement;
    const prefixStatements = statements.filter((s) => s.Sid.startsWith('PrefixTenant'));

    expect(prefixStatements.length).toBeGreaterThanOrEqual(3);
    for (const s of prefixStatements) expect({ Sid: s.Sid, TenantBucket: s.Condition?.StringEquals?.['aws:PrincipalTag/TenantBucket'] }).toEqual({ Sid: s.Sid, TenantBucket: sharedBucket });
    for (const s of statements.filter((t) => !t.Sid.startsWith('PrefixTenant'))) expect(s.Condition).toEqual({ StringNotEquals: ofTheSharedBucket });
  });

  it('fits well within the managed policy size limit with the longest bucket name', () => {
    expect(managedPolicySize(tenantBoundaryPolicy({ sharedBucket: LONGEST_BUCKET_NAME }))).toBeLessThan(MANAGED_POLICY_MAX_CHARACTERS / 3);
  });

  it('with object ACLs, caps a user of the shared bucket at the ACL statements of the prefix policy, each kept to the shared bucket, and leaves the bucket statements as they were', () => {
    const boundary = tenantBoundaryPolicy({ sharedBucket, objectAcls: true });
    const ownObjects = ownObjectsOf('arn:aws:s3:::${aws:PrincipalTag/TenantBucket}');

    expect(boundary).toEqual({
      Version: '2012-10-17',
      Statement: [
        ...tenantBoundaryPolicy({ sharedBucket }).Statement.slice(0, 2),
        {
          Sid: 'PrefixTenantObjects',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:DeleteObject', 's3:GetObjectAcl'],
          Resource: ownObjects,
          Condition: { StringEquals: ofTheSharedBucket, StringLike: tagShape },
        },
        {
          Sid: 'PrefixTenantUploads',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: ownObjects,
          Condition: { StringEquals: ofTheSharedBucket, StringLike: tagShape, StringEqualsIfExists: { 's3:x-amz-acl': cannedAcls }, Null: noGrantList },
        },
        {
          Sid: 'PrefixTenantCannedAcls',
          Effect: 'Allow',
          Action: 's3:PutObjectAcl',
          Resource: ownObjects,
          Condition: { StringEquals: { ...ofTheSharedBucket, 's3:x-amz-acl': cannedAcls }, StringLike: tagShape, Null: noGrantList },
        },
        tenantBoundaryPolicy({ sharedBucket }).Statement[4],
      ],
    });
    expect([...new Set(boundary.Statement.flatMap((s) => [s.Action].flat()))].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:GetObjectAcl', 's3:ListBucket', 's3:PutObject', 's3:PutObjectAcl']);
  });

  it('ignores objectAcls without a shared bucket: the boundary before prefix tenancy', () => {
    expect(tenantBoundaryPolicy({ objectAcls: true })).toEqual(tenantBoundaryPolicy());
  });

  it('with object ACLs, still fits within the managed policy size limit with the longest bucket name', () => {
    expect(managedPolicySize(tenantBoundaryPolicy({ sharedBucket: LONGEST_BUCKET_NAME, objectAcls: true }))).toBeLessThan(MANAGED_POLICY_MAX_CHARACTERS / 2);
  });
});

describe('prefixTenantPolicy', () => {
  it('grants objects under the TenantPrefix of the shared bucket, uploads carrying no ACL but bucket-owner-full-control and no grant list, and ListBucket only with an s3:prefix under it, to a user whose tag ends in "/"', () => {
    const ownObjects = ownObjectsOf(`arn:aws:s3:::${sharedBucket}`);

    expect(prefixTenantPolicy({ sharedBucket })).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'PrefixTenantObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: ownObjects, Condition: { StringLike: tagShape } },
        {
          Sid: 'PrefixTenantUploads',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: ownObjects,
          Condition: { StringLike: tagShape, StringEqualsIfExists: { 's3:x-amz-acl': ['bucket-owner-full-control'] }, Null: noGrantList },
        },
        {
          Sid: 'PrefixTenantList',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: `arn:aws:s3:::${sharedBucket}`,
          Condition: { StringLike: { 's3:prefix': '${aws:PrincipalTag/TenantPrefix}*', ...tagShape } },
        },
      ],
    });
  });

  it.each([false, true])('is the prefix statements of the boundary, with the shared bucket named instead of read from the TenantBucket tag and not conditioned on it (objectAcls %s)', (objectAcls) => {
    const fromBoundary = tenantBoundaryPolicy({ sharedBucket, objectAcls })
      .Statement.filter((s) => s.Sid.startsWith('PrefixTenant'))
      .map((s) => {
        const { 'aws:PrincipalTag/TenantBucket': _ofTheSharedBucket, ...stringEquals } = s.Condition?.StringEquals ?? {};
        const { StringEquals: _all, ...condition } = s.Condition ?? {};
        return { ...s, Condition: Object.keys(stringEquals).length > 0 ? { ...condition, StringEquals: stringEquals } : condition };
      });
    const named = JSON.parse(JSON.stringify(fromBoundary).replaceAll('${aws:PrincipalTag/TenantBucket}', sharedBucket)) as unknown;

    expect(prefixTenantPolicy({ sharedBucket, objectAcls }).Statement).toEqual(named);
  });

  it('fits well within the managed policy size limit with the longest bucket name', () => {
    expect(managedPolicySize(prefixTenantPolicy({ sharedBucket: LONGEST_BUCKET_NAME }))).toBeLessThan(MANAGED_POLICY_MAX_CHARACTERS / 5);
  });

  it('grants no ACL action unless the stage enables object ACLs, and lets an upload carry no ACL but bucket-owner-full-control', () => {
    const policy = prefixTenantPolicy({ sharedBucket });

    expect(prefixTenantPolicy({ sharedBucket, objectAcls: false })).toEqual(policy);
    expect(policy.Statement.flatMap((s) => [s.Action].flat()).filter((action) => /Acl/.test(action))).toEqual([]);
    expect(policy.Statement.filter((s) => JSON.stringify(s).includes('x-amz-')).map((s) => [s.Sid, s.Condition?.StringEqualsIfExists])).toEqual([
      ['PrefixTenantUploads', { 's3:x-amz-acl': ['bucket-owner-full-control'] }],
    ]);
  });

  it('with object ACLs, grants GetObjectAcl, uploads with a canned ACL of TENANT_CANNED_ACLS or none, and ACL changes naming one, never with a grant list, under the TenantPrefix only', () => {
    const ownObjects = ownObjectsOf(`arn:aws:s3:::${sharedBucket}`);

    expect(TENANT_CANNED_ACLS).toEqual(cannedAcls);
    expect(prefixTenantPolicy({ sharedBucket, objectAcls: true })).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'PrefixTenantObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject', 's3:GetObjectAcl'], Resource: ownObjects, Condition: { StringLike: tagShape } },
        {
          Sid: 'PrefixTenantUploads',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: ownObjects,
          Condition: { StringLike: tagShape, StringEqualsIfExists: { 's3:x-amz-acl': cannedAcls }, Null: noGrantList },
        },
        {
          Sid: 'PrefixTenantCannedAcls',
          Effect: 'Allow',
          Action: 's3:PutObjectAcl',
          Resource: ownObjects,
          Condition: { StringLike: tagShape, StringEquals: { 's3:x-amz-acl': cannedAcls }, Null: noGrantList },
        },
        prefixTenantPolicy({ sharedBucket }).Statement[2],
      ],
    });
  });

  it('offers no canned ACL that grants every AWS account, lets anyone write, or grants another service', () => {
    for (const acl of ['authenticated-read', 'public-read-write', 'aws-exec-read', 'log-delivery-write']) expect(TENANT_CANNED_ACLS).not.toContain(acl);
  });

  it('with object ACLs, fits within the managed policy size limit with the longest bucket name', () => {
    expect(managedPolicySize(prefixTenantPolicy({ sharedBucket: LONGEST_BUCKET_NAME, objectAcls: true }))).toBeLessThan(MANAGED_POLICY_MAX_CHARACTERS / 3);
  });
});

describe('assertTenantPrefix', () => {
  it.each([
    ['the default template with a one-character slug', 'userdata/a-publisher/'],
    ['the default template with a 40-character slug', `userdata/${'a'.repeat(40)}-publisher/`],
    ['one segment of one character', 'a/'],
    ['nested segments with ".", "_" and capitals', 'Sites/nz_akl/v1.2/'],
    [`${TENANT_PREFIX_MAX_LENGTH} characters`, `${'a'.repeat(TENANT_PREFIX_MAX_LENGTH - 1)}/`],
  ])('accepts %s', (_title, prefix) => {
    expect(tenantPrefixViolation(prefix)).toBeUndefined();
    expect(assertTenantPrefix(prefix)).toBe(prefix);
  });

  it.each([
    ['', 'is empty'],
    ['/userdata/a-publisher/', 'must not start with "/"'],
    ['userdata/a-publisher', 'must end with "/" (without it the tenant would also reach "userdata/a-publisher-2/…"'],
    ['userdata/*/', 'must not contain "*"'],
    ['userdata/a?/', 'must not contain "?"'],
    ['userdata/${aws:username}/', 'must not contain "$"'],
    ['userdata/{slug}-publisher/', 'must not contain "{"'],
    ['userdata/a}/', 'must not contain "}"'],
    ['user data/a/', 'must not contain " ": only letters, digits, "-", "_", "." and "/"'],
    ['userdata/café/', 'must not contain "é"'],
    ['userdata/a+b/', 'must not contain "+"'],
    ['userdata//a/', 'must not contain an empty segment ("//")'],
    ['userdata/../b-publisher/', 'must not contain a ".." segment'],
    ['./a/', 'must not contain a "." segment'],
    [`${'a'.repeat(TENANT_PREFIX_MAX_LENGTH)}/`, `is ${TENANT_PREFIX_MAX_LENGTH + 1} characters long, more than ${TENANT_PREFIX_MAX_LENGTH}`],
  ])('rejects %j, saying it %s', (prefix, reason) => {
    expect(tenantPrefixViolation(prefix)).toContain(reason);
    expect(() => assertTenantPrefix(prefix)).toThrow(new InvalidTenantPrefixError(`Tenant prefix ${JSON.stringify(prefix)} ${tenantPrefixViolation(prefix)}`));
  });

  it('throws an error whose name survives minification', () => {
    expect(() => assertTenantPrefix('userdata/a-publisher')).toThrow(expect.objectContaining({ name: 'InvalidTenantPrefixError' }));
  });
});
