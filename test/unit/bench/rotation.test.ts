import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peakInWindow, ROTATE_ALL_CONCURRENCY, ROTATION_FUNCTION_TIMEOUT_MS } from '../../../bench/rotation';

const root = join(__dirname, '../../..');

describe('peakInWindow', () => {
  it('counts the most timestamps within any one second', () => {
    expect(peakInWindow([0, 100, 900, 1_000, 1_050, 1_500, 1_999])).toBe(4);
  });

  it('does not count a timestamp exactly one window later in the same window', () => {
    expect(peakInWindow([0, 1_000, 2_000])).toBe(1);
  });

  it('is 0 for no timestamps and reads them in any order', () => {
    expect(peakInWindow([])).toBe(0);
    expect(peakInWindow([1_500, 0, 1_200, 600])).toBe(3);
  });
});

describe('the rotation burst', () => {
  it('rotates as many tenants at once as tenantctl rotate --all does by default', () => {
    const source = readFileSync(join(root, 'cli/commands/rotate.ts'), 'utf8');
    const declared = /const DEFAULT_CONCURRENCY = (\d+);/.exec(source)?.[1];
    expect(Number(declared)).toBe(ROTATE_ALL_CONCURRENCY);
  });

  it('gives each step the rotation function\'s timeout from serverless.yml', () => {
    const template = readFileSync(join(root, 'serverless.yml'), 'utf8');
    const block = /\n {2}rotateTenantCredentials:\n([\s\S]*?)\n {2}\w/.exec(template)?.[1] ?? '';
    expect(Number(/\n {4}timeout: (\d+)/.exec(block)?.[1]) * 1000).toBe(ROTATION_FUNCTION_TIMEOUT_MS);
  });
});
