import { version } from '../../../package.json';
import { DynamoDBClient, GetItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, parseSince } from '../../../cli/args';
import { explainError } from '../../../cli/main';
import { T0, tenantctl } from './support';

const sfnMock = mockClient(SFNClient);
const stsMock = mockClient(STSClient);
const dynamoMock = mockClient(DynamoDBClient);
mockClient(EventBridgeClient);

const COMMANDS = ['list', 'status', 'failed', 'redrive', 'provision', 'teardown', 'restore', 'rotate', 'credentials', 'local'];

beforeEach(() => {
  sfnMock.reset();
  stsMock.reset();
  dynamoMock.reset();
});

describe('tenantctl', () => {
  it('prints the general help with --help (exit 0), and on stderr without a command (exit 2)', async () => {
    const help = await tenantctl(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tenantctl <command> \[options\]/);
    for (const command of COMMANDS) expect(help.stdout).toContain(`\n  ${command} `);
    expect(help.stdout).toContain('Example: tenantctl --local provision');
    expect(help.stdout).toContain('(<slug>-g<N>-provision, -teardown, -restore)');
    expect(help.stdout).not.toMatch(/org-<slug>|org-acme/);

    const none = await tenantctl([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: tenantctl <command>/);
  });

  it('has --help with an example on every command', async () => {
    for (const command of COMMANDS) {
      const run = await tenantctl([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: tenantctl ${command}`));
      expect(run.stdout).toMatch(/\nExamples?:\n {2}tenantctl /);
      expect(run.stdout).not.toMatch(/org-<slug>|org-acme/);
    }
    expect((await tenantctl(['help', 'redrive'])).stdout).toMatch(/^Usage: tenantctl redrive/);
  });

  it('refuses an unknown option as bad usage, naming the command to ask for help', async () => {
    const run = await tenantctl(['status', 'Acme', '--colour']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tenantctl: Unknown option --colour. Run `npx tenantctl status --help`.\n');
  });

  it.each([
    [['teardown', 'Acme', '--retention-days', '-1'], 'tenantctl: --retention-days "-1" must be a whole number from 0 to 350. Run `npx tenantctl teardown --help`.\n'],
    [['teardown', 'Acme', '--retention-days'], 'tenantctl: Option --retention-days <days> needs a value. Run `npx tenantctl teardown --help`.\n'],
    [['teardown', 'Acme', '--retention-days', '--no-wait'], 'tenantctl: Option --retention-days <days> needs a value, not the option --no-wait. Run `npx tenantctl teardown --help`.\n'],
    [['list', '--local=yes'], 'tenantctl: Option --local takes no value. Run `npx tenantctl list --help`.\n'],
    [['-x', 'list'], 'tenantctl: Unknown option -x. Run `npx tenantctl list --help`.\n'],
  ])('says in its own words what is wrong with %j, as bad usage', async (argv, message) => {
    const run = await tenantctl(argv);

    expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({ code: 2, stderr: message, stdout: '' });
  });

  it("prints its version with --version, on stdout, whatever the command", async () => {
    for (const argv of [['--version'], ['status', 'Acme', '--version']]) {
      const run = await tenantctl(argv);
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 0, stdout: `tenantctl ${version}\n`, stderr: '' });
    }
  });

  it('refuses --stage with --local', async () => {
    const run = await tenantctl(['--local', '--stage', 'prod', 'failed']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('tenantctl: --stage applies to AWS; the local mode\'s stage is always "local". Run `npx tenantctl failed --help`.\n');
  });

  it("asks STS for the account when TENANT_PROVISIONER_ACCOUNT_ID is not set, and reads the stage's ledger table", async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '210987654321' });
    dynamoMock.on(GetItemCommand).resolves({});

    const run = await tenantctl(['status', 'Acme', '--stage', 'prod'], { TENANT_PROVISIONER_ACCOUNT_ID: '' });

    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(dynamoMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: 'tenant-provisioner-prod-tenants', Key: { slug: { S: 'acme' } }, ConsistentRead: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenantctl: no tenant Acme\n');
  });

  it('says a missing ledger table is probably a stage that is not deployed', async () => {
    dynamoMock.on(GetItemCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: 'Requested resource not found' }));

    const run = await tenantctl(['status', 'Acme']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tenantctl: Requested resource not found: is the stage deployed in this account and region? (--stage; the ledger table is tenant-provisioner-<stage>-tenants unless TENANT_PROVISIONER_LEDGER_TABLE says otherwise)\n');
  });

  it('prints an error as one sentence, the stack only with --verbose, and a JSON error document with --json', async () => {
    const denied = Object.assign(new Error('User: arn:aws:iam::123456789012:user/ops is not authorized to perform: dynamodb:GetItem'), { name: 'AccessDeniedException' });
    dynamoMock.on(GetItemCommand).rejects(denied);

    const plain = await tenantctl(['status', 'Acme']);
    const verbose = await tenantctl(['status', 'Acme', '--verbose']);
    const json = await tenantctl(['status', 'Acme', '--json']);

    const sentence = 'tenantctl: AccessDeniedException: User: arn:aws:iam::123456789012:user/ops is not authorized to perform: dynamodb:GetItem\n';
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe(sentence);
    expect(verbose.stderr.startsWith(sentence)).toBe(true);
    expect(verbose.stderr).toMatch(/\n {4}at /);
    expect(json.json()).toEqual({ error: { name: 'AccessDeniedException', message: sentence.slice('tenantctl: '.length, -1), exitCode: 1 } });
  });

  it('says how to configure a region when there is none (exit 2)', async () => {
    const saved = { region: process.env.AWS_REGION, config: process.env.AWS_CONFIG_FILE, defaultRegion: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    try {
      const run = await tenantctl(['failed']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('tenantctl: No AWS region is configured: set AWS_REGION (or a region in your AWS profile), or use --local\n');
    } finally {
      process.env.AWS_REGION = saved.region;
      if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved.config;
      if (saved.defaultRegion !== undefined) process.env.AWS_DEFAULT_REGION = saved.defaultRegion;
    }
  });

  it('`local stop` with no background emulator says so and exits 0', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tenantctl-unit-'));
    try {
      const run = await tenantctl(['local', 'stop', '--json'], { TENANTCTL_STATE_DIR: stateDir, AWS_ENDPOINT_URL: '' });
      expect(run.code).toBe(0);
      expect(run.json()).toEqual({ action: 'stop', stateDir, emulator: { stopped: false }, executionsStopped: [], cleared: false });
      expect((await tenantctl(['local', 'start'], { TENANTCTL_STATE_DIR: stateDir })).code).toBe(2);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('parseCommandLine', () => {
  const specs = { status: { name: 'status', summary: '', usage: 'status <orgId>', description: '', options: {}, positionals: { min: 1, max: 1 }, examples: [] } };

  it('takes global options before or after the command, and a global option value that looks like a command', () => {
    expect(parseCommandLine(['--stage', 'status', 'status', 'Acme', '--json'], specs)).toMatchObject({ command: 'status', positionals: ['Acme'], globals: { stage: 'status', json: true, local: false } });
    expect(parseCommandLine(['--local', 'status', 'Acme'], specs)).toMatchObject({ command: 'status', globals: { local: true } });
  });
});

describe('parseSince', () => {
  it('reads durations back from now and ISO dates', () => {
    expect(parseSince('7d', T0)).toEqual(new Date('2026-11-16T09:00:00.000Z'));
    expect(parseSince('90m', T0)).toEqual(new Date('2026-11-23T07:30:00.000Z'));
    expect(parseSince('2w', T0)).toEqual(new Date('2026-11-09T09:00:00.000Z'));
    expect(parseSince('2026-11-01', T0)).toEqual(new Date('2026-11-01T00:00:00.000Z'));
    expect(() => parseSince('7 days', T0)).toThrow('--since "7 days" is not a duration');
  });
});

describe('explainError', () => {
  it('turns missing credentials into one sentence and bad usage', () => {
    expect(explainError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }))).toEqual({
      name: 'CredentialsProviderError',
      message: 'No AWS credentials were found: configure a profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --local',
      exitCode: 2,
    });
  });
});

describe('explainError on a request that never arrived', () => {
  const nodeError = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

  it.each([
    [
      'a name that does not resolve',
      nodeError('getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'sts.eu-west-1.amazonaws.com' }),
      'Cannot reach AWS at sts.eu-west-1.amazonaws.com: its name does not resolve; check the network, a proxy (HTTPS_PROXY) and AWS_REGION, or use --local, which needs no network',
    ],
    [
      'no DNS at all',
      nodeError('getaddrinfo EAI_AGAIN states.us-east-1.amazonaws.com', { code: 'EAI_AGAIN', hostname: 'states.us-east-1.amazonaws.com' }),
      'Cannot reach AWS at states.us-east-1.amazonaws.com: its name cannot be resolved now (no DNS?); check the network, a proxy (HTTPS_PROXY) and AWS_REGION, or use --local, which needs no network',
    ],
    [
      'a local emulator that is not running',
      nodeError('connect ECONNREFUSED 127.0.0.1:4566', { code: 'ECONNREFUSED', address: '127.0.0.1', port: 4566 }),
      'Cannot reach the local AWS emulator at 127.0.0.1:4566: nothing answers there; is it running? (`npx tenantctl --local` starts its own when AWS_ENDPOINT_URL is not set)',
    ],
  ])('says which endpoint, why and what to do: %s', (_case, err, message) => {
    expect(explainError(err)).toEqual({ name: 'Error', message, exitCode: 1 });
  });

  it('tells refused credentials from missing ones, as bad configuration (exit 2)', () => {
    const refused = Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId' });
    expect(explainError(refused)).toEqual({
      name: 'InvalidClientTokenId',
      message: 'AWS refused the credentials (InvalidClientTokenId: the access key id is unknown to AWS): check AWS_PROFILE or the AWS_* variables, or use --local',
      exitCode: 2,
    });
  });
});
