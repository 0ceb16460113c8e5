/**
 * `rotation` (issue 18): a tenant's key rotation through local mode's stand-in for Secrets
 * Manager's rotation (local/secrets-rotation.ts), which runs the real rotation function's four
 * steps in order, behind the fault layer (each call's latency; the new key unknown to S3 and STS
 * for the propagation time; IAM writes throttled).
 *
 * - One tenant at a time: how long a rotation takes end to end, step by step, and how much of it
 *   testSecret spends waiting for IAM to propagate the new key; the requests AWS would see per
 *   rotation and per retirement of the previous key.
 * - `rotationBurst`: N tenants rotated `ROTATE_ALL_CONCURRENCY` at a time, as `tenantctl rotate
 *   --all` does, in the steady state (each rotated once before and its previous key retired, so
 *   each rotation deletes that key and makes a new one): total time, each tenant's time, failures,
 *   the keys each user holds after, and the IAM throttles answered and absorbed.
 *
 * The bench builds its own stand-in (the same class) over the functions' clients as the bench
 * pipeline wraps them: local/stack.ts gives its stand-in the tenant-credential factory before the
 * fault layer and the counter wrap it, so testSecret's tenant-signed requests would be neither
 * delayed, refused while the key propagates, nor counted.
 */
import { paginateListAccessKeys } from '@aws-sdk/client-iam';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createLogger } from '../functions/lib/logger';
import { tenantNames } from '../functions/lib/naming';
import { parseTenantSecret } from '../functions/lib/tenant-secret';
import { rotateTenantCredentialsHandler, type RotationStep, type TenantRotationEvent } from '../functions/rotate-tenant-credentials';
import { runAsFunction } from '../local/function-scope';
import { localLambdaContext } from '../local/lambda-context';
import { LocalRotationFailedError, LocalSecretsRotation, ROTATION_STEPS } from '../local/secrets-rotation';
import { LOCAL_REGION } from '../local/stack';
import { percentile } from './burst-throttled';
import { total } from './lib/api-counter';
import type { BenchPipeline } from './lib/bench-pipeline';
import { isIamWrite } from './lib/fault-layer';
import { median, pooled, round, say } from './lib/stats';

/** `tenantctl rotate --all`'s rotations at once (DEFAULT_CONCURRENCY in cli/commands/rotate.ts; bench/ does not import cli/, a unit test holds them equal). */
export const ROTATE_ALL_CONCURRENCY = 4;
/** The rotation function's timeout (serverless.yml, rotateTenantCredentials: 90 s): each step's Lambda context counts down from it. */
export const ROTATION_FUNCTION_TIMEOUT_MS = 90_000;
const DAY_MS = 86_400_000;

export const ROTATION_NOT_COUNTED =
  'Not counted: the stand-in\'s own calls (DescribeSecret, TagResource, UntagResource on a client of its own), which stand for Secrets Manager itself ' +
  '(RotateSecret\'s checks and its bookkeeping of the rotation in progress), and local mode\'s key check (an IAM lookup per tenant-signed request, standing for AWS\'s own check of the key). ' +
  'Nor is the operator\'s RotateSecret (one call per rotation from tenantctl rotate; none when the schedule rotates), nor Secrets Manager\'s invocations of the function (one per step).';

export const ROTATION_METHOD =
  'Tenants provisioned through the real pipeline (fault layer off), then rotated by local mode\'s stand-in for Secrets Manager (local/secrets-rotation.ts: RotateSecret\'s checks, a new ClientRequestToken, ' +
  'the real rotation handler invoked for createSecret, setSecret, testSecret and finishSecret in order, each with a Lambda context of the function\'s 90 s) with the fault layer on: ' +
  'each request waits its latency, the new key is refused by S3 and STS until it has propagated, IAM writes are throttled. Each run on a fresh tenant: ' +
  'its first rotation (one key before, two after), the daily retirement once the overlap has passed (now = rotation + overlap + 1 day: the previous key deactivated), then a second rotation ' +
  '(the steady state every rotationDays: createSecret deletes the retired key, then creates the new one). timeToRotatedMs is the median of the second rotations; ' +
  'the breakdown is the median run\'s. The stand-in runs a rotation to its end before it returns and does not retry a failed step (Secrets Manager\'s own retry of a failed rotation is not modelled).';

