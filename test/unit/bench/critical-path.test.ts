import type { ExecutionEvent } from '../../../functions/lib/executions';
import { causeOfError, criticalPathWaits, taskAttempts, waitTotals } from '../../../bench/lib/critical-path';
import type { Refusal } from '../../../bench/lib/fault-layer';

const USER_ARN = 'arn:aws:iam::123456789012:user/tenants/rms_acme';
const KEY_ID = 'AKIACRITICALPATH0001';

const at = (ms: number) => new Date(1_000_000 + ms);
const task = (type: ExecutionEvent['type'], state: string, ms: number, error?: string): ExecutionEvent => ({
  type,
  state,
  stateType: 'Task',
  timestamp: at(ms),
  ...(error ? { error } : {}),
});
const refusal = (kind: Refusal['kind'], subject: string, ms: number): Refusal => ({ kind, subject, at: 1_000_000 + ms, operation: kind === 'key' ? 'STS.GetCallerIdentity' : 'S3.PutBucketPolicy' });

/** The code before issue 17 items 3–5: the policy refused twice, retried by the ASL 5 s and 10 s later. */
const policyRetried: ExecutionEvent[] = [
  task('StateEntered', 'CreateTenantUser', 0),
  task('StateExited', 'CreateTenantUser', 200),
  task('StateEntered', 'ApplyTenantBucketPolicy', 600),
  task('StateFailed', 'ApplyTenantBucketPolicy', 750, 'TenantPolicyNotReadyError'),
  task('StateRetried', 'ApplyTenantBucketPolicy', 5_750),
  task('StateFailed', 'ApplyTenantBucketPolicy', 5_900, 'TenantPolicyNotReadyError'),
  task('StateRetried', 'ApplyTenantBucketPolicy', 15_900),
  task('StateExited', 'ApplyTenantBucketPolicy', 16_050),
];

describe('causeOfError', () => {
  it('names what a failed attempt waited for', () => {
    expect(causeOfError('TenantPolicyNotReadyError')).toBe('principal');
    expect(causeOfError('TenantCredentialsNotReadyError')).toBe('key');
    expect(causeOfError('Throttling')).toBe('throttle');
    expect(causeOfError('States.Timeout')).toBe('other');
  });
});

describe('taskAttempts', () => {
  it('splits a retried Task into its attempts', () => {
    expect(taskAttempts(policyRetried).filter((a) => a.state === 'ApplyTenantBucketPolicy')).toEqual([
      { state: 'ApplyTenantBucketPolicy', start: 1_000_600, end: 1_000_750 },
      { state: 'ApplyTenantBucketPolicy', start: 1_005_750, end: 1_005_900 },
      { state: 'ApplyTenantBucketPolicy', start: 1_015_900, end: 1_016_050 },
    ]);
  });
});

describe('criticalPathWaits', () => {
  it("charges the ASL's pauses and the refused calls of a retried policy to the principal", () => {
    const waits = criticalPathWaits({
      history: policyRetried,
      refusals: [refusal('principal', USER_ARN, 700), refusal('principal', USER_ARN, 5_850), refusal('principal', 'arn:aws:iam::123456789012:user/someone-else', 800)],
      subjects: [USER_ARN, KEY_ID],
      firstAcceptedAt: new Map([[USER_ARN, 1_016_000]]),
    });

    expect(waits).toEqual([
      { where: 'ApplyTenantBucketPolicy', how: 'asl-retry', cause: 'principal', error: 'TenantPolicyNotReadyError', ms: 5_000 },
      { where: 'ApplyTenantBucketPolicy', how: 'asl-retry', cause: 'principal', error: 'TenantPolicyNotReadyError', ms: 10_000 },
      { where: 'ApplyTenantBucketPolicy', how: 'in-step', cause: 'principal', refusals: 1, ms: 50 },
      { where: 'ApplyTenantBucketPolicy', how: 'in-step', cause: 'principal', refusals: 1, ms: 50 },
    ]);
    expect(waitTotals(waits)).toEqual({ key: 0, principal: 15_100, throttle: 0, other: 0 });
  });

  it("charges a proof's in-step retries of the new key, up to its first accepted request, and the consumer's own, to the key", () => {
    const history = [task('StateEntered', 'ProveTenantCredentials', 1_000), task('StateExited', 'ProveTenantCredentials', 9_300)];
    const refusals = Array.from({ length: 8 }, (_, i) => refusal('key', KEY_ID, 1_100 + i * 1_000));

    const waits = criticalPathWaits({
      history,
      refusals,
      subjects: [USER_ARN, KEY_ID],
      firstAcceptedAt: new Map([[KEY_ID, 1_009_200]]),
      consumer: { refusals: 2, firstRefusalAt: 1_009_500, usableAt: 1_010_000 },
    });

    expect(waits).toEqual([
      { where: 'ProveTenantCredentials', how: 'in-step', cause: 'key', refusals: 8, ms: 8_100 },
      { where: 'consumer', how: 'consumer', cause: 'key', refusals: 2, ms: 500 },
    ]);
    expect(waitTotals(waits).principal + waitTotals(waits).other + waitTotals(waits).throttle).toBe(0);
  });
});
