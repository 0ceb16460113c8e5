import { isRunning, type ExecutionEvent, type ExecutionRecord, type Workflow } from '../functions/lib/executions';
import type { Backend } from './backend';
import { whileWatching } from './interrupt';
import { tenantctlFor } from './invocation';
import { LiveLine } from './live-line';
import { formatDuration, formatTime, readableCause, type CliIo, type Output } from './output';
import { countdownText, localRetryIntervalMs, pendingRetry } from './retry-countdown';
import { DEFINITIONS } from './state-machines';
import { PLAIN, type Style } from './style';

/** A Wait longer than this ends the following (the execution goes on without the operator watching). */
export const LONG_WAIT_MS = 120_000;

export interface FollowResult {
  record: ExecutionRecord;
  /** Set when following stopped at a long Wait state: the execution runs on and continues at `until`. */
  waiting?: { state: string; until: Date };
}

const pad = (text: string, width = 30) => text.padEnd(width);

/** `$.teardown.retentionSeconds` of a state's input. */
function valueAtPath(input: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), input);
}

/** How long a Wait state entered with `event` waits, from the ASL definition; undefined when unknown. */
export function waitSeconds(workflow: Workflow, event: ExecutionEvent): number | undefined {
  const state = event.state === undefined ? undefined : DEFINITIONS[workflow].States[event.state];
  if (state?.Type !== 'Wait') return undefined;
  if (typeof state.Seconds === 'number') return state.Seconds;
  const value = state.SecondsPath ? valueAtPath(event.input, state.SecondsPath) : undefined;
  return typeof value === 'number' ? value : undefined;
}

/**
 * The progress line of one history event, or undefined when it shows nothing. A Task's failed
 * attempt is shown by what follows it (a retry, a catch, the execution's failure), so
 * `next` is that following event (undefined while it has not happened yet).
 */
export function progressLine(
  workflow: Workflow,
  event: ExecutionEvent,
  context: { previous?: ExecutionEvent | undefined; next?: ExecutionEvent | undefined },
  redriveFrom: Backend['redriveFrom'],
  style: Style = PLAIN,
): string | undefined {
  const state = event.state ?? '';
  const mark = (symbol: string) => `    ${style.mark(symbol)} ${pad(state)}`;
  const { previous, next } = context;
  switch (event.type) {
    case 'StateEntered': {
      const seconds = waitSeconds(workflow, event);
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
      return `${mark('✗')} ${event.error ?? ''}${event.stateType === 'Fail' ? '' : ` (retries exhausted after ${formatDuration(event.durationMs)})`}`;
    case 'ExecutionRedriven':
      return `    ${style.mark('↺')} redriven (${event.redriveCount ?? ''}): ${redriveFrom === 'start' ? 're-runs from the start (local runner)' : 'resumes at the failed state'}`;
    default:
      return undefined;
  }
}

/** The closing line of a followed execution (timed from its last redrive, if any). */
export function outcomeLine(record: ExecutionRecord, style: Style = PLAIN): string {
  const redriven = record.redriveCount && record.redriveDate ? record.redriveDate : undefined;
  const took = record.stopDate ? formatDuration(record.stopDate.getTime() - (redriven ?? record.startDate).getTime()) : undefined;
  const since = redriven ? ` (since redrive ${record.redriveCount})` : '';
  if (record.status === 'SUCCEEDED') return `  ${style.state('SUCCEEDED')}${took ? ` in ${took}` : ''}${since}`;
  const at = record.failedState ? ` at ${record.failedState}` : '';
  const cause = readableCause(record.cause);
  return `  ${style.state(record.status)}${at}${took ? ` after ${took}` : ''}${since}${record.error ? `: ${record.error}` : ''}${cause ? ` — ${cause}` : ''}`;
}

/** What following needs of the command: where it writes, its clock, and its terminal. */
export type Follower = { io: CliIo; out: Output };

/** The execution followed, and the tenant it is of (for the hint Ctrl-C prints). */
export interface Followed {
  workflow: Workflow;
  name: string;
  orgId: string;
}

/**
 * Follows an execution until it is no longer running, printing each state as it happens
 * (polling its history, so it works for an execution running anywhere: Step Functions, or
 * a local runner in another process). Stops early at a Wait of more than LONG_WAIT_MS.
 * On a terminal, a step waiting out its retry back-off shows a live countdown; Ctrl-C stops
 * following (exit 130) and says that the execution goes on.
 */
export async function followExecution(backend: Backend, follower: Follower, followed: Followed, options: { showFromRedrive?: number } = {}): Promise<FollowResult> {
  const { io, out } = follower;
  const live = new LiveLine(io, io.stdoutIsTTY === true && !out.json);
  const hint = () => `stopped following; ${followed.name} goes on — ${tenantctlFor(backend)} status ${followed.orgId}`;
  try {
    return await whileWatching(io, live, hint, () => poll(backend, follower, live, followed, options));
  } finally {
    live.clear();
  }
}

async function poll(backend: Backend, { io, out }: Follower, live: LiveLine, { workflow, name }: Followed, options: { showFromRedrive?: number }): Promise<FollowResult> {
  const retryOverrideMs = backend.mode === 'local' ? localRetryIntervalMs(io.env) : undefined;
  let shown = 0;
  let skipping = options.showFromRedrive !== undefined;
  for (;;) {
    const record = await backend.executions.describe(workflow, name);
    if (!record) throw new Error(`The ${workflow} execution ${name} does not exist`);
    const history = (await backend.executions.history(workflow, name)) ?? [];
    const closed = !isRunning(record.status);
    for (; shown < history.length; shown++) {
      const event = history[shown] as ExecutionEvent;
      if (skipping) {
        if (event.type === 'ExecutionRedriven' && (event.redriveCount ?? 0) >= (options.showFromRedrive ?? 0)) skipping = false;
        else continue;
      }
      const next = history[shown + 1];
      if (event.type === 'StateFailed' && event.stateType !== 'Fail' && !next && !closed) break;
      const line = progressLine(workflow, event, { previous: history[shown - 1], next }, backend.redriveFrom, out.style);
      if (line) {
        live.clear();
        out.line(line);
      }
    }
    if (closed) return { record };
    const retry = skipping ? undefined : pendingRetry(workflow, history, retryOverrideMs);
    if (retry) live.show(() => countdownText(retry, io.now()));
    else live.clear();
    const last = history[history.length - 1];
    const seconds = last?.type === 'StateEntered' ? waitSeconds(workflow, last) : undefined;
    if (last && seconds !== undefined && seconds * 1000 > LONG_WAIT_MS) {
      return { record, waiting: { state: last.state ?? '', until: new Date(last.timestamp.getTime() + seconds * 1000) } };
    }
    await io.sleep(backend.pollMs);
  }
}