export type StepsMs = Record<RotationStep, number>;

export interface RotationRun {
  orgId: string;
  /** `first`: the tenant's first rotation; `later`: after the previous key was retired (the steady state). */
  kind: 'first' | 'later';
  ms: number;
  stepsMs: StepsMs;
  /** The stand-in's own work around the steps (its DescribeSecret and tag writes, no latency modelled). */
  standInMs: number;
  /** Inside testSecret: from the first request refused with the new key to the first accepted one (0 when none was refused). */
  keyWaitMs: number;
  /** Requests signed with the new key that were refused while it propagated. */
  keyRefusals: number;
  /** From CreateAccessKey's answer to the first request accepted with the new key. */
  keyCreatedToAcceptedMs?: number;
  /** Calls the functions' clients made (what AWS would see), by operation; refused ones included. */
  awsRequestsByOperation: Record<string, number>;
  awsRequests: number;
  /** HTTP attempts (the SDK's retries included). */
  httpRequests: number;
}

export interface RetirementRun {
  orgId: string;
  outcome: string;
  ms: number;
  awsRequestsByOperation: Record<string, number>;
  awsRequests: number;
}

export interface RotationResult {
  runs: number;
  propagationMs: number;
  /** Median of the steady-state rotations (kind `later`). */
  timeToRotatedMs: number;
  /** Median of the first rotations. */
  firstRotationMs: number;
  /** The median steady-state run's breakdown. */
  breakdown: { stepsMs: StepsMs; keyWaitMs: number; keyRefusals: number; standInMs: number; keyCreatedToAcceptedMs?: number };
  awsRequests: {
    /** The median steady-state rotation's calls, by operation; refused ones included. */
    rotation: number;
    rotationByOperation: Record<string, number>;
    /** Of those, requests signed with the new key that were refused while it propagated. */
    rotationRefused: number;
    firstRotation: number;
    firstRotationByOperation: Record<string, number>;
    /** The retirement of a previous key whose overlap has passed (deactivated). */
    retirement: number;
    retirementByOperation: Record<string, number>;
  };
  notCounted: string;
  method: string;
  rotations: RotationRun[];
  retirements: RetirementRun[];
}

export interface RotationBurstResult {
  tenants: number;
  concurrency: number;
  iamWritesPerSecond: number;
  propagationMs: number;
  /** Tenants whose provisioning, or the rotation and retirement before the burst, failed (not in the burst). */
  notProvisioned: number;
  rotated: number;
  failed: number;
  /** `orgId: step: error` of each failed rotation (the first 20). */
  failures: string[];
  /** Failed rotations by step and error. */
  failuresBy: Record<string, number>;
  seconds: number;
  /** Each tenant's rotation, start to end. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Users by how many access keys they hold after the burst (`{ "2": 200 }`). */
  keysPerUser: Record<string, number>;
  /** Users holding exactly two active keys whose AWSCURRENT key is the new one and AWSPREVIOUS the one before. */
  currentAndPrevious: number;
  /** Throttles the layer answered; absorbed: those on calls that then succeeded (the SDK's retries). */
  throttles: number;
  throttlesAbsorbed: number;
  /** IAM calls that failed with Throttling after the SDK's attempts: each failed its rotation's step. */
  throttledCallsFailed: number;
  /** IAM write calls sent, the most in any one second. */
  peakIamWritesPerSecond: number;
  iamWriteCalls: number;
  /** The longest single step (a Lambda invocation), against the function's 90 s timeout. */
  longestStepMs: number;
}

interface StepTiming {
  event: TenantRotationEvent;
  ms: number;
}

