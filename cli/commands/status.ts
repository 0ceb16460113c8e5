import { parseOrgCreatedDetail } from '../../functions/lib/events';
import type { ExecutionRecord, Workflow } from '../../functions/lib/executions';
import { tenantSlug } from '../../functions/lib/naming';
import type { Backend } from '../backend';
import { checked, type Command } from '../context';
import { EXIT_FAILED, EXIT_OK } from '../errors';
import { formatDuration, formatTime, readableCause, WORKFLOW_MACHINE, type Output } from '../output';
import { isFailed, isRunning, latestOf, orgIdOf, tenantGenerations, type TenantGeneration } from '../tenant/generations';
import { tenantFacts, tenantLocation } from '../tenant/names';
import { assessRedrive, redriveAheadText, type RedriveAssessment } from '../tenant/redrive-assessment';
import { inspectResources, type ResourceState, type TenantResources } from '../tenant/resources';
import { buildTimeline, type Redrive, type StateStep } from '../tenant/timeline';

export interface ExecutionReport {
  workflow: Workflow;
  stateMachine: string;
  name: string;
  generation: number;
  orgId?: string;
  status: ExecutionRecord['status'];
  startDate: Date;
  stopDate?: Date;
  durationMs?: number;
  redriveCount: number;
  error?: string;
  cause?: string;
  failedState?: string;
  failedStateType?: string;
  /** For a failed, timed-out or aborted execution: whether a redrive would help, and how it would run. */
  redrive?: RedriveAssessment & { from?: Backend['redriveFrom'] };
  states: StateStep[];
  redrives: Redrive[];
}

export interface StatusDocument {
  orgId: string;
  slug: string;
  mode: Backend['mode'];
  location: string;
  executions: ExecutionReport[];
  resources: TenantResources;
}

export function executionReport(record: ExecutionRecord, generation: number, orgId: string, generations: TenantGeneration[], backend: Backend, history: Parameters<typeof buildTimeline>[0] = []): ExecutionReport {
  const timeline = buildTimeline(history);
  const cause = readableCause(record.cause);
  const recordedOrgId = orgIdOf(record);
  const assessment = isFailed(record.status) ? assessRedrive(record, orgId, generations) : undefined;
  return {
    workflow: record.workflow,
    stateMachine: WORKFLOW_MACHINE[record.workflow],
    name: record.name,
    generation,
    ...(recordedOrgId ? { orgId: recordedOrgId } : {}),
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate ? { stopDate: record.stopDate, durationMs: record.stopDate.getTime() - record.startDate.getTime() } : {}),
    redriveCount: record.redriveCount ?? 0,
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(cause === undefined ? {} : { cause }),
    ...(record.failedState === undefined ? {} : { failedState: record.failedState }),
    ...(record.failedStateType === undefined ? {} : { failedStateType: record.failedStateType }),
    ...(assessment ? { redrive: { ...assessment, ...(assessment.redrivable ? { from: backend.redriveFrom } : {}) } } : {}),
    states: timeline.steps,
    redrives: timeline.redrives,
  };
}

const MARK: Record<StateStep['outcome'], string> = { succeeded: '✓', failed: '✗', caught: '↯', running: '…', aborted: '■' };

function printExecution(out: Output, report: ExecutionReport): void {
  const took = report.durationMs === undefined ? 'running' : `took ${formatDuration(report.durationMs)}`;
  out.line(`${report.stateMachine}  ${report.name}  ${report.status}  started ${formatTime(report.startDate)}, ${took}${report.redriveCount ? `, redriven ${report.redriveCount}×` : ''}`);
  let run = 0;
  for (const step of report.states) {
    if (step.run !== run) {
      run = step.run;
      const redrive = report.redrives.find((r) => r.count === run);
      out.line(`    ↺ redrive ${run} at ${formatTime(redrive?.at)}`);
    }
    const offset = `+${formatDuration(step.enteredAt.getTime() - report.startDate.getTime())}`;
    const retries = step.retries ? `${step.retries} ${step.retries === 1 ? 'retry' : 'retries'}` : '';
    const error = step.outcome === 'failed' || step.outcome === 'caught' ? `${step.error ?? ''}${step.outcome === 'caught' ? ` → ${step.next ?? ''}` : ''}${step.cause ? `: ${step.cause}` : ''}` : step.retries && step.error ? `(last: ${step.error})` : '';
    out.line(`    ${offset.padStart(10)}  ${MARK[step.outcome]} ${step.state.padEnd(30)} ${(step.outcome === 'running' ? 'running' : formatDuration(step.durationMs)).padStart(9)}  ${[retries, error].filter(Boolean).join('  ')}`.trimEnd());
  }
  if (report.status !== 'SUCCEEDED' && !isRunning(report.status)) {
    const at = report.failedState ? ` at ${report.failedState}${report.failedStateType ? ` (${report.failedStateType})` : ''}` : '';
    out.line(`  ${report.status}${at}: ${report.error ?? 'no error'}${report.cause ? ` — ${report.cause}` : ''}`);
    if (report.redrive) {
      out.line(
        report.redrive.redrivable
          ? `  redrivable: yes — \`tenantctl redrive ${report.orgId ?? ''}\` ${redriveAheadText(report.redrive.from ?? 'failed-state', report.failedState)}`
          : `  redrivable: no — ${report.redrive.reason ?? ''}${report.redrive.suggestion ? `; instead: ${report.redrive.suggestion}` : ''}`,
      );
    }
  }
  out.line();
}

