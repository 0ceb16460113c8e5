import type { Config } from './lib/config';
import { parseOrgCreatedDetail } from './lib/events';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { splitLedgerRun, splitPrefixTenancy, tenantRef } from './lib/tenant';
import type { ExecutionRef, TenantRef } from './lib/types';

export interface ValidateOrgInput {
  /** The execution input: an OrgCreated detail, and the ledger's `generation` and `runId`. */
  event: unknown;
  execution: ExecutionRef;
}

/**
 * Checks the execution input against the OrgCreated schema and derives every name of the
 * tenant (bucket candidates, IAM user, secret); the ledger's run id becomes the `ProvisionedBy`
 * of everything this run creates. A prefix tenant's input also carries its shared bucket and
 * prefix (the ledger decided them when the generation started), checked here. Pure: no AWS call, so always safe to repeat.
 * @throws InvalidOrgIdError when the orgId is missing or malformed.
 * @throws InvalidEventError when another field (or the run) is wrong or the region is not allowed.
 * @throws InvalidTenantPrefixError when a prefix tenant's prefix could not keep it to itself.
 */
export async function validateOrg(input: ValidateOrgInput, deps: { config: Config }): Promise<TenantRef> {
  const raw = input.event;
  // A non-object input gets the schema's own message ("detail must be a JSON object").
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) parseOrgCreatedDetail(raw);
  const { run, rest: detailAndTenancy } = splitLedgerRun(raw as Record<string, unknown>, 'provision-tenant');
  const { shared, rest } = splitPrefixTenancy(detailAndTenancy, 'provision-tenant');
  return tenantRef(parseOrgCreatedDetail(rest), input.execution, deps.config, 'OrgCreated', run, shared);
}

/** The Lambda handler over its dependencies: functions/lambda/validate-org.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function validateOrgHandler(deps: Parameters<typeof validateOrg>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: ValidateOrgInput) => validateOrg(event, deps));
}
