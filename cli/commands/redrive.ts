import { createHash } from 'node:crypto';
import { parseOrgCreatedDetail } from '../../functions/lib/events';
import { REDRIVE_WINDOW_MS, type ExecutionRecord } from '../../functions/lib/executions';
import { tenantSlug } from '../../functions/lib/naming';
import type { Backend } from '../backend';
import { checked, flag, type Command, type CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK, UsageError } from '../errors';
import { followExecution, outcomeLine } from '../follow';
import { formatTime, WORKFLOW_MACHINE } from '../output';
import { failedExecutions } from '../tenant/failures';
import { isRunning, latestOf, tenantGenerations } from '../tenant/generations';
import { assessRedrive, redriveAheadText, redriveResultText, type RedriveAssessment } from '../tenant/redrive-assessment';

/**
 * The clientToken of the next redrive of an execution: the same for every command that
 * redrives it from the same failure (its ARN and the redrive count it will have), so two
 * operators, or one repeating the command, redrive it once.
 */
export function redriveClientToken(record: Pick<ExecutionRecord, 'executionArn' | 'redriveCount'>): string {
  const next = (record.redriveCount ?? 0) + 1;
  return `tenantctl-${createHash('sha256').update(`${record.executionArn}#${next}`).digest('hex').slice(0, 48)}`;
}

export type RedriveAction = 'redriven' | 'would-redrive' | 'refused' | 'already-redriven' | 'nothing-to-redrive' | 'error';

export interface RedriveOutcome {
  orgId: string;
  workflow: ExecutionRecord['workflow'];
  stateMachine: string;
  name: string;
  action: RedriveAction;
  /** At the failed state (Step Functions) or from the start (local runner). */
  from?: Backend['redriveFrom'];
  failedState?: string;
  reason?: string;
  suggestion?: string;
  redriveDate?: Date;
  /** The redriven execution's status when the command stopped following it. */
  finalStatus?: ExecutionRecord['status'];
  error?: string;
}

/** Redrives one execution (or says it would, or why it will not); never throws for a refusal. */
async function redriveOne(backend: Backend, record: ExecutionRecord, orgId: string, assessment: RedriveAssessment, dryRun: boolean): Promise<RedriveOutcome> {
  const base = {
    orgId,
    workflow: record.workflow,
    stateMachine: WORKFLOW_MACHINE[record.workflow],
    name: record.name,
    ...(record.failedState ? { failedState: record.failedState } : {}),
  };
  if (!assessment.redrivable) {
    return { ...base, action: 'refused', ...(assessment.reason ? { reason: assessment.reason } : {}), ...(assessment.suggestion ? { suggestion: assessment.suggestion } : {}) };
  }
  if (dryRun) return { ...base, action: 'would-redrive', from: backend.redriveFrom };
  try {
    const result = await backend.redrive(record.workflow, record.name, redriveClientToken(record));
    return { ...base, action: 'redriven', from: result.redriveFrom, redriveDate: result.redriveDate };
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    if (name === 'ExecutionNotRedrivable') return { ...base, action: 'refused', reason: `Step Functions refused: ${message}` };
    return { ...base, action: 'error', error: `${name}: ${message}` };
  }
}

async function waitUntilClosed(backend: Backend, context: CommandContext, outcome: RedriveOutcome): Promise<void> {
  for (;;) {
    const record = await backend.executions.describe(outcome.workflow, outcome.name);
    if (!record || !isRunning(record.status)) {
      if (record) outcome.finalStatus = record.status;
      return;
    }
    await context.io.sleep(backend.pollMs);
  }
}

