/**
 * The local execution port (docs/architecture.md, Local mode): the real ASL files run in-process
 * (asl-runner.ts), each Task mapped to its real Lambda handler, keeping what Step Functions
 * keeps — execution names with StartExecution's `ExecutionAlreadyExists` semantics, statuses,
 * the failing state and error, an event history, redrives with their client tokens —
 * optionally in a directory (execution-store.ts), so that it outlives one process.
 */
import { ExecutionNotRedrivable, InvalidExecutionInput, InvalidName } from '@aws-sdk/client-sfn';
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
  type ExecutionRecord,
  type ExecutionStatus,
  type ExecutionStatusChange,
  type ExecutionSummary,
  type RedriveResult,
  type StartResult,
  type Workflow,
} from '../functions/lib/executions';
import { executionDoesNotExist, waitUntilEnded, type OperatorPort } from '../functions/lib/operator-port';
import type { TaskHandler } from '../functions/registry';
import { copyData, loadAslDefinition, runAsl, taskStates, type AslDefinition, type AslOutcome, type AslRun } from './asl-runner';
import {
  FileExecutionStore,
  keyOf,
  MemoryExecutionStore,
  POLL_MS,
  thisProcess,
  type ExecutionEntry,
  type ExecutionStore,
  type Owner,
} from './execution-store';
import { functionKeyOfResource, runOutsideFunctions } from './function-scope';
import { localLambdaContext } from './lambda-context';
import { projectRoot } from './paths';

export const LOCAL_DEFINITIONS: Record<Workflow, string> = {
  provision: join(projectRoot(), 'statemachine/provision-tenant.asl.json'),
  teardown: join(projectRoot(), 'statemachine/teardown-tenant.asl.json'),
  restore: join(projectRoot(), 'statemachine/restore-tenant.asl.json'),
};

/** Step Functions' limits (StartExecution's name and input). */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_INPUT_BYTES = 262_144;
/** A RedriveExecution client token counts for 15 minutes. */
const CLIENT_TOKEN_WINDOW_MS = 15 * 60 * 1000;

const metadata = { $metadata: {} };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

export interface LocalExecutionPortOptions {
  /** The ASL file of each workflow (default: statemachine/provision-tenant.asl.json, teardown-tenant.asl.json). */
  definitions?: Partial<Record<Workflow, string>>;
  /**
   * A Task whose Resource is `${XFunctionArn}` runs `handlers.XFunctionArn` (functions/registry.ts's
   * `taskHandlers` builds the real ones). Needed to start or redrive; a port that only reads and
   * stops (tenantctl's) has none.
   */
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
  /** The account in the state machines' ARNs: the emulator's (local/stack.ts localAccountId); default 123456789012, for runs with no emulator. */
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

/** An execution this port runs now. */
interface LiveRun {
  runId: number;
  entry: ExecutionEntry;
  run: AslRun;
  /** Resolves once the record has left RUNNING. */
  closed: Promise<void>;
}

interface Prepared {
  definition: AslDefinition;
  handlerFor: (stateName: string, resource: string) => TaskHandler | undefined;
  functionName: (resource: string) => string;
}

/**
 * The execution port over aws-local-stepfunctions. `start` behaves as StartExecution does
 * (same name and input while running: the same execution; otherwise `already-exists`;
 * `InvalidName` for a bad name); `stop` aborts; `redrive` re-runs a failed, timed-out or
 * aborted execution from the start under its name and input (the runner cannot resume at a
 * state; every step is idempotent). With `store`, executions another process runs are read
 * from the store, and stopped through it.
 */
export class LocalExecutionPort implements OperatorPort {
  private readonly store: ExecutionStore;
  private readonly live = new Map<string, LiveRun>();
  private readonly running = new Set<Promise<void>>();
  private readonly prepared = new Map<Workflow, Promise<Prepared>>();
  private readonly definitionFiles: Record<Workflow, string>;
  private readonly me: Owner = thisProcess();
  private readonly region: string;
  private readonly accountId: string;
  private readonly stage: string;
  private runs = 0;
  private seq = 0;
  private stopWatch: (() => void) | undefined;

  constructor(private readonly options: LocalExecutionPortOptions = {}) {
    this.definitionFiles = { ...LOCAL_DEFINITIONS, ...options.definitions };
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.stage = options.stage ?? 'local';
    this.store = options.store ? new FileExecutionStore(options.store) : new MemoryExecutionStore();
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
    const entry: ExecutionEntry = {
      record: { workflow, name, executionArn: this.executionArn(workflow, name), status: 'RUNNING', input: JSON.parse(text), startDate },
      history: [],
      seq: startDate.getTime() * 1000 + (this.seq++ % 1000),
      owner: this.me,
    };
    if (!this.store.claim(entry)) {
      const other = this.current(workflow, name);
      if (other) return this.startedAgain(other, text);
      throw new Error(`The execution ${name} could not be recorded in ${this.options.store}`);
    }
    this.launch(entry, prepared);
    return { started: true, executionArn: entry.record.executionArn };
  }

