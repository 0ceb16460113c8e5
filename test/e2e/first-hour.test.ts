/**
 * What a new user and an operator meet first, the way they meet it: the built
 * `tenantctl` (dist/tenantctl.cjs) and the demo as child processes, through a pipe.
 * - a reader that stops early (`| head -1`) ends tenantctl quietly, not with an EPIPE stack trace;
 * - bad usage is answered in tenantctl's own words, `--version` answers;
 * - a read-only command with no local emulator running starts none;
 * - on AWS with no network, or no credentials, one sentence says which — run in a network
 *   namespace of its own (`unshare -n`: only loopback), so no request can leave the machine;
 * - the demo refuses a malformed orgId in one sentence, before starting anything.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { version } from '../../package.json';
import { canIsolateNetwork, PROJECT_ROOT } from '../../scripts/package-stack';

jest.setTimeout(60_000);

const BIN = join(PROJECT_ROOT, 'dist/tenantctl.cjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let stateDir: string;

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'tenantctl-first-hour-'));
});

afterEach(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

/** The environment of a user with no AWS configured at all: no keys, no profile files, no instance metadata. */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: stateDir, TENANTCTL_STATE_DIR: stateDir, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
  env.AWS_CONFIG_FILE = join(stateDir, 'no-aws-config');
  env.AWS_SHARED_CREDENTIALS_FILE = join(stateDir, 'no-aws-credentials');
  return env;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = bareEnv()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 45_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const tenantctl = (...args: string[]) => run(process.execPath, [BIN, ...args]);

describe('tenantctl through a pipe', () => {
  it('stops quietly when the reader has gone (| true reads nothing and exits at once)', async () => {
    // `true` exits before tenantctl writes a byte, so its first write meets a closed pipe: EPIPE.
    const piped = await run('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" help | true; echo "status=\${PIPESTATUS[0]}" >&2`]);

    expect(piped.stderr).toBe('status=0\n');
  });

  it.each([
    [['teardown', 'Acme', '--retention-days', '-1'], 'tenantctl: --retention-days "-1" must be a whole number from 0 to 350. Run `npx tenantctl teardown --help`.\n'],
    [['list', '--frobnicate'], 'tenantctl: Unknown option --frobnicate. Run `npx tenantctl list --help`.\n'],
  ])('answers bad usage %j in its own words, exit 2', async (argv, message) => {
    expect(await tenantctl(...argv)).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it('prints its version', async () => {
    expect(await tenantctl('--version')).toEqual({ code: 0, stdout: `tenantctl ${version}\n`, stderr: '' });
  });
});

describe('a read-only command with no local emulator running', () => {
  const noEmulator = 'tenantctl: no local emulator is running, so there are no local tenants (the next `npx tenantctl --local provision <orgId>` starts one)\n';

  it.each([
    [['list'], 0, /^0 tenants — no local emulator running/],
    [['failed'], 0, /^0 tenants need an operator — no local emulator running/],
    [['status', 'Acme'], 1, /^$/],
  ])('%j starts none and says there is nothing', async (argv, code, stdout) => {
    const result = await tenantctl('--local', ...argv);

    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(stdout);
    expect(result.stderr).toBe(argv[0] === 'status' ? `${noEmulator}tenantctl: no tenant Acme\n` : noEmulator);
    expect(readdirSync(stateDir)).not.toContain('emulator.json');
  });
});

const isolated = canIsolateNetwork() ? describe : describe.skip;

isolated('on AWS, without a network (a network namespace with only loopback)', () => {
  const offline = (env: NodeJS.ProcessEnv) => run('unshare', ['-n', process.execPath, BIN, 'list'], env);

  it('says it cannot reach AWS, where and what to do, in one sentence', async () => {
    const result = await offline(bareEnv({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAFIRSTHOUR0000000', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-first-hour' }));

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^tenantctl: Cannot reach AWS at sts\.us-east-1\.amazonaws\.com: its name (does not resolve|cannot be resolved now \(no DNS\?\)); check the network, a proxy \(HTTPS_PROXY\) and AWS_REGION, or use --local, which needs no network\n$/);
  });

  it('says no credentials were found, and what to do', async () => {
    const result = await offline(bareEnv({ AWS_REGION: 'us-east-1' }));

    expect(result).toEqual({ code: 2, stdout: '', stderr: 'tenantctl: No AWS credentials were found: configure a profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --local\n' });
  });
});

describe('npm run demo', () => {
  it('refuses a malformed orgId in one sentence, exit 2, before starting anything', async () => {
    // Bundled as scripts/run-local.sh does, under the project (the demo finds its root from there).
    const bundle = join(PROJECT_ROOT, '.local/build', `demo-first-hour-${process.pid}.cjs`);
    execFileSync(join(PROJECT_ROOT, 'node_modules/.bin/esbuild'), ['local/demo.ts', '--bundle', '--platform=node', '--target=node22', '--format=cjs', '--external:esbuild', '--log-level=warning', `--outfile=${bundle}`], { cwd: PROJECT_ROOT });

    const result = await run(process.execPath, [bundle, '--org-id', 'a*b']);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'demo: Invalid OrgCreated: orgId "a*b" is invalid: must be 1–40 characters of A–Z, a–z, 0–9 and \'-\', not starting or ending with \'-\'. Run `npm run demo -- --help`.\n',
    });
    expect(existsSync(join(stateDir, 'emulator.json'))).toBe(false);
    rmSync(bundle, { force: true });
  });
});
