import { MAX_GENERATIONS, type ExecutionPort, type ExecutionRecord, type Workflow } from '../../functions/lib/executions';
import { executionName } from '../../functions/lib/naming';

/** One life of a tenant: its provisioning (`org-<slug>`, `-g2`, …) and the teardown of the same name. */
export interface TenantGeneration {
  generation: number;
  name: string;
  provision?: ExecutionRecord;
  teardown?: ExecutionRecord;
}

export { isFailed, isRunning } from '../../functions/lib/executions';

/**
 * Every generation of a tenant, oldest first: describes `org-<slug>`, `org-<slug>-g2`, … in
 * both workflows until a generation has neither.
 */
export async function tenantGenerations(executions: ExecutionPort, slug: string): Promise<TenantGeneration[]> {
  const generations: TenantGeneration[] = [];
  for (let generation = 1; generation <= MAX_GENERATIONS; generation++) {
    const name = executionName(slug, generation);
    const [provision, teardown] = await Promise.all([executions.describe('provision', name), executions.describe('teardown', name)]);
    if (!provision && !teardown) break;
    generations.push({ generation, name, ...(provision ? { provision } : {}), ...(teardown ? { teardown } : {}) });
  }
  return generations;
}

export function latestOf(generations: TenantGeneration[], workflow?: Workflow): TenantGeneration | undefined {
  for (let i = generations.length - 1; i >= 0; i--) {
    const generation = generations[i] as TenantGeneration;
    if (!workflow || generation[workflow]) return generation;
  }
  return undefined;
}

/** The orgId an execution was started for (its input's `orgId`). */
export function orgIdOf(record: Pick<ExecutionRecord, 'input'> | undefined): string | undefined {
  const input = record?.input;
  const orgId = input !== null && typeof input === 'object' ? (input as { orgId?: unknown }).orgId : undefined;
  return typeof orgId === 'string' ? orgId : undefined;
}
