/**
 * The layers and their allowed imports (docs/architecture.md, "Layers"), held by reading every
 * import of the project's TypeScript: static, `import type`, dynamic `import()` and `require()`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '../..');

/** Layer → the layers (top folders, `functions/lib` on its own) its files may import. */
const ALLOWED: Record<string, string[]> = {
  'functions/lib': ['functions/lib', 'events'],
  functions: ['functions/lib', 'functions', 'events'],
  // The Lambda entries serverless.yml names: nothing else imports them (each wires at cold start).
  'functions/lambda': ['functions/lib', 'functions', 'events'],
  local: ['functions/lib', 'functions', 'local', 'events', 'statemachine'],
  cli: ['functions/lib', 'local', 'cli', 'events', 'statemachine', 'package.json'],
  bench: ['functions/lib', 'functions', 'local', 'bench', 'scripts', 'events'],
  scripts: ['functions/lib', 'local', 'scripts', 'events'],
};

function layerOf(path: string): string | undefined {
  if (path.startsWith('functions/lib/')) return 'functions/lib';
  if (path.startsWith('functions/lambda/')) return 'functions/lambda';
  if (path === 'package.json') return 'package.json';
  return path.split('/')[0];
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'generated') return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative module a file names, however it names it. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1] as string);
  return specifiers.map((specifier) => relative(ROOT, resolve(dirname(join(ROOT, file)), specifier)));
}

describe('the layers', () => {
  const files = Object.keys(ALLOWED)
    .filter((layer) => layer !== 'functions/lib' && layer !== 'functions/lambda')
    .flatMap((layer) => sources(layer));

  it('import only what their layer may (nothing in functions/ knows local/ or cli/; local/ no cli/; nothing but tests imports test/)', () => {
    const violations = files.flatMap((file) => {
      const from = layerOf(file) as string;
      return importsOf(file)
        .filter((target) => !(ALLOWED[from] ?? []).includes(layerOf(target) ?? ''))
        .map((target) => `${file} → ${target}`);
    });
    expect(violations).toEqual([]);
  });

  it('wire nothing when imported: only a Lambda entry reads its configuration or makes clients at load', () => {
    // A statement at the top level of a module runs when it is imported: there, outside
    // functions/lambda/, no configuration is read, no SDK client or logger made, no environment set.
    const wiring = /^(?:export\s+)?(?:const|let|var)\s+[^=]+=\s*(?:new\s+\w+Client\b|loadConfig\(|lambdaBase\(|createLogger\(|new\s+Logger\()|^process\.env\.\w+\s*=(?!=)|^Object\.assign\(process\.env/m;
    const wiredAtImport = files
      .filter((file) => layerOf(file) !== 'functions/lambda' && wiring.test(readFileSync(join(ROOT, file), 'utf8')))
      .sort();
    expect(wiredAtImport).toEqual([]);
    expect(sources('functions/lambda').filter((file) => !wiring.test(readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('are checked on real files and real imports', () => {
    expect(files.length).toBeGreaterThan(80);
    // 19 state machine steps, the router, the tracker and the two of key rotation (rotate, retire previous keys).
    expect(sources('functions/lambda')).toHaveLength(23);
    expect(importsOf('local/demo.ts')).toContain('functions/lib/tenant-secret');
  });
});
