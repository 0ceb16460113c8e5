import { createHash } from 'node:crypto';
import { parseOrgCreatedDetail } from '../../functions/lib/events';
import { isRunning, type ExecutionRecord } from '../../functions/lib/executions';
import { recordedRun, type TenantLedgerItem } from '../../functions/lib/ledger/model';
import type { Backend } from '../backend';
import { checked, flag, type Command, type CommandContext } from '../context';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../errors';
import { followExecution, outcomeLine } from '../follow';
import { whileWatching } from '../interrupt';
import { tenantctlFor } from '../invocation';
import { formatTime, WORKFLOW_MACHINE } from '../output';
import { tenantFailures } from '../tenant/failures';
import { decisionContextOf, noTenant, runToRedrive, stateLabel, tenantItem } from '../tenant/ledger';
import { assessRedrive, newGenerationSuggestion, redriveAheadText, redriveResultText, type RedriveAssessment } from '../tenant/redrive-assessment';

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
  workflow?: ExecutionRecord['workflow'];
  stateMachine?: string;
  name?: string;
  action: RedriveAction;
  /** At the failed state (Step Functions) or from the start (local runner). */
  from?: Backend['redriveFrom'];
  failedState?: string;
  reason?: string;
  suggestion?: string;
  redriveDate?: Date;
  /** The tenant's state in the ledger after the redrive was recorded there. */
  state?: TenantLedgerItem['state'];
  /** The redriven execution's status when the command stopped following it. */
  finalStatus?: ExecutionRecord['status'];
  error?: string;
}

const BY = 'tenantctl redrive';

/**
 * Tells the ledger the run was redriven (the parked tenant returns to the state it parked in).
 * Idempotent, and on AWS Step Functions' status event does the same: a failure here is a warning.
 */
async function recordResumed(context: CommandContext, backend: Backend, item: TenantLedgerItem, executionArn: string): Promise<TenantLedgerItem['state'] | undefined> {
  try {
    const result = await backend.lifecycle({ kind: 'resume', slug: item.slug, executionArn, by: BY });
    // The state it returned to: by the time this is recorded the run may have got on (say, to deleted), which follows.
    if (result.action === 'recorded') return item.parked?.from ?? result.state;
    // The redriven run may already have got on (its own ledger steps, or the status tracker, recorded it first).
    const after = result.item;
    const ownRun = after && recordedRun(after, executionArn) !== undefined;
    if (!ownRun || after?.state === 'parked') context.out.warning(`the ledger did not record the redrive: ${result.reason ?? result.action}`);
    return undefined;
  } catch (err) {
    context.out.warning(`the redrive went through, but recording it in the ledger failed (${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}); the status tracker records it when the run reports`);
    return undefined;
  }
}

/** Redrives one execution (or says it would, or why it will not), then records it in the ledger; never throws for a refusal. */
async function redriveOne(context: CommandContext, backend: Backend, item: TenantLedgerItem, record: ExecutionRecord, assessment: RedriveAssessment, dryRun: boolean): Promise<RedriveOutcome> {
  const base = {
    orgId: item.orgId,
    workflow: record.workflow,
    stateMachine: WORKFLOW_MACHINE[record.workflow],
    name: record.name,
    ...(record.failedState ? { failedState: record.failedState } : {}),
  };
  if (!assessment.redrivable) {
    return { ...base, action: 'refused', ...(assessment.reason ? { reason: assessment.reason } : {}), ...(assessment.suggestion ? { suggestion: assessment.suggestion } : {}) };
  }
  if (dryRun) return { ...base, action: 'would-redrive', from: backend.redriveFrom };
  let redriven: Awaited<ReturnType<Backend['redrive']>>;
  try {
    redriven = await backend.redrive(record.workflow, record.name, redriveClientToken(record));
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    if (name === 'ExecutionNotRedrivable') return { ...base, action: 'refused', reason: `Step Functions refused: ${message}` };
    return { ...base, action: 'error', error: `${name}: ${message}` };
  }
  const state = await recordResumed(context, backend, item, record.executionArn);
  return { ...base, action: 'redriven', from: redriven.redriveFrom, redriveDate: redriven.redriveDate, ...(state ? { state } : {}) };
}

async function waitUntilClosed(backend: Backend, context: CommandContext, outcome: RedriveOutcome): Promise<void> {
  if (!outcome.workflow || !outcome.name) return;
  for (;;) {
    const record = await backend.executions.describe(outcome.workflow, outcome.name);
    if (!record || !isRunning(record.status)) {
      if (record) outcome.finalStatus = record.status;
      return;
    }
    await context.io.sleep(backend.pollMs);
  }
}

