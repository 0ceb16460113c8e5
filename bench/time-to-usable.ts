/**
 * `timeToUsable`: one OrgCreated through the real router and workflow with the fault layer on
 * (AWS's latencies, IAM's eventual consistency), timed from the event sent to the moment a
 * consumer that received OrgProvisioned has read the secret and made a request with the key
 * that succeeded; and what the tenant waited for on the way (lib/critical-path.ts).
 */
import type { LocalPipeline } from '../local/pipeline';
import type { BenchPipeline } from './lib/bench-pipeline';
import { TenantConsumer, POLL_MS, RETRY_MS } from './lib/consumer';
import { criticalPathWaits, waitTotals, type CriticalWait, type WaitCause } from './lib/critical-path';
import { LATENCY_MS } from './lib/fault-layer';
import { median, round, say } from './lib/stats';

/** The target: once the key has propagated, the tenant is usable within this much (the proof's or the consumer's retry interval, and the calls after it). */
export const KEY_USED_WITHIN_MS = 1_000;

export interface TimeToUsableRun {
  orgId: string;
  executionName: string;
  /** OrgCreated sent → the consumer's first request with the key that succeeded. */
  ms: number;
  /** OrgCreated sent → each milestone. */
  milestonesMs: { userCreated?: number; keyCreated?: number; keyPropagated?: number; keyFirstAccepted?: number; executionSucceeded: number; eventReceived: number; secretRead?: number; usable: number };
  /** Each state's time on the path (entered → exited, retries included), in order. */
  statesMs: { state: string; ms: number }[];
  waits: CriticalWait[];
  waitMsByCause: Record<WaitCause, number>;
  /** Milliseconds from the key's propagation to its first accepted request (negative: never refused). */
  keyUsedAfterPropagationMs?: number;
}

export interface TimeToUsableResult {
  timeToUsableMs: number;
  runsMs: number[];
  propagationMs: number;
  latencyMs: Record<string, number>;
  /** The median run's waits, summed by cause. */
  waitMsByCause: Record<WaitCause, number>;
  keyUsedAfterPropagationMs?: number;
  /** The median run, described step by step. */
  criticalPath: string;
  method: string;
  runs: TimeToUsableRun[];
}

export const TIME_TO_USABLE_METHOD =
  `OrgCreated through the real router and provision-tenant workflow on the emulator, behind the fault layer (bench/lib/fault-layer.ts: each request waits its latency from the cited table; a new IAM user or key is unknown to S3 and STS for the propagation time). ` +
  `Timed from the event sent to a consumer's first successful request with the tenant's key: the consumer takes the emitted events every ${POLL_MS} ms, reads the secret (its own client, with latency) and lists the tenant's bucket, ` +
  `retrying a refused key every ${RETRY_MS} ms. Median of the runs; the ASL's retry intervals are its own (not shortened).`;

