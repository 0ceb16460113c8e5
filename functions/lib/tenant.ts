import type { Config } from './config';
import { InvalidEventError, InvalidTenantPrefixError } from './errors';
import { tenantNames } from './naming';
import { bucketNameViolation, tenantPrefixViolation } from './s3-names';
import type { ExecutionRef, LedgerRun, ProvisionInput, TenantRef } from './types';

/**
 * The provision-tenant input of a schema-checked OrgCreated detail: only the fields the
 * workflow knows, so a retried identical event gives an identical input (and StartExecution
 * treats it idempotently).
 */
export function provisionInputOf(detail: { orgId: string; orgName?: string; region?: string }): ProvisionInput {
  return {
    orgId: detail.orgId,
    ...(detail.orgName === undefined ? {} : { orgName: detail.orgName }),
    ...(detail.region === undefined ? {} : { region: detail.region }),
  };
}

/** @throws InvalidEventError for a region the stage does not allow. */
export function assertAllowedRegion(region: string, config: Pick<Config, 'allowedRegions'>, eventName: string): void {
  if (!config.allowedRegions.includes(region)) {
    throw new InvalidEventError(`Invalid ${eventName}: region ${JSON.stringify(region)} is not allowed: must be one of ${config.allowedRegions.join(', ')}`);
  }
}

/**
 * The run the ledger put in an execution's input (`generation`, `runId`), with the rest of the
 * input apart. Executions started before the ledger carry none.
 * @throws InvalidEventError when either is there but malformed.
 */
export function splitLedgerRun<T extends Record<string, unknown>>(input: T, what: string): { run: Partial<LedgerRun>; rest: Omit<T, 'generation' | 'runId'> } {
  const { generation, runId, ...rest } = input;
  if (generation !== undefined && (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 1)) {
    throw new InvalidEventError(`Invalid ${what} input: generation must be a whole number from 1`);
  }
  if (runId !== undefined && (typeof runId !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(runId))) {
    throw new InvalidEventError(`Invalid ${what} input: runId must be 1–128 letters, digits, ".", "_" or "-"`);
  }
  return { run: { ...(generation === undefined ? {} : { generation }), ...(runId === undefined ? {} : { runId }) }, rest };
}

/**
 * The tenant an OrgCreated/OrgDeleted detail (already schema-checked) refers to, with every
 * name derived from it, as the workflow execution `execution` of the ledger's run `run` sees it.
 * A prefix tenant (`shared`: its shared bucket and prefix) is always in the stage's own region.
 * @throws InvalidEventError when the region is not one of the stage's allowed regions (for a prefix tenant: not the stage's).
 */
export function tenantRef(
  detail: { orgId: string; orgName?: string; region?: string },
  execution: ExecutionRef,
  config: Config,
  eventName: 'OrgCreated' | 'OrgDeleted',
  run: Partial<LedgerRun> = {},
  shared?: { prefix: string; bucket: string; held?: true },
): TenantRef {
  const region = detail.region ?? (shared ? config.region : (config.allowedRegions[0] ?? config.region));
  if (!shared) assertAllowedRegion(region, config, eventName);
  else if (region !== config.region) {
    throw new InvalidEventError(`Invalid ${eventName}: region ${JSON.stringify(region)} is not the region of the shared bucket ${shared.bucket} (${config.region}), where every prefix tenant of this stage is`);
  }
  const names = tenantNames(detail.orgId, region, config);
  return {
    ...(shared ? { tenancy: 'prefix' as const, bucket: shared.bucket, prefix: shared.prefix, ...(shared.held ? { prefixHeld: true as const } : {}) } : {}),
    orgId: detail.orgId,
    ...(detail.orgName === undefined ? {} : { orgName: detail.orgName }),
    slug: names.slug,
    region,
    provisionedBy: run.runId ?? execution.name,
    executionName: execution.name,
    ...(run.generation === undefined ? {} : { generation: run.generation }),
    startedAt: execution.startTime,
    bucketCandidates: names.bucketCandidates,
    userName: names.userName,
    userPath: names.userPath,
    secretName: names.secretName,
  };
}

/**
 * The prefix tenancy the ledger put in an execution's input (`tenancy`, `bucketName`, `prefix`,
 * and `prefixHeld` once its generation was active) as
 * the shared bucket and prefix {@link tenantRef} takes, with the rest of the input apart (its
 * `bucketName` taken out only for a prefix tenant); `shared` is undefined for a bucket tenant.
 * @throws InvalidEventError when `tenancy` is not "prefix" or the shared bucket is missing or malformed.
 * @throws InvalidTenantPrefixError when the prefix could not keep the tenant to itself.
 */
export function splitPrefixTenancy(
  input: Record<string, unknown>,
  what: string,
): { shared?: { prefix: string; bucket: string; held?: true }; rest: Record<string, unknown> } {
  const { tenancy, prefix, prefixHeld, ...rest } = input;
  if (tenancy === undefined && prefix === undefined && prefixHeld === undefined) return { rest };
  if (prefixHeld !== undefined && prefixHeld !== true) throw new InvalidEventError(`Invalid ${what} input: prefixHeld must be true when present`);
  const { bucketName, ...others } = rest as Record<string, unknown>;
  if (tenancy !== 'prefix') throw new InvalidEventError(`Invalid ${what} input: tenancy ${JSON.stringify(tenancy)} must be "prefix" (or absent for a bucket tenant)`);
  if (typeof prefix !== 'string') throw new InvalidEventError(`Invalid ${what} input: a prefix tenant's input needs its prefix`);
  const violation = tenantPrefixViolation(prefix);
  if (violation) throw new InvalidTenantPrefixError(`Invalid ${what} input: tenant prefix ${JSON.stringify(prefix)} ${violation}`);
  if (typeof bucketName !== 'string' || bucketNameViolation(bucketName) !== undefined) {
    throw new InvalidEventError(`Invalid ${what} input: a prefix tenant's input needs its shared bucket as bucketName (got ${JSON.stringify(bucketName)})`);
  }
  return { shared: { prefix, bucket: bucketName, ...(prefixHeld === true ? { held: true as const } : {}) }, rest: others };
}
