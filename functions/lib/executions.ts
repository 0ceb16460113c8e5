import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ConfigError, requireEnv } from './config';

/**
 * The execution port (docs/architecture.md, Local mode): the one way the router, the CLI and the local runner
 * start, find, stop and list workflow executions. `SfnExecutionPort` talks to Step
 * Functions; a local implementation runs the same ASL in-process. What operators need besides
 * (history, redrive, waiting) is the `OperatorPort` (operator-port.ts).
 */

export type Workflow = 'provision' | 'teardown' | 'restore';

export const WORKFLOWS: readonly Workflow[] = ['provision', 'teardown', 'restore'];

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionRecord {
  workflow: Workflow;
  name: string;
  executionArn: string;
  status: ExecutionStatus;
  /** The execution input, parsed from JSON. */
  input: unknown;
  /** The execution output, parsed from JSON; only once it has succeeded. */
  output?: unknown;
  startDate: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
  /** The state whose failure ended a FAILED or TIMED_OUT execution, when known. */
  failedState?: string;
  /** That state's type: `Fail` means the workflow chose to fail (after its own compensation), `Task` that a step gave up. */
  failedStateType?: string;
  /** How many times the execution was redriven (0 or absent: never). */
  redriveCount?: number;
  redriveDate?: Date;
  /** Where the last redrive resumed: at the failed state (Step Functions) or from the start (the local runner). */
  redriveFrom?: 'failed-state' | 'start';
  redriveStatus?: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  redriveStatusReason?: string;
}

/** One entry of an execution's history: states entered, retried, caught, failed and exited, with their data. */
export interface ExecutionEvent {
  type:
    | 'ExecutionStarted'
    | 'ExecutionSucceeded'
    | 'ExecutionFailed'
    | 'ExecutionAborted'
    | 'ExecutionTimedOut'
    | 'ExecutionRedriven'
    | 'StateEntered'
    | 'StateExited'
    | 'StateFailed'
    | 'StateRetried'
    | 'StateCaught';
  timestamp: Date;
  /** The state, for the `State*` events (and the failed state on `ExecutionFailed`). */
  state?: string;
  stateType?: string;
  /** The state's input (`StateEntered`) or the execution's (`ExecutionStarted`). */
  input?: unknown;
  /** The state's output (`StateExited`) or the execution's (`ExecutionSucceeded`). */
  output?: unknown;
  error?: string;
  cause?: string;
  /** `StateExited`, `StateFailed`: milliseconds since the state was entered (retries included). */
  durationMs?: number;
  /** `StateRetried`: 1 for the first retry of that retrier. */
  retryAttempt?: number;
  /** `StateCaught`: the state the Catch goes to. */
  next?: string;
  /** `ExecutionRedriven`: the execution's redrive count after this redrive. */
  redriveCount?: number;
}

export interface RedriveResult {
  executionArn: string;
  redriveDate: Date;
  redriveFrom: 'failed-state' | 'start';
}

export type ExecutionSummary = Pick<ExecutionRecord, 'workflow' | 'name' | 'executionArn' | 'status' | 'startDate' | 'stopDate'>;

/**
 * `started: true` also when Step Functions returned an execution that was already running
 * with the same name and input (StartExecution is idempotent then); `already-exists` when
 * the name is taken by a closed execution or by one with a different input.
 */
export type StartResult = { started: true; executionArn: string } | { started: false; reason: 'already-exists' };

/** What the router, the status tracker and the ledger step need of Step Functions. */
export interface ExecutionPort {
  /** The ARN an execution of this name has (or will have): known before it starts, so the ledger can record it first. */
  executionArn(workflow: Workflow, name: string): string;
  start(workflow: Workflow, name: string, input: unknown): Promise<StartResult>;
  /** The execution, or undefined when no execution of that name exists. */
  describe(workflow: Workflow, name: string): Promise<ExecutionRecord | undefined>;
  /** Stops a running execution; a missing one is not an error. */
  stop(workflow: Workflow, name: string, reason: { error: string; cause: string }): Promise<void>;
  list(workflow: Workflow, options?: { status?: ExecutionStatus }): AsyncIterable<ExecutionSummary>;
}

/**
 * What Step Functions' "Execution Status Change" event says of a run (the fields the tenant
 * ledger's status tracker reads); the local execution port reports the same.
 */
export interface ExecutionStatusChange {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  error?: string;
  cause?: string;
  /** Above 0 when a RUNNING status is a redrive. */
  redriveCount?: number;
  /** When the run ended (ISO 8601). */
  stopDate?: string;
}

/** The state machine ARN of each workflow, from the environment serverless.yml gives the functions that start or stop runs. */
export function stateMachineArnsFromEnv(env: Record<string, string | undefined>): Record<Workflow, string> {
  return {
    provision: requireEnv(env, 'PROVISION_STATE_MACHINE_ARN'),
    teardown: requireEnv(env, 'TEARDOWN_STATE_MACHINE_ARN'),
    restore: requireEnv(env, 'RESTORE_STATE_MACHINE_ARN'),
  };
}

/** Still going: RUNNING, or PENDING_REDRIVE (a redrive accepted and not yet begun). */
export const isRunning = (status: ExecutionStatus): boolean => status === 'RUNNING' || status === 'PENDING_REDRIVE';

/** The statuses of an execution that ended without success. */
export const FAILED_STATUSES: readonly ExecutionStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];
export const isFailed = (status: ExecutionStatus): boolean => FAILED_STATUSES.includes(status);

