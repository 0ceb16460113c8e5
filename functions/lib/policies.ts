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

/** `${aws:PrincipalTag/<key>}`: the value of the requesting user's tag `key`, an IAM policy variable. */
const principalTag = (key: string): string => `\${aws:PrincipalTag/${key}}`;

export interface TenantBoundaryPolicyOptions {
  /** The stage's shared bucket, when the stage has prefix tenants (`tenancy: prefix`). */
  sharedBucket?: string;
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
 * statements only ever reach inside the bucket its own tag names.
 */
export function tenantBoundaryPolicy({ sharedBucket }: TenantBoundaryPolicyOptions = {}): PolicyDocument {
  const ownBucket = bucketArn(principalTag(TAG_TENANT_BUCKET));
  const bucketStatements: PolicyStatement[] = [
    { Sid: 'TenantObjects', Effect: 'Allow', Action: [...TENANT_OBJECT_ACTIONS], Resource: `${ownBucket}/*` },
    { Sid: 'TenantList', Effect: 'Allow', Action: 's3:ListBucket', Resource: ownBucket },
  ];
  if (sharedBucket === undefined) return { Version: '2012-10-17', Statement: bucketStatements };
  const notTheSharedBucket = { StringNotEquals: { [`aws:PrincipalTag/${TAG_TENANT_BUCKET}`]: sharedBucket } };
  return {
    Version: '2012-10-17',
    Statement: [...bucketStatements.map((s) => ({ ...s, Condition: notTheSharedBucket })), ...prefixTenantStatements(ownBucket)],
  };
}

// --- Prefix tenancy: one shared bucket per stage, a prefix of it per tenant. ----------------

/** The longest tenant prefix: the TenantPrefix tag holds it, and an IAM tag value holds at most 256 characters. */
export const TENANT_PREFIX_MAX_LENGTH = 256;

/**
 * The shape IAM itself requires of a TenantPrefix tag before a prefix statement applies: a
 * character, then anything, ending in `/`. So a user without the tag, tagged `userdata/acme`
 * (which would reach `userdata/acme-2/…`) or with an empty tag (which could make `${…}*` read `*`,
 * the whole bucket) is granted nothing, whatever the code that tagged it checked.
 */
const TENANT_PREFIX_TAG_SHAPE = { [`aws:PrincipalTag/${TAG_TENANT_PREFIX}`]: '?*/' };

/**
 * Objects under the user's own TenantPrefix of `bucket`, and ListBucket on it only with an
 * `s3:prefix` under that prefix: not the root (no `s3:prefix`, or `""`), not a parent, not the
 * prefix without its `/`. `s3:delimiter` stays free: it only groups the keys of a listing, and all
 * of them start with its `s3:prefix`.
 */
function prefixTenantStatements(bucket: string): PolicyStatement[] {
  const ownPrefix = principalTag(TAG_TENANT_PREFIX);
  return [
    { Sid: 'PrefixTenantObjects', Effect: 'Allow', Action: [...TENANT_OBJECT_ACTIONS], Resource: `${bucket}/${ownPrefix}*`, Condition: { StringLike: TENANT_PREFIX_TAG_SHAPE } },
    { Sid: 'PrefixTenantList', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': `${ownPrefix}*`, ...TENANT_PREFIX_TAG_SHAPE } } },
  ];
}

export interface PrefixTenantPolicyOptions {
  /** The stage's shared bucket, in which every prefix tenant has its prefix. */
  sharedBucket: string;
}

/**
 * The one managed policy attached to every prefix tenant's user: read, write and delete objects
 * under its own prefix of the stage's shared bucket, and list the bucket only under that prefix.
 * It names no tenant (the prefix is the user's own TenantPrefix tag, read through a policy
 * variable), so one document serves every prefix tenant of the stage and its size never grows
 * with their number. A user without the tag, or with one not ending in `/`, is granted nothing.
 * The boundary ({@link tenantBoundaryPolicy} with the same `sharedBucket`) caps it the same way.
 */
export function prefixTenantPolicy({ sharedBucket }: PrefixTenantPolicyOptions): PolicyDocument {
  return { Version: '2012-10-17', Statement: prefixTenantStatements(bucketArn(sharedBucket)) };
}

/** A tenant prefix that cannot be a TenantPrefix tag or would not keep its tenant to itself. */
export class InvalidTenantPrefixError extends Error {
  override readonly name = 'InvalidTenantPrefixError';
}

/** Characters both S3 lists as safe in object keys and IAM takes in a tag value: letters, digits, `-`, `_`, `.`, `/`. */
const TENANT_PREFIX_CHARACTER = /^[A-Za-z0-9._/-]$/;

/** Why `prefix` cannot be a tenant's prefix of the shared bucket, or undefined when it can. */
export function tenantPrefixViolation(prefix: string): string | undefined {
  if (prefix.length === 0) return 'is empty (the tenant would reach the whole bucket)';
  if (prefix.startsWith('/')) return 'must not start with "/" (S3 keys have no leading slash: "/a/" is not the prefix "a/")';
  if (!prefix.endsWith('/')) return `must end with "/" (without it the tenant would also reach "${prefix}-2/…" and every other key that starts with it)`;
  const wildcard = [...prefix].find((c) => c === '*' || c === '?');
  if (wildcard) return `must not contain "${wildcard}" (a wildcard in the policy's object ARN and s3:prefix condition)`;
  const variable = [...prefix].find((c) => c === '$' || c === '{' || c === '}');
  if (variable) return `must not contain "${variable}" (IAM reads "\${…}" as a policy variable)`;
  const other = [...prefix].find((c) => !TENANT_PREFIX_CHARACTER.test(c));
  if (other) return `must not contain ${JSON.stringify(other)}: only letters, digits, "-", "_", "." and "/" (safe in S3 keys and allowed in IAM tag values)`;
  if (prefix.includes('//')) return 'must not contain an empty segment ("//")';
  const dots = prefix.split('/').find((segment) => segment === '.' || segment === '..');
  if (dots !== undefined) return `must not contain a "${dots}" segment (a client that normalises paths would leave the prefix)`;
  if (prefix.length > TENANT_PREFIX_MAX_LENGTH) return `is ${prefix.length} characters long, more than ${TENANT_PREFIX_MAX_LENGTH} (what an IAM tag value holds)`;
  return undefined;
}

/**
 * Returns `prefix` if it can be a tenant's prefix of the shared bucket (its TenantPrefix tag):
 * no leading `/`, ending in `/`, only letters, digits, `-`, `_`, `.` and `/`, no empty, `.` or `..`
 * segment, at most 256 characters. Throws InvalidTenantPrefixError naming what is wrong otherwise.
 */
export function assertTenantPrefix(prefix: string): string {
  const violation = tenantPrefixViolation(prefix);
  if (violation) throw new InvalidTenantPrefixError(`Tenant prefix ${JSON.stringify(prefix)} ${violation}`);
  return prefix;
}
