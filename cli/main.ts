import { ResourceNotFoundException as LedgerTableNotFound } from '@aws-sdk/client-dynamodb';
import { commandHelp, GLOBAL_OPTIONS, parseCommandLine, type CommandSpec, type GlobalOptions } from './args';
import { openAwsBackend } from './aws/backend';
import type { Backend } from './backend';
import { credentialsCommand } from './commands/credentials';
import { failedCommand } from './commands/failed';
import { listCommand } from './commands/list';
import { localCommand } from './commands/local';
import { provisionCommand } from './commands/provision';
import { redriveCommand } from './commands/redrive';
import { restoreCommand } from './commands/restore';
import { rotateCommand } from './commands/rotate';
import { statusCommand } from './commands/status';
import { teardownCommand } from './commands/teardown';
import type { Command, CommandContext } from './context';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import { openLocalBackend } from './local/backend';
import { runBackgroundRunner } from './local/run-command';
import { RUNNER_COMMAND } from './local/runner';
import { oneLine, Output, type CliIo } from './output';
import { version } from '../package.json';
import { TENANTCTL } from './invocation';

const COMMANDS: Command[] = [listCommand, statusCommand, failedCommand, redriveCommand, provisionCommand, teardownCommand, restoreCommand, rotateCommand, credentialsCommand, localCommand];
const BY_NAME: Record<string, Command> = Object.fromEntries(COMMANDS.map((command) => [command.spec.name, command]));
const SPECS: Record<string, CommandSpec> = {
  ...Object.fromEntries(COMMANDS.map((command) => [command.spec.name, command.spec])),
  help: { name: 'help', summary: 'help on a command', usage: 'help [command]', description: '', options: {}, positionals: { min: 0, max: 1 }, examples: ['tenantctl help redrive'] },
};

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return [
    'Usage: tenantctl <command> [options]',
    '',
    "The operators' tool of tenant-provisioner: see, retry and repair every tenant's provisioning,",
    "teardown and restore and rotate its access key, from the tenant ledger (the record of every",
    "tenant's life) and the executions it names (<slug>-g<N>-provision, -teardown, -restore). Runs",
    "against the AWS account and region of the standard AWS credential chain (the stage's ledger",
    'table and state machines, default stage dev), or with --local against the embedded default.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)} ${c.spec.summary}`),
    '',
    'Global options:',
    ...Object.entries(GLOBAL_OPTIONS).map(([name, o]) => `  ${`${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`.padEnd(20)} ${o.help}`),
    '',
    'Exit status: 0 success, 1 when what was asked about failed, 2 bad usage.',
    'Environment: AWS_REGION/AWS_PROFILE (AWS), TENANT_PROVISIONER_ACCOUNT_ID (skips STS),',
    'TENANT_PROVISIONER_EVENT_BUS (default "default"), TENANT_PROVISIONER_LEDGER_TABLE (default',
    'tenant-provisioner-<stage>-tenants), and the stage parameters the stage was deployed with if',
    'not serverless.yml\'s defaults: TENANT_PROVISIONER_ALLOWED_REGIONS, _BUCKET_PREFIX,',
    '_USER_PREFIX, _DEFAULT_RETENTION_DAYS, _TENANT_QUOTA, _MAX_BUCKET_CANDIDATES, _ROTATION_DAYS,',
    '_PREVIOUS_KEY_OVERLAP_DAYS, _ROTATION_FUNCTION_ARN (default tenant-provisioner-<stage>-',
    'rotateTenantCredentials) (AWS);',
    'AWS_ENDPOINT_URL (local: an emulator of your own), TENANTCTL_STATE_DIR (local: instead of',
    ".local/), TENANTCTL_LOCAL_RETRY_INTERVAL_MS (local: pause before every retry instead of the ASL's).",
    '',
    'Example: tenantctl --local provision Acme-Bistro-42 && tenantctl --local list',
    `Run \`${TENANTCTL} <command> --help\` for a command's options and examples.`,
  ].join('\n');
}

/** What the credentials chain throws when the credentials exist but AWS will not take them. */
const REFUSED_CREDENTIALS: Record<string, string> = {
  ExpiredToken: 'the session has expired',
  ExpiredTokenException: 'the session has expired',
  InvalidClientTokenId: 'the access key id is unknown to AWS',
  UnrecognizedClientException: 'the access key id is unknown to AWS',
  SignatureDoesNotMatch: 'the secret access key does not match the key id',
};

/** Node's socket and DNS errors, as what they mean for reaching an endpoint. */
const NETWORK_ERRORS: Record<string, string> = {
  ENOTFOUND: 'its name does not resolve',
  EAI_AGAIN: 'its name cannot be resolved now (no DNS?)',
  ENETUNREACH: 'the network is unreachable',
  EHOSTUNREACH: 'the host is unreachable',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  ECONNREFUSED: 'nothing answers there',
};

/**
 * A request that never reached its endpoint, in one sentence: which endpoint, why, and what to
 * do (instead of `getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com`). Undefined for anything else.
 */
