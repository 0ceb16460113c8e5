import { TenantRunSupersededError } from './lib/errors';
import { parseOrgCreatedDetail } from './lib/events';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { applyLifecycle, type LedgerDeps } from './lib/ledger/apply';
import type { WorkflowRequest } from './lib/ledger/lifecycle';
import type { TenantState } from './lib/ledger/model';
import { tenantSlug } from './lib/naming';
import { orgProvisionedDetail, type OrgProvisionedDetail, type ProvisionedTenant } from './lib/publish';
import type { ExecutionPort, Workflow } from './lib/executions';
import type { DeleteBucketResult, ProvisionState, RevocationResult, TeardownContinuation, TenantRef } from './lib/types';

/** The input of each ledger step of the state machines (`RecordTenant…` states). */
export type RecordTenantStateInput =
  /** The run's first ledger step (nothing written): `tenant` from ValidateOrg/PrepareTeardown, or the restore input's `orgId`/`runId`. */
  | { transition: 'confirm'; workflow: Workflow; tenant?: TenantRef; orgId?: string; runId?: string }
  | ({ transition: 'provisioned' } & ProvisionedTenant)
  | { transition: 'rolled-back'; state: ProvisionState }
  | { transition: 'revoked'; tenant: TenantRef; revoked: RevocationResult }
  | { transition: 'deletion-started' | 'restored' | 'kept-bucket-deleting' | 'kept-bucket-deleted'; tenant: TenantRef }
  /** `deletedBucket.kept`: the bucket was emptied and is kept; the ledger starts the teardown's last part, which deletes it then. */
  | { transition: 'deleted'; tenant: TenantRef; deletedBucket?: Pick<DeleteBucketResult, 'kept'> }
  /** The teardown's bucket-deletion loop came near the history limit: the ledger starts the next execution with `carried`. */
  | { transition: 'continued'; tenant: TenantRef; carried: Omit<TeardownContinuation, 'part' | 'previous'> };

export interface RecordTenantStateResult {
  /** False only for a rollback of an execution that never got a valid orgId (nothing to record). */
  recorded: boolean;
  state?: TenantState;
  generation?: number;
  /** `provisioned` and `restored`: the OrgProvisioned detail the ledger holds, which PublishOrgProvisioned/PublishOrgRestored emit. */
  provisioned?: OrgProvisionedDetail;
  /** `continued`: the execution the teardown goes on in (the old one ends once this is recorded). */
  continuedIn?: { executionName: string; executionArn: string };
}

/** The tenant and run a state document names, when its orgId is valid (the OrgCreated schema's rule) and it carries a run id. */
function ledgerRunOf(orgId: unknown, runId: unknown): { slug: string; runId: string } | undefined {
  if (typeof runId !== 'string') return undefined;
  try {
    return { slug: tenantSlug(parseOrgCreatedDetail({ orgId }).orgId), runId };
  } catch {
    return undefined;
  }
}

function requestOf(input: RecordTenantStateInput, now: Date): WorkflowRequest | undefined {
  if (input.transition === 'rolled-back') {
    const { state } = input;
    const run = ledgerRunOf(state.tenant?.orgId ?? state.orgId, state.tenant?.provisionedBy ?? state.runId);
    if (!run) return undefined;
    return { kind: 'rolled-back', ...run, error: state.error?.Error ?? 'UnknownError', by: `workflow ${state.tenant?.executionName ?? run.runId}` };
  }
  if (input.transition === 'confirm') {
    const run = ledgerRunOf(input.tenant?.orgId ?? input.orgId, input.tenant?.provisionedBy ?? input.runId);
    if (!run) return undefined;
    return { kind: 'confirm', ...run, workflow: input.workflow, by: `workflow ${input.tenant?.executionName ?? run.runId}` };
  }
  const { tenant } = input;
  const base = { slug: tenant.slug, runId: tenant.provisionedBy, by: `workflow ${tenant.executionName}` };
  switch (input.transition) {
    case 'provisioned': {
      const detail = orgProvisionedDetail(input, now);
      return {
        kind: 'provisioned',
        ...base,
        facts: { bucket: input.bucket.name, userArn: input.user.arn, secretArn: input.credentials.secretArn, publicBaseUrl: input.bucketConfig.publicBaseUrl, detail },
      };
    }
    case 'revoked':
      return { kind: 'revoked', ...base, keysDeactivated: input.revoked.keysDeactivated };
    case 'continued':
      return { kind: 'continued', ...base, carried: input.carried };
    case 'deleted':
      return { kind: 'deleted', ...base, ...(input.deletedBucket?.kept ? { kept: input.deletedBucket.kept } : {}) };
    default:
      return { kind: input.transition, ...base };
  }
}

/**
 * Records a workflow's progress in the tenant ledger. First, before a run changes anything, it
 * confirms that it is still the tenant's current run (a teardown or restore then stops the run it
 * superseded, again: the router's stop may have been lost). Then: provisioned → active (with the tenant's
 * bucket, user and secret, and the OrgProvisioned detail), rolled back, access revoked → retained
 * (until the retention ends), deletion begun → deleting, a teardown continued in a new execution
 * (which the ledger starts), deleted, restored → active. The run
 * presents its run id: the ledger accepts the step only while that run is the one the tenant
 * waits on (a parked run that was redriven included).
 *
 * @throws TenantRunSupersededError when the ledger has moved past this run (the ASL ends the run
 *   then, changing nothing more). SDK errors are rethrown (the ASL retries them).
 * Safe to repeat: a step already recorded for this run is answered from the ledger.
 */
export interface RecordTenantStateDeps extends LedgerDeps {
  /** A confirmed teardown or restore stops the run it superseded (StopExecution, idempotent); nothing here starts one. */
  executions: Pick<ExecutionPort, 'start' | 'stop' | 'executionArn'>;
}

export async function recordTenantState(input: RecordTenantStateInput, deps: RecordTenantStateDeps): Promise<RecordTenantStateResult> {
  const request = requestOf(input, (deps.now ?? (() => new Date()))());
  if (!request) {
    // A run the ledger did not start (no valid orgId or run id) cannot confirm it is current.
    if (input.transition === 'confirm') throw new TenantRunSupersededError('This run carries no tenant run id: the tenant ledger did not start it');
    deps.logger.info('Nothing to record: the execution never had a valid tenant', { transition: input.transition });
    return { recorded: false };
  }
  const result = await applyLifecycle(request, deps);
  if (result.action === 'superseded') {
    throw new TenantRunSupersededError(`Run ${request.runId} of tenant ${request.slug} cannot record ${request.kind}: ${result.reason ?? 'the ledger has moved on'}`);
  }
  deps.logger.info(`Recorded ${request.kind}`, { slug: request.slug, state: result.state, generation: result.generation });
  return {
    recorded: true,
    ...(result.state === undefined ? {} : { state: result.state }),
    ...(result.generation === undefined ? {} : { generation: result.generation }),
    ...(result.item?.provisioned && (request.kind === 'provisioned' || request.kind === 'restored') ? { provisioned: result.item.provisioned } : {}),
    ...(request.kind === 'continued' && result.item?.teardown ? { continuedIn: { executionName: result.item.teardown.name, executionArn: result.item.teardown.arn } } : {}),
  };
}

/** The Lambda handler over its dependencies: functions/lambda/record-tenant-state.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function recordTenantStateHandler(deps: Parameters<typeof recordTenantState>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: RecordTenantStateInput) => recordTenantState(event, deps));
}
