import { currentExecution, recordedRuns, type LedgerExecution, type TenantLedgerItem } from '../../functions/lib/ledger/model';
import { decisionContext } from '../../functions/lib/ledger/apply';
import type { DecisionContext } from '../../functions/lib/ledger/lifecycle';
import { tenantSlug } from '../../functions/lib/naming';
import type { Backend } from '../backend';
import { CliError } from '../errors';
import { tenantctlFor } from '../invocation';

/** The lifecycle rules' context, and the command line hints should give (`npx tenantctl --local` …). */
export type OperatorContext = DecisionContext & { tenantctl: string };

/** The context the lifecycle rules decide in, as the stage's router would have it now. */

export function decisionContextOf(backend: Pick<Backend, 'config' | 'executions' | 'mode'>, now: Date): OperatorContext {
  return { ...decisionContext({ config: backend.config, executions: backend.executions, now: () => now }), tenantctl: tenantctlFor(backend) };
}

/**
 * Whether the item is a tenant: generation 0 is the tombstone of an OrgDeleted for an org that
 * never had one (kept so that a late OrgCreated is recognised), not a tenant.
 */
export function isTenant(item: TenantLedgerItem | undefined): item is TenantLedgerItem {
  return item !== undefined && item.generation > 0;
}

/** The tenant's ledger item; undefined when the ledger has none (or only a generation-0 tombstone). */
export async function tenantItem(backend: Pick<Backend, 'ledger'>, orgId: string): Promise<TenantLedgerItem | undefined> {
  const item = await backend.ledger.get(tenantSlug(orgId));
  return isTenant(item) ? item : undefined;
}

/** `no tenant <orgId>`, exit 1. */
export function noTenant(orgId: string): CliError {
  return new CliError(`no tenant ${orgId}`);
}

/** The tenant's state as an operator reads it: `parked (<state it parked in>)` for a parked one. */
export function stateLabel(item: Pick<TenantLedgerItem, 'state' | 'parked'>): string {
  return item.state === 'parked' && item.parked ? `parked (${item.parked.from})` : item.state;
}

/** A part of a teardown that continued as new (its bucket deletion came near Step Functions' history limit): `index` of `of` executions. */
export interface ExecutionPart {
  index: number;
  of: number;
  /** The executions before and after this one. */
  previous?: string;
  next?: string;
}

export type RecordedExecution = Pick<LedgerExecution, 'workflow' | 'name' | 'arn' | 'startedAt'> & { part?: ExecutionPart };

/** The executions the item records for the current generation, oldest first; a teardown that continued as new, each of its executions (one teardown). */
export function recordedExecutions(item: TenantLedgerItem): RecordedExecution[] {
  const runs: RecordedExecution[] = recordedRuns(item).filter((run) => run !== item.teardown || !item.teardown.part);
  const teardown = item.teardown;
  if (teardown?.part) {
    const chain = [...(teardown.earlierParts ?? []), teardown];
    chain.forEach((run, index) => {
      const part: ExecutionPart = { index: index + 1, of: chain.length, ...(index > 0 ? { previous: chain[index - 1]?.name } : {}), ...(index < chain.length - 1 ? { next: chain[index + 1]?.name } : {}) };
      runs.push({ workflow: 'teardown', name: run.name, arn: run.arn, startedAt: run.startedAt, part });
    });
  }
  return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The run an operator may redrive: the ledger's parked run, or the tenant's current execution. */
export function runToRedrive(item: TenantLedgerItem): { workflow: LedgerExecution['workflow']; name: string; arn: string } | undefined {
  if (item.parked) return { workflow: item.parked.workflow, name: item.parked.executionName, arn: item.parked.executionArn };
  // Else the run the state waits on, or the run that brought the tenant to where it is (it may
  // have failed after recording it, while publishing its event: the ledger's history says so).
  const run = currentExecution(item) ?? (item.state === 'deleted' ? item.teardown : item.state === 'active' ? (item.restore ?? item.provision) : undefined);
  return run ? { workflow: run.workflow, name: run.name, arn: run.arn } : undefined;
}