function resourceLine(label: string, state: ResourceState): string {
  return `  ${label.padEnd(12)} ${state.name.padEnd(44)} ${state.status}${state.note ? ` (${state.note})` : ''}`;
}

export function printResources(out: Output, resources: TenantResources): void {
  out.line(`Resources now (${resources.region})`);
  out.line(resourceLine('bucket', resources.bucket));
  out.line(resourceLine('IAM user', resources.user));
  const keys = resources.accessKeys;
  const keyNames = [...keys.active.map((id) => `${id} (Active)`), ...keys.inactive.map((id) => `${id} (Inactive)`)].join(', ') || 'none';
  out.line(`  ${'access keys'.padEnd(12)} ${keyNames.padEnd(44)} ${keys.status === 'absent' && keys.inactive.length ? 'absent (none active)' : keys.status}${keys.note ? ` (${keys.note})` : ''}`);
  out.line(resourceLine('secret', resources.secret));
}

export const statusCommand: Command = {
  spec: {
    name: 'status',
    summary: "a tenant's executions (every generation) with their state timelines, and its resources now",
    usage: 'status <orgId>',
    description: [
      "Shows the tenant's provisioning and teardown executions, every generation, each with its",
      'status and a timeline of its states (start, duration, retries; for a failure the state, the',
      'error and its cause), whether a failed one can be redriven, then the bucket, IAM user, active',
      'access keys and secret as they exist now, each present or absent.',
      "Exit status: 0, or 1 when the tenant's latest execution failed, timed out or was aborted.",
    ].join('\n'),
    options: {},
    positionals: { min: 1, max: 1 },
    examples: ['tenantctl status Acme-Bistro-42', 'tenantctl --local status Acme-Bistro-42 --json'],
  },
  async run(context) {
    const orgId = context.positionals[0] as string;
    checked('status', () => parseOrgCreatedDetail({ orgId }));
    const backend = await context.backend();
    const slug = tenantSlug(orgId);
    const generations = await tenantGenerations(backend.executions, slug);

    const reports: ExecutionReport[] = [];
    const facts: ReturnType<typeof tenantFacts>[] = [];
    for (const generation of generations) {
      for (const workflow of ['provision', 'teardown'] as const) {
        const record = generation[workflow];
        if (!record) continue;
        const history = (await backend.executions.history(workflow, record.name)) ?? [];
        facts.push(tenantFacts(history));
        reports.push(executionReport(record, generation.generation, orgId, generations, backend, history));
      }
    }
    const latestInput = latestOf(generations, 'provision')?.provision?.input as { region?: string } | undefined;
    const location = tenantLocation(orgId, backend, facts, typeof latestInput?.region === 'string' ? latestInput.region : undefined);
    const resources = await inspectResources(location, backend);

    const { out } = context;
    out.line(`Tenant ${orgId} — ${backend.location}`);
    const others = [...new Set(reports.map((r) => r.orgId).filter((id) => id && id !== orgId))];
    if (others.length) out.line(`  note: these executions were started for orgId ${others.join(', ')} (the same tenant slug ${slug})`);
    out.line();
    if (reports.length === 0) out.line(`No provisioning or teardown execution for tenant ${slug}.\n`);
    for (const report of reports) printExecution(out, report);
    printResources(out, resources);

    const document: StatusDocument = { orgId, slug, mode: backend.mode, location: backend.location, executions: reports, resources };
    out.result(document);
    const latest = [...reports].sort((a, b) => b.startDate.getTime() - a.startDate.getTime())[0];
    return latest && isFailed(latest.status) ? EXIT_FAILED : EXIT_OK;
  },
};
