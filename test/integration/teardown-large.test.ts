/**
 * Teardown of a tenant whose versioned bucket holds 5,000 objects, each with two versions and
 * a delete marker on top (15,000 entries), through the real router, ASL and handlers against the
 * emulator: everything goes, and OrgDeprovisioned counts every version and marker deleted.
 *
 * Each DeleteTenantBucket invocation gets a 22 s time budget (its reserve is 20 s), so it
 * starts one round (list up to 4,000 entries, delete them) and then hands back to the state
 * machine's loop with its cursor, as a Lambda near its timeout would: the loop and the
 * cursor's running count are exercised too. And the stage continues a teardown in a new execution
 * after every second invocation (TEARDOWN_CONTINUE_AT_EVENTS, as a bucket too big for one
 * execution's history would at 15,000): the teardown runs as a chain of executions the ledger
 * records, each linked to the one before and after it, and still deletes exactly everything.
 *
 * Duration: the emulator handles one request at a time at ~6 ms of CPU each, so writing the
 * 10,000 versions takes ~65 s on an idle 2-core machine; the markers come from DeleteObjects
 * batches of 1,000 keys, which cost little.
 */
import {
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  NotFound,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { EVENTS_BEFORE_LOOP_BOUND, EVENTS_PER_LOOP_BOUND } from '../../functions/lib/history-budget';
import { tenantNames } from '../../functions/lib/naming';
import type { LocalPipeline } from '../../local/pipeline';
import { LOCAL_REGION } from '../../local/stack';
import { installFaults, type FaultInjector } from '../support/fault-injection';
import { integrationPipeline } from './integration-pipeline';

jest.setTimeout(900_000);

const OBJECTS = 5_000;
const VERSIONS = 2;
/** Every MARKER_EVERY-th object also gets a delete marker on top of its versions. */
const MARKER_EVERY = 1;
/** The emulator serves requests one at a time (~150 PutObject/s here): more in flight only queue. */
const IN_FLIGHT = 16;

let pipeline: LocalPipeline;
/** Records the functions' PutEvents calls (what the workflow emitted), without draining the shared events queue. */
let recorder: FaultInjector;

/** Longer than the 2 s between the invocation's budget (22 s) and its reserve (20 s). */
const ROUND_MIN_MS = 2_100;

beforeAll(async () => {
  pipeline = await integrationPipeline({ remainingTimeMs: 22_000, teardownContinueAtEvents: EVENTS_BEFORE_LOOP_BOUND + 2 * EVENTS_PER_LOOP_BOUND });
  recorder = installFaults([pipeline.functionClients.eventBridge]);
  // The walk hands back to the state machine when its time is nearly spent, so one round per
  // invocation needs a round that outlasts the 2 s left: moto's does (one request at a time,
  // ~6 ms each), LocalStack deletes 4,000 versions in well under that and would empty the bucket
  // in one invocation, never continuing. The functions' DeleteObjects (sent concurrently, one
  // round's batches at once) each take ROUND_MIN_MS here, whichever emulator answers.
  pipeline.functionClients.s3For(LOCAL_REGION).middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteObjectsCommand') await new Promise((resolve) => setTimeout(resolve, ROUND_MIN_MS));
      return next(args);
    },
    { step: 'initialize', name: 'slowDeleteRound' },
  );
});

afterAll(async () => {
  await pipeline?.executions.idle();
  recorder?.uninstall();
  await pipeline?.stop();
});

/** Runs `work` for 0..count-1 with at most `limit` in flight. */
async function pooled(count: number, limit: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Every version and delete marker in the bucket (listed to the end before anything is deleted). */
async function countVersions(bucket: string): Promise<{ versions: number; markers: number }> {
  let versions = 0;
  let markers = 0;
  let page: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const listing = await pipeline.clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000, ...page }));
    versions += listing.Versions?.length ?? 0;
    markers += listing.DeleteMarkers?.length ?? 0;
    if (!listing.IsTruncated) return { versions, markers };
    page = { KeyMarker: listing.NextKeyMarker, VersionIdMarker: listing.NextVersionIdMarker };
  }
}

