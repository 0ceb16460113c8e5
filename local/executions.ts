/**
 * The local execution port (docs/architecture.md, Local mode): the real ASL files run in-process by
 * aws-local-stepfunctions, each Task mapped to its real Lambda handler, keeping what Step
 * Functions keeps — execution names with StartExecution's `ExecutionAlreadyExists`
 * semantics, statuses, the failing state and error, and an event history — optionally in a
 * directory, so that it outlives one process.
 *
 * Runner facts this relies on (aws-local-stepfunctions 3): JSONPath only (it ignores
 * JSONata and `Assign`); it mutates the definition it runs (each run gets a clone);
 * validating a definition costs ~300 ms (done once per definition); it sets
 * `$$.Execution.StartTime` to the moment it starts (so the original start time is written
 * into the clone's payload templates, as a redrive on AWS keeps it); a Task still running
 * when the execution is aborted runs to its end, as a Lambda invocation does on AWS.
 */
import { projectRoot } from './paths';
import { isProcessAlive } from './processes';
import { ExecutionDoesNotExist, ExecutionNotRedrivable, InvalidExecutionInput, InvalidName } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  executionArnOf,
  MAX_STOP_CAUSE,
  MAX_STOP_ERROR,
  REDRIVE_WINDOW_MS,
  WORKFLOWS,
  stateMachineArn,
  stateMachineName,
  type ExecutionEvent,
  type ExecutionPort,
  type ExecutionRecord,
  type ExecutionStatus,
  type ExecutionStatusChange,
  type ExecutionSummary,
  type RedriveResult,
  type StartResult,
  type Workflow,
} from '../functions/lib/executions';
import type { TaskHandler } from '../functions/registry';
import { functionKeyOfResource, runAsFunction, runOutsideFunctions } from './function-scope';

export const LOCAL_DEFINITIONS: Record<Workflow, string> = {
  provision: join(projectRoot(), 'statemachine/provision-tenant.asl.json'),
  teardown: join(projectRoot(), 'statemachine/teardown-tenant.asl.json'),
  restore: join(projectRoot(), 'statemachine/restore-tenant.asl.json'),
};

/** Step Functions' limits (StartExecution's name and input, StopExecution's error and cause). */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_INPUT_BYTES = 262_144;
/** RedriveExecution accepts executions that ended within the last 14 days; a client token counts for 15 minutes. */
const CLIENT_TOKEN_WINDOW_MS = 15 * 60 * 1000;

/** How often another process's execution file is read again, and how long a stop asked of that process may take. */
const POLL_MS = 100;
const FOREIGN_STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------
// A Lambda context for running handlers in-process
// ---------------------------------------------------------------------------------------

/**
 * A Lambda context for calling a handler in-process. `remainingMs` drives time budgets
 * (default: 900 s, counting down from now, as a Lambda's does from its invocation).
 */
