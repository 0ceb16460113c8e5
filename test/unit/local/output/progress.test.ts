import { Style } from '../../../../cli/style';
import type { ExecutionEvent, ExecutionRecord } from '../../../../functions/lib/executions';
import { outcomeLine, progressPrinter } from '../../../../local/output/progress';

const T0 = new Date('2026-11-23T09:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const task = (type: ExecutionEvent['type'], state: string, extra: Partial<ExecutionEvent> = {}): ExecutionEvent => ({ type, timestamp: at(1), state, stateType: 'Task', ...extra });

/** Every line the printer gives for `events`, fed one by one. */
function printed(events: ExecutionEvent[], options: Parameters<typeof progressPrinter>[0] = {}): string[] {
  const print = progressPrinter(options);
  return events.flatMap((event) => print(event));
}

describe('progressPrinter', () => {
  it('shows each state when it ends, with its duration in the one duration format', () => {
    const lines = printed([task('StateEntered', 'ValidateOrg'), task('StateExited', 'ValidateOrg', { durationMs: 5 }), task('StateEntered', 'CreateTenantBucket'), task('StateExited', 'CreateTenantBucket', { durationMs: 1234 })]);

    expect(lines).toEqual(['    ✓ ValidateOrg                    5 ms', '    ✓ CreateTenantBucket             1.2 s']);
  });

  it('holds a Task’s failed attempt until the next event says what became of it: a retry', () => {
    const print = progressPrinter();

    expect(print(task('StateFailed', 'CreateTenantBucket', { error: 'SlowDown', durationMs: 900 }))).toEqual([]);
    expect(print(task('StateRetried', 'CreateTenantBucket', { error: 'SlowDown', retryAttempt: 1 }))).toEqual(['    ↻ CreateTenantBucket             retry 1 after SlowDown']);
  });

  it('shows a Task that gave up, once the execution failed after it', () => {
    const lines = printed([task('StateFailed', 'CreateTenantBucket', { error: 'SlowDown', durationMs: 65_000 }), { type: 'ExecutionFailed', timestamp: at(66), error: 'SlowDown' }]);

    expect(lines).toEqual(['    ✗ CreateTenantBucket             SlowDown (retries exhausted after 1 min 05 s)']);
  });

  it('says a Task that failed with an error its retriers let through at once was not retried', () => {
    const lines = printed([
      task('StateEntered', 'DeleteTenantBucket'),
      task('StateFailed', 'DeleteTenantBucket', { error: 'TenantObjectsLockedError', durationMs: 106 }),
      { type: 'ExecutionFailed', timestamp: at(66), error: 'TenantObjectsLockedError' },
    ]);

    expect(lines).toEqual(['    ✗ DeleteTenantBucket             TenantObjectsLockedError (not retried after 106 ms)']);
  });

  it('shows a caught error once: not the exit the local runner adds after the catch', () => {
    const lines = printed([
      task('StateFailed', 'CreateTenantUser', { error: 'TenantUserConflictError' }),
      task('StateCaught', 'CreateTenantUser', { error: 'TenantUserConflictError', next: 'PrepareBucketRollback' }),
      task('StateExited', 'CreateTenantUser', { durationMs: 41 }),
      task('StateFailed', 'ProvisioningFailed', { stateType: 'Fail', error: 'TenantUserConflictError' }),
    ]);

    expect(lines).toEqual(['    ↯ CreateTenantUser               TenantUserConflictError caught → PrepareBucketRollback', '    ✗ ProvisioningFailed             TenantUserConflictError']);
  });

  it('shows a Wait only when told how long it waits, and a redrive as where it resumes', () => {
    const wait = task('StateEntered', 'WaitRetentionPeriod', { stateType: 'Wait', timestamp: T0 });
    const redriven: ExecutionEvent = { type: 'ExecutionRedriven', timestamp: at(2), redriveCount: 1 };

    expect(printed([wait])).toEqual([]);
    expect(printed([wait], { waitSeconds: () => 7 * 86_400 })).toEqual(['    ⧗ WaitRetentionPeriod            waits 7 d 0 h (until 2026-11-30 09:00:00Z)']);
    expect(printed([redriven])).toEqual(['    ↺ redriven (1): resumes at the failed state']);
    expect(printed([redriven], { redriveFrom: 'start' })).toEqual(['    ↺ redriven (1): re-runs from the start (local runner)']);
  });

  it("colours the marks with tenantctl's Style", () => {
    const [line] = printed([task('StateExited', 'ValidateOrg', { durationMs: 5 })], { style: new Style(true) });

    expect(line).toBe('    \u001b[32m✓\u001b[39m ValidateOrg                    5 ms');
  });
});

describe('outcomeLine', () => {
  const record = (extra: Partial<ExecutionRecord>): ExecutionRecord => ({ workflow: 'provision', name: 'acme-g1-provision', executionArn: 'arn', status: 'SUCCEEDED', input: {}, startDate: T0, stopDate: at(0.312), ...extra });

  it('says how long a successful run took', () => {
    expect(outcomeLine(record({}))).toBe('  SUCCEEDED in 312 ms');
  });

  it("names a failed run's state, its error and Lambda's message instead of its JSON", () => {
    const failed = record({ status: 'FAILED', failedState: 'ProvisioningFailed', error: 'TenantUserConflictError', cause: '{"errorMessage":"IAM user rms_acme already exists"}' });

    expect(outcomeLine(failed)).toBe('  FAILED at ProvisioningFailed after 312 ms: TenantUserConflictError — IAM user rms_acme already exists');
  });

  it('times a redriven run from its last redrive, and colours the status with a Style', () => {
    const redriven = record({ redriveCount: 2, redriveDate: at(0.2) });

    expect(outcomeLine(redriven, new Style(true))).toBe('  \u001b[32mSUCCEEDED\u001b[39m in 112 ms (since redrive 2)');
  });
});
