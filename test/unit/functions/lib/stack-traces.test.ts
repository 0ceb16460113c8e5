/**
 * Stack traces of the minified bundles, mapped when an error leaves a handler: a real bundle
 * built by esbuild with the options serverless.yml uses (minified, linked map, no sources
 * content), loaded, made to throw, and its stack mapped back to the TypeScript source.
 */
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapStack, withSourceStack } from '../../../../functions/lib/stack-traces';

let root = '';
let bundle = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'stack-traces-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(
    join(root, 'src', 'thrower.ts'),
    ['export class TenantThingError extends Error {', "  name = 'TenantThingError';", '}', '', 'export function explode(): never {', "  throw new TenantThingError('it broke');", '}', ''].join('\n'),
  );
  mkdirSync(join(root, 'functions'));
  bundle = join(root, 'functions', 'thrower.js');
  buildSync({ entryPoints: [join(root, 'src', 'thrower.ts')], bundle: true, minify: true, sourcemap: 'linked', sourcesContent: false, platform: 'node', format: 'cjs', target: 'node22', outfile: bundle, logLevel: 'silent' });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The raw stack of the bundle's error, from a plain `node` (jest would map stacks itself). */
function stackThrownBy(file: string): string {
  const script = `try { require(${JSON.stringify(file)}).explode(); } catch (err) { process.stdout.write(err.stack); }`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  if (result.status !== 0 || !result.stdout) throw new Error(`the bundle did not throw as expected: ${result.stderr}`);
  return result.stdout;
}

describe('mapStack', () => {
  it('names the TypeScript source, line and column of each frame in the bundle', () => {
    const stack = stackThrownBy(bundle);
    expect(stack).toContain(`${bundle}:`);
    const mapped = mapStack(stack, root);
    expect(mapped).toMatch(/src\/thrower\.ts:6:\d+\)?$/m);
    expect(mapped).not.toContain(`${bundle}:`);
    expect(mapped.split('\n')[0]).toBe('TenantThingError: it broke');
  });

  it('leaves frames outside the task root, and every stack when there is no task root', () => {
    const stack = stackThrownBy(bundle);
    expect(mapStack(stack, join(root, 'elsewhere'))).toBe(stack);
    expect(mapStack(stack, undefined)).toBe(stack);
  });

  it('leaves the frames of a file that has no map', () => {
    const stack = ['Error: x', `    at f (${root}/functions/nomap.js:1:10)`, `    at ${root}/functions/nomap.js:1:20`].join('\n');
    expect(mapStack(stack, root)).toBe(stack);
  });
});

describe('withSourceStack', () => {
  it('returns the same error with its name, message and fields, and any other value untouched', () => {
    const err = Object.assign(new Error('boom'), { name: 'TenantQuotaExceededError', extra: 1 });
    expect(withSourceStack(err)).toBe(err);
    expect(err).toMatchObject({ name: 'TenantQuotaExceededError', message: 'boom', extra: 1 });
    expect(withSourceStack('a string')).toBe('a string');
  });
});