/** A refusal: the reason (and what would help instead) on stderr, the document on stdout with --json; exit 1. */
function refuse(context: CommandContext, dryRun: boolean, outcome: RedriveOutcome, what: string): number {
  const { out } = context;
  out.error(`not redriving ${what}: ${outcome.reason ?? outcome.error ?? ''}`);
  if (outcome.suggestion) out.warn(`tenantctl: instead: ${outcome.suggestion}`);
  out.result({ dryRun, results: [outcome] });
  return EXIT_FAILED;
}

async function redriveTenant(context: CommandContext, orgId: string, dryRun: boolean, noWait: boolean): Promise<number> {
  checked('redrive', () => parseOrgCreatedDetail({ orgId }));
  const backend = await context.backend();
  const { out } = context;
  const item = await tenantItem(backend, orgId);
  if (!item) throw noTenant(orgId);
  const ctx = decisionContextOf(backend, context.io.now());
  // The ledger's parked run, or the run its state waits on; after a rollback, the provisioning that rolled back (to say why not).
  const target = runToRedrive(item) ?? (item.state === 'rolled-back' && item.provision ? { workflow: item.provision.workflow, name: item.provision.name, arn: item.provision.arn } : undefined);
  if (!target) {
    out.line(`tenant ${item.orgId} is ${stateLabel(item)}: no run to redrive`);
    out.result({ dryRun, results: [{ orgId: item.orgId, action: 'nothing-to-redrive', reason: `the tenant is ${stateLabel(item)}` }] });
    return EXIT_OK;
  }
  const base = { orgId: item.orgId, workflow: target.workflow, stateMachine: WORKFLOW_MACHINE[target.workflow], name: target.name };

  const record = await backend.executions.describe(target.workflow, target.name);
  if (!record) {
    const suggestion = newGenerationSuggestion(item, item.orgId, ctx);
    const outcome: RedriveOutcome = {
      ...base,
      action: 'refused',
      reason: `Step Functions no longer has it (it forgets an execution 90 days after it ended); it cannot be redriven`,
      ...(suggestion ? { suggestion } : {}),
    };
    return refuse(context, dryRun, outcome, `${base.stateMachine} ${target.name}`);
  }

  if (isRunning(record.status) || record.status === 'SUCCEEDED') {
    const already = (record.redriveCount ?? 0) > 0;
    out.line(
      already
        ? `${base.stateMachine} ${target.name} was already redriven (${record.redriveCount}×, last at ${formatTime(record.redriveDate)}) and is ${record.status}; nothing to redrive`
        : `${base.stateMachine} ${target.name} is ${record.status}; nothing to redrive`,
    );
    const outcome: RedriveOutcome = { ...base, action: already ? 'already-redriven' : 'nothing-to-redrive', finalStatus: record.status };
    // A redrive the ledger has not recorded yet (the command that redrove it stopped before): record it now.
    if (!dryRun && item.state === 'parked' && item.parked?.executionArn === record.executionArn && already) {
      const state = await recordResumed(context, backend, item, record.executionArn);
      if (state) outcome.state = state;
    }
    if (isRunning(record.status) && !noWait && !dryRun) {
      const followed = await followExecution(backend, context, { workflow: target.workflow, name: target.name, orgId: item.orgId }, { showFromRedrive: record.redriveCount ?? 0 });
      out.line(outcomeLine(followed.record, out.style));
      outcome.finalStatus = followed.record.status;
    }
    out.result({ dryRun, results: [outcome] });
    return outcome.finalStatus === 'SUCCEEDED' || isRunning(outcome.finalStatus as ExecutionRecord['status']) ? EXIT_OK : EXIT_FAILED;
  }

  const assessment = assessRedrive(record, item.orgId, item, ctx);
  const outcome = await redriveOne(context, backend, item, record, assessment, dryRun);
  if (outcome.action === 'refused' || outcome.action === 'error') {
    return refuse(context, dryRun, outcome, `${base.stateMachine} ${target.name} (${record.status}${record.failedState ? ` at ${record.failedState}` : ''})`);
  }
  if (outcome.action === 'would-redrive') {
    out.line(`Would redrive ${base.stateMachine} ${target.name} (${record.status} at ${record.failedState ?? '—'}): it ${redriveAheadText(backend.redriveFrom, record.failedState)}`);
    out.result({ dryRun, results: [outcome] });
    return EXIT_OK;
  }

  out.line(`Redriven ${base.stateMachine} ${target.name} (was ${record.status} at ${record.failedState ?? '—'}): ${redriveAheadText(backend.redriveFrom, record.failedState)}`);
  if (outcome.state) out.line(`  the ledger has tenant ${item.orgId} ${outcome.state} again`);
  if (noWait) {
    out.line(`Follow it with: tenantctl status ${item.orgId}`);
    outcome.finalStatus = 'RUNNING';
    out.result({ dryRun, results: [outcome] });
    return EXIT_OK;
  }
  const followed = await followExecution(backend, context, { workflow: target.workflow, name: target.name, orgId: item.orgId }, { showFromRedrive: (record.redriveCount ?? 0) + 1 });
  outcome.finalStatus = followed.record.status;
  out.line(`${outcomeLine(followed.record, out.style)} — ${redriveResultText(backend.redriveFrom, record.failedState)}`);
  out.result({ dryRun, results: [outcome] });
  return followed.record.status === 'SUCCEEDED' || followed.waiting ? EXIT_OK : EXIT_FAILED;
}

