import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionEvent } from '../../../functions/lib/executions';
import type { TaskHandler } from '../../../functions/registry';
import { loadAslDefinition, runAsl, type AslDefinition, type AslRunOptions } from '../../../local/asl-runner';
import { localLambdaContext } from '../../../local/lambda-context';
import { ADD_RUN_TO_SUCCESS, ADD_WORKFLOW, AddTasks, deferred, input, named, types } from './add-workflow';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:tenant-provisioner-local-provision-tenant:org-acme';

let dir: string;
const tasks = new AddTasks();
const handlers: Record<string, TaskHandler> = { '${AddFunctionArn}': tasks.add, '${UndoFunctionArn}': tasks.undo };

/** Runs ADD_WORKFLOW (or `definition`) with the handlers above and no retry pause; collects its events. */
function run(runInput: unknown, options: Partial<AslRunOptions> = {}, definition: AslDefinition = ADD_WORKFLOW as unknown as AslDefinition) {
  const events: ExecutionEvent[] = [];
  const execution = runAsl(definition, runInput, {
    handlerFor: (_stateName, resource) => handlers[resource],
    execution: { Id: ARN, Name: 'org-acme' },
    lambdaContext: (stateName) => localLambdaContext(stateName),
    retryIntervalMs: 0,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { ...execution, events };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'asl-runner-'));
  tasks.reset();
});

afterEach(() => {
  tasks.gate?.resolve();
  rmSync(dir, { recursive: true, force: true });
});

describe('loadAslDefinition', () => {
  function written(definition: unknown): string {
    const file = join(dir, 'machine.asl.json');
    writeFileSync(file, JSON.stringify(definition));
    return file;
  }

  it('reads an ASL file the runner accepts', () => {
    expect(loadAslDefinition(written(ADD_WORKFLOW))).toEqual(ADD_WORKFLOW);
  });

  it('refuses a JSONata definition, which the runner would run wrongly', () => {
    expect(() => loadAslDefinition(written({ ...ADD_WORKFLOW, QueryLanguage: 'JSONata' }))).toThrow('uses JSONata, which the local runner does not support');
  });

  it('refuses a state that uses Assign, which the runner ignores', () => {
    const assigning = { ...ADD_WORKFLOW, States: { ...ADD_WORKFLOW.States, Done: { Type: 'Pass', Assign: { done: true }, End: true } } };
    expect(() => loadAslDefinition(written(assigning))).toThrow('State Done uses JSONata or Assign');
  });

  it('refuses a definition the runner finds invalid', () => {
    const dangling = { ...ADD_WORKFLOW, States: { ...ADD_WORKFLOW.States, Done: { Type: 'Pass', Next: 'Nowhere' } } };
    expect(() => loadAslDefinition(written(dangling))).toThrow('State machine definition is invalid');
  });
});

