import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ExecutionDoesNotExist, ExecutionNotRedrivable, InvalidName } from '@aws-sdk/client-sfn';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sample from '../../../events/samples/org-created.json';
import { loadConfig } from '../../../functions/lib/config';
import type { ExecutionStatusChange, ExecutionSummary, Workflow } from '../../../functions/lib/executions';
import { applyLifecycle } from '../../../functions/lib/ledger/apply';
import { DynamoLedgerStore } from '../../../functions/lib/ledger/dynamo-store';
import type { TaskHandler } from '../../../functions/registry';
import { ExecutionStillRunning } from '../../../functions/lib/operator-port';
import { LocalExecutionPort, type LocalExecutionPortOptions } from '../../../local/executions';
import { FakeAws } from '../../support/fake-aws';
import { sampleLifecycleDeps, sampleRunId } from '../../support/fixtures';
import { testTaskHandlers } from '../../support/task-handlers';
import { trackExecutionStatus } from '../../../functions/track-execution-status';
import { ADD_RUN_TO_SUCCESS, ADD_WORKFLOW, AddTasks, deferred, input, named, types } from './add-workflow';

let dir: string;
let file: string;
let ports: LocalExecutionPort[];
const tasks = new AddTasks();
const handlers: Record<string, TaskHandler> = { AddFunctionArn: tasks.add, UndoFunctionArn: tasks.undo };

function port(options: LocalExecutionPortOptions = {}): LocalExecutionPort {
  const created = new LocalExecutionPort({ definitions: { provision: file, teardown: file }, handlers, retryIntervalMs: 0, ...options });
  ports.push(created);
  return created;
}

async function all(iterable: AsyncIterable<ExecutionSummary>): Promise<ExecutionSummary[]> {
  const items: ExecutionSummary[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-executions-'));
  file = join(dir, 'add.asl.json');
  writeFileSync(file, JSON.stringify(ADD_WORKFLOW));
  ports = [];
  tasks.reset();
});

afterEach(async () => {
  tasks.gate?.resolve();
  await Promise.all(ports.map((p) => p.idle()));
  rmSync(dir, { recursive: true, force: true });
});

