import { isRunning, type ExecutionEvent, type ExecutionRecord, type Workflow } from '../functions/lib/executions';
import { progressPrinter } from '../local/output/progress';
import type { Backend } from './backend';
import { whileWatching } from './interrupt';
import { tenantctlFor } from './invocation';
import { LiveLine } from './live-line';
import type { CliIo, Output } from './output';
import { countdownText, localRetryIntervalMs, pendingRetry } from './retry-countdown';
import { DEFINITIONS } from './state-machines';

/** How a followed execution ended, in one line (the demo's too). */
export { outcomeLine } from '../local/output/progress';

/** A Wait longer than this ends the following (the execution goes on without the operator watching). */
export const LONG_WAIT_MS = 120_000;

export interface FollowResult {
  record: ExecutionRecord;
  /** Set when following stopped at a long Wait state: the execution runs on and continues at `until`. */
  waiting?: { state: string; until: Date };
}

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

/** The execution a teardown continued in (its output, TeardownContinued), if it did. */
export function continuedIn(output: unknown): string | undefined {
  const name = (output as { continued?: { continuedIn?: { executionName?: unknown } } } | undefined)?.continued?.continuedIn?.executionName;
  return typeof name === 'string' ? name : undefined;
}

async function poll(backend: Backend, { io, out }: Follower, live: LiveLine, followed: Followed, options: { showFromRedrive?: number }): Promise<FollowResult> {
  const { workflow } = followed;
  let { name } = followed;
  const retryOverrideMs = backend.mode === 'local' ? localRetryIntervalMs(io.env) : undefined;
  let shown = 0;
  let skipping = options.showFromRedrive !== undefined;
  const print = progressPrinter({ style: out.style, waitSeconds: (event) => waitSeconds(workflow, event), redriveFrom: backend.redriveFrom });
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
      const lines = print(event);
      if (lines.length > 0) live.clear();
      for (const line of lines) out.line(line);
    }
    const next = record.status === 'SUCCEEDED' ? continuedIn(record.output) : undefined;
    if (next) {
      // One teardown, several executions: follow it into the next.
      out.line(`  ↪ continues in ${next}: ${name} came near Step Functions' history limit`);
      name = next;
      shown = 0;
      continue;
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
