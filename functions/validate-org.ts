import { loadConfig, type Config } from './lib/config';
import { parseOrgCreatedDetail } from './lib/events';
import { lambdaHandler } from './lib/handler';
import { tenantRef } from './lib/tenant';
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
  return tenantRef(parseOrgCreatedDetail(input.event), input.execution, deps.config, 'OrgCreated');
}

const config = loadConfig();
export const handler = lambdaHandler((event: ValidateOrgInput) => validateOrg(event, { config }));
