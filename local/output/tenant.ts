/** What tenantctl and `npm run demo` print of a tenant once it is provisioned. */
import type { OrgProvisionedDetail } from '../../functions/lib/publish';
import type { TenantSecret } from '../../functions/lib/tenant-secret';

/**
 * The tenant a provisioning announced (its OrgProvisioned detail): its bucket, user, secret and
 * public URL under `Tenant`, then `more` in the same column (tenantctl adds how to get the handoff).
 */
export function tenantLines(detail: OrgProvisionedDetail, more: Record<string, string> = {}): string[] {
  const rows: [string, string][] = [
    ['bucket', `${detail.bucket.name} (${detail.bucket.region})`],
    ['user', detail.user.arn],
    ['secret', detail.credentials.secretName],
    ['public URL', detail.bucket.publicBaseUrl],
    ...Object.entries(more),
  ];
  return ['Tenant', ...rows.map(([label, value]) => `  ${label.padEnd(12)}${value}`)];
}

/**
 * The handoff configuration the POS server reads: the `[AWS]` section with `bucket=`, `key=` and
 * `secret=`. `shownSecret` is the secret access key, or its mask (maskSecretKey) when not revealed.
 */
export function handoffIniLines(secret: Pick<TenantSecret, 'bucket' | 'accessKeyId'>, shownSecret: string): string[] {
  return ['[AWS]', `bucket=${secret.bucket}`, `key=${secret.accessKeyId}`, `secret=${shownSecret}`];
}
