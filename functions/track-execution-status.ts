import type { EventBridgeEvent } from 'aws-lambda';
import { isRunning, type ExecutionPort, type ExecutionStatus, type ExecutionStatusChange } from './lib/executions';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { applyLifecycle, type LifecycleDeps, type LifecycleResult } from './lib/ledger/apply';
import { parseLifecycleExecutionName } from './lib/naming';

/** The detail of Step Functions' "Execution Status Change" event (the fields used here). */
interface StatusChangeDetail {
  executionArn?: unknown;
  name?: unknown;
  status?: unknown;
  error?: unknown;
  cause?: unknown;
  redriveCount?: unknown;
  stopDate?: unknown;
}

const ENDED = new Set<ExecutionStatus>(['FAILED', 'TIMED_OUT', 'ABORTED']);

export interface TrackExecutionStatusDeps extends LifecycleDeps {
  executions: LifecycleDeps['executions'] & Pick<ExecutionPort, 'describe'>;
}

/**
 * Keeps the tenant ledger true when a run ends without reaching its own ledger step: a run that
 * fails, times out or is aborted while the tenant waits on it makes the tenant `parked` (with the
 * error, for operators); a redriven parked run returns it to the state it was in; a redriven run
 * the ledger has moved past (say, a provisioning an OrgDeleted superseded) is stopped at once, so
 * it cannot undo what came after. Executions with names the ledger did not give are ignored, and
 * so is an event the execution's current status contradicts (it arrived late).
 *
 * Safe to repeat: Step Functions' events are best-effort and may repeat; a repeated one finds the
 * ledger already moved and is ignored.
 */
export type { ExecutionStatusChange };

export async function trackExecutionStatus(change: ExecutionStatusChange, deps: TrackExecutionStatusDeps): Promise<LifecycleResult | undefined> {
  const parsed = parseLifecycleExecutionName(change.name);
  if (!parsed) {
    deps.logger.info('Status change of an execution the ledger did not name: ignored', { executionName: change.name, status: change.status });
    return undefined;
  }
  // Step Functions' status events are best-effort and EventBridge does not order them: a FAILED
  // may arrive after the run was redriven, a RUNNING after it failed again. The execution as
  // Step Functions describes it now decides whether the event is still true.
  const now = await deps.executions.describe(parsed.workflow, change.name);
  if (now && isRunning(now.status) !== (change.status === 'RUNNING')) {
    deps.logger.info('Status change no longer true: ignored', { executionName: change.name, status: change.status, statusNow: now.status });
    return undefined;
  }
  // A running execution can always be described: one Step Functions no longer knows closed more
  // than 90 days ago, so a RUNNING event of it is stale and must not take a parked tenant back.
  if (!now && change.status === 'RUNNING') {
    deps.logger.info('Status change of an execution Step Functions no longer knows: ignored', { executionName: change.name, status: change.status });
    return undefined;
  }
  let result: LifecycleResult | undefined;
  if (ENDED.has(change.status)) {
    result = await applyLifecycle(
      {
        kind: 'run-ended',
        slug: parsed.slug,
        executionArn: change.executionArn,
        executionName: change.name,
        status: change.status as 'FAILED' | 'TIMED_OUT' | 'ABORTED',
        ...(change.error === undefined ? {} : { error: change.error }),
        ...(change.cause === undefined ? {} : { cause: change.cause }),
        ...(change.stopDate === undefined ? {} : { endedAt: change.stopDate }),
        by: `Step Functions: ${change.name} ${change.status}`,
      },
      deps,
    );
  } else if (change.status === 'RUNNING' && (change.redriveCount ?? 0) > 0) {
    result = await applyLifecycle(
      { kind: 'resume', slug: parsed.slug, executionArn: change.executionArn, by: `Step Functions: ${change.name} redriven (${change.redriveCount})`, stopIfSuperseded: true },
      deps,
    );
  }
  if (result) deps.logger.info(`Execution ${change.status}: ${result.action}`, { executionName: change.name, state: result.state, reason: result.reason });
  return result;
}

/** The change an "Execution Status Change" event reports. */
export function statusChangeOf(detail: StatusChangeDetail): ExecutionStatusChange {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const executionArn = text(detail.executionArn);
  const name = text(detail.name);
  const status = text(detail.status);
  if (!executionArn || !name || !status) throw new Error('The Step Functions status change event has no executionArn, name or status');
  return {
    executionArn,
    name,
    status: status as ExecutionStatus,
    ...(text(detail.error) === undefined ? {} : { error: text(detail.error) as string }),
    ...(text(detail.cause) === undefined ? {} : { cause: text(detail.cause) as string }),
    ...(typeof detail.redriveCount === 'number' ? { redriveCount: detail.redriveCount } : {}),
    // The event carries stopDate as epoch milliseconds.
    ...(typeof detail.stopDate === 'number' && Number.isFinite(detail.stopDate) ? { stopDate: new Date(detail.stopDate).toISOString() } : {}),
  };
}

/** The Lambda handler over its dependencies: functions/lambda/track-execution-status.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function trackExecutionStatusHandler(deps: TrackExecutionStatusDeps & FunctionBase) {
  return lambdaHandler(deps.logger, (event: EventBridgeEvent<'Step Functions Execution Status Change', StatusChangeDetail>) =>
    trackExecutionStatus(statusChangeOf(event.detail), deps),
  );
}
