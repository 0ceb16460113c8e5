import type { Config } from './lib/config';
import { InvalidEventError } from './lib/errors';
import { parseOrgDeletedDetail } from './lib/events';
import { bucketNameViolation } from './lib/s3-names';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { splitLedgerRun, splitPrefixTenancy, tenantRef } from './lib/tenant';
import type { ExecutionRef, KeptBucket, TeardownContinuation, TeardownPlan } from './lib/types';

export interface PrepareTeardownInput {
  /** The execution input: an OrgDeleted detail, plus `settleSeconds`, `bucketName` and the run from the ledger. */
  event: unknown;
  execution: ExecutionRef;
}

const MAX_SETTLE_SECONDS = 900;

/**
 * Checks the teardown input against the OrgDeleted schema and derives the tenant's names
 * (as ValidateOrg does for provisioning), in the region the ledger recorded, with the bucket it
 * recorded, and the waits: `settleSeconds` after a stopped provisioning or restore run, and the
 * retention period in seconds; for a continued teardown, the state its bucket-deletion loop goes on
 * with (`continuation`). Pure: no AWS call.
 * @throws InvalidOrgIdError / InvalidEventError for a malformed input.
 */
export async function prepareTeardown(input: PrepareTeardownInput, deps: { config: Config }): Promise<TeardownPlan> {
  const { config } = deps;
  const raw = input.event;
  // A non-object input gets the schema's own message ("detail must be a JSON object").
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) parseOrgDeletedDetail(raw);
  const { run, rest: detailAndTenancy } = splitLedgerRun(raw as Record<string, unknown>, 'teardown-tenant');
  const { shared, rest } = splitPrefixTenancy(detailAndTenancy, 'teardown-tenant');
  const { settleSeconds: rawSettle, bucketName, continuation: rawContinuation, keep: rawKeep, ...detailFields } = rest as {
    settleSeconds?: unknown;
    bucketName?: unknown;
    continuation?: unknown;
    keep?: unknown;
  };
  const detail = parseOrgDeletedDetail(detailFields);
  if (bucketName !== undefined && (typeof bucketName !== 'string' || bucketNameViolation(bucketName) !== undefined)) {
    throw new InvalidEventError(`Invalid teardown input: bucketName ${JSON.stringify(bucketName)} is not a bucket name`);
  }
  const settleSeconds = rawSettle ?? 0;
  if (typeof settleSeconds !== 'number' || !Number.isInteger(settleSeconds) || settleSeconds < 0 || settleSeconds > MAX_SETTLE_SECONDS) {
    throw new InvalidEventError(`Invalid teardown input: settleSeconds must be a whole number from 0 to ${MAX_SETTLE_SECONDS}`);
  }
  const retentionDays = detail.retentionDays ?? config.defaultRetentionDays;
  const continuation = rawContinuation === undefined ? undefined : parseContinuation(rawContinuation);
  const keep = rawKeep === undefined ? undefined : parseKeep(rawKeep);
  return {
    tenant: { ...tenantRef(detail, input.execution, config, 'OrgDeleted', run, shared), ...(bucketName === undefined ? {} : { bucket: bucketName }) },
    settleSeconds,
    retentionDays,
    retentionSeconds: retentionDays * 86_400,
    ...(continuation ? { continuation } : {}),
    ...(keep ? { keep } : {}),
  };
}

/** The bucket a teardown's last part deletes, and when: as RecordTenantState `deleted` wrote it into this execution's input. */
function parseKeep(raw: unknown): KeptBucket {
  const { bucketName, until } = isObject(raw) ? raw : {};
  if (typeof bucketName !== 'string' || bucketNameViolation(bucketName) !== undefined) throw new InvalidEventError('Invalid teardown input: keep.bucketName must be a bucket name');
  if (typeof until !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(until) || Number.isNaN(Date.parse(until))) {
    throw new InvalidEventError('Invalid teardown input: keep.until must be an ISO 8601 UTC time (when the kept bucket is deleted)');
  }
  return { bucketName, until };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isDeletion = (value: unknown): boolean => isObject(value) && Array.isArray(value.deleted) && Array.isArray(value.skipped);

/**
 * The state a continued teardown goes on with, as RecordTenantState `continued` wrote it into this
 * execution's input: checked for the shape the loop and PublishOrgDeprovisioned rely on.
 */
function parseContinuation(raw: unknown): TeardownContinuation {
  const invalid = (what: string) => new InvalidEventError(`Invalid teardown input: continuation${what}`);
  if (!isObject(raw)) throw invalid(' must be an object');
  const { part, previous, revoked, deletedCredentials, deletedUser, deletedBucket } = raw;
  if (typeof part !== 'number' || !Number.isInteger(part) || part < 2) throw invalid('.part must be a whole number from 2');
  if (typeof previous !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(previous)) throw invalid('.previous must be an execution name');
  if (!isObject(revoked) || typeof revoked.bucketName !== 'string' || revoked.bucketName === '') throw invalid('.revoked must name the bucket being emptied (bucketName)');
  if (!isDeletion(deletedCredentials)) throw invalid('.deletedCredentials must list what was deleted and skipped');
  if (!isDeletion(deletedUser)) throw invalid('.deletedUser must list what was deleted and skipped');
  if (!isDeletion(deletedBucket) || !isObject(deletedBucket) || deletedBucket.done !== false || typeof deletedBucket.cursor !== 'string' || !isObject(deletedBucket.history)) {
    throw invalid('.deletedBucket must be a bucket deletion under way: done false, its cursor and history');
  }
  return raw as unknown as TeardownContinuation;
}

/** The Lambda handler over its dependencies: functions/lambda/prepare-teardown.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function prepareTeardownHandler(deps: Parameters<typeof prepareTeardown>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: PrepareTeardownInput) => prepareTeardown(event, deps));
}
