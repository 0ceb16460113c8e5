/**
 * Stages with prefix tenants, each packaged for real with its options as an operator passes them
 * (`--param=tenancy=prefix` …), resolved for account 123456789012, us-east-1, stage dev:
 * - `tenancy: prefix` and no sharedBucket: the stack creates the shared bucket, which only
 *   CloudFormation names, so every document and ARN that names it must reference it;
 * - the same with `objectAcls: enabled` and no TLS-only policy;
 * - a stage that had prefix tenants (`tenancy: bucket`) naming an existing shared bucket, with its
 *   own prefix template.
 * Each gets the prefix tenants' managed policy, the boundary and roles for its shared bucket, and
 * the settings its functions' cold start accepts; and the stage options are checked at packaging.
 */
import { rmSync } from 'node:fs';
import { loadConfig } from '../../functions/lib/config';
import { prefixTenantPolicy, tenantBoundaryPolicy } from '../../functions/lib/policies';
import { packageStack, type CloudFormationTemplate, type PackagedStack, type Resource } from '../../scripts/package-stack';
import { IntrinsicResolver } from '../security/support/intrinsics';
import { DEPLOYMENT } from '../security/support/world';
import { roleRuleViolations, roleStatements, unacceptedCfnLintFindings } from './template-checks';

/** The name the resolver gives the bucket CloudFormation names (`<stack>-<logical id>-<random>`, lower case). */
const CREATED_BUCKET = 'tenant-provisioner-dev-sharedbucket-generated';
const NAMED_BUCKET = 'connect.pozi.example';
const PREFIX_POLICY_ARN = 'arn:aws:iam::123456789012:policy/tenant-provisioner-dev-tenant-prefix';
/** IAM's limit for a managed policy document, whitespace not counted. */
const MANAGED_POLICY_MAX_CHARS = 6144;

type Json = Parameters<IntrinsicResolver['resolve']>[0];

interface Stage {
  stack: PackagedStack;
  template: CloudFormationTemplate;
  resolve: (value: unknown) => unknown;
}

function packaged(params: Record<string, string>): Stage {
  const stack = packageStack({ stage: 'dev', region: 'us-east-1', params });
  const resolver = new IntrinsicResolver(stack.template, DEPLOYMENT);
  return { stack, template: stack.template, resolve: (value) => resolver.resolve(value as Json) };
}

