/**
 * Emptying a bucket (or a prefix of one) of every version and delete marker, walking its listing
 * once: the shared engine of DeleteTenantBucket's teardown and rollback, for tenant buckets and
 * prefix tenants alike.
 */
import {
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { errorName, TenantObjectsLockedError } from './errors';

/** Time kept in reserve: a round (list up to 4 pages, delete up to 4 batches) must fit in it. */
export const TIME_RESERVE_MS = 20_000;
/** S3's limit of keys per DeleteObjects call (and per ListObjectVersions page). */
export const DELETE_BATCH_SIZE = 1000;
export const MAX_CONCURRENT_BATCHES = 4;
/** How many undeletable versions a cursor keeps as examples, and how many are examined for why. */
const SAMPLES_KEPT = 5;
const SAMPLES_EXAMINED = 3;
/**
 * Passes one invocation may begin: on S3 a walk needs two (the second finds the listing empty, or
 * only refused versions); more means the listing keeps changing under it (the emulator's lost
 * entries, or something still writing), and the state machine calls again rather than one call
 * looping out of sight.
 */
const PASSES_PER_INVOCATION = 3;

/** Per-key DeleteObjects errors that say "try again", not "never": they do not make versions locked. */
const TRANSIENT_KEY_ERRORS: ReadonlySet<string> = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable', 'RequestTimeout', 'OperationAborted']);

/**
 * Transient: a pass deleted nothing, and some of what S3 refused it refused for now (InternalError,
 * SlowDown, …): the generic retrier calls again with backoff (the cursor starts that pass again).
 */
export class TenantBucketNotEmptiedError extends Error {
  override readonly name = 'TenantBucketNotEmptiedError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A version as messages name it: its key (at most 100 characters) and version id. */
function versionLabel(version: { key: string; versionId?: string }): string {
  return `${JSON.stringify(version.key.slice(0, 100))}${version.versionId ? ` version ${version.versionId}` : ''}`;
}

/** The sampled refusals, for a message: each version and S3's answer for it. */
function describeRefusals(samples: UndeletableVersion[]): string {
  return samples.map((e) => `${versionLabel(e)}: ${e.code}${e.message ? ` (${e.message})` : ''}`).join('; ');
}

/** A version DeleteObjects refused to delete, as the report shows it. */
export interface UndeletableVersion {
  key: string;
  versionId?: string;
  code: string;
  message?: string;
}

/**
 * Where the walk through the listing is: it goes on after (`keyMarker`, `versionIdMarker`), so
 * every version is listed about once. A pass ends at the end of the listing; another pass follows
 * only when the pass deleted something (S3's listing by marker is exact, but the local emulator's
 * loses entries when paged while deleting: another pass finds them), and a pass that deleted
 * nothing while versions remain ends the walk with TenantObjectsLockedError.
 */
export interface WalkCursor {
  objectsDeleted: number;
  keyMarker?: string;
  versionIdMarker?: string;
  /** This pass so far. */
  passDeleted: number;
  passUndeletable: number;
  /** Of those, refused for now (a transient per-key error), not for good. */
  passRetryable: number;
  samples: UndeletableVersion[];
  /** Passes completed. */
  passes: number;
  /** ListObjectVersions and DeleteObjects requests sent so far (the bench's requests per 1,000 versions). */
  requests: number;
}

const START: WalkCursor = { objectsDeleted: 0, passDeleted: 0, passUndeletable: 0, passRetryable: 0, samples: [], passes: 0, requests: 0 };

const wholeNumber = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The cursor a previous invocation returned ("" or null: the start; a malformed one: the start too, which only lists again). */
export function parseWalkCursor(cursor: string | null | undefined): WalkCursor {
  if (!cursor) return { ...START, samples: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    return { ...START, samples: [] };
  }
  if (!parsed || typeof parsed !== 'object') return { ...START, samples: [] };
  const fields = parsed as Record<string, unknown>;
  const keyMarker = text(fields.keyMarker);
  const versionIdMarker = text(fields.versionIdMarker);
  const samples = (Array.isArray(fields.samples) ? (fields.samples as unknown[]) : [])
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object' && typeof (e as Record<string, unknown>).key === 'string')
    .slice(0, SAMPLES_KEPT)
    .map((e) => {
      const versionId = text(e.versionId);
      const message = text(e.message);
      return { key: e.key as string, ...(versionId === undefined ? {} : { versionId }), code: text(e.code) ?? 'error', ...(message === undefined ? {} : { message }) };
    });
  return {
    objectsDeleted: wholeNumber(fields.objectsDeleted),
    ...(keyMarker === undefined ? {} : { keyMarker }),
    ...(keyMarker === undefined || versionIdMarker === undefined ? {} : { versionIdMarker }),
    passDeleted: wholeNumber(fields.passDeleted),
    passUndeletable: wholeNumber(fields.passUndeletable),
    passRetryable: wholeNumber(fields.passRetryable),
    samples,
    passes: wholeNumber(fields.passes),
    requests: wholeNumber(fields.requests),
  };
}

type Target = { Bucket: string; ExpectedBucketOwner: string };

/**
 * One round's listing: up to MAX_CONCURRENT_BATCHES pages of versions and delete markers from the
 * cursor on, all listed before any is deleted; `next` is where the round ended (undefined: the end
 * of the listing).
 */
async function listRound(s3: S3Client, target: Target, prefix: string | undefined, cursor: WalkCursor): Promise<{ objects: ObjectIdentifier[]; next?: { keyMarker: string; versionIdMarker?: string } }> {
  const objects = new Map<string, ObjectIdentifier>();
  let markers: { KeyMarker?: string; VersionIdMarker?: string } =
    cursor.keyMarker === undefined ? {} : { KeyMarker: cursor.keyMarker, ...(cursor.versionIdMarker === undefined ? {} : { VersionIdMarker: cursor.versionIdMarker }) };
  for (let page = 0; page < MAX_CONCURRENT_BATCHES; page++) {
    const listing = await s3.send(new ListObjectVersionsCommand({ ...target, MaxKeys: DELETE_BATCH_SIZE, ...(prefix === undefined ? {} : { Prefix: prefix }), ...markers }));
    cursor.requests++;
    const before = objects.size;
    for (const entry of [...(listing.Versions ?? []), ...(listing.DeleteMarkers ?? [])]) {
      if (entry.Key !== undefined) objects.set(JSON.stringify([entry.Key, entry.VersionId]), { Key: entry.Key, VersionId: entry.VersionId });
    }
    if (!listing.IsTruncated || listing.NextKeyMarker === undefined) return { objects: [...objects.values()] };
    markers = { KeyMarker: listing.NextKeyMarker, ...(listing.NextVersionIdMarker === undefined ? {} : { VersionIdMarker: listing.NextVersionIdMarker }) };
    // A listing that ignores the markers repeats its first page: end the round rather than delete twice.
    if (objects.size === before) break;
  }
  return { objects: [...objects.values()], next: { keyMarker: markers.KeyMarker as string, ...(markers.VersionIdMarker === undefined ? {} : { versionIdMarker: markers.VersionIdMarker }) } };
}

/**
 * Deletes `objects` in concurrent batches of at most DELETE_BATCH_SIZE. Versions S3 refuses one
 * by one (Object Lock retention or legal hold, MFA delete: a per-key AccessDenied) are returned,
 * not thrown: they do not stop the walk. A batch whose request fails does not hide the others:
 * when some succeeded, `failure` is set (the round is listed again); when none did, it is thrown
 * (the state machine retries with backoff).
 */
async function deleteInBatches(s3: S3Client, target: Target, objects: ObjectIdentifier[], cursor: WalkCursor): Promise<{ deleted: number; refused: UndeletableVersion[]; failure?: unknown }> {
  const batches: ObjectIdentifier[][] = [];
  for (let i = 0; i < objects.length; i += DELETE_BATCH_SIZE) batches.push(objects.slice(i, i + DELETE_BATCH_SIZE));
  cursor.requests += batches.length;
  const settled = await Promise.allSettled(batches.map((batch) => s3.send(new DeleteObjectsCommand({ ...target, Delete: { Objects: batch, Quiet: true } }))));
  let deleted = 0;
  let failure: unknown;
  const refused: UndeletableVersion[] = [];
  settled.forEach((result, i) => {
    if (result.status === 'rejected') {
      failure ??= result.reason;
      return;
    }
    const keyErrors = result.value.Errors ?? [];
    for (const e of keyErrors) refused.push({ key: e.Key ?? '', ...(e.VersionId ? { versionId: e.VersionId } : {}), code: e.Code ?? 'error', ...(e.Message ? { message: e.Message } : {}) });
    deleted += (batches[i]?.length ?? 0) - keyErrors.length;
  });
  if (failure !== undefined && deleted === 0 && refused.length === 0) throw failure;
  return { deleted, refused, ...(failure === undefined ? {} : { failure }) };
}

/**
 * Why the versions in `samples` cannot be deleted, as far as S3 says: each one's Object Lock
 * retention (mode and until when) and legal hold, and whether the bucket has MFA delete. Best
 * effort: a question S3 will not answer (no Object Lock on the bucket, a permission) is left out.
 */
async function whyUndeletable(s3: S3Client, target: Target, samples: UndeletableVersion[], now: Date): Promise<string[]> {
  const quietly = async <T>(ask: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await ask();
    } catch {
      return undefined;
    }
  };
  const reasons: string[] = [];
  const versioning = await quietly(() => s3.send(new GetBucketVersioningCommand(target)));
  if (versioning?.MFADelete === 'Enabled') reasons.push('the bucket has MFA delete enabled: only its owner, with the MFA device, can delete versions (or turn MFA delete off)');
  for (const sample of samples.slice(0, SAMPLES_EXAMINED)) {
    const version = { ...target, Key: sample.key, ...(sample.versionId ? { VersionId: sample.versionId } : {}) };
    const [retention, hold] = await Promise.all([quietly(() => s3.send(new GetObjectRetentionCommand(version))), quietly(() => s3.send(new GetObjectLegalHoldCommand(version)))]);
    const what = versionLabel(sample);
    const mode = retention?.Retention?.Mode;
    const until = retention?.Retention?.RetainUntilDate;
    if (mode && until && until.getTime() > now.getTime()) {
      reasons.push(`${what} is under ${mode} retention until ${until.toISOString()}${mode === 'GOVERNANCE' ? ' (someone allowed s3:BypassGovernanceRetention may delete it sooner)' : ' (nobody can delete it sooner)'}`);
    }
    if (hold?.LegalHold?.Status === 'ON') reasons.push(`${what} is under a legal hold (lift it with PutObjectLegalHold Status=OFF)`);
  }
  return reasons;
}

/** The error of a walk that left only versions S3 will not delete: how many, why, a sample, and what to do. */
async function lockedError(s3: S3Client, target: Target, where: string, cursor: WalkCursor, now: Date): Promise<TenantObjectsLockedError> {
  const reasons = await whyUndeletable(s3, target, cursor.samples, now);
  const sample = describeRefusals(cursor.samples);
  return new TenantObjectsLockedError(
    `${cursor.passUndeletable} version(s) in ${where} cannot be deleted, and nothing else is left (${cursor.objectsDeleted} deleted)` +
      `${reasons.length > 0 ? `: ${reasons.join('; ')}` : ': S3 named no retention, legal hold or MFA delete for the sample; look at the bucket policy and its Object Lock settings'}. ` +
      `Sample: ${sample}. Lift what holds them, or wait until their retention ends, then redrive the execution`,
  );
}

export interface WalkDeps {
  /** Milliseconds left in this invocation. */
  remainingTimeMs: () => number;
  logger?: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

/**
 * One invocation's worth of the walk: rounds of listing from the cursor (under `prefix` when
 * given) and deleting, until a whole pass found the listing empty (`emptied`), the time budget
 * runs out or a round only partly succeeded (`continue`: the cursor says where to go on).
 * `cursor` is updated in place.
 * @throws TenantObjectsLockedError when a whole pass deleted nothing and versions remain.
 */
export async function walkAndDelete(s3: S3Client, target: Target, prefix: string | undefined, cursor: WalkCursor, deps: WalkDeps): Promise<'emptied' | 'continue'> {
  const where = prefix === undefined ? `bucket ${target.Bucket}` : `s3://${target.Bucket}/${prefix}`;
  const firstPass = cursor.passes;
  for (;;) {
    if (cursor.passes - firstPass >= PASSES_PER_INVOCATION) return 'continue';
    if (deps.remainingTimeMs() < TIME_RESERVE_MS) {
      deps.logger?.info('Time budget nearly spent; the state machine will continue the walk', { bucket: target.Bucket, prefix, objectsDeleted: cursor.objectsDeleted });
      return 'continue';
    }
    const { objects, next } = await listRound(s3, target, prefix, cursor);
    if (objects.length > 0) {
      const round = await deleteInBatches(s3, target, objects, cursor);
      cursor.objectsDeleted += round.deleted;
      if (round.failure !== undefined) {
        // Part of the round failed: keep the count, and list the round again (the markers stay).
        deps.logger?.warn('Some DeleteObjects batches failed; the round is listed again', { bucket: target.Bucket, prefix, error: errorName(round.failure) });
        return 'continue';
      }
      cursor.passDeleted += round.deleted;
      cursor.passUndeletable += round.refused.length;
      cursor.passRetryable += round.refused.filter((e) => TRANSIENT_KEY_ERRORS.has(e.code)).length;
      cursor.samples = [...cursor.samples, ...round.refused].slice(0, SAMPLES_KEPT);
      if (round.refused.length > 0) deps.logger?.warn('S3 refused to delete some versions; the walk goes on', { bucket: target.Bucket, prefix, refused: round.refused.length, sample: round.refused[0] });
    }
    if (next) {
      cursor.keyMarker = next.keyMarker;
      if (next.versionIdMarker === undefined) delete cursor.versionIdMarker;
      else cursor.versionIdMarker = next.versionIdMarker;
      continue;
    }
    // The end of the listing: the pass is over.
    if (cursor.passDeleted === 0 && cursor.passUndeletable === 0) return 'emptied';
    if (cursor.passDeleted === 0) {
      // Thrown, the cursor is not handed on: a call after the state machine's backoff (or a
      // redrive) goes on from the last one it returned.
      if (cursor.passRetryable > 0) {
        throw new TenantBucketNotEmptiedError(`DeleteObjects deleted none of the ${cursor.passUndeletable} version(s) left in ${where}, ${cursor.passRetryable} of them refused for now: ${describeRefusals(cursor.samples)}`);
      }
      throw await lockedError(s3, target, where, cursor, deps.now?.() ?? new Date());
    }
    // It deleted something: walk again from the start, for what it refused or did not see.
    Object.assign(cursor, { passDeleted: 0, passUndeletable: 0, passRetryable: 0, samples: [], passes: cursor.passes + 1 });
    delete cursor.keyMarker;
    delete cursor.versionIdMarker;
  }
}