export function networkFailure(err: unknown): string | undefined {
  const { code, hostname, address, port, message } = (err ?? {}) as { code?: string; hostname?: string; address?: string; port?: number; message?: string };
  const known = code && NETWORK_ERRORS[code] ? code : Object.keys(NETWORK_ERRORS).find((c) => new RegExp(`\\b${c}\\b`).test(message ?? ''));
  if (!known) return undefined;
  const named = /(?:ENOTFOUND|EAI_AGAIN) (\S+)/.exec(message ?? '')?.[1];
  const where = hostname ?? named ?? (address ? `${address}${port ? `:${port}` : ''}` : undefined);
  const local = where !== undefined && /^(127\.|localhost|\[?::1)/.test(where);
  const what = local ? `the local AWS emulator${where ? ` at ${where}` : ''}` : `AWS${where ? ` at ${where}` : ''}`;
  const todo = local
    ? 'is it running? (`npx tenantctl --local` starts its own when AWS_ENDPOINT_URL is not set)'
    : 'check the network, a proxy (HTTPS_PROXY) and AWS_REGION, or use --local, which needs no network';
  return `Cannot reach ${what}: ${NETWORK_ERRORS[known]}; ${todo}`;
}

/** An error as one sentence for stderr, and its exit status. */
export function explainError(err: unknown, command?: string): { name: string; message: string; exitCode: number } {
  if (err instanceof UsageError) {
    const topic = err.command ?? command;
    return { name: err.name, message: `${err.message.replace(/\.$/, '')}. Run \`${TENANTCTL} ${topic ? `${topic} ` : ''}--help\`.`, exitCode: EXIT_USAGE };
  }
  if (err instanceof CliError) return { name: err.name, message: oneLine(err.message, 1_000), exitCode: err.exitCode };
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'CredentialsProviderError') {
    return { name, message: 'No AWS credentials were found: configure a profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --local', exitCode: EXIT_USAGE };
  }
  if (name === 'StateMachineDoesNotExist') return { name, message: `${oneLine(message)}: is the stage deployed in this account and region? (--stage)`, exitCode: EXIT_FAILED };
  if (err instanceof LedgerTableNotFound) {
    return {
      name,
      message: `${oneLine(message)}: is the stage deployed in this account and region? (--stage; the ledger table is tenant-provisioner-<stage>-tenants unless TENANT_PROVISIONER_LEDGER_TABLE says otherwise)`,
      exitCode: EXIT_FAILED,
    };
  }
  if (name in REFUSED_CREDENTIALS) {
    return { name, message: `AWS refused the credentials (${name}: ${REFUSED_CREDENTIALS[name]}): check AWS_PROFILE or the AWS_* variables, or use --local`, exitCode: EXIT_USAGE };
  }
  const unreachable = networkFailure(err);
  if (unreachable) return { name, message: unreachable, exitCode: EXIT_FAILED };
  return { name, message: `${name}: ${oneLine(message, 1_000)}`, exitCode: EXIT_FAILED };
}

/** Opens the backend the global options name: AWS (the stage's), or the embedded default with --local. */
export type BackendOpener = (globals: GlobalOptions, io: CliIo, options?: { readOnly?: boolean }) => Promise<Backend>;

export const openBackend: BackendOpener = (globals, io, options = {}) =>
  globals.local ? openLocalBackend(io, options) : openAwsBackend(globals.stage === undefined ? {} : { stage: globals.stage }, io);

/** Runs tenantctl with `argv` (the arguments after the program) and returns its exit status. */
export async function main(argv: string[], io: CliIo, open: BackendOpener = openBackend): Promise<number> {
  if (argv[0] === RUNNER_COMMAND) return runBackgroundRunner(argv[1] ?? '', io);
  const out = new Output(io, argv.includes('--json'), { noColor: argv.includes('--no-color') });
  const verbose = argv.includes('--verbose');
  let backend: Promise<Backend> | undefined;
  let command: string | undefined;
  try {
    const parsed = parseCommandLine(argv, SPECS);
    command = parsed.command;
    const { globals } = parsed;
    if (globals.version) {
      io.stdout(`tenantctl ${version}\n`);
      return EXIT_OK;
    }
    if (command === 'help' || (globals.help && !command)) {
      const topic = command === 'help' ? parsed.positionals[0] : undefined;
      if (topic && !BY_NAME[topic]) throw new UsageError(`Unknown command ${JSON.stringify(topic)}`);
      io.stdout(`${topic ? commandHelp((BY_NAME[topic] as Command).spec) : generalHelp()}\n`);
      return EXIT_OK;
    }
    if (!command) {
      io.stderr(`${generalHelp()}\n`);
      return EXIT_USAGE;
    }
    const selected = BY_NAME[command] as Command;
    if (globals.help) {
      io.stdout(`${commandHelp(selected.spec)}\n`);
      return EXIT_OK;
    }
    if (globals.local && globals.stage !== undefined) throw new UsageError('--stage applies to AWS; the local mode\'s stage is always "local"', command);
    const context: CommandContext = {
      io,
      out,
      globals,
      values: parsed.values,
      positionals: parsed.positionals,
      backend: () => (backend ??= open(globals, io, { readOnly: selected.spec.readOnly === true })),
    };
    const code = await selected.run(context);
    out.flush();
    return code;
  } catch (err) {
    const explained = explainError(err, command);
    out.error(explained.message);
    if (verbose && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    if (out.json) io.stdout(`${JSON.stringify({ error: { name: explained.name, message: explained.message, exitCode: explained.exitCode } }, null, 2)}\n`);
    return explained.exitCode;
  } finally {
    if (backend) await backend.then((opened) => opened.close(), () => undefined);
  }
}