/** The `error` of a provisioning the router stopped because its organisation was deleted (a teardown follows). */
export const STOPPED_FOR_TEARDOWN_ERROR = 'OrgDeleted';

/** Step Functions' limits on StopExecution's `error` and `cause`. */
export const MAX_STOP_ERROR = 256;
export const MAX_STOP_CAUSE = 32_768;

/** RedriveExecution accepts executions that ended within the last 14 days. */
export const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;

/** Each workflow's state machine, as serverless.yml names it: `tenant-provisioner-<stage>-<this>`. */
export const WORKFLOW_MACHINE = { provision: 'provision-tenant', teardown: 'teardown-tenant', restore: 'restore-tenant' } as const;

export function stateMachineName(stage: string, workflow: Workflow): string {
  return `tenant-provisioner-${stage}-${WORKFLOW_MACHINE[workflow]}`;
}

export function stateMachineArn(region: string, accountId: string, stage: string, workflow: Workflow): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${stateMachineName(stage, workflow)}`;
}

/** Every workflow's state machine ARN in a stage, from the names serverless.yml gives them. */
export function stageStateMachineArns(stage: { region: string; accountId: string; stage: string }): Record<Workflow, string> {
  return Object.fromEntries(WORKFLOWS.map((workflow) => [workflow, stateMachineArn(stage.region, stage.accountId, stage.stage, workflow)])) as Record<Workflow, string>;
}

/** `arn:…:stateMachine:<machine>` → `arn:…:execution:<machine>:<name>`. */
export function executionArnOf(stateMachine: string, name: string): string {
  return `${stateMachine.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** A JSON document Step Functions returned (input, output, a history event's data), parsed; text that is not JSON as it is. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Step Functions returned no ${what}`);
  return value;
}

/** The execution port over Step Functions (`SFNClient`). */
export class SfnExecutionPort implements ExecutionPort {
  private readonly stateMachineArns: Partial<Record<Workflow, string>>;

  constructor(
    private readonly sfn: SFNClient,
    stateMachineArns: Partial<Record<Workflow, string>>,
  ) {
    for (const [workflow, arn] of Object.entries(stateMachineArns)) {
      if (arn && !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/.test(arn)) {
        throw new ConfigError(`The ${workflow} state machine ARN ${JSON.stringify(arn)} is not a Step Functions state machine ARN`);
      }
    }
    this.stateMachineArns = stateMachineArns;
  }

  private stateMachineArn(workflow: Workflow): string {
    const arn = this.stateMachineArns[workflow];
    if (!arn) throw new ConfigError(`No state machine is configured for the ${workflow} workflow`);
    return arn;
  }

  executionArn(workflow: Workflow, name: string): string {
    return executionArnOf(this.stateMachineArn(workflow), name);
  }

  async start(workflow: Workflow, name: string, input: unknown): Promise<StartResult> {
    try {
      const result = await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn(workflow), name, input: JSON.stringify(input) }),
      );
      return { started: true, executionArn: required(result.executionArn, 'executionArn') };
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists) return { started: false, reason: 'already-exists' };
      throw err;
    }
  }

  async describe(workflow: Workflow, name: string): Promise<ExecutionRecord | undefined> {
    try {
      const result = await this.sfn.send(new DescribeExecutionCommand({ executionArn: this.executionArn(workflow, name) }));
      return {
        workflow,
        name: result.name ?? name,
        executionArn: required(result.executionArn, 'executionArn'),
        status: required(result.status, 'status'),
        input: parseJson(result.input),
        ...(result.output === undefined ? {} : { output: parseJson(result.output) }),
        startDate: required(result.startDate, 'startDate'),
        ...(result.stopDate === undefined ? {} : { stopDate: result.stopDate }),
        ...(result.error === undefined ? {} : { error: result.error }),
        ...(result.cause === undefined ? {} : { cause: result.cause }),
        ...(result.redriveCount === undefined ? {} : { redriveCount: result.redriveCount }),
        ...(result.redriveDate === undefined ? {} : { redriveDate: result.redriveDate }),
        ...(result.redriveStatus === 'REDRIVABLE' || result.redriveStatus === 'NOT_REDRIVABLE' ? { redriveStatus: result.redriveStatus } : {}),
        ...(result.redriveStatusReason === undefined ? {} : { redriveStatusReason: result.redriveStatusReason }),
        ...(result.redriveCount ? { redriveFrom: 'failed-state' as const } : {}),
      };
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return undefined;
      throw err;
    }
  }

  async stop(workflow: Workflow, name: string, reason: { error: string; cause: string }): Promise<void> {
    try {
      await this.sfn.send(
        new StopExecutionCommand({
          executionArn: this.executionArn(workflow, name),
          error: reason.error.slice(0, MAX_STOP_ERROR),
          cause: reason.cause.slice(0, MAX_STOP_CAUSE),
        }),
      );
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return;
      throw err;
    }
  }

  async *list(workflow: Workflow, options: { status?: ExecutionStatus } = {}): AsyncIterable<ExecutionSummary> {
    const stateMachineArn = this.stateMachineArn(workflow);
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          ...(options.status === undefined ? {} : { statusFilter: options.status }),
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      );
      for (const item of page.executions ?? []) {
        yield {
          workflow,
          name: required(item.name, 'execution name'),
          executionArn: required(item.executionArn, 'executionArn'),
          status: required(item.status, 'status'),
          startDate: required(item.startDate, 'startDate'),
          ...(item.stopDate === undefined ? {} : { stopDate: item.stopDate }),
        };
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
}
