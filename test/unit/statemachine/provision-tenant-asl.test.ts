import aslValidator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as errors from '../../../functions/lib/errors';

const root = join(__dirname, '../../..');
const load = (file: string) => JSON.parse(readFileSync(join(root, 'statemachine', file), 'utf8'));
const asl = load('provision-tenant.asl.json');
const allDefinitions = [asl, load('teardown-tenant.asl.json')];

interface Retrier { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: string }
interface State { Type: string; Retry?: Retrier[]; Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[]; Next?: string; Resource?: string }
const states = Object.entries(asl.States as Record<string, State>);
const tasks = states.filter(([, s]) => s.Type === 'Task');

/** Domain error classes exported from the errors module, by their literal name. */
const exportedErrorNames = (Object.values(errors) as unknown[])
  .filter((value): value is new (message: string) => Error => typeof value === 'function' && value.prototype instanceof Error)
  .map((ErrorClass) => new ErrorClass('probe').name);

/** Every name in a Retry or Catch of these definitions. */
function errorNamesIn(definitions: { States: Record<string, State> }[]): Set<string> {
  return new Set(
    definitions.flatMap((d) => Object.values(d.States).flatMap((s) => [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals))),
  );
}

const isServiceName = (name: string) => name.startsWith('States.') || name.startsWith('Lambda.');
const forwardSteps = ['ValidateOrg', 'CreateTenantBucket', 'ConfigureTenantBucket', 'CreateTenantUser', 'IssueTenantCredentials', 'ApplyTenantBucketPolicy'];

/** Least total wait a retrier guarantees before giving up (no jitter assumed to shorten it). */
function guaranteedWaitSeconds(retrier: Retrier): number {
  if (retrier.JitterStrategy === 'FULL') return 0;
  let total = 0;
  for (let attempt = 0; attempt < (retrier.MaxAttempts ?? 3); attempt++) {
    const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
    total += Math.min(delay, retrier.MaxDelaySeconds ?? Infinity);
  }
  return total;
}

describe('statemachine/provision-tenant.asl.json', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(structuredClone(asl), { checkArn: true, checkPaths: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('names in ErrorEquals only errors exported from functions/lib/errors.ts (both state machines)', () => {
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

  it('catches every permanent error on every forward step and never retries it', () => {
    for (const stepName of forwardSteps) {
      const step = asl.States[stepName] as State;
      const caught = step.Catch?.flatMap((c) => c.ErrorEquals) ?? [];
      expect(caught.sort()).toEqual([...errors.PERMANENT_ERROR_NAMES].sort());
      expect(step.Catch?.every((c) => c.ResultPath === '$.error')).toBe(true);
      const first = step.Retry?.[0];
      expect(first?.MaxAttempts).toBe(0);
      expect([...(first?.ErrorEquals ?? [])].sort()).toEqual([...errors.PERMANENT_ERROR_NAMES].sort());
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

  it('rolls back in reverse order: credentials, user, bucket, then reports and fails', () => {
    const next = (name: string) => (asl.States[name] as State).Next;
    expect(next('UndoIssueTenantCredentials')).toBe('UndoCreateTenantUser');
    expect(next('UndoCreateTenantUser')).toBe('PrepareBucketRollback');
    expect(next('PrepareBucketRollback')).toBe('UndoCreateTenantBucket');
    expect(next('PublishOrgProvisioningFailed')).toBe('ProvisioningFailed');
    expect(asl.States.ProvisioningFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    const entry = (step: string) => (asl.States[step] as State).Catch?.[0]?.Next;
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
});
