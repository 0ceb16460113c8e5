import { InvalidEventError, InvalidOrgIdError } from '../functions/lib/errors';
import type { CommandSpec, GlobalOptions } from './args';
import type { Backend } from './backend';
import { UsageError } from './errors';
import type { CliIo, Output } from './output';

export interface CommandContext {
  io: CliIo;
  out: Output;
  globals: GlobalOptions;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The backend of `--local` or AWS, opened on first use. */
  backend(): Promise<Backend>;
}

export interface Command {
  spec: CommandSpec;
  run(context: CommandContext): Promise<number>;
}

export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(context: CommandContext, name: string): boolean {
  return context.values[name] === true;
}

/**
 * Runs an event schema check (functions/lib/events.ts) on what the operator typed: a
 * malformed orgId or field is bad usage (exit 2), in the schema's own words.
 */
export function checked<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidOrgIdError || err instanceof InvalidEventError) throw new UsageError(err.message, command);
    throw err;
  }
}
