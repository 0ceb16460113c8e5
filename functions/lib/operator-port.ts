import { ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { isRunning, type ExecutionEvent, type ExecutionPort, type ExecutionRecord, type RedriveResult, type Workflow } from './executions';

/**
 * What operators need of the execution port beyond the router's start/describe/stop/list: an
 * execution's history, RedriveExecution, and waiting for an execution to end.
 * `SfnOperatorPort` (cli/aws/) is the adapter over Step Functions; `LocalExecutionPort`
 * (local/) runs the same ASL in-process.
 */
export interface OperatorPort extends ExecutionPort {
  /** The execution's history, oldest first; undefined when no execution of that name exists. */
  history(workflow: Workflow, name: string): Promise<ExecutionEvent[] | undefined>;
  /**
   * Runs a FAILED, TIMED_OUT or ABORTED execution again under the same name and input;
   * throws `ExecutionNotRedrivable` otherwise. A repeated call with the same `clientToken`
   * returns the first call's result without running it again.
   */
  redrive(workflow: Workflow, name: string, options?: { clientToken?: string }): Promise<RedriveResult>;
  /** The execution once it no longer runs (`waitUntilEnded`'s rule). */
  waitFor(workflow: Workflow, name: string, options?: { timeoutMs?: number }): Promise<ExecutionRecord>;
}

/** `waitFor` gave up: the execution still runs after the time it was given (named as Step Functions names its errors). */
export class ExecutionStillRunning extends Error {
  override readonly name = 'ExecutionStillRunning';
}

/** DescribeExecution's error for a name no execution has. */
export function executionDoesNotExist(executionArn: string): ExecutionDoesNotExist {
  return new ExecutionDoesNotExist({ $metadata: {}, message: `Execution Does Not Exist: '${executionArn}'` });
}

/** How one port watches an execution: how it reads it, and how it waits between reads. */
export interface ExecutionWatch {
  /** The execution as it is now; undefined when no execution of that name exists. */
  read(): Promise<ExecutionRecord | undefined>;
  /** Waits before the next read; `leftMs` is the time left before the wait gives up (Infinity without a timeout). */
  pause(leftMs: number): Promise<void>;
}

/**
 * The rule of every `waitFor`: reads the execution until it no longer runs (neither RUNNING nor
 * PENDING_REDRIVE) and resolves with it.
 * @throws ExecutionDoesNotExist when no execution of that name exists.
 * @throws ExecutionStillRunning when it still runs after `timeoutMs` (default: no limit).
 */
export async function waitUntilEnded(
  port: Pick<ExecutionPort, 'executionArn'>,
  workflow: Workflow,
  name: string,
  watch: ExecutionWatch,
  options: { timeoutMs?: number } = {},
): Promise<ExecutionRecord> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const record = await watch.read();
    if (!record) throw executionDoesNotExist(port.executionArn(workflow, name));
    if (!isRunning(record.status)) return record;
    const left = deadline - Date.now();
    if (left <= 0) throw new ExecutionStillRunning(`${workflow} execution ${name} is still running after ${options.timeoutMs} ms`);
    await watch.pause(left);
  }
}
