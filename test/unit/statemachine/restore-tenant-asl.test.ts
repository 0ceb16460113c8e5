import aslValidator from 'asl-validator';
import * as errors from '../../../functions/lib/errors';
import { guaranteedWaitSeconds, ledgerRefusingSteps, ledgerSteps, loadMachine, reachable, retrierFor } from './asl';

const asl = loadMachine('restore-tenant');
const states = asl.States;

describe('statemachine/restore-tenant.asl.json', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(structuredClone(asl), { checkArn: true, checkPaths: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('confirms with the ledger that the run is current before it touches anything', () => {
    expect(asl.StartAt).toBe('ConfirmTenantRun');
    expect(states.ConfirmTenantRun).toMatchObject({
      Resource: '${RecordTenantStateFunctionArn}',
      Parameters: { transition: 'confirm', workflow: 'restore', 'orgId.$': '$.orgId', 'runId.$': '$.runId' },
    });
    const withoutConfirm = reachable(asl, ['ConfirmTenantRun']);
    expect(withoutConfirm.size).toBe(0);
  });

  it('waits for a stopped teardown to settle when the ledger asks, then gives access back and re-applies the bucket policy', () => {
    expect(states.IsSettleNeeded).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.settleSeconds', NumericGreaterThan: 0, Next: 'SettleAfterStoppedTeardown' }], Default: 'RestoreTenantAccess' });
    expect(states.SettleAfterStoppedTeardown).toMatchObject({ Type: 'Wait', SecondsPath: '$.settleSeconds', Next: 'RestoreTenantAccess' });
    expect(states.RestoreTenantAccess).toMatchObject({ ResultPath: '$.restored', Next: 'HasBucketPolicy' });
    // A prefix tenant's access is its keys alone: nothing to re-apply.
    expect(states.HasBucketPolicy).toMatchObject({ Type: 'Choice', Choices: [{ Next: 'RecordTenantRestored' }], Default: 'ApplyTenantBucketPolicy' });
    expect(states.ApplyTenantBucketPolicy).toMatchObject({
      Resource: '${ApplyTenantBucketPolicyFunctionArn}',
      Parameters: { 'tenant.$': '$.restored.tenant', 'bucket.$': '$.restored.bucket', 'user.$': '$.restored.user' },
      Next: 'RecordTenantRestored',
    });
  });

  it('retries bucket-policy propagation errors for at least two minutes, as provisioning does', () => {
    const retrier = states.ApplyTenantBucketPolicy?.Retry?.find((r) => r.ErrorEquals.includes('TenantPolicyNotReadyError'));
    expect(retrier).toBeDefined();
    expect(guaranteedWaitSeconds(retrier as NonNullable<typeof retrier>)).toBeGreaterThanOrEqual(120);
  });

  it('records the tenant active before announcing it, and announces the provisioned tenant the ledger kept', () => {
    expect(states.RecordTenantRestored).toMatchObject({ Parameters: { transition: 'restored', 'tenant.$': '$.restored.tenant' }, ResultPath: '$.recorded', Next: 'PublishOrgRestored' });
    expect(states.PublishOrgRestored).toMatchObject({ Parameters: { 'provisioned.$': '$.recorded.provisioned', 'executionName.$': '$$.Execution.Name' }, End: true });
    expect(reachable(asl, ['RecordTenantRestored']).has('PublishOrgRestored')).toBe(false);
  });

  it('ends a run the ledger refused in RestoreSuperseded, and catches nothing else: a missing user or bucket parks the run', () => {
    expect(ledgerSteps(asl).sort()).toEqual(['ConfirmTenantRun', 'RecordTenantRestored']);
    // The steps that give access back ask the ledger first (lib/ledger/run-guard.ts): it may refuse them too.
    expect(ledgerRefusingSteps(asl).sort()).toEqual(['ApplyTenantBucketPolicy', 'ConfirmTenantRun', 'RecordTenantRestored', 'RestoreTenantAccess']);
    for (const [name, state] of Object.entries(states)) {
      const caught = state.Catch ?? [];
      if (ledgerRefusingSteps(asl).includes(name)) expect(caught).toEqual([{ ErrorEquals: ['TenantRunSupersededError'], ResultPath: '$.error', Next: 'RestoreSuperseded' }]);
      else expect({ name, caught }).toEqual({ name, caught: [] });
    }
    expect(states.RestoreSuperseded).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    for (const name of errors.PERMANENT_ERROR_NAMES) {
      expect({ name, retries: retrierFor(states.RestoreTenantAccess as never, name)?.MaxAttempts }).toEqual({ name, retries: 0 });
    }
  });

  it('gives every Lambda task the standard Lambda retry and a final backoff-with-jitter retrier', () => {
    for (const [name, state] of Object.entries(states).filter(([, s]) => s.Type === 'Task')) {
      const retriers = state.Retry ?? [];
      const lambda = retriers.find((r) => r.ErrorEquals.includes('Lambda.ServiceException'));
      expect({ name, lambda: lambda?.ErrorEquals }).toEqual({ name, lambda: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException']) });
      const last = retriers[retriers.length - 1];
      expect({ name, last: last?.ErrorEquals, jitter: last?.JitterStrategy }).toEqual({ name, last: ['States.ALL'], jitter: 'FULL' });
    }
  });

  it('creates and deletes nothing: only the ledger, access keys, the bucket policy and the event', () => {
    const resources = Object.values(states).filter((s) => s.Type === 'Task').map((s) => s.Resource);
    expect(new Set(resources)).toEqual(
      new Set(['${RecordTenantStateFunctionArn}', '${RestoreTenantAccessFunctionArn}', '${ApplyTenantBucketPolicyFunctionArn}', '${PublishOrgRestoredFunctionArn}']),
    );
  });
});
