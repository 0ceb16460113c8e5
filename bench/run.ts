/**
 * `npm run bench`: the product's speed, size and cost targets (bench/README.md) on the embedded
 * default (the emulator, the real router, the real ASL run locally and the real handlers), written to
 * bench/results/latest.json and as a table into bench/README.md.
 *
 * Benchmarks are not tests: nothing here runs in `npm test`. Progress goes to stderr; the
 * functions' own JSON logs go to stdout (scripts/bench.sh sends them to a file).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { projectRoot } from '../local/paths';
import { benchBurst } from './burst';
import { benchBurstThrottled } from './burst-throttled';
import { DEFAULT_IAM_WRITES_PER_SECOND, DEFAULT_PROPAGATION_MS } from './lib/fault-layer';
import { benchTimeToUsable } from './time-to-usable';
import { BASELINE_FILE, baselineOf, readTimeToUsableBaseline } from './time-to-usable-baseline';
import { benchColdStart } from './cold-start';
import { startBenchPipeline, type BenchPipeline } from './lib/bench-pipeline';
import { describeMachine, now, round, say } from './lib/stats';
import { benchProvision, type FunctionSettings } from './provision';
import { checkTargets, renderTable, withTable, type BenchResults } from './report';
import { benchRotation, benchRotationBurst, ROTATE_ALL_CONCURRENCY } from './rotation';
import { benchTeardown, type AwsCli } from './teardown';

const USAGE = `Usage: npm run bench -- [options]

Runs the benchmarks on the embedded default and writes bench/results/latest.json and the
results table of bench/README.md.
  --only <list>           sections to run, comma-separated: coldStart,provision,timeToUsable,burst,burstThrottled,rotation,teardown
                          (a partial run writes .local/bench/partial.json, not latest.json)
  --provision-runs <n>    runs per provision median (default 9)
  --burst-runs <n>        burst runs (default 2)
  --orgs <n>              OrgCreated events per burst (default 200)
  --time-to-usable-runs <n>  runs per time-to-usable median (default 3)
  --throttled-orgs <n>    OrgCreated events of the throttled burst (default 1000; env BENCH_THROTTLED_ORGS)
  --iam-writes-per-second <n>  the fault layer's IAM write rate (default 10; env BENCH_IAM_WRITES_PER_SECOND)
  --propagation-seconds <s>    how long a new IAM user or key stays unknown (default 8; env BENCH_PROPAGATION_SECONDS)
  --record-baseline <commit>   with timeToUsable: also write its result as ${BASELINE_FILE}
                               (run in a worktree of the commit before issue 17 items 3–5; bench/README.md)
  --rotation-runs <n>     tenants rotated one at a time for the rotation medians (default 5; two rotations each)
  --rotation-tenants <n>  tenants of the rotation burst (default 200)
  --rotation-concurrency <n>  rotations at once in the burst (default ${ROTATE_ALL_CONCURRENCY}, tenantctl rotate --all's)
  --teardown-runs <n>     teardown runs (default 1)
  --objects <n>           objects in the teardown bucket (default 20000)
  --versions <n>          versions per object (default 2)
  --cold-start-runs <n>   rounds per cold start median (default 11)
  --help                  this text`;

const SECTIONS = ['coldStart', 'provision', 'timeToUsable', 'burst', 'burstThrottled', 'rotation', 'teardown'] as const;
type Section = (typeof SECTIONS)[number];

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, not ${JSON.stringify(value)}`);
  return n;
}

function rate(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a number > 0, not ${JSON.stringify(value)}`);
  return n;
}

/** Debian's awscli (/usr/bin/aws, installed by scripts/bench.sh), else any `aws` on PATH; or why there is none. */
function findAwsCli(): AwsCli | { skipped: string } {
  for (const path of ['/usr/bin/aws', 'aws']) {
    try {
      const version = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_PAGER: '' } }).trim();
      return { path, version };
    } catch {
      // try the next one
    }
  }
  return { skipped: process.env.BENCH_AWSCLI_SKIPPED || 'no aws CLI found (scripts/bench.sh installs Debian\'s awscli with apt-get when it can)' };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      'provision-runs': { type: 'string' },
      'burst-runs': { type: 'string' },
      orgs: { type: 'string' },
      'time-to-usable-runs': { type: 'string' },
      'throttled-orgs': { type: 'string' },
      'iam-writes-per-second': { type: 'string' },
      'propagation-seconds': { type: 'string' },
      'record-baseline': { type: 'string' },
      'rotation-runs': { type: 'string' },
      'rotation-tenants': { type: 'string' },
      'rotation-concurrency': { type: 'string' },
      'teardown-runs': { type: 'string' },
      objects: { type: 'string' },
      versions: { type: 'string' },
      'cold-start-runs': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  // The Lambdas run on nodejs22.x, and the cold start loads each bundle with this very node.
  if (Number(process.versions.node.split('.')[0]) < 22) throw new Error(`The bench needs Node 22 (the Lambda runtime's); this is ${process.version}: run it with npm run bench`);
  const only = values.only ? (values.only.split(',').map((s) => s.trim()) as Section[]) : [...SECTIONS];
  for (const section of only) if (!SECTIONS.includes(section)) throw new Error(`Unknown section ${section}: use ${SECTIONS.join(', ')}`);
  const runs = {
    provision: positive('provision-runs', values['provision-runs'], 9),
    burst: positive('burst-runs', values['burst-runs'], 2),
    teardown: positive('teardown-runs', values['teardown-runs'], 1),
    coldStart: positive('cold-start-runs', values['cold-start-runs'], 11),
    timeToUsable: positive('time-to-usable-runs', values['time-to-usable-runs'], 3),
    rotation: positive('rotation-runs', values['rotation-runs'], 5),
  };
  const faults = {
    iamWritesPerSecond: rate('iam-writes-per-second', values['iam-writes-per-second'] ?? process.env.BENCH_IAM_WRITES_PER_SECOND, DEFAULT_IAM_WRITES_PER_SECOND),
    propagationMs: rate('propagation-seconds', values['propagation-seconds'] ?? process.env.BENCH_PROPAGATION_SECONDS, DEFAULT_PROPAGATION_MS / 1000) * 1000,
  };
  const throttledOrgs = positive('throttled-orgs', values['throttled-orgs'] ?? process.env.BENCH_THROTTLED_ORGS, 1000);
  const orgs = positive('orgs', values.orgs, 200);
  const rotationTenants = positive('rotation-tenants', values['rotation-tenants'], 200);
  const rotationConcurrency = positive('rotation-concurrency', values['rotation-concurrency'], ROTATE_ALL_CONCURRENCY);
  const objects = positive('objects', values.objects, 20_000);
  const versions = positive('versions', values.versions, 2);

  const root = projectRoot();
  const python = existsSync(join(root, '.venv/bin/python')) ? join(root, '.venv/bin/python') : 'python3';
  const startedAtMs = Number(process.env.BENCH_STARTED_AT_MS) || Date.now();
  const setupSeconds = (Date.now() - startedAtMs) / 1000;
  const runId = Date.now().toString(36).slice(-5);
  const machine = describeMachine(python);
  const results: BenchResults = { date: new Date().toISOString(), machine, runs, durationSeconds: { total: 0, setup: round(setupSeconds, 0) } };
  say(`${machine.cpus} × ${machine.cpuModel}, load average ${machine.loadAverageAtStart}; sections: ${only.join(', ')}`);

  const timed = async <T>(section: Section, work: () => Promise<T>): Promise<T> => {
    const start = now();
    const result = await work();
    results.durationSeconds[section] = round((now() - start) / 1000, 0);
    say(`${section}: done in ${results.durationSeconds[section]} s`);
    return result;
  };

  // Memory sizes and architecture for the cost: from the packaged template when coldStart runs, else serverless.yml's provider defaults.
  let functions: FunctionSettings = { memoryMb: { default: 256, deleteTenantBucket: 512 }, architecture: 'arm64', source: 'serverless.yml provider defaults (memorySize 256, deleteTenantBucket 512, arm64)' };
  if (only.includes('coldStart')) {
    const cold = await timed('coldStart', () => benchColdStart({ runs: runs.coldStart, root }));
    results.coldStart = cold.result;
    functions = cold.functions;
  }

  let bench: BenchPipeline | undefined;
  try {
    if (only.some((s) => s !== 'coldStart')) bench = await startBenchPipeline({ faults });
    if (bench && only.includes('provision')) {
      const pipeline = bench;
      results.provision = await timed('provision', () => benchProvision(pipeline, { runs: runs.provision, runId, projectRoot: root, functions }));
      say(
        `provision: ${results.provision.apiCalls} API calls, ${results.provision.stateTransitions} transitions, pipeline ${results.provision.pipelineMedianMs} ms vs direct ${results.provision.directCallsMedianMs} ms ` +
          `(×${results.provision.overheadRatio}), $${results.provision.costPerTenantUsd} per tenant`,
      );
    }
    if (bench && only.includes('timeToUsable')) {
      const pipeline = bench;
      results.timeToUsable = await timed('timeToUsable', () => benchTimeToUsable(pipeline, { runs: runs.timeToUsable, runId }));
      const recordFor = values['record-baseline'];
      if (recordFor) {
        const baseline = baselineOf(results.timeToUsable, recordFor, new Date().toISOString(), `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, moto ${machine.moto ?? '?'}`);
        mkdirSync(join(root, 'bench/results'), { recursive: true });
        writeFileSync(join(root, BASELINE_FILE), `${JSON.stringify(baseline, null, 2)}\n`);
        say(`wrote ${BASELINE_FILE} for ${recordFor}`);
      }
      const before = readTimeToUsableBaseline(root);
      if (before) results.timeToUsable.before = before;
      if (results.provision) {
        results.provision.timeToUsableMs = results.timeToUsable.timeToUsableMs;
        if (before) results.provision.timeToUsableMsBefore = before.timeToUsableMs;
      }
    }
    if (bench && only.includes('burst')) {
      const pipeline = bench;
      results.burst = await timed('burst', () => benchBurst(pipeline, { orgs, runs: runs.burst, runId }));
    }
    if (bench && only.includes('burstThrottled')) {
      const pipeline = bench;
      results.burstThrottled = await timed('burstThrottled', () => benchBurstThrottled(pipeline, { orgs: throttledOrgs, runId }));
    }
    if (bench && only.includes('rotation')) {
      const pipeline = bench;
      await timed('rotation', async () => {
        results.rotation = await benchRotation(pipeline, { runs: runs.rotation, runId });
        say(`rotation: ${results.rotation.timeToRotatedMs} ms median (first rotations ${results.rotation.firstRotationMs} ms), ${results.rotation.awsRequests.rotation} AWS requests per rotation, ${results.rotation.awsRequests.retirement} per retirement`);
        results.rotationBurst = await benchRotationBurst(pipeline, { tenants: rotationTenants, concurrency: rotationConcurrency, runId });
      });
    }
    if (bench && only.includes('teardown')) {
      const pipeline = bench;
      const awsCli = findAwsCli();
      if ('skipped' in awsCli) say(`teardown: the aws CLI comparison is skipped: ${awsCli.skipped}`);
      results.teardown = await timed('teardown', () => benchTeardown(pipeline, { objects, versions, runs: runs.teardown, runId, awsCli }));
    }
  } finally {
    await bench?.pipeline.executions.idle();
    await bench?.pipeline.stop();
  }

  results.machine.loadAverageAtEnd = round(loadavg()[0] ?? 0, 2);
  results.durationSeconds.total = round((Date.now() - startedAtMs) / 1000, 0);
  results.targets = checkTargets(results);
  const table = renderTable(results);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (only.length === SECTIONS.length) {
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/latest.json'), json);
    const readmePath = join(root, 'bench/README.md');
    writeFileSync(readmePath, withTable(existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '# Benchmarks\n', table));
    say('wrote bench/results/latest.json and the table in bench/README.md');
  } else {
    mkdirSync(join(root, '.local/bench'), { recursive: true });
    writeFileSync(join(root, '.local/bench/partial.json'), json);
    say('partial run: wrote .local/bench/partial.json (latest.json and bench/README.md are left as they were)');
  }
  process.stderr.write(`\n${table}\n`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
