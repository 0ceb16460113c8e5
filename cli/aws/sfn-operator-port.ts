import {
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import {
  SfnExecutionPort,
  type ExecutionEvent,
  type ExecutionRecord,
  type RedriveResult,
  type Workflow,
} from '../../functions/lib/executions';
import { waitUntilEnded, type OperatorPort } from '../../functions/lib/operator-port';
import { failedStateOf, translateHistory } from './history';

/**
 * The execution port over Step Functions with what operators need beyond the router's
 * start/describe/stop/list: the history, the failed state and redrive status of an execution,
 * RedriveExecution, and waiting for an execution to end.
 */
export class SfnOperatorPort extends SfnExecutionPort implements OperatorPort {
  constructor(
    private readonly client: SFNClient,
    stateMachineArns: Partial<Record<Workflow, string>>,
    private readonly pollMs = 2_000,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    super(client, stateMachineArns);
  }

  /** The router's record, and for a FAILED or TIMED_OUT execution the state that ended it. */
  override async describe(workflow: Workflow, name: string): Promise<ExecutionRecord | undefined> {
    const record = await super.describe(workflow, name);
    if (record && (record.status === 'FAILED' || record.status === 'TIMED_OUT')) {
      const failed = await this.failedState(record.executionArn);
      if (failed) {
        record.failedState = failed.state;
        record.failedStateType = failed.stateType;
      }
    }
    return record;
  }

  /** The last state entered, read from the end of the history (usually one page). */
  private async failedState(executionArn: string): Promise<{ state: string; stateType: string } | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, includeExecutionData: false, maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
      );
      const found = failedStateOf(page.events ?? []);
      if (found) return found;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  async history(workflow: Workflow, name: string): Promise<ExecutionEvent[] | undefined> {
    const executionArn = this.executionArn(workflow, name);
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: true, ...(nextToken ? { nextToken } : {}) }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return undefined;
      throw err;
    }
    return translateHistory(events);
  }

  /** RedriveExecution: resumes at the failed state. A repeated `clientToken` (15 minutes) redrives once. */
  async redrive(workflow: Workflow, name: string, options: { clientToken?: string } = {}): Promise<RedriveResult> {
    const executionArn = this.executionArn(workflow, name);
    const result = await this.client.send(new RedriveExecutionCommand({ executionArn, ...(options.clientToken ? { clientToken: options.clientToken } : {}) }));
    return { executionArn, redriveDate: result.redriveDate ?? new Date(), redriveFrom: 'failed-state' };
  }

  /** Polls DescribeExecution every `pollMs` until the execution has ended. */
  waitFor(workflow: Workflow, name: string, options: { timeoutMs?: number } = {}): Promise<ExecutionRecord> {
    return waitUntilEnded(this, workflow, name, { read: () => this.describe(workflow, name), pause: () => this.sleep(this.pollMs) }, options);
  }
}
