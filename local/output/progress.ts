/**
 * An execution's progress as tenantctl and `npm run demo` print it, a line per state as it
 * happens (✓ done, ↻ retried, ↯ caught, ✗ failed, ⧗ waits, ↺ redriven), and the line it ends with.
 * tenantctl colours the marks and statuses with its Style; the demo prints them UNSTYLED.
 */
import type { ExecutionEvent, ExecutionRecord, RedriveResult } from '../../functions/lib/executions';
import { formatDuration, formatTime, readableCause } from './format';

/** The colours added to a progress line (tenantctl's Style satisfies it). */
export interface ProgressStyle {
  /** A step mark (✓ ✗ ↻ …) in its colour. */
  mark(mark: string): string;
  /** An execution status in its colour. */
  state(word: string): string;
}

export const UNSTYLED: ProgressStyle = { mark: (mark) => mark, state: (word) => word };

/** How every line of a state begins: `    ✓ CreateTenantBucket             ` (the state in a column of 30). */
export function stateLineStart(mark: string, state: string | undefined, style: ProgressStyle = UNSTYLED): string {
  return `    ${style.mark(mark)} ${(state ?? '').padEnd(30)}`;
}

export interface ProgressOptions {
  style?: ProgressStyle;
  /** How long the Wait state an event entered waits, in seconds (undefined: not a Wait, or unknown); without it no wait is shown. */
  waitSeconds?: (event: ExecutionEvent) => number | undefined;
  /** Where a redrive resumes (default: at the failed state, as Step Functions does). */
  redriveFrom?: RedriveResult['redriveFrom'];
}

/**
 * The line of one history event, or undefined when it shows nothing. A Task's failed attempt is
 * shown by what follows it (a retry, a catch, the execution's failure): `next` is that event.
 */
function progressLine(event: ExecutionEvent, context: { previous: ExecutionEvent | undefined; next: ExecutionEvent | undefined; retried?: boolean }, options: ProgressOptions): string | undefined {
  const style = options.style ?? UNSTYLED;
  const mark = (symbol: string) => stateLineStart(symbol, event.state, style);
  const { previous, next } = context;
  switch (event.type) {
    case 'StateEntered': {
      const seconds = options.waitSeconds?.(event);
      return seconds && seconds > 0 ? `${mark('⧗')} waits ${formatDuration(seconds * 1000)} (until ${formatTime(new Date(event.timestamp.getTime() + seconds * 1000))})` : undefined;
    }
    case 'StateExited':
      // The local runner also exits a state whose error was caught: the catch line said it all.
      if (previous?.type === 'StateCaught' && previous.state === event.state) return undefined;
      return `${mark('✓')} ${formatDuration(event.durationMs)}`;
    case 'StateRetried':
      return `${mark('↻')} retry ${event.retryAttempt ?? ''}${event.error ? ` after ${event.error}` : ''}`;
    case 'StateCaught':
      return `${mark('↯')} ${event.error ?? 'error'} caught → ${event.next ?? ''}`;
    case 'StateFailed':
      if (event.stateType !== 'Fail' && next?.type !== 'ExecutionFailed') return undefined;
      // An error the state's retriers let through at once (its own MaxAttempts 0) was not retried.
      return `${mark('✗')} ${event.error ?? ''}${event.stateType === 'Fail' ? '' : ` (${context.retried === false ? 'not retried' : 'retries exhausted'} after ${formatDuration(event.durationMs)})`}`;
    case 'ExecutionRedriven':
      return `    ${style.mark('↺')} redriven (${event.redriveCount ?? ''}): ${options.redriveFrom === 'start' ? 're-runs from the start (local runner)' : 'resumes at the failed state'}`;
    default:
      return undefined;
  }
}

/**
 * The progress of one execution, fed its history events oldest first (as they happen, or as a
 * poll finds them): returns the lines each event completes. A Task's failed attempt waits for
 * the event after it, which says whether it was retried, caught or the end of the run.
 */
export function progressPrinter(options: ProgressOptions = {}): (event: ExecutionEvent) => string[] {
  let previous: ExecutionEvent | undefined;
  let held: { event: ExecutionEvent; previous: ExecutionEvent | undefined; retried: boolean | undefined } | undefined;
  /** Whether the state being run has been retried since it was entered (undefined: its entry was not seen). */
  let retried: boolean | undefined;
  return (event) => {
    const lines: (string | undefined)[] = [];
    if (held) lines.push(progressLine(held.event, { previous: held.previous, next: event, retried: held.retried }, options));
    held = undefined;
    if (event.type === 'StateEntered') retried = false;
    if (event.type === 'StateRetried') retried = true;
    if (event.type === 'StateFailed' && event.stateType !== 'Fail') held = { event, previous, retried };
    else lines.push(progressLine(event, { previous, next: undefined }, options));
    previous = event;
    return lines.filter((line): line is string => line !== undefined);
  };
}

/** The closing line of a followed execution (timed from its last redrive, if any). */
export function outcomeLine(record: ExecutionRecord, style: ProgressStyle = UNSTYLED): string {
  const redriven = record.redriveCount && record.redriveDate ? record.redriveDate : undefined;
  const took = record.stopDate ? formatDuration(record.stopDate.getTime() - (redriven ?? record.startDate).getTime()) : undefined;
  const since = redriven ? ` (since redrive ${record.redriveCount})` : '';
  if (record.status === 'SUCCEEDED') return `  ${style.state('SUCCEEDED')}${took ? ` in ${took}` : ''}${since}`;
  const at = record.failedState ? ` at ${record.failedState}` : '';
  const cause = readableCause(record.cause);
  return `  ${style.state(record.status)}${at}${took ? ` after ${took}` : ''}${since}${record.error ? `: ${record.error}` : ''}${cause ? ` — ${cause}` : ''}`;
}
