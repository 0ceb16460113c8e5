import type { Tag as S3Tag } from '@aws-sdk/client-s3';
import { MANAGED_BY } from './config';

/** The tags every tenant resource carries. `OrgId` feeds AWS cost allocation. */
export const TAG_ORG_ID = 'OrgId';
export const TAG_MANAGED_BY = 'ManagedBy';
export const TAG_PROVISIONED_BY = 'ProvisionedBy';
/** On the tenant's IAM user: the name of its bucket (which may be a fallback name), for teardown. */
export const TAG_TENANT_BUCKET = 'TenantBucket';
/**
 * On a prefix tenant's IAM user: its prefix of the stage's shared bucket (`userdata/acme-publisher/`,
 * always ending in `/`), which its TenantBucket tag names. The prefix tenants' shared policy and the
 * permissions boundary read both through policy variables (functions/lib/policies.ts).
 */
export const TAG_TENANT_PREFIX = 'TenantPrefix';

export type TagList = { Key?: string; Value?: string }[];

export function tenantTags(orgId: string, provisionedBy: string): S3Tag[] {
  return [
    { Key: TAG_ORG_ID, Value: orgId },
    { Key: TAG_MANAGED_BY, Value: MANAGED_BY },
    { Key: TAG_PROVISIONED_BY, Value: provisionedBy },
  ];
}

export function tagsToRecord(tags: TagList | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

/** Whether a resource with these tags belongs to this org's tenant (managed by us, same OrgId). */
export function isTenantResource(tags: TagList | undefined, orgId: string): boolean {
  const record = tagsToRecord(tags);
  return record[TAG_MANAGED_BY] === MANAGED_BY && record[TAG_ORG_ID] === orgId;
}

/** Whether this org's resource was created by the execution named `executionName`. */
export function isCreatedBy(tags: TagList | undefined, orgId: string, executionName: string): boolean {
  return isTenantResource(tags, orgId) && tagsToRecord(tags)[TAG_PROVISIONED_BY] === executionName;
}

/** A one-line description of who owns a resource, for error messages. */
export function describeOwner(tags: TagList | undefined): string {
  const record = tagsToRecord(tags);
  if (record[TAG_MANAGED_BY] !== MANAGED_BY) return 'it is not managed by tenant-provisioner';
  return `it belongs to OrgId ${JSON.stringify(record[TAG_ORG_ID] ?? '')}`;
}
