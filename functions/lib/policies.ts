import { bucketArn } from './naming';
import { TAG_TENANT_BUCKET } from './tags';

/**
 * The IAM policy documents of a tenant: its bucket policy (where its access comes from)
 * and the permissions boundary every tenant user carries (which caps that access).
 * Pure functions, shared by the Lambdas, serverless.yml (via deploy/policies.js) and the
 * policy-evaluation tests.
 */

export type PolicyPrincipal = '*' | { AWS: string };

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PolicyPrincipal;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The object actions a tenant user has on its bucket's objects. */
export const TENANT_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];

export interface TenantBucketPolicyOptions {
  bucket: string;
  /** ARN of the tenant's IAM user. */
  userArn: string;
  /** Deny every request that does not use TLS (off only where the endpoint is plain HTTP). */
  tlsOnly: boolean;
}

/**
 * The tenant bucket's policy: anyone may read `pub/*`; the tenant user may read, write and
 * delete objects and list the bucket; with `tlsOnly`, plain-HTTP requests are denied.
 */
export function tenantBucketPolicy({ bucket, userArn, tlsOnly }: TenantBucketPolicyOptions): PolicyDocument {
  const bucketResource = bucketArn(bucket);
  const statements: PolicyStatement[] = [
    { Sid: 'PublicReadPub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${bucketResource}/pub/*` },
    { Sid: 'TenantUserObjects', Effect: 'Allow', Principal: { AWS: userArn }, Action: [...TENANT_OBJECT_ACTIONS], Resource: `${bucketResource}/*` },
    { Sid: 'TenantUserList', Effect: 'Allow', Principal: { AWS: userArn }, Action: 's3:ListBucket', Resource: bucketResource },
  ];
  if (tlsOnly) {
    statements.push({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketResource, `${bucketResource}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The permissions boundary of every tenant user: at most object actions and ListBucket on the
 * bucket its own `TenantBucket` tag names (`${aws:PrincipalTag/TenantBucket}`, an IAM policy
 * variable), so a tenant stays in its bucket even if someone attaches a broad policy such as
 * AmazonS3FullAccess to its user. A user without the tag is allowed nothing. A boundary grants
 * nothing by itself; the bucket policy grants. The pipeline sets the tag only when it creates
 * the user and may not change it afterwards (deploy/roles.js), and a tenant user may not tag.
 */
export function tenantBoundaryPolicy(): PolicyDocument {
  const ownBucket = bucketArn(`\${aws:PrincipalTag/${TAG_TENANT_BUCKET}}`);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TenantObjects', Effect: 'Allow', Action: [...TENANT_OBJECT_ACTIONS], Resource: `${ownBucket}/*` },
      { Sid: 'TenantList', Effect: 'Allow', Action: 's3:ListBucket', Resource: ownBucket },
    ],
  };
}
