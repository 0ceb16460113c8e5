/**
 * Packages the real stack with `osls package`, offline: no AWS credentials and, where the
 * machine allows it, no network at all (a fresh network namespace with only loopback).
 * Used by the deploy checks and the security suite, which both read the generated template.
 *
 * serverless-esbuild builds in the project's own `.esbuild/` folder, so two packagings at
 * once (jest runs the projects in parallel workers) would overwrite each other's bundles:
 * each run holds a lock file in the temp folder while it packages.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../local/paths';
import { isProcessAlive } from '../local/processes';

/** The project's root, found from this module's place (a source, or a bundle under .local/ as the bench runs it). */
export const PROJECT_ROOT = projectRoot();

export type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };
export interface CloudFormationTemplate {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, unknown>;
}

export interface PackagedStack {
  /** The folder `osls package --package` wrote to: the templates and one zip per function. */
  outDir: string;
  templatePath: string;
  template: CloudFormationTemplate;
  /** Whether packaging ran in a network namespace without any network. */
  packagedOffline: boolean;
}

export interface PackageOptions {
  stage?: string;
  region?: string;
  /** Stage parameters given on the command line (`--param=name=value`), as an operator would. */
  params?: Record<string, string>;
}

/** A packaged function's bundle: where its zip is, and once unpacked, its `.js` and the handler's export. */
export interface UnpackedFunction {
  zip: string;
  bundle: string;
  exportName: string;
}

/**
 * Unpacks function `fn`'s zip from `outDir` into `dir` (Python's zipfile: python3 is on every
 * machine this project runs on, the emulator needs it).
 */
export function unpackFunction(outDir: string, fn: Resource, dir: string): UnpackedFunction {
  const zip = join(outDir, (fn.Properties.Code as { S3Key: string }).S3Key.split('/').pop() as string);
  const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', zip, dir], { encoding: 'utf8' });
  if (unzip.status !== 0) throw new Error(`Could not unpack ${zip}: ${unzip.stderr}`);
  const handler = fn.Properties.Handler as string;
  const dot = handler.lastIndexOf('.');
  return { zip, bundle: join(dir, `${handler.slice(0, dot)}.js`), exportName: handler.slice(dot + 1) };
}

const PACKAGE_TIMEOUT_MS = 240_000;
/** Another packaging may hold the lock for at most its own timeout. */
const LOCK_TIMEOUT_MS = PACKAGE_TIMEOUT_MS + 10_000;

export function canIsolateNetwork(): boolean {
  return process.platform === 'linux' && spawnSync('unshare', ['-n', 'true']).status === 0;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `work` while holding this project's packaging lock (a directory: creating one is atomic). */
function withPackagingLock<T>(work: () => T): T {
  const lock = join(tmpdir(), `tenant-provisioner-osls-${createHash('sha256').update(PROJECT_ROOT).digest('hex').slice(0, 12)}.lock`);
  const owner = join(lock, 'pid');
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(owner, 'utf8'));
      } catch {
        // Its owner has just created it and not yet written its pid.
      }
      if (Number.isInteger(holder) && holder > 0 && !isProcessAlive(holder)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lock}, held by process ${holder}`);
      else sleepSync(250);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Runs `osls package` for `stage` (default `dev`) in `region` (default `us-east-1`) into a
 * new temp folder, without AWS credentials and, on Linux, without a network, and reads the
 * generated update-stack template. Throws with osls's output when packaging fails.
 */
export function packageStack({ stage = 'dev', region = 'us-east-1', params = {} }: PackageOptions = {}): PackagedStack {
  const outDir = mkdtempSync(join(tmpdir(), 'tenant-provisioner-package-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*' };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') && name !== 'AWS_REGION') delete env[name];
  const osls = [
    join(PROJECT_ROOT, 'node_modules/.bin/osls'), 'package', '--stage', stage, '--region', region, '--package', outDir,
    ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`),
  ];
  const packagedOffline = canIsolateNetwork();
  const [command, args] = packagedOffline ? ['unshare', ['-n', process.execPath, ...osls]] : [process.execPath, osls];
  const result = withPackagingLock(() => spawnSync(command, args as string[], { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: PACKAGE_TIMEOUT_MS }));
  if (result.status !== 0) throw new Error(`osls package failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const templatePath = join(outDir, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as CloudFormationTemplate;
  return { outDir, templatePath, template, packagedOffline };
}
