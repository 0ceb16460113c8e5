import type { ExecutionEvent, ExecutionRecord } from '../../functions/lib/executions';
import { tenantNames } from '../../functions/lib/naming';
import type { OrgProvisionedDetail } from '../../functions/lib/publish';
import type { TenantRef } from '../../functions/lib/types';
import type { Backend } from '../backend';

/** Where a tenant's resources are, as its executions recorded them (or as the naming rules derive them). */
export interface TenantLocation {
  orgId: string;
  region: string;
  userName: string;
  secretName: string;
  /** Bucket names to look at, most likely first: the ones the executions used, then the candidates. */
  bucketNames: string[];
}

const objectAt = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value);

function isTenantRef(value: unknown): value is TenantRef {
  const ref = value as Partial<TenantRef> | undefined;
  return typeof ref?.userName === 'string' && typeof ref.secretName === 'string' && typeof ref.region === 'string' && Array.isArray(ref.bucketCandidates);
}

/** The OrgProvisioned detail a succeeded provisioning published (`output.published.detail`). */
export function provisionedDetail(record: ExecutionRecord | undefined): OrgProvisionedDetail | undefined {
  const detail = objectAt(record?.output, 'published', 'detail') as OrgProvisionedDetail | undefined;
  return typeof detail?.bucket?.name === 'string' && typeof detail.credentials?.secretName === 'string' ? detail : undefined;
}

/** What an execution's history says about the tenant: ValidateOrg's/PrepareTeardown's TenantRef and the bucket it used. */
export function tenantFacts(history: ExecutionEvent[] | undefined): { tenant?: TenantRef; buckets: string[] } {
  let tenant: TenantRef | undefined;
  const buckets: string[] = [];
  for (const event of history ?? []) {
    if (event.type !== 'StateExited') continue;
    const ref = objectAt(event.output, 'tenant') ?? objectAt(event.output, 'teardown', 'tenant');
    if (isTenantRef(ref)) tenant = ref;
    for (const bucket of [objectAt(event.output, 'bucket', 'name'), objectAt(event.output, 'revoked', 'bucketName')]) {
      if (typeof bucket === 'string' && bucket && !buckets.includes(bucket)) buckets.push(bucket);
    }
  }
  return { ...(tenant ? { tenant } : {}), buckets };
}

/**
 * The tenant's names: from the newest execution facts that carry them, else derived with
 * the stage's naming rules (the stack's region, default prefixes).
 */
export function tenantLocation(orgId: string, backend: Pick<Backend, 'region' | 'accountId' | 'naming'>, facts: { tenant?: TenantRef; buckets: string[] }[], region?: string): TenantLocation {
  const tenant = [...facts].reverse().find((fact) => fact.tenant)?.tenant;
  const knownBuckets = facts.flatMap((fact) => fact.buckets).reverse();
  const derived = tenantNames(orgId, tenant?.region ?? region ?? backend.region, { ...backend.naming, accountId: backend.accountId });
  const candidates = tenant?.bucketCandidates ?? derived.bucketCandidates;
  return {
    orgId,
    region: tenant?.region ?? region ?? backend.region,
    userName: tenant?.userName ?? derived.userName,
    secretName: tenant?.secretName ?? derived.secretName,
    bucketNames: [...new Set([...knownBuckets, ...candidates])],
  };
}
