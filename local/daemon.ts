/**
 * The emulator in the background, for `tenantctl --local`: one moto server that outlives the
 * command that started it, recorded in `<stateDir>/emulator.json` (pid, port, endpoint) so
 * later commands reuse it, until `tenantctl local stop` ends it by that pid.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchMoto, waitUntilAnswering } from './emulator';
import { isProcessAlive } from './processes';

export interface EmulatorRecord {
  pid: number;
  port: number;
  endpoint: string;
  startedAt: string;
}

const LOCK_STALE_MS = 60_000;

const recordFile = (stateDir: string) => join(stateDir, 'emulator.json');
const lockFile = (stateDir: string) => join(stateDir, 'emulator.lock');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function readEmulatorRecord(stateDir: string): EmulatorRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(recordFile(stateDir), 'utf8')) as Partial<EmulatorRecord>;
    if (typeof record.pid !== 'number' || typeof record.endpoint !== 'string' || typeof record.port !== 'number') return undefined;
    return record as EmulatorRecord;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` still runs moto's server (where /proc tells; elsewhere, whether it is alive):
 * local/moto_server.py, or the `moto_server` entry point an emulator started before it used.
 */
function isMoto(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('moto_server');
  } catch {
    return true;
  }
}

/** The recorded emulator when it still runs and answers; undefined otherwise. */
export async function liveEmulator(stateDir: string): Promise<EmulatorRecord | undefined> {
  const record = readEmulatorRecord(stateDir);
  if (!record || !isMoto(record.pid)) return undefined;
  try {
    await waitUntilAnswering(record.endpoint, 3_000);
    return record;
  } catch {
    return undefined;
  }
}

/** Takes the start lock (a file created exclusively); waits while another live process holds it. */
async function lock(stateDir: string): Promise<() => void> {
  const file = lockFile(stateDir);
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    // An empty file is a lock being written: only a dead holder's (or a very old) lock is broken.
    if ((holder && !isProcessAlive(holder)) || Date.now() > deadline) {
      rmSync(file, { force: true });
      continue;
    }
    await sleep(100);
  }
}

/**
 * The background emulator of `stateDir`: the recorded one when it still runs and answers,
 * else a new moto server on a free loopback port, detached from this process (its output in
 * `<stateDir>/emulator.log`). `started` says which.
 */
export async function ensureBackgroundEmulator(stateDir: string): Promise<EmulatorRecord & { started: boolean }> {
  mkdirSync(stateDir, { recursive: true });
  const running = await liveEmulator(stateDir);
  if (running) return { ...running, started: false };

  const unlock = await lock(stateDir);
  try {
    const meanwhile = await liveEmulator(stateDir);
    if (meanwhile) return { ...meanwhile, started: false };
    const { child, port, endpoint } = await launchMoto(
      (command, args) => {
        const log = openSync(join(stateDir, 'emulator.log'), 'a');
        const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log] });
        closeSync(log);
        child.unref();
        return child;
      },
      (child) => {
        if (child.pid !== undefined && isProcessAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
      },
    );
    const record: EmulatorRecord = { pid: child.pid as number, port, endpoint, startedAt: new Date().toISOString() };
    const temporary = `${recordFile(stateDir)}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(record, null, 2));
    renameSync(temporary, recordFile(stateDir));
    return { ...record, started: true };
  } finally {
    unlock();
  }
}

/**
 * Stops the background emulator recorded in `stateDir` (SIGTERM, then SIGKILL after 5 s) and
 * forgets it. Only that pid, and only while it still runs moto_server.
 */
export async function stopBackgroundEmulator(stateDir: string): Promise<{ stopped: boolean; record?: EmulatorRecord }> {
  const record = readEmulatorRecord(stateDir);
  rmSync(recordFile(stateDir), { force: true });
  if (!record || !isMoto(record.pid)) return record ? { stopped: false, record } : { stopped: false };
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (isProcessAlive(record.pid) && Date.now() < deadline) await sleep(50);
  if (isProcessAlive(record.pid)) process.kill(record.pid, 'SIGKILL');
  return { stopped: true, record };
}
