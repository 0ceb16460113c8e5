import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOWS } from '../../functions/lib/executions';
import { readEmulatorRecord, stopBackgroundEmulator } from '../../local/daemon';
import { LocalExecutionPort } from '../../local/executions';
import { LOCAL_REGION } from '../../local/stack';
import type { Command } from '../context';
import { EXIT_OK, UsageError } from '../errors';
import { executionsStore, localStateDir } from '../../local/paths';
import { shown } from '../local/backend';
import { runnerLogFile } from '../local/runner';

/** Stops every local execution still running (each in its background runner), through the store. */
async function stopRunningExecutions(stateDir: string, reason: string, warn: (text: string) => void): Promise<string[]> {
  // Stopped by name: the account in their ARNs does not matter here (the port's default fills it).
  const executions = new LocalExecutionPort({ store: executionsStore(stateDir), region: LOCAL_REGION });
  const stopped: string[] = [];
  for (const workflow of WORKFLOWS) {
    for await (const summary of executions.list(workflow, { status: 'RUNNING' })) {
      try {
        await executions.stop(workflow, summary.name, { error: 'LocalEmulatorStopped', cause: reason });
        stopped.push(`${workflow}/${summary.name}`);
      } catch (err) {
        warn(`tenantctl: warning: could not stop ${workflow} execution ${summary.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return stopped;
}

export const localCommand: Command = {
  spec: {
    name: 'local',
    summary: 'stop the background emulator (`local stop`), or stop it and clear the local executions (`local reset`)',
    usage: 'local stop | local reset',
    description: [
      'The first --local command starts the AWS emulator (moto) in the background and records its',
      'pid and port in .local/emulator.json (TENANTCTL_STATE_DIR overrides .local/); later commands',
      'reuse it, and the local executions are kept in .local/executions.',
      '`local stop` stops the local executions still running and ends the emulator (its contents —',
      'the tenant ledger and every resource — go with it). `local reset` does the same and also',
      'clears the local executions and logs.',
      'With AWS_ENDPOINT_URL set, that endpoint is not tenantctl\'s: it is never stopped.',
    ].join('\n'),
    options: {},
    positionals: { min: 1, max: 1 },
    examples: ['tenantctl local stop', 'tenantctl local reset'],
  },
  async run(context) {
    const action = context.positionals[0];
    if (action !== 'stop' && action !== 'reset') throw new UsageError(`Unknown local action ${JSON.stringify(action)}: use stop or reset`, 'local');
    const { out, io } = context;
    const stateDir = localStateDir(io.env);
    const external = io.env.AWS_ENDPOINT_URL?.trim();
    const record = readEmulatorRecord(stateDir);

    const executionsStopped = await stopRunningExecutions(stateDir, `tenantctl local ${action}`, (text) => out.warn(text));
    for (const name of executionsStopped) out.line(`stopped local execution ${name}`);

    let emulator: { stopped: boolean; pid?: number; endpoint?: string } = { stopped: false };
    if (external) {
      out.line(`AWS_ENDPOINT_URL is set (${external}): that emulator is not tenantctl's, so it keeps running`);
    } else {
      const result = await stopBackgroundEmulator(stateDir);
      emulator = { stopped: result.stopped, ...(result.record ? { pid: result.record.pid, endpoint: result.record.endpoint } : {}) };
      out.line(
        result.stopped
          ? `stopped the local AWS emulator (pid ${result.record?.pid}, ${result.record?.endpoint})`
          : `no local AWS emulator was running${record ? ` (pid ${record.pid} had already ended)` : ''}`,
      );
    }

    let cleared = false;
    if (action === 'reset') {
      rmSync(executionsStore(stateDir), { recursive: true, force: true });
      rmSync(runnerLogFile(stateDir), { force: true });
      rmSync(join(stateDir, 'emulator.log'), { force: true });
      cleared = true;
      out.line(`cleared the local executions (${shown(executionsStore(stateDir))})`);
    }
    out.result({ action, stateDir, emulator, executionsStopped, cleared });
    return EXIT_OK;
  },
};
