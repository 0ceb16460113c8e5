/**
 * The adapter over aws-local-stepfunctions (docs/architecture.md, Local mode): loads and
 * validates an ASL definition, and runs one execution of it in-process with every Task mapped
 * to a Lambda handler called as Lambda calls it, its events translated into Step Functions'
 * history events and its end into Step Functions' outcome.
 *
 * Runner facts this relies on (aws-local-stepfunctions 3): JSONPath only (it ignores
 * JSONata and `Assign`); it mutates the definition it runs (each run gets a clone);
 * validating a definition costs ~300 ms (done once per definition); it sets
 * `$$.Execution.StartTime` to the moment it starts (so a given start time is written into the
 * clone's payload templates, as a redrive on AWS keeps it); a Task still running when the
 * execution is aborted runs to its end, as a Lambda invocation does on AWS.
 */
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { readFileSync } from 'node:fs';
import type { ExecutionEvent } from '../functions/lib/executions';
import type { TaskHandler } from '../functions/registry';
import { functionKeyOfResource, runAsFunction } from './function-scope';

export type AslDefinition = StateMachineDefinition;
type Json = Parameters<StateMachine['run']>[0];
type RunnerEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const validDefinitions = new Set<string>();

/**
 * A deep copy of JSON data and Dates, made in this realm: the runner treats only objects
 * whose prototype is this realm's `Object.prototype` as payload templates, and under jest
 * `structuredClone` makes objects of another realm.
 */
export function copyData<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map((item) => copyData(item)) as T;
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = copyData(item);
    return result as T;
  }
  return value;
}

/** Validates a definition the way the runner does (ARNs and JSONPaths checked), once per distinct definition. */
function assertValid(definition: AslDefinition): void {
  const text = JSON.stringify(definition);
  if (validDefinitions.has(text)) return;
  assertJsonPathOnly(definition);
  new StateMachine(copyData(definition), { validationOptions: { checkArn: true, checkPaths: true } });
  validDefinitions.add(text);
}

/** The runner ignores JSONata and `Assign`: a definition using them would run, wrongly. */
function assertJsonPathOnly(definition: AslDefinition): void {
  for (const [name, state] of allStates(definition.States)) {
    const { QueryLanguage, Assign } = state as { QueryLanguage?: string; Assign?: unknown };
    if (QueryLanguage === 'JSONata' || Assign !== undefined) {
      throw new Error(`State ${name} uses JSONata or Assign, which the local runner does not support`);
    }
  }
}

/** Reads an ASL file and validates it (JSONPath only; ARNs and paths checked; once per content). */
export function loadAslDefinition(file: string): AslDefinition {
  const definition = JSON.parse(readFileSync(file, 'utf8')) as AslDefinition & { QueryLanguage?: string };
  if (definition.QueryLanguage === 'JSONata') throw new Error(`${file} uses JSONata, which the local runner does not support`);
  assertValid(definition);
  return definition;
}

/** Every Task state (nested ones too) with its Resource. */
export function taskStates(states: AslDefinition['States']): [stateName: string, resource: string][] {
  return allStates(states).flatMap(([name, state]) => (state.Type === 'Task' ? [[name, state.Resource] as [string, string]] : []));
}

/** Every state, those inside Parallel branches and Map processors too. */
function allStates(states: AslDefinition['States']): [string, AslDefinition['States'][string]][] {
  const all: [string, AslDefinition['States'][string]][] = [];
  for (const [name, state] of Object.entries(states)) {
    all.push([name, state]);
    if (state.Type === 'Parallel') for (const branch of state.Branches) all.push(...allStates(branch.States));
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) all.push(...allStates(processor.States));
    }
  }
  return all;
}

