import type { ExecutionEvent } from '../../../functions/lib/executions';
import { countdownText, localRetryIntervalMs, pendingRetry, retryPauseMs } from '../../../cli/retry-countdown';
import { at } from './support';

const entered = (seconds: number, state: string): ExecutionEvent => ({ type: 'StateEntered', timestamp: at(seconds), state, stateType: 'Task' });
const failed = (seconds: number, state: string, error: string, stateType = 'Task'): ExecutionEvent => ({ type: 'StateFailed', timestamp: at(seconds), state, stateType, error });
const retried = (seconds: number, state: string, error: string, retryAttempt: number): ExecutionEvent => ({ type: 'StateRetried', timestamp: at(seconds), state, stateType: 'Task', error, retryAttempt });

describe('pendingRetry', () => {
  it("is the first retry of the ASL's catch-all retrier after a Task's first failed attempt (teardown DeleteTenantCredentials: 2 s, up to 6, full jitter)", () => {
    const retry = pendingRetry('teardown', [entered(0, 'DeleteTenantCredentials'), failed(1, 'DeleteTenantCredentials', 'InvalidParameterException')]);

    expect(retry).toEqual({ state: 'DeleteTenantCredentials', error: 'InvalidParameterException', attempt: 1, maxAttempts: 6, dueAt: at(3), jittered: true });
  });

  it('counts the retries the same retrier made in this visit, and backs off by its rate', () => {
    const history = [
      entered(0, 'CreateTenantBucket'),
      failed(1, 'CreateTenantBucket', 'InternalError'),
      retried(3, 'CreateTenantBucket', 'InternalError', 1),
      failed(4, 'CreateTenantBucket', 'InternalError'),
      retried(8, 'CreateTenantBucket', 'InternalError', 2),
      failed(9, 'CreateTenantBucket', 'InternalError'),
    ];

    expect(pendingRetry('provision', history)).toMatchObject({ attempt: 3, maxAttempts: 5, dueAt: at(9 + 8) });
  });

  it("matches AWS's throttling retrier before the catch-all one: S3's SlowDown, 1 s, up to 20, full jitter", () => {
    expect(pendingRetry('provision', [entered(0, 'CreateTenantBucket'), failed(1, 'CreateTenantBucket', 'SlowDown')])).toEqual({
      state: 'CreateTenantBucket', error: 'SlowDown', attempt: 1, maxAttempts: 20, dueAt: at(2), jittered: true,
    });
  });

  it("matches the retrier that names the error before the catch-all one: a Lambda service error's 1 s, up to 3", () => {
    expect(pendingRetry('provision', [entered(0, 'CreateTenantUser'), failed(1, 'CreateTenantUser', 'Lambda.ServiceException')])).toMatchObject({ attempt: 1, maxAttempts: 3, dueAt: at(2) });
  });

  it('waits out a policy not yet applied without jitter (5 s, then 10 s, capped at 30 s)', () => {
    const history = [entered(0, 'ApplyTenantBucketPolicy'), failed(1, 'ApplyTenantBucketPolicy', 'TenantPolicyNotReadyError')];

    expect(pendingRetry('provision', history)).toMatchObject({ attempt: 1, maxAttempts: 8, dueAt: at(6), jittered: false });
  });

  it('is none for an error no retrier retries (MaxAttempts 0: the Catch comes next), once the retries are used up, for a Fail state and while the last event is not a failed attempt', () => {
    expect(pendingRetry('provision', [entered(0, 'CreateTenantUser'), failed(1, 'CreateTenantUser', 'TenantUserConflictError')])).toBeUndefined();
    const exhausted = [entered(0, 'RecordTenantActive'), ...[1, 2, 3, 4, 5].flatMap((n) => [failed(n * 2, 'RecordTenantActive', 'Boom'), retried(n * 2 + 1, 'RecordTenantActive', 'Boom', n)]), failed(20, 'RecordTenantActive', 'Boom')];
    expect(pendingRetry('provision', exhausted)).toBeUndefined();
    expect(pendingRetry('provision', [entered(0, 'ProvisioningFailed'), failed(1, 'ProvisioningFailed', 'TenantUserConflictError', 'Fail')])).toBeUndefined();
    expect(pendingRetry('provision', [entered(0, 'CreateTenantUser')])).toBeUndefined();
  });

  it("starts counting again when the state is entered again (a redrive), and takes the local runner's pause instead of the ASL's", () => {
    const history = [entered(0, 'DeleteTenantUser'), failed(1, 'DeleteTenantUser', 'X'), retried(2, 'DeleteTenantUser', 'X', 1), entered(10, 'DeleteTenantUser'), failed(11, 'DeleteTenantUser', 'X')];

    expect(pendingRetry('teardown', history, 1_500)).toMatchObject({ attempt: 1, dueAt: new Date(at(11).getTime() + 1_500), jittered: false });
  });
});

describe('retryPauseMs', () => {
  it('is IntervalSeconds × BackoffRate^(attempt − 1), capped by MaxDelaySeconds', () => {
    const retrier = { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 2, MaxDelaySeconds: 30 };

    expect([1, 2, 3, 4, 5].map((attempt) => retryPauseMs(retrier, attempt))).toEqual([2_000, 4_000, 8_000, 16_000, 30_000]);
    expect(retryPauseMs({ ErrorEquals: ['X'] }, 2)).toBe(2_000);
  });
});

describe('countdownText', () => {
  const retry = { state: 'CreateTenantBucket', error: 'SlowDown', attempt: 2, maxAttempts: 6, dueAt: at(37), jittered: false };

  it('counts down in whole seconds, rounded up', () => {
    expect(countdownText(retry, at(0))).toBe('    ↻ CreateTenantBucket             retry 2 of 6 in 37 s… (after SlowDown)');
    expect(countdownText(retry, at(35.2))).toBe('    ↻ CreateTenantBucket             retry 2 of 6 in 2 s… (after SlowDown)');
    expect(countdownText({ ...retry, dueAt: at(65) }, at(0))).toContain('retry 2 of 6 in 1 min 05 s…');
  });

  it('says "within" when Step Functions picks the pause at random, and "due now" once it is over', () => {
    expect(countdownText({ ...retry, jittered: true }, at(0))).toContain('retry 2 of 6 within 37 s…');
    expect(countdownText(retry, at(40))).toContain('retry 2 of 6 due now…');
  });
});

describe('localRetryIntervalMs', () => {
  it('reads TENANTCTL_LOCAL_RETRY_INTERVAL_MS when it is a whole number', () => {
    expect(localRetryIntervalMs({ TENANTCTL_LOCAL_RETRY_INTERVAL_MS: ' 20 ' })).toBe(20);
    expect(localRetryIntervalMs({ TENANTCTL_LOCAL_RETRY_INTERVAL_MS: 'soon' })).toBeUndefined();
    expect(localRetryIntervalMs({})).toBeUndefined();
  });
});