/** Local mode's stand-in over the bench pipeline's (faulted, counted) function clients, each step timed. */
function benchStandIn(bench: BenchPipeline, onStep: (timing: StepTiming) => void): LocalSecretsRotation {
  const { pipeline } = bench;
  const { config } = pipeline;
  const fc = pipeline.functionClients;
  const clients = { iam: fc.iam, secretsManager: fc.secretsManager, eventBridge: fc.eventBridge, asTenant: fc.asTenant };
  const logger = createLogger();
  const functionName = `tenant-provisioner-${config.stage}-rotateTenantCredentials`;
  const handler = rotateTenantCredentialsHandler({ ...clients, config, logger });
  return new LocalSecretsRotation({
    // Secrets Manager's own bookkeeping: the operator-side client, neither counted nor faulted.
    secretsManager: pipeline.clients.secretsManager,
    functionClients: clients,
    config,
    stage: config.stage,
    logger,
    // The stand-in's own invocation, as its default does it, but timed and with the function's timeout.
    invoke: async (event) => {
      const deadline = Date.now() + ROTATION_FUNCTION_TIMEOUT_MS;
      const context = localLambdaContext(functionName, { region: config.region, accountId: config.accountId, remainingMs: () => Math.max(0, deadline - Date.now()) });
      const start = performance.now();
      try {
        return await runAsFunction('rotateTenantCredentials', () => handler(event, context));
      } finally {
        onStep({ event, ms: performance.now() - start });
      }
    },
  });
}

/** Provisions each org through the real router and workflow at once (fault layer off); the ones that succeeded. */
async function provisionTenants(bench: BenchPipeline, orgIds: string[]): Promise<string[]> {
  const { pipeline } = bench;
  const outcomes = await Promise.allSettled(
    orgIds.map(async (orgId) => {
      const routed = await pipeline.send('OrgCreated', { orgId, orgName: `Rotation ${orgId}` });
      if (routed.action !== 'started' || !routed.executionName) throw new Error(`not started: ${routed.action}`);
      const record = await pipeline.executions.waitFor('provision', routed.executionName, { timeoutMs: 600_000 });
      if (record.status !== 'SUCCEEDED') throw new Error(`provision ${record.status} at ${record.failedState ?? '?'}: ${record.error ?? ''}`);
      return orgId;
    }),
  );
  await pipeline.executions.idle();
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'rejected') say(`rotation: ${orgIds[i]} was not provisioned: ${outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)}`);
  });
  return outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
}

const emptySteps = (): StepsMs => ({ createSecret: 0, setSecret: 0, testSecret: 0, finishSecret: 0 });

async function rotateTimed(bench: BenchPipeline, orgId: string, kind: RotationRun['kind'], steps: Map<string, StepsMs>): Promise<RotationRun> {
  const { pipeline, faults, counter } = bench;
  const { secretName } = tenantNames(orgId, LOCAL_REGION, pipeline.config);
  const standIn = benchStandIn(bench, ({ event, ms }) => {
    const own = steps.get(event.ClientRequestToken) ?? emptySteps();
    own[event.Step] += ms;
    steps.set(event.ClientRequestToken, own);
  });
  counter.reset();
  const refusalsBefore = faults.refusals.length;
  const start = performance.now();
  const outcome = await standIn.rotate(secretName);
  const ms = performance.now() - start;
  const counts = counter.snapshot();
  const keyId = outcome.accessKeyId ?? '';
  const refused = faults.refusals.slice(refusalsBefore).filter((r) => r.kind === 'key' && r.subject === keyId);
  const accepted = faults.firstAcceptedAt.get(keyId);
  const created = faults.propagation.createdAtOf(keyId);
  const stepsMs = steps.get(outcome.versionId) ?? emptySteps();
  const stepsTotal = ROTATION_STEPS.reduce((sum, step) => sum + stepsMs[step], 0);
  return {
    orgId,
    kind,
    ms: round(ms, 0),
    stepsMs: Object.fromEntries(ROTATION_STEPS.map((step) => [step, round(stepsMs[step], 0)])) as StepsMs,
    standInMs: round(ms - stepsTotal, 0),
    keyWaitMs: refused.length > 0 && accepted !== undefined ? Math.max(0, accepted - (refused[0]?.at ?? accepted)) : 0,
    keyRefusals: refused.length,
    ...(accepted !== undefined && created !== undefined ? { keyCreatedToAcceptedMs: accepted - created } : {}),
    awsRequestsByOperation: counts.calls,
    awsRequests: total(counts.calls),
    httpRequests: total(counts.attempts),
  };
}

/** The run whose `ms` is the median (the lower middle one for an even count). */
function medianRun<T extends { ms: number }>(runs: T[]): T | undefined {
  return [...runs].sort((a, b) => a.ms - b.ms)[Math.floor((runs.length - 1) / 2)];
}