/** Payload templates' `"x.$": "$$.Execution.StartTime"` become `"x": "<startTime>"`. */
function pinStartTime(node: unknown, startTime: string): void {
  if (Array.isArray(node)) {
    for (const item of node) pinStartTime(item, startTime);
  } else if (node !== null && typeof node === 'object') {
    const object = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(object)) {
      if (key.endsWith('.$') && value === '$$.Execution.StartTime') {
        delete object[key];
        object[key.slice(0, -2)] = startTime;
      } else {
        pinStartTime(value, startTime);
      }
    }
  }
}

/** The context values aws-local-stepfunctions does not give, which the runner fills in per invocation. */
const PER_INVOCATION_CONTEXT = { '$$.State.RetryCount': 'retryCount', '$$.Execution.RedriveCount': 'redriveCount' } as const;
type PerInvocationValue = (typeof PER_INVOCATION_CONTEXT)[keyof typeof PER_INVOCATION_CONTEXT];

/**
 * Takes out of each Task's top-level Parameters the keys that read `$$.State.RetryCount` or
 * `$$.Execution.RedriveCount` (aws-local-stepfunctions fails on both: its context object is
 * fixed when the run starts), returning them by state so the runner can add them to the Task's
 * input itself, as Step Functions would have: the retry this invocation is (0 for the first
 * attempt) and how many times the execution was redriven.
 */
function takePerInvocationParameters(states: AslDefinition['States']): Map<string, [string, PerInvocationValue][]> {
  const taken = new Map<string, [string, PerInvocationValue][]>();
  for (const [stateName, state] of allStates(states)) {
    const parameters = (state as { Parameters?: unknown }).Parameters;
    if (state.Type !== 'Task' || parameters === null || typeof parameters !== 'object') continue;
    for (const [key, value] of Object.entries(parameters as Record<string, unknown>)) {
      const which = typeof value === 'string' && key.endsWith('.$') ? PER_INVOCATION_CONTEXT[value as keyof typeof PER_INVOCATION_CONTEXT] : undefined;
      if (!which) continue;
      delete (parameters as Record<string, unknown>)[key];
      taken.set(stateName, [...(taken.get(stateName) ?? []), [key.slice(0, -2), which]]);
    }
  }
  return taken;
}

export type AslOutcome =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED' | 'TIMED_OUT'; error: string; cause: string; failedState?: string; failedStateType?: string }
  | { status: 'ABORTED'; error?: string; cause?: string };

export interface AslRunOptions {
  /** The handler behind a Task state; every Task must have one. */
  handlerFor: (stateName: string, resource: string) => TaskHandler | undefined;
  /** `$$.Execution.*`. A given StartTime is kept (the runner alone would use the moment it starts). */
  execution: { Id?: string; Name?: string; StartTime?: string; RedriveCount?: number };
  /** `$$.StateMachine.*`. */
  stateMachine?: { Id: string; Name: string };
  /** The Lambda context for one invocation of a Task's handler. */
  lambdaContext: (stateName: string, resource: string) => Context;
  /** Pause before every retry, in ms (default: the ASL's own intervals, backoff and jitter). */
  retryIntervalMs?: number;
  /** Every Wait state's pause, in ms (default: the duration the ASL asks for). */
  waitMs?: number;
  /** Called before each Task's handler runs. */
  beforeTask?: (stateName: string) => void;
  onEvent?: (event: ExecutionEvent) => void;
}

export interface AslRun {
  /** Aborts the execution; a Task handler already running finishes, and no other starts. */
  abort(reason?: { error: string; cause: string }): void;
  /** Settles when the execution has ended and every event has reached `onEvent`; rejects only on a runner fault. */
  outcome: Promise<AslOutcome>;
  /** Settles when, in addition, no Task handler of this run is still running. */
  settled: Promise<void>;
}

/** An error the runner neither retries nor catches (the shape of its own `isRetryable`/`isCatchable`). */
function finalError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, isRetryable: false, isCatchable: false });
}

/**
 * What a Lambda error looks like to Step Functions: its name (`ErrorEquals` matches it) and
 * its message (locally the `Cause`; on AWS the Cause is Lambda's JSON around it). The SDK
 * error a domain error carries as `cause` is not passed on.
 */
