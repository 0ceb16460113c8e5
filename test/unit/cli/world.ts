/**
 * A world for tenantctl's commands without AWS or the emulator: the real lifecycle rules and
 * router over a MemoryLedgerStore, and a fake execution port whose runs do what the workflows do
 * to the ledger (their ledger steps, and the status tracker's `run-ended` for a run that gives
 * up). A run started or redriven stays RUNNING until it is first looked at (as one that runs on
 * after the command that started it), then ends as its outcome says.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { stageConfig } from '../../../cli/aws/config';
import { AwsKeyRotation } from '../../../cli/aws/key-rotation';
import type { Backend, OperatorPort, OperatorRequest } from '../../../cli/backend';
import {
  executionArnOf,
  stateMachineArn,
  type ExecutionEvent,
  type ExecutionRecord,
  type ExecutionStatus,
  type ExecutionSummary,
  type RedriveResult,
  type StartResult,
  type Workflow,
} from '../../../functions/lib/executions';
import { applyLifecycle, type LifecycleDeps, type LifecycleResult } from '../../../functions/lib/ledger/apply';
import type { WorkflowRequest } from '../../../functions/lib/ledger/lifecycle';
import type { TenantLedgerItem } from '../../../functions/lib/ledger/model';
import { MemoryLedgerStore } from '../../../functions/lib/ledger/store';
import { waitUntilEnded } from '../../../functions/lib/operator-port';
import type { OrgProvisionedDetail } from '../../../functions/lib/publish';
import { routeOrgEvent, type RouteResult } from '../../../functions/route-org-event';
import { ACCOUNT, REGION, runTenantctl, T0, type CliRun } from './support';

export { ACCOUNT, REGION, T0 };
export const DAY_MS = 86_400_000;
export const ROTATION_FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:tenant-provisioner-dev-rotateTenantCredentials`;

export const eventBridgeMock = mockClient(EventBridgeClient);

/** How a run ends when it is first looked at. */
export type RunOutcome =
  | { kind: 'succeed' }
  /** Still going (a slow step): RUNNING until a test says otherwise. */
  | { kind: 'running' }
  /** A teardown revokes access, then waits out its retention (RUNNING). */
  | { kind: 'wait' }
  /** A step gives up after its retries: the execution fails there (redrivable), the tracker parks the tenant. */
  | { kind: 'give-up'; state: string; error: string; cause: string }
  /** A teardown's bucket deletion comes near the history limit: the run continues in a new execution (which succeeds) and ends. */
  | { kind: 'continue' }
  /** A teardown that keeps the emptied bucket until `until`: the ledger starts its last part. */
  | { kind: 'keep'; until: string }
  /** A provisioning meets a permanent error, rolls back and ends in its Fail state. */
  | { kind: 'roll-back'; state: string; error: string; cause: string };

interface FakeRun {
  record: ExecutionRecord;
  history: ExecutionEvent[];
  forgotten?: boolean;
  /** Runs when the execution is first looked at: it ends (or waits) as its outcome says. */
  pending?: () => Promise<void>;
}

const STEPS: Record<Workflow, string[]> = {
  provision: ['ValidateOrg', 'CreateTenantBucket', 'ConfigureTenantBucket', 'CreateTenantUser', 'IssueTenantCredentials', 'ApplyTenantBucketPolicy', 'RecordTenantActive', 'PublishOrgProvisioned'],
  teardown: ['PrepareTeardown', 'RevokeTenantAccess', 'RecordTenantRetained', 'RecordTenantDeleting', 'DeleteTenantCredentials', 'DeleteTenantUser', 'DeleteTenantBucket', 'RecordTenantDeleted', 'PublishOrgDeprovisioned'],
  restore: ['RestoreTenantAccess', 'ApplyTenantBucketPolicy', 'RecordTenantRestored', 'PublishOrgRestored'],
};