export async function benchRotation(bench: BenchPipeline, options: { runs: number; runId: string }): Promise<RotationResult> {
  const { pipeline, faults, counter } = bench;
  await bench.resetEmulator();
  const orgIds = await provisionTenants(
    bench,
    Array.from({ length: options.runs }, (_, i) => `bench-${options.runId}-rot${String(i).padStart(2, '0')}`),
  );
  if (orgIds.length === 0) throw new Error('rotation: no tenant could be provisioned');
  const overlapDays = pipeline.config.previousKeyOverlapDays;
  const steps = new Map<string, StepsMs>();
  const rotations: RotationRun[] = [];
  const retirements: RetirementRun[] = [];
  for (const [i, orgId] of orgIds.entries()) {
    faults.reset();
    faults.enable();
    try {
      const first = await rotateTimed(bench, orgId, 'first', steps);
      rotations.push(first);
      // The daily retirement once the overlap has passed: the previous key is deactivated.
      const { secretName } = tenantNames(orgId, LOCAL_REGION, pipeline.config);
      const standIn = benchStandIn(bench, () => undefined);
      counter.reset();
      const start = performance.now();
      const retired = await standIn.retirePrevious(secretName, { now: new Date(Date.now() + (overlapDays + 1) * DAY_MS) });
      const retireMs = performance.now() - start;
      const counts = counter.snapshot();
      retirements.push({ orgId, outcome: retired.outcome, ms: round(retireMs, 0), awsRequestsByOperation: counts.calls, awsRequests: total(counts.calls) });
      const later = await rotateTimed(bench, orgId, 'later', steps);
      rotations.push(later);
      say(
        `rotation: run ${i + 1}/${orgIds.length}: first ${(first.ms / 1000).toFixed(1)} s (key wait ${(first.keyWaitMs / 1000).toFixed(1)} s), ` +
          `retirement ${retired.outcome} in ${Math.round(retireMs)} ms, later ${(later.ms / 1000).toFixed(1)} s (key wait ${(later.keyWaitMs / 1000).toFixed(1)} s)`,
      );
    } finally {
      faults.enable(false);
    }
  }
  const firsts = rotations.filter((r) => r.kind === 'first');
  const laters = rotations.filter((r) => r.kind === 'later');
  const typical = medianRun(laters) as RotationRun;
  const typicalFirst = medianRun(firsts) as RotationRun;
  const deactivated = retirements.filter((r) => r.outcome === 'deactivated');
  const typicalRetirement = medianRun(deactivated.length > 0 ? deactivated : retirements) as RetirementRun;
  return {
    runs: orgIds.length,
    propagationMs: faults.propagationMs,
    timeToRotatedMs: round(median(laters.map((r) => r.ms)), 0),
    firstRotationMs: round(median(firsts.map((r) => r.ms)), 0),
    breakdown: {
      stepsMs: typical.stepsMs,
      keyWaitMs: typical.keyWaitMs,
      keyRefusals: typical.keyRefusals,
      standInMs: typical.standInMs,
      ...(typical.keyCreatedToAcceptedMs === undefined ? {} : { keyCreatedToAcceptedMs: typical.keyCreatedToAcceptedMs }),
    },
    awsRequests: {
      rotation: typical.awsRequests,
      rotationByOperation: typical.awsRequestsByOperation,
      rotationRefused: typical.keyRefusals,
      firstRotation: typicalFirst.awsRequests,
      firstRotationByOperation: typicalFirst.awsRequestsByOperation,
      retirement: typicalRetirement.awsRequests,
      retirementByOperation: typicalRetirement.awsRequestsByOperation,
    },
    notCounted: ROTATION_NOT_COUNTED,
    method: ROTATION_METHOD,
    rotations,
    retirements,
  };
}

/** The most timestamps (ms) in any window of `windowMs`. */
export function peakInWindow(times: number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= windowMs) from++;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}

const IAM_RECORDER = 'benchRotationIamCalls';

interface IamCall {
  at: number;
  operation: string;
  /** The error's name when the call failed (after the SDK's attempts), with its attempts. */
  error?: string;
  attempts?: number;
}