async function redriveAll(context: CommandContext, dryRun: boolean, noWait: boolean): Promise<number> {
  const backend = await context.backend();
  const { out, io } = context;
  const failures = await tenantFailures(backend, decisionContextOf(backend, io.now()));
  const outcomes: RedriveOutcome[] = [];
  for (const failure of failures) {
    if (!failure.record) {
      const { run } = failure;
      outcomes.push({
        orgId: failure.item.orgId,
        workflow: run.workflow,
        stateMachine: WORKFLOW_MACHINE[run.workflow],
        name: run.name,
        action: 'refused',
        ...(failure.assessment.reason ? { reason: failure.assessment.reason } : {}),
        ...(failure.assessment.suggestion ? { suggestion: failure.assessment.suggestion } : {}),
      });
      continue;
    }
    outcomes.push(await redriveOne(context, backend, failure.item, failure.record, failure.assessment, dryRun));
  }
  if (!dryRun && !noWait) {
    const redriven = outcomes.filter((outcome) => outcome.action === 'redriven');
    const hint = () => `stopped waiting; the ${redriven.length === 1 ? 'redriven run goes' : 'redriven runs go'} on — ${tenantctlFor(backend)} list`;
    await whileWatching(io, undefined, hint, async () => {
      for (const outcome of redriven) await waitUntilClosed(backend, context, outcome);
    });
  }

  if (outcomes.length === 0) out.line('No tenant is parked or rolled back; nothing to redrive');
  for (const outcome of outcomes) {
    const head = `${outcome.orgId}  ${outcome.stateMachine ?? ''}  ${outcome.name ?? ''}`;
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
    summary: "redrive a tenant's parked run, or every parked tenant's",
    usage: 'redrive <orgId> | --all-failed [--dry-run] [--no-wait]',
    description: [
      "Redrives the run the tenant ledger has parked (or the tenant's current execution when it",
      'failed) with RedriveExecution and a clientToken derived from the execution and its redrive',
      'count, so a repeated command (or two operators at once) redrives it once; records in the',
      'ledger that it runs again (the tenant returns to the state it parked in), then follows it',
      'until it ends. On AWS a redrive resumes at the failed state; locally it re-runs from the',
      'start (every step is idempotent), and says so.',
      'It refuses, on stderr with the reason and the command that would help instead: a run the',
      "ledger has moved past (redriving it could undo what came after), a provisioning that rolled",
      'back and ended in its Fail state (it would only fail there again: `provision --new-generation`',
      'is what helps), and a run Step Functions will not redrive (ended more than 14 days ago) or has',
      'forgotten (90 days).',
      'With --all-failed, every parked tenant is redriven and the others are listed as skipped (they',
      'do not make the exit status 1).',
      'Exit status: 0 when redriven and succeeded (or nothing needed redriving), 1 when refused or',
      'failed again, or when the ledger has no such tenant.',
    ].join('\n'),
    options: {
      'all-failed': { type: 'boolean', help: 'redrive the parked run of every tenant that has one' },
      'dry-run': { type: 'boolean', help: 'say what would be redriven, and what refused, without redriving' },
      'no-wait': { type: 'boolean', help: 'return once redriven, without following the execution' },
    },
    positionals: { min: 0, max: 1 },
    examples: ['tenantctl redrive Acme-Bistro-42   # e.g. acme-bistro-42-g1-teardown, parked', 'tenantctl redrive --all-failed --dry-run'],
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
