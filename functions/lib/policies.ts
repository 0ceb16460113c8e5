import { bucketArn } from './naming';
import { TAG_TENANT_BUCKET, TAG_TENANT_PREFIX } from './tags';

/**
 * The IAM policy documents of a tenant: where its access comes from (its bucket's policy in
 * bucket tenancy, the one managed policy of all prefix tenants in prefix tenancy) and the
 * permissions boundary every tenant user carries (which caps that access).
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
  Condition?: Record<string, Record<string, string | string[]>>;
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
 *
 * The user is named by a condition on `aws:PrincipalArn`, not as the statements' Principal: S3
 * resolves a Principal ARN to the user's unique id when the policy is put, so it refuses the
 * policy ("Invalid principal") until IAM has propagated a new user, and a recreated user of the
 * same name would need the policy put again. A condition is only compared when a request comes,
 * so the policy can be put at once, even before the user exists, and holds for whichever user
 * has that ARN. A fixed `aws:PrincipalArn` keeps the statements non-public for Block Public
 * Access ("The meaning of public", S3 User Guide), so RestrictPublicBuckets leaves them working.
 * test/security/iam-policies.test.ts proves it with iam-simulate: the user gets exactly these
 * rights, with its boundary and with RestrictPublicBuckets on; any other principal (of the
 * account, of another account, of another stage's path) and anonymous get nothing beyond `pub/*`.
 */
