import { loadConfig, type Config } from './lib/config';
import { parseOrgCreatedDetail } from './lib/events';
import { lambdaHandler } from './lib/handler';
import { splitLedgerRun, tenantRef } from './lib/tenant';
import type { ExecutionRef, TenantRef } from './lib/types';

export interface ValidateOrgInput {
  /** The execution input: an OrgCreated detail, and the ledger's `generation` and `runId`. */
  event: unknown;
  execution: ExecutionRef;
}

/**
 * Checks the execution input against the OrgCreated schema and derives every name of the
 * tenant (bucket candidates, IAM user, secret); the ledger's run id becomes the `ProvisionedBy`
 * of everything this run creates. Pure: no AWS call, so always safe to repeat.
 * @throws InvalidOrgIdError when the orgId is missing or malformed.
 * @throws InvalidEventError when another field (or the run) is wrong or the region is not allowed.
 */
export async function validateOrg(input: ValidateOrgInput, deps: { config: Config }): Promise<TenantRef> {
  const raw = input.event;
  // A non-object input gets the schema's own message ("detail must be a JSON object").
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) parseOrgCreatedDetail(raw);
  const { run, rest } = splitLedgerRun(raw as Record<string, unknown>, 'provision-tenant');
  return tenantRef(parseOrgCreatedDetail(rest), input.execution, deps.config, 'OrgCreated', run);
}

const config = loadConfig();
export const handler = lambdaHandler((event: ValidateOrgInput) => validateOrg(event, { config }));
