import { describeOwner, isCreatedBy, isTenantResource, tagsToRecord, TAG_PROVISIONED_BY, type TagList } from './tags';
import type { DeletionScope, TenantRef } from './types';

/**
 * Why a deletion step must leave a resource with these tags alone, or undefined when it may
 * delete it. Scope `tenant` (teardown) may delete what is tagged for the org; scope
 * `execution` (rollback) only what the execution `tenant.provisionedBy` created.
 */
export function deletionBlocker(scope: DeletionScope, tags: TagList | undefined, tenant: TenantRef): string | undefined {
  if (!isTenantResource(tags, tenant.orgId)) return describeOwner(tags);
  if (scope === 'tenant' || isCreatedBy(tags, tenant.orgId, tenant.provisionedBy)) return undefined;
  return `it was provisioned by ${JSON.stringify(tagsToRecord(tags)[TAG_PROVISIONED_BY] ?? '')}, not by this execution`;
}