async function redriveTenant(context: CommandContext, orgId: string, dryRun: boolean, noWait: boolean): Promise<number> {
  checked('redrive', () => parseOrgCreatedDetail({ orgId }));
  const backend = await context.backend();
  const { out } = context;
  const generations = await tenantGenerations(backend.executions, tenantSlug(orgId));
  const latest = latestOf(generations);
  const target = latest?.teardown ?? latest?.provision;
  if (!target) throw new CliError(`Tenant ${orgId} has no provisioning or teardown execution to redrive`);
  const base = { orgId, workflow: target.workflow, stateMachine: WORKFLOW_MACHINE[target.workflow], name: target.name };

  if (isRunning(target.status) || target.status === 'SUCCEEDED') {
    const already = (target.redriveCount ?? 0) > 0;
    out.line(
      already
        ? `${base.stateMachine} ${target.name} was already redriven (${target.redriveCount}×, last at ${formatTime(target.redriveDate)}) and is ${target.status}; nothing to redrive`
        : `${base.stateMachine} ${target.name} is ${target.status}; nothing to redrive`,
    );
    const outcome: RedriveOutcome = { ...base, action: already ? 'already-redriven' : 'nothing-to-redrive', finalStatus: target.status };
    if (isRunning(target.status) && !noWait && !dryRun) {
      const followed = await followExecution(backend, out, context.io.sleep, target.workflow, target.name, { showFromRedrive: target.redriveCount ?? 0 });
      out.line(outcomeLine(followed.record));
      outcome.finalStatus = followed.record.status;
    }
    out.result({ dryRun, results: [outcome] });
    return outcome.finalStatus === 'SUCCEEDED' || isRunning(outcome.finalStatus as ExecutionRecord['status']) ? EXIT_OK : EXIT_FAILED;
  }

  const assessment = assessRedrive(target, orgId, generations);
  const outcome = await redriveOne(backend, target, orgId, assessment, dryRun);
  if (outcome.action === 'refused' || outcome.action === 'error') {
    out.line(`Not redriving ${base.stateMachine} ${target.name} (${target.status}${target.failedState ? ` at ${target.failedState}` : ''}): ${outcome.reason ?? outcome.error ?? ''}`);
    if (outcome.suggestion) out.line(`Instead: ${outcome.suggestion}`);
    out.result({ dryRun, results: [outcome] });
    if (outcome.action === 'refused' && out.json) {
      out.warn(`tenantctl: ${target.name} cannot usefully be redriven: ${outcome.reason ?? ''}${outcome.suggestion ? `; instead: ${outcome.suggestion}` : ''}`);
    }
    return EXIT_FAILED;
  }
  if (outcome.action === 'would-redrive') {
    out.line(`Would redrive ${base.stateMachine} ${target.name} (${target.status} at ${target.failedState ?? '—'}): it ${redriveAheadText(backend.redriveFrom, target.failedState)}`);
    out.result({ dryRun, results: [outcome] });
    return EXIT_OK;
  }

  out.line(`Redriven ${base.stateMachine} ${target.name} (was ${target.status} at ${target.failedState ?? '—'}): ${redriveAheadText(backend.redriveFrom, target.failedState)}`);
  if (noWait) {
    out.line(`Follow it with: tenantctl status ${orgId}`);
    outcome.finalStatus = 'RUNNING';
    out.result({ dryRun, results: [outcome] });
    return EXIT_OK;
  }
  const followed = await followExecution(backend, out, context.io.sleep, target.workflow, target.name, { showFromRedrive: (target.redriveCount ?? 0) + 1 });
  outcome.finalStatus = followed.record.status;
  out.line(`${outcomeLine(followed.record)} — ${redriveResultText(backend.redriveFrom, target.failedState)}`);
  out.result({ dryRun, results: [outcome] });
  return followed.record.status === 'SUCCEEDED' || followed.waiting ? EXIT_OK : EXIT_FAILED;
}

