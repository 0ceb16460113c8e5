import type { ExecutionRecord } from '../../functions/lib/executions';
import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import { tenantNames } from '../../functions/lib/naming';
import { publishedDetail, type OrgProvisionedDetail } from '../../functions/lib/publish';
import type { Backend } from '../backend';

/** Where a tenant's resources are: as the ledger recorded them (or as the stage's naming rules derive them). */
export interface TenantLocation {
  orgId: string;
  region: string;
  userName: string;
  secretName: string;
  /** Bucket names to look at, most likely first: the one the ledger recorded, then the candidates. */
  bucketNames: string[];
  /** A prefix tenant: the shared bucket and its prefix of it, as the ledger recorded them (no bucket of its own to look for). */
  shared?: { bucket: string; prefix: string };
}

/** The OrgProvisioned detail a succeeded provisioning published. */
export function provisionedDetail(record: ExecutionRecord | undefined): OrgProvisionedDetail | undefined {
  const detail = publishedDetail<OrgProvisionedDetail>(record?.output);
  return typeof detail?.bucket?.name === 'string' && typeof detail.credentials?.secretName === 'string' ? detail : undefined;
}

/**
 * The tenant's names: the ledger item's (its region, user, secret and the bucket its provisioning
 * found), else derived with the stage's naming rules for an org the ledger does not know.
 */
export function tenantLocation(tenant: TenantLedgerItem | { orgId: string }, backend: Pick<Backend, 'config'>): TenantLocation {
  const item = 'slug' in tenant ? tenant : undefined;
  const region = item?.region ?? backend.config.allowedRegions[0] ?? backend.config.region;
  const derived = tenantNames(tenant.orgId, region, backend.config);
  return {
    orgId: tenant.orgId,
    region,
    userName: item?.resources.userName ?? derived.userName,
    secretName: item?.resources.secretName ?? derived.secretName,
    bucketNames: [...new Set([...(item?.resources.bucket ? [item.resources.bucket] : []), ...derived.bucketCandidates])],
    ...(item?.tenancy === 'prefix' && item.resources.bucket && item.resources.prefix ? { shared: { bucket: item.resources.bucket, prefix: item.resources.prefix } } : {}),
  };
}
