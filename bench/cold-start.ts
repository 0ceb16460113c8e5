/**
 * `coldStart`: every function's packaged bundle (`osls package`, offline, as the deploy
 * tests run it), loaded in a fresh Node 22 process with the environment and NODE_OPTIONS the
 * packaged template gives that function, against an empty module loaded the same way in the
 * same run. Rounds interleave every bundle and the empty module in a new random order, so
 * drifting load on a shared machine falls on all of them alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { stateMachineArn } from '../functions/lib/executions';
import { packageStack, unpackFunction, type Resource } from '../scripts/package-stack';
import type { FunctionSettings } from './provision';
import { median, now, round, say } from './lib/stats';

export const BUNDLE_LIMIT_BYTES = 400_000;

export interface BundleResult {
  function: string;
  handler: string;
  bundleBytes: number;
  zipBytes: number;
  memoryMb: number;
  /** Median wall time of a fresh `node` process that loads the bundle and exits. */
  requireMs: number;
  /** Median time of the `require` call alone, inside that process. */
  inProcessRequireMs: number;
  ratioToEmpty: number;
  /** The SDK clients in the bundle (from its source map's sources). */
  sdkClients: string[];
  /** Other code of the zip, which the bundle loads only on a rare path (`await import()`, deploy/esbuild-plugins.js): not read at a cold start, so not in bundleBytes. */
  lazyChunks: LazyChunk[];
  /** The same load with NODE_OPTIONS=--enable-source-maps, which the template does not set: what the flag would cost (Node then parses the bundle's map at load). */
  requireMsWithSourceMaps: number;
  ratioToEmptyWithSourceMaps: number;
}

export interface LazyChunk {
  file: string;
  bytes: number;
  sdkClients: string[];
}

/** A lower bound beside the bundles: a handler that only constructs one SDK client, bundled as serverless.yml bundles. */
export interface SdkFloor {
  client: string;
  bundleBytes: number;
  requireMs: number;
  ratioToEmpty: number;
}

export interface ColdStartResult {
  node: string;
  nodeOptions: string;
  emptyRequireMs: number;
  emptyInProcessRequireMs: number;
  /** The least an SDK function can weigh and load here: one client, nothing of ours, no source map. */
  sdkFloor: SdkFloor[];
  packageSeconds: number;
  packagedOffline: boolean;
  bundles: BundleResult[];
  method: string;
}

interface LambdaFunction {
  Type: string;
  Properties: {
    Handler: string;
    MemorySize?: number;
    Architectures?: string[];
    Code: { S3Key: string };
    Environment?: { Variables?: Record<string, unknown> };
  };
}

/** A plausible value for an environment variable whose template value is a CloudFormation intrinsic. */
function resolvedEnv(name: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (name === 'ACCOUNT_ID') return '123456789012';
  if (name.endsWith('STATE_MACHINE_ARN')) return stateMachineArn('us-east-1', '123456789012', 'dev', name.startsWith('TEARDOWN') ? 'teardown' : name.startsWith('RESTORE') ? 'restore' : 'provision');
  if (name === 'TENANT_LEDGER_TABLE') return 'tenant-provisioner-dev-tenants';
  if (name === 'TENANT_BOUNDARY_ARN') return 'arn:aws:iam::123456789012:policy/tenant-provisioner-dev-tenant-boundary';
  if (name.endsWith('_ARN')) return 'arn:aws:sns:us-east-1:123456789012:x';
  if (name.endsWith('_URL')) return 'https://sqs.us-east-1.amazonaws.com/123456789012/x';
  return 'x';
}

/** The loader each measured process runs: requires the module, checks it exports a handler, prints the require time. */
const LOADER = `const start = performance.now();
const loaded = require(process.argv[2]);
const ms = performance.now() - start;
if (process.argv[3] && typeof loaded[process.argv[3]] !== 'function') { console.error('no ' + process.argv[3] + ' export'); process.exit(2); }
process.stdout.write(JSON.stringify({ ms }));
`;

