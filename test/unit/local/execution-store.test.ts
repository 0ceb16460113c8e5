import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Workflow } from '../../../functions/lib/executions';
import {
  FileExecutionStore,
  MemoryExecutionStore,
  thisProcess,
  type ExecutionEntry,
  type ExecutionStore,
  type StopReason,
} from '../../../local/execution-store';

const T0 = new Date('2026-12-01T10:00:00.000Z');

/** A RUNNING entry of this process, started `offsetMs` after T0. */
function entry(workflow: Workflow, name: string, offsetMs = 0): ExecutionEntry {
  const startDate = new Date(T0.getTime() + offsetMs);
  return {
    record: { workflow, name, executionArn: `arn:aws:states:us-east-1:123456789012:execution:m:${name}`, status: 'RUNNING', input: { orgId: name }, startDate },
    history: [{ type: 'ExecutionStarted', timestamp: startDate, input: { orgId: name } }],
    seq: startDate.getTime() * 1000,
    owner: thisProcess(),
  };
}

/** The entry closed as a run ends. */
function ended(running: ExecutionEntry, status: 'SUCCEEDED' | 'ABORTED' = 'SUCCEEDED'): ExecutionEntry {
  const { owner: _owner, ...rest } = running;
  return { ...rest, record: { ...running.record, status, stopDate: new Date(running.record.startDate.getTime() + 1000) } };
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'execution-store-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['MemoryExecutionStore', () => new MemoryExecutionStore()],
  ['FileExecutionStore', () => new FileExecutionStore(dir)],
] as [string, () => ExecutionStore][])('%s', (_name, create) => {
  it('gives a name to one entry: a second claim of it is refused and changes nothing', () => {
    const store = create();
    const first = entry('provision', 'org-acme');

    expect(store.claim(first)).toBe(true);
    expect(store.claim({ ...entry('provision', 'org-acme', 5), record: { ...first.record, input: { other: true } } })).toBe(false);

    expect(store.get('provision', 'org-acme')).toEqual(first);
    expect(store.get('provision', 'org-nobody')).toBeUndefined();
  });

  it('keeps an entry as saved after a change', () => {
    const store = create();
    const running = entry('provision', 'org-acme');
    store.claim(running);

    const closed = ended(running);
    Object.assign(running, closed);
    delete running.owner;
    store.save(running);

    expect(store.get('provision', 'org-acme')).toEqual(closed);
  });

  it('lists a workflow\'s entries oldest first, apart from the other workflows\', and forgets a removed one', () => {
    const store = create();
    store.claim(entry('provision', 'org-b', 20));
    store.claim(entry('provision', 'org-a', 10));
    store.claim(entry('teardown', 'org-a', 30));

    const names = (workflow: Workflow) => store.list(workflow).map((e) => e.record.name);
    const before = names('provision');
    store.remove('provision', 'org-b');

    expect(before).toEqual(['org-a', 'org-b']);
    expect(names('provision')).toEqual(['org-a']);
    expect(names('teardown')).toEqual(['org-a']);
    expect(store.get('provision', 'org-b')).toBeUndefined();
  });
});

