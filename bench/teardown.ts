/**
 * `teardown`: a provisioned tenant whose versioned bucket holds `objects` objects with
 * `versionsPerObject` versions each, removed by our teardown (OrgDeleted with no retention,
 * through the router and the real teardown-tenant workflow), against `aws s3 rb --force`
 * (Debian's awscli) on the same data in the same emulator.
 *
 * Writing the data is slow (the emulator serves one request at a time, ~150 PutObject/s
 * here), so it is written once and both tools get the very same bucket: `aws s3 rb --force`
 * goes first, because on a versioned bucket it removes nothing — it lists the current
 * objects, sends one DeleteObject per object (each adds a delete marker) and then fails with
 * BucketNotEmpty. The bench then deletes exactly those delete markers (not timed: a HeadObject
 * per key names the marker's version id), which makes the same versions, with the same
 * version ids, current again; our teardown's count of deleted versions checks that. Each tool
 * runs alone. Nothing lists the whole bucket outside the tools themselves: the emulator copies
 * every version of the bucket on each ListObjectVersions call (see bench/README.md).
 */
import {
  DeleteObjectsCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  NotFound,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TIME_RESERVE_MS } from '../functions/lib/bucket-walk';
import { countLoop, DEFAULT_CONTINUE_AT_EVENTS, EVENTS_PER_LOOP, EVENTS_PER_LOOP_BOUND, MAX_EVENTS_PER_EXECUTION, type HistoryCount } from '../functions/lib/history-budget';
import { projectRoot } from '../local/paths';
import { LOCAL_REGION } from '../local/stack';
import { total } from './lib/api-counter';
import type { BenchPipeline } from './lib/bench-pipeline';
import { median, now, pooled, round, say } from './lib/stats';

/** Requests in flight per emulator while writing: it serves one at a time, so a few keep it busy. */
const FILL_IN_FLIGHT = 4;

export interface AwsCli {
  path: string;
  version: string;
}

export interface AwsCliRun {
  ms: number;
  /** Seconds spent (not timed) deleting the delete markers it left, to give our teardown the same data. */
  restoreSeconds?: number;
  exitCode: number | null;
  /** `delete: s3://…` lines: one DeleteObject request each. */
  objectsDeleted: number;
  bucketRemoved: boolean;
  /**
   * What it left, not listed (a listing of the whole bucket takes minutes on the emulator) but
   * shown: the bucket still exists, every key then had a delete marker on top, and once those
   * were deleted our teardown deleted exactly the versions written.
   */
  versionsLeft?: number;
  deleteMarkersLeft?: number;
  error?: string;
}

export interface TeardownRun {
  ms: number;
  apiCalls: number;
  apiCallsByOperation: Record<string, number>;
  /** Milliseconds in each operation's calls, summed (the four DeleteObjects in flight overlap). */
  apiMsByOperation: Record<string, number>;
  objectsDeleted: number;
  deleteTenantBucketInvocations: number;
  /** Time in each state (summed over its invocations), ms. */
  stateMs: Record<string, number>;
  bucketRemoved: boolean;
  fillSeconds: number;
  awsCli?: AwsCliRun;
}

/**
 * What the last run's bucket deletion says about any bucket size (bench/README.md, "teardown"):
 * the S3 requests it takes, what one DeleteTenantBucket invocation deletes on its budget, and the
 * execution history that costs.
 */
export interface TeardownFigures {
  /** S3 ListObjectVersions + DeleteObjects + DeleteBucket requests × 1,000 / versions deleted. */
  requestsPer1000Versions: number;
  /** Versions deleted ÷ seconds in DeleteTenantBucket × the invocation's budget (whole versions, rounded down). */
  versionsPerInvocation: number;
  /** EVENTS_PER_LOOP × the invocations 1,000,000 versions need. */
  historyEventsPerMillionVersions: number;
  /** The same with every loop charged at its worst (EVENTS_PER_LOOP_BOUND: every retry used). */
  historyEventsPerMillionVersionsBound: number;
  /** The invocations 100,000,000 versions need ÷ the invocations one execution holds before it continues as new. */
  executionsFor100MillionVersions: number;
  /** The history guard's bound on one execution, at any bucket size (MAX_EVENTS_PER_EXECUTION). */
  maxEventsPerExecution: number;
  /** What the figures were computed from. */
  figuresBasis: {
    bucketRequests: number;
    versionsDeleted: number;
    deleteTenantBucketSeconds: number;
    versionsPerSecond: number;
    invocationBudgetSeconds: number;
    invocationsPerMillionVersions: number;
    invocationsFor100MillionVersions: number;
    loopsPerExecution: number;
    continueAtEvents: number;
  };
}

