import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

/**
 * Readable stack traces for the minified Lambda bundles, paid for only when an error leaves a
 * handler. `NODE_OPTIONS=--enable-source-maps` would read and parse every bundle's source map
 * at each cold start, errors or not (about a tenth of a bundle's load time, measured by
 * `npm run bench`); instead the handler adapter maps the frames of an escaping error here,
 * reading the bundle's `.map` on the first error of the process.
 *
 * Only frames in files under LAMBDA_TASK_ROOT (the function's own bundle on Lambda) are mapped;
 * elsewhere (tests, local runs, which run the TypeScript sources) a stack is left as it is.
 */

const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = undefined; // no map beside this file, or an unreadable one: keep its frames as they are
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** `    at fn (/var/task/functions/x.js:1:2345)` or `    at /var/task/functions/x.js:1:2345`. */
const FRAME = /^(\s*at (?:.*? \()?)(\/[^()]+?\.c?js):(\d+):(\d+)(\)?)$/;

/**
 * `stack` with each frame in the bundle replaced by its place in the TypeScript source
 * (`functions/lib/events.ts:97:11`); function names stay as the minified bundle has them.
 */
export function mapStack(stack: string, taskRoot = process.env.LAMBDA_TASK_ROOT): string {
  if (!taskRoot) return stack;
  return stack
    .split('\n')
    .map((line) => {
      const frame = FRAME.exec(line);
      if (!frame) return line;
      const [, head, file, lineNumber, columnNumber, tail] = frame as unknown as [string, string, string, string, string, string];
      if (!file.startsWith(`${taskRoot}/`)) return line;
      const origin = sourceMapOf(file)?.findOrigin(Number(lineNumber), Number(columnNumber));
      if (!origin || !('fileName' in origin)) return line;
      // The map's sources are relative to the build folder (`../../../functions/x.ts`): name them from the project root.
      const source = origin.fileName.replace(/^(\.\.\/)+/, '');
      return `${head}${source}:${origin.lineNumber}:${origin.columnNumber}${tail}`;
    })
    .join('\n');
}

/** The thrown value, its stack mapped when it is an Error (the same object: its name, message and fields stay). */
export function withSourceStack<T>(err: T): T {
  if (err instanceof Error && typeof err.stack === 'string') {
    try {
      err.stack = mapStack(err.stack);
    } catch {
      // a stack that cannot be mapped is still the error's stack
    }
  }
  return err;
}
