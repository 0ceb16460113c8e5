import { openLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import type { CliIo } from '../output';
import { executionsStore, localStateDir } from '../../local/paths';
import { localStageOptions } from './backend';
import { decodeSpec, type RunnerReply, type RunnerSpec } from './runner';

function reply(message: RunnerReply): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, () => {
      if (process.connected) process.disconnect();
      resolve();
    });
  });
}

/**
 * The hidden `tenantctl __run <spec>`: does what the spec asks with the local pipeline (an
 * event through the router, an operator's lifecycle request, a redrive), replies to the command
 * that spawned it, and runs every execution it started to its end (keeping the ledger true as
 * the status tracker does on AWS).
 * Retry pauses can be shortened with TENANTCTL_LOCAL_RETRY_INTERVAL_MS (the ASL's own otherwise).
 */
export async function runBackgroundRunner(payload: string, io: CliIo): Promise<number> {
  const failure = (err: unknown): RunnerReply => ({
    ok: false,
    error: err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) },
  });
  let pipeline: LocalPipeline;
  let spec: RunnerSpec;
  try {
    spec = decodeSpec(payload);
    const endpoint = io.env.AWS_ENDPOINT_URL?.trim();
    if (!endpoint) throw new Error('The background runner needs AWS_ENDPOINT_URL');
    const retryInterval = io.env.TENANTCTL_LOCAL_RETRY_INTERVAL_MS?.trim();
    pipeline = await openLocalPipeline(
      { endpoint, owned: false, stop: async () => undefined },
      { store: executionsStore(localStateDir(io.env)), ...localStageOptions(io.env), ...(retryInterval && /^\d+$/.test(retryInterval) ? { retryIntervalMs: Number(retryInterval) } : {}) },
    );
  } catch (err) {
    await reply(failure(err));
    return 1;
  }
  const { executions } = pipeline;
  try {
    let result: unknown;
    if (spec.kind === 'event') result = await pipeline.send(spec.detailType, spec.detail);
    // The pipeline's lifecycle is applyLifecycle with the pipeline's deps: it decides a resume as it decides a restore.
    else if (spec.kind === 'lifecycle') result = await pipeline.lifecycle(spec.request as Parameters<LocalPipeline['lifecycle']>[0]);
    else result = await executions.redrive(spec.workflow, spec.name, { clientToken: spec.clientToken });
    await reply({ ok: true, result });
  } catch (err) {
    await reply(failure(err));
  }
  await executions.idle();
  return 0;
}
