import type { ExecutionEvent, Workflow } from '../functions/lib/executions';
import { DEFINITIONS, type Retrier, type StateDefinition } from './state-machines';
import { stateLineStart } from '../local/output/progress';

/** The ASL's defaults for a retrier's fields it leaves out. */
const DEFAULT_INTERVAL_SECONDS = 1;
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_BACKOFF_RATE = 2;

/** A step waiting out its back-off before its next attempt. */
export interface PendingRetry {
  state: string;
  error?: string;
  /** 1 for the first retry of the retrier that matched. */
  attempt: number;
  maxAttempts: number;
  /** When the pause ends (with full jitter: when it ends at the latest). */
  dueAt: Date;
  /** Step Functions picks the pause at random up to `dueAt` (JitterStrategy FULL). */
  jittered: boolean;
}

/** The retrier that handles `error` in `state`: the first whose ErrorEquals names it, `States.ALL` or (for a Task) `States.TaskFailed`. */
export function matchingRetrier(state: StateDefinition, error: string | undefined): number {
  return (state.Retry ?? []).findIndex((retrier) =>
    retrier.ErrorEquals.some((name) => name === error || name === 'States.ALL' || (name === 'States.TaskFailed' && state.Type === 'Task' && error !== 'States.Timeout')),
  );
}

/** The pause before retry `attempt` (1-based) of `retrier`: IntervalSeconds × BackoffRate^(attempt−1), capped by MaxDelaySeconds. */
export function retryPauseMs(retrier: Retrier, attempt: number): number {
  const seconds = (retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * (retrier.BackoffRate ?? DEFAULT_BACKOFF_RATE) ** (attempt - 1);
  return Math.min(seconds, retrier.MaxDelaySeconds ?? Infinity) * 1000;
}

/**
 * The retry a followed execution is waiting for, from its history so far: its last event is a
 * Task's failed attempt (the local runner records it at once; cli/aws/history.ts as soon as
 * Step Functions has it) whose error a retrier of that state handles and has not used up.
 * `overrideMs` is the local runner's pause instead of the ASL's (TENANTCTL_LOCAL_RETRY_INTERVAL_MS).
 * Undefined when the execution is not waiting to retry (a Catch or the failure comes next).
 */
export function pendingRetry(workflow: Workflow, history: readonly ExecutionEvent[], overrideMs?: number): PendingRetry | undefined {
  const last = history[history.length - 1];
  if (last?.type !== 'StateFailed' || last.state === undefined) return undefined;
  const state = DEFINITIONS[workflow].States[last.state];
  if (!state || state.Type === 'Fail') return undefined;
  const index = matchingRetrier(state, last.error);
  const retrier = state.Retry?.[index];
  if (!retrier) return undefined;
  // The retries this retrier already made in this visit of the state.
  let used = 0;
  for (let i = history.length - 2; i >= 0; i--) {
    const event = history[i] as ExecutionEvent;
    if (event.state !== last.state) continue;
    if (event.type === 'StateEntered') break;
    if (event.type === 'StateRetried' && matchingRetrier(state, event.error) === index) used++;
  }
  const maxAttempts = retrier.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (used >= maxAttempts) return undefined;
  const pauseMs = overrideMs ?? retryPauseMs(retrier, used + 1);
  return {
    state: last.state,
    ...(last.error === undefined ? {} : { error: last.error }),
    attempt: used + 1,
    maxAttempts,
    dueAt: new Date(last.timestamp.getTime() + pauseMs),
    jittered: overrideMs === undefined && retrier.JitterStrategy === 'FULL',
  };
}

/** `37 s`, `1 min 05 s`: whole seconds, rounded up, as a countdown shows them. */
function seconds(ms: number): string {
  const total = Math.ceil(ms / 1000);
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
}

/** The live line of a pending retry: `    ↻ CreateTenantBucket             retry 2 of 6 in 37 s… (after SlowDown)`. */
export function countdownText(retry: PendingRetry, now: Date): string {
  const left = retry.dueAt.getTime() - now.getTime();
  const when = left <= 0 ? 'due now' : `${retry.jittered ? 'within' : 'in'} ${seconds(left)}`;
  return `${stateLineStart('↻', retry.state)} retry ${retry.attempt} of ${retry.maxAttempts} ${when}…${retry.error ? ` (after ${retry.error})` : ''}`;
}

/** The local runner's pause before every retry, when TENANTCTL_LOCAL_RETRY_INTERVAL_MS sets one (cli/local/run-command.ts reads it the same way). */
export function localRetryIntervalMs(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.TENANTCTL_LOCAL_RETRY_INTERVAL_MS?.trim();
  return text && /^\d+$/.test(text) ? Number(text) : undefined;
}