  async describe(workflow: Workflow, name: string): Promise<ExecutionRecord | undefined> {
    const entry = this.current(workflow, name);
    return entry && this.view(entry);
  }

  async history(workflow: Workflow, name: string): Promise<ExecutionEvent[] | undefined> {
    const entry = this.current(workflow, name);
    return entry && copyData(entry.history);
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
    await this.store.stopElsewhere(entry, stopReason);
  }

  async *list(workflow: Workflow, options: { status?: ExecutionStatus } = {}): AsyncIterable<ExecutionSummary> {
    const entries = this.entriesOf(workflow)
      .filter((e) => options.status === undefined || e.record.status === options.status)
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

  /** Waits on the run itself when this port runs it; reads the store again every POLL_MS when another process does. */
  waitFor(workflow: Workflow, name: string, options: { timeoutMs?: number } = {}): Promise<ExecutionRecord> {
    const read = async () => {
      const entry = this.current(workflow, name);
      return entry && this.view(entry);
    };
    const pause = async (left: number) => {
      const closed = this.live.get(keyOf(workflow, name))?.closed ?? sleep(POLL_MS);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(left, 2 ** 31 - 1))))]);
      clearTimeout(timer);
    };
    return waitUntilEnded(this, workflow, name, { read, pause }, options);
  }

  async redrive(workflow: Workflow, name: string, options: { clientToken?: string } = {}): Promise<RedriveResult> {
    const prepared = await this.prepare(workflow);
    const entry = this.current(workflow, name);
    if (!entry) throw executionDoesNotExist(this.executionArn(workflow, name));
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
      for (const { record } of this.entriesOf(workflow)) {
        if (record.status === 'RUNNING' || !record.stopDate || record.stopDate >= cutoff || this.live.has(keyOf(workflow, record.name))) continue;
        this.store.remove(workflow, record.name);
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
    const handlers = this.options.handlers;
    if (!handlers) throw new Error(`This execution port has no handlers: it cannot run the ${workflow} workflow`);
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
  private launch(entry: ExecutionEntry, prepared: Prepared): void {
    runOutsideFunctions(() => this.runExecution(entry, prepared));
  }

  private runExecution(entry: ExecutionEntry, prepared: Prepared): void {
    const { workflow, name } = entry.record;
    const key = keyOf(workflow, name);
    const runId = ++this.runs;
    const budget = this.options.remainingTimeMs ?? 900_000;
    const run = runAsl(prepared.definition, entry.record.input, {
      handlerFor: prepared.handlerFor,
      execution: { Id: entry.record.executionArn, Name: name, StartTime: entry.record.startDate.toISOString(), RedriveCount: entry.record.redriveCount ?? 0 },
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
    this.live.set(key, { runId, entry, run, closed });
    const settled = run.settled.then(() => closed);
    this.running.add(settled);
    const forget = () => this.running.delete(settled);
    settled.then(forget, forget);
    // While this port runs executions, another process may ask (through the store) to stop one.
    this.stopWatch ??= this.store.watchStopRequests(
      () => [...this.live.values()].map(({ entry: { record } }) => record),
      (workflow, name, reason) => this.live.get(keyOf(workflow, name))?.run.abort(reason),
    );
  }

  private close(entry: ExecutionEntry, runId: number, outcome: AslOutcome): void {
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
    this.store.save(entry);
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
      this.stopWatch();
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

  private append(entry: ExecutionEntry, event: ExecutionEvent): void {
    entry.history.push(event);
    this.store.save(entry);
    try {
      this.options.onEvent?.(entry.record.workflow, entry.record.name, copyData(event));
    } catch {
      // An observer's fault must not change the execution.
    }
  }

  /** A start for a name already taken: the same execution when it runs with the same input, as StartExecution does. */
  private startedAgain(entry: ExecutionEntry, inputText: string): StartResult {
    if (entry.record.status === 'RUNNING' && JSON.stringify(entry.record.input) === inputText) {
      return { started: true, executionArn: entry.record.executionArn };
    }
    return { started: false, reason: 'already-exists' };
  }

  private view(entry: ExecutionEntry): ExecutionRecord {
    const record = copyData(entry.record);
    if (record.status !== 'RUNNING') {
      const reason = notRedrivableReason(record);
      record.redriveStatus = reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE';
      if (reason) record.redriveStatusReason = reason;
    }
    return record;
  }

  /** The entry as it is now: the one this port runs, or the store's (read again where another process may change it). */
  private current(workflow: Workflow, name: string): ExecutionEntry | undefined {
    return this.live.get(keyOf(workflow, name))?.entry ?? this.store.get(workflow, name);
  }

  /** The workflow's entries, those this port runs as it holds them. */
  private entriesOf(workflow: Workflow): ExecutionEntry[] {
    return this.store.list(workflow).map((entry) => this.live.get(keyOf(workflow, entry.record.name))?.entry ?? entry);
  }
}
