import { loadConfig, type Config } from './lib/config';
import { parseOrgCreatedDetail } from './lib/events';
import { lambdaHandler } from './lib/handler';
import { tenantNames } from './lib/naming';
import { InvalidEventError } from './lib/errors';
import type { ExecutionRef, TenantRef } from './lib/types';

export interface ValidateOrgInput {
  /** The execution input: an OrgCreated detail. */
  event: unknown;
  execution: ExecutionRef;
}

/**
 * Checks the execution input against the OrgCreated schema and derives every name of the
 * tenant (bucket candidates, IAM user, secret). Pure: no AWS call, so always safe to repeat.
 * @throws InvalidOrgIdError when the orgId is missing or malformed.
 * @throws InvalidEventError when another field is wrong or the region is not allowed.
 */
export async function validateOrg(input: ValidateOrgInput, deps: { config: Config }): Promise<TenantRef> {
  const { config } = deps;
  const detail = parseOrgCreatedDetail(input.event);
  const region = detail.region ?? config.allowedRegions[0] ?? config.region;
  if (!config.allowedRegions.includes(region)) {
    throw new InvalidEventError(
      `Invalid OrgCreated: region ${JSON.stringify(region)} is not allowed: must be one of ${config.allowedRegions.join(', ')}`,
    );
  }
  const names = tenantNames(detail.orgId, region, config);
  return {
    orgId: detail.orgId,
    ...(detail.orgName === undefined ? {} : { orgName: detail.orgName }),
    slug: names.slug,
    region,
    provisionedBy: input.execution.name,
    startedAt: input.execution.startTime,
    bucketCandidates: names.bucketCandidates,
    userName: names.userName,
    userPath: names.userPath,
    secretName: names.secretName,
  };
}

const config = loadConfig();
export const handler = lambdaHandler((event: ValidateOrgInput) => validateOrg(event, { config }));
