import aslValidator from 'asl-validator';
import { OTHER_STATES_BEFORE_LOOP, TASK_MAX_RETRIES, TASK_STATES_BEFORE_LOOP } from '../../../functions/lib/history-budget';
import { ledgerSteps, loadMachine, reachable, type State } from './asl';

const asl = loadMachine('teardown-tenant');
const states = asl.States;

/** Every state reachable from `start`. */
function reachableFrom(start: string): Set<string> {
  return reachable({ ...asl, StartAt: start });
}

/** The states visited from StartAt when every Choice takes its Default. */
function defaultPath(): string[] {
  const path: string[] = [];
  let name: string | undefined = asl.StartAt;
  while (name && !path.includes(name)) {
    path.push(name);
    const state: State = states[name] as State;
    name = state.Type === 'Choice' ? state.Default : state.Next;
  }
  return path;
}

describe('statemachine/teardown-tenant.asl.json', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(structuredClone(asl), { checkArn: true, checkPaths: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('confirms the run with the ledger, revokes and records the tenant retained before the grace period, and records deleting before anything is deleted', () => {
    const order = ['PrepareTeardown', 'ConfirmTenantRun', 'RevokeTenantAccess', 'RecordTenantRetained', 'IsRetentionRequested', 'RecordTenantDeleting', 'DeleteTenantCredentials', 'DeleteTenantUser'];
    const path = defaultPath();
    expect(path.filter((s) => order.includes(s))).toEqual(order);
    expect(states.IsRetentionRequested?.Type).toBe('Choice');
    expect(states.WaitRetentionPeriod).toMatchObject({ Type: 'Wait', SecondsPath: '$.teardown.retentionSeconds', Next: 'RecordTenantDeleting' });
  });

  it('never reaches a deletion without passing RecordTenantDeleting (where a restore in the wait stops it), or resuming one the ledger continued', () => {
    // ResumeBucketDeletion: only an execution the ledger started to continue a teardown that was
    // deleting (functions/lib/ledger/lifecycle.ts onContinued), and only after ConfirmTenantRun.
    const withoutDeleting = reachable(asl, ['RecordTenantDeleting', 'ResumeBucketDeletion']);
    for (const step of ['DeleteTenantCredentials', 'DeleteTenantUser', 'DeleteTenantBucket', 'RecordTenantDeleted']) {
      expect({ step, reachable: withoutDeleting.has(step) }).toEqual({ step, reachable: false });
    }
    expect(reachable(asl).has('DeleteTenantCredentials')).toBe(true);
  });

  it('deletes a kept bucket only in an execution the ledger started for it, once its time is up and the ledger has marked its deletion begun', () => {
    expect(states.IsContinuation?.Choices?.[1]).toEqual({ Variable: '$.teardown.keep', IsPresent: true, Next: 'WaitKeptBucket' });
    expect(states.WaitKeptBucket).toMatchObject({ Type: 'Wait', TimestampPath: '$.teardown.keep.until', Next: 'RecordKeptBucketDeleting' });
    expect(reachable(asl, ['RecordKeptBucketDeleting']).has('DeleteKeptTenantBucket')).toBe(false);
    expect(reachable(asl, ['ConfirmTenantRun']).has('WaitKeptBucket')).toBe(false);
    expect(states.RecordKeptBucketDeleting).toMatchObject({ Parameters: { transition: 'kept-bucket-deleting' }, Catch: [{ ErrorEquals: ['TenantRunSupersededError'], Next: 'TeardownSuperseded' }] });
    expect(states.DeleteKeptTenantBucket).toMatchObject({ Parameters: { scope: 'kept', 'bucketName.$': '$.teardown.keep.bucketName' }, Next: 'RecordKeptBucketDeleted' });
    expect(states.RecordKeptBucketDeleted).toMatchObject({ Parameters: { transition: 'kept-bucket-deleted' }, End: true });
  });

  it('never revokes, nor resumes a continued deletion, without passing ConfirmTenantRun (where a teardown the ledger moved past ends)', () => {
    expect(reachable(asl, ['ConfirmTenantRun']).has('RevokeTenantAccess')).toBe(false);
    expect(reachable(asl, ['ConfirmTenantRun']).has('ResumeBucketDeletion')).toBe(false);
    expect(states.ConfirmTenantRun).toMatchObject({ Parameters: { transition: 'confirm', workflow: 'teardown', 'tenant.$': '$.teardown.tenant' } });
  });

  it('records each step of the teardown with the tenant PrepareTeardown derived', () => {
    expect(states.RecordTenantRetained?.Parameters).toEqual({ transition: 'revoked', 'tenant.$': '$.teardown.tenant', 'revoked.$': '$.revoked' });
    expect(states.RecordTenantDeleting?.Parameters).toEqual({ transition: 'deletion-started', 'tenant.$': '$.teardown.tenant' });
    expect(states.RecordTenantDeleted?.Parameters).toEqual({ transition: 'deleted', 'tenant.$': '$.teardown.tenant', 'deletedBucket.$': '$.deletedBucket' });
    expect(states.IsBucketDeleted?.Choices?.[0]?.Next).toBe('RecordTenantDeleted');
    expect(states.NoTenantBucket?.Next).toBe('RecordTenantDeleted');
    expect(states.RecordTenantDeleted?.Next).toBe('PublishOrgDeprovisioned');
  });

  it('deletes only with the tenant guard (scope "tenant")', () => {
    for (const name of ['DeleteTenantCredentials', 'DeleteTenantUser', 'DeleteTenantBucket']) {
      expect(states[name]?.Parameters?.scope).toBe('tenant');
    }
  });

  it('loops on the bucket deletion until it reports done, or continues in a new execution when it says so', () => {
    expect(states.DeleteTenantBucket?.Next).toBe('IsBucketDeleted');
    expect(states.IsBucketDeleted).toMatchObject({ Type: 'Choice', Default: 'DeleteTenantBucket' });
    expect(states.IsBucketDeleted?.Choices).toEqual([
      { Variable: '$.deletedBucket.done', BooleanEquals: true, Next: 'RecordTenantDeleted' },
      { Variable: '$.deletedBucket.continueAsNew', BooleanEquals: true, Next: 'ContinueTeardownAsNew' },
    ]);
    expect(states.DeleteTenantBucket?.Parameters?.['history.$']).toBe('$.deletedBucket.history');
    expect(states.ContinueTeardownAsNew).toMatchObject({ Parameters: { transition: 'continued', 'tenant.$': '$.teardown.tenant' }, Next: 'TeardownContinued' });
    expect(states.TeardownContinued?.Type).toBe('Succeed');
  });

  it('hands the next execution everything the loop and PublishOrgDeprovisioned read, and the next execution puts it back where they read it', () => {
    const carried = (states.ContinueTeardownAsNew?.Parameters as { carried: Record<string, unknown> }).carried;
    const resumed = states.ResumeBucketDeletion?.Parameters as Record<string, string>;
    const published = Object.keys(states.PublishOrgDeprovisioned?.Parameters ?? {}).map((key) => key.replace(/\.\$$/, ''));
    for (const key of published.filter((key) => key !== 'teardown')) {
      expect({ key, carried: key in carried || `${key}.$` in carried }).toEqual({ key, carried: true });
      expect({ key, resumed: resumed[`${key}.$`] }).toEqual({ key, resumed: `$.teardown.continuation.${key}` });
    }
    expect(states.IsContinuation?.Choices?.[0]).toEqual({ Variable: '$.teardown.continuation', IsPresent: true, Next: 'ResumeBucketDeletion' });
    expect(states.ResumeBucketDeletion).toMatchObject({ Type: 'Pass', Next: 'DeleteTenantBucket' });
    // No ResultPath: the default replaces the input with the Parameters (the local runner would write an explicit "$" under a key "$").
    expect(states.ResumeBucketDeletion?.ResultPath).toBeUndefined();
  });

  it('has no more states before the loop, nor more retries per Task, than the history count charges (functions/lib/history-budget.ts)', () => {
    // The states from which the loop can be reached; ResumeBucketDeletion and the first execution's way are exclusive.
    const before = Object.keys(states).filter((name) => name !== 'DeleteTenantBucket' && name !== 'IsBucketDeleted' && reachableFrom(name).has('DeleteTenantBucket'));
    const tasks = before.filter((name) => states[name]?.Type === 'Task');
    const others = before.filter((name) => states[name]?.Type !== 'Task' && name !== 'ResumeBucketDeletion');
    expect(tasks.length).toBeLessThanOrEqual(TASK_STATES_BEFORE_LOOP);
    expect(others.length).toBeLessThanOrEqual(OTHER_STATES_BEFORE_LOOP);
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task') continue;
      const retries = (state.Retry ?? []).reduce((sum, retrier) => sum + (retrier.MaxAttempts ?? 3), 0);
      expect({ name, withinBound: retries <= TASK_MAX_RETRIES }).toEqual({ name, withinBound: true });
    }
  });

  it('catches an invalid input and the ledger\'s refusal only, so a teardown that cannot finish stays redrivable', () => {
    const ledger = ledgerSteps(asl);
    expect(ledger.sort()).toEqual(['ConfirmTenantRun', 'ContinueTeardownAsNew', 'RecordKeptBucketDeleted', 'RecordKeptBucketDeleting', 'RecordTenantDeleted', 'RecordTenantDeleting', 'RecordTenantRetained']);
    for (const [name, state] of Object.entries(states)) {
      const caught = state.Catch?.flatMap((c) => c.ErrorEquals) ?? [];
      if (name === 'PrepareTeardown') expect(caught.sort()).toEqual(['InvalidEventError', 'InvalidOrgIdError']);
      // RevokeTenantAccess asks the ledger first (lib/ledger/run-guard.ts): a redriven teardown a restore undid revokes nothing.
      else if ((ledger.includes(name) && name !== 'RecordTenantDeleted') || name === 'RevokeTenantAccess') expect({ name, caught }).toEqual({ name, caught: ['TenantRunSupersededError'] });
      else expect({ name, caught }).toEqual({ name, caught: [] });
      if (state.Type === 'Task') {
        const last = state.Retry?.[state.Retry.length - 1];
        expect({ name, last: last?.ErrorEquals, jitter: last?.JitterStrategy }).toEqual({ name, last: ['States.ALL'], jitter: 'FULL' });
        expect(state.Retry?.some((r) => r.ErrorEquals.includes('Lambda.ServiceException'))).toBe(true);
      }
    }
  });

  it('ends a teardown the ledger refused as succeeded, having deleted nothing', () => {
    for (const name of ['ConfirmTenantRun', 'RevokeTenantAccess', 'RecordTenantRetained', 'RecordTenantDeleting']) {
      expect(states[name]?.Catch).toEqual([{ ErrorEquals: ['TenantRunSupersededError'], ResultPath: '$.superseded', Next: 'TeardownSuperseded' }]);
    }
    expect(states.TeardownSuperseded?.Type).toBe('Succeed');
  });

  it('has no Catch on RecordTenantDeleted: once everything is deleted, a failure to record it parks the run for a redrive', () => {
    expect(states.RecordTenantDeleted?.Catch).toBeUndefined();
  });
});
