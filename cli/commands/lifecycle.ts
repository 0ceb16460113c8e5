import type { ExecutionRecord, Workflow } from '../../functions/lib/executions';
import { isFailed } from '../../functions/lib/executions';
import type { LifecycleResult } from '../../functions/lib/ledger/apply';
import { decide, type Decision, type LifecycleOutcome, type OrgCreatedRequest, type OrgDeletedRequest } from '../../functions/lib/ledger/lifecycle';
import type { TenantState } from '../../functions/lib/ledger/model';
import { tenantSlug } from '../../functions/lib/naming';
import type { Backend, OrgEventType } from '../backend';
import type { CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../errors';
import { followExecution, outcomeLine, type FollowResult } from '../follow';
import { formatTime, WORKFLOW_MACHINE } from '../output';
import { decisionContextOf } from '../tenant/ledger';
import { assessRedrive, type RedriveAssessment } from '../tenant/redrive-assessment';
import { tenantctlFor, tenantctlOf, withInvocation } from '../invocation';

const DEFAULT_DISCOVERY_TIMEOUT_MS = 90_000;

/** The rejections of bad input: exit 2, like any other bad usage. */
const BAD_INPUT_ERRORS = new Set(['InvalidOrgIdError', 'InvalidEventError']);

/** What the lifecycle rules decided (or the router did), as the commands report it. */
export interface Decided {
  outcome: LifecycleOutcome;
  workflow?: Workflow;
  executionName?: string;
  reason?: string;
  /** `rejected`/`refused`: the error name. */
  error?: string;
  stopped?: { workflow: Workflow; name: string };
  state?: TenantState;
  generation?: number;
}

export interface LifecycleDocument {
  orgId: string;
  mode: Backend['mode'];
  /** The event put on the bus (absent when the router would not act on it, or for an operator's request). */
  event?: { detailType: OrgEventType; eventId?: string };
  /** What the router did (locally), will do (predicted on AWS from the ledger), or what the operator's request did. */
  outcome: LifecycleOutcome;
  /** True when `outcome` is the prediction from the ledger (the router decides again when the event arrives). */
  predicted?: boolean;
  reason?: string;
  /** `rejected`/`refused`: the error name (a rejection's, as OrgProvisioningFailed reports it). */
  rejectedWith?: string;
  /** The tenant's state and generation after the decision. */
  state?: TenantState;
  generation?: number;
  workflow?: Workflow;
  stateMachine?: string;
  executionName?: string;
  /** A run the decision stopped first (a provisioning stopped by OrgDeleted, a teardown by a restore). */
  stopped?: { workflow: Workflow; name: string };
  status?: ExecutionRecord['status'];
  startDate?: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
  failedState?: string;
  failedStateType?: string;
  /** For a followed execution that failed: whether a redrive would help, and what would instead. */
  redrive?: RedriveAssessment;
  /** Following stopped at a long Wait: the execution continues by itself at `until`. */
  waiting?: { state: string; until: Date };
}

export function decidedOf(result: LifecycleResult): Decided {
  return {
    outcome: result.action,
    ...(result.workflow ? { workflow: result.workflow } : {}),
    ...(result.executionName ? { executionName: result.executionName } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.stopped ? { stopped: result.stopped } : {}),
    ...(result.state ? { state: result.state } : {}),
    ...(result.generation === undefined ? {} : { generation: result.generation }),
  };
}

function decidedOfDecision(decision: Decision, item: { state: TenantState; generation: number } | undefined): Decided {
  const after = decision.write?.next ?? item;
  return {
    outcome: decision.outcome,
    ...(decision.workflow ? { workflow: decision.workflow } : {}),
    ...(decision.executionName ? { executionName: decision.executionName } : {}),
    ...(decision.reason ? { reason: decision.reason } : {}),
    ...(decision.error ? { error: decision.error } : {}),
    ...(decision.stops ? { stopped: decision.stops } : {}),
    ...(after ? { state: after.state, generation: after.generation } : {}),
  };
}

/**
 * Whether the router would act on the event: change the tenant's state, start, stop or emit
 * something. A rejection would only be reported (OrgProvisioningFailed), and a write that only
 * remembers the event's time changes nothing an operator asked for, so neither is "acting".
 */
function eventActs(decision: Decision, item: { state: TenantState } | undefined): boolean {
  if (decision.outcome === 'rejected') return false;
  return decision.effects.length > 0 || (decision.write !== undefined && decision.write.next.state !== item?.state);
}

export function documentOf(orgId: string, backend: Backend, decided: Decided): LifecycleDocument {
  return {
    orgId,
    mode: backend.mode,
    outcome: decided.outcome,
    ...(decided.reason ? { reason: withInvocation(decided.reason, tenantctlFor(backend)) } : {}),
    ...(decided.error ? { rejectedWith: decided.error } : {}),
    ...(decided.state ? { state: decided.state } : {}),
    ...(decided.generation === undefined ? {} : { generation: decided.generation }),
    ...(decided.workflow ? { workflow: decided.workflow, stateMachine: WORKFLOW_MACHINE[decided.workflow] } : {}),
    ...(decided.executionName ? { executionName: decided.executionName } : {}),
    ...(decided.stopped ? { stopped: decided.stopped } : {}),
  };
}

/** After a PutEvents on AWS: the execution the router starts, once Step Functions has it. */
async function discover(backend: Backend, context: CommandContext, orgId: string, workflow: Workflow, name: string, eventId: string | undefined): Promise<void> {
  const timeoutMs = context.io.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await backend.executions.describe(workflow, name)) return;
    if (Date.now() >= deadline) {
      throw new CliError(
        `The router started no ${WORKFLOW_MACHINE[workflow]} execution ${name} within ${Math.round(timeoutMs / 1000)} s of event ${eventId ?? ''}: check the router's logs (a rejected event is reported as OrgProvisioningFailed) and \`${tenantctlFor(backend)} status ${orgId}\``,
      );
    }
    await context.io.sleep(backend.pollMs);
  }
}