async function timeOnce(bench: BenchPipeline, orgId: string): Promise<TimeToUsableRun> {
  const { pipeline, faults, events } = bench;
  const consumer = new TenantConsumer(pipeline as Pick<LocalPipeline, 'events'>, bench.consumerClients.secretsManager, pipeline.emulator.endpoint, faults);
  consumer.start([orgId]);
  const start = Date.now();
  try {
    const routed = await pipeline.send('OrgCreated', { orgId, orgName: `Usable ${orgId}` });
    if (routed.action !== 'started' || !routed.executionName) throw new Error(`The router did not start ${orgId}: ${JSON.stringify(routed)}`);
    const record = await pipeline.executions.waitFor('provision', routed.executionName);
    if (record.status !== 'SUCCEEDED') throw new Error(`provision ${routed.executionName} ended ${record.status} at ${record.failedState ?? '?'}: ${record.error ?? ''} ${record.cause ?? ''}`);
    await consumer.until([orgId], 120_000);
    const use = consumer.uses.get(orgId);
    if (!use?.usableAt) throw new Error(`The consumer never used ${orgId}'s key: ${use?.failure ?? 'no OrgProvisioned received'}`);
    const history = events.get(`provision/${routed.executionName}`) ?? [];
    const subjects = [use.userArn, ...(use.accessKeyId ? [use.accessKeyId] : [])];
    const waits = criticalPathWaits({ history, refusals: faults.refusals, subjects, firstAcceptedAt: faults.firstAcceptedAt, consumer: use });
    const since = (at: number | undefined) => (at === undefined ? undefined : at - start);
    const keyCreated = use.accessKeyId ? faults.propagation.createdAtOf(use.accessKeyId) : undefined;
    const keyFirstAccepted = use.accessKeyId ? faults.firstAcceptedAt.get(use.accessKeyId) : undefined;
    const entered = new Map<string, number>();
    const statesMs: { state: string; ms: number }[] = [];
    for (const event of history) {
      if (!event.state) continue;
      if (event.type === 'StateEntered') entered.set(event.state, event.timestamp.getTime());
      if (event.type === 'StateExited') statesMs.push({ state: event.state, ms: event.timestamp.getTime() - (entered.get(event.state) ?? event.timestamp.getTime()) });
    }
    const milestones = {
      userCreated: since(faults.propagation.createdAtOf(use.userArn)),
      keyCreated: since(keyCreated),
      keyPropagated: since(keyCreated === undefined ? undefined : keyCreated + faults.propagationMs),
      keyFirstAccepted: since(keyFirstAccepted),
      executionSucceeded: (record.stopDate?.getTime() ?? start) - start,
      eventReceived: use.eventAt - start,
      secretRead: since(use.secretReadAt),
      usable: use.usableAt - start,
    };
    return {
      orgId,
      executionName: routed.executionName,
      ms: use.usableAt - start,
      milestonesMs: Object.fromEntries(Object.entries(milestones).filter(([, v]) => v !== undefined)) as TimeToUsableRun['milestonesMs'],
      statesMs,
      waits,
      waitMsByCause: waitTotals(waits),
      ...(keyCreated !== undefined && keyFirstAccepted !== undefined ? { keyUsedAfterPropagationMs: keyFirstAccepted - (keyCreated + faults.propagationMs) } : {}),
    };
  } finally {
    await consumer.stop();
  }
}

/** The median run as a line: milestones and the waits between them. */
export function describeCriticalPath(run: TimeToUsableRun): string {
  const s = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);
  const m = run.milestonesMs;
  const waits = run.waits.length === 0
    ? 'no waits'
    : run.waits
        .map((w) => `${w.where} ${w.how}${w.error ? ` (${w.error})` : ''}${w.refusals ? `, ${w.refusals} refused` : ''}: ${s(w.ms)} for the ${w.cause}`)
        .join('; ');
  return (
    `user created ${s(m.userCreated)}, key created ${s(m.keyCreated)}, key propagated ${s(m.keyPropagated)}, first request with the key accepted ${s(m.keyFirstAccepted)}, ` +
    `execution succeeded ${s(m.executionSucceeded)}, OrgProvisioned received ${s(m.eventReceived)}, secret read ${s(m.secretRead)}, usable ${s(m.usable)}. Waits: ${waits}`
  );
}

export async function benchTimeToUsable(bench: BenchPipeline, options: { runs: number; runId: string }): Promise<TimeToUsableResult> {
  const { pipeline, faults } = bench;
  await pipeline.executions.idle();
  await pipeline.events();
  faults.reset();
  faults.enable();
  const runs: TimeToUsableRun[] = [];
  try {
    for (let i = 1; i <= options.runs; i++) {
      const run = await timeOnce(bench, `bench-${options.runId}-u-${i}`);
      say(`timeToUsable ${i}/${options.runs}: ${(run.ms / 1000).toFixed(1)} s — ${describeCriticalPath(run)}`);
      runs.push(run);
    }
  } finally {
    faults.enable(false);
  }
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)] as TimeToUsableRun;
  return {
    timeToUsableMs: round(median(runs.map((r) => r.ms)), 0),
    runsMs: runs.map((r) => r.ms),
    propagationMs: faults.propagationMs,
    latencyMs: LATENCY_MS,
    waitMsByCause: middle.waitMsByCause,
    ...(middle.keyUsedAfterPropagationMs === undefined ? {} : { keyUsedAfterPropagationMs: middle.keyUsedAfterPropagationMs }),
    criticalPath: describeCriticalPath(middle),
    method: TIME_TO_USABLE_METHOD,
    runs,
  };
}
