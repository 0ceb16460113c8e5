import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { parseJson, type ExecutionEvent } from '../../functions/lib/executions';

/** `TaskStateEntered` → `Task`; undefined for events that are not a state's entry or exit. */
function stateEventKind(type: string): { stateType: string; phase: 'Entered' | 'Exited' } | undefined {
  const match = /^(\w+)State(Entered|Exited)$/.exec(type);
  return match ? { stateType: match[1] as string, phase: match[2] as 'Entered' | 'Exited' } : undefined;
}

/** A Task's attempt failed (Lambda or service integration): its error and cause. */
function attemptFailure(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  const details =
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.lambdaFunctionStartFailedEventDetails ??
    event.lambdaFunctionScheduleFailedEventDetails ??
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.taskStartFailedEventDetails ??
    event.taskSubmitFailedEventDetails;
  if (!details) return undefined;
  return { ...(details.error === undefined ? {} : { error: details.error }), ...(details.cause === undefined ? {} : { cause: details.cause }) };
}

const ATTEMPT_STARTS = new Set(['LambdaFunctionScheduled', 'TaskScheduled']);

/**
 * Step Functions' history (oldest first) as the port's events, the shape the local runner
 * records: retries become `StateRetried` (a failed attempt followed by another attempt of the
 * same state), a failed attempt followed by another state becomes `StateCaught`, and the
 * attempt that ends the execution becomes `StateFailed`. A failed attempt that nothing follows
 * yet (the execution is waiting out a retry's back-off, or about to catch or fail) ends the
 * history as `StateFailed`, as the local runner records every failed attempt at once.
 */
export function translateHistory(events: HistoryEvent[]): ExecutionEvent[] {
  const result: ExecutionEvent[] = [];
  const enteredAt = new Map<string, number>();
  const retries = new Map<string, number>();
  let current: { state: string; stateType: string } | undefined;
  let pending: { error?: string; cause?: string; at: Date } | undefined;
  let caught: { state: string; stateType: string; error?: string; cause?: string; at: Date } | undefined;

  for (const event of events) {
    const type = event.type ?? '';
    const timestamp = event.timestamp ?? new Date(0);
    const kind = stateEventKind(type);

    if (kind?.phase === 'Entered') {
      const name = event.stateEnteredEventDetails?.name ?? '';
      const failed = caught ?? (pending && current ? { ...current, ...pending } : undefined);
      if (failed) {
        result.push({ type: 'StateCaught', timestamp: failed.at, state: failed.state, stateType: failed.stateType, ...errorOf(failed), next: name });
      }
      pending = undefined;
      caught = undefined;
      current = { state: name, stateType: kind.stateType };
      enteredAt.set(name, timestamp.getTime());
      retries.set(name, 0);
      result.push({ type: 'StateEntered', timestamp, state: name, stateType: kind.stateType, input: parseJson(event.stateEnteredEventDetails?.input) });
      continue;
    }
    if (kind?.phase === 'Exited') {
      const name = event.stateExitedEventDetails?.name ?? '';
      if (pending && current) {
        // A caught error: the state exits with the Catch's output.
        caught = { ...current, ...pending };
        pending = undefined;
        continue;
      }
      result.push({
        type: 'StateExited',
        timestamp,
        state: name,
        stateType: kind.stateType,
        output: parseJson(event.stateExitedEventDetails?.output),
        durationMs: timestamp.getTime() - (enteredAt.get(name) ?? timestamp.getTime()),
      });
      continue;
    }
    if (ATTEMPT_STARTS.has(type) && pending && current) {
      const attempt = (retries.get(current.state) ?? 0) + 1;
      retries.set(current.state, attempt);
      result.push({ type: 'StateRetried', timestamp, ...current, ...errorOf(pending), retryAttempt: attempt });
      pending = undefined;
      continue;
    }
    const failure = attemptFailure(event);
    if (failure) {
      pending = { ...failure, at: timestamp };
      continue;
    }

    switch (type) {
      case 'ExecutionStarted':
        result.push({ type: 'ExecutionStarted', timestamp, input: parseJson(event.executionStartedEventDetails?.input) });
        break;
      case 'ExecutionSucceeded':
        result.push({ type: 'ExecutionSucceeded', timestamp, output: parseJson(event.executionSucceededEventDetails?.output) });
        break;
      case 'ExecutionFailed': {
        const details = event.executionFailedEventDetails;
        const error = { ...(details?.error === undefined ? {} : { error: details.error }), ...(details?.cause === undefined ? {} : { cause: details.cause }) };
        if (current) {
          const startedAt = enteredAt.get(current.state) ?? timestamp.getTime();
          const stateError = pending ? errorOf(pending) : error;
          result.push({ type: 'StateFailed', timestamp, ...current, ...stateError, durationMs: timestamp.getTime() - startedAt });
        }
        pending = undefined;
        result.push({ type: 'ExecutionFailed', timestamp, ...current, ...error });
        break;
      }
      case 'ExecutionAborted': {
        pending = undefined;
        const details = event.executionAbortedEventDetails;
        result.push({ type: 'ExecutionAborted', timestamp, ...(details?.error === undefined ? {} : { error: details.error }), ...(details?.cause === undefined ? {} : { cause: details.cause }) });
        break;
      }
      case 'ExecutionTimedOut': {
        pending = undefined;
        const details = event.executionTimedOutEventDetails;
        result.push({ type: 'ExecutionTimedOut', timestamp, ...current, error: details?.error ?? 'States.Timeout', ...(details?.cause === undefined ? {} : { cause: details.cause }) });
        break;
      }
      case 'ExecutionRedriven':
        pending = undefined;
        caught = undefined;
        result.push({ type: 'ExecutionRedriven', timestamp, ...(event.executionRedrivenEventDetails?.redriveCount === undefined ? {} : { redriveCount: event.executionRedrivenEventDetails.redriveCount }) });
        break;
      default:
    }
  }
  if (pending && current) {
    const startedAt = enteredAt.get(current.state) ?? pending.at.getTime();
    result.push({ type: 'StateFailed', timestamp: pending.at, ...current, ...errorOf(pending), durationMs: pending.at.getTime() - startedAt });
  }
  return result;
}

function errorOf(failure: { error?: string; cause?: string }): { error?: string; cause?: string } {
  return { ...(failure.error === undefined ? {} : { error: failure.error }), ...(failure.cause === undefined ? {} : { cause: failure.cause }) };
}

/**
 * The state an ended execution failed in, from its history read newest first: the last state
 * entered before ExecutionFailed/TimedOut, with its type (`Task`, `Fail`, …).
 */
export function failedStateOf(newestFirst: HistoryEvent[]): { state: string; stateType: string } | undefined {
  for (const event of newestFirst) {
    const kind = stateEventKind(event.type ?? '');
    if (kind?.phase === 'Entered') return { state: event.stateEnteredEventDetails?.name ?? '', stateType: kind.stateType };
  }
  return undefined;
}
