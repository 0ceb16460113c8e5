import type { GlobalOptions } from './args';
import type { Backend } from './backend';

/**
 * How a user runs tenantctl: the package's bin through npx, which works in a clone after
 * `npm ci` (a bare `tenantctl` is on PATH only when installed globally). Usage lines and
 * examples in help name the program `tenantctl`; hints the CLI prints are commands to copy.
 */
export const TENANTCTL = 'npx tenantctl';

/** The stage tenantctl uses on AWS unless told otherwise. */
export const DEFAULT_STAGE = 'dev';

/**
 * The command line a hint should give to act where this command acted: `npx tenantctl --local`
 * for the embedded default, `npx tenantctl --stage prod` for a stage other than the default.
 */
export function tenantctlFor(backend: Pick<Backend, 'mode' | 'config'>): string {
  if (backend.mode === 'local') return `${TENANTCTL} --local`;
  return backend.config.stage === DEFAULT_STAGE ? TENANTCTL : `${TENANTCTL} --stage ${backend.config.stage}`;
}

/** The same, from the command line's own global options (before or without a backend). */
export function tenantctlOf(globals: Pick<GlobalOptions, 'local' | 'stage'>): string {
  if (globals.local) return `${TENANTCTL} --local`;
  return globals.stage === undefined || globals.stage === DEFAULT_STAGE ? TENANTCTL : `${TENANTCTL} --stage ${globals.stage}`;
}

/**
 * A sentence of the lifecycle rules (functions/lib/ledger/lifecycle.ts), whose advice names the
 * product's commands as `(tenantctl redrive X)` or `: tenantctl redrive X`, with that advice given
 * as this mode runs it. Other mentions (`restored by tenantctl restore`) are left as they are.
 */
export function withInvocation(text: string, tenantctl: string): string {
  return text.replace(/(?<=\(|: )tenantctl (?=(?:provision|redrive|restore|status|teardown)\b)/g, `${tenantctl} `);
}