/** The SDK clients a bundled file holds, from the sources of its source map. */
function sdkClientsOf(file: string): string[] {
  const sources = (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources;
  return [...new Set(sources.map((source) => /@aws-sdk\/client-([a-z0-9-]+)\//.exec(source)?.[1]).filter((client): client is string => client !== undefined))].sort();
}

function measure(loader: string, module: string, exportName: string, env: NodeJS.ProcessEnv): { wallMs: number; requireMs: number } {
  const start = now();
  const result = spawnSync(process.execPath, [loader, module, exportName], { env, encoding: 'utf8' });
  const wallMs = now() - start;
  if (result.status !== 0) throw new Error(`Loading ${module} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  return { wallMs, requireMs: (JSON.parse(result.stdout) as { ms: number }).ms };
}

/** The SDK clients our functions use, each alone in a minimal handler. */
const FLOOR_CLIENTS: Record<string, string> = {
  S3: "import { S3Client, HeadBucketCommand } from '@aws-sdk/client-s3';\nconst c = new S3Client({});\nexport const handler = () => c.send(new HeadBucketCommand({ Bucket: 'x' }));\n",
  IAM: "import { IAMClient, GetUserCommand } from '@aws-sdk/client-iam';\nconst c = new IAMClient({});\nexport const handler = () => c.send(new GetUserCommand({ UserName: 'x' }));\n",
  EventBridge: "import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';\nconst c = new EventBridgeClient({});\nexport const handler = () => c.send(new PutEventsCommand({ Entries: [] }));\n",
  SecretsManager: "import { SecretsManagerClient, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';\nconst c = new SecretsManagerClient({});\nexport const handler = () => c.send(new DescribeSecretCommand({ SecretId: 'x' }));\n",
  SFN: "import { SFNClient, DescribeExecutionCommand } from '@aws-sdk/client-sfn';\nconst c = new SFNClient({});\nexport const handler = () => c.send(new DescribeExecutionCommand({ executionArn: 'x' }));\n",
};

/**
 * serverless.yml's `custom.esbuild` without serverless-esbuild's own keys: the options each function
 * is bundled with, its `plugins` loaded from the module it names (as serverless-esbuild loads them).
 */
function stackEsbuildOptions(root: string): BuildOptions {
  const stack = parseYaml(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'error' }) as {
    custom: { esbuild: Omit<BuildOptions, 'plugins'> & { exclude?: unknown; plugins?: string } };
  };
  const { exclude: _exclude, plugins, ...options } = stack.custom.esbuild;
  return plugins === undefined ? options : { ...options, plugins: createRequire(join(root, 'serverless.yml'))(join(root, plugins)) as Plugin[] };
}

/** Bundles `source` exactly as serverless.yml bundles the functions. */
async function bundleFloor(root: string, options: BuildOptions, source: string, outfile: string): Promise<void> {
  await build({ ...options, stdin: { contents: source, loader: 'ts', resolveDir: root }, absWorkingDir: root, outfile, logLevel: 'error' });
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

export async function benchColdStart(options: { runs: number; root: string }): Promise<{ result: ColdStartResult; functions: FunctionSettings }> {
  say('coldStart: packaging the stack with osls (offline)…');
  const packageStart = now();
  const packaged = packageStack({ stage: 'dev', region: 'us-east-1' });
  const packageSeconds = (now() - packageStart) / 1000;
  const work = mkdtempSync(join(tmpdir(), 'bench-cold-start-'));
  try {
    const lambdas = Object.entries(packaged.template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function') as unknown as [string, LambdaFunction][];
    const memoryMb: Record<string, number> = {};
    const architectures = new Set<string>();
    const bundles: { fn: string; handler: string; file: string; exportName: string; zipBytes: number; bundleBytes: number; memoryMb: number; env: NodeJS.ProcessEnv; sdkClients: string[]; lazyChunks: LazyChunk[] }[] = [];
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      AWS_SESSION_TOKEN: 'example',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: work,
    };
    for (const [logicalId, resource] of lambdas) {
      const fn = `${logicalId.charAt(0).toLowerCase()}${logicalId.slice(1).replace(/LambdaFunction$/, '')}`;
      const { zip, bundle: file, exportName } = unpackFunction(packaged.outDir, resource as unknown as Resource, join(work, fn));
      const env: NodeJS.ProcessEnv = { ...baseEnv, AWS_LAMBDA_FUNCTION_NAME: `tenant-provisioner-dev-${fn}`, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(resource.Properties.MemorySize ?? 1024) };
      for (const [name, value] of Object.entries(resource.Properties.Environment?.Variables ?? {})) env[name] = resolvedEnv(name, value);
      memoryMb[fn] = resource.Properties.MemorySize ?? 1024;
      for (const arch of resource.Properties.Architectures ?? ['x86_64']) architectures.add(arch);
      const unpacked = join(work, fn);
      const lazyChunks = (readdirSync(unpacked, { recursive: true }) as string[])
        .map((name) => join(unpacked, name))
        .filter((path) => path.endsWith('.js') && path !== file)
        .map((path) => ({ file: relative(unpacked, path), bytes: statSync(path).size, sdkClients: sdkClientsOf(path) }));
      bundles.push({ fn, handler: resource.Properties.Handler, file, exportName, zipBytes: statSync(zip).size, bundleBytes: statSync(file).size, memoryMb: memoryMb[fn] as number, env, sdkClients: sdkClientsOf(file), lazyChunks });
    }
    const loader = join(work, 'loader.cjs');
    writeFileSync(loader, LOADER);
    const empty = join(work, 'empty.js');
    writeFileSync(empty, '');
    const esbuildOptions = stackEsbuildOptions(options.root);
    const floors = await Promise.all(
      Object.entries(FLOOR_CLIENTS).map(async ([client, source]) => {
        const file = join(work, `floor-${client}.js`);
        await bundleFloor(options.root, esbuildOptions, source, file);
        return { client, file, bundleBytes: statSync(file).size };
      }),
    );
    const nodeOptions = String(bundles[0]?.env.NODE_OPTIONS ?? '');
    const emptyEnv: NodeJS.ProcessEnv = { ...baseEnv, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };

    say(`coldStart: ${bundles.length} bundles packaged in ${round(packageSeconds, 0)} s; loading each in a fresh process, ${options.runs} rounds…`);
    const samples = new Map<string, { wall: number[]; require: number[] }>();
    const add = (key: string, sample: { wallMs: number; requireMs: number }) => {
      const entry = samples.get(key) ?? { wall: [], require: [] };
      entry.wall.push(sample.wallMs);
      entry.require.push(sample.requireMs);
      samples.set(key, entry);
    };
    // One unmeasured load of each first: the file system cache then holds every bundle, as it would for Lambda's runtime.
    measure(loader, empty, '', emptyEnv);
    for (const bundle of bundles) measure(loader, bundle.file, bundle.exportName, bundle.env);
    for (const floor of floors) measure(loader, floor.file, 'handler', baseEnv);
    type Item = { kind: 'empty' } | { kind: 'bundle' | 'bundleWithMaps'; bundle: (typeof bundles)[number] } | { kind: 'floor'; floor: (typeof floors)[number] };
    const items: Item[] = [
      { kind: 'empty' },
      ...bundles.map((bundle) => ({ kind: 'bundle' as const, bundle })),
      ...bundles.map((bundle) => ({ kind: 'bundleWithMaps' as const, bundle })),
      ...floors.map((floor) => ({ kind: 'floor' as const, floor })),
    ];
    const withSourceMaps = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --enable-source-maps`.trim() });
    for (let pass = 0; pass < options.runs; pass++) {
      for (const item of shuffled(items)) {
        if (item.kind === 'empty') add('', measure(loader, empty, '', emptyEnv));
        else if (item.kind === 'bundle') add(item.bundle.fn, measure(loader, item.bundle.file, item.bundle.exportName, item.bundle.env));
        else if (item.kind === 'bundleWithMaps') add(`maps:${item.bundle.fn}`, measure(loader, item.bundle.file, item.bundle.exportName, withSourceMaps(item.bundle.env)));
        // The floor without NODE_OPTIONS: it has no source map to read.
        else if (item.kind === 'floor') add(`floor:${item.floor.client}`, measure(loader, item.floor.file, 'handler', baseEnv));
      }
    }
    const emptyWall = median(samples.get('')?.wall ?? []);
    const result: ColdStartResult = {
      node: process.version,
      nodeOptions,
      emptyRequireMs: round(emptyWall, 1),
      emptyInProcessRequireMs: round(median(samples.get('')?.require ?? []), 2),
      sdkFloor: floors.map((floor) => {
        const wall = median(samples.get(`floor:${floor.client}`)?.wall ?? []);
        return { client: floor.client, bundleBytes: floor.bundleBytes, requireMs: round(wall, 1), ratioToEmpty: round(wall / emptyWall, 2) };
      }),
      packageSeconds: round(packageSeconds, 1),
      packagedOffline: packaged.packagedOffline,
      bundles: bundles
        .map((b) => {
          const s = samples.get(b.fn) ?? { wall: [], require: [] };
          const wall = median(s.wall);
          const wallWithMaps = median(samples.get(`maps:${b.fn}`)?.wall ?? []);
          return {
            function: b.fn,
            handler: b.handler,
            bundleBytes: b.bundleBytes,
            zipBytes: b.zipBytes,
            memoryMb: b.memoryMb,
            requireMs: round(wall, 1),
            inProcessRequireMs: round(median(s.require), 1),
            ratioToEmpty: round(wall / emptyWall, 2),
            sdkClients: b.sdkClients,
            lazyChunks: b.lazyChunks,
            requireMsWithSourceMaps: round(wallWithMaps, 1),
            ratioToEmptyWithSourceMaps: round(wallWithMaps / emptyWall, 2),
          };
        })
        .sort((a, b) => a.function.localeCompare(b.function)),
      method:
        'bundleBytes: the packaged handler file alone (bytes; the report\'s KB are 1,000 bytes), not the .map beside it nor lazyChunks, which a cold start does not read; ' +
        'requireMs: wall time of a fresh `node` (the project\'s Node 22) that requires the bundle and exits, with the function\'s environment and NODE_OPTIONS from the packaged template; ' +
        'emptyRequireMs: the same for an empty module (Node\'s own start-up); ratioToEmpty = requireMs / emptyRequireMs. inProcessRequireMs is the require call alone; requireMsWithSourceMaps: the same load with NODE_OPTIONS=--enable-source-maps added (not set by the template; errors map their stacks in the handler instead). ' +
        'sdkFloor: a handler that only constructs one SDK client and sends one command, bundled with the same esbuild options, loaded the same way (without source maps): the least an SDK function weighs and loads.',
    };
    return { result, functions: { memoryMb, architecture: [...architectures].join(','), source: 'MemorySize and Architectures of each function in the packaged CloudFormation template' } };
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(packaged.outDir, { recursive: true, force: true });
  }
}

