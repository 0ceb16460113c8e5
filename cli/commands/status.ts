import { parseOrgCreatedDetail } from '../../functions/lib/events';
import { isFailed, isRunning, type ExecutionRecord, type Workflow } from '../../functions/lib/executions';
import { decide } from '../../functions/lib/ledger/lifecycle';
import { currentExecution, effectiveState, type TenantLedgerItem } from '../../functions/lib/ledger/model';
import { tenantSlug } from '../../functions/lib/naming';
import type { Backend } from '../backend';
import { checked, type Command } from '../context';
import { EXIT_FAILED, EXIT_OK } from '../errors';
import { formatDuration, formatTime, oneLine, readableCause, WORKFLOW_MACHINE, type Output } from '../output';
import { table, type Cell } from '../table';
import { decisionContextOf, noTenant, recordedExecutions, stateLabel, tenantItem, type ExecutionPart, type OperatorContext, type RecordedExecution } from '../tenant/ledger';
import { tenantLocation } from '../tenant/names';
import { assessRedrive, redriveAheadText, settlingNote, type RedriveAssessment } from '../tenant/redrive-assessment';
import { keyReport, printKey, type KeyReport } from '../tenant/key-report';
import { inspectResources, type ResourceState, type TenantResources } from '../tenant/resources';
import { buildTimeline, type Redrive, type StateStep } from '../tenant/timeline';

export interface ExecutionReport {
  workflow: Workflow;
  stateMachine: string;
  name: string;
  generation: number;
  orgId: string;
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
  /** One of the executions of a teardown that continued as new. */
  part?: ExecutionPart;
}

/** An execution the ledger recorded that Step Functions no longer has (it forgets a closed one 90 days after it ended). */
export interface ForgottenExecution {
  workflow: Workflow;
  stateMachine: string;
  name: string;
  executionArn: string;
  /** When the ledger started it. */
  startedAt: string;
  forgotten: true;
  part?: ExecutionPart;
}

export interface StatusDocument {
  orgId: string;
  slug: string;
  mode: Backend['mode'];
  location: string;
  /** The tenant's ledger item: the record of its life. */
  ledger: TenantLedgerItem;
  /** The executions the ledger records for the current generation, oldest first. */
  executions: (ExecutionReport | ForgottenExecution)[];
  resources: TenantResources;
  /** The access key and its rotation (absent when the tenant has no credentials secret; `error` when it could not be read). */
  key?: KeyReport;
}

export function executionReport(
  record: ExecutionRecord,
  item: TenantLedgerItem,
  backend: Pick<Backend, 'redriveFrom'>,
  ctx: OperatorContext,
  history: Parameters<typeof buildTimeline>[0] = [],
  part?: ExecutionPart,
): ExecutionReport {
  const timeline = buildTimeline(history);
  const cause = readableCause(record.cause);
  const assessment = isFailed(record.status) ? assessRedrive(record, item.orgId, item, ctx) : undefined;
  return {
    workflow: record.workflow,
    stateMachine: WORKFLOW_MACHINE[record.workflow],
    name: record.name,
    generation: item.generation,
    orgId: item.orgId,
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
    ...(part ? { part } : {}),
  };
}

/** `  — part 2 of 3 of one teardown, continues … and continued in …`: how a teardown's executions link up. */
function partText(part: ExecutionPart | undefined): string {
  if (!part) return '';
  const links = [part.previous ? `continues ${part.previous}` : '', part.next ? `continued in ${part.next}` : ''].filter(Boolean).join(', ');
  return `  — part ${part.index} of ${part.of} of one teardown${links ? `: ${links}` : ''}`;
}

const MARK: Record<StateStep['outcome'], string> = { succeeded: '✓', failed: '✗', caught: '↯', running: '…', aborted: '■' };
const MARK_COLOUR: Record<StateStep['outcome'], Cell['colour']> = { succeeded: 'green', failed: 'red', caught: 'yellow', running: 'yellow', aborted: 'yellow' };

