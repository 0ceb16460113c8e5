import type { LedgerDeps } from '../functions/lib/ledger/apply';
import type { CliIo } from './output';

/**
 * The logger the lifecycle code gets when tenantctl applies an operator's request: its warnings
 * and errors (a quota reached, a name Step Functions already has) reach the operator on stderr,
 * its routine info does not.
 */
export function operatorLogger(io: Pick<CliIo, 'stderr'>): LedgerDeps['logger'] {
  const write = (level: string) => (message: unknown, ...details: unknown[]) => {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    const extra = details.filter((detail) => detail !== undefined).map((detail) => JSON.stringify(detail));
    io.stderr(`tenantctl: ${level}: ${text}${extra.length ? ` ${extra.join(' ')}` : ''}\n`);
  };
  return { info: () => undefined, warn: write('warning'), error: write('error') };
}
