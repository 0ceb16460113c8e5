/**
 * `burst`: N distinct OrgCreated events sent at once through the real router, every
 * execution they start running at once (the stack sets no reserved concurrency, so Lambda
 * would run them all in parallel), then every tenant checked in the emulator: exactly one
 * bucket, user, access key and secret each.
 */
import type { ExecutionRecord } from '../functions/lib/executions';
import type { LifecycleResult as RouteResult } from '../functions/lib/ledger/apply';
import { lifecycleExecutionName, tenantNames } from '../functions/lib/naming';
import { LOCAL_REGION, scanResidue } from '../local/stack';
import { total } from './lib/api-counter';
import type { BenchPipeline } from './lib/bench-pipeline';
import { median, now, round, rssSampler, say } from './lib/stats';

export interface BurstRun {
  provisioned: number;
  duplicates: number;
  failed: number;
  seconds: number;
  orgsPerSecond: number;
  peakRssMb: number;
  emulatorPeakRssMb?: number;
  apiCalls: number;
  retries: number;
  failures: string[];
}

export interface BurstResult {
  orgs: number;
  provisioned: number;
  duplicates: number;
  failed: number;
  orgsPerSecond: number;
  peakRssMb: number;
  emulatorPeakRssMb?: number;
  concurrency: string;
  runs: BurstRun[];
}

export const CONCURRENCY_NOTE =
  'All events are routed at once and every execution they start runs at once: serverless.yml reserves no concurrency for any function, so on AWS ' +
  'the router and each step would run in as many parallel Lambda environments as events (up to the account\'s unreserved concurrency, 1,000 by default). ' +
  'Locally they all share one Node process, the functions\' SDK clients and one emulator, which serves one request at a time.';

/** What the emulator holds for each org of a burst: provisioned (one bucket, user, key, secret, execution each), duplicates, and why the rest failed. */
export async function tallyTenants(
  bench: BenchPipeline,
  orgIds: string[],
  routed: PromiseSettledResult<RouteResult>[],
  records: (ExecutionRecord | undefined)[],
): Promise<{ provisioned: number; duplicates: number; retries: number; failures: string[] }> {
  const { pipeline, events } = bench;
  const residue = await scanResidue(pipeline.clients);
  const failures: string[] = [];
  let provisioned = 0;
  let duplicates = 0;
  let retries = 0;
  orgIds.forEach((orgId, i) => {
    const names = tenantNames(orgId, LOCAL_REGION, pipeline.config);
    const buckets = residue.buckets.filter((b) => names.bucketCandidates.includes(b)).length;
    const users = residue.users.filter((u) => u === names.userName).length;
    const keys = residue.accessKeys.filter((k) => k.startsWith(`${names.userName}:`)).length;
    const secrets = residue.secrets.filter((s) => s === names.secretName).length;
    const executions = [...events.keys()].filter((key) => key.startsWith(`provision/${names.slug}-g`)).length;
    duplicates += Math.max(0, buckets - 1) + Math.max(0, users - 1) + Math.max(0, keys - 1) + Math.max(0, secrets - 1) + Math.max(0, executions - 1);
    retries += (events.get(`provision/${lifecycleExecutionName(names.slug, 1, 'provision')}`) ?? []).filter((e) => e.type === 'StateRetried').length;

    const outcome = routed[i] as PromiseSettledResult<RouteResult>;
    const record = records[i];
    if (outcome.status === 'rejected') {
      failures.push(`${orgId}: the router threw ${String((outcome.reason as Error)?.message ?? outcome.reason)}`);
    } else if (outcome.value.action !== 'started') {
      failures.push(`${orgId}: the router answered ${outcome.value.action}${outcome.value.reason ? ` (${outcome.value.reason})` : ''}`);
      if (outcome.value.action === 'duplicate') duplicates += 1;
    } else if (record?.status !== 'SUCCEEDED') {
      failures.push(`${orgId}: ${record?.status ?? 'no execution'} at ${record?.failedState ?? '?'}: ${record?.error ?? ''} ${record?.cause ?? ''}`.trim());
    } else if (buckets !== 1 || users !== 1 || keys !== 1 || secrets !== 1) {
      failures.push(`${orgId}: succeeded with ${buckets} buckets, ${users} users, ${keys} keys, ${secrets} secrets`);
    } else {
      provisioned += 1;
    }
  });
  return { provisioned, duplicates, retries, failures };
}

async function burstOnce(bench: BenchPipeline, orgs: number, runId: string): Promise<BurstRun> {
  const { pipeline, counter } = bench;
  const orgIds = Array.from({ length: orgs }, (_, i) => `bench-${runId}-${String(i).padStart(3, '0')}`);

  counter.reset();
  const rss = rssSampler(50, pipeline.emulator.pid);
  const start = now();
  const routed = await Promise.allSettled(orgIds.map((orgId) => pipeline.send('OrgCreated', { orgId, orgName: `Burst ${orgId}` })));
  const records = await Promise.all(
    routed.map(async (outcome) => {
      if (outcome.status !== 'fulfilled' || outcome.value.action !== 'started' || !outcome.value.executionName) return undefined;
      return pipeline.executions.waitFor('provision', outcome.value.executionName);
    }),
  );
  const ms = now() - start;
  const memory = rss.stop();
  await pipeline.executions.idle();
  const calls = counter.snapshot().calls;

  const { provisioned, duplicates, retries, failures } = await tallyTenants(bench, orgIds, routed, records);
  const seconds = ms / 1000;
  return {
    provisioned,
    duplicates,
    failed: orgs - provisioned,
    seconds: round(seconds, 1),
    orgsPerSecond: round(orgs / seconds, 1),
    peakRssMb: memory.peakRssMb,
    ...(memory.otherPeakRssMb ? { emulatorPeakRssMb: memory.otherPeakRssMb } : {}),
    apiCalls: total(calls),
    retries,
    failures: failures.slice(0, 20),
  };
}

export async function benchBurst(bench: BenchPipeline, options: { orgs: number; runs: number; runId: string }): Promise<BurstResult> {
  const runs: BurstRun[] = [];
  for (let run = 1; run <= options.runs; run++) {
    // Each run starts from an empty emulator, so every run sees the same amount of state.
    await bench.resetEmulator();
    const result = await burstOnce(bench, options.orgs, `${options.runId}b${run}`);
    say(
      `burst ${run}/${options.runs}: ${result.provisioned}/${options.orgs} provisioned, ${result.duplicates} duplicates, ${result.failed} failed in ${result.seconds} s ` +
        `(${result.orgsPerSecond} orgs/s, peak RSS ${result.peakRssMb} MB, ${result.retries} retries)`,
    );
    for (const failure of result.failures.slice(0, 5)) say(`  ${failure}`);
    runs.push(result);
  }
  const worst = <K extends 'duplicates' | 'failed'>(key: K) => Math.max(...runs.map((r) => r[key]));
  const emulatorPeaks = runs.flatMap((r) => (r.emulatorPeakRssMb === undefined ? [] : [r.emulatorPeakRssMb]));
  return {
    orgs: options.orgs,
    // The worst run, not the median: one run with a failure is a failure.
    provisioned: Math.min(...runs.map((r) => r.provisioned)),
    duplicates: worst('duplicates'),
    failed: worst('failed'),
    orgsPerSecond: round(median(runs.map((r) => r.orgsPerSecond)), 1),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    ...(emulatorPeaks.length > 0 ? { emulatorPeakRssMb: Math.max(...emulatorPeaks) } : {}),
    concurrency: CONCURRENCY_NOTE,
    runs,
  };
}
