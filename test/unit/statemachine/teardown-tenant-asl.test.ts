import aslValidator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const asl = JSON.parse(readFileSync(join(__dirname, '../../../statemachine/teardown-tenant.asl.json'), 'utf8'));
interface State { Type: string; Next?: string; Retry?: { ErrorEquals: string[]; JitterStrategy?: string }[]; Catch?: { ErrorEquals: string[] }[]; Parameters?: Record<string, unknown>; SecondsPath?: string }
const states = asl.States as Record<string, State>;

/** The states visited from StartAt when every Choice takes its Default. */
function defaultPath(): string[] {
  const path: string[] = [];
  let name: string | undefined = asl.StartAt;
  while (name && !path.includes(name)) {
    path.push(name);
    const state: State & { Default?: string } = states[name] as State & { Default?: string };
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

  it('revokes access before the grace period and before anything is deleted', () => {
    const order = ['RevokeTenantAccess', 'IsRetentionRequested', 'DeleteTenantCredentials', 'DeleteTenantUser'];
    const path = defaultPath();
    expect(path.filter((s) => order.includes(s))).toEqual(order);
    expect(states.IsRetentionRequested?.Type).toBe('Choice');
    expect(states.WaitRetentionPeriod).toMatchObject({ Type: 'Wait', SecondsPath: '$.teardown.retentionSeconds', Next: 'DeleteTenantCredentials' });
  });

  it('deletes only with the tenant guard (scope "tenant")', () => {
    for (const name of ['DeleteTenantCredentials', 'DeleteTenantUser', 'DeleteTenantBucket']) {
      expect(states[name]?.Parameters?.scope).toBe('tenant');
    }
  });

  it('loops on the bucket deletion until it reports done', () => {
    expect(states.DeleteTenantBucket?.Next).toBe('IsBucketDeleted');
    expect(states.IsBucketDeleted).toMatchObject({ Type: 'Choice', Default: 'DeleteTenantBucket' });
  });

  it('catches nothing but an invalid input, so a teardown that cannot finish stays redrivable', () => {
    for (const [name, state] of Object.entries(states)) {
      const caught = state.Catch?.flatMap((c) => c.ErrorEquals) ?? [];
      if (name === 'PrepareTeardown') expect(caught.sort()).toEqual(['InvalidEventError', 'InvalidOrgIdError']);
      else expect({ name, caught }).toEqual({ name, caught: [] });
      if (state.Type === 'Task') {
        const last = state.Retry?.[state.Retry.length - 1];
        expect({ name, last: last?.ErrorEquals, jitter: last?.JitterStrategy }).toEqual({ name, last: ['States.ALL'], jitter: 'FULL' });
        expect(state.Retry?.some((r) => r.ErrorEquals.includes('Lambda.ServiceException'))).toBe(true);
      }
    }
  });
});
