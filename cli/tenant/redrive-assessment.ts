import { STOPPED_FOR_TEARDOWN_ERROR, type ExecutionRecord, type RedriveResult } from '../../functions/lib/executions';
import { isFailed, type TenantGeneration } from './generations';

/** Whether an execution can usefully be redriven now, and if not, why and what would help instead. */
export interface RedriveAssessment {
  redrivable: boolean;
  reason?: string;
  /** A command that would help instead. */
  suggestion?: string;
}

/**
 * Judges one execution of a tenant against Step Functions' rule (failed, timed out or aborted
 * within 14 days: `redriveStatus`) and the workflows' own design:
 * - an execution that ended in a `Fail` state chose to fail after compensating: a redrive
 *   re-enters that state and fails again — a new generation is what helps;
 * - only the tenant's latest generation may be redriven: an older teardown shares the names
 *   and OrgId of the newer tenant (it would delete it), an older provisioning was replaced;
 * - a provisioning whose tenant is being (or was) torn down, or that the router stopped
 *   because the org was deleted, must stay stopped.
 */
export function assessRedrive(record: ExecutionRecord, orgId: string, generations: TenantGeneration[]): RedriveAssessment {
  const newGeneration = `tenantctl provision ${orgId} --new-generation`;
  if (!isFailed(record.status)) return { redrivable: false, reason: `it is ${record.status}; only a failed, timed-out or aborted execution can be redriven` };

  const latest = generations[generations.length - 1];
  if (latest && latest.name !== record.name) {
    return {
      redrivable: false,
      reason: `it belongs to an older generation of the tenant; the latest is ${latest.name}${record.workflow === 'teardown' ? ', whose resources it would delete' : ''}`,
    };
  }

  if (record.failedStateType === 'Fail') {
    if (record.workflow === 'provision') {
      return {
        redrivable: false,
        reason: `it ended in its Fail state ${record.failedState ?? ''} after rolling back what it had created (${record.error ?? 'error'}): a redrive would re-enter that Fail state and fail again`,
        suggestion: `fix the cause, then: ${newGeneration}`,
      };
    }
    return {
      redrivable: false,
      reason: `it ended in its Fail state ${record.failedState ?? ''} (${record.error ?? 'error'}): its input was rejected and nothing was touched, so a redrive would fail the same way`,
    };
  }

  if (record.workflow === 'provision') {
    const teardown = generations.find((generation) => generation.name === record.name)?.teardown;
    if (teardown) {
      return {
        redrivable: false,
        reason: `the tenant's teardown ${teardown.name} (${teardown.status}) came after it: a redrive would provision what is being deleted`,
        suggestion: teardown.status === 'SUCCEEDED' ? `tenantctl provision ${orgId}` : `tenantctl redrive ${orgId}`,
      };
    }
    if (record.status === 'ABORTED' && record.error === STOPPED_FOR_TEARDOWN_ERROR) {
      return { redrivable: false, reason: 'the router stopped it because the organisation was deleted; its teardown follows' };
    }
  }

  if (record.redriveStatus === 'NOT_REDRIVABLE') {
    return {
      redrivable: false,
      reason: `Step Functions will not redrive it: ${record.redriveStatusReason ?? 'not redrivable'}`,
      ...(record.workflow === 'provision' ? { suggestion: newGeneration } : {}),
    };
  }
  return { redrivable: true };
}

/** What a redrive does, said before it runs. */
export function redriveAheadText(from: RedriveResult['redriveFrom'], failedState: string | undefined): string {
  return from === 'start' ? 're-runs from the start (local runner: every step is idempotent)' : `resumes at the failed state${failedState ? ` ${failedState}` : ''}`;
}

/** What a redrive did, said after it ran. */
export function redriveResultText(from: RedriveResult['redriveFrom'], failedState: string | undefined): string {
  return from === 'start' ? 're-ran from the start (local runner)' : `resumed at the failed state${failedState ? ` ${failedState}` : ''}`;
}