/** How a command names what it did not do: `subject` is rejected by the router, `declined` is the refusal's opening. */
export interface Unfollowed {
  subject: string;
  declined: string;
}

/**
 * What the command says when nothing is followed: the outcome's sentence, on stdout for a result
 * (nothing to do, OrgProvisioned emitted again), on stderr for a rejection or refusal — and the
 * exit status (2 for a rejection of bad input).
 */
export function reportUnfollowed(context: CommandContext, document: LifecycleDocument, wording: Unfollowed): number {
  const { out } = context;
  const reason = document.reason ?? 'no reason given';
  switch (document.outcome) {
    case 'reprovisioned-event':
      out.line(`  the tenant exists (${document.executionName ?? `generation ${document.generation ?? ''}`} is ${document.state ?? 'active'}): OrgProvisioned ${document.predicted ? 'is' : 'was'} emitted again`);
      return EXIT_OK;
    case 'duplicate':
      out.line(`  nothing to do: ${reason}`);
      return EXIT_OK;
    case 'rejected':
      out.error(`${document.predicted ? 'the router would reject' : 'the router rejected'} ${wording.subject}: ${reason}`);
      return document.rejectedWith && BAD_INPUT_ERRORS.has(document.rejectedWith) ? EXIT_USAGE : EXIT_FAILED;
    case 'acknowledged':
      out.error(`no tenant ${document.orgId}`);
      return EXIT_FAILED;
    case 'parked':
      out.error(`${wording.declined}: tenant ${tenantSlug(document.orgId)} is left to operators: ${reason}`);
      return EXIT_FAILED;
    default:
      out.error(`${wording.declined}: ${reason}`);
      return document.rejectedWith && BAD_INPUT_ERRORS.has(document.rejectedWith) ? EXIT_USAGE : EXIT_FAILED;
  }
}

/**
 * Decides the event against the tenant's ledger item with the router's own rules (a prediction:
 * the router decides again when the event arrives), puts it only when the router would act on it,
 * then reports what the router did (locally: its RouteResult) or will do (on AWS: the prediction),
 * and follows the execution it starts or that already runs. Without a followed run, `code` is the
 * exit status of what the command reported (2 for a rejection of bad input).
 */