describe('LocalExecutionPort', () => {
  it('runs an execution to SUCCEEDED with its output, an AWS-shaped ARN and the execution context', async () => {
    const executions = port();

    const started = await executions.start('provision', 'org-acme', input());
    const record = await executions.waitFor('provision', 'org-acme');

    const arn = 'arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-local-provision-tenant:org-acme';
    expect(started).toEqual({ started: true, executionArn: arn });
    expect(record).toMatchObject({ workflow: 'provision', name: 'org-acme', executionArn: arn, status: 'SUCCEEDED', input: input() });
    expect(record.output).toEqual({ ...input(), sum: 5 });
    expect(record.startDate).toBeInstanceOf(Date);
    expect(record.stopDate?.getTime()).toBeGreaterThanOrEqual(record.startDate.getTime());
    expect(record.error).toBeUndefined();
    expect(tasks.addCalls[0]?.event.execution).toEqual({ name: 'org-acme', id: arn, startTime: record.startDate.toISOString() });
    expect(tasks.addCalls[0]?.context.functionName).toBe('tenant-provisioner-local-add');
    expect(types(await executions.history('provision', 'org-acme'))).toEqual(['ExecutionStarted', ...ADD_RUN_TO_SUCCESS]);
  });

  it('keeps workflows apart: the same name in the teardown workflow is another execution', async () => {
    const executions = port({ region: 'eu-west-1', accountId: '210987654321' });

    await executions.start('provision', 'org-acme', input());
    const teardown = await executions.start('teardown', 'org-acme', input());

    expect(teardown).toEqual({ started: true, executionArn: 'arn:aws:states:eu-west-1:210987654321:execution:tenant-provisioner-local-teardown-tenant:org-acme' });
    await executions.waitFor('teardown', 'org-acme');
    expect(tasks.addCalls).toHaveLength(2);
  });

  it('returns the running execution for the same name and input, and runs it once', async () => {
    const executions = port();
    tasks.gate = deferred();

    const first = await executions.start('provision', 'org-acme', input());
    const again = await executions.start('provision', 'org-acme', input());
    await tasks.inAdd.promise;
    expect((await executions.describe('provision', 'org-acme'))?.status).toBe('RUNNING');
    tasks.gate.resolve();
    await executions.waitFor('provision', 'org-acme');

    expect(again).toEqual(first);
    expect(tasks.addCalls).toHaveLength(1);
  });

  it('refuses a different input while the name runs', async () => {
    const executions = port();
    tasks.gate = deferred();
    await executions.start('provision', 'org-acme', input());

    expect(await executions.start('provision', 'org-acme', input({ a: 40 }))).toEqual({ started: false, reason: 'already-exists' });
    tasks.gate.resolve();
    expect((await executions.waitFor('provision', 'org-acme')).output).toMatchObject({ sum: 5 });
  });

  it('refuses a name already used by a closed execution, whatever the input', async () => {
    const executions = port();
    await executions.start('provision', 'org-acme', input());
    await executions.waitFor('provision', 'org-acme');

    expect(await executions.start('provision', 'org-acme', input())).toEqual({ started: false, reason: 'already-exists' });
    expect(await executions.start('provision', 'org-acme', input({ b: 1 }))).toEqual({ started: false, reason: 'already-exists' });
    expect(tasks.addCalls).toHaveLength(1);
  });

  it.each([
    ['empty', ''],
    ['81 characters', 'a'.repeat(81)],
    ['a space', 'org acme'],
    ['a dot', 'org.acme'],
    ['a colon', 'org:acme'],
    ['unicode', 'org-café'],
  ])('rejects a name with %s as InvalidName and starts nothing', async (_label, name) => {
    const executions = port();

    const start = executions.start('provision', name, input());

    await expect(start).rejects.toBeInstanceOf(InvalidName);
    await expect(start).rejects.toMatchObject({ name: 'InvalidName' });
    expect(await all(executions.list('provision'))).toEqual([]);
  });

  it('accepts an 80-character name of letters, digits, - and _', async () => {
    const name = `Org_1-${'x'.repeat(74)}`;
    expect(await port().start('provision', name, input())).toMatchObject({ started: true });
  });

  it('records an uncaught Task error as FAILED with its name, cause and the failed state', async () => {
    const executions = port();
    tasks.faults = [named('AccessDenied', 'User is not authorized to perform s3:PutObject')];

    await executions.start('provision', 'org-acme', input());
    const record = await executions.waitFor('provision', 'org-acme');

    expect(record).toMatchObject({
      status: 'FAILED',
      error: 'AccessDenied',
      cause: 'User is not authorized to perform s3:PutObject',
      failedState: 'Add',
      failedStateType: 'Task',
      redriveStatus: 'REDRIVABLE',
    });
    expect(record.output).toBeUndefined();
    const history = await executions.history('provision', 'org-acme');
    expect(history?.at(-1)).toMatchObject({ type: 'ExecutionFailed', state: 'Add', error: 'AccessDenied' });
    expect(history?.find((e) => e.type === 'StateFailed')?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('stops a running execution: ABORTED with the reason, the Task in flight finishes, nothing after it runs', async () => {
    const executions = port();
    tasks.gate = deferred();
    await executions.start('provision', 'org-acme', input());
    await tasks.inAdd.promise;

    await executions.stop('provision', 'org-acme', { error: 'OrgDeleted', cause: 'The org was deleted while it was being provisioned' });
    const stopped = await executions.describe('provision', 'org-acme');
    // The Task in flight then fails with an error its Retry matches: it must not run again.
    tasks.faults = [named('Throttling', 'Rate exceeded')];
    tasks.gate.resolve();
    await executions.idle();

    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'OrgDeleted', cause: 'The org was deleted while it was being provisioned', redriveStatus: 'REDRIVABLE' });
    expect(await executions.describe('provision', 'org-acme')).toEqual(stopped);
    const history = await executions.history('provision', 'org-acme');
    expect(history?.at(-1)).toMatchObject({ type: 'ExecutionAborted', error: 'OrgDeleted' });
    expect(types(history)).not.toContain('StateEntered:Pause');
    expect(tasks.addCalls).toHaveLength(1);
  });

  it('does nothing when stopping a closed or unknown execution', async () => {
    const executions = port();
    await executions.start('provision', 'org-acme', input());
    const done = await executions.waitFor('provision', 'org-acme');

    await executions.stop('provision', 'org-acme', { error: 'Late', cause: 'too late' });
    await executions.stop('provision', 'org-nobody', { error: 'Late', cause: 'too late' });

    expect(await executions.describe('provision', 'org-acme')).toEqual(done);
    expect(await executions.describe('provision', 'org-nobody')).toBeUndefined();
  });

  it('lists newest first, per workflow, with an optional status filter', async () => {
    const executions = port();
    await executions.start('provision', 'org-a', input());
    tasks.faults = [];
    await executions.waitFor('provision', 'org-a');
    tasks.faults = [named('AccessDenied', 'no')];
    await executions.start('provision', 'org-b', input());
    await executions.waitFor('provision', 'org-b');
    await executions.start('provision', 'org-c', input());
    await executions.start('teardown', 'org-z', input());
    await executions.waitFor('provision', 'org-c');
    await executions.waitFor('teardown', 'org-z');

    const listed = await all(executions.list('provision'));
    expect(listed.map((e) => e.name)).toEqual(['org-c', 'org-b', 'org-a']);
    expect(listed.map((e) => e.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    expect((await all(executions.list('provision', { status: 'FAILED' }))).map((e) => e.name)).toEqual(['org-b']);
    expect((await all(executions.list('teardown'))).map((e) => e.name)).toEqual(['org-z']);
  });

  it('keeps executions in a store that a second port reads, including their history', async () => {
    const store = join(dir, 'executions');
    const first = port({ store });
    await first.start('provision', 'org-acme', input());
    tasks.faults = [named('AccessDenied', 'no')];
    await first.waitFor('provision', 'org-acme');
    await first.start('provision', 'org-broken', input());
    await first.waitFor('provision', 'org-broken');

    const second = port({ store });

    expect(existsSync(join(store, 'provision', 'org-acme.json'))).toBe(true);
    expect(await second.describe('provision', 'org-acme')).toEqual(await first.describe('provision', 'org-acme'));
    expect((await second.describe('provision', 'org-broken'))?.failedState).toBe('Add');
    expect(await second.history('provision', 'org-acme')).toEqual(await first.history('provision', 'org-acme'));
    expect((await second.describe('provision', 'org-acme'))?.startDate).toBeInstanceOf(Date);
    expect((await all(second.list('provision'))).map((e) => e.name)).toEqual(['org-broken', 'org-acme']);
    expect(await second.start('provision', 'org-acme', input())).toEqual({ started: false, reason: 'already-exists' });
  });

  it('sees through the store what another port runs, and stops it through the store', async () => {
    const store = join(dir, 'executions');
    const runner = port({ store });
    const observer = port({ store });
    tasks.gate = deferred();
    await runner.start('provision', 'org-acme', input());
    await tasks.inAdd.promise;

    expect((await observer.describe('provision', 'org-acme'))?.status).toBe('RUNNING');
    expect(await observer.start('provision', 'org-acme', input())).toMatchObject({ started: true });
    await observer.stop('provision', 'org-acme', { error: 'OrgDeleted', cause: 'deleted' });

    expect(await runner.describe('provision', 'org-acme')).toMatchObject({ status: 'ABORTED', error: 'OrgDeleted' });
    expect(tasks.addCalls).toHaveLength(1);
  });

  it('redrives a failed execution from the start under its name and input, once per client token', async () => {
    const executions = port();
    tasks.faults = [named('AccessDenied', 'no')];
    await executions.start('provision', 'org-acme', input());
    const failed = await executions.waitFor('provision', 'org-acme');
    expect(failed.status).toBe('FAILED');

    const redriven = await executions.redrive('provision', 'org-acme', { clientToken: 'token-1' });
    const again = await executions.redrive('provision', 'org-acme', { clientToken: 'token-1' });
    const record = await executions.waitFor('provision', 'org-acme');

    expect(redriven).toEqual({ executionArn: failed.executionArn, redriveDate: expect.any(Date), redriveFrom: 'start' });
    expect(again).toEqual(redriven);
    expect(record).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveFrom: 'start', output: { sum: 5 }, startDate: failed.startDate });
    expect(record.error).toBeUndefined();
    expect(record.failedState).toBeUndefined();
    expect(tasks.addCalls).toHaveLength(2);
    // Same input; $$.Execution.StartTime stays the original start, as on AWS.
    expect(tasks.addCalls[1]?.event).toEqual(tasks.addCalls[0]?.event);
    const history = types(await executions.history('provision', 'org-acme'));
    expect(history.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(history.slice(history.indexOf('ExecutionFailed:Add'))).toEqual(['ExecutionFailed:Add', 'ExecutionRedriven', ...ADD_RUN_TO_SUCCESS]);
  });

  it('redrives an aborted execution, and refuses a running, a succeeded or an unknown one', async () => {
    const executions = port();
    tasks.gate = deferred();
    await executions.start('provision', 'org-acme', input());
    await tasks.inAdd.promise;

    await expect(executions.redrive('provision', 'org-acme')).rejects.toBeInstanceOf(ExecutionNotRedrivable);
    await executions.stop('provision', 'org-acme', { error: 'Stopped', cause: 'by a test' });
    tasks.gate.resolve();
    await executions.idle();
    await executions.redrive('provision', 'org-acme');
    expect((await executions.waitFor('provision', 'org-acme')).status).toBe('SUCCEEDED');

    const refusal = executions.redrive('provision', 'org-acme');
    await expect(refusal).rejects.toBeInstanceOf(ExecutionNotRedrivable);
    await expect(refusal).rejects.toThrow('Execution is SUCCEEDED and cannot be redriven');
    expect((await executions.describe('provision', 'org-acme'))?.redriveStatus).toBe('NOT_REDRIVABLE');
    await expect(executions.redrive('provision', 'org-nobody')).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('waits as long as the ASL says by default, and the override when given', async () => {
    const real = port();
    await real.start('provision', 'org-real', input({ waitSeconds: 1 }));
    await real.waitFor('provision', 'org-real');
    const paused = (await real.history('provision', 'org-real'))?.find((e) => e.type === 'StateExited' && e.state === 'Pause');

    const overridden = port({ waitMs: 5 });
    const started = Date.now();
    await overridden.start('provision', 'org-fast', input({ waitSeconds: 3600 }));
    const record = await overridden.waitFor('provision', 'org-fast');

    expect(paused?.durationMs).toBeGreaterThanOrEqual(950);
    expect(record.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports every event live, in order, and gives each Task a Lambda time budget', async () => {
    const seen: string[] = [];
    const executions = port({ remainingTimeMs: 60_000, onEvent: (workflow, name, event) => seen.push(`${workflow}/${name} ${event.type}${event.state ? `:${event.state}` : ''}`) });

    await executions.start('provision', 'org-acme', input());
    await executions.waitFor('provision', 'org-acme');

    expect(seen.slice(0, 3)).toEqual(['provision/org-acme ExecutionStarted', 'provision/org-acme StateEntered:Add', 'provision/org-acme StateExited:Add']);
    expect(seen.at(-1)).toBe('provision/org-acme ExecutionSucceeded');
    const remaining = tasks.addCalls[0]?.context.getRemainingTimeInMillis() ?? 0;
    expect(remaining).toBeLessThanOrEqual(60_000);
    expect(remaining).toBeGreaterThan(50_000);
  });

  it('times out waiting for a running execution, and knows no unknown one', async () => {
    const executions = port();
    tasks.gate = deferred();
    await executions.start('provision', 'org-acme', input());

    const waiting = executions.waitFor('provision', 'org-acme', { timeoutMs: 20 });

    await expect(waiting).rejects.toBeInstanceOf(ExecutionStillRunning);
    await expect(waiting).rejects.toMatchObject({ name: 'ExecutionStillRunning', message: 'provision execution org-acme is still running after 20 ms' });
    await expect(executions.waitFor('provision', 'org-nobody')).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('records an execution that outlives its TimeoutSeconds as TIMED_OUT at the state it was in', async () => {
    const slow = join(dir, 'slow.asl.json');
    writeFileSync(slow, JSON.stringify({ ...ADD_WORKFLOW, TimeoutSeconds: 1 }));
    const executions = port({ definitions: { provision: slow } });
    tasks.gate = deferred();

    await executions.start('provision', 'org-acme', input());
    const record = await executions.waitFor('provision', 'org-acme');

    expect(record).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', failedState: 'Add', redriveStatus: 'REDRIVABLE' });
    expect((await executions.history('provision', 'org-acme'))?.at(-1)).toMatchObject({ type: 'ExecutionTimedOut', state: 'Add' });
  });

  it('rejects an input larger than Step Functions accepts', async () => {
    await expect(port().start('provision', 'org-acme', input({ padding: 'x'.repeat(262_144) }))).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
  });

  it('refuses to start a workflow whose Task has no handler, and records nothing', async () => {
    const executions = port({ handlers: { AddFunctionArn: handlers.AddFunctionArn as TaskHandler } });

    await expect(executions.start('provision', 'org-acme', input())).rejects.toThrow('state Undo runs ${UndoFunctionArn}, which has no local handler');
    expect(await executions.describe('provision', 'org-acme')).toBeUndefined();
  });
});

describe('LocalExecutionPort.forgetClosedBefore', () => {
  /** Runs `name` to its end (FAILED when `fail`). */
  async function run(executions: LocalExecutionPort, workflow: Workflow, name: string, fail = false): Promise<void> {
    if (fail) tasks.faults.push(named('AccessDenied', 'no'));
    await executions.start(workflow, name, input());
    await executions.waitFor(workflow, name);
  }
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  it.each([
    ['without a store', false],
    ['with a store', true],
  ])('forgets only the executions that closed before the cutoff (%s), in every workflow', async (_label, withStore) => {
    const executions = port(withStore ? { store: join(dir, 'executions') } : {});
    await run(executions, 'provision', 'org-old');
    await run(executions, 'teardown', 'org-old-teardown', true);
    await tick();
    const cutoff = new Date();
    await tick();
    await run(executions, 'provision', 'org-recent', true);
    tasks.gate = deferred();
    await executions.start('provision', 'org-running', input());
    await tasks.inAdd.promise;

    const forgotten = executions.forgetClosedBefore(cutoff);

    expect(forgotten).toEqual([
      { workflow: 'provision', name: 'org-old' },
      { workflow: 'teardown', name: 'org-old-teardown' },
    ]);
    expect(await executions.describe('provision', 'org-old')).toBeUndefined();
    expect(await executions.history('teardown', 'org-old-teardown')).toBeUndefined();
    expect((await executions.describe('provision', 'org-recent'))?.status).toBe('FAILED');
    expect((await executions.describe('provision', 'org-running'))?.status).toBe('RUNNING');
    expect((await all(executions.list('provision'))).map((e) => e.name).sort()).toEqual(['org-recent', 'org-running']);
    await expect(executions.redrive('teardown', 'org-old-teardown')).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    if (withStore) {
      expect(existsSync(join(dir, 'executions', 'provision', 'org-old.json'))).toBe(false);
      expect(existsSync(join(dir, 'executions', 'provision', 'org-recent.json'))).toBe(true);
    }
  });

  it('never forgets a running execution, however old its start', async () => {
    const executions = port();
    tasks.gate = deferred();
    await executions.start('provision', 'org-running', input());
    await tasks.inAdd.promise;

    expect(executions.forgetClosedBefore(new Date(Date.now() + 3_600_000))).toEqual([]);
    expect((await executions.describe('provision', 'org-running'))?.status).toBe('RUNNING');
  });

  it('lets a forgotten name be started again, as a new execution with its new input', async () => {
    const executions = port();
    await run(executions, 'provision', 'org-acme');
    await tick();
    expect(await executions.start('provision', 'org-acme', input({ a: 40 }))).toEqual({ started: false, reason: 'already-exists' });

    executions.forgetClosedBefore(new Date());
    const again = await executions.start('provision', 'org-acme', input({ a: 40 }));
    const record = await executions.waitFor('provision', 'org-acme');

    expect(again).toMatchObject({ started: true });
    expect(record).toMatchObject({ status: 'SUCCEEDED', input: input({ a: 40 }), output: { sum: 43 } });
    expect(types(await executions.history('provision', 'org-acme')).filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
  });

  it('forgets what another port closed, through the store: neither port knows the name any more, and either may start it again', async () => {
    const store = join(dir, 'executions');
    const runner = port({ store });
    await run(runner, 'provision', 'org-acme');
    await tick();
    const ager = port({ store });

    expect(ager.forgetClosedBefore(new Date())).toEqual([{ workflow: 'provision', name: 'org-acme' }]);

    expect(await runner.describe('provision', 'org-acme')).toBeUndefined();
    expect(await all(runner.list('provision'))).toEqual([]);
    expect(await runner.start('provision', 'org-acme', input())).toMatchObject({ started: true });
    expect((await ager.waitFor('provision', 'org-acme')).status).toBe('SUCCEEDED');
  });
});

describe('LocalExecutionPort onStatusChange', () => {
  function listening(listener: (change: ExecutionStatusChange) => unknown = () => undefined) {
    const changes: ExecutionStatusChange[] = [];
    const executions = port({
      onStatusChange: (change) => {
        changes.push(change);
        return listener(change);
      },
    });
    return { executions, changes };
  }
  const arn = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-local-provision-tenant:${name}`;

  it('reports an execution that FAILED, with its error and cause, as Step Functions\' status change does', async () => {
    const { executions, changes } = listening();
    tasks.faults = [named('AccessDenied', 'User is not authorized')];

    await executions.start('provision', 'org-acme', input());
    const record = await executions.waitFor('provision', 'org-acme');
    await executions.idle();

    expect(changes).toEqual([
      { executionArn: arn('org-acme'), name: 'org-acme', status: 'FAILED', error: 'AccessDenied', cause: 'User is not authorized', stopDate: record.stopDate?.toISOString() },
    ]);
  });

  it('reports an execution that was stopped (ABORTED) with the stop reason', async () => {
    const { executions, changes } = listening();
    tasks.gate = deferred();
    await executions.start('provision', 'org-acme', input());
    await tasks.inAdd.promise;

    await executions.stop('provision', 'org-acme', { error: 'OrgDeleted', cause: 'deleted' });
    tasks.gate.resolve();
    await executions.idle();

    const stopDate = (await executions.describe('provision', 'org-acme'))?.stopDate?.toISOString();
    expect(changes).toEqual([{ executionArn: arn('org-acme'), name: 'org-acme', status: 'ABORTED', error: 'OrgDeleted', cause: 'deleted', stopDate }]);
  });

  it('reports an execution that TIMED_OUT', async () => {
    const slow = join(dir, 'slow.asl.json');
    writeFileSync(slow, JSON.stringify({ ...ADD_WORKFLOW, TimeoutSeconds: 1 }));
    const changes: ExecutionStatusChange[] = [];
    const executions = port({ definitions: { provision: slow }, onStatusChange: (change) => changes.push(change) });
    tasks.gate = deferred();

    await executions.start('provision', 'org-acme', input());
    await executions.waitFor('provision', 'org-acme');
    tasks.gate.resolve();
    await executions.idle();

    expect(changes).toEqual([expect.objectContaining({ name: 'org-acme', status: 'TIMED_OUT', error: 'States.Timeout' })]);
  });

  it('reports a redrive as RUNNING with its redrive count, and nothing for an execution that succeeds', async () => {
    const { executions, changes } = listening();
    tasks.faults = [named('AccessDenied', 'no')];
    await executions.start('provision', 'org-acme', input());
    await executions.waitFor('provision', 'org-acme');

    await executions.redrive('provision', 'org-acme');
    await executions.waitFor('provision', 'org-acme');
    await executions.start('provision', 'org-fine', input());
    await executions.waitFor('provision', 'org-fine');
    await executions.idle();

    expect(changes.map((change) => `${change.name} ${change.status}${change.redriveCount ? ` redrive ${change.redriveCount}` : ''}`)).toEqual([
      'org-acme FAILED',
      'org-acme RUNNING redrive 1',
    ]);
    expect(changes[1]).toEqual({ executionArn: arn('org-acme'), name: 'org-acme', status: 'RUNNING', redriveCount: 1 });
  });

  it('makes idle() wait until the listener has finished', async () => {
    const delivered = deferred();
    let finished = false;
    const { executions } = listening(async () => {
      await delivered.promise;
      finished = true;
    });
    tasks.faults = [named('AccessDenied', 'no')];
    await executions.start('provision', 'org-acme', input());
    await executions.waitFor('provision', 'org-acme');

    let idle = false;
    const waiting = executions.idle().then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBe(false);

    delivered.resolve();
    await waiting;
    expect(finished).toBe(true);
  });

  it('keeps a listener\'s failure from the execution (as a lost EventBridge delivery) and says so on stderr', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { executions } = listening(() => {
        throw new Error('tracker down');
      });
      tasks.faults = [named('AccessDenied', 'no')];
      await executions.start('provision', 'org-acme', input());
      await executions.waitFor('provision', 'org-acme');
      await executions.idle();

      expect((await executions.describe('provision', 'org-acme'))?.status).toBe('FAILED');
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('the status change of org-acme (FAILED) was not delivered: tracker down'));
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('LocalExecutionPort with the real provision-tenant ASL and handlers', () => {
  let aws: FakeAws;
  beforeEach(() => {
    aws = new FakeAws().install();
  });
  afterEach(() => aws.restore());

  it('provisions the sample org the tenant ledger started to SUCCEEDED, and records it active', async () => {
    const executions = new LocalExecutionPort({ handlers: testTaskHandlers(), retryIntervalMs: 0, waitMs: 0, stage: loadConfig().stage });
    const deps = { ...sampleLifecycleDeps(new DynamoLedgerStore(new DynamoDBClient({}), loadConfig().tenantLedgerTable)), executions };
    const workflow: Workflow = 'provision';
    const name = 'acme-bistro-42-g1-provision';

    const routed = await applyLifecycle({ kind: 'OrgCreated', ...sample.detail, eventTime: '2026-12-01T10:00:00.000Z', eventId: 'e1' }, deps);
    const record = await executions.waitFor(workflow, name);
    await executions.idle();

    expect(routed).toMatchObject({ action: 'started', executionName: name });
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toMatchObject({
      tenant: { provisionedBy: sampleRunId(name), executionName: name, generation: 1, startedAt: record.startDate.toISOString() },
      bucket: { name: 'fusion-rms-acme-bistro-42', created: true },
    });
    const entered = (await executions.history(workflow, name))?.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered).toEqual([
      'ValidateOrg',
      'ConfirmTenantRun',
      'IsPrefixTenant',
      'CreateTenantBucket',
      'ConfigureTenantBucket',
      'CreateTenantUser',
      'IssueTenantCredentials',
      'NeedsBucketPolicy',
      'ApplyTenantBucketPolicy',
      'ProveTenantCredentials',
      'RecordTenantActive',
      'PublishOrgProvisioned',
    ]);
    expect(aws.snapshot()).toMatchObject({ buckets: ['fusion-rms-acme-bistro-42'], users: ['rms_acme-bistro-42'] });
    expect(aws.events.map((e) => e.DetailType)).toEqual(['OrgProvisioned']);
    expect(aws.ledger.get('acme-bistro-42')).toMatchObject({ state: 'active', provisioned: aws.events[0]?.Detail });
  });

  it('parks the tenant through onStatusChange when its provisioning gives up (the tracker over the local port)', async () => {
    // The workflow's ledger steps use their own DynamoDB client: the same (modelled) table.
    const ledger = new DynamoLedgerStore(new DynamoDBClient({}), loadConfig().tenantLedgerTable);
    const late: { deps?: ReturnType<typeof sampleLifecycleDeps> & { executions: LocalExecutionPort } } = {};
    const executions = new LocalExecutionPort({ handlers: testTaskHandlers(), retryIntervalMs: 0, waitMs: 0, stage: loadConfig().stage, onStatusChange: (change) => late.deps && trackExecutionStatus(change, late.deps) });
    const deps = { ...sampleLifecycleDeps(ledger), executions };
    late.deps = deps;
    aws.inject('IAM.CreateUser', () => named('ServiceFailure', 'IAM is down'), 1000);

    await applyLifecycle({ kind: 'OrgCreated', ...sample.detail, eventTime: '2026-12-01T10:00:00.000Z', eventId: 'e1' }, deps);
    await executions.waitFor('provision', 'acme-bistro-42-g1-provision');
    await executions.idle();

    expect(await ledger.get('acme-bistro-42')).toMatchObject({ state: 'parked', parked: { from: 'provisioning', executionName: 'acme-bistro-42-g1-provision', status: 'FAILED', error: 'ServiceFailure' } });
  });
});
