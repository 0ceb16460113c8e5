/**
 * `burstThrottled`: N distinct OrgCreated at once (default 1,000) with the fault layer on — AWS's
 * latencies, IAM's eventual consistency, and IAM writes throttled to a token bucket of R a second
 * (default 10) — every execution running at once, a consumer using each tenant's key as soon as
 * its OrgProvisioned arrives. Then: provisioned, duplicates, parked; the time to a usable tenant
 * (p50, p99); how many throttles were answered and whether retries absorbed them, and which error
 * names reached the ASL.
 */
import type { ExecutionRecord } from '../functions/lib/executions';
import type { LifecycleResult } from '../functions/lib/ledger/apply';
import { lifecycleExecutionName, tenantNames } from '../functions/lib/naming';
import { LOCAL_REGION } from '../local/stack';
import type { LocalPipeline } from '../local/pipeline';
import { tallyTenants, CONCURRENCY_NOTE } from './burst';
import type { BenchPipeline } from './lib/bench-pipeline';
import { TenantConsumer } from './lib/consumer';
import { isThrottleError } from './lib/critical-path';
import { round, rssSampler, say } from './lib/stats';

export interface BurstThrottledResult {
  orgs: number;
  provisioned: number;
  duplicates: number;
  /** Executions that failed at a Task whose retries ran out: they stay redrivable, nothing rolled back. */
  parked: number;
  /** Executions that caught a permanent error and rolled back (or never started). */
  failed: number;
  /** Time to a usable tenant, from the burst's start (every event sent at once). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Throttles the layer answered; absorbed = those that did not end an execution. */
  throttles: number;
  throttlesAbsorbed: number;
  /** Throttle errors that got past the SDK's own retries to a Task's failure (the ASL retried or parked them). */
  throttlesReachingAsl: number;
  /** Every error a Task failed with, by `State: Error`, and how many of them ended an execution. */
  errorsReachingAsl: Record<string, { failures: number; retried: number; ended: number }>;
  keyRefusals: number;
  principalRefusals: number;
  iamWritesPerSecond: number;
  propagationMs: number;
  /** The least time 2 IAM writes per org take at the throttle's rate. */
  floorSeconds: number;
  seconds: number;
  peakRssMb: number;
  emulatorPeakRssMb?: number;
  unusable: string[];
  failures: string[];
  concurrency: string;
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export async function benchBurstThrottled(bench: BenchPipeline, options: { orgs: number; runId: string }): Promise<BurstThrottledResult> {
  const { pipeline, faults, events } = bench;
  await bench.resetEmulator();
  await pipeline.events();
  const orgIds = Array.from({ length: options.orgs }, (_, i) => `bench-${options.runId}-t${String(i).padStart(4, '0')}`);
  const consumer = new TenantConsumer(pipeline as Pick<LocalPipeline, 'events'>, bench.consumerClients.secretsManager, pipeline.emulator.endpoint, faults);
  faults.reset();
  faults.enable();
  const rss = rssSampler(200, pipeline.emulator.pid);
  const start = Date.now();
  const progress = setInterval(() => {
    const usable = [...consumer.uses.values()].filter((u) => u.usableAt !== undefined).length;
    say(`burstThrottled: ${Math.round((Date.now() - start) / 1000)} s, ${usable}/${options.orgs} usable, ${faults.count('throttle')} throttles answered`);
  }, 30_000);
  consumer.start(orgIds);
  let records: (ExecutionRecord | undefined)[] = [];
  let routed: PromiseSettledResult<LifecycleResult>[] = [];
  try {
    routed = await Promise.allSettled(orgIds.map((orgId) => pipeline.send('OrgCreated', { orgId, orgName: `Throttled ${orgId}` })));
    records = await Promise.all(
      routed.map(async (outcome) => {
        if (outcome.status !== 'fulfilled' || outcome.value.action !== 'started' || !outcome.value.executionName) return undefined;
        return pipeline.executions.waitFor('provision', outcome.value.executionName);
      }),
    );
    const succeeded = orgIds.filter((_, i) => records[i]?.status === 'SUCCEEDED');
    await consumer.until(succeeded, 180_000);
  } finally {
    clearInterval(progress);
    await consumer.stop();
    faults.enable(false);
  }
  const seconds = (Date.now() - start) / 1000;
  const memory = rss.stop();
  await pipeline.executions.idle();

  const { provisioned, duplicates, failures } = await tallyTenants(bench, orgIds, routed, records);
  const parked = records.filter((r) => r?.status === 'FAILED' && r.failedStateType !== 'Fail').length;

  const errorsReachingAsl: BurstThrottledResult['errorsReachingAsl'] = {};
  let throttlesReachingAsl = 0;
  let throttleEndings = 0;
  for (const orgId of orgIds) {
    const slug = tenantNames(orgId, LOCAL_REGION, pipeline.config).slug;
    const history = events.get(`provision/${lifecycleExecutionName(slug, 1, 'provision')}`) ?? [];
    history.forEach((event, i) => {
      if (event.type !== 'StateFailed' || !event.state) return;
      const key = `${event.state}: ${event.error ?? '?'}`;
      const entry = (errorsReachingAsl[key] ??= { failures: 0, retried: 0, ended: 0 });
      entry.failures += 1;
      const after = history.slice(i + 1).find((e) => e.state === event.state && (e.type === 'StateRetried' || e.type === 'StateEntered' || e.type === 'StateCaught'));
      if (after?.type === 'StateRetried') entry.retried += 1;
      else entry.ended += 1;
      if (isThrottleError(event.error)) {
        throttlesReachingAsl += 1;
        if (after?.type !== 'StateRetried') throttleEndings += 1;
      }
    });
  }

  const usableMs: number[] = [];
  const unusable: string[] = [];
  for (const orgId of orgIds) {
    const use = consumer.uses.get(orgId);
    if (use?.usableAt !== undefined) usableMs.push(use.usableAt - start);
    else if (records[orgIds.indexOf(orgId)]?.status === 'SUCCEEDED') unusable.push(`${orgId}: ${use?.failure ?? 'no OrgProvisioned received'}`);
  }
  const throttles = faults.count('throttle');
  const result: BurstThrottledResult = {
    orgs: options.orgs,
    provisioned,
    duplicates,
    parked,
    failed: options.orgs - provisioned - parked,
    p50Ms: round(percentile(usableMs, 50), 0),
    p99Ms: round(percentile(usableMs, 99), 0),
    maxMs: round(percentile(usableMs, 100), 0),
    throttles,
    throttlesAbsorbed: throttles - throttleEndings,
    throttlesReachingAsl,
    errorsReachingAsl: Object.fromEntries(Object.entries(errorsReachingAsl).sort(([, a], [, b]) => b.failures - a.failures)),
    keyRefusals: faults.count('key'),
    principalRefusals: faults.count('principal'),
    iamWritesPerSecond: faults.iamWritesPerSecond,
    propagationMs: faults.propagationMs,
    floorSeconds: round((2 * options.orgs) / faults.iamWritesPerSecond, 0),
    seconds: round(seconds, 1),
    peakRssMb: memory.peakRssMb,
    ...(memory.otherPeakRssMb ? { emulatorPeakRssMb: memory.otherPeakRssMb } : {}),
    unusable: unusable.slice(0, 20),
    failures: failures.slice(0, 20),
    concurrency: CONCURRENCY_NOTE,
  };
  say(
    `burstThrottled: ${provisioned}/${options.orgs} provisioned, ${duplicates} duplicates, ${parked} parked, ${result.failed} failed in ${result.seconds} s; ` +
      `usable p50 ${(result.p50Ms / 1000).toFixed(1)} s, p99 ${(result.p99Ms / 1000).toFixed(1)} s; ${throttles} throttles (${result.throttlesAbsorbed} absorbed, ${throttlesReachingAsl} reached the ASL)`,
  );
  for (const failure of result.failures.slice(0, 5)) say(`  ${failure}`);
  return result;
}