export function localLambdaContext(
  functionName: string,
  options: { remainingMs?: () => number; region?: string; accountId?: string } = {},
): Context {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const deadline = Date.now() + 900_000;
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${today}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: options.remainingMs ?? (() => Math.max(0, deadline - Date.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// ---------------------------------------------------------------------------------------
// Running one ASL definition
// ---------------------------------------------------------------------------------------

export type AslDefinition = StateMachineDefinition;
type Json = Parameters<StateMachine['run']>[0];
type RunnerEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const validDefinitions = new Set<string>();

/**
 * A deep copy of JSON data and Dates, made in this realm: the runner treats only objects
 * whose prototype is this realm's `Object.prototype` as payload templates, and under jest
 * `structuredClone` makes objects of another realm.
 */
function copy<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map((item) => copy(item)) as T;
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = copy(item);
    return result as T;
  }
  return value;
}

/** Validates a definition the way the runner does (ARNs and JSONPaths checked), once per distinct definition. */
function assertValid(definition: AslDefinition): void {
  const text = JSON.stringify(definition);
  if (validDefinitions.has(text)) return;
  assertJsonPathOnly(definition);
  new StateMachine(copy(definition), { validationOptions: { checkArn: true, checkPaths: true } });
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
function taskStates(states: AslDefinition['States']): [stateName: string, resource: string][] {
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

export type AslOutcome =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED' | 'TIMED_OUT'; error: string; cause: string; failedState?: string; failedStateType?: string }
  | { status: 'ABORTED'; error?: string; cause?: string };

export interface AslRunOptions {
  /** The handler behind a Task state; every Task must have one. */
  handlerFor: (stateName: string, resource: string) => TaskHandler | undefined;
  /** `$$.Execution.*`. A given StartTime is kept (the runner alone would use the moment it starts). */
  execution: { Id?: string; Name?: string; StartTime?: string };
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
  const clone = copy(definition);
  if (options.execution.StartTime !== undefined) pinStartTime(clone.States, options.execution.StartTime);

  let aborted = false;
  let abortReason: { error: string; cause: string } | undefined;
  const inFlight = new Set<Promise<unknown>>();
  const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
  for (const [stateName, resource] of taskStates(clone.States)) {
    const handler = options.handlerFor(stateName, resource);
    if (!handler) throw new Error(`State ${stateName} runs ${resource}, which has no local handler`);
    const functionKey = functionKeyOfResource(resource);
    taskResourceLocalHandlers[stateName] = (taskInput) => {
      // The runner retries a Task that fails after an abort; nothing new may start then.
      if (aborted) return Promise.reject(finalError('States.Runtime', 'The execution was stopped'));
      options.beforeTask?.(stateName);
      const invocation = (async () => {
        try {
          const context = options.lambdaContext(stateName, resource);
          return asJson(await runAsFunction(functionKey, () => handler(asJson(taskInput) as never, context)));
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

// ---------------------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------------------

export interface LocalExecutionPortOptions {
  /** The ASL file of each workflow (default: statemachine/provision-tenant.asl.json, teardown-tenant.asl.json). */
  definitions?: Partial<Record<Workflow, string>>;
  /** A Task whose Resource is `${XFunctionArn}` runs `handlers.XFunctionArn` (default: the real handlers, functions/registry.ts). */
  handlers?: Record<string, TaskHandler>;
  /** Pause before every retry, in ms (default: the ASL's own). */
  retryIntervalMs?: number;
  /** Wait states: the duration the ASL asks for (`'real'`, the default), or this many ms. */
  waitMs?: 'real' | number;
  /** Each Task invocation's Lambda time budget, counting down from its start (default 900 000 ms). */
  remainingTimeMs?: number;
  /** Live progress: every history event as it happens. */
  onEvent?: (workflow: Workflow, name: string, event: ExecutionEvent) => void;
  /** A directory that keeps every execution and its history (written after each change, read at construction). */
  store?: string;
  region?: string;
  accountId?: string;
  /** The stage in the state machine names (default `local`). */
  stage?: string;
  /**
   * Called when an execution this port runs ends without success, or is redriven — what Step
   * Functions reports as "Execution Status Change" events on EventBridge (the tenant ledger's
   * status tracker listens to them). `idle()` waits for what it returns.
   */
  onStatusChange?: (change: ExecutionStatusChange) => unknown;
}


interface Owner {
  pid: number;
  host: string;
}

interface Entry {
  record: ExecutionRecord;
  history: ExecutionEvent[];
  /** Orders executions started in the same millisecond. */
  seq: number;
  /** The process running it (while RUNNING). */
  owner?: Owner;
  lastRedrive?: { clientToken: string; result: RedriveResult };
}

interface LiveRun {
  runId: number;
  run: AslRun;
  /** Resolves once the record has left RUNNING. */
  closed: Promise<void>;
}

interface Prepared {
  definition: AslDefinition;
  handlerFor: (stateName: string, resource: string) => TaskHandler | undefined;
  functionName: (resource: string) => string;
}

const keyOf = (workflow: Workflow, name: string) => `${workflow}/${name}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const metadata = { $metadata: {} };

/** Step Functions' rule for an execution name (1–80 letters, digits, `-`, `_`). */
export function assertExecutionName(name: string): void {
  if (!EXECUTION_NAME.test(name)) {
    throw new InvalidName({ ...metadata, message: `Invalid Name: '${name}' (1 to 80 letters, digits, '-' and '_')` });
  }
}

/** Why an execution cannot be redriven now, in Step Functions' words; undefined when it can. */
export function notRedrivableReason(record: ExecutionRecord, now = new Date()): string | undefined {
  if (record.status === 'RUNNING' || record.status === 'SUCCEEDED' || record.status === 'PENDING_REDRIVE') {
    return `Execution is ${record.status} and cannot be redriven`;
  }
  if (record.stopDate && now.getTime() - record.stopDate.getTime() > REDRIVE_WINDOW_MS) {
    return 'Execution ended more than 14 days ago and cannot be redriven';
  }
  return undefined;
}

function isAlive(owner: Owner | undefined): boolean {
  if (!owner) return false;
  if (owner.host !== hostname()) return true;
  return isProcessAlive(owner.pid);
}

/**
 * The execution port over aws-local-stepfunctions. `start` behaves as StartExecution does
 * (same name and input while running: the same execution; otherwise `already-exists`;
 * `InvalidName` for a bad name); `stop` aborts; `redrive` re-runs a failed, timed-out or
 * aborted execution from the start under its name and input (the runner cannot resume at a
 * state; every step is idempotent). With `store`, executions another process runs are read
 * from the store, and stopped through it.
 */
export class LocalExecutionPort implements ExecutionPort {
  private readonly entries = new Map<string, Entry>();
  private readonly live = new Map<string, LiveRun>();
  private readonly running = new Set<Promise<void>>();
  private readonly prepared = new Map<Workflow, Promise<Prepared>>();
  private readonly definitionFiles: Record<Workflow, string>;
  private readonly me: Owner = { pid: process.pid, host: hostname() };
  private readonly region: string;
  private readonly accountId: string;
  private readonly stage: string;
  private runs = 0;
  private seq = 0;
  private stopWatch: NodeJS.Timeout | undefined;

  constructor(private readonly options: LocalExecutionPortOptions = {}) {
    this.definitionFiles = { ...LOCAL_DEFINITIONS, ...options.definitions };
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.stage = options.stage ?? 'local';
    if (options.store) for (const workflow of WORKFLOWS) this.scan(workflow);
  }

  stateMachineArn(workflow: Workflow): string {
    return stateMachineArn(this.region, this.accountId, this.stage, workflow);
  }

  executionArn(workflow: Workflow, name: string): string {
    return executionArnOf(this.stateMachineArn(workflow), name);
  }

  async start(workflow: Workflow, name: string, input: unknown): Promise<StartResult> {
    assertExecutionName(name);
    const text = JSON.stringify(input ?? {});
    if (Buffer.byteLength(text) > MAX_INPUT_BYTES) {
      throw new InvalidExecutionInput({ ...metadata, message: `The input of ${name} is larger than ${MAX_INPUT_BYTES} bytes` });
    }
    const prepared = await this.prepare(workflow);

    const existing = this.current(workflow, name);
    if (existing) return this.startedAgain(existing, text);
    const startDate = new Date();
    const entry: Entry = {
      record: { workflow, name, executionArn: this.executionArn(workflow, name), status: 'RUNNING', input: JSON.parse(text), startDate },
      history: [],
      seq: startDate.getTime() * 1000 + (this.seq++ % 1000),
      owner: this.me,
    };
    if (!this.claim(entry)) {
      const other = this.current(workflow, name);
      if (other) return this.startedAgain(other, text);
      throw new Error(`The execution ${name} could not be recorded in ${this.options.store}`);
    }
    this.entries.set(keyOf(workflow, name), entry);
    this.launch(entry, prepared);
    return { started: true, executionArn: entry.record.executionArn };
  }

  async describe(workflow: Workflow, name: string): Promise<ExecutionRecord | undefined> {
    const entry = this.current(workflow, name);
    return entry && this.view(entry);
  }

  async history(workflow: Workflow, name: string): Promise<ExecutionEvent[] | undefined> {
    const entry = this.current(workflow, name);
    return entry && copy(entry.history);
  }

  async stop(workflow: Workflow, name: string, reason: { error: string; cause: string }): Promise<void> {
    const entry = this.current(workflow, name);
    if (!entry || entry.record.status !== 'RUNNING') return;
    const stopReason = { error: reason.error.slice(0, MAX_STOP_ERROR), cause: reason.cause.slice(0, MAX_STOP_CAUSE) };
    const live = this.live.get(keyOf(workflow, name));
    if (live) {
      live.run.abort(stopReason);
      await live.closed;
      return;
    }
    await this.stopElsewhere(entry, stopReason);
  }

  async *list(workflow: Workflow, options: { status?: ExecutionStatus } = {}): AsyncIterable<ExecutionSummary> {
    if (this.options.store) this.scan(workflow);
    const entries = [...this.entries.values()]
      .filter((e) => e.record.workflow === workflow && (options.status === undefined || e.record.status === options.status))
      .sort((a, b) => b.record.startDate.getTime() - a.record.startDate.getTime() || b.seq - a.seq);
    for (const { record } of entries) {
      yield {
        workflow,
        name: record.name,
        executionArn: record.executionArn,
        status: record.status,
        startDate: record.startDate,
        ...(record.stopDate === undefined ? {} : { stopDate: record.stopDate }),
      };
    }
  }

  async waitFor(workflow: Workflow, name: string, options: { timeoutMs?: number } = {}): Promise<ExecutionRecord> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      const entry = this.current(workflow, name);
      if (!entry) throw new ExecutionDoesNotExist({ ...metadata, message: `Execution Does Not Exist: '${this.executionArn(workflow, name)}'` });
      if (entry.record.status !== 'RUNNING') return this.view(entry);
      const left = deadline - Date.now();
      if (left <= 0) throw Object.assign(new Error(`${workflow} execution ${name} is still running after ${options.timeoutMs} ms`), { name: 'ExecutionStillRunning' });
      const closed = this.live.get(keyOf(workflow, name))?.closed ?? sleep(POLL_MS);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(left, 2 ** 31 - 1))))]);
      clearTimeout(timer);
    }
  }

  async redrive(workflow: Workflow, name: string, options: { clientToken?: string } = {}): Promise<RedriveResult> {
    const prepared = await this.prepare(workflow);
    const entry = this.current(workflow, name);
    if (!entry) throw new ExecutionDoesNotExist({ ...metadata, message: `Execution Does Not Exist: '${this.executionArn(workflow, name)}'` });
    const last = entry.lastRedrive;
    if (options.clientToken !== undefined && last?.clientToken === options.clientToken && Date.now() - last.result.redriveDate.getTime() < CLIENT_TOKEN_WINDOW_MS) {
      return { ...last.result };
    }
    const reason = notRedrivableReason(entry.record);
    if (reason) throw new ExecutionNotRedrivable({ ...metadata, message: reason });

    const redriveDate = new Date();
    const redriveCount = (entry.record.redriveCount ?? 0) + 1;
    const result: RedriveResult = { executionArn: entry.record.executionArn, redriveDate, redriveFrom: 'start' };
    const { workflow: w, name: n, executionArn, input, startDate } = entry.record;
    entry.record = { workflow: w, name: n, executionArn, status: 'RUNNING', input, startDate, redriveCount, redriveDate, redriveFrom: 'start' };
    entry.owner = this.me;
    if (options.clientToken !== undefined) entry.lastRedrive = { clientToken: options.clientToken, result };
    this.append(entry, { type: 'ExecutionRedriven', timestamp: redriveDate, redriveCount });
    this.launch(entry, prepared);
    this.notify({ executionArn, name: n, status: 'RUNNING', redriveCount });
    return { ...result };
  }

  /**
   * Forgets every closed execution that ended before `cutoff`, as Step Functions does 90 days
   * after an execution ends (30 on request): DescribeExecution then finds no such execution and
   * StartExecution accepts its name again. Lets tests age the world. Returns the names forgotten.
   */
  forgetClosedBefore(cutoff: Date): { workflow: Workflow; name: string }[] {
    const forgotten: { workflow: Workflow; name: string }[] = [];
    for (const workflow of WORKFLOWS) {
      if (this.options.store) this.scan(workflow);
      for (const [key, entry] of [...this.entries]) {
        const { record } = entry;
        if (record.workflow !== workflow || record.status === 'RUNNING' || !record.stopDate || record.stopDate >= cutoff || this.live.has(key)) continue;
        this.entries.delete(key);
        if (this.options.store) rmSync(this.file(workflow, record.name), { force: true });
        forgotten.push({ workflow, name: record.name });
      }
    }
    return forgotten;
  }

  /** Resolves when nothing this port started is still running: no execution and no Task handler (one outlives a stop). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  // -------------------------------------------------------------------------------------

  private prepare(workflow: Workflow): Promise<Prepared> {
    let prepared = this.prepared.get(workflow);
    if (!prepared) {
      prepared = this.load(workflow);
      prepared.catch(() => this.prepared.delete(workflow));
      this.prepared.set(workflow, prepared);
    }
    return prepared;
  }

  private async load(workflow: Workflow): Promise<Prepared> {
    const definition = loadAslDefinition(this.definitionFiles[workflow]);
    // The real handlers read their configuration when their modules load: loaded only now,
    // and only when no handlers were given.
    const handlers = this.options.handlers ?? (await import('../functions/registry')).taskHandlersByPlaceholder;
    const byResource = new Map(Object.entries(handlers).map(([placeholder, handler]) => [`\${${placeholder}}`, handler]));
    const handlerFor = (_stateName: string, resource: string) => byResource.get(resource);
    for (const [stateName, resource] of taskStates(definition.States)) {
      if (!handlerFor(stateName, resource)) {
        throw new Error(`The ${workflow} workflow's state ${stateName} runs ${resource}, which has no local handler`);
      }
    }
    const functionName = (resource: string) => `tenant-provisioner-${this.stage}-${functionKeyOfResource(resource)}`;
    return { definition, handlerFor, functionName };
  }

  /** Step Functions runs the execution (and reports its end), not the function that asked for it. */
  private launch(entry: Entry, prepared: Prepared): void {
    runOutsideFunctions(() => this.runExecution(entry, prepared));
  }

  private runExecution(entry: Entry, prepared: Prepared): void {
    const { workflow, name } = entry.record;
    const key = keyOf(workflow, name);
    const runId = ++this.runs;
    const budget = this.options.remainingTimeMs ?? 900_000;
    const run = runAsl(prepared.definition, entry.record.input, {
      handlerFor: prepared.handlerFor,
      execution: { Id: entry.record.executionArn, Name: name, StartTime: entry.record.startDate.toISOString() },
      stateMachine: { Id: this.stateMachineArn(workflow), Name: stateMachineName(this.stage, workflow) },
      lambdaContext: (_stateName, resource) => {
        const deadline = Date.now() + budget;
        return localLambdaContext(prepared.functionName(resource), { remainingMs: () => Math.max(0, deadline - Date.now()), region: this.region, accountId: this.accountId });
      },
      ...(this.options.retryIntervalMs === undefined ? {} : { retryIntervalMs: this.options.retryIntervalMs }),
      ...(this.options.waitMs === undefined || this.options.waitMs === 'real' ? {} : { waitMs: this.options.waitMs }),
      onEvent: (event) => {
        if (this.live.get(key)?.runId !== runId) return;
        // A redriven execution keeps its first ExecutionStarted (as on AWS).
        if (event.type === 'ExecutionStarted' && entry.history.length > 0) return;
        this.append(entry, event);
      },
    });
    const closed = run.outcome.then(
      (outcome) => this.close(entry, runId, outcome),
      (err: unknown) => this.close(entry, runId, { status: 'FAILED', error: err instanceof Error ? err.name : 'Error', cause: err instanceof Error ? err.message : String(err) }),
    );
    this.live.set(key, { runId, run, closed });
    const settled = run.settled.then(() => closed);
    this.running.add(settled);
    const forget = () => this.running.delete(settled);
    settled.then(forget, forget);
    this.watchStopRequests();
  }

  private close(entry: Entry, runId: number, outcome: AslOutcome): void {
    const { workflow, name } = entry.record;
    const key = keyOf(workflow, name);
    if (this.live.get(key)?.runId !== runId) return;
    this.live.delete(key);
    const record: ExecutionRecord = { ...entry.record, status: outcome.status, stopDate: new Date() };
    if (outcome.status === 'SUCCEEDED') record.output = outcome.output;
    if (outcome.status !== 'SUCCEEDED') {
      if (outcome.error !== undefined) record.error = outcome.error;
      if (outcome.cause !== undefined) record.cause = outcome.cause;
    }
    if ((outcome.status === 'FAILED' || outcome.status === 'TIMED_OUT') && outcome.failedState !== undefined) {
      record.failedState = outcome.failedState;
      if (outcome.failedStateType !== undefined) record.failedStateType = outcome.failedStateType;
    }
    entry.record = record;
    delete entry.owner;
    this.persist(entry);
    if (record.status !== 'SUCCEEDED') {
      this.notify({
        executionArn: record.executionArn,
        name,
        status: record.status,
        ...(record.error === undefined ? {} : { error: record.error }),
        ...(record.cause === undefined ? {} : { cause: record.cause }),
        ...(record.stopDate === undefined ? {} : { stopDate: record.stopDate.toISOString() }),
      });
    }
    if (this.live.size === 0 && this.stopWatch) {
      clearInterval(this.stopWatch);
      this.stopWatch = undefined;
    }
  }

  /** Reports a status change to `onStatusChange`; `idle()` waits for it, and its failure is only logged (as a lost EventBridge delivery would be). */
  private notify(change: ExecutionStatusChange): void {
    const listener = this.options.onStatusChange;
    if (!listener) return;
    const delivered = Promise.resolve()
      .then(() => listener(change))
      .then(
        () => undefined,
        (err: unknown) => {
          process.stderr.write(`local execution port: the status change of ${change.name} (${change.status}) was not delivered: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      );
    this.running.add(delivered);
    void delivered.then(() => this.running.delete(delivered));
  }

  private append(entry: Entry, event: ExecutionEvent): void {
    entry.history.push(event);
    this.persist(entry);
    try {
      this.options.onEvent?.(entry.record.workflow, entry.record.name, copy(event));
    } catch {
      // An observer's fault must not change the execution.
    }
  }

  /** A start for a name already taken: the same execution when it runs with the same input, as StartExecution does. */
  private startedAgain(entry: Entry, inputText: string): StartResult {
    if (entry.record.status === 'RUNNING' && JSON.stringify(entry.record.input) === inputText) {
      return { started: true, executionArn: entry.record.executionArn };
    }
    return { started: false, reason: 'already-exists' };
  }

  private view(entry: Entry): ExecutionRecord {
    const record = copy(entry.record);
    if (record.status !== 'RUNNING') {
      const reason = notRedrivableReason(record);
      record.redriveStatus = reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE';
      if (reason) record.redriveStatusReason = reason;
    }
    return record;
  }

  /** The entry as it is now: this port's own, or read again from the store when another process may change it. */
  private current(workflow: Workflow, name: string): Entry | undefined {
    const key = keyOf(workflow, name);
    if (this.live.has(key) || !this.options.store) return this.entries.get(key);
    const entry = this.read(workflow, name);
    if (entry) this.entries.set(key, entry);
    else this.entries.delete(key);
    return entry;
  }

  // -------------------------------------------------------------------------------------
  // The store: <store>/<workflow>/<name>.json, written whole and renamed into place.

  private file(workflow: Workflow, name: string, suffix = '.json'): string {
    return join(this.options.store as string, workflow, `${name}${suffix}`);
  }

  private serialize(entry: Entry): string {
    return JSON.stringify({ version: 1, ...entry });
  }

  private persist(entry: Entry): void {
    if (!this.options.store) return;
    const file = this.file(entry.record.workflow, entry.record.name);
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, this.serialize(entry));
    renameSync(temporary, file);
  }

  /** Takes the name in the store; false when another process took it first. */
  private claim(entry: Entry): boolean {
    if (!this.options.store) return true;
    const file = this.file(entry.record.workflow, entry.record.name);
    mkdirSync(join(this.options.store, entry.record.workflow), { recursive: true });
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, this.serialize(entry));
    try {
      linkSync(temporary, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      unlinkSync(temporary);
    }
  }

  private read(workflow: Workflow, name: string): Entry | undefined {
    const file = this.file(workflow, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let entry: Entry;
    try {
      entry = revive(JSON.parse(text));
    } catch (err) {
      throw new Error(`${file} is not a local execution record (${(err as Error).message})`, { cause: err });
    }
    if (entry.record.status === 'RUNNING' && !isAlive(entry.owner)) {
      // Its process ended without closing it: nothing runs it any more.
      entry.record = {
        ...entry.record,
        status: 'ABORTED',
        stopDate: new Date(),
        error: 'LocalRunnerExited',
        cause: `The process that ran this execution (pid ${entry.owner?.pid ?? 'unknown'}) ended before it finished`,
      };
      delete entry.owner;
      entry.history.push({ type: 'ExecutionAborted', timestamp: entry.record.stopDate as Date, error: entry.record.error, cause: entry.record.cause });
      this.persist(entry);
    }
    return entry;
  }

  private scan(workflow: Workflow): void {
    const directory = join(this.options.store as string, workflow);
    if (!existsSync(directory)) return;
    const names = new Set<string>();
    for (const file of readdirSync(directory)) {
      const match = /^([A-Za-z0-9_-]{1,80})\.json$/.exec(file);
      if (match?.[1]) names.add(match[1]);
    }
    for (const key of [...this.entries.keys()]) {
      const entry = this.entries.get(key);
      if (entry?.record.workflow === workflow && !names.has(entry.record.name) && !this.live.has(key)) this.entries.delete(key);
    }
    for (const name of names) this.current(workflow, name);
  }

  /** Asks the process running the execution to stop it (through the store), and waits until it has. */
  private async stopElsewhere(entry: Entry, reason: { error: string; cause: string }): Promise<void> {
    const { workflow, name } = entry.record;
    const request = this.file(workflow, name, '.stop.json');
    writeFileSync(request, JSON.stringify(reason));
    const deadline = Date.now() + FOREIGN_STOP_TIMEOUT_MS;
    try {
      for (;;) {
        const now = this.read(workflow, name);
        if (!now || now.record.status !== 'RUNNING') return;
        if (Date.now() > deadline) {
          throw new Error(`${workflow} execution ${name} runs in process ${now.owner?.pid ?? 'unknown'}, which did not stop it within ${FOREIGN_STOP_TIMEOUT_MS / 1000} s`);
        }
        await sleep(POLL_MS);
      }
    } finally {
      rmSync(request, { force: true });
    }
  }

  /** While this port runs executions with a store, another process may ask (through it) to stop one. */
  private watchStopRequests(): void {
    if (!this.options.store || this.stopWatch) return;
    this.stopWatch = setInterval(() => {
      for (const [key, live] of this.live) {
        const [workflow, name] = key.split('/') as [Workflow, string];
        const request = this.file(workflow, name, '.stop.json');
        let reason: { error: string; cause: string };
        try {
          reason = JSON.parse(readFileSync(request, 'utf8'));
        } catch {
          continue;
        }
        rmSync(request, { force: true });
        live.run.abort(reason);
      }
    }, POLL_MS);
    this.stopWatch.unref();
  }
}

/** A stored entry with its dates as Dates again. */
function revive(stored: Entry & { version?: number }): Entry {
  const date = (value: unknown) => new Date(value as string);
  const { record } = stored;
  const entry: Entry = {
    record: {
      ...record,
      startDate: date(record.startDate),
      ...(record.stopDate === undefined ? {} : { stopDate: date(record.stopDate) }),
      ...(record.redriveDate === undefined ? {} : { redriveDate: date(record.redriveDate) }),
    },
    history: stored.history.map((event) => ({ ...event, timestamp: date(event.timestamp) })),
    seq: stored.seq,
  };
  if (stored.owner) entry.owner = stored.owner;
  if (stored.lastRedrive) entry.lastRedrive = { clientToken: stored.lastRedrive.clientToken, result: { ...stored.lastRedrive.result, redriveDate: date(stored.lastRedrive.result.redriveDate) } };
  return entry;
}
