import { join } from 'node:path';
import { placeholderOf } from '../../functions/registry';
import { loadAslDefinition, runAsl } from '../../local/asl-runner';
import { fakeLambdaContext } from '../support/lambda-context';
import { testTaskHandlers } from '../support/task-handlers';

export interface WorkflowRun {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Record<string, unknown>;
  error?: { name: string; cause: string };
  /** Every StateEntered, in order. */
  entered: string[];
  /** Every StateRetried, in order. */
  retried: string[];
  /** The state whose failure ended the execution (uncaught), if any. */
  failedAt?: string;
  events: { type: string; state?: string; output?: unknown; input?: unknown }[];
}

/**
 * Runs the real ASL (local/asl-runner.ts) with every Task mapped to its real Lambda
 * handler (through middy) over whatever SDK mocks the test installed. Retry pauses and Wait
 * states are overridden to 0 ms (a Wait state is still entered, so its path is visible);
 * everything else (matching, counts, catches, paths) is the runner's.
 */
export async function runWorkflow(
  file: string,
  input: Record<string, unknown>,
  options: {
    executionName?: string;
    /**
     * Not passed on: the runner sets `$$.Execution.StartTime` to the moment it starts, and
     * the tests were written against that (a fixed date here would make them depend on today's).
     */
    startTime?: string;
    /** Called before each Task's handler runs. */
    onTask?: (stateName: string) => void;
    /** The Lambda context's remaining time for a Task (default 900 s). */
    remainingTimeMs?: (stateName: string) => number;
  } = {},
): Promise<WorkflowRun> {
  const events: WorkflowRun['events'] = [];
  const remaining = options.remainingTimeMs;
  const handlers = testTaskHandlers();
  const run = runAsl(loadAslDefinition(join(__dirname, '../../statemachine', file)), input, {
    handlerFor: (_stateName, resource) => {
      const placeholder = placeholderOf(resource);
      return placeholder === undefined ? undefined : handlers[placeholder];
    },
    execution: { Name: options.executionName ?? 'org-acme-bistro-42' },
    lambdaContext: (stateName) => fakeLambdaContext(stateName, remaining && (() => remaining(stateName))),
    retryIntervalMs: 0,
    waitMs: 0,
    ...(options.onTask ? { beforeTask: options.onTask } : {}),
    onEvent: (event) => events.push(event),
  });

  const outcome = await run.outcome;
  await run.settled;
  if (outcome.status !== 'SUCCEEDED' && outcome.status !== 'FAILED') throw new Error(`The execution ended ${outcome.status}`);
  return {
    status: outcome.status,
    ...(outcome.status === 'SUCCEEDED' ? { output: outcome.output as Record<string, unknown> } : { error: { name: outcome.error, cause: outcome.cause } }),
    entered: events.filter((e) => e.type === 'StateEntered').map((e) => e.state as string),
    retried: events.filter((e) => e.type === 'StateRetried').map((e) => e.state as string),
    ...(outcome.status === 'FAILED' ? { failedAt: outcome.failedState } : {}),
    events,
  };
}
