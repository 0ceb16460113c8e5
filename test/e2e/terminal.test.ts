/**
 * The built `tenantctl` (dist/tenantctl.cjs) as an operator meets it on a terminal and through a
 * pipe, in --local mode with its own state directory and emulator:
 * - through a pipe: no escape code and no carriage return at all, and the columns of `list` and
 *   `status` hold a 40-character orgId;
 * - on a pseudo-terminal (support/pty-run.py): states, step marks and the `tenantctl:` of an error
 *   in colour, and none with `--no-color`, `NO_COLOR` or `--json`;
 * - a retry back-off counted down on one live line on a terminal, and not at all through a pipe;
 * - Ctrl-C while following (typed on the terminal, or SIGINT to a piped command's process
 *   group): one line saying the execution goes on, exit 130, and the execution does go on.
 *
 * The retry is a real condition in the emulator, as in tenantctl.test.ts: a tenant's secret
 * replicated to another region cannot be deleted (InvalidParameterException, which the
 * teardown's DeleteTenantCredentials retries); removing the replica lets the next attempt succeed.
 */
import { RemoveRegionsFromReplicationCommand, ReplicateSecretToRegionsCommand } from '@aws-sdk/client-secrets-manager';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localClients, type LocalClients } from '../../local/stack';

jest.setTimeout(60_000);

const BIN = join(__dirname, '../../dist/tenantctl.cjs');
const PTY = join(__dirname, 'support/pty-run.py');
/** The longest orgId the events allow (events/schemas/org-created.schema.json: 40 characters). */
const LONG_ORG_ID = 'Terminal-abcdefghij-klmnopqrst-uvwxyz-40';
/** The local runner's pause before each retry: long enough to see a countdown tick (2 s, 1 s), or to act before the retry through a pipe. */
const BACK_OFF_MS = '2000';
const PIPE_BACK_OFF_MS = '1000';
// eslint-disable-next-line no-control-regex
const ESCAPE_OR_RETURN = /\u001b|\r/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface Session {
  /** Everything written so far (a terminal's stdout and stderr are one stream). */
  output(): string;
  /** Types on the terminal (`\x03` is Ctrl-C). */
  type(text: string): void;
  /** SIGINT to the command's process group, as a terminal's Ctrl-C sends it. */
  interrupt(): void;
  done: Promise<Run>;
}

let stateDir: string;
let clients: LocalClients;

function environment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TENANTCTL_STATE_DIR: stateDir, TENANTCTL_LOCAL_RETRY_INTERVAL_MS: '20', TERM: 'xterm-256color', ...extra };
  for (const name of ['AWS_ENDPOINT_URL', 'NO_COLOR', 'FORCE_COLOR']) if (!(name in extra)) delete env[name];
  return env;
}

/** `tenantctl --local <args>` on a terminal of its own (`terminal`), or with its output piped; in its own process group. */
function start(args: string[], options: { terminal?: boolean; env?: NodeJS.ProcessEnv } = {}): Session {
  const command = options.terminal ? ['python3', PTY, process.execPath, BIN, '--local', ...args] : [process.execPath, BIN, '--local', ...args];
  const child = spawn(command[0] as string, command.slice(1), { env: environment(options.env ?? {}), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? 128 + (signal === 'SIGINT' ? 2 : 15), stdout, stderr })));
  return {
    output: () => stdout,
    type: (text) => child.stdin.write(text),
    interrupt: () => process.kill(-(child.pid as number), 'SIGINT'),
    done: done.finally(() => child.stdin.end()),
  };
}

const tenantctl = (args: string[], options: { terminal?: boolean; env?: NodeJS.ProcessEnv } = {}) => start(args, options).done;

