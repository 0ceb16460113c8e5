import type { ExecutionRecord, Workflow } from '../../functions/lib/executions';
import type { Backend, OrgEventType } from '../backend';
import type { CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors';
import { followExecution, outcomeLine, type FollowResult } from '../follow';
import { formatTime, WORKFLOW_MACHINE } from '../output';
import { routedOutcome, type RouteOutcome } from '../tenant/expectations';
import { isFailed, tenantGenerations } from '../tenant/generations';
import { assessRedrive } from '../tenant/redrive-assessment';
import { tenantSlug } from '../../functions/lib/naming';

const DEFAULT_DISCOVERY_TIMEOUT_MS = 90_000;

export interface LifecycleDocument {
  orgId: string;
  mode: Backend['mode'];
  event?: { detailType: OrgEventType; eventId?: string };
  outcome: RouteOutcome['kind'];
  message?: string;
  workflow: Workflow;
  stateMachine: string;
  executionName?: string;
  status?: ExecutionRecord['status'];
  startDate?: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
  failedState?: string;
  failedStateType?: string;
  redrivable?: boolean;
  reason?: string;
  suggestion?: string;
  /** Following stopped at a long Wait: the execution continues by itself at `until`. */
  waiting?: { state: string; until: Date };
}

/** After a PutEvents on AWS: the execution the router starts, once Step Functions has it. */
async function discover(backend: Backend, context: CommandContext, workflow: Workflow, name: string, eventId: string | undefined): Promise<void> {
  const timeoutMs = context.io.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await backend.executions.describe(workflow, name)) return;
    if (Date.now() >= deadline) {
      throw new CliError(
        `The router started no ${WORKFLOW_MACHINE[workflow]} execution ${name} within ${Math.round(timeoutMs / 1000)} s of event ${eventId ?? ''}: check the router's logs (a rejected event is reported as OrgProvisioningFailed)`,
      );
    }
    await context.io.sleep(backend.pollMs);
  }
}

/**
 * Puts the event, reports what the router did (locally) or will do (predicted on AWS from
 * the tenant's executions), then follows the execution it starts or that already runs.
 */
export async function putAndFollow(
  context: CommandContext,
  backend: Backend,
  detailType: OrgEventType,
  detail: Record<string, unknown>,
  expected: RouteOutcome,
  noWait: boolean,
): Promise<{ document: LifecycleDocument; followed?: FollowResult }> {
  const { out } = context;
  const orgId = detail.orgId as string;
  out.line(`▶ ${detailType} ${Object.entries(detail).map(([key, value]) => `${key}=${String(value)}`).join(' ')} — ${backend.location}`);
  const put = await backend.putOrgEvent(detailType, detail);
  const outcome = put.route ? routedOutcome(put.route, expected, orgId) : expected;
  const document: LifecycleDocument = {
    orgId,
    mode: backend.mode,
    event: { detailType, ...(put.eventId ? { eventId: put.eventId } : {}) },
    outcome: outcome.kind,
    workflow: outcome.workflow,
    stateMachine: WORKFLOW_MACHINE[outcome.workflow],
    ...(outcome.name ? { executionName: outcome.name } : {}),
    ...('message' in outcome ? { message: outcome.message } : {}),
  };
  if (put.eventId) out.line(`  event ${put.eventId} put on the bus (source pos.signup)`);

  if (outcome.kind === 'done' || outcome.kind === 'parked' || outcome.kind === 'rejected') {
    out.line(`  ${outcome.kind === 'done' ? 'nothing to do' : outcome.kind}: ${outcome.message}`);
    return { document };
  }
  if (outcome.kind === 'started' && !put.route) await discover(backend, context, outcome.workflow, outcome.name, put.eventId);
  out.line(`  ${outcome.kind === 'started' ? 'started' : `already ${outcome.status ?? 'RUNNING'} (a duplicate event)`}: ${WORKFLOW_MACHINE[outcome.workflow]} ${outcome.name}`);
  if (noWait) {
    out.line(`  not following it (--no-wait): tenantctl status ${orgId}`);
    document.status = 'RUNNING';
    return { document };
  }
  const followed = await followExecution(backend, out, context.io.sleep, outcome.workflow, outcome.name);
  return { document: await describeOutcome(document, backend, followed), followed };
}

/** Follows an execution started directly (not through the router). */
export async function followStarted(context: CommandContext, backend: Backend, document: LifecycleDocument, noWait: boolean): Promise<{ document: LifecycleDocument; followed?: FollowResult }> {
  if (noWait || !document.executionName) {
    context.out.line(`  not following it (--no-wait): tenantctl status ${document.orgId}`);
    return { document: { ...document, status: 'RUNNING' } };
  }
  const followed = await followExecution(backend, context.out, context.io.sleep, document.workflow, document.executionName);
  return { document: await describeOutcome(document, backend, followed), followed };
}

async function describeOutcome(document: LifecycleDocument, backend: Backend, followed: FollowResult): Promise<LifecycleDocument> {
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
    const generations = await tenantGenerations(backend.executions, tenantSlug(document.orgId));
    const assessment = assessRedrive(record, document.orgId, generations);
    result.redrivable = assessment.redrivable;
    if (assessment.reason) result.reason = assessment.reason;
    if (assessment.suggestion) result.suggestion = assessment.suggestion;
  }
  return result;
}

/** The closing lines for a followed execution and the exit status: 0 only when it succeeded (or waits by design). */
export function finish(context: CommandContext, document: LifecycleDocument, followed: FollowResult | undefined): number {
  const { out } = context;
  out.result(document);
  if (!followed) return document.outcome === 'parked' || document.outcome === 'rejected' ? EXIT_FAILED : EXIT_OK;
  if (followed.waiting) {
    out.line(`  RUNNING: waiting in ${followed.waiting.state} until ${formatTime(followed.waiting.until)}; it continues by itself then (tenantctl status ${document.orgId})`);
    return EXIT_OK;
  }
  out.line(outcomeLine(followed.record));
  if (document.redrivable === true) out.line(`  parked for an operator: \`tenantctl redrive ${document.orgId}\` once the cause is fixed`);
  if (document.redrivable === false) {
    out.line(`  not redrivable: ${document.reason ?? ''}`);
    if (document.suggestion) out.line(`  instead: ${document.suggestion}`);
  }
  return followed.record.status === 'SUCCEEDED' ? EXIT_OK : EXIT_FAILED;
}
