import { parseArgs } from 'node:util';
import { parseArgsMessage } from '../local/output/usage';
import { UsageError } from './errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help, e.g. `<days>`. */
  value?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** After `tenantctl `: e.g. `status <orgId>`. */
  usage: string;
  description: string;
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number };
  examples: string[];
  hidden?: boolean;
  /** It only reads: in local mode it never starts the emulator just to find nothing there. */
  readOnly?: boolean;
}

export interface GlobalOptions {
  local: boolean;
  stage?: string;
  json: boolean;
  verbose: boolean;
  help: boolean;
  version: boolean;
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  local: { type: 'boolean', help: 'use the embedded default (a local AWS emulator and local executions under .local/) instead of AWS' },
  stage: { type: 'string', value: '<stage>', help: 'the deployed stage whose state machines and bus to use (AWS only; default dev)' },
  json: { type: 'boolean', help: 'print one JSON document on stdout instead of text' },
  verbose: { type: 'boolean', help: 'show stack traces of errors' },
  'no-color': { type: 'boolean', help: 'no colour, even on a terminal (as does NO_COLOR=1; FORCE_COLOR=1 keeps it through a pipe)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', help: "print tenantctl's version" },
};

export interface ParsedCommandLine {
  command: string | undefined;
  globals: GlobalOptions;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parseArgsOptions(specs: Record<string, OptionSpec>): ParseArgsOptions {
  const options: NonNullable<ParseArgsOptions> = {};
  for (const [name, spec] of Object.entries(specs)) options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  return options;
}

/** The index of the command word: the first token that is neither an option nor a global option's value. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (token.startsWith('-')) {
      const name = token.replace(/^--?/, '');
      if (GLOBAL_OPTIONS[name]?.type === 'string') i++;
      continue;
    }
    return i;
  }
  return -1;
}

/**
 * `--retention-days -1`: a value that looks like an option is still the value of an option that
 * takes one when it is a negative number (parseArgs would call it ambiguous); it is passed as
 * `--retention-days=-1`, so the option's own check says what is wrong with it.
 */
function withNegativeValues(args: string[], specs: Record<string, OptionSpec>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    const next = args[i + 1];
    if (/^--[^=]+$/.test(token) && specs[token.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${token}=${next}`);
      i++;
    } else {
      joined.push(token);
    }
  }
  return joined;
}

/**
 * Splits `argv` (without `node tenantctl`) into the command, the global options and the
 * command's own options and positionals. Options may come before or after the command.
 * @throws UsageError for an unknown command or option, a missing value, or a wrong number of arguments.
 */
export function parseCommandLine(argv: string[], commands: Record<string, CommandSpec>): ParsedCommandLine {
  const index = commandIndex(argv);
  const command = index === -1 ? undefined : argv[index];
  const rest = index === -1 ? argv : [...argv.slice(0, index), ...argv.slice(index + 1)];
  const spec = command === undefined ? undefined : commands[command];
  if (command !== undefined && !spec) throw new UsageError(`Unknown command ${JSON.stringify(command)}`);

  const optionSpecs = { ...GLOBAL_OPTIONS, ...spec?.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: withNegativeValues(rest, optionSpecs), options: parseArgsOptions(optionSpecs), allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(parseArgsMessage(err, rest, optionSpecs), command);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const globals: GlobalOptions = {
    local: values.local === true,
    json: values.json === true,
    verbose: values.verbose === true,
    help: values.help === true,
    version: values.version === true,
    ...(typeof values.stage === 'string' ? { stage: values.stage } : {}),
  };
  if (spec && !globals.help) {
    const { min, max } = spec.positionals;
    if (parsed.positionals.length < min) throw new UsageError(`Missing argument: tenantctl ${spec.usage}`, command);
    if (parsed.positionals.length > max) throw new UsageError(`Unexpected argument ${JSON.stringify(parsed.positionals[max])}`, command);
  }
  return { command, globals, values, positionals: parsed.positionals };
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: a duration back from now (`30m`, `12h`, `7d`, `2w`) or an ISO 8601 date.
 * @throws UsageError for anything else.
 */
export function parseSince(text: string, now: Date): Date {
  const match = /^(\d{1,5})([mhdw])$/.exec(text.trim());
  if (match) return new Date(now.getTime() - Number(match[1]) * (UNITS[match[2] as string] as number));
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(`--since ${JSON.stringify(text)} is not a duration like 30m, 12h, 7d, 2w or an ISO date`);
}

/** A whole number option within [min, max]. */
export function parseWholeNumber(name: string, text: string, min: number, max: number): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} ${JSON.stringify(text)} must be a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

/** The help text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: tenantctl ${spec.usage}`, '', spec.description, ''];
  const optionLines = (specs: Record<string, OptionSpec>) =>
    Object.entries(specs).map(([name, option]) => {
      const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`;
      return `  ${flag.padEnd(28)} ${option.help}`;
    });
  if (Object.keys(spec.options).length > 0) lines.push('Options:', ...optionLines(spec.options), '');
  lines.push('Global options:', ...optionLines(GLOBAL_OPTIONS), '');
  lines.push(spec.examples.length > 1 ? 'Examples:' : 'Example:', ...spec.examples.map((example) => `  ${example}`));
  return lines.join('\n');
}
