/**
 * @cloud-copilot/iam-simulate and its @cloud-copilot dependencies iam-policy and iam-utils are
 * AGPL-3.0: a devDependency for the security suite only. Nothing that ships or that operators
 * run (functions/, local/, cli/) may import them. (The bundles themselves are checked in
 * iam-policies.test.ts, on the packaged zips.)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '../..');
const SHIPPED = ['functions', 'local', 'cli'];
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|json)$/;
/** `from '@cloud-copilot/…'`, `import('@cloud-copilot/…')`, `require('@cloud-copilot/…')`. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"`]@cloud-copilot\//;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) ? [path] : [];
  });
}

describe('@cloud-copilot (AGPL) packages', () => {
  const files = SHIPPED.filter((dir) => existsSync(join(root, dir))).flatMap((dir) => sourceFiles(join(root, dir)));

  it('are imported by no file under functions/, local/ or cli/', () => {
    expect(files.length).toBeGreaterThan(20);
    const importers = files.filter((file) => IMPORT.test(readFileSync(file, 'utf8'))).map((file) => relative(root, file));
    expect(importers).toEqual([]);
  });

  it('are recognised by the import check in each form an import can take', () => {
    const forms = [
      "import { runSimulation } from '@cloud-copilot/iam-simulate';",
      "import type { Simulation } from '@cloud-copilot/iam-simulate';",
      "const sim = await import('@cloud-copilot/iam-simulate');",
      "const { loadPolicy } = require('@cloud-copilot/iam-policy');",
      "import '@cloud-copilot/iam-utils';",
      "export { runSimulation } from '@cloud-copilot/iam-simulate';",
    ];
    expect(forms.filter((line) => !IMPORT.test(line))).toEqual([]);
    expect(IMPORT.test("// mentions @cloud-copilot/iam-simulate in a comment")).toBe(false);
  });

  it('stay devDependencies', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    expect(Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@cloud-copilot/'))).toEqual([]);
    expect(manifest.devDependencies).toHaveProperty(['@cloud-copilot/iam-simulate']);
  });
});
