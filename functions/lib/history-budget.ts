/**
 * How a teardown stays clear of Step Functions' hard limit of 25,000 events in one execution's
 * history (an execution that reaches it fails and cannot be redriven). The bucket-deletion loop
 * (DeleteTenantBucket → IsBucketDeleted → DeleteTenantBucket …) is the only part of any workflow
 * whose length grows with the tenant's data, so it counts the events it may have caused, and well
 * before the limit the teardown continues in a new execution of itself with the walk's cursor
 * (RecordTenantState `continued`; the ledger records the new execution as the tenant's teardown).
 *
 * The count is an upper bound, never a measurement: every loop is charged as if its Task had
 * used all its retries, so retries can only make the real history shorter than the count.
 * Events per state, from Step Functions' history event types: a Lambda Task that succeeds is
 * TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded and
 * TaskStateExited; each attempt that fails before a retry adds at most LambdaFunctionScheduled,
 * LambdaFunctionStarted and LambdaFunctionFailed (or …TimedOut); a Choice is ChoiceStateEntered
 * and ChoiceStateExited.
 */

/** Step Functions' hard limit on one execution's history (Standard workflows). */
export const HISTORY_EVENT_LIMIT = 25_000;

export const EVENTS_PER_TASK = 5;
export const EVENTS_PER_FAILED_ATTEMPT = 3;
export const EVENTS_PER_CHOICE = 2;

/** The most retries any teardown Task's Retry allows one entry of it (PublishOrgDeprovisioned: 3 + 6 + 6; test/unit checks the ASL). */
export const TASK_MAX_RETRIES = 15;

/** The teardown's states on its longest way to the loop (test/unit checks the ASL). */
export const TASK_STATES_BEFORE_LOOP = 7;
export const OTHER_STATES_BEFORE_LOOP = 7;

/** One loop as it normally is: the Task once, the Choice once. */
export const EVENTS_PER_LOOP = EVENTS_PER_TASK + EVENTS_PER_CHOICE;

/** One loop charged at its worst: every retry used. */
export const EVENTS_PER_LOOP_BOUND = EVENTS_PER_LOOP + TASK_MAX_RETRIES * EVENTS_PER_FAILED_ATTEMPT;

/**
 * An upper bound on the events before the loop's first invocation, charged to it: the execution's
 * start, the teardown's Task states before the loop (at most {@link TASK_STATES_BEFORE_LOOP}) each with
 * every retry used, and its other states before the loop (Choice, Wait, Pass: 2 events each).
 */
export const EVENTS_BEFORE_LOOP_BOUND = 1 + TASK_STATES_BEFORE_LOOP * (EVENTS_PER_TASK + TASK_MAX_RETRIES * EVENTS_PER_FAILED_ATTEMPT) + OTHER_STATES_BEFORE_LOOP * EVENTS_PER_CHOICE;

/** An upper bound on the events after the loop's last invocation: its Choice, two Tasks (record, publish; or record the continuation and succeed) each with every retry used, and the execution's end. */
export const EVENTS_AFTER_LOOP_BOUND = EVENTS_PER_CHOICE + 2 * (EVENTS_PER_TASK + TASK_MAX_RETRIES * EVENTS_PER_FAILED_ATTEMPT) + 2 + 1;

/**
 * The default count at which a teardown continues in a new execution (stage option
 * TEARDOWN_CONTINUE_AT_EVENTS). With the loop's bound and what follows it, no execution passes
 * {@link MAX_EVENTS_PER_EXECUTION}; the rest of the way to 25,000 is room for operators' redrives
 * (each adds the failed state's attempts, about 40 events) that the count does not see.
 */
export const DEFAULT_CONTINUE_AT_EVENTS = 15_000;

/** The most events one teardown execution can have with the default, redrives aside. */
export const MAX_EVENTS_PER_EXECUTION = DEFAULT_CONTINUE_AT_EVENTS + EVENTS_PER_LOOP_BOUND + EVENTS_AFTER_LOOP_BOUND;

/** The loop's running count, carried in the state beside the cursor. 0 (or absent): the loop's first invocation in this execution. */
export interface HistoryCount {
  events: number;
}

/** The count after one more invocation of the loop, and whether the execution should continue as new before the next. */
export function countLoop(previous: HistoryCount | undefined, continueAtEvents: number): { history: HistoryCount; continueAsNew: boolean } {
  const before = previous && Number.isFinite(previous.events) && previous.events > 0 ? previous.events : EVENTS_BEFORE_LOOP_BOUND;
  const events = before + EVENTS_PER_LOOP_BOUND;
  return { history: { events }, continueAsNew: events >= continueAtEvents };
}
