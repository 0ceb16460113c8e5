import { accountRegionalBucketName, bucketCandidates, continuedExecutionName, lifecycleExecutionName, parseLifecycleExecutionName, tenantNames } from '../../../../functions/lib/naming';
import { bucketNameViolation } from '../../../../functions/lib/s3-names';

const naming = { bucketPrefix: 'fusion-rms', userPrefix: 'rms_', accountId: '123456789012', maxBucketCandidates: 4, stage: 'dev' };

describe('bucket names in the account regional namespace', () => {
  it('is one name, <prefix>-<slug>-<account>-<region>-an, with no fallback (only this account can create it)', () => {
    expect(bucketCandidates('acme-bistro-42', 'eu-west-1', { ...naming, bucketNamespace: 'account-regional' })).toEqual(['fusion-rms-acme-bistro-42-123456789012-eu-west-1-an']);
    expect(tenantNames('Acme-Bistro-42', 'eu-west-1', { ...naming, bucketNamespace: 'account-regional' }).bucketCandidates).toEqual(['fusion-rms-acme-bistro-42-123456789012-eu-west-1-an']);
  });

  it('keeps the global namespace names (and their fallbacks) by default', () => {
    const global = bucketCandidates('acme-bistro-42', 'eu-west-1', naming);
    expect(global[0]).toBe('fusion-rms-acme-bistro-42');
    expect(global).toHaveLength(4);
    expect(bucketCandidates('acme-bistro-42', 'eu-west-1', { ...naming, bucketNamespace: 'global' })).toEqual(global);
  });

  it('cuts a slug that would make the name longer than 63 characters, the same way every time, and says so', () => {
    const slug = 'a-very-long-organisation-name-of-forty-c';
    const first = accountRegionalBucketName(slug, 'ap-southeast-3', naming);
    const again = accountRegionalBucketName(slug, 'ap-southeast-3', naming);

    expect(first.name.length).toBeLessThanOrEqual(63);
    expect(first.name).toMatch(/^fusion-rms-a-very-long-[0-9a-f]{8}-123456789012-ap-southeast-3-an$/);
    expect(bucketNameViolation(first.name)).toBeUndefined();
    expect(again).toEqual(first);
    expect(first.shortened).toContain(`the slug "${slug}" is cut to`);
    // Another slug with the same beginning gets another name.
    expect(accountRegionalBucketName(`${slug.slice(0, -1)}d`, 'ap-southeast-3', naming).name).not.toBe(first.name);
    // A slug that fits is not touched, and nothing is said.
    expect(accountRegionalBucketName('acme', 'ap-southeast-3', naming)).toEqual({ name: 'fusion-rms-acme-123456789012-ap-southeast-3-an' });
  });

  it('fits 63 characters for every slug length, region and bucket prefix the stage allows', () => {
    for (const bucketPrefix of ['abc', 'fusion-rms', 'abcdefghijklm']) {
      for (const region of ['us-east-1', 'ap-southeast-3', 'us-gov-west-1']) {
        for (let length = 1; length <= 40; length++) {
          const slug = 'x'.repeat(length);
          const { name } = accountRegionalBucketName(slug, region, { ...naming, bucketPrefix });
          expect({ bucketPrefix, region, length, violation: bucketNameViolation(name) }).toEqual({ bucketPrefix, region, length, violation: undefined });
          expect(name.endsWith(`-123456789012-${region}-an`)).toBe(true);
        }
      }
    }
  });
});

describe('execution names', () => {
  it('reads back the parts of a teardown that continued as new, and of no other workflow', () => {
    const name = continuedExecutionName(lifecycleExecutionName('acme-bistro-42', 2, 'teardown', 3), 4);

    expect(name).toBe('acme-bistro-42-g2-teardown-3-part4');
    expect(parseLifecycleExecutionName(name)).toEqual({ slug: 'acme-bistro-42', generation: 2, workflow: 'teardown', attempt: 3, part: 4 });
    expect(parseLifecycleExecutionName('acme-bistro-42-g2-teardown')).toEqual({ slug: 'acme-bistro-42', generation: 2, workflow: 'teardown', attempt: 1, part: 1 });
    expect(parseLifecycleExecutionName('acme-bistro-42-g2-provision-part2')).toBeUndefined();
    expect(parseLifecycleExecutionName('acme-bistro-42-g2-teardown-part1')).toBeUndefined();
  });

  it('keeps the longest continued name (a 40-character orgId) within Step Functions\' 80 characters', () => {
    expect(continuedExecutionName(lifecycleExecutionName('x'.repeat(40), 999, 'teardown', 999), 9999).length).toBeLessThanOrEqual(80);
  });
});