function printExecution(out: Output, report: ExecutionReport, tenantctl: string): void {
  const { style } = out;
  const took = report.durationMs === undefined ? 'running' : `took ${formatDuration(report.durationMs)}`;
  out.line(`${report.stateMachine}  ${report.name}  ${style.state(report.status)}  started ${formatTime(report.startDate)}, ${took}${report.redriveCount ? `, redriven ${report.redriveCount}×` : ''}${partText(report.part)}`);
  // The timeline's columns are as wide as their cells (every run's, so a redrive's rows line up with the first's).
  const rows: Cell[][] = report.states.map((step) => {
    const offset = `+${formatDuration(step.enteredAt.getTime() - report.startDate.getTime())}`;
    const retries = step.retries ? `${step.retries} ${step.retries === 1 ? 'retry' : 'retries'}` : '';
    const error = step.outcome === 'failed' || step.outcome === 'caught' ? `${step.error ?? ''}${step.outcome === 'caught' ? ` → ${step.next ?? ''}` : ''}${step.cause ? `: ${step.cause}` : ''}` : step.retries && step.error ? `(last: ${step.error})` : '';
    return [
      { text: offset.padStart(10) },
      { text: MARK[step.outcome], colour: MARK_COLOUR[step.outcome] },
      { text: step.state },
      { text: step.outcome === 'running' ? 'running' : formatDuration(step.durationMs) },
      { text: [retries, error].filter(Boolean).join('  ') },
    ];
  });
  const lines = table(rows, { indent: '    ', gap: ['  ', ' ', '  ', '  '], right: [0, 3], style });
  report.states.forEach((step, index) => {
    if (step.run !== (report.states[index - 1]?.run ?? 0)) out.line(`    ↺ redrive ${step.run} at ${formatTime(report.redrives.find((r) => r.count === step.run)?.at)}`);
    out.line(lines[index]);
    const settling = step.outcome === 'running' && step.retries ? settlingNote(step.error) : undefined;
    if (settling) out.line(`                ${settling}`);
  });
  if (report.status !== 'SUCCEEDED' && !isRunning(report.status)) {
    const at = report.failedState ? ` at ${report.failedState}${report.failedStateType ? ` (${report.failedStateType})` : ''}` : '';
    out.line(`  ${style.state(report.status)}${at}: ${report.error ?? 'no error'}${report.cause ? ` — ${report.cause}` : ''}`);
    if (report.redrive?.redrivable && report.redrive.firstDo) out.line(`  first: ${report.redrive.firstDo}`);
    if (report.redrive) {
      out.line(
        report.redrive.redrivable
          ? `  redrivable: yes — \`${tenantctl} redrive ${report.orgId ?? ''}\` ${redriveAheadText(report.redrive.from ?? 'failed-state', report.failedState)}`
          : `  redrivable: no — ${report.redrive.reason ?? ''}${report.redrive.suggestion ? `; instead: ${report.redrive.suggestion}` : ''}`,
      );
    }
  }
  out.line();
}

/** The resources as they are now: one row each, their names (made of the orgId, up to 40 characters) setting the column's width. */
export function printResources(out: Output, resources: TenantResources): void {
  const presence = (status: string): Cell => ({ text: status, colour: status === 'present' ? 'green' : status === 'unknown' ? 'yellow' : undefined });
  const row = (label: string, state: ResourceState): Cell[] => [{ text: label }, { text: state.name }, { ...presence(state.status), text: `${state.status}${state.note ? ` (${state.note})` : ''}` }];
  const keys = resources.accessKeys;
  const keyNames = [...keys.active.map((id) => `${id} (Active)`), ...keys.inactive.map((id) => `${id} (Inactive)`)].join(', ') || 'none';
  const keyStatus = keys.status === 'absent' && keys.inactive.length ? 'absent (none active)' : keys.status;
  out.line(`Resources now (${resources.region})`);
  const rows = [
    row(resources.bucket.name.startsWith('s3://') ? 'prefix' : 'bucket', resources.bucket),
    row('IAM user', resources.user),
    [{ text: 'access keys' }, { text: keyNames }, { ...presence(keys.status), text: `${keyStatus}${keys.note ? ` (${keys.note})` : ''}` }],
    row('secret', resources.secret),
  ];
  for (const line of table(rows, { indent: '  ', style: out.style })) out.line(line);
}

/** What the ledger says of the tenant: its state, names, retention or parked run, and its history. */
export function printLedger(out: Output, item: TenantLedgerItem, ctx: OperatorContext): void {
  const label = (text: string) => `  ${text.padEnd(12)} `;
  out.line(`${label('state')}${out.style.state(item.state, stateLabel(item))} since ${formatTime(new Date(item.stateSince))} (generation ${item.generation})`);
  out.line(`${label('region')}${item.region}`);
  if (item.tenancy === 'prefix') out.line(`${label('prefix')}s3://${item.resources.bucket ?? ''}/${item.resources.prefix ?? ''} (a prefix of the shared bucket)`);
  else out.line(`${label('bucket')}${item.resources.bucket ?? '— (not yet found by a provisioning)'}`);
  out.line(`${label('IAM user')}${item.resources.userName}`);
  out.line(`${label('secret')}${item.resources.secretName}`);
  const state = effectiveState(item);
  const retainedUntil = item.teardown?.retainedUntil;
  if ((state === 'retained' || state === 'revoking') && item.teardown) {
    // Whether a restore would start now is the lifecycle rules' answer (a generation never active cannot be restored).
    const restorable = decide(item, { kind: 'restore', orgId: item.orgId, by: 'tenantctl status' }, ctx).outcome === 'started' ? `; \`${ctx.tenantctl} restore ${item.orgId}\` gives its access back until then` : '';
    out.line(`${label('retained')}${retainedUntil ? `until ${formatTime(new Date(retainedUntil))}, then deleted` : `for ${item.teardown.retentionDays} d once access is revoked`}${restorable}`);
  }
  if (item.keptBucket) {
    const kept = item.keptBucket;
    const doing = kept.deletingSince ? `being deleted since ${formatTime(new Date(kept.deletingSince))}` : `kept empty and locked down until ${formatTime(new Date(kept.until))}, then deleted by ${item.teardown?.name ?? 'the teardown'}`;
    out.line(`${label('kept bucket')}${kept.name} ${doing}; an OrgCreated before then gets it back`);
  }
  if (item.state === 'parked' && item.parked) {
    const { parked } = item;
    const cause = readableCause(parked.cause);
    out.line(`${label('parked')}${WORKFLOW_MACHINE[parked.workflow]} ${parked.executionName} ${parked.status} at ${formatTime(new Date(parked.at))}${parked.error ? `: ${parked.error}` : ''}${cause ? ` — ${cause}` : ''}`);
  }
  out.line();
  out.line('History');
  for (const entry of item.history) {
    out.line(`  ${formatTime(new Date(entry.at))}  ${(entry.from ?? '—').padEnd(12)} → ${out.style.state(entry.to, entry.to.padEnd(12))}  ${oneLine(`${entry.by}: ${entry.reason}`, 160)}`);
  }
  out.line();
}