const ofType = (stage: Stage, type: string) => Object.entries(stage.template.Resources).filter(([, r]) => r.Type === type);
const environments = (stage: Stage) =>
  ofType(stage, 'AWS::Lambda::Function').map(([id, fn]) => [id, (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables] as const);

/** The statements of `role`'s inline policy that name `action`, resolved. */
function grantsOf(stage: Stage, role: string, action: string): unknown[] {
  return roleStatements(stage.template)
    .filter((s) => s.role === role && s.Effect === 'Allow' && ([] as string[]).concat(s.Action).includes(action))
    .map(({ role: _role, ...s }) => stage.resolve(s));
}

/** Every role action whose resolved resource is in `bucket` (the bucket or its objects), by role. */
function rightsIn(stage: Stage, bucket: string): Record<string, string[]> {
  const rights: Record<string, string[]> = {};
  for (const s of roleStatements(stage.template).filter((st) => st.Effect === 'Allow')) {
    const resources = ([] as unknown[]).concat(stage.resolve(s.Resource));
    if (resources.some((r) => r === `arn:aws:s3:::${bucket}` || String(r).startsWith(`arn:aws:s3:::${bucket}/`))) {
      (rights[s.role] ??= []).push(...([] as string[]).concat(s.Action).map((a) => `${a} on ${resources.join(', ')}`));
    }
  }
  return rights;
}

/** The Lambda environment as the functions get it, with AWS_REGION (Lambda's own), as loadConfig reads it. */
function coldStartConfig(stage: Stage) {
  const [, variables] = environments(stage)[0] ?? [];
  return loadConfig({ ...(stage.resolve(variables) as Record<string, string>), AWS_REGION: DEPLOYMENT.region });
}

const documentSize = (document: unknown) => JSON.stringify(document).replace(/\s/g, '').length;

describe('tenancy prefix, with the shared bucket the stack creates', () => {
  let stage: Stage;
  beforeAll(() => {
    stage = packaged({ tenancy: 'prefix' });
  }, 600_000);
  afterAll(() => {
    if (stage) rmSync(stage.stack.outDir, { recursive: true, force: true });
  });

  it('creates the shared bucket unnamed, retained, versioned, SSE-S3, with ACLs disabled and no public access', () => {
    const bucket = stage.template.Resources.SharedBucket as Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string };
    expect({ DeletionPolicy: bucket.DeletionPolicy, UpdateReplacePolicy: bucket.UpdateReplacePolicy }).toEqual({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(bucket.Properties).toEqual({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ Id: 'AbortIncompleteUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] },
      Tags: [{ Key: 'ManagedBy', Value: 'tenant-provisioner' }],
    });
    expect(ofType(stage, 'AWS::S3::Bucket').map(([id]) => id).sort()).toEqual(['ServerlessDeploymentBucket', 'SharedBucket']);
  });

  it('gives the bucket it creates a small fixed policy: the TLS-only deny, naming no tenant', () => {
    const policies = ofType(stage, 'AWS::S3::BucketPolicy').filter(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: 'SharedBucket' }));
    expect(policies.map(([id]) => id)).toEqual(['SharedBucketPolicy']);
    const document = stage.resolve(policies[0]?.[1].Properties.PolicyDocument);
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${CREATED_BUCKET}`, `arn:aws:s3:::${CREATED_BUCKET}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    expect(documentSize(document)).toBeLessThan(400);
  });

  it("creates the prefix tenants' one managed policy and their boundary from the code's documents, for the bucket CloudFormation names", () => {
    const prefixPolicy = stage.template.Resources.TenantPrefixPolicy as Resource;
    expect(prefixPolicy.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(prefixPolicy.Properties.ManagedPolicyName).toBe('tenant-provisioner-dev-tenant-prefix');
    const document = stage.resolve(prefixPolicy.Properties.PolicyDocument);
    expect(document).toEqual(prefixTenantPolicy({ sharedBucket: CREATED_BUCKET }));
    expect(documentSize(document)).toBeLessThan(MANAGED_POLICY_MAX_CHARS);
    expect(stage.resolve(stage.template.Resources.TenantBoundaryPolicy?.Properties.PolicyDocument)).toEqual(tenantBoundaryPolicy({ sharedBucket: CREATED_BUCKET }));
  });

  it('gives every function the settings of a prefix stage, which its cold start accepts', () => {
    for (const [id, variables] of environments(stage)) {
      expect({ id, ...variables }).toMatchObject({
        id,
        TENANCY: 'prefix',
        SHARED_BUCKET: { Ref: 'SharedBucket' },
        PREFIX_TEMPLATE: 'userdata/{slug}-publisher/',
        OBJECT_ACLS: 'disabled',
        TENANT_PREFIX_POLICY_ARN: { Ref: 'TenantPrefixPolicy' },
      });
    }
    expect(coldStartConfig(stage)).toMatchObject({ tenancy: 'prefix', sharedBucket: CREATED_BUCKET, tenantPrefixPolicyArn: PREFIX_POLICY_ARN, prefixTemplate: 'userdata/{slug}-publisher/', objectAcls: false });
    expect(stage.template.Outputs).toMatchObject({ SharedBucketName: { Value: { Ref: 'SharedBucket' } }, TenantPrefixPolicyArn: { Value: { Ref: 'TenantPrefixPolicy' } } });
  });

  it('lets CreateTenantUser tag users (not secrets) with their TenantPrefix and attach only the prefix policy, only to a user of ours', () => {
    expect(grantsOf(stage, 'CreateTenantUserRole', 'iam:AttachUserPolicy')).toEqual([
      {
        Effect: 'Allow',
        Action: ['iam:AttachUserPolicy'],
        Resource: 'arn:aws:iam::123456789012:user/tenants/dev/*',
        Condition: { ArnEquals: { 'iam:PolicyARN': PREFIX_POLICY_ARN }, StringEquals: { 'aws:ResourceTag/ManagedBy': 'tenant-provisioner' } },
      },
    ]);
    for (const action of ['iam:CreateUser', 'iam:TagUser']) {
      expect(grantsOf(stage, 'CreateTenantUserRole', action).map((s) => (s as { Condition: Record<string, Record<string, unknown>> }).Condition['ForAllValues:StringEquals'])).toEqual([
        { 'aws:TagKeys': ['OrgId', 'ManagedBy', 'ProvisionedBy', 'TenantBucket', 'TenantPrefix'] },
      ]);
    }
    // A secret never carries a TenantPrefix tag.
    expect(grantsOf(stage, 'IssueTenantCredentialsRole', 'secretsmanager:CreateSecret').map((s) => (s as { Condition: Record<string, Record<string, unknown>> }).Condition['ForAllValues:StringEquals'])).toEqual([
      { 'aws:TagKeys': ['OrgId', 'ManagedBy', 'ProvisionedBy', 'TenantBucket'] },
    ]);
  });

  it('lets the roles read the shared bucket only to claim a prefix, and delete only objects under the tenants\' prefixes: never the bucket or its policy', () => {
    expect(rightsIn(stage, CREATED_BUCKET)).toEqual({
      ClaimTenantPrefixRole: [`s3:ListBucket on arn:aws:s3:::${CREATED_BUCKET}`, `s3:GetObjectTagging on arn:aws:s3:::${CREATED_BUCKET}/userdata/*-publisher/`],
      DeleteTenantBucketRole: [
        `s3:ListBucketVersions on arn:aws:s3:::${CREATED_BUCKET}`,
        `s3:GetBucketVersioning on arn:aws:s3:::${CREATED_BUCKET}`,
        `s3:DeleteObject on arn:aws:s3:::${CREATED_BUCKET}/userdata/*-publisher/*`,
        `s3:DeleteObjectVersion on arn:aws:s3:::${CREATED_BUCKET}/userdata/*-publisher/*`,
        `s3:GetObjectRetention on arn:aws:s3:::${CREATED_BUCKET}/userdata/*-publisher/*`,
        `s3:GetObjectLegalHold on arn:aws:s3:::${CREATED_BUCKET}/userdata/*-publisher/*`,
      ],
    });
  });

  it('keeps the roles\' rules: no write on "*", CreateUser only with the boundary, no policy to a user but the prefix policy', () => {
    expect(roleRuleViolations(stage.template, 'dev')).toEqual([]);
  });

  it('passes cfn-lint, but for the findings accepted on review (template-checks.ts)', () => {
    expect(unacceptedCfnLintFindings(stage.stack.templatePath)).toEqual({ errors: '', unaccepted: [] });
  });
});

describe('tenancy prefix with objectAcls enabled and no TLS-only policy, with the shared bucket the stack creates', () => {
  let stage: Stage;
  beforeAll(() => {
    stage = packaged({ tenancy: 'prefix', objectAcls: 'enabled', bucketPolicyTlsOnly: 'false' });
  }, 600_000);
  afterAll(() => {
    if (stage) rmSync(stage.stack.outDir, { recursive: true, force: true });
  });

  it('creates the shared bucket accepting ACLs (BucketOwnerPreferred) and public ones, while a public bucket policy stays blocked', () => {
    expect(stage.template.Resources.SharedBucket?.Properties).toMatchObject({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    });
  });

  it('gives the bucket no policy at all', () => {
    expect(ofType(stage, 'AWS::S3::BucketPolicy').map(([id]) => id)).toEqual(['ServerlessDeploymentBucketPolicy']);
  });

  it('grants the canned ACLs in the prefix policy and the boundary, and tells the functions', () => {
    const document = stage.resolve(stage.template.Resources.TenantPrefixPolicy?.Properties.PolicyDocument);
    expect(document).toEqual(prefixTenantPolicy({ sharedBucket: CREATED_BUCKET, objectAcls: true }));
    expect(documentSize(document)).toBeLessThan(MANAGED_POLICY_MAX_CHARS);
    expect(stage.resolve(stage.template.Resources.TenantBoundaryPolicy?.Properties.PolicyDocument)).toEqual(tenantBoundaryPolicy({ sharedBucket: CREATED_BUCKET, objectAcls: true }));
    expect(coldStartConfig(stage)).toMatchObject({ tenancy: 'prefix', sharedBucket: CREATED_BUCKET, objectAcls: true, bucketPolicyTlsOnly: false });
  });

  it('passes cfn-lint, but for the findings accepted on review (template-checks.ts)', () => {
    expect(unacceptedCfnLintFindings(stage.stack.templatePath)).toEqual({ errors: '', unaccepted: [] });
  });
});

describe('a stage that had prefix tenants (tenancy bucket) naming its existing shared bucket, with its own prefix template', () => {
  let stage: Stage;
  beforeAll(() => {
    stage = packaged({ sharedBucket: NAMED_BUCKET, prefixTemplate: 'sites/{slug}/', objectAcls: 'enabled' });
  }, 600_000);
  afterAll(() => {
    if (stage) rmSync(stage.stack.outDir, { recursive: true, force: true });
  });

  it('creates no bucket and never touches the named one\'s policy', () => {
    expect(ofType(stage, 'AWS::S3::Bucket').map(([id]) => id)).toEqual(['ServerlessDeploymentBucket']);
    expect(ofType(stage, 'AWS::S3::BucketPolicy').map(([id]) => id)).toEqual(['ServerlessDeploymentBucketPolicy']);
  });

  it('keeps the prefix policy and boundary for the named bucket, so the prefix tenants it has keep their access', () => {
    expect(stage.resolve(stage.template.Resources.TenantPrefixPolicy?.Properties.PolicyDocument)).toEqual(prefixTenantPolicy({ sharedBucket: NAMED_BUCKET, objectAcls: true }));
    expect(stage.resolve(stage.template.Resources.TenantBoundaryPolicy?.Properties.PolicyDocument)).toEqual(tenantBoundaryPolicy({ sharedBucket: NAMED_BUCKET, objectAcls: true }));
    expect(stage.template.Outputs).toMatchObject({ SharedBucketName: { Value: NAMED_BUCKET }, TenantPrefixPolicyArn: { Value: { Ref: 'TenantPrefixPolicy' } } });
  });

  it('gives the functions the named bucket while new tenants get buckets of their own', () => {
    for (const [id, variables] of environments(stage)) {
      expect({ id, ...variables }).toMatchObject({ id, TENANCY: 'bucket', SHARED_BUCKET: NAMED_BUCKET, PREFIX_TEMPLATE: 'sites/{slug}/', OBJECT_ACLS: 'enabled', TENANT_PREFIX_POLICY_ARN: { Ref: 'TenantPrefixPolicy' } });
    }
    expect(coldStartConfig(stage)).toMatchObject({ tenancy: 'bucket', sharedBucket: NAMED_BUCKET, tenantPrefixPolicyArn: PREFIX_POLICY_ARN, prefixTemplate: 'sites/{slug}/', objectAcls: true });
  });

  it("reaches the named bucket's tenant prefixes by the stage's template only", () => {
    expect(rightsIn(stage, NAMED_BUCKET)).toEqual({
      ClaimTenantPrefixRole: [`s3:ListBucket on arn:aws:s3:::${NAMED_BUCKET}`, `s3:GetObjectTagging on arn:aws:s3:::${NAMED_BUCKET}/sites/*/`],
      DeleteTenantBucketRole: [
        `s3:ListBucketVersions on arn:aws:s3:::${NAMED_BUCKET}`,
        `s3:GetBucketVersioning on arn:aws:s3:::${NAMED_BUCKET}`,
        `s3:DeleteObject on arn:aws:s3:::${NAMED_BUCKET}/sites/*/*`,
        `s3:DeleteObjectVersion on arn:aws:s3:::${NAMED_BUCKET}/sites/*/*`,
        `s3:GetObjectRetention on arn:aws:s3:::${NAMED_BUCKET}/sites/*/*`,
        `s3:GetObjectLegalHold on arn:aws:s3:::${NAMED_BUCKET}/sites/*/*`,
      ],
    });
    expect(roleRuleViolations(stage.template, 'dev')).toEqual([]);
  });

  it('passes cfn-lint, but for the findings accepted on review (template-checks.ts)', () => {
    expect(unacceptedCfnLintFindings(stage.stack.templatePath)).toEqual({ errors: '', unaccepted: [] });
  });
});

describe('the prefix tenancy options, checked at packaging', () => {
  it.each([
    [{ tenancy: 'prefixes' }, /Stage parameter tenancy="prefixes" must be "bucket" or "prefix"/],
    [{ objectAcls: 'yes' }, /Stage parameter objectAcls="yes" must be "enabled" or "disabled"/],
    [{ tenancy: 'prefix', prefixTemplate: 'userdata/' }, /Stage parameter prefixTemplate="userdata\/" must contain \{slug\} exactly once/],
    [{ tenancy: 'prefix', prefixTemplate: 'userdata/{slug}' }, /Stage parameter prefixTemplate="userdata\/\{slug\}" gives the prefix "userdata\/a", which must end with "\/"/],
    [{ sharedBucket: 'Connect_Pozi' }, /Stage parameter sharedBucket="Connect_Pozi" must be lowercase letters/],
    [{ sharedBucket: 'fusion-rms-shared' }, /Stage parameter sharedBucket="fusion-rms-shared" must not start with "fusion-rms-"/],
    [{ objectAcls: 'enabled' }, /Stage parameter objectAcls="enabled" applies to prefix tenants only/],
    [{ tenancy: 'prefix', bucketPrefix: 'tenant' }, /would create a bucket named "tenant-provisioner-dev-sharedbucket-…", which starts with "tenant-"/],
  ])('refuses %j', (params, message) => {
    expect(() => packaged(params)).toThrow(message);
  }, 600_000);
});