export interface TeardownResult extends TeardownFigures {
  objects: number;
  versionsPerObject: number;
  /** Versions in each bucket: objects × versions, plus what the provisioning wrote (nothing since issue 17 item 5; before, the `pub/` object). */
  versionsPerBucket: number;
  apiCalls: number;
  apiCallsByOperation: Record<string, number>;
  medianMs: number;
  awsCliMedianMs?: number;
  speedupVsAwsCli?: number;
  awsCli: (AwsCli & { outcome: string }) | { skipped: string };
  emulator: string;
  runs: TeardownRun[];
}

/** The S3 requests of emptying and deleting a bucket, by `Service.Operation`. */
const BUCKET_DELETION_OPERATIONS = ['S3.ListObjectVersions', 'S3.DeleteObjects', 'S3.DeleteBucket'] as const;

interface AslMachine {
  States: Record<string, { TimeoutSeconds?: number; Branches?: AslMachine[]; ItemProcessor?: AslMachine; Iterator?: AslMachine }>;
}

function findState(machine: AslMachine, name: string): AslMachine['States'][string] | undefined {
  for (const [stateName, state] of Object.entries(machine.States)) {
    if (stateName === name) return state;
    for (const inner of [...(state.Branches ?? []), ...(state.ItemProcessor ? [state.ItemProcessor] : []), ...(state.Iterator ? [state.Iterator] : [])]) {
      const found = findState(inner, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * One DeleteTenantBucket invocation's time for the walk: the Task's TimeoutSeconds in the teardown
 * workflow (serverless.yml gives the function the same timeout) less the walk's TIME_RESERVE_MS.
 */
export function invocationBudgetMs(root: string = projectRoot()): number {
  const machine = JSON.parse(readFileSync(join(root, 'statemachine/teardown-tenant.asl.json'), 'utf8')) as AslMachine;
  const timeoutSeconds = findState(machine, 'DeleteTenantBucket')?.TimeoutSeconds;
  if (!timeoutSeconds) throw new Error('statemachine/teardown-tenant.asl.json has no DeleteTenantBucket Task with a TimeoutSeconds');
  return timeoutSeconds * 1000 - TIME_RESERVE_MS;
}

/** How many loops one execution runs before countLoop says to continue as new (the loop that says so included). */
function loopsPerExecution(continueAtEvents: number): number {
  let history: HistoryCount | undefined;
  for (let loops = 1; loops <= continueAtEvents; loops++) {
    const counted = countLoop(history, continueAtEvents);
    if (counted.continueAsNew) return loops;
    history = counted.history;
  }
  throw new Error(`countLoop never said to continue as new within ${continueAtEvents} loops`);
}

/**
 * The teardown's figures from one measured run (its calls, versions deleted and time in
 * DeleteTenantBucket) and the invocation budget; the history figures with the default
 * continuation count, the highest a stage may set.
 * @throws Error when the run deleted nothing or spent no time in DeleteTenantBucket (no rate to scale).
 */
export function teardownFigures(run: Pick<TeardownRun, 'apiCallsByOperation' | 'objectsDeleted' | 'stateMs'>, budgetMs: number): TeardownFigures {
  const deletionMs = run.stateMs.DeleteTenantBucket ?? 0;
  if (run.objectsDeleted <= 0 || deletionMs <= 0) {
    throw new Error(`No deletion rate to scale: ${run.objectsDeleted} versions deleted in ${deletionMs} ms of DeleteTenantBucket`);
  }
  const bucketRequests = BUCKET_DELETION_OPERATIONS.reduce((sum, operation) => sum + (run.apiCallsByOperation[operation] ?? 0), 0);
  const versionsPerSecond = run.objectsDeleted / (deletionMs / 1000);
  const versionsPerInvocation = Math.floor((versionsPerSecond * budgetMs) / 1000);
  const invocationsPerMillion = Math.ceil(1e6 / versionsPerInvocation);
  const invocationsFor100Million = Math.ceil(1e8 / versionsPerInvocation);
  const loops = loopsPerExecution(DEFAULT_CONTINUE_AT_EVENTS);
  return {
    requestsPer1000Versions: round((bucketRequests * 1000) / run.objectsDeleted, 2),
    versionsPerInvocation,
    historyEventsPerMillionVersions: EVENTS_PER_LOOP * invocationsPerMillion,
    historyEventsPerMillionVersionsBound: EVENTS_PER_LOOP_BOUND * invocationsPerMillion,
    executionsFor100MillionVersions: Math.ceil(invocationsFor100Million / loops),
    maxEventsPerExecution: MAX_EVENTS_PER_EXECUTION,
    figuresBasis: {
      bucketRequests,
      versionsDeleted: run.objectsDeleted,
      deleteTenantBucketSeconds: round(deletionMs / 1000, 1),
      versionsPerSecond: round(versionsPerSecond, 1),
      invocationBudgetSeconds: budgetMs / 1000,
      invocationsPerMillionVersions: invocationsPerMillion,
      invocationsFor100MillionVersions: invocationsFor100Million,
      loopsPerExecution: loops,
      continueAtEvents: DEFAULT_CONTINUE_AT_EVENTS,
    },
  };
}

function s3Loader(endpoint: string): S3Client {
  // No optional CRC32 per upload: the emulator would verify it too, and this is set-up, not the measurement.
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local-emulator', secretAccessKey: 'local-emulator' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

const keyOf = (i: number) => `data/${String(i).padStart(5, '0')}.json`;

/** Writes every version of every object: all first versions, then all second versions, … */
async function fill(s3: S3Client, bucket: string, objects: number, versions: number): Promise<void> {
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await pooled(objects * versions, FILL_IN_FLIGHT, (n) => {
    const i = n % objects;
    return s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(i), Body: JSON.stringify({ i, version: Math.floor(n / objects) + 1 }) }));
  });
}

/**
 * The delete marker on top of each key, named by HeadObject (a 404 whose headers carry
 * `x-amz-delete-marker: true` and the marker's version id). Throws when a key's current
 * version is not a delete marker.
 */
async function currentDeleteMarkers(s3: S3Client, bucket: string, keys: string[]): Promise<{ Key: string; VersionId: string }[]> {
  const markers: { Key: string; VersionId: string }[] = [];
  await pooled(keys.length, FILL_IN_FLIGHT, async (i) => {
    const key = keys[i] as string;
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      const headers = (err as { $response?: { headers?: Record<string, string> } }).$response?.headers ?? {};
      if (err instanceof NotFound && headers['x-amz-delete-marker'] === 'true' && headers['x-amz-version-id']) {
        markers.push({ Key: key, VersionId: headers['x-amz-version-id'] });
        return;
      }
      throw err;
    }
    throw new Error(`${key} is still current in ${bucket}: no delete marker on top`);
  });
  return markers;
}

/** Deletes the given delete markers (which makes each object's last version current again). */
async function deleteMarkers(s3: S3Client, bucket: string, markers: { Key: string; VersionId: string }[]): Promise<void> {
  for (let i = 0; i < markers.length; i += 1000) {
    const output = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: markers.slice(i, i + 1000), Quiet: true } }));
    if (output.Errors?.length) throw new Error(`Could not delete ${output.Errors.length} delete markers: ${output.Errors[0]?.Code ?? ''} ${output.Errors[0]?.Message ?? ''}`);
  }
}