async function redriveAll(context: CommandContext, dryRun: boolean, noWait: boolean): Promise<number> {
  const backend = await context.backend();
  const { out, io } = context;
  const failures = await failedExecutions(backend, new Date(io.now().getTime() - REDRIVE_WINDOW_MS));
  const outcomes: RedriveOutcome[] = [];
  for (const failure of failures) outcomes.push(await redriveOne(backend, failure.record, failure.orgId, failure.assessment, dryRun));
  if (!dryRun && !noWait) for (const outcome of outcomes) if (outcome.action === 'redriven') await waitUntilClosed(backend, context, outcome);

  if (outcomes.length === 0) out.line('No failed execution within the 14-day redrive window; nothing to redrive');
  for (const outcome of outcomes) {
    const head = `${outcome.orgId}  ${outcome.stateMachine}  ${outcome.name}`;
    if (outcome.action === 'redriven') {
      const result = outcome.finalStatus ? `${outcome.finalStatus}: ` : '';
      out.line(`${head}  redriven → ${result}${redriveResultText(outcome.from ?? backend.redriveFrom, outcome.failedState)}`);
    } else if (outcome.action === 'would-redrive') {
      out.line(`${head}  would redrive (${backend.redriveFrom === 'start' ? 'from the start, local runner' : `at ${outcome.failedState ?? 'the failed state'}`})`);
    } else if (outcome.action === 'refused') {
      out.line(`${head}  skipped — ${outcome.reason ?? ''}${outcome.suggestion ? `; instead: ${outcome.suggestion}` : ''}`);
    } else {
      out.line(`${head}  error — ${outcome.error ?? ''}`);
    }
  }
  out.result({ dryRun, results: outcomes });
  const failed = outcomes.some((o) => o.action === 'error' || (o.action === 'redriven' && o.finalStatus !== undefined && o.finalStatus !== 'SUCCEEDED'));
  return failed ? EXIT_FAILED : EXIT_OK;
}

export const redriveCommand: Command = {
  spec: {
    name: 'redrive',
    summary: "redrive a tenant's failed execution, or every redrivable one",
    usage: 'redrive <orgId> | --all-failed [--dry-run] [--no-wait]',
    description: [
      "Redrives the tenant's latest failed execution (its teardown if it has one, else its",
      'provisioning) with RedriveExecution and a clientToken derived from the execution and its',
      'redrive count, so a repeated command (or two operators at once) redrives it once; then',
      'follows it until it ends. On AWS a redrive resumes at the failed state; locally it re-runs',
      'from the start (every step is idempotent), and says so.',
      'It refuses, with the reason and the command that would help instead, an execution that',
      'ended in its Fail state after rolling back (it would only fail there again), one of an',
      'older generation, and one Step Functions will not redrive (ended more than 14 days ago).',
      'With --all-failed, every failed execution of the last 14 days is redriven and the refused',
      'ones are listed as skipped (they do not make the exit status 1).',
      'Exit status: 0 when redriven and succeeded (or nothing needed redriving), 1 when refused or failed again.',
    ].join('\n'),
    options: {
      'all-failed': { type: 'boolean', help: 'redrive every redrivable failed execution of the last 14 days' },
      'dry-run': { type: 'boolean', help: 'say what would be redriven, and what refused, without redriving' },
      'no-wait': { type: 'boolean', help: 'return once redriven, without following the execution' },
    },
    positionals: { min: 0, max: 1 },
    examples: ['tenantctl redrive Acme-Bistro-42', 'tenantctl redrive --all-failed --dry-run'],
  },
  async run(context) {
    const all = flag(context, 'all-failed');
    const orgId = context.positionals[0];
    if (all && orgId) throw new UsageError('Give either an orgId or --all-failed, not both', 'redrive');
    if (!all && !orgId) throw new UsageError('Missing argument: tenantctl redrive <orgId> | --all-failed', 'redrive');
    const dryRun = flag(context, 'dry-run');
    const noWait = flag(context, 'no-wait');
    return orgId ? redriveTenant(context, orgId, dryRun, noWait) : redriveAll(context, dryRun, noWait);
  },
};