function printForgotten(out: Output, run: ForgottenExecution): void {
  out.line(`${run.stateMachine}  ${run.name}  forgotten by Step Functions (90-day retention); started ${formatTime(new Date(run.startedAt))}${partText(run.part)}`);
  out.line();
}

export const statusCommand: Command = {
  spec: {
    name: 'status',
    readOnly: true,
    summary: "a tenant as the ledger has it, the executions Step Functions still has, and its resources now",
    usage: 'status <orgId>',
    description: [
      "Starts from the tenant's ledger item: its state (and since when), generation, region and",
      'resource names, when a retained tenant will be deleted, the parked run and its error, and',
      'the history of its transitions. Then the executions the ledger records for the current',
      'generation (<slug>-g<N>-provision, -teardown, -restore) that Step Functions still has, each',
      'with its status and a timeline of its states (start, duration, retries; for a failure the',
      'state, the error and its cause) and whether a redrive would help. Step Functions forgets a',
      'closed execution 90 days after it ended: such a run is shown as forgotten, which is normal.',
      'Then the bucket, IAM user, access keys and secret as they exist now, each present or absent.',
      "Last, the tenant's access key: its id and age, the previous key still in its overlap, the",
      'rotation schedule (every N days, the next rotation) and the last rotation.',
      "Exit status: 0; 1 when the tenant is parked or rolled back (it needs an operator), or when",
      'the ledger has no such tenant.',
    ].join('\n'),
    options: {},
    positionals: { min: 1, max: 1 },
    examples: ['tenantctl status Acme-Bistro-42', 'tenantctl --local status Acme-Bistro-42 --json'],
  },
  async run(context) {
    const orgId = context.positionals[0] as string;
    checked('status', () => parseOrgCreatedDetail({ orgId }));
    const backend = await context.backend();
    const item = await tenantItem(backend, orgId);
    if (!item) throw noTenant(orgId);
    const ctx = decisionContextOf(backend, context.io.now());

    const executions: (ExecutionReport | ForgottenExecution)[] = [];
    for (const run of recordedExecutions(item)) {
      const record = await backend.executions.describe(run.workflow, run.name);
      if (!record) {
        executions.push(forgotten(run));
        continue;
      }
      const history = (await backend.executions.history(run.workflow, run.name)) ?? [];
      executions.push(executionReport(record, item, backend, ctx, history, run.part));
    }
    const location = tenantLocation(item, backend);
    const resources = await inspectResources(location, backend);
    const key = await keyReport(backend, resources, location.userName, context.io.now());

    const { out } = context;
    out.line(`Tenant ${item.orgId} — ${backend.location}`);
    printLedger(out, item, ctx);
    out.line(`Executions of generation ${item.generation}`);
    if (executions.length === 0) out.line('  none recorded\n');
    for (const report of executions) {
      if ('forgotten' in report) printForgotten(out, report);
      else printExecution(out, report, ctx.tenantctl);
    }
    printResources(out, resources);
    printKey(out, key, context.io.now(), ctx.tenantctl, item.orgId);

    const document: StatusDocument = { orgId: item.orgId, slug: tenantSlug(item.orgId), mode: backend.mode, location: backend.location, ledger: item, executions, resources, ...(key ? { key } : {}) };
    out.result(document);
    const current = currentExecution(item);
    const currentReport = executions.find((report): report is ExecutionReport => !('forgotten' in report) && report.name === current?.name);
    const needsOperator = item.state === 'parked' || item.state === 'rolled-back' || (currentReport !== undefined && isFailed(currentReport.status));
    return needsOperator ? EXIT_FAILED : EXIT_OK;
  },
};

function forgotten(run: RecordedExecution): ForgottenExecution {
  return { workflow: run.workflow, stateMachine: WORKFLOW_MACHINE[run.workflow], name: run.name, executionArn: run.arn, startedAt: run.startedAt, forgotten: true, ...(run.part ? { part: run.part } : {}) };
}
