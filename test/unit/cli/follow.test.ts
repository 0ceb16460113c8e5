import type { Backend } from '../../../cli/backend';
import { followExecution } from '../../../cli/follow';
import { Output, type CliIo } from '../../../cli/output';
import type { ExecutionEvent, ExecutionRecord } from '../../../functions/lib/executions';
import { at } from './support';

const NAME = 'acme-g1-provision';

const started: ExecutionEvent = { type: 'ExecutionStarted', timestamp: at(0) };
const entered: ExecutionEvent = { type: 'StateEntered', timestamp: at(0), state: 'CreateTenantBucket', stateType: 'Task' };
const failedAttempt: ExecutionEvent = { type: 'StateFailed', timestamp: at(1), state: 'CreateTenantBucket', stateType: 'Task', error: 'InternalError', durationMs: 1000 };
const retried: ExecutionEvent = { type: 'StateRetried', timestamp: at(2.5), state: 'CreateTenantBucket', stateType: 'Task', error: 'InternalError', retryAttempt: 1 };
const exited: ExecutionEvent = { type: 'StateExited', timestamp: at(3), state: 'CreateTenantBucket', stateType: 'Task', durationMs: 3000 };

/** A run that fails its first attempt, waits out the back-off over `waitingPolls` polls, then succeeds. */
function retryingBackend(waitingPolls: number, onPoll: (poll: number) => void = () => undefined) {
  let poll = 0;
  const record = (status: ExecutionRecord['status']): ExecutionRecord => ({ workflow: 'provision', name: NAME, executionArn: `arn:${NAME}`, status, input: {}, startDate: at(0), ...(status === 'SUCCEEDED' ? { stopDate: at(3) } : {}) });
  const stop = jest.fn();
  const backend = {
    mode: 'local',
    redriveFrom: 'start',
    pollMs: 1000,
    executions: {
      describe: async () => {
        poll++;
        onPoll(poll);
        return record(poll > waitingPolls ? 'SUCCEEDED' : 'RUNNING');
      },
      history: async () => (poll > waitingPolls ? [started, entered, failedAttempt, retried, exited] : [started, entered, failedAttempt]),
      stop,
    },
  } as unknown as Backend;
  return { backend, stop };
}

function fakeIo(options: { tty: boolean }) {
  let clock = at(1).getTime();
  const written = { stdout: '', stderr: '' };
  const interrupts: (() => void)[] = [];
  const io: CliIo = {
    stdout: (text) => (written.stdout += text),
    stderr: (text) => (written.stderr += text),
    env: { NO_COLOR: '1' },
    now: () => new Date(clock),
    sleep: async (ms) => {
      clock += ms;
    },
    stdoutIsTTY: options.tty,
    stderrIsTTY: options.tty,
    columns: () => 120,
    onInterrupt: (handler) => {
      interrupts.push(handler);
      return () => interrupts.splice(interrupts.indexOf(handler), 1);
    },
    exit: jest.fn(),
  };
  return { io, written, interrupts };
}

describe('followExecution', () => {
  it('counts down a retry back-off on a terminal, on one line it erases before the next', async () => {
    const { io, written } = fakeIo({ tty: true });
    const { backend } = retryingBackend(2);

    const followed = await followExecution(backend, { io, out: new Output(io, false) }, { workflow: 'provision', name: NAME, orgId: 'Acme' });

    expect(followed.record.status).toBe('SUCCEEDED');
    const countdown = (left: number) => `\r    ↻ CreateTenantBucket             retry 1 of 5 within ${left} s… (after InternalError)`;
    expect(written.stdout).toContain(`${countdown(2)}${countdown(1)}`);
    const erase = `\r${' '.repeat(countdown(1).length - 1)}\r`;
    expect(written.stdout).toContain(`${countdown(1)}${erase}    ↻ CreateTenantBucket             retry 1 after InternalError\n    ✓ CreateTenantBucket             3.0 s\n`);
    expect(written.stderr).toBe('');
  });

  it('prints only whole lines through a pipe: no countdown, no carriage return', async () => {
    const { io, written } = fakeIo({ tty: false });
    const { backend } = retryingBackend(2);

    await followExecution(backend, { io, out: new Output(io, false) }, { workflow: 'provision', name: NAME, orgId: 'Acme' });

    expect(written.stdout).toBe('    ↻ CreateTenantBucket             retry 1 after InternalError\n    ✓ CreateTenantBucket             3.0 s\n');
  });

  it('on Ctrl-C says in one line that the execution goes on and how to look at it, exits 130, and stops nothing', async () => {
    const { io, written, interrupts } = fakeIo({ tty: false });
    const { backend, stop } = retryingBackend(3, (poll) => {
      if (poll === 2) (interrupts[0] as () => void)();
    });

    await followExecution(backend, { io, out: new Output(io, false) }, { workflow: 'provision', name: NAME, orgId: 'Acme' });

    expect(written.stderr).toBe(`^C stopped following; ${NAME} goes on — npx tenantctl --local status Acme\n`);
    expect(io.exit).toHaveBeenCalledWith(130);
    expect(stop).not.toHaveBeenCalled();
    expect(interrupts).toHaveLength(0);
  });

  it('on a terminal, Ctrl-C first erases the countdown and the ^C the terminal echoed after it', async () => {
    const { io, written, interrupts } = fakeIo({ tty: true });
    const { backend } = retryingBackend(3, (poll) => {
      if (poll === 2) (interrupts[0] as () => void)();
    });

    await followExecution(backend, { io, out: new Output(io, false) }, { workflow: 'provision', name: NAME, orgId: 'Acme' });

    const countdown = '\r    ↻ CreateTenantBucket             retry 1 of 5 within 2 s… (after InternalError)';
    expect(written.stdout).toContain(`${countdown}\r${' '.repeat(countdown.length - 1 + 2)}\r`);
    expect(written.stderr).toBe(`\r^C stopped following; ${NAME} goes on — npx tenantctl --local status Acme\n`);
  });
});