export function tenantBucketPolicy({ bucket, userArn, tlsOnly }: TenantBucketPolicyOptions): PolicyDocument {
  const bucketResource = bucketArn(bucket);
  const onlyTheUser = { ArnEquals: { 'aws:PrincipalArn': userArn } };
  const statements: PolicyStatement[] = [
    { Sid: 'PublicReadPub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${bucketResource}/pub/*` },
    { Sid: 'TenantUserObjects', Effect: 'Allow', Principal: '*', Action: [...TENANT_OBJECT_ACTIONS], Resource: `${bucketResource}/*`, Condition: onlyTheUser },
    { Sid: 'TenantUserList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: bucketResource, Condition: onlyTheUser },
  ];
  if (tlsOnly) statements.push(tlsOnlyStatement(bucketResource));
  return { Version: '2012-10-17', Statement: statements };
}

/** Denies every request to the bucket (ARN `bucketResource`) and its objects that does not use TLS. */
export function tlsOnlyStatement(bucketResource: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketResource, `${bucketResource}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** `${aws:PrincipalTag/<key>}`: the value of the requesting user's tag `key`, an IAM policy variable. */
const principalTag = (key: string): string => `\${aws:PrincipalTag/${key}}`;

export interface TenantBoundaryPolicyOptions {
  /** The stage's shared bucket, when the stage has prefix tenants (`tenancy: prefix`). */
  sharedBucket?: string;
  /** With `sharedBucket`: the stage lets prefix tenants set canned ACLs (as {@link prefixTenantPolicy}). */
  objectAcls?: boolean;
}

/**
 * The permissions boundary of every tenant user: at most object actions and ListBucket on the
 * bucket its own `TenantBucket` tag names (`${aws:PrincipalTag/TenantBucket}`, an IAM policy
 * variable), so a tenant stays in its bucket even if someone attaches a broad policy such as
 * AmazonS3FullAccess to its user. A user without the tag is allowed nothing. A boundary grants
 * nothing by itself; the bucket policy grants. The pipeline sets the tag only when it creates
 * the user and may not change it afterwards (deploy/roles.js), and a tenant user may not tag.
 *
 * With `sharedBucket` (a stage with prefix tenants), a user whose `TenantBucket` is the shared
 * bucket gets no whole-bucket statement; it is capped at its own prefix of it, as
 * {@link prefixTenantPolicy} grants: objects under its `TenantPrefix`, ListBucket only with an
 * `s3:prefix` under it. A bucket tenant (whose TenantBucket is its own bucket, never the shared
 * one) keeps exactly the rights the boundary without `sharedBucket` gives it: the prefix
 * statements each require its TenantBucket tag to name the shared bucket.
 */
export function tenantBoundaryPolicy({ sharedBucket, objectAcls = false }: TenantBoundaryPolicyOptions = {}): PolicyDocument {
  const ownBucket = bucketArn(principalTag(TAG_TENANT_BUCKET));
  const bucketStatements: PolicyStatement[] = [
    { Sid: 'TenantObjects', Effect: 'Allow', Action: [...TENANT_OBJECT_ACTIONS], Resource: `${ownBucket}/*` },
    { Sid: 'TenantList', Effect: 'Allow', Action: 's3:ListBucket', Resource: ownBucket },
  ];
  if (sharedBucket === undefined) return { Version: '2012-10-17', Statement: bucketStatements };
  const notTheSharedBucket = { StringNotEquals: { [`aws:PrincipalTag/${TAG_TENANT_BUCKET}`]: sharedBucket } };
  const theSharedBucket = { StringEquals: { [`aws:PrincipalTag/${TAG_TENANT_BUCKET}`]: sharedBucket } };
  return {
    Version: '2012-10-17',
    Statement: [...bucketStatements.map((s) => ({ ...s, Condition: notTheSharedBucket })), ...prefixTenantStatements(ownBucket, objectAcls, theSharedBucket)],
  };
}

// --- Prefix tenancy: one shared bucket per stage, a prefix of it per tenant. ----------------

/**
 * The shape IAM itself requires of a TenantPrefix tag before a prefix statement applies: a
 * character, then anything, ending in `/`. So a user without the tag, tagged `userdata/acme`
 * (which would reach `userdata/acme-2/…`) or with an empty tag (which could make `${…}*` read `*`,
 * the whole bucket) is granted nothing, whatever the code that tagged it checked.
 */
const TENANT_PREFIX_TAG_SHAPE = { [`aws:PrincipalTag/${TAG_TENANT_PREFIX}`]: '?*/' };

/**
 * The canned ACLs a prefix tenant may give its own objects when the stage enables object ACLs:
 * private, readable by anyone (`public-read`, what a publisher such as Pozi's sets), or the
 * bucket owner's. Never `authenticated-read` (every AWS account), `public-read-write` or
 * `aws-exec-read`, and never a grant list (`x-amz-grant-*` headers, or an ACL in the body).
 */
export const TENANT_CANNED_ACLS = ['private', 'public-read', 'bucket-owner-read', 'bucket-owner-full-control'];

/** The `x-amz-grant-*` headers: an ACL as a list of grantees, any AWS account among them. */
const GRANT_HEADER_KEYS = ['s3:x-amz-grant-read', 's3:x-amz-grant-write', 's3:x-amz-grant-read-acp', 's3:x-amz-grant-write-acp', 's3:x-amz-grant-full-control'];

/**
 * Objects under the user's own TenantPrefix of `bucket`, and ListBucket on it only with an
 * `s3:prefix` under that prefix: not the root (no `s3:prefix`, or `""`), not a parent, not the
 * prefix without its `/`. `s3:delimiter` stays free: it only groups the keys of a listing, and all
 * of them start with its `s3:prefix`.
 *
 * An upload may carry no ACL but `bucket-owner-full-control` and never a grant list, whatever the
 * shared bucket's own ACL setting is (a bucket named as existing may accept ACLs): a tenant can
 * never make an object public or grant another AWS account anything. With `objectAcls` (a stage
 * whose shared bucket accepts ACLs): also GetObjectAcl, and uploads and PutObjectAcl with a
 * canned ACL of {@link TENANT_CANNED_ACLS} (an ACL change must name one), so a tenant can make
 * its own objects public-read, still never grant another account anything.
 *
 * `extra` conditions every statement (the boundary keeps them to the shared bucket).
 */
function prefixTenantStatements(bucket: string, objectAcls = false, extra: Record<string, Record<string, string>> = {}): PolicyStatement[] {
  const ownPrefix = principalTag(TAG_TENANT_PREFIX);
  const ownObjects = `${bucket}/${ownPrefix}*`;
  // Every statement's own condition blocks joined, operator by operator, with the tag shape and `extra`.
  const conditions = (more: Record<string, Record<string, string | string[]>> = {}): PolicyStatement['Condition'] => {
    const joined: Record<string, Record<string, string | string[]>> = {};
    for (const blocks of [extra, more, { StringLike: TENANT_PREFIX_TAG_SHAPE }]) {
      for (const [operator, keys] of Object.entries(blocks)) joined[operator] = { ...joined[operator], ...keys };
    }
    return joined;
  };
  const noGrantList = Object.fromEntries(GRANT_HEADER_KEYS.map((key) => [key, 'true']));
  const cannedAcls = objectAcls ? [...TENANT_CANNED_ACLS] : ['bucket-owner-full-control'];
  const statements: PolicyStatement[] = [
    { Sid: 'PrefixTenantObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject', ...(objectAcls ? ['s3:GetObjectAcl'] : [])], Resource: ownObjects, Condition: conditions() },
    {
      Sid: 'PrefixTenantUploads',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: ownObjects,
      Condition: conditions({ StringEqualsIfExists: { 's3:x-amz-acl': cannedAcls }, Null: noGrantList }),
    },
  ];
  if (objectAcls) {
    statements.push({
      Sid: 'PrefixTenantCannedAcls',
      Effect: 'Allow',
      Action: 's3:PutObjectAcl',
      Resource: ownObjects,
      Condition: conditions({ StringEquals: { 's3:x-amz-acl': cannedAcls }, Null: noGrantList }),
    });
  }
  statements.push({ Sid: 'PrefixTenantList', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: conditions({ StringLike: { 's3:prefix': `${ownPrefix}*` } }) });
  return statements;
}

export interface PrefixTenantPolicyOptions {
  /** The stage's shared bucket, in which every prefix tenant has its prefix. */
  sharedBucket: string;
  /** Whether the stage lets prefix tenants set canned ACLs on their own objects (`objectAcls: enabled`). */
  objectAcls?: boolean;
}

/**
 * The one managed policy attached to every prefix tenant's user: read, write and delete objects
 * under its own prefix of the stage's shared bucket, and list the bucket only under that prefix.
 * It names no tenant (the prefix is the user's own TenantPrefix tag, read through a policy
 * variable), so one document serves every prefix tenant of the stage and its size never grows
 * with their number. A user without the tag, or with one not ending in `/`, is granted nothing.
 * The boundary ({@link tenantBoundaryPolicy} with the same `sharedBucket`) caps it the same way.
 */
export function prefixTenantPolicy({ sharedBucket, objectAcls = false }: PrefixTenantPolicyOptions): PolicyDocument {
  return { Version: '2012-10-17', Statement: prefixTenantStatements(bucketArn(sharedBucket), objectAcls) };
}
