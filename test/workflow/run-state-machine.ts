import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { placeholderOf, taskHandlersByPlaceholder } from '../../functions/registry';
import { fakeLambdaContext } from '../support/lambda-context';

type Json = Parameters<StateMachine['run']>[0];

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

/** Loads an ASL file from statemachine/ (a fresh copy each time: the runner mutates it). */
export function loadDefinition(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '../../statemachine', file), 'utf8'));
}

/**
 * Runs the real ASL with aws-local-stepfunctions, every Task mapped to its real Lambda
 * handler (through middy) over whatever SDK mocks the test installed. Retry pauses and Wait
 * states are overridden to 0 ms (a Wait state is still entered, so its path is visible);
 * everything else (matching, counts, catches, paths) is the runner's.
 */
export async function runWorkflow(
  file: string,
  input: Record<string, unknown>,
  options: {
    executionName?: string;
    startTime?: string;
    /** Called before each Task's handler runs. */
    onTask?: (stateName: string) => void;
    /** The Lambda context's remaining time for a Task (default 900 s). */
    remainingTimeMs?: (stateName: string) => number;
  } = {},
): Promise<WorkflowRun> {
  const definition = loadDefinition(file) as { States: Record<string, { Type: string; Resource?: string; Retry?: unknown[] }> };
  const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const waitTimeOverrides: Record<string, number> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Retry) retryIntervalOverrides[stateName] = 0;
    if (state.Type === 'Wait') waitTimeOverrides[stateName] = 0;
    if (state.Type !== 'Task' || !state.Resource) continue;
    const placeholder = placeholderOf(state.Resource);
    const handler = placeholder ? taskHandlersByPlaceholder[placeholder] : undefined;
    if (!handler) throw new Error(`No handler for ${stateName} (${state.Resource})`);
    taskResourceLocalHandlers[stateName] = async (taskInput) => {
      options.onTask?.(stateName);
      const remaining = options.remainingTimeMs;
      return (await handler(taskInput as never, fakeLambdaContext(stateName, remaining && (() => remaining(stateName))))) as Json;
    };
  }

  // The `${…FunctionArn}` placeholders pass the validator's ARN check (as with asl-validator's
  // defaults); turning that check off makes the Resource schema ambiguous instead.
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const executionName = options.executionName ?? 'org-acme-bistro-42';
  const execution = machine.run(input as Json, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides },
    context: { Execution: { Name: executionName, StartTime: options.startTime ?? '2026-11-23T09:00:00.000Z', Input: input as Json } },
  });

  const events: WorkflowRun['events'] = [];
  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      const state = 'state' in event ? event.state : undefined;
      events.push({ type: event.type, state: state?.name, input: state?.input, output: state?.output });
    }
  })();

  let run: Pick<WorkflowRun, 'status' | 'output' | 'error'>;
  try {
    run = { status: 'SUCCEEDED', output: (await execution.result) as Record<string, unknown> };
  } catch (err) {
    if (!(err instanceof ExecutionError)) throw err;
    const cause = err.cause as Error;
    run = { status: 'FAILED', error: { name: cause.name, cause: cause.message } };
  }
  await collect;

  const failedStates = events.filter((e) => e.type === 'StateFailed').map((e) => e.state as string);
  return {
    ...run,
    entered: events.filter((e) => e.type === 'StateEntered').map((e) => e.state as string),
    retried: events.filter((e) => e.type === 'StateRetried').map((e) => e.state as string),
    failedAt: run.status === 'FAILED' ? failedStates[failedStates.length - 1] : undefined,
    events,
  };
}
