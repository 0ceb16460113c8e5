import type { Config } from '../../../functions/lib/config';
import { tenantctlFor, tenantctlOf, withInvocation } from '../../../cli/invocation';

const stage = (name: string) => ({ stage: name }) as Config;

describe('the command line a hint gives', () => {
  it.each([
    ['the embedded default', { mode: 'local' as const, config: stage('local') }, 'npx tenantctl --local'],
    ['the default stage on AWS', { mode: 'aws' as const, config: stage('dev') }, 'npx tenantctl'],
    ['another stage on AWS', { mode: 'aws' as const, config: stage('prod') }, 'npx tenantctl --stage prod'],
  ])('acts where the command acted: %s', (_where, backend, expected) => {
    expect(tenantctlFor(backend)).toBe(expected);
  });

  it('is the same from the global options alone', () => {
    expect(tenantctlOf({ local: true })).toBe('npx tenantctl --local');
    expect(tenantctlOf({ local: false })).toBe('npx tenantctl');
    expect(tenantctlOf({ local: false, stage: 'dev' })).toBe('npx tenantctl');
    expect(tenantctlOf({ local: false, stage: 'prod' })).toBe('npx tenantctl --stage prod');
  });

  it("gives the lifecycle rules' advice as this mode runs it, once", () => {
    const reason = 'its provisioning acme-g1-provision failed and was rolled back; an operator starts the next generation after fixing the cause (tenantctl provision Acme --new-generation)';
    expect(withInvocation(reason, 'npx tenantctl --local')).toBe(reason.replace('(tenantctl provision', '(npx tenantctl --local provision'));
    expect(withInvocation('left to operators: npx tenantctl redrive Acme', 'npx tenantctl --local')).toBe('left to operators: npx tenantctl redrive Acme');
    expect(withInvocation('parked; left to operators: tenantctl redrive Acme', 'npx tenantctl --stage prod')).toBe('parked; left to operators: npx tenantctl --stage prod redrive Acme');
    expect(withInvocation('restored by tenantctl restore within the retention period', 'npx tenantctl --local')).toBe('restored by tenantctl restore within the retention period');
  });
});