function asTaskError(err: unknown): Error {
  const error = new Error(err instanceof Error ? err.message : String(err));
  error.name = err instanceof Error ? err.name : 'Error';
  return error;
}

/** What Lambda does to a result: JSON in, JSON out (`undefined` becomes `null`, Dates become strings). */
function asJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause) ?? '';
}

/**
 * Runs one execution of `definition` (validated first, once) with aws-local-stepfunctions,
 * every Task state mapped to `handlerFor(state, resource)` called as Lambda would call it.
 * @throws Error at once when a Task has no handler or the definition is invalid.
 */
export function runAsl(definition: AslDefinition, input: unknown, options: AslRunOptions): AslRun {
  assertValid(definition);
  const clone = copyData(definition);
  if (options.execution.StartTime !== undefined) pinStartTime(clone.States, options.execution.StartTime);

  let aborted = false;
  let abortReason: { error: string; cause: string } | undefined;
  const inFlight = new Set<Promise<unknown>>();
  const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
  const perInvocation = takePerInvocationParameters(clone.States);
  /**
   * Invocations of each Task since it last succeeded: `$$.State.RetryCount` of the next one. A
   * state is entered anew only after it succeeded, but for a state left by a Catch and entered
   * again in a loop (none of ours reads RetryCount); events reach the runner too late to tell.
   */
  const attempts = new Map<string, number>();
  for (const [stateName, resource] of taskStates(clone.States)) {
    const handler = options.handlerFor(stateName, resource);
    if (!handler) throw new Error(`State ${stateName} runs ${resource}, which has no local handler`);
    const functionKey = functionKeyOfResource(resource);
    taskResourceLocalHandlers[stateName] = (taskInput) => {
      // The runner retries a Task that fails after an abort; nothing new may start then.
      if (aborted) return Promise.reject(finalError('States.Runtime', 'The execution was stopped'));
      options.beforeTask?.(stateName);
      const attempt = attempts.get(stateName) ?? 0;
      attempts.set(stateName, attempt + 1);
      const values: Record<PerInvocationValue, number> = { retryCount: attempt, redriveCount: options.execution.RedriveCount ?? 0 };
      const given = perInvocation.get(stateName);
      const fullInput = given && taskInput !== null && typeof taskInput === 'object' && !Array.isArray(taskInput)
        ? { ...taskInput, ...Object.fromEntries(given.map(([key, which]) => [key, values[which]])) }
        : taskInput;
      const invocation = (async () => {
        try {
          const context = options.lambdaContext(stateName, resource);
          const output = asJson(await runAsFunction(functionKey, () => handler(asJson(fullInput) as never, context)));
          attempts.delete(stateName);
          return output;
        } catch (err) {
          throw asTaskError(err);
        }
      })();
      inFlight.add(invocation);
      const done = () => inFlight.delete(invocation);
      invocation.then(done, done);
      return invocation;
    };
  }
  const retryIntervalOverrides: Record<string, number> = {};
  const waitTimeOverrides: Record<string, number> = {};
  for (const [stateName, state] of allStates(clone.States)) {
    if (options.retryIntervalMs !== undefined && 'Retry' in state && state.Retry) retryIntervalOverrides[stateName] = options.retryIntervalMs;
    if (options.waitMs !== undefined && state.Type === 'Wait') waitTimeOverrides[stateName] = options.waitMs;
  }

  const executionInput = asJson(input);
  const runOptions: RunOptions = {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides },
    context: { Execution: { ...options.execution, Input: executionInput }, ...(options.stateMachine ? { StateMachine: options.stateMachine } : {}) },
  };
  const machine = new StateMachine(clone, { validationOptions: { noValidate: true } });
  const execution = machine.run(executionInput, runOptions);

  const enteredAt = new Map<string, number>();
  const lastError = new Map<string, { error: string; cause: string }>();
  let lastFailed: { state: string; stateType: string } | undefined;
  let current: { state: string; stateType: string } | undefined;

  const deliver = (event: ExecutionEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // An observer's fault must not change the execution.
    }
  };
  const translate = (event: RunnerEvent): ExecutionEvent | undefined => {
    const timestamp = new Date(event.timestamp);
    switch (event.type) {
      case 'ExecutionStarted':
        return { type: 'ExecutionStarted', timestamp, input: event.input };
      case 'ExecutionSucceeded':
        return { type: 'ExecutionSucceeded', timestamp, output: event.output };
      case 'ExecutionFailed':
        return { type: 'ExecutionFailed', timestamp, ...lastFailed, error: event.Error, cause: causeText(event.Cause) };
      case 'ExecutionAborted':
        aborted = true;
        return { type: 'ExecutionAborted', timestamp, ...abortReason };
      case 'ExecutionTimeout':
        aborted = true;
        return { type: 'ExecutionTimedOut', timestamp, ...current, error: 'States.Timeout', cause: 'The execution ran longer than its TimeoutSeconds' };
      case 'StateEntered':
        enteredAt.set(event.state.name, event.timestamp);
        current = { state: event.state.name, stateType: event.state.type };
        return { type: 'StateEntered', timestamp, state: event.state.name, stateType: event.state.type, input: event.state.input };
      case 'StateExited':
        return {
          type: 'StateExited',
          timestamp,
          state: event.state.name,
          stateType: event.state.type,
          output: event.state.output,
          durationMs: event.timestamp - (enteredAt.get(event.state.name) ?? event.timestamp),
        };
      case 'StateFailed': {
        const failure = { error: event.Error, cause: causeText(event.Cause) };
        lastError.set(event.state.name, failure);
        lastFailed = { state: event.state.name, stateType: event.state.type };
        return {
          type: 'StateFailed',
          timestamp,
          state: event.state.name,
          stateType: event.state.type,
          ...failure,
          durationMs: event.timestamp - (enteredAt.get(event.state.name) ?? event.timestamp),
        };
      }
      case 'StateRetried':
        return { type: 'StateRetried', timestamp, state: event.state.name, stateType: event.state.type, ...lastError.get(event.state.name), retryAttempt: event.retry.attempt };
      case 'StateCaught':
        return { type: 'StateCaught', timestamp, state: event.state.name, stateType: event.state.type, ...lastError.get(event.state.name), next: event.catch.catcher.Next };
      default:
        // Map iteration and Parallel branch bookkeeping; their states' events come through as State*.
        return undefined;
    }
  };
  const collected = (async () => {
    for await (const event of execution.eventLogs) {
      const translated = translate(event);
      if (translated) deliver(translated);
    }
  })();

  const outcome = (async (): Promise<AslOutcome> => {
    let result: AslOutcome;
    try {
      result = { status: 'SUCCEEDED', output: await execution.result };
    } catch (err) {
      if (err instanceof ExecutionAbortedError) {
        result = { status: 'ABORTED', ...abortReason };
      } else if (err instanceof ExecutionTimeoutError) {
        result = { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution ran longer than its TimeoutSeconds' };
      } else if (err instanceof ExecutionError) {
        const failure = err.cause instanceof Error ? err.cause : new Error(String(err.cause));
        result = { status: 'FAILED', error: failure.name, cause: failure.message };
      } else {
        throw err;
      }
    }
    await collected;
    if (result.status === 'FAILED' && lastFailed) result = { ...result, failedState: lastFailed.state, failedStateType: lastFailed.stateType };
    if (result.status === 'TIMED_OUT' && current) result = { ...result, failedState: current.state, failedStateType: current.stateType };
    return result;
  })();

  const settled = outcome.then(drain, drain);
  async function drain(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    abort: (reason) => {
      if (aborted) return;
      aborted = true;
      abortReason = reason;
      execution.abort();
    },
    outcome,
    settled,
  };
}