export async function putAndFollow(
  context: CommandContext,
  backend: Backend,
  request: OrgCreatedRequest | OrgDeletedRequest,
  detail: Record<string, unknown>,
  noWait: boolean,
): Promise<{ document: LifecycleDocument; followed?: FollowResult; code?: number }> {
  const { out } = context;
  const detailType = request.kind;
  const { orgId } = request;
  const item = await backend.ledger.get(tenantSlug(orgId));
  const prediction = decide(item, request, decisionContextOf(backend, context.io.now()));
  const predicted = decidedOfDecision(prediction, item);

  if (!eventActs(prediction, item)) {
    const document: LifecycleDocument = { ...documentOf(orgId, backend, predicted), predicted: true };
    if (prediction.outcome === 'duplicate' && prediction.executionName && !prediction.reason) {
      // A repeated event for a run under way: nothing to put, the run to follow is known.
      out.line(`▶ ${detailType} for ${orgId} — ${backend.location}`);
      out.line(`  already under way (the event would be a duplicate; not put): ${WORKFLOW_MACHINE[prediction.workflow ?? 'provision']} ${prediction.executionName}`);
      return follow(context, backend, document, noWait);
    }
    if (document.outcome === 'duplicate') out.line(`▶ ${detailType} for ${orgId} — ${backend.location}`);
    return { document, code: reportUnfollowed(context, document, { subject: detailType, declined: `not putting ${detailType}` }) };
  }

  out.line(`▶ ${detailType} ${Object.entries(detail).map(([key, value]) => `${key}=${String(value)}`).join(' ')} — ${backend.location}`);
  const put = await backend.putOrgEvent(detailType, detail);
  const decided = put.route ? decidedOf(put.route) : predicted;
  const document: LifecycleDocument = {
    ...documentOf(orgId, backend, decided),
    ...(put.route ? {} : { predicted: true }),
    event: { detailType, ...(put.eventId ? { eventId: put.eventId } : {}) },
  };
  if (put.eventId) out.line(`  event ${put.eventId} put on the bus (source pos.signup)`);

  const followable = (decided.outcome === 'started' || decided.outcome === 'duplicate') && decided.workflow && decided.executionName && !(decided.outcome === 'duplicate' && decided.reason);
  if (!followable) return { document, code: reportUnfollowed(context, document, { subject: detailType, declined: `${detailType} changed nothing` }) };
  const workflow = decided.workflow as Workflow;
  const name = decided.executionName as string;
  if (decided.stopped) out.line(`  stopped first: ${WORKFLOW_MACHINE[decided.stopped.workflow]} ${decided.stopped.name}`);
  if (decided.outcome === 'started' && !put.route) await discover(backend, context, orgId, workflow, name, put.eventId);
  out.line(`  ${decided.outcome === 'started' ? 'started' : 'already under way (a duplicate event)'}: ${WORKFLOW_MACHINE[workflow]} ${name}`);
  return follow(context, backend, document, noWait);
}

/** Follows the document's execution (unless --no-wait) and adds how it ended. */
export async function follow(context: CommandContext, backend: Backend, document: LifecycleDocument, noWait: boolean): Promise<{ document: LifecycleDocument; followed?: FollowResult }> {
  if (noWait || !document.executionName || !document.workflow) {
    context.out.line(`  not following it (--no-wait): tenantctl status ${document.orgId}`);
    return { document: { ...document, status: 'RUNNING' } };
  }
  const followed = await followExecution(backend, context, { workflow: document.workflow, name: document.executionName, orgId: document.orgId });
  return { document: await describeOutcome(context, document, backend, followed), followed };
}

async function describeOutcome(context: CommandContext, document: LifecycleDocument, backend: Backend, followed: FollowResult): Promise<LifecycleDocument> {
  const { record } = followed;
  const result: LifecycleDocument = {
    ...document,
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate ? { stopDate: record.stopDate } : {}),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.cause === undefined ? {} : { cause: record.cause }),
    ...(record.failedState === undefined ? {} : { failedState: record.failedState }),
    ...(record.failedStateType === undefined ? {} : { failedStateType: record.failedStateType }),
    ...(followed.waiting ? { waiting: followed.waiting } : {}),
  };
  if (isFailed(record.status)) {
    const item = await backend.ledger.get(tenantSlug(document.orgId));
    result.redrive = assessRedrive(record, document.orgId, item, decisionContextOf(backend, context.io.now()));
  }
  return result;
}

/**
 * The closing lines and the exit status: 0 when the followed execution succeeded (or waits by
 * design), 1 when it failed; without one, the status `putAndFollow` or the request decided.
 */
export function finish(context: CommandContext, document: LifecycleDocument, followed: FollowResult | undefined, code = EXIT_OK): number {
  const { out } = context;
  const tenantctl = tenantctlOf(context.globals);
  out.result(document);
  if (!followed) return code;
  if (followed.waiting) {
    out.line(`  RUNNING: waiting in ${followed.waiting.state} until ${formatTime(followed.waiting.until)}; it continues by itself then (${tenantctl} status ${document.orgId})`);
    if (document.workflow === 'teardown') out.line(`  until then the tenant can be restored: ${tenantctl} restore ${document.orgId}`);
    return EXIT_OK;
  }
  out.line(outcomeLine(followed.record, out.style));
  if (document.redrive?.redrivable === true) out.line(`  parked for an operator: \`${tenantctl} redrive ${document.orgId}\` once the cause is fixed`);
  if (document.redrive?.redrivable === false) {
    out.line(`  not redrivable: ${document.redrive.reason ?? ''}`);
    if (document.redrive.suggestion) out.line(`  instead: ${document.redrive.suggestion}`);
  }
  return followed.record.status === 'SUCCEEDED' ? EXIT_OK : EXIT_FAILED;
}