export function provisionedDetailOf(orgId: string, generation: number): OrgProvisionedDetail {
  const slug = orgId.toLowerCase();
  return {
    orgId,
    generation,
    executionName: `${slug}-g${generation}-provision`,
    bucket: { name: `fusion-rms-${slug}`, region: REGION, arn: `arn:aws:s3:::fusion-rms-${slug}`, publicBaseUrl: `https://fusion-rms-${slug}.s3.${REGION}.amazonaws.com/pub/` },
    user: { name: `rms_${slug}`, arn: `arn:aws:iam::${ACCOUNT}:user/tenants/dev/rms_${slug}` },
    credentials: { secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:fusion-rms/dev/${slug}/credentials-AbCdEf`, secretName: `fusion-rms/dev/${slug}/credentials` },
    provisionedAt: T0.toISOString(),
  };
}

/** The execution port of the world: Step Functions as far as tenantctl sees it. */
export class FakeExecutions implements OperatorPort {
  readonly runs = new Map<string, FakeRun>();
  /** Outcomes for runs by execution name (default: succeed; a teardown with a retention waits). */
  readonly outcomes = new Map<string, RunOutcome>();
  readonly redrives: { workflow: Workflow; name: string; clientToken?: string }[] = [];
  /** A redriven run runs to its end before RedriveExecution answers (as a fast local run can), so its own steps reach the ledger first. */
  finishOnRedrive = false;
  readonly stops: { workflow: Workflow; name: string; error: string }[] = [];

  constructor(private readonly world: World) {}

  executionArn(workflow: Workflow, name: string): string {
    return executionArnOf(stateMachineArn(REGION, ACCOUNT, 'dev', workflow), name);
  }

  private key(workflow: Workflow, name: string): string {
    return `${workflow}/${name}`;
  }

  private async visible(workflow: Workflow, name: string): Promise<FakeRun | undefined> {
    const run = this.runs.get(this.key(workflow, name));
    if (!run || run.forgotten) return undefined;
    const pending = run.pending;
    if (pending) {
      delete run.pending;
      await pending();
    }
    return run;
  }

  async start(workflow: Workflow, name: string, input: unknown): Promise<StartResult> {
    const existing = this.runs.get(this.key(workflow, name));
    if (existing && !existing.forgotten) {
      return existing.record.status === 'RUNNING' && JSON.stringify(existing.record.input) === JSON.stringify(input)
        ? { started: true, executionArn: existing.record.executionArn }
        : { started: false, reason: 'already-exists' };
    }
    const startDate = this.world.clock();
    const run: FakeRun = {
      record: { workflow, name, executionArn: this.executionArn(workflow, name), status: 'RUNNING', input, startDate },
      history: [{ type: 'ExecutionStarted', timestamp: startDate, input }],
    };
    run.pending = () => this.world.complete(run, this.outcomes.get(name) ?? this.defaultOutcome(workflow, input), 0);
    this.runs.set(this.key(workflow, name), run);
    return { started: true, executionArn: run.record.executionArn };
  }

  private defaultOutcome(workflow: Workflow, input: unknown): RunOutcome {
    const retentionDays = (input as { retentionDays?: number }).retentionDays ?? 0;
    return workflow === 'teardown' && retentionDays > 0 ? { kind: 'wait' } : { kind: 'succeed' };
  }

  async describe(workflow: Workflow, name: string): Promise<ExecutionRecord | undefined> {
    const run = await this.visible(workflow, name);
    return run && structuredClone(run.record);
  }

  async history(workflow: Workflow, name: string): Promise<ExecutionEvent[] | undefined> {
    const run = await this.visible(workflow, name);
    return run && structuredClone(run.history);
  }

  async stop(workflow: Workflow, name: string, reason: { error: string; cause: string }): Promise<void> {
    this.stops.push({ workflow, name, error: reason.error });
    const run = this.runs.get(this.key(workflow, name));
    if (!run || run.forgotten || run.record.status !== 'RUNNING') return;
    // Stopped before it got anywhere: what it would have done does not happen.
    delete run.pending;
    const at = this.world.clock();
    Object.assign(run.record, { status: 'ABORTED', stopDate: at, error: reason.error, cause: reason.cause, redriveStatus: 'REDRIVABLE' });
    run.history.push({ type: 'ExecutionAborted', timestamp: at, error: reason.error, cause: reason.cause });
  }

  async *list(workflow: Workflow, options: { status?: ExecutionStatus } = {}): AsyncIterable<ExecutionSummary> {
    for (const run of this.runs.values()) {
      if (run.forgotten || run.record.workflow !== workflow || (options.status && run.record.status !== options.status)) continue;
      yield { workflow, name: run.record.name, executionArn: run.record.executionArn, status: run.record.status, startDate: run.record.startDate };
    }
  }

  async redrive(workflow: Workflow, name: string, options: { clientToken?: string } = {}): Promise<RedriveResult> {
    this.redrives.push({ workflow, name, ...(options.clientToken ? { clientToken: options.clientToken } : {}) });
    const run = await this.visible(workflow, name);
    if (!run || !['FAILED', 'TIMED_OUT', 'ABORTED'].includes(run.record.status)) {
      throw Object.assign(new Error(`Execution ${name} cannot be redriven`), { name: 'ExecutionNotRedrivable' });
    }
    const redriveDate = this.world.clock();
    const redriveCount = (run.record.redriveCount ?? 0) + 1;
    run.record = { ...run.record, status: 'RUNNING', redriveCount, redriveDate, redriveFrom: 'failed-state' };
    for (const field of ['stopDate', 'error', 'cause', 'failedState', 'failedStateType', 'redriveStatus'] as const) delete run.record[field];
    run.history.push({ type: 'ExecutionRedriven', timestamp: redriveDate, redriveCount });
    run.pending = () => this.world.complete(run, this.outcomes.get(name) ?? { kind: 'succeed' }, redriveCount);
    if (this.finishOnRedrive) await this.describe(workflow, name);
    return { executionArn: run.record.executionArn, redriveDate, redriveFrom: 'failed-state' };
  }

  /** The run once looked at (it ends then, as its outcome says); one that waits ends only when the test moves it on. */
  waitFor(workflow: Workflow, name: string, options: { timeoutMs?: number } = {}): Promise<ExecutionRecord> {
    return waitUntilEnded(this, workflow, name, { read: () => this.describe(workflow, name), pause: () => new Promise((resolve) => setImmediate(resolve)) }, options);
  }

  /** Step Functions forgets the execution (90 days after it ended). */
  forget(workflow: Workflow, name: string): void {
    const run = this.runs.get(this.key(workflow, name));
    if (run) run.forgotten = true;
  }

  /** The run ended more than 14 days ago: Step Functions will not redrive it. */
  outOfRedriveWindow(workflow: Workflow, name: string): void {
    const run = this.runs.get(this.key(workflow, name));
    if (run) Object.assign(run.record, { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution ended more than 14 days ago' });
  }
}

export class World {
  readonly ledger = new MemoryLedgerStore();
  readonly executions: FakeExecutions;
  /** The stage's configuration as its router has it. */
  routerConfig = stageConfig('dev', REGION, ACCOUNT, {});
  /** The stage's configuration as tenantctl knows it (the same unless a test says otherwise). */
  config = this.routerConfig;
  /** The events tenantctl put on the bus (as the POS system would). */
  readonly events: { detailType: string; detail: Record<string, unknown> }[] = [];
  readonly lifecycleRequests: OperatorRequest[] = [];
  private time = T0.getTime();
  private eventCount = 0;

  constructor(readonly mode: 'aws' | 'local' = 'aws') {
    this.executions = new FakeExecutions(this);
  }

  /** Now, as the world's clock has it (each call moves it on by 100 ms, so events are ordered). */
  clock(): Date {
    this.time += 100;
    return new Date(this.time);
  }

  /** Moves the clock on. */
  advance(ms: number): void {
    this.time += ms;
  }

  private deps(): LifecycleDeps {
    return {
      ledger: this.ledger,
      config: this.routerConfig,
      executions: this.executions,
      eventBridge: new EventBridgeClient({ region: REGION }),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as LifecycleDeps['logger'],
      now: () => this.clock(),
    };
  }

  /** An event through the real router, as EventBridge would deliver it. */
  async route(detailType: 'OrgCreated' | 'OrgDeleted', detail: Record<string, unknown>): Promise<RouteResult> {
    const event: EventBridgeEvent<string, Record<string, unknown>> = {
      version: '0',
      id: `evt-${++this.eventCount}`,
      'detail-type': detailType,
      source: 'pos.signup',
      account: ACCOUNT,
      time: this.clock().toISOString(),
      region: REGION,
      resources: [],
      detail,
    };
    return routeOrgEvent(event, this.deps());
  }

  lifecycle(request: Parameters<typeof applyLifecycle>[0]): Promise<LifecycleResult> {
    return applyLifecycle(request, this.deps());
  }

  /** Lets every run started so far end as its outcome says (as time passing would). */
  async settle(): Promise<void> {
    for (const run of [...this.executions.runs.values()]) await this.executions.describe(run.record.workflow, run.record.name);
  }

  async item(slug: string): Promise<TenantLedgerItem> {
    const item = await this.ledger.get(slug);
    if (!item) throw new Error(`no ledger item ${slug}`);
    return item;
  }

  // -- Tenants in a given state, made the way the pipeline makes them --------------------

  async provisioned(orgId: string): Promise<TenantLedgerItem> {
    await this.route('OrgCreated', { orgId });
    await this.settle();
    return this.item(orgId.toLowerCase());
  }

  async retained(orgId: string, retentionDays = 7): Promise<TenantLedgerItem> {
    await this.provisioned(orgId);
    await this.route('OrgDeleted', { orgId, retentionDays });
    await this.settle();
    return this.item(orgId.toLowerCase());
  }

  async deleted(orgId: string): Promise<TenantLedgerItem> {
    await this.provisioned(orgId);
    await this.route('OrgDeleted', { orgId, retentionDays: 0 });
    await this.settle();
    return this.item(orgId.toLowerCase());
  }

  async rolledBack(orgId: string, error = 'TenantUserConflictError', cause = `IAM user rms_${orgId.toLowerCase()} already exists and is not tagged for OrgId "${orgId}"`): Promise<TenantLedgerItem> {
    const generation = ((await this.ledger.get(orgId.toLowerCase()))?.generation ?? 0) + 1;
    this.executions.outcomes.set(`${orgId.toLowerCase()}-g${generation}-provision`, { kind: 'roll-back', state: 'CreateTenantUser', error, cause });
    await this.route('OrgCreated', { orgId });
    await this.settle();
    return this.item(orgId.toLowerCase());
  }

  /** A provisioning that gives up at CreateTenantBucket (S3 slowing it down): the tenant is parked in `provisioning`. */
  async parkedProvisioning(orgId: string): Promise<TenantLedgerItem> {
    const slug = orgId.toLowerCase();
    this.executions.outcomes.set(`${slug}-g1-provision`, { kind: 'give-up', state: 'CreateTenantBucket', error: 'ServiceUnavailable', cause: 'Please reduce your request rate.' });
    await this.route('OrgCreated', { orgId });
    await this.settle();
    this.executions.outcomes.delete(`${slug}-g1-provision`);
    return this.item(slug);
  }

  /** A teardown (retention 0) whose bucket deletion continued in a second execution, which finished it. */
  async continuedTeardown(orgId: string): Promise<TenantLedgerItem> {
    await this.provisioned(orgId);
    const slug = orgId.toLowerCase();
    this.executions.outcomes.set(`${slug}-g1-teardown`, { kind: 'continue' });
    await this.route('OrgDeleted', { orgId, retentionDays: 0 });
    // The first part starts the second when it is looked at; the second finishes when it is.
    await this.settle();
    await this.settle();
    this.executions.outcomes.delete(`${slug}-g1-teardown`);
    return this.item(slug);
  }

  /** A teardown (retention 0) that gives up at DeleteTenantCredentials: the tenant is parked in `deleting`. */
  async parkedTeardown(orgId: string): Promise<TenantLedgerItem> {
    await this.provisioned(orgId);
    const slug = orgId.toLowerCase();
    const cause = `You can't delete secret fusion-rms/dev/${slug}/credentials that still has replica regions [us-west-2]`;
    this.executions.outcomes.set(`${slug}-g1-teardown`, { kind: 'give-up', state: 'DeleteTenantCredentials', error: 'InvalidParameterException', cause });
    await this.route('OrgDeleted', { orgId, retentionDays: 0 });
    await this.settle();
    this.executions.outcomes.delete(`${slug}-g1-teardown`);
    return this.item(slug);
  }

  // -- What a run does ---------------------------------------------------------------------

  private async step(request: WorkflowRequest): Promise<void> {
    await applyLifecycle(request, this.deps());
  }

  /** Ends (or parks, or leaves waiting) a run as `outcome` says, writing its ledger steps as the workflow's would. */
  async complete(run: FakeRun, outcome: RunOutcome, redriveCount: number): Promise<void> {
    if (outcome.kind === 'running') return;
    const { record } = run;
    const input = record.input as { orgId: string; runId: string; generation: number; retentionDays?: number; continuation?: unknown };
    const slug = input.orgId.toLowerCase();
    const by = `workflow ${record.name}`;
    const base = { slug, runId: input.runId, by };
    const steps = STEPS[record.workflow];
    const stopAt =
      outcome.kind === 'give-up' || outcome.kind === 'roll-back'
        ? steps.indexOf(outcome.state)
        : outcome.kind === 'wait'
          ? steps.indexOf('RecordTenantDeleting')
          : outcome.kind === 'continue'
            ? steps.indexOf('DeleteTenantBucket') + 1
            : steps.length;
    // A teardown's later part goes straight back to the bucket deletion.
    const resumeAt = input.continuation === undefined ? 0 : steps.indexOf('DeleteTenantBucket');
    const firstStep = redriveCount > 0 && outcome.kind === 'succeed' ? Math.max(0, run.history.filter((event) => event.type === 'StateExited').length) : resumeAt;

    for (const state of steps.slice(firstStep, stopAt)) {
      const entered = this.clock();
      run.history.push({ type: 'StateEntered', timestamp: entered, state, stateType: 'Task', input: {} });
      if (state === 'RecordTenantActive') {
        const detail = provisionedDetailOf(input.orgId, input.generation);
        await this.step({ kind: 'provisioned', ...base, facts: { bucket: detail.bucket.name, userArn: detail.user.arn, secretArn: detail.credentials.secretArn, publicBaseUrl: detail.bucket.publicBaseUrl ?? '', detail } });
      }
      if (state === 'RecordTenantRetained') await this.step({ kind: 'revoked', ...base, keysDeactivated: ['AKIAEXAMPLEKEY000001'] });
      if (state === 'RecordTenantDeleting') await this.step({ kind: 'deletion-started', ...base });
      if (state === 'RecordTenantDeleted') await this.step({ kind: 'deleted', ...base, ...(outcome.kind === 'keep' ? { kept: { bucketName: `fusion-rms-${slug}`, until: outcome.until } } : {}) });
      if (state === 'RecordTenantRestored') await this.step({ kind: 'restored', ...base });
      const exited = this.clock();
      run.history.push({ type: 'StateExited', timestamp: exited, state, stateType: 'Task', output: {}, durationMs: exited.getTime() - entered.getTime() });
    }

    if (outcome.kind === 'continue') {
      const carried = {
        revoked: { bucketName: `fusion-rms-${slug}`, bucketFoundBy: 'ledger' as const, keysDeactivated: [], bucketPolicyDeleted: true, skipped: [] },
        deletedCredentials: { deleted: [], skipped: [] },
        deletedUser: { deleted: [], skipped: [] },
        deletedBucket: { done: false as const, cursor: '{}', objectsDeleted: 1_000_000, deleted: [], skipped: [], history: { events: 0 } },
      };
      await this.step({ kind: 'continued', ...base, carried });
      const next = (await this.ledger.get(slug))?.teardown?.name ?? '';
      const stopDate = this.clock();
      const output = { continued: { recorded: true, continuedIn: { executionName: next, executionArn: this.executions.executionArn('teardown', next) } } };
      run.history.push({ type: 'StateEntered', timestamp: stopDate, state: 'TeardownContinued', stateType: 'Succeed', input: {} });
      Object.assign(run.record, { status: 'SUCCEEDED', stopDate, output });
      run.history.push({ type: 'ExecutionSucceeded', timestamp: stopDate, output });
      return;
    }
    if (outcome.kind === 'wait') {
      const retentionSeconds = (input.retentionDays ?? 0) * 86_400;
      run.history.push({ type: 'StateEntered', timestamp: this.clock(), state: 'WaitRetentionPeriod', stateType: 'Wait', input: { teardown: { retentionSeconds } } });
      return;
    }
    const stopDate = this.clock();
    if (outcome.kind === 'succeed' || outcome.kind === 'keep') {
      const output =
        record.workflow === 'provision'
          ? { published: { eventId: 'e-provisioned', detail: provisionedDetailOf(input.orgId, input.generation) } }
          : record.workflow === 'teardown'
            ? { published: { eventId: 'e-deprovisioned', detail: { objectsDeleted: 3, retentionDays: input.retentionDays ?? 0, deleted: [`secret fusion-rms/dev/${slug}/credentials`, `IAM user rms_${slug}`, `bucket fusion-rms-${slug}`] } } }
            : { published: { eventId: 'e-restored' } };
      Object.assign(run.record, { status: 'SUCCEEDED', stopDate, output });
      run.history.push({ type: 'ExecutionSucceeded', timestamp: stopDate, output });
      return;
    }
    const entered = this.clock();
    run.history.push({ type: 'StateEntered', timestamp: entered, state: outcome.state, stateType: 'Task', input: {} });
    if (outcome.kind === 'roll-back') {
      run.history.push({ type: 'StateCaught', timestamp: this.clock(), state: outcome.state, stateType: 'Task', error: outcome.error, cause: outcome.cause, next: 'PrepareBucketRollback' });
      await this.step({ kind: 'rolled-back', ...base, error: outcome.error });
      run.history.push({ type: 'StateEntered', timestamp: this.clock(), state: 'ProvisioningFailed', stateType: 'Fail', input: {} });
      run.history.push({ type: 'StateFailed', timestamp: stopDate, state: 'ProvisioningFailed', stateType: 'Fail', error: outcome.error, cause: outcome.cause });
      run.history.push({ type: 'ExecutionFailed', timestamp: stopDate, state: 'ProvisioningFailed', error: outcome.error, cause: outcome.cause });
      Object.assign(run.record, { status: 'FAILED', stopDate, error: outcome.error, cause: outcome.cause, failedState: 'ProvisioningFailed', failedStateType: 'Fail', redriveStatus: 'REDRIVABLE' });
    } else {
      run.history.push({ type: 'StateRetried', timestamp: this.clock(), state: outcome.state, stateType: 'Task', error: outcome.error, cause: outcome.cause, retryAttempt: 1 });
      run.history.push({ type: 'StateFailed', timestamp: stopDate, state: outcome.state, stateType: 'Task', error: outcome.error, cause: outcome.cause, durationMs: 500 });
      run.history.push({ type: 'ExecutionFailed', timestamp: stopDate, state: outcome.state, error: outcome.error, cause: outcome.cause });
      Object.assign(run.record, { status: 'FAILED', stopDate, error: outcome.error, cause: outcome.cause, failedState: outcome.state, failedStateType: 'Task', redriveStatus: 'REDRIVABLE' });
    }
    // The status tracker: a run that ended without success while the tenant waits on it parks the tenant.
    await applyLifecycle(
      { kind: 'run-ended', slug, executionArn: record.executionArn, executionName: record.name, status: 'FAILED', error: outcome.error, cause: outcome.cause, by: `Step Functions: ${record.name} FAILED` },
      this.deps(),
    );
  }

  // -- The backend tenantctl sees ------------------------------------------------------------

  backend(): Backend {
    const iam = new IAMClient({ region: REGION });
    const secretsManager = new SecretsManagerClient({ region: REGION });
    return {
      mode: this.mode,
      location: this.mode === 'aws' ? `AWS account ${ACCOUNT}, ${REGION}, stage dev` : 'local emulator at http://127.0.0.1:1, state in .local',
      accountId: ACCOUNT,
      region: REGION,
      config: this.config,
      ledger: this.ledger,
      executions: this.executions,
      s3For: (region) => new S3Client({ region }),
      iam,
      secretsManager,
      // Secrets Manager's rotation as the AWS backend drives it, over the clients the tests mock.
      rotation: new AwsKeyRotation({
        secretsManager,
        iam,
        config: this.config,
        rotationFunctionArn: ROTATION_FUNCTION_ARN,
        pollMs: 0,
        timeoutMs: 50,
        sleep: async () => undefined,
        now: () => this.clock(),
      }),
      putOrgEvent: async (detailType, detail) => {
        this.events.push({ detailType, detail });
        const route = await this.route(detailType, detail);
        return this.mode === 'aws' ? { eventId: `evt-${this.events.length}` } : { route };
      },
      lifecycle: (request) => {
        this.lifecycleRequests.push(request);
        return this.lifecycle(request);
      },
      redrive: (workflow, name, clientToken) => this.executions.redrive(workflow, name, { clientToken }),
      redriveFrom: this.mode === 'aws' ? 'failed-state' : 'start',
      pollMs: 0,
      close: async () => undefined,
    };
  }

  /** Runs tenantctl in-process against this world, with captured output and instant polling. */
  tenantctl(argv: string[]): Promise<CliRun> {
    return runTenantctl(argv, { now: () => this.clock(), open: async () => this.backend() });
  }
}

/** A fresh world; EventBridge answers every PutEvents (the router's reports, re-emitted OrgProvisioned). */
export function createWorld(mode: 'aws' | 'local' = 'aws'): World {
  eventBridgeMock.reset();
  eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-emitted' }] });
  return new World(mode);
}
