/**
 * Where the local execution port keeps its executions: in this process's memory, or in a
 * directory that several processes share (`tenantctl --local` runs each command in its own).
 *
 * The directory holds `<workflow>/<name>.json` per execution, written whole and renamed into
 * place. A name is taken with a hard link, so two processes cannot both start it; a running
 * execution names its process, so one whose process ended is closed as ABORTED when read; and
 * `<name>.stop.json` beside it is how another process asks the one running it to stop it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WORKFLOWS, type ExecutionEvent, type ExecutionRecord, type RedriveResult, type Workflow } from '../functions/lib/executions';
import { isProcessAlive } from './processes';

/** The process running an execution. */
export interface Owner {
  pid: number;
  host: string;
}

/** An execution as the local port keeps it: Step Functions' record and history, and the port's own bookkeeping. */
export interface ExecutionEntry {
  record: ExecutionRecord;
  history: ExecutionEvent[];
  /** Orders executions started in the same millisecond. */
  seq: number;
  /** The process running it (while RUNNING). */
  owner?: Owner;
  lastRedrive?: { clientToken: string; result: RedriveResult };
}

export interface StopReason {
  error: string;
  cause: string;
}

export interface ExecutionStore {
  /** The entry as it is now (read again where another process may change it); undefined when there is none. */
  get(workflow: Workflow, name: string): ExecutionEntry | undefined;
  /** Records a new entry under its name; false when the name is taken already (another process took it first). */
  claim(entry: ExecutionEntry): boolean;
  /** Keeps the entry as it is after a change. */
  save(entry: ExecutionEntry): void;
  /** The workflow's entries, oldest first. */
  list(workflow: Workflow): ExecutionEntry[];
  /** Forgets the entry. */
  remove(workflow: Workflow, name: string): void;
  /** Asks the process running the entry's execution to stop it, and resolves once it has. */
  stopElsewhere(entry: ExecutionEntry, reason: StopReason): Promise<void>;
  /**
   * Until the returned function is called, hands each stop request another process leaves for
   * an execution `running()` names to `stop`.
   */
  watchStopRequests(running: () => Iterable<{ workflow: Workflow; name: string }>, stop: (workflow: Workflow, name: string, reason: StopReason) => void): () => void;
}

/** How often an execution another process runs is read again, and how long a stop asked of that process may take. */
export const POLL_MS = 100;
const FOREIGN_STOP_TIMEOUT_MS = 10_000;

export const keyOf = (workflow: Workflow, name: string): string => `${workflow}/${name}`;
const byStart = (a: ExecutionEntry, b: ExecutionEntry) => a.record.startDate.getTime() - b.record.startDate.getTime() || a.seq - b.seq;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** This process, as an execution's owner. */
export function thisProcess(): Owner {
  return { pid: process.pid, host: hostname() };
}

/** The entries of one process, kept as they are (the port changes them in place). */
export class MemoryExecutionStore implements ExecutionStore {
  private readonly entries = new Map<string, ExecutionEntry>();

  get(workflow: Workflow, name: string): ExecutionEntry | undefined {
    return this.entries.get(keyOf(workflow, name));
  }

  claim(entry: ExecutionEntry): boolean {
    const key = keyOf(entry.record.workflow, entry.record.name);
    if (this.entries.has(key)) return false;
    this.entries.set(key, entry);
    return true;
  }

  save(): void {
    // The entries kept are the port's own objects: a change is already here.
  }

  list(workflow: Workflow): ExecutionEntry[] {
    return [...this.entries.values()].filter((entry) => entry.record.workflow === workflow).sort(byStart);
  }

  remove(workflow: Workflow, name: string): void {
    this.entries.delete(keyOf(workflow, name));
  }

  async stopElsewhere(entry: ExecutionEntry): Promise<void> {
    throw new Error(`${entry.record.workflow} execution ${entry.record.name} runs in no process this store reaches`);
  }

  watchStopRequests(): () => void {
    return () => undefined;
  }
}

/** Entries in a directory that other processes read, write and send stop requests through. */
export class FileExecutionStore implements ExecutionStore {
  /** Reads every entry once: one whose process has gone is closed, one that cannot be read fails here. */
  constructor(private readonly directory: string) {
    for (const workflow of WORKFLOWS) this.list(workflow);
  }

  private file(workflow: Workflow, name: string, suffix = '.json'): string {
    return join(this.directory, workflow, `${name}${suffix}`);
  }

  private serialize(entry: ExecutionEntry): string {
    return JSON.stringify({ version: 1, ...entry });
  }

