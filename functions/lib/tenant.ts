import type { Config } from './config';
import { InvalidEventError } from './errors';
import { tenantNames } from './naming';
import type { ExecutionRef, ProvisionInput, TenantRef } from './types';

/**
 * The provision-tenant input of a schema-checked OrgCreated detail: only the fields the
 * workflow knows, so a retried identical event gives an identical input (and StartExecution
 * treats it idempotently).
 */
export function provisionInputOf(detail: { orgId: string; orgName?: string; region?: string }): ProvisionInput {
  return {
    orgId: detail.orgId,
    ...(detail.orgName === undefined ? {} : { orgName: detail.orgName }),
    ...(detail.region === undefined ? {} : { region: detail.region }),
  };
}

/** @throws InvalidEventError for a region the stage does not allow. */
export function assertAllowedRegion(region: string, config: Pick<Config, 'allowedRegions'>, eventName: string): void {
  if (!config.allowedRegions.includes(region)) {
    throw new InvalidEventError(`Invalid ${eventName}: region ${JSON.stringify(region)} is not allowed: must be one of ${config.allowedRegions.join(', ')}`);
  }
}

/**
 * The tenant an OrgCreated/OrgDeleted detail (already schema-checked) refers to, with every
 * name derived from it, as the workflow execution `execution` sees it.
 * @throws InvalidEventError when the region is not one of the stage's allowed regions.
 */
export function tenantRef(
  detail: { orgId: string; orgName?: string; region?: string },
  execution: ExecutionRef,
  config: Config,
  eventName: 'OrgCreated' | 'OrgDeleted',
): TenantRef {
  const region = detail.region ?? config.allowedRegions[0] ?? config.region;
  assertAllowedRegion(region, config, eventName);
  const names = tenantNames(detail.orgId, region, config);
  return {
    orgId: detail.orgId,
    ...(detail.orgName === undefined ? {} : { orgName: detail.orgName }),
    slug: names.slug,
    region,
    provisionedBy: execution.name,
    startedAt: execution.startTime,
    bucketCandidates: names.bucketCandidates,
    userName: names.userName,
    userPath: names.userPath,
    secretName: names.secretName,
  };
}
