/** What tenantctl and `npm run demo` print of a tenant once it is provisioned. */
import type { OrgProvisionedDetail } from '../../functions/lib/publish';
import type { TenantSecret } from '../../functions/lib/tenant-secret';

/**
 * The bucket facts of a prefix tenant's OrgProvisioned detail, read defensively: `prefix` and
 * `baseUrl` are there only for a tenant in a folder of the shared bucket, and `publicBaseUrl`
 * only where its objects can be public.
 */
interface AnnouncedBucket {
  name: string;
  region: string;
  prefix?: unknown;
  baseUrl?: unknown;
  publicBaseUrl?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/**
 * The tenant a provisioning announced (its OrgProvisioned detail): its bucket, user, secret and
 * public URL under `Tenant`, then `more` in the same column (tenantctl adds how to get the handoff).
 * A prefix tenant shows its prefix and base URL instead of a public URL (and the public URL too
 * only when it announced one that differs, i.e. its stage lets objects be public).
 */
export function tenantLines(detail: OrgProvisionedDetail, more: Record<string, string> = {}): string[] {
  const bucket: AnnouncedBucket = detail.bucket;
  const prefix = text(bucket.prefix);
  const publicUrl = text(bucket.publicBaseUrl);
  const baseUrl = text(bucket.baseUrl);
  const where: [string, string][] =
    prefix === undefined
      ? [['public URL', publicUrl ?? '']]
      : [
          ['base URL', baseUrl ?? ''],
          ...(publicUrl !== undefined && publicUrl !== baseUrl ? [['public URL', publicUrl] as [string, string]] : []),
        ];
  const rows: [string, string][] = [
    ['bucket', `${bucket.name} (${bucket.region})`],
    ...(prefix === undefined ? [] : [['prefix', prefix] as [string, string]]),
    ['user', detail.user.arn],
    ['secret', detail.credentials.secretName],
    ...where,
    ...Object.entries(more),
  ];
  return ['Tenant', ...rows.map(([label, value]) => `  ${label.padEnd(12)}${value}`)];
}

/**
 * The handoff configuration the POS server reads: the `[AWS]` section with `bucket=`, `key=` and
 * `secret=`. `shownSecret` is the secret access key, or its mask (maskSecretKey) when not revealed.
 * A prefix tenant's section adds `prefix=` after its (shared) bucket: it may reach nothing outside it.
 */
export function handoffIniLines(secret: Pick<TenantSecret, 'bucket' | 'prefix' | 'accessKeyId'>, shownSecret: string): string[] {
  return ['[AWS]', `bucket=${secret.bucket}`, ...(secret.prefix === undefined ? [] : [`prefix=${secret.prefix}`]), `key=${secret.accessKeyId}`, `secret=${shownSecret}`];
}

/**
 * The `[AWS]` block of Pozi's on-site config: `bucket=<bucket>/<prefix without its trailing slash>`
 * for a prefix tenant, and the bucket alone for a bucket tenant (the whole bucket is its own).
 * `shownSecret` is the secret access key or its mask.
 */
export function poziLines(secret: Pick<TenantSecret, 'bucket' | 'prefix' | 'accessKeyId'>, shownSecret: string): string[] {
  const folder = secret.prefix?.replace(/\/+$/, '');
  return ['[AWS]', `bucket=${folder ? `${secret.bucket}/${folder}` : secret.bucket}`, `key=${secret.accessKeyId}`, `secret=${shownSecret}`];
}

/**
 * The fields legacy Pozi Data Sync asks for, one `name=value` a line: `sitename` (the tenant's
 * slug, lower case), `username` (the access key id) and `password` (`shownSecret`: the secret
 * access key or its mask).
 */
export function poziSyncLines(sitename: string, secret: Pick<TenantSecret, 'accessKeyId'>, shownSecret: string): string[] {
  return [`sitename=${sitename.toLowerCase()}`, `username=${secret.accessKeyId}`, `password=${shownSecret}`];
}
