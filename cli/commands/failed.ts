import { parseSince } from '../args';
import { stringOption, type Command } from '../context';
import { EXIT_OK } from '../errors';
import { formatTime, readableCause, WORKFLOW_MACHINE } from '../output';
import { tenantFailures, type TenantFailure } from '../tenant/failures';
import { decisionContextOf, stateLabel } from '../tenant/ledger';
import { redriveAheadText } from '../tenant/redrive-assessment';
import type { Backend } from '../backend';
import { tenantctlFor } from '../invocation';

function failureDocument(failure: TenantFailure, backend: Backend) {
  const { item, run, record, assessment } = failure;
  const cause = readableCause(record?.cause ?? failure.cause);
  const error = record?.error ?? failure.error;
  return {
    orgId: item.orgId,
    slug: item.slug,
    state: item.state,
    ...(item.parked ? { parkedFrom: item.parked.from } : {}),
    generation: item.generation,
    region: item.region,
    failedAt: failure.failedAt,
    workflow: run.workflow,
    stateMachine: WORKFLOW_MACHINE[run.workflow],
    executionName: run.name,
    executionArn: run.arn,
    execution: record ? ('present' as const) : ('forgotten' as const),
    ...(record ? { status: record.status, startDate: record.startDate, redriveCount: record.redriveCount ?? 0 } : {}),
    ...(record?.stopDate ? { stopDate: record.stopDate } : {}),
    ...(record?.failedState === undefined ? {} : { failedState: record.failedState }),
    ...(record?.failedStateType === undefined ? {} : { failedStateType: record.failedStateType }),
    ...(error === undefined ? {} : { error }),
    ...(cause === undefined ? {} : { cause }),
    redrivable: assessment.redrivable,
    ...(assessment.redrivable ? { redriveFrom: backend.redriveFrom } : {}),
    ...(assessment.reason ? { reason: assessment.reason } : {}),
    ...(assessment.suggestion ? { suggestion: assessment.suggestion } : {}),
    ...(assessment.firstDo ? { firstDo: assessment.firstDo } : {}),
  };
}

export const failedCommand: Command = {
  spec: {
    name: 'failed',
    readOnly: true,
    summary: 'every tenant that needs an operator (parked or rolled back), newest first, and what to do',
    usage: 'failed [--since <when>]',
    description: [
      'Lists the tenants the ledger has as parked (a run gave up after its retries) or rolled back',
      '(a provisioning met a permanent error and removed what it had made), newest failure first:',
      'the run, the state it failed in, the error, and what to do — `tenantctl redrive` for a run',
      'that a redrive would finish, or the command that would help instead (after a rollback:',
      '`tenantctl provision <orgId> --new-generation`, once the cause is fixed). The ledger keeps',
      'these failures for as long as they last; Step Functions forgets an execution 90 days after',
      'it ended (then the run is shown as forgotten) and redrives only within 14 days.',
    ].join('\n'),
    options: { since: { type: 'string', value: '<when>', help: 'only failures since: 30m, 12h, 7d, 2w, or an ISO date (default: all)' } },
    positionals: { min: 0, max: 0 },
    examples: ['tenantctl failed', 'tenantctl failed --since 2d --json'],
  },
  async run(context) {
    const sinceText = stringOption(context, 'since');
    const now = context.io.now();
    const since = sinceText === undefined ? undefined : parseSince(sinceText, now);
    const backend = await context.backend();
    const failures = await tenantFailures(backend, decisionContextOf(backend, now), since);
    const { out } = context;

    const count = `${failures.length} ${failures.length === 1 ? 'tenant needs' : 'tenants need'} an operator`;
    out.line(`${count}${since ? ` (failed since ${formatTime(since)})` : ''} — ${backend.location}`);
    for (const failure of failures) {
      const { item, run, record, assessment } = failure;
      out.line();
      out.line(`${item.orgId}  ${out.style.state(item.state, stateLabel(item))}  generation ${item.generation}  ${item.region}  failed ${formatTime(failure.failedAt)}`);
      if (record) {
        out.line(`  run        ${WORKFLOW_MACHINE[run.workflow]} ${run.name}  ${out.style.state(record.status)} ${formatTime(record.stopDate)}`);
        out.line(`  failed at  ${record.failedState ? `${record.failedState}${record.failedStateType ? ` (${record.failedStateType})` : ''}` : '—'}`);
      } else {
        out.line(`  run        ${WORKFLOW_MACHINE[run.workflow]} ${run.name}  forgotten by Step Functions (90-day retention)`);
      }
      const cause = readableCause(record?.cause ?? failure.cause);
      const error = record?.error ?? failure.error;
      out.line(`  error      ${error ? `${error}${cause ? `: ${cause}` : ''}` : (cause ?? '—')}`);
      if (assessment.redrivable) {
        if (assessment.firstDo) out.line(`  first      ${assessment.firstDo}`);
        out.line(`  redrive    yes — \`${tenantctlFor(backend)} redrive ${item.orgId}\` ${redriveAheadText(backend.redriveFrom, record?.failedState)}`);
      } else {
        out.line(`  redrive    no — ${assessment.reason ?? ''}`);
        if (assessment.suggestion) out.line(`  instead    ${assessment.suggestion}`);
      }
    }

    out.result({ ...(since ? { since } : {}), mode: backend.mode, tenants: failures.map((failure) => failureDocument(failure, backend)) });
    return EXIT_OK;
  },
};