/** Records each IAM call the functions make (start, and the error it ended with) until `stop`. */
function recordIamCalls(bench: BenchPipeline): { calls: IamCall[]; stop(): void } {
  const calls: IamCall[] = [];
  const stack = bench.pipeline.functionClients.iam.middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const call: IamCall = { at: Date.now(), operation: `IAM.${(context.commandName ?? '').replace(/Command$/, '')}` };
      calls.push(call);
      try {
        return await next(args);
      } catch (err) {
        call.error = err instanceof Error ? err.name : String(err);
        call.attempts = (err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        throw err;
      }
    },
    { step: 'initialize', name: IAM_RECORDER, priority: 'high', override: true },
  );
  return { calls, stop: () => void stack.remove(IAM_RECORDER) };
}

/** What each user holds after the burst: keys per user, and whether AWSCURRENT is the new key and AWSPREVIOUS the one before, both active. */
async function keysAfter(bench: BenchPipeline, orgIds: string[], rotatedKeys: Map<string, { current?: string; previous?: string }>) {
  const { pipeline } = bench;
  const keysPerUser: Record<string, number> = {};
  let currentAndPrevious = 0;
  await pooled(orgIds.length, 8, async (i) => {
    const orgId = orgIds[i] as string;
    const { userName, secretName } = tenantNames(orgId, LOCAL_REGION, pipeline.config);
    const keys: { id: string; status: string }[] = [];
    for await (const page of paginateListAccessKeys({ client: pipeline.clients.iam }, { UserName: userName })) {
      for (const key of page.AccessKeyMetadata ?? []) keys.push({ id: key.AccessKeyId ?? '', status: key.Status ?? '' });
    }
    keysPerUser[String(keys.length)] = (keysPerUser[String(keys.length)] ?? 0) + 1;
    const read = async (stage: string) =>
      parseTenantSecret((await pipeline.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: stage }))).SecretString)?.accessKeyId;
    const expected = rotatedKeys.get(orgId);
    const [current, previous] = [await read('AWSCURRENT'), await read('AWSPREVIOUS').catch(() => undefined)];
    const active = (id: string | undefined) => keys.some((key) => key.id === id && key.status === 'Active');
    if (keys.length === 2 && expected?.current === current && expected?.previous === previous && active(current) && active(previous)) currentAndPrevious += 1;
  });
  return { keysPerUser: Object.fromEntries(Object.entries(keysPerUser).sort(([a], [b]) => Number(a) - Number(b))), currentAndPrevious };
}

