/**
 * The rules of the names this product gives S3 things: bucket names, and the prefixes of the
 * shared bucket that prefix tenants get. Dependency-free, so configuration, naming and the
 * policies can all check names with the same rules.
 */
import { InvalidTenantPrefixError } from './errors';

const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Why `name` breaks S3's general purpose bucket naming rules, or undefined when it is valid. */
export function bucketNameViolation(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3–63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'must be lowercase letters, digits, "." and "-", starting and ending with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent periods';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with the reserved prefix "${prefix}"`;
  const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `must not end with the reserved suffix "${suffix}"`;
  return undefined;
}

/** The longest tenant prefix: the TenantPrefix tag holds it, and an IAM tag value holds at most 256 characters. */
export const TENANT_PREFIX_MAX_LENGTH = 256;

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