describe('runAsl', () => {
  it('runs each Task as Lambda would, with the execution context and the start time it is given', async () => {
    const startTime = '2026-12-01T10:00:00.000Z';
    const execution = run(input(), { execution: { Id: ARN, Name: 'org-acme', StartTime: startTime }, lambdaContext: () => localLambdaContext('tenant-provisioner-local-add') });

    const outcome = await execution.outcome;

    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { ...input(), sum: 5 } });
    expect(tasks.addCalls[0]?.event).toEqual({ a: 2, b: 3, execution: { name: 'org-acme', id: ARN, startTime } });
    expect(tasks.addCalls[0]?.context.functionName).toBe('tenant-provisioner-local-add');
    expect(types(execution.events)).toEqual(['ExecutionStarted', ...ADD_RUN_TO_SUCCESS]);
  });

  it('passes on what Lambda passes on: JSON results, and an error as its name and message only', async () => {
    const results: unknown[] = [];
    const echo = runAsl({ StartAt: 'Echo', States: { Echo: { Type: 'Task', Resource: '${EchoFunctionArn}', End: true } } } as unknown as AslDefinition, { at: 1 }, {
      handlerFor: () => async () => results.shift(),
      execution: { Name: 'echo' },
      lambdaContext: () => localLambdaContext('echo'),
    });
    results.push(undefined);
    expect(await echo.outcome).toEqual({ status: 'SUCCEEDED', output: null });

    tasks.faults = [Object.assign(named('AccessDenied', 'User is not authorized to perform s3:PutObject'), { cause: new Error('the SDK error') })];
    const failing = run(input());
    const outcome = await failing.outcome;

    expect(outcome).toEqual({ status: 'FAILED', error: 'AccessDenied', cause: 'User is not authorized to perform s3:PutObject', failedState: 'Add', failedStateType: 'Task' });
    expect(failing.events.at(-1)).toMatchObject({ type: 'ExecutionFailed', state: 'Add', error: 'AccessDenied' });
    expect(failing.events.find((e) => e.type === 'StateFailed')?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('gives a Task the retry it is ($$.State.RetryCount) and the redrives of its execution ($$.Execution.RedriveCount), which the library cannot', async () => {
    const seen: unknown[] = [];
    const definition = {
      StartAt: 'Count',
      States: {
        Count: {
          Type: 'Task',
          Resource: '${CountFunctionArn}',
          Parameters: { 'value.$': '$.value', 'retryCount.$': '$$.State.RetryCount', 'redriveCount.$': '$$.Execution.RedriveCount' },
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3 }],
          Next: 'Again',
        },
        Again: { Type: 'Task', Resource: '${CountFunctionArn}', Parameters: { 'retryCount.$': '$$.State.RetryCount' }, End: true },
      },
    } as unknown as AslDefinition;
    const execution = runAsl(definition, { value: 7 }, {
      handlerFor: () => async (event: unknown) => {
        seen.push(event);
        if (seen.length <= 2) throw named('Flaky', 'not yet');
        return {};
      },
      execution: { Name: 'count', RedriveCount: 2 },
      lambdaContext: () => localLambdaContext('count'),
      retryIntervalMs: 0,
    });

    expect((await execution.outcome).status).toBe('SUCCEEDED');
    expect(seen).toEqual([
      { value: 7, retryCount: 0, redriveCount: 2 },
      { value: 7, retryCount: 1, redriveCount: 2 },
      { value: 7, retryCount: 2, redriveCount: 2 },
      { retryCount: 0 },
    ]);
  });

  it('follows a Catch: compensation runs, the Fail state ends it, and that state is the failed one', async () => {
    tasks.faults = [named('PermanentError', 'The numbers are not allowed')];
    const execution = run(input());

    expect(await execution.outcome).toEqual({ status: 'FAILED', error: 'AddFailed', cause: 'The numbers could not be added', failedState: 'Failed', failedStateType: 'Fail' });
    expect(tasks.undoCalls).toBe(1);
    expect(execution.events.find((e) => e.type === 'StateCaught')).toMatchObject({ state: 'Add', error: 'PermanentError', cause: 'The numbers are not allowed', next: 'Undo' });
    expect(execution.events.find((e) => e.type === 'StateEntered' && e.state === 'Undo')?.input).toMatchObject({ error: { Error: 'PermanentError', Cause: 'The numbers are not allowed' } });
    expect(types(execution.events)).not.toContain('StateEntered:Pause');
  });

  it('retries with the overridden pause, and reports each retry with its error', async () => {
    tasks.faults = [named('Throttling', 'Rate exceeded'), named('Throttling', 'Rate exceeded')];
    const started = Date.now();
    const execution = run(input());

    expect((await execution.outcome).status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(tasks.addCalls).toHaveLength(3);
    expect(execution.events.filter((e) => e.type === 'StateRetried')).toEqual([
      expect.objectContaining({ state: 'Add', retryAttempt: 1, error: 'Throttling', cause: 'Rate exceeded', timestamp: expect.any(Date) }),
      expect.objectContaining({ state: 'Add', retryAttempt: 2, error: 'Throttling' }),
    ]);
  });

  it('waits as long as the ASL says by default, and waitMs when given', async () => {
    const real = run(input({ waitSeconds: 1 }));
    await real.outcome;
    const started = Date.now();
    const overridden = run(input({ waitSeconds: 3600 }), { waitMs: 5 });

    expect((await overridden.outcome).status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(real.events.find((e) => e.type === 'StateExited' && e.state === 'Pause')?.durationMs).toBeGreaterThanOrEqual(950);
  });

  it('aborts: ABORTED with the reason, the Task in flight finishes and is not retried, nothing after it runs', async () => {
    tasks.gate = deferred();
    const execution = run(input());
    await tasks.inAdd.promise;

    execution.abort({ error: 'OrgDeleted', cause: 'The org was deleted' });
    const outcome = await execution.outcome;
    let settled = false;
    void execution.settled.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    // The Task in flight then fails with an error its Retry matches: it must not run again.
    tasks.faults = [named('Throttling', 'Rate exceeded')];
    tasks.gate.resolve();
    await execution.settled;

    expect(outcome).toEqual({ status: 'ABORTED', error: 'OrgDeleted', cause: 'The org was deleted' });
    expect(execution.events.at(-1)).toMatchObject({ type: 'ExecutionAborted', error: 'OrgDeleted', cause: 'The org was deleted' });
    expect(types(execution.events)).not.toContain('StateEntered:Pause');
    expect(tasks.addCalls).toHaveLength(1);
  });

  it('ends an execution that outlives its TimeoutSeconds as TIMED_OUT at the state it was in', async () => {
    tasks.gate = deferred();
    const execution = run(input(), {}, { ...ADD_WORKFLOW, TimeoutSeconds: 1 } as unknown as AslDefinition);

    expect(await execution.outcome).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', failedState: 'Add', failedStateType: 'Task' });
    expect(execution.events.at(-1)).toMatchObject({ type: 'ExecutionTimedOut', state: 'Add' });
    tasks.gate.resolve();
    await execution.settled;
  });

  it('refuses at once a Task that has no handler', () => {
    expect(() => run(input(), { handlerFor: (_stateName, resource) => (resource === '${AddFunctionArn}' ? handlers[resource] : undefined) })).toThrow(
      'State Undo runs ${UndoFunctionArn}, which has no local handler',
    );
  });

  it('tells beforeTask of each Task before its handler runs, and keeps an observer\'s fault from the execution', async () => {
    const before: string[] = [];
    const execution = run(input(), {
      beforeTask: (stateName) => before.push(`${stateName} after ${tasks.addCalls.length} adds`),
      onEvent: () => {
        throw new Error('observer down');
      },
    });

    expect((await execution.outcome).status).toBe('SUCCEEDED');
    expect(before).toEqual(['Add after 0 adds']);
  });
});