describe('teardown of a large versioned tenant bucket', () => {
  it(`deletes ${OBJECTS} objects × ${VERSIONS} versions and a delete marker each, and leaves nothing behind`, async () => {
    const started = Date.now();
    const orgId = `tl-${Date.now().toString(36).slice(-5)}`;
    const names = tenantNames(orgId, LOCAL_REGION, pipeline.config);
    const bucket = names.bucketCandidates[0] as string;
    const { s3 } = pipeline.clients;
    // The loader skips the SDK's optional CRC32 on each upload (the emulator would verify it too).
    const loader = new S3Client({
      endpoint: pipeline.emulator.endpoint,
      region: LOCAL_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local-emulator', secretAccessKey: 'local-emulator' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });

    const created = await pipeline.send('OrgCreated', { orgId, orgName: 'Large Tenant Ltd' });
    expect((await pipeline.executions.waitFor('provision', created.executionName as string)).status).toBe('SUCCEEDED');

    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const key = (i: number) => `data/${String(i).padStart(5, '0')}.json`;
    await pooled(OBJECTS * VERSIONS, IN_FLIGHT, (n) => {
      const i = n % OBJECTS;
      return loader.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: JSON.stringify({ i, version: Math.floor(n / OBJECTS) + 1 }) }));
    });
    const markedKeys = Array.from({ length: OBJECTS / MARKER_EVERY }, (_, j) => key(j * MARKER_EVERY));
    for (let i = 0; i < markedKeys.length; i += 1000) {
      const batch = markedKeys.slice(i, i + 1000).map((Key) => ({ Key }));
      const marked = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: false } }));
      expect(marked.Errors ?? []).toEqual([]);
    }

    const before = await countVersions(bucket);
    expect(before).toEqual({ versions: OBJECTS * VERSIONS, markers: markedKeys.length });
    const filled = Date.now();

    const routed = await pipeline.send('OrgDeleted', { orgId, retentionDays: 0 });
    expect(routed).toMatchObject({ action: 'started', workflow: 'teardown' });
    // The teardown, execution after execution: each one the ledger records as the tenant's teardown.
    const parts: string[] = [routed.executionName as string];
    for (;;) {
      const record = await pipeline.executions.waitFor('teardown', parts.at(-1) as string, { timeoutMs: 300_000 });
      expect({ part: parts.at(-1), status: record.status, error: record.error, cause: record.cause }).toEqual({ part: parts.at(-1), status: 'SUCCEEDED', error: undefined, cause: undefined });
      const teardown = (await pipeline.ledger.get(names.slug))?.teardown;
      if (teardown?.name === parts.at(-1)) break;
      // Linked both ways: this execution's output names the next, whose input names this one.
      expect(record.output).toMatchObject({ continued: { continuedIn: { executionName: teardown?.name } } });
      expect(teardown?.input).toMatchObject({ continuation: { part: parts.length + 1, previous: parts.at(-1) } });
      parts.push(teardown?.name as string);
    }
    const tornDown = Date.now();
    const item = await pipeline.ledger.get(names.slug);
    expect(item).toMatchObject({ state: 'deleted', teardown: { name: parts.at(-1), part: parts.length, earlierParts: parts.slice(0, -1).map((name) => ({ name })) } });

    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toBeInstanceOf(NotFound);
    const residue = await pipeline.residue();
    expect({
      buckets: residue.buckets.filter((b) => names.bucketCandidates.includes(b)),
      users: residue.users.filter((u) => u === names.userName),
      accessKeys: residue.accessKeys.filter((k) => k.startsWith(`${names.userName}:`)),
      secrets: residue.secrets.filter((s) => s === names.secretName),
    }).toEqual({ buckets: [], users: [], accessKeys: [], secrets: [] });

    let invocations = 0;
    const retries: string[] = [];
    for (const part of parts) {
      const history = (await pipeline.executions.history('teardown', part)) ?? [];
      const here = history.filter((event) => event.type === 'StateEntered' && event.state === 'DeleteTenantBucket').length;
      // Each execution continues after its second invocation; the last may finish sooner.
      expect({ part, invocations: here <= 2 }).toEqual({ part, invocations: true });
      invocations += here;
      retries.push(...history.filter((event) => event.type === 'StateRetried').map((event) => `${event.state}: ${event.error}`));
    }
    process.stdout.write(
      `teardown-large: ${before.versions} versions + ${before.markers} delete markers written in ${((filled - started) / 1000).toFixed(1)} s, ` +
        `torn down in ${((tornDown - filled) / 1000).toFixed(1)} s over ${invocations} DeleteTenantBucket invocations in ${parts.length} executions` +
        `${retries.length > 0 ? `, retried: ${retries.join('; ')}` : ''}\n`,
    );
    expect(parts.length).toBeGreaterThanOrEqual(2);

    const deprovisioned = recorder.calls
      .filter((call) => call.operation === 'EventBridge.PutEvents' && call.outcome === 'ok')
      .flatMap((call) => (call.input as { Entries?: { DetailType?: string; Detail?: string }[] }).Entries ?? [])
      .filter((entry) => entry.DetailType === 'OrgDeprovisioned')
      .map((entry) => JSON.parse(entry.Detail ?? '{}') as { orgId?: string; bucket?: string; objectsDeleted?: number })
      .filter((detail) => detail.orgId === orgId);
    expect(deprovisioned).toEqual([expect.objectContaining({ bucket, objectsDeleted: expect.any(Number) })]);
    const expected = before.versions + before.markers;
    expect(deprovisioned[0]?.objectsDeleted).toBe(expected);
  });
});
