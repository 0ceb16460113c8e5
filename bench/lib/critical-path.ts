/**
 * What a tenant waited for between OrgCreated and its first successful request, attributed from
 * the execution's history (each Task attempt and the ASL's pause before each retry) and the fault
 * layer's refusals of that tenant's user and key: pure, so the attribution is unit-tested.
 */
import type { ExecutionEvent } from '../../functions/lib/executions';
import type { Refusal } from './fault-layer';

export type WaitCause = 'key' | 'principal' | 'throttle' | 'other';

export interface CriticalWait {
  /** The state that waited, or `consumer`. */
  where: string;
  /** `asl-retry`: the ASL's pause before a retry; `in-step`: refused calls inside one attempt; `consumer`: the consumer retrying the key. */
  how: 'asl-retry' | 'in-step' | 'consumer';
  cause: WaitCause;
  /** The error the attempt failed with (asl-retry). */
  error?: string;
  /** Requests refused during the wait (in-step, consumer). */
  refusals?: number;
  ms: number;
}

const KEY_ERRORS = /^(TenantCredentialsNotReadyError|InvalidAccessKeyId|InvalidClientTokenId)$/;
const PRINCIPAL_ERRORS = /^(TenantPolicyNotReadyError|MalformedPolicy)$/;
const THROTTLE_ERRORS = /^(Throttling|ThrottlingException|TooManyRequestsException|SlowDown|RequestLimitExceeded|ProvisionedThroughputExceededException|RequestThrottled|RequestThrottledException|ThrottledException|Lambda\.TooManyRequestsException)$/;

/** What a failed attempt's error says the step waited for. */
export function causeOfError(error: string | undefined): WaitCause {
  if (!error) return 'other';
  if (KEY_ERRORS.test(error)) return 'key';
  if (PRINCIPAL_ERRORS.test(error)) return 'principal';
  if (THROTTLE_ERRORS.test(error)) return 'throttle';
  return 'other';
}

export function isThrottleError(error: string | undefined): boolean {
  return error !== undefined && THROTTLE_ERRORS.test(error);
}

interface Attempt {
  state: string;
  start: number;
  end: number;
}

/** Each Task attempt (entered or retried → exited or failed) of a history, in order. */
export function taskAttempts(history: ExecutionEvent[]): Attempt[] {
  const attempts: Attempt[] = [];
  const open = new Map<string, number>();
  for (const event of history) {
    if (event.stateType !== 'Task' || !event.state) continue;
    const at = event.timestamp.getTime();
    if (event.type === 'StateEntered' || event.type === 'StateRetried') open.set(event.state, at);
    if (event.type === 'StateExited' || event.type === 'StateFailed') {
      const start = open.get(event.state);
      if (start !== undefined) attempts.push({ state: event.state, start, end: at });
      open.delete(event.state);
    }
  }
  return attempts;
}

/**
 * The waits on one tenant's path: the ASL's pause before each retry (StateFailed → StateRetried),
 * inside each Task attempt the time from the first refusal of the tenant's user or key to its first
 * acceptance (or the attempt's end), and the consumer's own retries of the key.
 */
export function criticalPathWaits(input: {
  history: ExecutionEvent[];
  /** The fault layer's refusals (any tenant's: those of `subjects` are used). */
  refusals: Refusal[];
  /** The tenant's user ARN and access key id. */
  subjects: string[];
  /** When each subject was first accepted (fault layer). */
  firstAcceptedAt: Map<string, number>;
  consumer?: { firstRefusalAt?: number; usableAt?: number; refusals: number };
}): CriticalWait[] {
  const waits: CriticalWait[] = [];
  const failedAt = new Map<string, { at: number; error?: string }>();
  for (const event of input.history) {
    if (!event.state) continue;
    if (event.type === 'StateFailed') failedAt.set(event.state, { at: event.timestamp.getTime(), ...(event.error ? { error: event.error } : {}) });
    if (event.type === 'StateRetried') {
      const failed = failedAt.get(event.state);
      if (failed) waits.push({ where: event.state, how: 'asl-retry', cause: causeOfError(failed.error), ...(failed.error ? { error: failed.error } : {}), ms: event.timestamp.getTime() - failed.at });
    }
  }
  const subjects = new Set(input.subjects);
  const mine = input.refusals.filter((r) => subjects.has(r.subject) && r.kind !== 'throttle');
  for (const attempt of taskAttempts(input.history)) {
    const inside = mine.filter((r) => r.at >= attempt.start && r.at <= attempt.end);
    for (const kind of ['principal', 'key'] as const) {
      const refused = inside.filter((r) => r.kind === kind);
      const first = refused[0];
      if (!first) continue;
      const accepted = input.firstAcceptedAt.get(first.subject);
      const end = accepted !== undefined && accepted >= first.at && accepted <= attempt.end ? accepted : attempt.end;
      waits.push({ where: attempt.state, how: 'in-step', cause: kind, refusals: refused.length, ms: end - first.at });
    }
  }
  const consumer = input.consumer;
  if (consumer?.firstRefusalAt !== undefined && consumer.usableAt !== undefined) {
    waits.push({ where: 'consumer', how: 'consumer', cause: 'key', refusals: consumer.refusals, ms: consumer.usableAt - consumer.firstRefusalAt });
  }
  return waits;
}

/** `waits` summed by cause. */
export function waitTotals(waits: CriticalWait[]): Record<WaitCause, number> {
  const totals: Record<WaitCause, number> = { key: 0, principal: 0, throttle: 0, other: 0 };
  for (const wait of waits) totals[wait.cause] += wait.ms;
  return totals;
}
