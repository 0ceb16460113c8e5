/**
 * The small workflow the local runner's suites run (asl-runner, executions): Add, whose handler a
 * test scripts through {@link AddTasks}, then a Wait, then Done; or Undo and the Fail state.
 */
import type { Context } from 'aws-lambda';
import type { ExecutionEvent } from '../../../functions/lib/executions';
import type { TaskHandler } from '../../../functions/registry';

/**
 * Add (retries Throttling for 30 s, catches PermanentError into Undo → the Fail state), then a
 * Wait of `$.waitSeconds`, then Done.
 */
export const ADD_WORKFLOW = {
  StartAt: 'Add',
  States: {
    Add: {
      Type: 'Task',
      Resource: '${AddFunctionArn}',
      Parameters: {
        'a.$': '$.a',
        'b.$': '$.b',
        execution: { 'name.$': '$$.Execution.Name', 'id.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' },
      },
      ResultPath: '$.sum',
      Retry: [{ ErrorEquals: ['Throttling'], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 1 }],
      Catch: [{ ErrorEquals: ['PermanentError'], ResultPath: '$.error', Next: 'Undo' }],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Done' },
    Done: { Type: 'Pass', End: true },
    Undo: { Type: 'Task', Resource: '${UndoFunctionArn}', ResultPath: null, Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'AddFailed', Cause: 'The numbers could not be added' },
  },
};

/** What Add's Parameters hand its handler. */
export interface AddEvent {
  a: number;
  b: number;
  execution: { name: string; id: string; startTime: string };
}

/** The events of a run from entering Add to success, after its ExecutionStarted (or ExecutionRedriven). */
export const ADD_RUN_TO_SUCCESS = [
  'StateEntered:Add',
  'StateExited:Add',
  'StateEntered:Pause',
  'StateExited:Pause',
  'StateEntered:Done',
  'StateExited:Done',
  'ExecutionSucceeded',
];

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

/** A promise a test resolves when it chooses. */
export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** An error with `name`, as a Task's handler throws it and the ASL matches it. */
export const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** The workflow's input: 2 + 3, no wait. */
export const input = (extra: Record<string, unknown> = {}) => ({ a: 2, b: 3, waitSeconds: 0, ...extra });

/** `Type:State` of each event (just `Type` where it has no state). */
export const types = (events: ExecutionEvent[] | undefined) => (events ?? []).map((e) => (e.state ? `${e.type}:${e.state}` : e.type));

/**
 * The Add and Undo handlers, scripted by the test: Add records each call, tells `inAdd` it was
 * entered, waits while `gate` is set, then throws the next of `faults` or returns a + b. Undo
 * counts its calls. `reset()` before each test.
 */
export class AddTasks {
  addCalls: { event: AddEvent; context: Context }[] = [];
  undoCalls = 0;
  faults: Error[] = [];
  gate: Deferred | undefined;
  inAdd = deferred();

  readonly add = (async (event: AddEvent, context: Context) => {
    this.addCalls.push({ event, context });
    this.inAdd.resolve();
    if (this.gate) await this.gate.promise;
    const fault = this.faults.shift();
    if (fault) throw fault;
    return event.a + event.b;
  }) as TaskHandler;

  readonly undo: TaskHandler = async () => {
    this.undoCalls++;
    return { undone: true };
  };

  reset(): void {
    this.addCalls = [];
    this.undoCalls = 0;
    this.faults = [];
    this.gate = undefined;
    this.inAdd = deferred();
  }
}
