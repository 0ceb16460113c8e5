import type { ExecutionEvent } from '../../functions/lib/executions';
import { readableCause } from '../output';

/** One visit of a state, as the timeline of `tenantctl status` shows it. */
export interface StateStep {
  state: string;
  type: string;
  /** 0 for the execution's first run, n after its n-th redrive. */
  run: number;
  enteredAt: Date;
  durationMs?: number;
  retries: number;
  outcome: 'succeeded' | 'failed' | 'caught' | 'running' | 'aborted';
  /** The error that failed or was caught here; for a step that was retried, the last retried error. */
  error?: string;
  /** That error's cause, as a readable sentence. */
  cause?: string;
  /** Where a caught error went. */
  next?: string;
}

export interface Redrive {
  count: number;
  at: Date;
}

export interface Timeline {
  steps: StateStep[];
  redrives: Redrive[];
}

/** The states an execution went through, oldest first, from its history (AWS or local). */
export function buildTimeline(history: ExecutionEvent[]): Timeline {
  const steps: StateStep[] = [];
  const redrives: Redrive[] = [];
  const open = new Map<string, StateStep>();
  let run = 0;
  const since = (step: StateStep, at: Date) => at.getTime() - step.enteredAt.getTime();
  const withError = (step: StateStep, event: ExecutionEvent) => {
    if (event.error !== undefined) step.error = event.error;
    const cause = readableCause(event.cause);
    if (cause !== undefined) step.cause = cause;
    else delete step.cause;
  };

  for (const event of history) {
    const step = event.state === undefined ? undefined : open.get(event.state);
    switch (event.type) {
      case 'StateEntered': {
        const entered: StateStep = { state: event.state ?? '', type: event.stateType ?? '', run, enteredAt: event.timestamp, retries: 0, outcome: 'running' };
        steps.push(entered);
        open.set(entered.state, entered);
        break;
      }
      case 'StateRetried':
        if (step) {
          step.retries = Math.max(step.retries + 1, event.retryAttempt ?? 0);
          step.outcome = 'running';
          withError(step, event);
        }
        break;
      case 'StateExited':
        if (step) {
          step.outcome = 'succeeded';
          step.durationMs = event.durationMs ?? since(step, event.timestamp);
          open.delete(step.state);
        }
        break;
      case 'StateFailed':
        if (step) {
          step.outcome = 'failed';
          step.durationMs = event.durationMs ?? since(step, event.timestamp);
          withError(step, event);
        }
        break;
      case 'StateCaught':
        if (step) {
          step.outcome = 'caught';
          step.durationMs = since(step, event.timestamp);
          withError(step, event);
          if (event.next !== undefined) step.next = event.next;
          open.delete(step.state);
        }
        break;
      case 'ExecutionAborted':
      case 'ExecutionTimedOut':
        for (const running of open.values()) {
          if (running.outcome === 'running') {
            running.outcome = 'aborted';
            running.durationMs = since(running, event.timestamp);
          }
        }
        open.clear();
        break;
      case 'ExecutionFailed':
      case 'ExecutionRedriven':
        open.clear();
        if (event.type === 'ExecutionRedriven') {
          run = event.redriveCount ?? run + 1;
          redrives.push({ count: run, at: event.timestamp });
        }
        break;
      default:
    }
  }
  return { steps, redrives };
}