async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    if (err instanceof NotFound) return false;
    throw err;
  }
}

/** Runs `aws s3 rb --force` against `endpoint` with dummy credentials and no user configuration. */
async function awsRbForce(cli: AwsCli, endpoint: string, bucket: string): Promise<{ ms: number; exitCode: number | null; deleted: number; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'bench-awscli-'));
  const empty = join(home, 'empty');
  writeFileSync(empty, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'local-emulator',
    AWS_SECRET_ACCESS_KEY: 'local-emulator',
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    AWS_PAGER: '',
  };
  try {
    return await new Promise((resolve, reject) => {
      const start = now();
      const child = spawn(cli.path, ['--endpoint-url', endpoint, 's3', 'rb', '--force', `s3://${bucket}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let deleted = 0;
      let partial = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        deleted += lines.filter((line) => line.startsWith('delete: ')).length;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      child.on('error', reject);
      child.on('close', (exitCode) => {
        if (partial.startsWith('delete: ')) deleted += 1;
        resolve({ ms: now() - start, exitCode, deleted, stderr: stderr.trim() });
      });
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function teardownOnce(bench: BenchPipeline, cli: AwsCli | undefined, options: { objects: number; versions: number; runId: string }): Promise<TeardownRun> {
  const { pipeline, counter } = bench;
  const orgId = `bench-${options.runId}`;
  const routed = await pipeline.send('OrgCreated', { orgId, orgName: 'Large Tenant Ltd' });
  if (routed.action !== 'started' || !routed.executionName) throw new Error(`The router did not start ${orgId}: ${JSON.stringify(routed)}`);
  const provisioned = await pipeline.executions.waitFor('provision', routed.executionName);
  if (provisioned.status !== 'SUCCEEDED') throw new Error(`provisioning ${orgId} ended ${provisioned.status}: ${provisioned.error ?? ''}`);
  const bucket = (provisioned.output as { bucket: { name: string } }).bucket.name;

  // Whatever the provisioning itself wrote into the bucket (before issue 17 item 5, an empty pub/
  // object: one null version; since, nothing) is part of what the teardown must delete.
  const s3 = s3Loader(pipeline.emulator.endpoint);
  const provisionedKeys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((object) => object.Key ?? '');
  say(`teardown: writing ${options.objects} objects × ${options.versions} versions into ${bucket}…`);
  const fillStart = now();
  await fill(s3, bucket, options.objects, options.versions);
  const fillSeconds = (now() - fillStart) / 1000;
  const expected = options.objects * options.versions + provisionedKeys.length;
  say(`teardown: ${expected} versions written in ${round(fillSeconds, 0)} s`);

  let awsCli: AwsCliRun | undefined;
  if (cli) {
    const rb = await awsRbForce(cli, pipeline.emulator.endpoint, bucket);
    const removed = !(await bucketExists(s3, bucket));
    awsCli = { ms: rb.ms, exitCode: rb.exitCode, objectsDeleted: rb.deleted, bucketRemoved: removed };
    if (rb.exitCode !== 0) awsCli.error = rb.stderr.split('\n').filter(Boolean).pop() ?? '';
    say(`teardown (aws s3 rb --force): ${round(rb.ms / 1000, 1)} s, exit ${rb.exitCode}, ${rb.deleted} DeleteObject requests, bucket removed: ${removed}`);
    if (removed) {
      // Not what the CLI does to a versioned bucket; if a version ever does, our teardown has no data left to remove.
      throw new Error('aws s3 rb --force removed a versioned bucket: bench/teardown.ts must then give our teardown its own copy of the data');
    }
    const restoreStart = now();
    const keys = [...provisionedKeys, ...Array.from({ length: options.objects }, (_, i) => keyOf(i))];
    const markers = await currentDeleteMarkers(s3, bucket, keys);
    await deleteMarkers(s3, bucket, markers);
    awsCli.versionsLeft = expected;
    awsCli.deleteMarkersLeft = markers.length;
    awsCli.restoreSeconds = round((now() - restoreStart) / 1000, 1);
    say(`teardown: every key had a delete marker on top (${markers.length}); deleted them, so the written versions are current again (${awsCli.restoreSeconds} s, not timed)`);
  }

  counter.reset();
  const start = now();
  const deleted = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
  if (deleted.action !== 'started' || !deleted.executionName) throw new Error(`The router did not start the teardown of ${orgId}: ${JSON.stringify(deleted)}`);
  const record = await pipeline.executions.waitFor('teardown', deleted.executionName);
  const ms = now() - start;
  if (record.status !== 'SUCCEEDED') throw new Error(`teardown ${deleted.executionName} ended ${record.status} at ${record.failedState ?? '?'}: ${record.error ?? ''} ${record.cause ?? ''}`);
  const { calls, ms: apiMs } = counter.snapshot();
  const history = bench.events.get(`teardown/${deleted.executionName}`) ?? [];
  const objectsDeleted = (record.output as { deletedBucket?: { objectsDeleted?: number } }).deletedBucket?.objectsDeleted ?? 0;
  const stateMs: Record<string, number> = {};
  for (const event of history) if (event.type === 'StateExited' && event.state) stateMs[event.state] = (stateMs[event.state] ?? 0) + (event.durationMs ?? 0);
  const run: TeardownRun = {
    ms,
    apiCalls: total(calls),
    apiCallsByOperation: calls,
    apiMsByOperation: apiMs,
    objectsDeleted,
    deleteTenantBucketInvocations: history.filter((e) => e.type === 'StateEntered' && e.state === 'DeleteTenantBucket').length,
    stateMs,
    bucketRemoved: !(await bucketExists(s3, bucket)),
    fillSeconds: round(fillSeconds, 1),
    ...(awsCli ? { awsCli } : {}),
  };
  say(`teardown (ours): ${round(ms / 1000, 1)} s, ${run.apiCalls} API calls, ${objectsDeleted} versions deleted, bucket removed: ${run.bucketRemoved}`);
  if (objectsDeleted !== expected) throw new Error(`Our teardown deleted ${objectsDeleted} versions and delete markers, not the ${expected} versions written: the data was not as written`);
  return run;
}

export async function benchTeardown(
  bench: BenchPipeline,
  options: { objects: number; versions: number; runs: number; runId: string; awsCli: AwsCli | { skipped: string } },
): Promise<TeardownResult> {
  const cli = 'path' in options.awsCli ? options.awsCli : undefined;
  const runs: TeardownRun[] = [];
  for (let run = 1; run <= options.runs; run++) {
    // Each run starts from an empty emulator: the bucket is the only thing in it.
    await bench.resetEmulator();
    runs.push(await teardownOnce(bench, cli, { objects: options.objects, versions: options.versions, runId: `${options.runId}-t${run}` }));
  }
  const last = runs[runs.length - 1] as TeardownRun;
  const medianMs = median(runs.map((r) => r.ms));
  const cliRuns = runs.flatMap((r) => (r.awsCli ? [r.awsCli] : []));
  const awsCliMedianMs = cliRuns.length > 0 ? median(cliRuns.map((r) => r.ms)) : undefined;
  const cliOutcome = cliRuns.every((r) => r.bucketRemoved)
    ? 'removed the bucket'
    : `did not remove the bucket: ${cliRuns.map((r) => `exit ${r.exitCode}, ${r.error ?? ''}; it deleted ${r.objectsDeleted} current objects (each DeleteObject on a versioned bucket adds a delete marker) and left all ${r.versionsLeft ?? '?'} versions plus ${r.deleteMarkersLeft ?? '?'} delete markers`).join(' | ')}`;
  return {
    objects: options.objects,
    versionsPerObject: options.versions,
    versionsPerBucket: last.objectsDeleted,
    apiCalls: last.apiCalls,
    apiCallsByOperation: last.apiCallsByOperation,
    medianMs: round(medianMs, 0),
    ...teardownFigures(last, invocationBudgetMs()),
    ...(awsCliMedianMs === undefined ? {} : { awsCliMedianMs: round(awsCliMedianMs, 0), speedupVsAwsCli: round(awsCliMedianMs / medianMs, 1) }),
    awsCli: cli ? { path: cli.path, version: cli.version, outcome: cliOutcome } : (options.awsCli as { skipped: string }),
    emulator: cli
      ? 'One bucket in the pipeline\'s emulator, written once: aws s3 rb --force first (it leaves every version), then its delete markers deleted and the versions checked to be the same ones, then our teardown.'
      : 'Our teardown on the pipeline\'s emulator.',
    runs: runs.map((r) => ({ ...r, ms: round(r.ms, 0), ...(r.awsCli ? { awsCli: { ...r.awsCli, ms: round(r.awsCli.ms, 0) } } : {}) })),
  };
}