async function until(session: Session, pattern: RegExp): Promise<void> {
  for (let waited = 0; !pattern.test(session.output()); waited += 20) {
    if (waited > 30_000) throw new Error(`never saw ${String(pattern)} in:\n${session.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a terminal shows of `raw`: each line as its carriage returns left it, without colour. */
function screen(raw: string): string[] {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r\n/g, '\n').split('\n').map((line) => {
    const cells: string[] = [];
    let column = 0;
    for (const char of line) {
      if (char === '\r') column = 0;
      else cells[column++] = char;
    }
    return cells.join('').trimEnd();
  });
}

const secretOf = (orgId: string) => `fusion-rms/local/${orgId.toLowerCase()}/credentials`;

/** A tenant whose teardown will retry DeleteTenantCredentials until `unblock`. */
async function blockedTeardown(orgId: string): Promise<{ unblock: () => Promise<unknown> }> {
  expect((await tenantctl(['provision', orgId])).code).toBe(0);
  clients ??= localClients((JSON.parse(readFileSync(join(stateDir, 'emulator.json'), 'utf8')) as { endpoint: string }).endpoint);
  await clients.secretsManager.send(new ReplicateSecretToRegionsCommand({ SecretId: secretOf(orgId), AddReplicaRegions: [{ Region: 'us-west-2' }] }));
  return { unblock: () => clients.secretsManager.send(new RemoveRegionsFromReplicationCommand({ SecretId: secretOf(orgId), RemoveReplicaRegions: ['us-west-2'] })) };
}

/** The tenant once its teardown has ended (it runs on in its background runner). */
async function tornDown(orgId: string): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  for (let i = 0; ; i++) {
    const status = JSON.parse((await tenantctl(['status', orgId, '--json'])).stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (status.ledger.state === 'deleted' || i === 50) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'tenantctl-terminal-'));
});

afterAll(async () => {
  if (existsSync(join(stateDir, 'emulator.json'))) await tenantctl(['local', 'stop']);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('tenantctl through a pipe', () => {
  it('writes no escape code or carriage return, and its columns hold a 40-character orgId', async () => {
    const provision = await tenantctl(['provision', LONG_ORG_ID]);
    const list = await tenantctl(['list']);
    const status = await tenantctl(['status', LONG_ORG_ID]);

    expect(LONG_ORG_ID).toHaveLength(40);
    expect(provision.code).toBe(0);
    for (const run of [provision, list, status]) expect(run.stdout + run.stderr).not.toMatch(ESCAPE_OR_RETURN);
    const rows = list.stdout.split('\n').filter((line) => /^(ORG ID|Terminal-)/.test(line));
    expect(rows).toHaveLength(2);
    expect((rows[1] as string).indexOf(' active ') + 1).toBe((rows[0] as string).indexOf('STATE'));
    expect((rows[1] as string).indexOf(' us-east-1 ') + 1).toBe((rows[0] as string).indexOf('REGION'));
    const resources = status.stdout.split('\n').filter((line) => / (present|absent)/.test(line));
    expect(resources).toHaveLength(4);
    expect(new Set(resources.map((line) => line.search(/ (present|absent)/))).size).toBe(1);
    expect(resources[3]).toMatch(new RegExp(`^ {2}secret {7}${secretOf(LONG_ORG_ID)} {2}present$`));
    const timeline = status.stdout.split('\n').filter((line) => /^ +\+\S+ (ms|s) +✓ /.test(line));
    expect(timeline.length).toBeGreaterThan(5);
    expect(new Set(timeline.map((line) => line.search(/ (ms|s)$/))).size).toBe(1);
  });

  it('prints a retry back-off as whole lines only: no countdown', async () => {
    const { unblock } = await blockedTeardown('Terminal-Pipe-Retry');
    const teardown = start(['teardown', 'Terminal-Pipe-Retry', '--retention-days', '0'], { env: { TENANTCTL_LOCAL_RETRY_INTERVAL_MS: PIPE_BACK_OFF_MS } });
    // A failed attempt is in the history (as `status` would show it) before the retry is let through.
    for (let i = 0; i < 100; i++) {
      const status = JSON.parse((await tenantctl(['status', 'Terminal-Pipe-Retry', '--json'])).stdout) as { executions: { states?: { state: string; outcome: string }[] }[] };
      if (status.executions[1]?.states?.some((step) => step.state === 'DeleteTenantCredentials' && step.outcome === 'failed')) break;
    }
    await unblock();
    const run = await teardown.done;

    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(ESCAPE_OR_RETURN);
    expect(run.stdout).toMatch(/\n {4}↻ DeleteTenantCredentials +retry 1 after InvalidParameterException\n/);
    expect(run.stdout).not.toContain('retry 1 of');
    expect(run.stdout).toMatch(/SUCCEEDED in/);
  });

  it('on SIGINT to its process group while following: one line on stderr, exit 130, and the teardown goes on', async () => {
    const { unblock } = await blockedTeardown('Terminal-Pipe-Int');
    const teardown = start(['teardown', 'Terminal-Pipe-Int', '--retention-days', '0'], { env: { TENANTCTL_LOCAL_RETRY_INTERVAL_MS: PIPE_BACK_OFF_MS } });
    await until(teardown, /✓ RecordTenantDeleting/);

    teardown.interrupt();
    const run = await teardown.done;

    expect(run.code).toBe(130);
    expect(run.stderr).toBe('^C stopped following; terminal-pipe-int-g1-teardown goes on — npx tenantctl --local status Terminal-Pipe-Int\n');
    expect(run.stdout).not.toMatch(ESCAPE_OR_RETURN);
    await unblock();
    const status = await tornDown('Terminal-Pipe-Int');
    expect(status.ledger.state).toBe('deleted');
    expect(status.executions[1]).toMatchObject({ name: 'terminal-pipe-int-g1-teardown', status: 'SUCCEEDED' });
  });
});

describe('tenantctl on a terminal', () => {
  it('colours states, step marks and the tenantctl: of an error', async () => {
    const list = await tenantctl(['list'], { terminal: true });
    const status = await tenantctl(['status', LONG_ORG_ID], { terminal: true });
    const missing = await tenantctl(['status', 'Nobody-Here-1'], { terminal: true });

    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${LONG_ORG_ID}  \u001b[32mactive\u001b[39m  `);
    expect(status.stdout).toContain('  state        \u001b[32mactive\u001b[39m since ');
    expect(status.stdout).toContain(' \u001b[32m✓\u001b[39m ValidateOrg ');
    expect(status.stdout).toContain('  \u001b[32mSUCCEEDED\u001b[39m  started ');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('\u001b[31mtenantctl:\u001b[39m no tenant Nobody-Here-1\r\n');
  });

  it('has no colour with --no-color, with NO_COLOR, or in a --json document', async () => {
    const flag = await tenantctl(['list', '--no-color'], { terminal: true });
    const env = await tenantctl(['list'], { terminal: true, env: { NO_COLOR: '1' } });
    const json = await tenantctl(['list', '--json'], { terminal: true });
    const error = await tenantctl(['status', 'Nobody-Here-1', '--no-color'], { terminal: true });

    for (const run of [flag, env, json, error]) expect(run.stdout).not.toContain('\u001b');
    expect(flag.stdout).toMatch(/ {2}active {2}/);
    expect(JSON.parse(json.stdout)).toMatchObject({ tenants: expect.arrayContaining([expect.objectContaining({ orgId: LONG_ORG_ID, state: 'active' })]) });
    expect(error.stdout).toBe('tenantctl: no tenant Nobody-Here-1\r\n');
  });

  it('counts a retry back-off down on one line, and erases it once the retry is made', async () => {
    const { unblock } = await blockedTeardown('Terminal-Countdown');
    const teardown = start(['teardown', 'Terminal-Countdown', '--retention-days', '0'], { terminal: true, env: { TENANTCTL_LOCAL_RETRY_INTERVAL_MS: BACK_OFF_MS } });
    await until(teardown, /retry 1 of 6 in 1 s…/);

    await unblock();
    const run = await teardown.done;

    expect(run.code).toBe(0);
    const countdown = (left: number) => `\r    ↻ DeleteTenantCredentials        retry 1 of 6 in ${left} s… (after InvalidParameterException)`;
    expect(run.stdout).toContain(`${countdown(2)}${countdown(1)}`);
    const shown = screen(run.stdout);
    expect(shown).toContain('    ↻ DeleteTenantCredentials        retry 1 after InvalidParameterException');
    expect(shown.join('\n')).not.toContain('retry 1 of 6');
    expect(shown.filter((line) => /^ {2}SUCCEEDED in /.test(line))).toHaveLength(1);
  });

  it('on Ctrl-C while following: one line saying the teardown goes on and how to look at it, exit 130, and it goes on', async () => {
    const { unblock } = await blockedTeardown('Terminal-Ctrl-C');
    const teardown = start(['teardown', 'Terminal-Ctrl-C', '--retention-days', '0'], { terminal: true, env: { TENANTCTL_LOCAL_RETRY_INTERVAL_MS: BACK_OFF_MS } });
    await until(teardown, /retry 1 of 6 in/);

    teardown.type('\x03');
    const run = await teardown.done;

    expect(run.code).toBe(130);
    const shown = screen(run.stdout).filter(Boolean);
    expect(shown[shown.length - 1]).toBe('^C stopped following; terminal-ctrl-c-g1-teardown goes on — npx tenantctl --local status Terminal-Ctrl-C');
    expect(run.stdout.match(/stopped following/g)).toHaveLength(1);
    expect(run.stdout).not.toMatch(/\n\s+at |Error/);
    await unblock();
    const status = await tornDown('Terminal-Ctrl-C');
    expect(status.ledger.state).toBe('deleted');
    expect(status.executions[1]).toMatchObject({ name: 'terminal-ctrl-c-g1-teardown', status: 'SUCCEEDED' });
  });
});
