/**
 * The local AWS emulator: moto in server mode from the project's `.venv` (installed, pinned,
 * by scripts/setup.sh), through local/moto_server.py (moto's server, one request at a time, so
 * a conditional write is atomic as on AWS), on a free loopback port, stopped by its own pid. When
 * AWS_ENDPOINT_URL is already set (a user's own moto or LocalStack), that endpoint is used
 * instead and never stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from './paths';

export interface Emulator {
  endpoint: string;
  /** True when this process started the emulator (and so stops it). */
  owned: boolean;
  pid?: number;
  stop(): Promise<void>;
}

export const PROJECT_ROOT = projectRoot();
const VENV_PYTHON = join(PROJECT_ROOT, '.venv/bin/python');
/** The launcher: moto's server with each request handled whole before the next (see the file). */
export const MOTO_LAUNCHER = join(PROJECT_ROOT, 'local/moto_server.py');
const MOTO_INSTALLED = join(PROJECT_ROOT, '.venv/bin/moto_server');
const HOST = '127.0.0.1';

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Resolves once `endpoint` answers HTTP at all (any status: moto and LocalStack both answer `/`,
 * and no emulator's own API is assumed); rejects after `timeoutMs`.
 */
export async function waitUntilAnswering(endpoint: string, timeoutMs = 30_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`The emulator exited with code ${child.exitCode} before answering`);
    try {
      const response = await fetch(new URL('/', endpoint), { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`The AWS emulator at ${endpoint} did not answer within ${timeoutMs / 1000} s (${String(lastError)})`);
}

const running = new Set<ChildProcess>();
let exitHooksInstalled = false;

/** Kill every emulator this process started when it exits, however it exits. */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGTERM');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts moto on a free loopback port and waits until it answers, or uses AWS_ENDPOINT_URL
 * when that is set in `env`.
 */
export async function startEmulator(env: NodeJS.ProcessEnv = process.env): Promise<Emulator> {
  const external = env.AWS_ENDPOINT_URL?.trim();
  if (external) {
    await waitUntilAnswering(external, 10_000);
    return { endpoint: external, owned: false, stop: async () => undefined };
  }
  installExitHooks();
  const { child, endpoint } = await launchMoto(
    (command, args) => {
      const child = spawn(command, args, { stdio: 'ignore' });
      running.add(child);
      return child;
    },
    stopChild,
  );
  return { endpoint, owned: true, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * Launches moto on a free loopback port and waits until it answers, trying up to three
 * ports (another process may take a free port first). `launch` spawns the server the
 * caller's way (attached, or detached with a log file); `discard` ends one that never
 * answered.
 */
export async function launchMoto(
  launch: (command: string, args: string[]) => ChildProcess,
  discard: (child: ChildProcess) => Promise<void> | void,
): Promise<{ child: ChildProcess; port: number; endpoint: string }> {
  if (!existsSync(MOTO_INSTALLED)) {
    throw new Error(`The AWS emulator is not installed (${MOTO_INSTALLED} is missing): run \`npm run setup\` first`);
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://${HOST}:${port}`;
    const child = launch(VENV_PYTHON, [MOTO_LAUNCHER, '-H', HOST, '-p', String(port)]);
    try {
      await waitUntilAnswering(endpoint, 30_000, child);
      return { child, port, endpoint };
    } catch (err) {
      lastError = err;
      await discard(child);
    }
  }
  throw lastError;
}
