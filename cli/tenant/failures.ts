import { FAILED_STATUSES, STOPPED_FOR_TEARDOWN_ERROR, type ExecutionRecord, type Workflow } from '../../functions/lib/executions';
import { tenantSlug } from '../../functions/lib/naming';
import type { Backend } from '../backend';
import { orgIdOf, tenantGenerations, type TenantGeneration } from './generations';
import { assessRedrive, type RedriveAssessment } from './redrive-assessment';

export interface FailedExecution {
  orgId: string;
  record: ExecutionRecord;
  generations: TenantGeneration[];
  assessment: RedriveAssessment;
}

/** The router stops a provisioning when its org is deleted: that is not a failure. */
const isStoppedForTeardown = (record: ExecutionRecord) => record.workflow === 'provision' && record.status === 'ABORTED' && record.error === STOPPED_FOR_TEARDOWN_ERROR;

/**
 * Every failed, timed-out or aborted execution of both workflows that ended at or after
 * `since`, newest first, each with its tenant and whether a redrive would help.
 */
export async function failedExecutions(backend: Backend, since: Date): Promise<FailedExecution[]> {
  const found: { workflow: Workflow; name: string }[] = [];
  for (const workflow of ['provision', 'teardown'] as const) {
    for (const status of FAILED_STATUSES) {
      for await (const summary of backend.executions.list(workflow, { status })) {
        if ((summary.stopDate ?? summary.startDate).getTime() >= since.getTime()) found.push({ workflow, name: summary.name });
      }
    }
  }
  const tenants = new Map<string, Promise<TenantGeneration[]>>();
  const failures: FailedExecution[] = [];
  for (const { workflow, name } of found) {
    const record = await backend.executions.describe(workflow, name);
    if (!record || isStoppedForTeardown(record)) continue;
    const orgId = orgIdOf(record) ?? name.replace(/^org-/, '');
    const slug = tenantSlug(orgId);
    let generations = tenants.get(slug);
    if (!generations) tenants.set(slug, (generations = tenantGenerations(backend.executions, slug)));
    const resolved = await generations;
    failures.push({ orgId, record, generations: resolved, assessment: assessRedrive(record, orgId, resolved) });
  }
  const endOf = (failure: FailedExecution) => (failure.record.stopDate ?? failure.record.startDate).getTime();
  return failures.sort((a, b) => endOf(b) - endOf(a));
}