describe('FileExecutionStore', () => {
  it('keeps entries for another process: a store on the same directory reads them, dates as Dates', () => {
    const running = entry('provision', 'org-acme');
    const writer = new FileExecutionStore(dir);
    writer.claim(running);
    const redriveDate = new Date(T0.getTime() + 5000);
    const redriven: ExecutionEntry = {
      ...ended(running, 'ABORTED'),
      record: { ...ended(running, 'ABORTED').record, redriveCount: 1, redriveDate },
      lastRedrive: { clientToken: 'token-1', result: { executionArn: running.record.executionArn, redriveDate, redriveFrom: 'start' } },
    };
    writer.save(redriven);

    const read = new FileExecutionStore(dir).get('provision', 'org-acme');

    expect(read).toEqual(redriven);
    expect(read?.record.stopDate).toBeInstanceOf(Date);
    expect(read?.history[0]?.timestamp).toBeInstanceOf(Date);
    expect(read?.lastRedrive?.result.redriveDate).toBeInstanceOf(Date);
    expect(existsSync(join(dir, 'provision', 'org-acme.json'))).toBe(true);
  });

  it('closes a RUNNING entry whose process has gone as ABORTED, in the file too, when it reads it (and at construction)', () => {
    const running = entry('provision', 'org-acme');
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid as number;
    running.owner = { pid: deadPid, host: hostname() };
    new FileExecutionStore(dir).claim(running);

    new FileExecutionStore(dir);
    const stored = JSON.parse(readFileSync(join(dir, 'provision', 'org-acme.json'), 'utf8'));
    const read = new FileExecutionStore(dir).get('provision', 'org-acme');

    expect(stored.record).toMatchObject({ status: 'ABORTED', error: 'LocalRunnerExited' });
    expect(read?.record).toMatchObject({ status: 'ABORTED', error: 'LocalRunnerExited', cause: expect.stringContaining(`pid ${deadPid}`) });
    expect(read?.owner).toBeUndefined();
    expect(read?.history.map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionAborted']);
  });

  it('leaves a RUNNING entry of a live process, or of another host, as it is', () => {
    const store = new FileExecutionStore(dir);
    store.claim(entry('provision', 'org-here'));
    store.claim({ ...entry('provision', 'org-there'), owner: { pid: 1, host: `not-${hostname()}` } });

    expect(new FileExecutionStore(dir).list('provision').map((e) => e.record.status)).toEqual(['RUNNING', 'RUNNING']);
  });

  it('names the file it cannot read, at construction', () => {
    new FileExecutionStore(dir).claim(entry('provision', 'org-acme'));
    writeFileSync(join(dir, 'provision', 'org-acme.json'), '{"record":');

    expect(() => new FileExecutionStore(dir)).toThrow(`${join(dir, 'provision', 'org-acme.json')} is not a local execution record`);
  });

  it('lists only execution files, not stop requests or half-written ones', () => {
    const store = new FileExecutionStore(dir);
    store.claim(entry('provision', 'org-acme'));
    writeFileSync(join(dir, 'provision', 'org-acme.stop.json'), JSON.stringify({ error: 'x', cause: 'y' }));
    writeFileSync(join(dir, 'provision', 'org-acme.json.123.abc.tmp'), '{');

    expect(store.list('provision').map((e) => e.record.name)).toEqual(['org-acme']);
  });

  it('carries a stop request to the process running the execution, and waits until it has stopped it', async () => {
    const running = entry('provision', 'org-acme');
    const runner = new FileExecutionStore(dir);
    runner.claim(running);
    const received: StopReason[] = [];
    const unwatch = runner.watchStopRequests(
      () => [running.record],
      (_workflow, _name, reason) => {
        received.push(reason);
        runner.save(ended(running, 'ABORTED'));
      },
    );
    try {
      await new FileExecutionStore(dir).stopElsewhere(running, { error: 'OrgDeleted', cause: 'deleted' });
    } finally {
      unwatch();
    }

    expect(received).toEqual([{ error: 'OrgDeleted', cause: 'deleted' }]);
    expect(runner.get('provision', 'org-acme')?.record.status).toBe('ABORTED');
    expect(readdirSync(join(dir, 'provision'))).toEqual(['org-acme.json']);
  });

  it('returns at once from a stop of an execution that has ended', async () => {
    const store = new FileExecutionStore(dir);
    const running = entry('provision', 'org-acme');
    store.claim(running);
    store.save(ended(running));

    await store.stopElsewhere(running, { error: 'Late', cause: 'too late' });

    expect(readdirSync(join(dir, 'provision'))).toEqual(['org-acme.json']);
  });
});

describe('MemoryExecutionStore', () => {
  it('reaches no other process: a stop asked of one is refused', async () => {
    const store = new MemoryExecutionStore();
    const running = entry('provision', 'org-acme');
    store.claim(running);

    await expect(store.stopElsewhere(running)).rejects.toThrow('provision execution org-acme runs in no process this store reaches');
  });
});
