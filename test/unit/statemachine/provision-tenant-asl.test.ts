import aslValidator from 'asl-validator';
import * as errors from '../../../functions/lib/errors';
import { GUARDED_FUNCTIONS, errorNamesIn, exportedErrorNames, guaranteedWaitSeconds, isServiceName, loadMachine, reachable, type Retrier, type State } from './asl';

const asl = loadMachine('provision-tenant');
const allDefinitions = [asl, loadMachine('teardown-tenant'), loadMachine('restore-tenant')];
const states = Object.entries(asl.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');

const forwardSteps = ['ValidateOrg', 'CreateTenantBucket', 'ClaimTenantPrefix', 'ConfigureTenantBucket', 'CreateTenantUser', 'IssueTenantCredentials', 'ApplyTenantBucketPolicy'];

describe('statemachine/provision-tenant.asl.json', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(structuredClone(asl), { checkArn: true, checkPaths: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('names in ErrorEquals only errors exported from functions/lib/errors.ts (all three state machines)', () => {
    const used = errorNamesIn(allDefinitions);
    const domain = [...used].filter((name) => !isServiceName(name));
    expect(domain.length).toBeGreaterThan(0);
    for (const name of domain) expect(exportedErrorNames).toContain(name);
  });

  it('handles every exported domain error somewhere', () => {
    const used = errorNamesIn(allDefinitions);
    expect(exportedErrorNames.length).toBeGreaterThanOrEqual(errors.PERMANENT_ERROR_NAMES.length);
    for (const name of exportedErrorNames) expect([...used]).toContain(name);
  });

  it('catches every permanent error on every forward step and never retries it (and, where it asks the ledger first, the ledger refusing the run)', () => {
    for (const stepName of forwardSteps) {
      const step = asl.States[stepName] as State;
      const refusal = GUARDED_FUNCTIONS.includes(step.Resource ?? '') ? ['TenantRunSupersededError'] : [];
      const caught = step.Catch?.flatMap((c) => c.ErrorEquals) ?? [];
      expect({ stepName, caught: caught.sort() }).toEqual({ stepName, caught: [...errors.PERMANENT_ERROR_NAMES, ...refusal].sort() });
      expect(step.Catch?.every((c) => c.ResultPath === '$.error')).toBe(true);
      const first = step.Retry?.[0];
      expect(first?.MaxAttempts).toBe(0);
      expect([...(first?.ErrorEquals ?? [])].sort()).toEqual([...errors.PERMANENT_ERROR_NAMES, ...refusal].sort());
    }
    // A refused run changed nothing: it ends superseded, rolling nothing back (the tenant's resources are the ledger's current run's).
    for (const stepName of ['CreateTenantBucket', 'ClaimTenantPrefix', 'ConfigureTenantBucket', 'CreateTenantUser', 'IssueTenantCredentials', 'ApplyTenantBucketPolicy']) {
      expect(asl.States[stepName]?.Catch?.find((c) => c.ErrorEquals.includes('TenantRunSupersededError'))?.Next).toBe('ProvisioningSuperseded');
    }
  });

  it('never catches States.ALL, so exhausted transient errors fail the execution where they happen (redrivable)', () => {
    for (const [name, state] of states) {
      for (const catcher of state.Catch ?? []) {
        expect({ state: name, errors: catcher.ErrorEquals }).toEqual({ state: name, errors: expect.not.arrayContaining(['States.ALL', 'States.TaskFailed']) });
      }
    }
  });

  it('gives every Lambda task the standard Lambda retry and a final backoff-with-jitter retrier', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(10);
    for (const [name, task] of tasks) {
      const retriers = task.Retry ?? [];
      const lambda = retriers.find((r) => r.ErrorEquals.includes('Lambda.ServiceException'));
      expect({ name, lambda: lambda?.ErrorEquals }).toEqual({
        name,
        lambda: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException']),
      });
      const last = retriers[retriers.length - 1];
      expect({ name, last: last?.ErrorEquals }).toEqual({ name, last: ['States.ALL'] });
      expect(last?.JitterStrategy).toBe('FULL');
      expect(last?.BackoffRate).toBeGreaterThan(1);
    }
  });

  it('retries bucket-policy propagation errors for at least two minutes', () => {
    const retrier = (asl.States.ApplyTenantBucketPolicy as State).Retry?.find((r) => r.ErrorEquals.includes('TenantPolicyNotReadyError'));
    expect(retrier).toBeDefined();
    expect(guaranteedWaitSeconds(retrier as Retrier)).toBeGreaterThanOrEqual(120);
  });

  it('waits minutes for S3 to settle a bucket name (OperationAborted), and about two minutes for IAM to stop counting deleted keys', () => {
    const settling = (asl.States.CreateTenantBucket as State).Retry?.find((r) => r.ErrorEquals.includes('BucketNameSettlingError'));
    expect(guaranteedWaitSeconds(settling as Retrier)).toBeGreaterThanOrEqual(600);
    const keys = (asl.States.IssueTenantCredentials as State).Retry?.find((r) => r.ErrorEquals.includes('AccessKeyQuotaSettlingError'));
    expect(keys).toBeDefined();
    expect(keys?.MaxAttempts).toBeGreaterThanOrEqual(3);
  });

  it('rolls back in reverse order: credentials, user, bucket, then reports and fails', () => {
    const next = (name: string) => (asl.States[name] as State).Next;
    expect(next('UndoIssueTenantCredentials')).toBe('UndoCreateTenantUser');
    expect(next('UndoCreateTenantUser')).toBe('PrepareBucketRollback');
    expect(next('PrepareBucketRollback')).toBe('UndoCreateTenantBucket');
    expect(next('PublishOrgProvisioningFailed')).toBe('RecordTenantRolledBack');
    expect(next('RecordTenantRolledBack')).toBe('ProvisioningFailed');
    expect(asl.States.ProvisioningFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    // Where a step's permanent (domain) errors go: the catcher of InvalidEventError, which every forward step catches.
    const entry = (step: string) => (asl.States[step] as State).Catch?.find((c) => c.ErrorEquals.includes('InvalidEventError'))?.Next;
    expect(entry('ValidateOrg')).toBe('PublishOrgProvisioningFailed');
    expect(entry('CreateTenantBucket')).toBe('PublishOrgProvisioningFailed');
    expect(entry('ConfigureTenantBucket')).toBe('PrepareBucketRollback');
    expect(entry('CreateTenantUser')).toBe('PrepareBucketRollback');
    expect(entry('IssueTenantCredentials')).toBe('UndoIssueTenantCredentials');
    expect(entry('ApplyTenantBucketPolicy')).toBe('UndoIssueTenantCredentials');
  });

  it('does not catch errors in the rollback steps (an unfinished rollback stays redrivable)', () => {
    for (const name of ['UndoIssueTenantCredentials', 'UndoCreateTenantUser', 'UndoCreateTenantBucket', 'PublishOrgProvisioningFailed']) {
      expect((asl.States[name] as State).Catch).toBeUndefined();
    }
  });

  it('confirms with the ledger that the run is current after ValidateOrg and before anything is created', () => {
    expect(asl.States.ValidateOrg?.Next).toBe('ConfirmTenantRun');
    expect(asl.States.ConfirmTenantRun).toMatchObject({
      Type: 'Task',
      Resource: '${RecordTenantStateFunctionArn}',
      Parameters: { transition: 'confirm', workflow: 'provision', 'tenant.$': '$.tenant' },
      Next: 'IsPrefixTenant',
    });
    expect(asl.States.IsPrefixTenant).toMatchObject({ Type: 'Choice', Default: 'CreateTenantBucket', Choices: [{ Next: 'ClaimTenantPrefix' }] });
    const withoutConfirm = reachable(asl, ['ConfirmTenantRun']);
    for (const step of forwardSteps.slice(1)) expect({ step, reachable: withoutConfirm.has(step) }).toEqual({ step, reachable: false });
  });

  it('gives a prefix tenant (the ledger put tenancy "prefix" in its input) a claimed prefix instead of a bucket, and no bucket policy', () => {
    const prefixTenant = { And: [{ Variable: '$.tenant.tenancy', IsPresent: true }, { Variable: '$.tenant.tenancy', StringEquals: 'prefix' }] };
    expect(asl.States.IsPrefixTenant?.Choices).toEqual([{ ...prefixTenant, Next: 'ClaimTenantPrefix' }]);
    expect(asl.States.ClaimTenantPrefix).toMatchObject({ Resource: '${ClaimTenantPrefixFunctionArn}', Parameters: { 'tenant.$': '$.tenant' }, ResultPath: '$.bucket', Next: 'DescribeTenantPrefix' });
    expect(asl.States.DescribeTenantPrefix).toMatchObject({ Type: 'Pass', ResultPath: '$.bucketConfig', Next: 'CreateTenantUser' });
    expect(asl.States.IssueTenantCredentials?.Next).toBe('NeedsBucketPolicy');
    expect(asl.States.NeedsBucketPolicy).toMatchObject({ Type: 'Choice', Choices: [{ ...prefixTenant, Next: 'ProveTenantCredentials' }], Default: 'ApplyTenantBucketPolicy' });
    // Nothing exists yet when the claim fails: it reports without rolling back.
    expect(asl.States.ClaimTenantPrefix?.Catch?.find((c) => c.ErrorEquals.includes('TenantPrefixInUseError'))?.Next).toBe('PublishOrgProvisioningFailed');
    // The rollback is told what the run claimed, so it empties only a prefix it found empty.
    expect(asl.States.UndoCreateTenantBucket?.Parameters).toMatchObject({ 'bucket.$': '$.bucket', 'bucketName.$': '$.bucket.name' });
  });

  it('proves the key works before recording the tenant active: retried while IAM propagates it, then parked (never rolled back)', () => {
    const prove = asl.States.ProveTenantCredentials;
    expect(asl.States.ApplyTenantBucketPolicy?.Next).toBe('ProveTenantCredentials');
    expect(prove).toMatchObject({
      Resource: '${ProveTenantCredentialsFunctionArn}',
      Parameters: { 'tenant.$': '$.tenant', 'bucket.$': '$.bucket', 'user.$': '$.user', 'credentials.$': '$.credentials' },
      ResultPath: '$.proof',
      Next: 'RecordTenantActive',
    });
    expect(prove?.Retry).toContainEqual({ ErrorEquals: ['TenantCredentialsNotReadyError'], IntervalSeconds: 10, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'NONE' });
    expect(prove?.Catch?.some((c) => c.ErrorEquals.includes('TenantCredentialsNotReadyError') || c.ErrorEquals.includes('States.ALL'))).toBe(false);
    // A key of another principal in the secret is a conflict: rolled back like the other permanent errors.
    expect(prove?.Catch?.find((c) => c.ErrorEquals.includes('TenantSecretConflictError'))?.Next).toBe('UndoIssueTenantCredentials');
  });

  it('records the tenant active before announcing it, and announces the detail the ledger recorded', () => {
    expect(asl.States.ProveTenantCredentials?.Next).toBe('RecordTenantActive');
    expect(asl.States.RecordTenantActive).toMatchObject({
      Resource: '${RecordTenantStateFunctionArn}',
      Parameters: { transition: 'provisioned', 'tenant.$': '$.tenant', 'bucket.$': '$.bucket', 'bucketConfig.$': '$.bucketConfig', 'user.$': '$.user', 'credentials.$': '$.credentials' },
      ResultPath: '$.recorded',
      Next: 'PublishOrgProvisioned',
    });
    expect(asl.States.PublishOrgProvisioned?.Parameters).toEqual({ 'detail.$': '$.recorded.provisioned' });
    expect(reachable(asl, ['RecordTenantActive']).has('PublishOrgProvisioned')).toBe(false);
  });

  it('ends a run the ledger refused in ProvisioningSuperseded: no OrgProvisioned, no rollback of what the tenant now owns', () => {
    const refused = (name: string) => asl.States[name]?.Catch?.find((c) => c.ErrorEquals.includes('TenantRunSupersededError'));
    expect(refused('ConfirmTenantRun')?.Next).toBe('ProvisioningSuperseded');
    expect(refused('RecordTenantActive')?.Next).toBe('ProvisioningSuperseded');
    expect(asl.States.ProvisioningSuperseded).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    expect(refused('RecordTenantActive')?.ResultPath).toBe('$.error');
  });

  it('records a rollback after reporting it, and still fails with the domain error when the ledger refuses the record', () => {
    expect(asl.States.RecordTenantRolledBack).toMatchObject({ Parameters: { transition: 'rolled-back', 'state.$': '$' }, Next: 'ProvisioningFailed' });
    const refused = asl.States.RecordTenantRolledBack?.Catch?.find((c) => c.ErrorEquals.includes('TenantRunSupersededError'));
    // Not at $.error: ProvisioningFailed reports the error that caused the rollback.
    expect(refused).toEqual({ ErrorEquals: ['TenantRunSupersededError'], ResultPath: '$.ledgerRefusal', Next: 'ProvisioningFailed' });
  });
});
