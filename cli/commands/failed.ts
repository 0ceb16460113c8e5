import { parseSince } from '../args';
import { stringOption, type Command } from '../context';
import { EXIT_OK } from '../errors';
import { formatTime, readableCause, WORKFLOW_MACHINE } from '../output';
import { failedExecutions } from '../tenant/failures';
import { redriveAheadText } from '../tenant/redrive-assessment';

export const failedCommand: Command = {
  spec: {
    name: 'failed',
    summary: 'every failed execution of both workflows, newest first, and whether it can be redriven',
    usage: 'failed [--since 7d]',
    description: [
      'Lists every provisioning and teardown execution that failed, timed out or was aborted since',
      'the given time, newest first: the tenant, the workflow, the state it failed in, the error,',
      'and whether a redrive would help. Step Functions redrives Standard executions that ended',
      'within 14 days; an execution that ended in its Fail state (after rolling back) would only',
      'fail there again, so the command that would help instead is shown.',
      "Provisionings the router stopped because their org was deleted are not failures and are not listed.",
    ].join('\n'),
    options: { since: { type: 'string', value: '<when>', help: 'how far back: 30m, 12h, 7d (default), 2w, or an ISO date' } },
    positionals: { min: 0, max: 0 },
    examples: ['tenantctl failed --since 2d', 'tenantctl failed --json'],
  },
  async run(context) {
    const since = parseSince(stringOption(context, 'since') ?? '7d', context.io.now());
    const backend = await context.backend();
    const failures = await failedExecutions(backend, since);
    const { out } = context;

    out.line(`${failures.length} failed ${failures.length === 1 ? 'execution' : 'executions'} since ${formatTime(since)} — ${backend.location}`);
    for (const { orgId, record, assessment } of failures) {
      out.line();
      out.line(`${orgId}  ${WORKFLOW_MACHINE[record.workflow]}  ${record.name}  ${record.status} ${formatTime(record.stopDate)}`);
      out.line(`  failed at  ${record.failedState ? `${record.failedState}${record.failedStateType ? ` (${record.failedStateType})` : ''}` : '—'}`);
      const cause = readableCause(record.cause);
      out.line(`  error      ${record.error ?? '—'}${cause ? `: ${cause}` : ''}`);
      if (assessment.redrivable) {
        out.line(`  redrive    yes — \`tenantctl redrive ${orgId}\` ${redriveAheadText(backend.redriveFrom, record.failedState)}`);
      } else {
        out.line(`  redrive    no — ${assessment.reason ?? ''}`);
        if (assessment.suggestion) out.line(`  instead    ${assessment.suggestion}`);
      }
    }

    out.result({
      since,
      mode: backend.mode,
      executions: failures.map(({ orgId, record, assessment }) => {
        const cause = readableCause(record.cause);
        return {
          orgId,
          workflow: record.workflow,
          stateMachine: WORKFLOW_MACHINE[record.workflow],
          name: record.name,
          status: record.status,
          startDate: record.startDate,
          ...(record.stopDate ? { stopDate: record.stopDate } : {}),
          ...(record.failedState === undefined ? {} : { failedState: record.failedState }),
          ...(record.failedStateType === undefined ? {} : { failedStateType: record.failedStateType }),
          ...(record.error === undefined ? {} : { error: record.error }),
          ...(cause === undefined ? {} : { cause }),
          redriveCount: record.redriveCount ?? 0,
          redrivable: assessment.redrivable,
          ...(assessment.redrivable ? { redriveFrom: backend.redriveFrom } : {}),
          ...(assessment.reason ? { reason: assessment.reason } : {}),
          ...(assessment.suggestion ? { suggestion: assessment.suggestion } : {}),
        };
      }),
    });
    return EXIT_OK;
  },
};
