import type { ExecutionRecord, Workflow } from '../../functions/lib/executions';
import type { TenantLedgerItem } from '../../functions/lib/ledger/model';
import type { Backend } from '../backend';
import { isTenant, type OperatorContext } from './ledger';
import { assessRedrive, newGenerationSuggestion, type RedriveAssessment } from './redrive-assessment';

/** A tenant that needs an operator: its run parked, or its provisioning rolled back. */
export interface TenantFailure {
  item: TenantLedgerItem;
  /** The run that failed: the ledger's parked run, or the provisioning that rolled back. */
  run: { workflow: Workflow; name: string; arn: string };
  /** When it failed (the ledger's record of it). */
  failedAt: Date;
  /** The error as the ledger recorded it (the execution's own is in `record`, while Step Functions has it). */
  error?: string;
  cause?: string;
  /** The execution; undefined when Step Functions has forgotten it (90 days after it ended). */
  record?: ExecutionRecord;
  assessment: RedriveAssessment;
}

/** The states that need an operator: these are the failures to act on, long after Step Functions forgets the run. */
export const FAILED_STATES = ['parked', 'rolled-back'] as const;

function failedRun(item: TenantLedgerItem): Omit<TenantFailure, 'item' | 'record' | 'assessment'> | undefined {
  if (item.state === 'parked' && item.parked) {
    const { parked } = item;
    return {
      run: { workflow: parked.workflow, name: parked.executionName, arn: parked.executionArn },
      failedAt: new Date(parked.at),
      ...(parked.error === undefined ? {} : { error: parked.error }),
      ...(parked.cause === undefined ? {} : { cause: parked.cause }),
    };
  }
  if (item.state === 'rolled-back' && item.provision) {
    const transition = item.history.findLast((entry) => entry.to === 'rolled-back');
    return {
      run: { workflow: 'provision', name: item.provision.name, arn: item.provision.arn },
      failedAt: new Date(item.stateSince),
      ...(transition ? { cause: transition.reason } : {}),
    };
  }
  return undefined;
}

/** What to do about a run Step Functions no longer has: it cannot be redriven. */
function forgottenAssessment(item: TenantLedgerItem, name: string, ctx: OperatorContext): RedriveAssessment {
  const suggestion = newGenerationSuggestion(item, item.orgId, ctx);
  return {
    redrivable: false,
    reason: `Step Functions no longer has ${name} (it forgets an execution 90 days after it ended), so it cannot be redriven`,
    ...(suggestion ? { suggestion: item.state === 'rolled-back' ? `fix the cause, then: ${suggestion}` : suggestion } : {}),
  };
}

/**
 * Every tenant of the ledger that is parked or rolled back (failed at or after `since`, when
 * given), newest failure first, each with its execution while Step Functions still has it and
 * whether a redrive would help (or what would instead).
 */
export async function tenantFailures(backend: Pick<Backend, 'ledger' | 'executions'>, ctx: OperatorContext, since?: Date): Promise<TenantFailure[]> {
  const failures: TenantFailure[] = [];
  for await (const item of backend.ledger.list({ states: FAILED_STATES })) {
    const failed = isTenant(item) ? failedRun(item) : undefined;
    if (!failed || (since && failed.failedAt.getTime() < since.getTime())) continue;
    const record = await backend.executions.describe(failed.run.workflow, failed.run.name);
    const assessment = record ? assessRedrive(record, item.orgId, item, ctx) : forgottenAssessment(item, failed.run.name, ctx);
    failures.push({ item, ...failed, ...(record ? { record } : {}), assessment });
  }
  return failures.sort((a, b) => b.failedAt.getTime() - a.failedAt.getTime() || a.item.slug.localeCompare(b.item.slug));
}