  get(workflow: Workflow, name: string): ExecutionEntry | undefined {
    const file = this.file(workflow, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let entry: ExecutionEntry;
    try {
      entry = revive(JSON.parse(text));
    } catch (err) {
      throw new Error(`${file} is not a local execution record (${(err as Error).message})`, { cause: err });
    }
    if (entry.record.status === 'RUNNING' && !isAlive(entry.owner)) {
      // Its process ended without closing it: nothing runs it any more.
      entry.record = {
        ...entry.record,
        status: 'ABORTED',
        stopDate: new Date(),
        error: 'LocalRunnerExited',
        cause: `The process that ran this execution (pid ${entry.owner?.pid ?? 'unknown'}) ended before it finished`,
      };
      delete entry.owner;
      entry.history.push({ type: 'ExecutionAborted', timestamp: entry.record.stopDate as Date, error: entry.record.error, cause: entry.record.cause });
      this.save(entry);
    }
    return entry;
  }

  claim(entry: ExecutionEntry): boolean {
    const file = this.file(entry.record.workflow, entry.record.name);
    mkdirSync(join(this.directory, entry.record.workflow), { recursive: true });
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, this.serialize(entry));
    try {
      linkSync(temporary, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      unlinkSync(temporary);
    }
  }

  save(entry: ExecutionEntry): void {
    const file = this.file(entry.record.workflow, entry.record.name);
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, this.serialize(entry));
    renameSync(temporary, file);
  }

  list(workflow: Workflow): ExecutionEntry[] {
    const directory = join(this.directory, workflow);
    if (!existsSync(directory)) return [];
    const names = new Set<string>();
    for (const file of readdirSync(directory)) {
      const match = /^([A-Za-z0-9_-]{1,80})\.json$/.exec(file);
      if (match?.[1]) names.add(match[1]);
    }
    return [...names].flatMap((name) => this.get(workflow, name) ?? []).sort(byStart);
  }

  remove(workflow: Workflow, name: string): void {
    rmSync(this.file(workflow, name), { force: true });
  }

  async stopElsewhere(entry: ExecutionEntry, reason: StopReason): Promise<void> {
    const { workflow, name } = entry.record;
    const request = this.file(workflow, name, '.stop.json');
    writeFileSync(request, JSON.stringify(reason));
    const deadline = Date.now() + FOREIGN_STOP_TIMEOUT_MS;
    try {
      for (;;) {
        const now = this.get(workflow, name);
        if (!now || now.record.status !== 'RUNNING') return;
        if (Date.now() > deadline) {
          throw new Error(`${workflow} execution ${name} runs in process ${now.owner?.pid ?? 'unknown'}, which did not stop it within ${FOREIGN_STOP_TIMEOUT_MS / 1000} s`);
        }
        await sleep(POLL_MS);
      }
    } finally {
      rmSync(request, { force: true });
    }
  }

  watchStopRequests(running: () => Iterable<{ workflow: Workflow; name: string }>, stop: (workflow: Workflow, name: string, reason: StopReason) => void): () => void {
    const timer = setInterval(() => {
      for (const { workflow, name } of running()) {
        const request = this.file(workflow, name, '.stop.json');
        let reason: StopReason;
        try {
          reason = JSON.parse(readFileSync(request, 'utf8'));
        } catch {
          continue;
        }
        rmSync(request, { force: true });
        stop(workflow, name, reason);
      }
    }, POLL_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}

function isAlive(owner: Owner | undefined): boolean {
  if (!owner) return false;
  if (owner.host !== hostname()) return true;
  return isProcessAlive(owner.pid);
}

/** A stored entry with its dates as Dates again. */
function revive(stored: ExecutionEntry & { version?: number }): ExecutionEntry {
  const date = (value: unknown) => new Date(value as string);
  const { record } = stored;
  const entry: ExecutionEntry = {
    record: {
      ...record,
      startDate: date(record.startDate),
      ...(record.stopDate === undefined ? {} : { stopDate: date(record.stopDate) }),
      ...(record.redriveDate === undefined ? {} : { redriveDate: date(record.redriveDate) }),
    },
    history: stored.history.map((event) => ({ ...event, timestamp: date(event.timestamp) })),
    seq: stored.seq,
  };
  if (stored.owner) entry.owner = stored.owner;
  if (stored.lastRedrive) entry.lastRedrive = { clientToken: stored.lastRedrive.clientToken, result: { ...stored.lastRedrive.result, redriveDate: date(stored.lastRedrive.result.redriveDate) } };
  return entry;
}
