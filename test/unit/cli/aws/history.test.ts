import { failedStateOf, translateHistory } from '../../../../cli/aws/history';
import { at, event, history, okTask } from '../support';

const shape = (events: ReturnType<typeof translateHistory>) => events.map((e) => [e.type, e.state ?? '', e.error ?? '', e.retryAttempt ?? e.next ?? e.redriveCount ?? '']);

/** DeleteTenantCredentials entered at 1 s, its first attempt failing at 2 s on the secret's replicas. */
const credentialsFirstAttemptFails = [
  event.entered(1, 'Task', 'DeleteTenantCredentials'),
  event.scheduled(1),
  event.lambdaFailed(2, 'InvalidParameterException', 'replicas'),
];
/** Its retry after the back-off, failing again at 5 s. */
const credentialsRetryFails = [event.scheduled(4), event.lambdaFailed(5, 'InvalidParameterException', 'replicas')];
/** The two attempts as translateHistory tells them: the first retried, the last failed. */
const credentialsRetriedThenFailed = [
  ['StateEntered', 'DeleteTenantCredentials', '', ''],
  ['StateRetried', 'DeleteTenantCredentials', 'InvalidParameterException', 1],
  ['StateFailed', 'DeleteTenantCredentials', 'InvalidParameterException', ''],
];

describe('translateHistory', () => {
  it("turns a failed attempt followed by another attempt of the same state into StateRetried, and the last one into StateFailed", () => {
    const events = translateHistory(history(event.started(0), ...credentialsFirstAttemptFails, ...credentialsRetryFails, event.failed(5, 'InvalidParameterException', 'replicas')));

    expect(shape(events)).toEqual([['ExecutionStarted', '', '', ''], ...credentialsRetriedThenFailed, ['ExecutionFailed', 'DeleteTenantCredentials', 'InvalidParameterException', '']]);
    expect(events[3]).toMatchObject({ stateType: 'Task', durationMs: 4000, cause: JSON.stringify({ errorType: 'InvalidParameterException', errorMessage: 'replicas', trace: ['at x'] }) });
  });

  it('turns a failed attempt followed by another state into StateCaught with where it went, and a Fail state into StateFailed', () => {
    const events = translateHistory(
      history(
        event.started(0),
        event.entered(1, 'Task', 'CreateTenantUser'),
        event.scheduled(1),
        event.lambdaFailed(2, 'TenantUserConflictError', 'not ours'),
        event.exited(2, 'Task', 'CreateTenantUser'),
        event.entered(2, 'Pass', 'PrepareBucketRollback'),
        event.exited(2, 'Pass', 'PrepareBucketRollback'),
        event.entered(3, 'Fail', 'ProvisioningFailed'),
        event.failed(3, 'TenantUserConflictError', 'not ours'),
      ),
    );

    expect(shape(events)).toEqual([
      ['ExecutionStarted', '', '', ''],
      ['StateEntered', 'CreateTenantUser', '', ''],
      ['StateCaught', 'CreateTenantUser', 'TenantUserConflictError', 'PrepareBucketRollback'],
      ['StateEntered', 'PrepareBucketRollback', '', ''],
      ['StateExited', 'PrepareBucketRollback', '', ''],
      ['StateEntered', 'ProvisioningFailed', '', ''],
      ['StateFailed', 'ProvisioningFailed', 'TenantUserConflictError', ''],
      ['ExecutionFailed', 'ProvisioningFailed', 'TenantUserConflictError', ''],
    ]);
    expect(events[6]).toMatchObject({ stateType: 'Fail' });
  });

  it('ends the history of a run waiting out a retry back-off with the failed attempt, as the local runner records it', () => {
    const events = translateHistory(history(event.started(0), ...credentialsFirstAttemptFails, ...credentialsRetryFails));

    expect(shape(events)).toEqual([['ExecutionStarted', '', '', ''], ...credentialsRetriedThenFailed]);
    expect(events[3]).toMatchObject({ stateType: 'Task', timestamp: at(5), durationMs: 4000 });
  });

  it('adds no failed attempt after a run stopped during its back-off', () => {
    const events = translateHistory(
      history(event.started(0), ...credentialsFirstAttemptFails, { type: 'ExecutionAborted', timestamp: at(3), executionAbortedEventDetails: { error: 'OrgRestored', cause: 'restored' } }),
    );

    expect(shape(events).map(([type]) => type)).toEqual(['ExecutionStarted', 'StateEntered', 'ExecutionAborted']);
  });

  it('keeps the redrive and the states after it, with their outputs parsed', () => {
    const events = translateHistory(history(event.failed(5, 'X', 'y'), event.redriven(6, 1), ...okTask(6, 'DeleteTenantBucket', { done: true }), event.succeeded(7, { ok: 1 })));

    expect(shape(events)).toEqual([
      ['ExecutionFailed', '', 'X', ''],
      ['ExecutionRedriven', '', '', 1],
      ['StateEntered', 'DeleteTenantBucket', '', ''],
      ['StateExited', 'DeleteTenantBucket', '', ''],
      ['ExecutionSucceeded', '', '', ''],
    ]);
    expect(events[3]).toMatchObject({ output: { done: true }, durationMs: 100, timestamp: at(6.1) });
    expect(events[4]).toMatchObject({ output: { ok: 1 } });
  });
});

describe('failedStateOf', () => {
  it('finds the last state entered, reading newest first', () => {
    const newestFirst = history(event.entered(1, 'Task', 'A'), event.scheduled(1), event.lambdaFailed(2, 'E', 'c'), event.entered(3, 'Fail', 'Failed'), event.failed(4, 'E', 'c')).reverse();

    expect(failedStateOf(newestFirst)).toEqual({ state: 'Failed', stateType: 'Fail' });
    expect(failedStateOf([])).toBeUndefined();
  });
});
