/**
 * esbuild plugins for the Lambda bundles, by serverless.yml's `custom.esbuild.plugins` (and the
 * cold-start bench, which bundles its SDK floor with the same options). Each is measured by
 * `npm run bench` (coldStart) and changes what is bundled, never what the code does.
 */
const { readFile } = require('node:fs/promises');
const { basename, dirname, join, resolve } = require('node:path');

const SDK_SCHEMAS = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
const SDK_CLIENT_MANIFEST = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/;

/** `_x` → `"…"` for each top-level `const _x = "…";` of a schema module. */
function stringConstants(source) {
  const constants = new Map();
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) constants.set(name, literal);
  return constants;
}

/**
 * Every AWS SDK client since 3.930 describes its operations as schema arrays in one module
 * (`dist-es/schemas/schemas_0.js`), whose trait objects use computed keys of the module's own
 * string constants (`{ [_hH]: _CM }` for `{ httpHeader: "Content-MD5" }`). esbuild cannot prove a
 * computed key free of side effects (it may call `toString`), so it keeps every schema of the
 * service in every bundle: 66 KB of S3's in a function that sends one S3 command
 * (aws/aws-sdk-js-v3#7607, evanw/esbuild#4373). This writes each such key as the string literal
 * it names, the change smithy-lang/smithy-typescript#1889 makes to the generated code, and esbuild
 * then drops the schemas of the commands a function never sends. Only keys naming one of the
 * module's `const _x = "…"` strings are rewritten, so the code means exactly what it meant; a
 * module of another shape is left as it is (the bundle is then only larger).
 */
const sdkSchemaLiteralKeys = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMAS }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const constants = stringConstants(source);
      const contents = source.replace(/([{,]\s*)\[(_\w+)\]:/g, (key, before, name) => (constants.has(name) ? `${before}${constants.get(name)}:` : key));
      return { contents, loader: 'js' };
    });
  },
};

/**
 * A client's runtime configuration imports its whole package.json (about 2.3 KB of scripts and
 * dependencies in every bundle, for each client) to put `packageInfo.version` in the user agent:
 * the bundle gets the name and version, all any client module reads of it.
 */
const sdkClientVersionOnly = {
  name: 'sdk-client-version-only',
  setup(build) {
    build.onLoad({ filter: SDK_CLIENT_MANIFEST }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

/**
 * Modules a step imports only on a rare path, with `await import()`: in the Lambda bundle each
 * becomes a file of its own beside the function's bundle, loaded when that path first runs, so a
 * cold start neither reads nor compiles it. Named `<bundle>.<module>.js`, the way serverless-esbuild
 * names what belongs to one bundle (its `.js.map`), it is zipped with that function only.
 * Tests and local runs import the module like any other.
 */
const LAZY_MODULES = ['functions/lib/account-public-access.ts'];

/** The source file an import names, if it is one of LAZY_MODULES. */
function lazyModule(lazy, resolveDir, path) {
  if (!path.startsWith('.')) return undefined;
  const base = resolve(resolveDir, path);
  return [base, `${base}.ts`].find((file) => lazy.has(file));
}

const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    const options = build.initialOptions;
    const root = options.absWorkingDir ?? process.cwd();
    const lazy = new Set(LAZY_MODULES.map((module) => join(root, module)));
    const entry = Array.isArray(options.entryPoints) && options.entryPoints.length === 1 ? String(options.entryPoints[0]) : undefined;
    const out = options.outdir ?? (options.outfile ? dirname(options.outfile) : undefined);
    if (!entry || !out) return;
    const outdir = resolve(root, out);
    const chunks = new Map();
    build.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const source = lazyModule(lazy, args.resolveDir, args.path);
      if (!source) return undefined;
      const chunk = `${basename(entry).replace(/\.[cm]?[jt]s$/, '')}.${basename(source).replace(/\.ts$/, '')}.js`;
      chunks.set(chunk, source);
      return { path: `./${chunk}`, external: true };
    });
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      for (const [chunk, source] of chunks) {
        const { entryPoints: _entryPoints, outdir: _outdir, outfile: _outfile, metafile: _metafile, ...rest } = options;
        await build.esbuild.build({ ...rest, entryPoints: [source], outfile: join(outdir, chunk), plugins: [sdkSchemaLiteralKeys, sdkClientVersionOnly] });
      }
    });
  },
};

module.exports = [sdkSchemaLiteralKeys, sdkClientVersionOnly, lazyChunks];