export async function benchRotationBurst(bench: BenchPipeline, options: { tenants: number; concurrency: number; runId: string }): Promise<RotationBurstResult> {
  const { pipeline, faults } = bench;
  await bench.resetEmulator();
  const wanted = Array.from({ length: options.tenants }, (_, i) => `bench-${options.runId}-rb${String(i).padStart(4, '0')}`);
  say(`rotationBurst: provisioning ${options.tenants} tenants (fault layer off)`);
  const provisioned = await provisionTenants(bench, wanted);
  // The steady state, every rotationDays: each tenant rotated once before and its previous key
  // retired, so the burst's createSecret deletes that key and makes a new one (two IAM writes).
  // Made with the fault layer off (no waits), by the same stand-in and handler.
  say(`rotationBurst: rotating each once and retiring its previous key (fault layer off), for the steady state`);
  const prepare = benchStandIn(bench, () => undefined);
  const retireAt = new Date(Date.now() + (pipeline.config.previousKeyOverlapDays + 1) * DAY_MS);
  const unprepared: string[] = [];
  await pooled(provisioned.length, 16, async (i) => {
    const { secretName } = tenantNames(provisioned[i] as string, LOCAL_REGION, pipeline.config);
    try {
      await prepare.rotate(secretName);
      const retired = await prepare.retirePrevious(secretName, { now: retireAt });
      if (retired.outcome !== 'deactivated') throw new Error(`retirement ${retired.outcome}`);
    } catch (err) {
      unprepared.push(provisioned[i] as string);
      say(`rotationBurst: ${provisioned[i] ?? ''} could not be prepared: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const orgIds = provisioned.filter((orgId) => !unprepared.includes(orgId));
  const beforeKeys = new Map<string, string | undefined>();
  await pooled(orgIds.length, 8, async (i) => {
    const { secretName } = tenantNames(orgIds[i] as string, LOCAL_REGION, pipeline.config);
    const { SecretString } = await pipeline.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: 'AWSCURRENT' }));
    beforeKeys.set(orgIds[i] as string, parseTenantSecret(SecretString)?.accessKeyId);
  });

  let longestStepMs = 0;
  const standIn = benchStandIn(bench, ({ ms }) => (longestStepMs = Math.max(longestStepMs, ms)));
  const durations: number[] = [];
  const failures: string[] = [];
  const failuresBy: Record<string, number> = {};
  const rotatedKeys = new Map<string, { current?: string; previous?: string }>();
  faults.reset();
  faults.enable();
  const iam = recordIamCalls(bench);
  const start = Date.now();
  let done = 0;
  const progress = setInterval(() => say(`rotationBurst: ${Math.round((Date.now() - start) / 1000)} s, ${done}/${orgIds.length} done, ${failures.length} failed, ${faults.count('throttle')} throttles`), 30_000);
  try {
    await pooled(orgIds.length, options.concurrency, async (i) => {
      const orgId = orgIds[i] as string;
      const { secretName } = tenantNames(orgId, LOCAL_REGION, pipeline.config);
      const began = Date.now();
      try {
        const outcome = await standIn.rotate(secretName);
        durations.push(Date.now() - began);
        rotatedKeys.set(orgId, { ...(outcome.accessKeyId ? { current: outcome.accessKeyId } : {}), ...(beforeKeys.get(orgId) ? { previous: beforeKeys.get(orgId) } : {}) });
      } catch (err) {
        const step = err instanceof LocalRotationFailedError ? err.step : 'before the steps';
        const cause = err instanceof LocalRotationFailedError ? err.cause : err;
        const name = cause instanceof Error ? cause.name : String(cause);
        failuresBy[`${step}: ${name}`] = (failuresBy[`${step}: ${name}`] ?? 0) + 1;
        failures.push(`${orgId}: ${step}: ${name}: ${cause instanceof Error ? cause.message.slice(0, 200) : ''}`);
      } finally {
        done += 1;
      }
    });
  } finally {
    clearInterval(progress);
    iam.stop();
    faults.enable(false);
  }
  const seconds = (Date.now() - start) / 1000;
  const { keysPerUser, currentAndPrevious } = await keysAfter(bench, orgIds, rotatedKeys);
  const throttles = faults.count('throttle');
  const failedThrottled = iam.calls.filter((call) => call.error === 'Throttling' || call.error === 'ThrottlingException');
  const writes = iam.calls.filter((call) => isIamWrite(call.operation));
  const result: RotationBurstResult = {
    tenants: options.tenants,
    concurrency: options.concurrency,
    iamWritesPerSecond: faults.iamWritesPerSecond,
    propagationMs: faults.propagationMs,
    notProvisioned: options.tenants - orgIds.length,
    rotated: durations.length,
    failed: orgIds.length - durations.length,
    failures: failures.slice(0, 20),
    failuresBy,
    seconds: round(seconds, 1),
    p50Ms: round(percentile(durations, 50), 0),
    p99Ms: round(percentile(durations, 99), 0),
    maxMs: round(percentile(durations, 100), 0),
    keysPerUser,
    currentAndPrevious,
    throttles,
    throttlesAbsorbed: throttles - failedThrottled.reduce((sum, call) => sum + (call.attempts ?? 1), 0),
    throttledCallsFailed: failedThrottled.length,
    peakIamWritesPerSecond: peakInWindow(writes.map((call) => call.at)),
    iamWriteCalls: writes.length,
    longestStepMs: round(longestStepMs, 0),
  };
  say(
    `rotationBurst: ${result.rotated}/${orgIds.length} rotated, ${result.failed} failed in ${result.seconds} s; per tenant p50 ${(result.p50Ms / 1000).toFixed(1)} s, p99 ${(result.p99Ms / 1000).toFixed(1)} s; ` +
      `keys per user ${JSON.stringify(keysPerUser)}; ${throttles} throttles (${result.throttlesAbsorbed} absorbed); IAM writes peak ${result.peakIamWritesPerSecond}/s`,
  );
  for (const failure of result.failures.slice(0, 5)) say(`  ${failure}`);
  return result;
}
