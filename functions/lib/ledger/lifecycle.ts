/**
 * The lifecycle rules of a tenant: every decision — start, duplicate, re-emit OrgProvisioned,
 * reject, stop-then-teardown, restore, refuse, record a workflow's progress — is one pure
 * function of (ledger item, request). The router, the workflows' ledger steps, the execution
 * status tracker and tenantctl all decide here; `apply.ts` writes the decision with a conditional
 * write (the write is the lock) and then carries out its effects.
 */
import { tenantPrefixOf, type Config } from '../config';
import { DETAIL_TYPES } from '../events';
import { REDRIVE_WINDOW_MS, type Workflow } from '../executions';
import { continuedExecutionName, lifecycleExecutionName, parseLifecycleExecutionName, tenantNames, tenantSlug, type NamingConfig } from '../naming';
import { MAX_REASON, MAX_REPORTED_ORG_ID, truncate, type OrgProvisionedDetail, type OrgProvisioningFailedDetail } from '../publish';
import type { KeptBucket, ProvisionInput, RestoreInput, TeardownContinuation, TeardownInput } from '../types';
import {
  currentExecution,
  effectiveState,
  HISTORY_LIMIT,
  isLive,
  recordedRun,
  runOfWorkflow,
  unrecordedItem,
  type LedgerExecution,
  type LedgerTeardown,
  type ParkedRun,
  type TenantLedgerItem,
  type TenantState,
} from './model';

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

/** An OrgCreated the router accepted (schema and region already checked). */
export interface OrgCreatedRequest {
  kind: 'OrgCreated';
  orgId: string;
  orgName?: string;
  region?: string;
  /** The event's `time`: ordering against the tenant's latest OrgDeleted. */
  eventTime: string;
  eventId?: string;
}

export interface OrgDeletedRequest {
  kind: 'OrgDeleted';
  orgId: string;
  region?: string;
  retentionDays?: number;
  eventTime: string;
  eventId?: string;
}

/** `tenantctl restore`: give a tenant in its retention period its access back. */
export interface RestoreRequest {
  kind: 'restore';
  orgId: string;
  by: string;
}

/** `tenantctl provision --new-generation`: the next generation, for a tenant whose last one cannot be repaired. */
export interface NewGenerationRequest {
  kind: 'new-generation';
  orgId: string;
  orgName?: string;
  region?: string;
  by: string;
}

/** A parked run was redriven (by tenantctl, or seen in Step Functions' status events). */
export interface ResumeRequest {
  kind: 'resume';
  slug: string;
  executionArn: string;
  by: string;
  /** Stop the execution when it is not the tenant's current run (the status tracker asks this). */
  stopIfSuperseded?: boolean;
}

/** A run of the tenant ended without success (Step Functions' status event, or the local runner's). */
export interface RunEndedRequest {
  kind: 'run-ended';
  slug: string;
  executionArn: string;
  executionName: string;
  status: ParkedRun['status'];
  error?: string;
  cause?: string;
  /** When the run ended (the status event's `stopDate`); the decision's time when unknown. */
  endedAt?: string;
  by: string;
}

/** What a provisioning learned, recorded when it succeeds. */
export interface ProvisionedFacts {
  bucket: string;
  userArn: string;
  secretArn: string;
  publicBaseUrl: string;
  /** The OrgProvisioned detail this run publishes next; re-emitted for a repeated OrgCreated. */
  detail: OrgProvisionedDetail;
}

/** A workflow's ledger step: its run presents its id; the ledger accepts it only while that run is the current one. */
export type WorkflowRequest =
  /** A run's first ledger step, before it changes anything: is it still the tenant's current run? (Writes nothing.) */
  | { kind: 'confirm'; slug: string; runId: string; workflow: Workflow; by: string }
  | { kind: 'provisioned'; slug: string; runId: string; facts: ProvisionedFacts; by: string }
  | { kind: 'rolled-back'; slug: string; runId: string; error: string; by: string }
  | { kind: 'revoked'; slug: string; runId: string; keysDeactivated: string[]; by: string }
  | { kind: 'deletion-started'; slug: string; runId: string; by: string }
  /** `kept`: the bucket was emptied and is kept until then; the ledger starts the teardown's last part, which deletes it. */
  | { kind: 'deleted'; slug: string; runId: string; by: string; kept?: KeptBucket }
  /** The teardown's last part is about to delete the kept bucket, and has deleted it. */
  | { kind: 'kept-bucket-deleting' | 'kept-bucket-deleted'; slug: string; runId: string; by: string }
  | { kind: 'restored'; slug: string; runId: string; by: string }
  /** A teardown's bucket deletion came near Step Functions' history limit: it goes on in a new execution with `carried` (its loop's state). */
  | { kind: 'continued'; slug: string; runId: string; carried: Omit<TeardownContinuation, 'part' | 'previous'>; by: string };

export type LifecycleRequest = OrgCreatedRequest | OrgDeletedRequest | RestoreRequest | NewGenerationRequest | ResumeRequest | RunEndedRequest | WorkflowRequest;

// ---------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------

/**
 * - `started`: a provisioning, teardown or restore was started (`workflow`, `executionName`).
 * - `duplicate`: the request already took effect; `executionName` is the run to follow, if any.
 * - `reprovisioned-event`: the tenant exists; OrgProvisioned is emitted again.
 * - `parked`: left to operators (a failed or parked run, a rollback): nothing started.
 * - `rejected`: an event refused with `error` and `reason` (reported as OrgProvisioningFailed).
 * - `refused`: an operator's request that the tenant's state does not allow (`reason`).
 * - `stale`: an event older than the tenant's latest event of the other kind: nothing changes.
 * - `acknowledged`: an OrgDeleted for an unknown tenant: recorded as a tombstone, nothing started.
 * - `recorded`: a workflow's progress or a run's end, written (or already there).
 * - `superseded`: a workflow step of a run that is no longer the tenant's current one.
 * - `ignored`: a status event about a run the ledger no longer waits on.
 */
export type LifecycleOutcome =
  | 'started'
  | 'duplicate'
  | 'reprovisioned-event'
  | 'parked'
  | 'rejected'
  | 'refused'
  | 'stale'
  | 'acknowledged'
  | 'recorded'
  | 'superseded'
  | 'ignored';

export type LifecycleEffect =
  | { kind: 'start'; workflow: Workflow; name: string; input: Record<string, unknown> }
  | { kind: 'stop'; workflow: Workflow; name: string; error: string; cause: string }
  | { kind: 'emit'; detailType: string; detail: object };

export interface Decision {
  outcome: LifecycleOutcome;
  /** The run the outcome concerns (started, or to follow). */
  workflow?: Workflow;
  executionName?: string;
  /** Why, in one sentence (rejections, refusals, parked, stale, superseded). */
  reason?: string;
  /** `rejected`: the error name reported in OrgProvisioningFailed. */
  error?: string;
  /** A run this decision stops (a provisioning or restore ended by OrgDeleted, a teardown ended by a restore). */
  stops?: { workflow: Workflow; name: string };
  /**
   * The item to write, conditioned on the version read; `liveDelta` moves the live-tenant count;
   * `withinQuota`: only when the count stays under the quota (a generation that will create a user).
   */
  write?: { next: TenantLedgerItem; liveDelta: -1 | 0 | 1; withinQuota?: boolean };
  /** Carried out after the write, in order; each is safe to repeat. */
  effects: LifecycleEffect[];
}

/** What a decision needs besides the item and the request. */
export interface DecisionContext {
  now: Date;
  config: Pick<Config, 'allowedRegions' | 'defaultRetentionDays' | 'region' | 'tenancy' | 'sharedBucket' | 'prefixTemplate'> & NamingConfig;
  executionArn(workflow: Workflow, name: string): string;
  /** A run id for an execution of this name (naming.ts `runIdOf`). */
  newRunId(executionName: string): string;
}

/**
 * How long a teardown (or restore) waits before touching anything when the router has just
 * stopped a run that was changing the tenant. StopExecution does not cancel a Lambda the stopped
 * execution had already invoked, and every step runs with the stack's 30-second Lambda timeout
 * (serverless.yml): after 60 seconds none of them is still running.
 */
export const SETTLE_AFTER_STOPPED_RUN_SECONDS = 60;

/** The StopExecution `error` of a run the lifecycle ends: its organisation was deleted, restored, or its run superseded. */
export const STOPPED_FOR_TEARDOWN_ERROR = 'OrgDeleted';
export const STOPPED_FOR_RESTORE_ERROR = 'OrgRestored';
export const STOPPED_AS_SUPERSEDED_ERROR = 'RunSuperseded';

const DAY_MS = 86_400_000;

function iso(date: Date): string {
  return date.toISOString();
}

function decision(outcome: LifecycleOutcome, fields: Omit<Decision, 'outcome' | 'effects'> & { effects?: LifecycleEffect[] } = {}): Decision {
  return { outcome, effects: [], ...fields };
}

/** The item after a transition: version + 1, the history entry appended (and the oldest dropped); an item never written (version 0) comes from nothing. */
function moved(item: TenantLedgerItem, to: TenantState, patch: Partial<TenantLedgerItem>, ctx: DecisionContext, by: string, reason: string): TenantLedgerItem {
  const at = iso(ctx.now);
  const history = [...item.history, { at, from: item.version === 0 ? null : item.state, to, by, reason }].slice(-HISTORY_LIMIT);
  return { ...item, ...patch, state: to, version: item.version + 1, updatedAt: at, stateSince: to === item.state ? item.stateSince : at, history };
}

function liveDelta(from: TenantState | undefined, to: TenantState): -1 | 0 | 1 {
  return ((isLive(to) ? 1 : 0) - (isLive(from) ? 1 : 0)) as -1 | 0 | 1;
}

function write(previous: TenantLedgerItem | undefined, next: TenantLedgerItem): NonNullable<Decision['write']> {
  return { next, liveDelta: liveDelta(previous?.state, next.state) };
}

function execution(ctx: DecisionContext, workflow: Workflow, name: string, input: Omit<Record<string, unknown>, 'runId'> & { generation: number }): LedgerExecution {
  const runId = ctx.newRunId(name);
  return { workflow, name, arn: ctx.executionArn(workflow, name), runId, startedAt: iso(ctx.now), input: { ...input, runId } };
}

function startEffect(run: LedgerExecution): LifecycleEffect {
  return { kind: 'start', workflow: run.workflow, name: run.name, input: run.input };
}

const STOP_REASON: Record<Workflow, { error: string; cause: (name: string) => string }> = {
  provision: { error: STOPPED_FOR_TEARDOWN_ERROR, cause: (name) => `The organisation was deleted while it was being provisioned; teardown ${name} follows.` },
  restore: { error: STOPPED_FOR_TEARDOWN_ERROR, cause: (name) => `The organisation was deleted while it was being restored; teardown ${name} follows.` },
  teardown: { error: STOPPED_FOR_RESTORE_ERROR, cause: (name) => `The organisation was restored within its retention period; restore ${name} gives its access back.` },
};

/** Stops the run `run` superseded, then starts `run`. */
function supersedeEffects(run: LedgerExecution): LifecycleEffect[] {
  const stop: LifecycleEffect[] = run.stops ? [{ kind: 'stop', workflow: run.stops.workflow, name: run.stops.name, error: STOP_REASON[run.stops.workflow].error, cause: STOP_REASON[run.stops.workflow].cause(run.name) }] : [];
  return [...stop, startEffect(run)];
}

/**
 * The current run's effects, carried out again for a repeated request: the router may have failed
 * between its write and StopExecution or StartExecution, and its retry (or an event replayed from
 * the dead-letter queue days later) must finish the job. Both calls are idempotent: StartExecution
 * with the recorded name and input joins the run while it runs and is refused once it has closed
 * (a run Step Functions has forgotten, 90 days after it ended without the ledger hearing of it,
 * starts again under its name: the ledger still waits on it).
 */
function repairEffects(item: TenantLedgerItem, run: LedgerExecution | undefined): LifecycleEffect[] {
  return run && currentExecution(item)?.arn === run.arn ? supersedeEffects(run) : [];
}

function time(value: string | undefined): number {
  const parsed = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(parsed) ? -Infinity : parsed;
}

function caseCollision(item: TenantLedgerItem, orgId: string): Decision | undefined {
  // A tombstone of an OrgDeleted for an unknown org names no real tenant: the first OrgCreated's orgId wins.
  if (item.generation === 0 || item.orgId === orgId) return undefined;
  return decision('rejected', {
    error: 'InvalidOrgIdError',
    reason: `orgId ${JSON.stringify(orgId)} collides case-insensitively with existing org ${JSON.stringify(item.orgId)}: both would be tenant ${item.slug}`,
  });
}

/** What OrgProvisioningFailed (stage `router`) says of a rejected event. */
export function rejectionDetail(orgId: unknown, error: string, reason: string, now: Date, sourceEventId?: string): OrgProvisioningFailedDetail {
  return {
    ...(typeof orgId === 'string' ? { orgId: truncate(orgId, MAX_REPORTED_ORG_ID) } : {}),
    stage: 'router',
    error,
    reason: truncate(reason, MAX_REASON),
    ...(sourceEventId === undefined ? {} : { sourceEventId }),
    failedAt: iso(now),
  };
}

/**
 * An event that changes nothing still says what the organisation wants, as of its time: the
 * ledger remembers the latest time of each kind it heard, so an older event of the other kind
 * that arrives later is recognised as stale (a duplicate OrgCreated newer than an OrgDeleted
 * still in flight keeps the tenant).
 */
function rememberingTime(item: TenantLedgerItem | undefined, result: Decision, request: OrgCreatedRequest | OrgDeletedRequest, ctx: DecisionContext): Decision {
  if (!item || result.write || !['duplicate', 'reprovisioned-event', 'parked', 'acknowledged'].includes(result.outcome)) return result;
  const field = request.kind === 'OrgCreated' ? 'lastCreatedAt' : 'lastDeletedAt';
  if (time(request.eventTime) <= time(item[field])) return result;
  const next: TenantLedgerItem = { ...item, [field]: request.eventTime, version: item.version + 1, updatedAt: iso(ctx.now) };
  return { ...result, write: { next, liveDelta: 0 } };
}

function withRejectionReport(result: Decision, request: OrgCreatedRequest | OrgDeletedRequest, ctx: DecisionContext): Decision {
  if (result.outcome !== 'rejected') return result;
  const detail = rejectionDetail(request.orgId, result.error ?? 'Error', result.reason ?? '', ctx.now, request.eventId);
  return { ...result, reason: detail.reason, effects: [...result.effects, { kind: 'emit', detailType: DETAIL_TYPES.orgProvisioningFailed, detail }] };
}

// ---------------------------------------------------------------------------------------
// Starting runs
// ---------------------------------------------------------------------------------------

/** The next generation's provisioning (the first when there is no item). */
function startGeneration(
  item: TenantLedgerItem | undefined,
  request: { orgId: string; orgName?: string; region?: string },
  ctx: DecisionContext,
  by: string,
  reason: string,
  createdAt?: string,
): Decision {
  const generation = (item?.generation ?? 0) + 1;
  const prefixTenancy = ctx.config.tenancy === 'prefix' && ctx.config.sharedBucket !== undefined;
  // A prefix tenant's data is in the shared bucket, which is in the stage's own region.
  if (prefixTenancy && request.region !== undefined && request.region !== ctx.config.region) {
    return decision('rejected', {
      error: 'InvalidEventError',
      reason: `Invalid OrgCreated: region ${JSON.stringify(request.region)} is not where this stage keeps its tenants: with prefix tenancy every tenant is a prefix of the shared bucket ${ctx.config.sharedBucket ?? ''} in ${ctx.config.region}`,
    });
  }
  const kept = item?.keptBucket;
  if (kept?.deletingSince && ctx.now.getTime() - Date.parse(kept.deletingSince) < KEPT_BUCKET_DELETION_MS) {
    return decision('rejected', {
      error: 'TeardownInProgressError',
      workflow: 'teardown',
      executionName: item?.teardown?.name,
      reason: `Cannot provision tenant ${item?.slug ?? ''} yet: its teardown ${item?.teardown?.name ?? ''} is deleting the bucket it kept (${kept.name}, since ${kept.deletingSince}); send OrgCreated again in a few minutes`,
    });
  }
  const region = prefixTenancy ? ctx.config.region : (request.region ?? ctx.config.allowedRegions[0] ?? '');
  const names = tenantNames(request.orgId, region, ctx.config);
  const name = lifecycleExecutionName(names.slug, generation, 'provision');
  const shared = prefixTenancy ? { bucket: ctx.config.sharedBucket as string, prefix: tenantPrefixOf(ctx.config.prefixTemplate, names.slug) } : undefined;
  const input: ProvisionInput & { generation: number } = {
    orgId: request.orgId,
    ...(request.orgName === undefined ? {} : { orgName: request.orgName }),
    region,
    generation,
    ...(shared ? { tenancy: 'prefix' as const, bucketName: shared.bucket, prefix: shared.prefix } : {}),
  };
  const provision = execution(ctx, 'provision', name, { ...input });
  const next = moved(
    item ?? unrecordedItem(request.orgId, region, ctx.config, iso(ctx.now)),
    'provisioning',
    {
      orgId: request.orgId,
      orgName: request.orgName,
      generation,
      region,
      tenancy: shared ? 'prefix' : 'bucket',
      resources: { userName: names.userName, secretName: names.secretName, ...(shared ? { bucket: shared.bucket, prefix: shared.prefix } : {}) },
      provision,
      teardown: undefined,
      // A bucket the last teardown kept is this generation's to adopt (it is tagged for the org): its keeper is stopped.
      keptBucket: undefined,
      restore: undefined,
      teardowns: 0,
      restores: 0,
      parked: undefined,
      provisioned: undefined,
      ...(createdAt === undefined ? {} : { lastCreatedAt: createdAt }),
    },
    ctx,
    by,
    reason,
  );
  const keeper = kept && item?.teardown;
  const stopKeeper: LifecycleEffect[] = keeper
    ? [{ kind: 'stop', workflow: 'teardown', name: keeper.name, error: STOPPED_AS_SUPERSEDED_ERROR, cause: `Generation ${generation} (${name}) adopts the bucket ${kept.name} this teardown kept.` }]
    : [];
  return decision('started', { workflow: 'provision', executionName: name, write: { ...write(item, next), withinQuota: true }, effects: [...stopKeeper, startEffect(provision)] });
}

function teardownInputOf(item: TenantLedgerItem, retentionDays: number, settleSeconds: number): Omit<TeardownInput, 'runId'> & { generation: number } {
  return {
    orgId: item.orgId,
    region: item.region,
    retentionDays,
    settleSeconds,
    generation: item.generation,
    ...(item.resources.bucket ? { bucketName: item.resources.bucket } : {}),
    ...prefixTenancyOf(item),
  };
}

/**
 * What a teardown or restore of a prefix tenant is told of its prefix (nothing for a bucket
 * tenant), and `prefixHeld` once the generation was active: its claim then certainly succeeded, so
 * the prefix is the tenant's even after its user is gone (a teardown started again after the last
 * one deleted the user). Before that, only the user's TenantPrefix tag proves it (RevokeTenantAccess).
 */
function prefixTenancyOf(item: TenantLedgerItem): { tenancy?: 'prefix'; prefix?: string; prefixHeld?: true } {
  if (item.tenancy !== 'prefix' || item.resources.prefix === undefined) return {};
  return { tenancy: 'prefix', prefix: item.resources.prefix, ...(item.provisioned ? { prefixHeld: true as const } : {}) };
}

/** Revokes now, deletes after the retention: stops the provisioning or restore that runs, if one does. */
function startTeardown(item: TenantLedgerItem, request: OrgDeletedRequest, ctx: DecisionContext, by: string): Decision {
  const running = item.state === 'provisioning' ? item.provision : item.state === 'restoring' ? item.restore : undefined;
  // A generation that never became active never handed anyone credentials or announced a bucket:
  // there is nothing to keep, and a retention wait would only hold up the org's next signup.
  const retentionDays = item.provisioned ? (request.retentionDays ?? ctx.config.defaultRetentionDays) : 0;
  const attempt = item.teardowns + 1;
  const name = lifecycleExecutionName(item.slug, item.generation, 'teardown', attempt);
  const teardown: LedgerTeardown = {
    ...execution(ctx, 'teardown', name, { ...teardownInputOf(item, retentionDays, running ? SETTLE_AFTER_STOPPED_RUN_SECONDS : 0) }),
    retentionDays,
    ...(running ? { stops: { workflow: running.workflow, name: running.name } } : {}),
  };
  const next = moved(
    item,
    'revoking',
    { teardown, teardowns: attempt, parked: undefined, lastDeletedAt: request.eventTime },
    ctx,
    by,
    `${running ? `OrgDeleted while ${running.workflow === 'provision' ? 'provisioning' : 'restoring'}: ${running.name} is stopped, then the teardown revokes access` : 'OrgDeleted: the teardown revokes access'}, then keeps the data ${retentionDays} days${item.provisioned ? '' : ' (never active: nothing to keep)'}`,
  );
  return decision('started', {
    workflow: 'teardown',
    executionName: name,
    ...(teardown.stops ? { stops: teardown.stops } : {}),
    write: write(item, next),
    effects: supersedeEffects(teardown),
  });
}

/** Stops the teardown (when it still runs) and gives access back: keys active, bucket policy re-applied. */
function startRestore(item: TenantLedgerItem, ctx: DecisionContext, by: string, reason: string, createdAt: string): Decision {
  const teardownRuns = item.state === 'revoking' || item.state === 'retained';
  const attempt = item.restores + 1;
  const name = lifecycleExecutionName(item.slug, item.generation, 'restore', attempt);
  const input: Omit<RestoreInput, 'runId'> = {
    orgId: item.orgId,
    region: item.region,
    generation: item.generation,
    // Stopped while revoking, a RevokeTenantAccess call may still be under way.
    settleSeconds: item.state === 'revoking' ? SETTLE_AFTER_STOPPED_RUN_SECONDS : 0,
    ...(item.resources.bucket ? { bucketName: item.resources.bucket } : {}),
    ...(item.teardown?.keysDeactivated ? { keyIds: item.teardown.keysDeactivated } : {}),
    ...prefixTenancyOf(item),
  };
  const restore: LedgerExecution = {
    ...execution(ctx, 'restore', name, { ...input }),
    ...(teardownRuns && item.teardown ? { stops: { workflow: 'teardown' as const, name: item.teardown.name } } : {}),
  };
  const next = moved(item, 'restoring', { restore, restores: attempt, parked: undefined, lastCreatedAt: createdAt }, ctx, by, reason);
  return decision('started', {
    workflow: 'restore',
    executionName: name,
    ...(restore.stops ? { stops: restore.stops } : {}),
    write: write(item, next),
    effects: supersedeEffects(restore),
  });
}

/** A tenant whose generation never became active has nothing to restore: its teardown finishes first. */
function neverActive(item: TenantLedgerItem): Decision {
  return decision('rejected', {
    error: 'TeardownInProgressError',
    workflow: 'teardown',
    executionName: item.teardown?.name,
    reason: `Cannot restore tenant ${item.slug}: its generation ${item.generation} was never provisioned completely, so its teardown ${item.teardown?.name ?? ''} finishes first; send OrgCreated again after OrgDeprovisioned`,
  });
}

// ---------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------

function onOrgCreated(item: TenantLedgerItem | undefined, request: OrgCreatedRequest, ctx: DecisionContext): Decision {
  const by = `OrgCreated ${request.eventId ?? '(no event id)'}`;
  if (!item) return startGeneration(undefined, request, ctx, by, 'OrgCreated: first provisioning', request.eventTime);
  const collision = caseCollision(item, request.orgId);
  if (collision) return collision;
  if (item.lastDeletedAt !== undefined && time(request.eventTime) <= time(item.lastDeletedAt)) {
    return decision('stale', {
      reason: `OrgCreated of ${request.eventTime} is not newer than the OrgDeleted of ${item.lastDeletedAt} the tenant already received: a late or replayed event, ignored`,
    });
  }
  const state = effectiveState(item);
  const current = currentExecution(item);
  switch (item.state) {
    case 'deleted':
      return startGeneration(item, request, ctx, by, `OrgCreated after the teardown of generation ${item.generation}`, request.eventTime);
    case 'provisioning':
    case 'restoring':
      return decision('duplicate', { workflow: current?.workflow, executionName: current?.name, effects: repairEffects(item, current) });
    case 'active':
      if (!item.provisioned) return decision('duplicate', { reason: 'the tenant is active but the ledger holds no OrgProvisioned detail to emit again' });
      return decision('reprovisioned-event', {
        workflow: 'provision',
        executionName: item.provision?.name,
        effects: [{ kind: 'emit', detailType: DETAIL_TYPES.orgProvisioned, detail: item.provisioned }],
      });
    case 'rolled-back':
      return decision('parked', {
        workflow: 'provision',
        executionName: item.provision?.name,
        reason: `its provisioning ${item.provision?.name ?? ''} failed and was rolled back; an operator starts the next generation after fixing the cause (tenantctl provision ${item.orgId} --new-generation)`,
      });
    case 'revoking':
    case 'retained':
      if (!item.provisioned) return neverActive(item);
      return startRestore(item, ctx, by, 'OrgCreated within the retention period: the teardown is stopped and access given back', request.eventTime);
    case 'deleting':
      return decision('rejected', {
        error: 'TeardownInProgressError',
        workflow: 'teardown',
        executionName: item.teardown?.name,
        reason: `Cannot provision tenant ${item.slug} yet: its teardown ${item.teardown?.name ?? ''} has begun deleting it (since ${item.stateSince}); send OrgCreated again after OrgDeprovisioned`,
      });
    case 'parked':
      if (state === 'revoking' || state === 'retained') {
        if (!item.provisioned) return neverActive(item);
        return startRestore(item, ctx, by, 'OrgCreated within the retention period: access given back (the teardown had parked before deleting anything)', request.eventTime);
      }
      if (state === 'deleting') {
        return decision('rejected', {
          error: 'TeardownInProgressError',
          workflow: 'teardown',
          executionName: item.teardown?.name,
          reason: `Cannot provision tenant ${item.slug}: its teardown ${item.teardown?.name ?? ''} began deleting it and parked; an operator finishes it first (tenantctl redrive ${item.orgId})`,
        });
      }
      if (state === 'restoring' && !redrivable(item, ctx)) {
        return startRestore(item, ctx, by, `OrgCreated: the restore ${item.parked?.executionName ?? ''} parked too long ago to be redriven; a new restore gives access back`, request.eventTime);
      }
      return leftToOperators(item);
  }
}

/** Whether the tenant's parked run can still be redriven: Step Functions redrives an execution only within 14 days of its end. */
function redrivable(item: TenantLedgerItem, ctx: DecisionContext): boolean {
  return item.parked !== undefined && ctx.now.getTime() - Date.parse(item.parked.at) <= REDRIVE_WINDOW_MS;
}

function leftToOperators(item: TenantLedgerItem): Decision {
  const parked = item.parked;
  return decision('parked', {
    workflow: parked?.workflow,
    executionName: parked?.executionName,
    reason: `its ${parked?.workflow ?? ''} run ${parked?.executionName ?? ''} parked (${parked?.status ?? ''}${parked?.error ? `: ${parked.error}` : ''}); left to operators: tenantctl redrive ${item.orgId}`,
  });
}

function onOrgDeleted(item: TenantLedgerItem | undefined, request: OrgDeletedRequest, ctx: DecisionContext): Decision {
  const by = `OrgDeleted ${request.eventId ?? '(no event id)'}`;
  if (!item) {
    // A tombstone: a late OrgCreated (EventBridge does not order events) is recognised as older than this.
    const region = request.region ?? ctx.config.allowedRegions[0] ?? '';
    const next = moved(unrecordedItem(request.orgId, region, ctx.config, iso(ctx.now)), 'deleted', { lastDeletedAt: request.eventTime }, ctx, by, 'OrgDeleted for an org that has no tenant: nothing to tear down; recorded so a late OrgCreated is recognised');
    return decision('acknowledged', { reason: `no tenant ${request.orgId}: nothing to tear down`, write: write(undefined, next) });
  }
  const collision = caseCollision(item, request.orgId);
  if (collision) return collision;
  if (item.lastCreatedAt !== undefined && time(request.eventTime) < time(item.lastCreatedAt)) {
    return decision('stale', {
      reason: `OrgDeleted of ${request.eventTime} is older than the OrgCreated of ${item.lastCreatedAt} that started the tenant's current life: a late or replayed event, ignored`,
    });
  }
  const state = effectiveState(item);
  switch (item.state) {
    case 'provisioning':
    case 'active':
    case 'rolled-back':
    case 'restoring':
      return startTeardown(item, request, ctx, by);
    case 'revoking':
    case 'retained':
    case 'deleting':
      return decision('duplicate', { workflow: 'teardown', executionName: item.teardown?.name, effects: repairEffects(item, item.teardown) });
    case 'deleted':
      if (item.generation === 0) return decision('acknowledged', { reason: `no tenant ${item.orgId}: nothing to tear down` });
      return decision('duplicate', { workflow: 'teardown', executionName: item.teardown?.name, reason: `the tenant was already torn down (${item.teardown?.name ?? ''})` });
    case 'parked':
      if (state === 'provisioning' || state === 'restoring') return startTeardown(item, request, ctx, by);
      // A teardown parked longer than Step Functions redrives: the next attempt, without a second
      // retention wait once it had begun deleting.
      if (!redrivable(item, ctx)) return startTeardown(item, state === 'deleting' ? { ...request, retentionDays: 0 } : request, ctx, by);
      return leftToOperators(item);
  }
}

// ---------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------

function onRestore(item: TenantLedgerItem | undefined, request: RestoreRequest, ctx: DecisionContext): Decision {
  if (!item || item.generation === 0) return decision('refused', { reason: `no tenant ${request.orgId}` });
  const collision = caseCollision(item, request.orgId);
  if (collision) return { ...collision, outcome: 'refused' };
  const state = effectiveState(item);
  if (item.state === 'restoring') return decision('duplicate', { workflow: 'restore', executionName: item.restore?.name, effects: repairEffects(item, item.restore) });
  if (state === 'restoring' && !redrivable(item, ctx)) return startRestore(item, ctx, request.by, `restore started again by ${request.by} (the last one parked too long ago to be redriven)`, iso(ctx.now));
  if (state === 'revoking' || state === 'retained') {
    if (!item.provisioned) return { ...neverActive(item), outcome: 'refused', error: undefined };
    return startRestore(item, ctx, request.by, `restored by ${request.by} within the retention period`, iso(ctx.now));
  }
  if (state === 'deleting' || state === 'deleted') {
    return decision('refused', {
      reason: `tenant ${item.slug} cannot be restored: its teardown ${item.teardown?.name ?? ''} began deleting it on ${item.history.findLast((entry) => entry.to === 'deleting')?.at ?? item.stateSince}`,
    });
  }
  return decision('refused', { reason: `tenant ${item.slug} is ${item.state === 'parked' ? `parked in ${state}` : item.state}: there is no teardown to undo` });
}

function onNewGeneration(item: TenantLedgerItem | undefined, request: NewGenerationRequest, ctx: DecisionContext): Decision {
  const by = request.by;
  if (!item) return startGeneration(undefined, request, ctx, by, `first provisioning started by ${by}`, iso(ctx.now));
  const collision = caseCollision(item, request.orgId);
  if (collision) return { ...collision, outcome: 'refused' };
  const state = effectiveState(item);
  if (item.state === 'rolled-back' || item.state === 'deleted' || (item.state === 'parked' && state === 'provisioning')) {
    return startGeneration(
      item,
      { orgId: request.orgId, orgName: request.orgName ?? item.orgName, region: request.region ?? (item.state === 'deleted' ? undefined : item.region) },
      ctx,
      by,
      `generation ${item.generation + 1} started by ${by} (generation ${item.generation} ${item.state === 'parked' ? `parked in ${item.parked?.executionName ?? ''}` : item.state})`,
      iso(ctx.now),
    );
  }
  if (item.state === 'active') return decision('refused', { reason: `the tenant exists (generation ${item.generation} is active)` });
  const current = currentExecution(item);
  return decision('refused', {
    reason: `tenant ${item.slug} is ${item.state === 'parked' ? `parked in ${state} (${item.parked?.executionName ?? ''}): redrive it or let its teardown finish` : `${item.state}${current ? ` (${current.name})` : ''}`}`,
  });
}

function onResume(item: TenantLedgerItem | undefined, request: ResumeRequest, ctx: DecisionContext): Decision {
  if (!item) return decision('ignored', { reason: `no tenant ${request.slug}` });
  if (item.state === 'parked' && item.parked?.executionArn === request.executionArn) {
    const next = moved(item, item.parked.from, { parked: undefined }, ctx, request.by, `${item.parked.executionName} redriven`);
    return decision('recorded', { workflow: item.parked.workflow, executionName: item.parked.executionName, write: write(item, next) });
  }
  const current = currentExecution(item);
  const own = ownRun(item, request.executionArn);
  // The run the tenant waits on, or one that already recorded its end and failed after it (while
  // publishing its event): redriving it changes nothing that came after.
  if (own) return decision('recorded', { workflow: own.workflow, executionName: own.name });
  const run = recordedRun(item, request.executionArn);
  const name = run?.name ?? request.executionArn.split(':').pop() ?? request.executionArn;
  const reason = `${name} is no longer tenant ${item.slug}'s current run (the tenant is ${item.state}${current ? `, ${current.name}` : ''}): redriving it could undo what came after`;
  const workflow = run?.workflow ?? parseLifecycleExecutionName(name)?.workflow;
  if (!request.stopIfSuperseded || !workflow) return decision('superseded', { reason });
  return decision('superseded', {
    reason,
    effects: [{ kind: 'stop', workflow, name, error: STOPPED_AS_SUPERSEDED_ERROR, cause: reason }],
  });
}

// ---------------------------------------------------------------------------------------
// Workflows and their runs
// ---------------------------------------------------------------------------------------

/** The run `arn` when it is the one recorded for its workflow and the tenant is in one of that workflow's states. */
function ownRun(item: TenantLedgerItem, arn: string): LedgerExecution | undefined {
  const run = recordedRun(item, arn);
  return run && PROGRESS[run.workflow].includes(effectiveState(item)) ? run : undefined;
}

function onRunEnded(item: TenantLedgerItem | undefined, request: RunEndedRequest, ctx: DecisionContext): Decision {
  if (!item) return decision('ignored', { reason: `no tenant ${request.slug}` });
  const current = currentExecution(item);
  const own = item.state === 'parked' ? undefined : ownRun(item, request.executionArn);
  if (own && current?.arn !== own.arn) {
    // The run recorded its end (the tenant is what it made it) and failed after it, publishing its
    // event: the state stands; the history says what an operator must redrive.
    const next = moved(item, item.state, {}, ctx, request.by, `${own.name} ${request.status} after it recorded the tenant ${item.state}${request.error ? ` (${request.error})` : ''}: its event may not be published; redrive it (tenantctl redrive ${item.orgId})`);
    return decision('recorded', { workflow: own.workflow, executionName: own.name, write: write(item, next) });
  }
  if (item.state === 'parked' || !current || current.arn !== request.executionArn) {
    return decision('ignored', { reason: `${request.executionName} is not the run tenant ${item.slug} waits on (${item.state})` });
  }
  const parked: ParkedRun = {
    workflow: current.workflow,
    from: item.state,
    executionName: current.name,
    executionArn: current.arn,
    status: request.status,
    ...(request.error === undefined ? {} : { error: truncate(request.error, 256) }),
    ...(request.cause === undefined ? {} : { cause: truncate(request.cause, MAX_REASON) }),
    // Step Functions' 14-day redrive window counts from the run's end, not from when its event arrived.
    at: request.endedAt ?? iso(ctx.now),
  };
  const next = moved(item, 'parked', { parked }, ctx, request.by, `${current.name} ${request.status}${request.error ? ` (${request.error})` : ''}: parked for an operator`);
  return decision('recorded', { workflow: current.workflow, executionName: current.name, write: write(item, next) });
}

/**
 * Whether the run `runId` may still change the tenant now: only while it is the tenant's current
 * run of its workflow and the ledger is on that run's way (a parked run is on the way it parked
 * from) — what ConfirmTenantRun checks, asked again by each step that changes the tenant
 * (lib/ledger/run-guard.ts), since a redrive resumes past ConfirmTenantRun.
 */
export function runMayAct(item: TenantLedgerItem | undefined, runId: string): { allowed: true } | { allowed: false; reason: string } {
  if (!item) return { allowed: false, reason: 'the tenant ledger has no such tenant' };
  if ((['provision', 'teardown', 'restore'] as const).some((workflow) => onItsWay(item, runId, workflow))) return { allowed: true };
  const state = effectiveState(item);
  const current = currentExecution(item);
  return { allowed: false, reason: `the tenant is ${state}${current ? ` and its current run is ${current.name}` : ''}: run ${runId} is no longer its own` };
}

/** The tenant's current `workflow` run when it is `runId` and the ledger is on that run's way (its own states, its last included): what ConfirmTenantRun and the run guard ask. */
function onItsWay(item: TenantLedgerItem, runId: string, workflow: Workflow): LedgerExecution | undefined {
  const run = runOf(item, runId, workflow);
  return run && PROGRESS[workflow].includes(effectiveState(item)) ? run : undefined;
}

/** The run a workflow step belongs to, when it is the one the tenant's (effective) state waits on. */
function runOf(item: TenantLedgerItem, runId: string, workflow: Workflow): LedgerExecution | undefined {
  const run = runOfWorkflow(item, workflow);
  return run?.runId === runId ? run : undefined;
}

type ProgressKind = Exclude<WorkflowRequest['kind'], 'confirm' | 'continued' | 'kept-bucket-deleting' | 'kept-bucket-deleted'>;

const STEP: Record<ProgressKind, { workflow: Workflow; from: TenantState; to: TenantState }> = {
  provisioned: { workflow: 'provision', from: 'provisioning', to: 'active' },
  'rolled-back': { workflow: 'provision', from: 'provisioning', to: 'rolled-back' },
  revoked: { workflow: 'teardown', from: 'revoking', to: 'retained' },
  'deletion-started': { workflow: 'teardown', from: 'retained', to: 'deleting' },
  deleted: { workflow: 'teardown', from: 'deleting', to: 'deleted' },
  restored: { workflow: 'restore', from: 'restoring', to: 'active' },
};

/** The states each workflow moves a tenant through, in order (a rollback ends a provisioning in `rolled-back` instead). */
const PROGRESS: Record<Workflow, readonly TenantState[]> = {
  provision: ['provisioning', 'active'],
  teardown: ['revoking', 'retained', 'deleting', 'deleted'],
  restore: ['restoring', 'active'],
};

function supersededStep(item: TenantLedgerItem, request: WorkflowRequest): Decision {
  const current = currentExecution(item);
  return decision('superseded', {
    reason: `run ${request.runId} may not record ${request.kind}: tenant ${item.slug} is ${item.state === 'parked' ? `parked in ${effectiveState(item)}` : item.state}${current ? ` with ${current.name}` : ''}`,
  });
}

/**
 * A run confirms it is still the tenant's current one before it changes anything. The router
 * writes the ledger before it starts or stops a run, so an OrgDeleted handled at the same moment
 * as an OrgCreated can stop the provisioning before it exists and only then see it start: that
 * provisioning finds here that the ledger has moved past it, and ends without touching anything.
 */
function onConfirm(item: TenantLedgerItem | undefined, request: Extract<WorkflowRequest, { kind: 'confirm' }>): Decision {
  if (!item) return decision('superseded', { reason: `no tenant ${request.slug} in the ledger` });
  // The run's own states, its last included: the local runner redrives from the start, so a run
  // that failed after recording its end (say, while publishing) confirms again.
  const run = onItsWay(item, request.runId, request.workflow);
  if (!run) return supersededStep(item, request);
  // The run this one superseded is stopped again here, before this run settles and changes
  // anything: the router's own stop may have been lost (it can fail between its write and
  // StopExecution, and its retry may come only after this run has begun).
  return decision('recorded', { workflow: run.workflow, executionName: run.name, effects: supersedeEffects(run).filter((effect) => effect.kind === 'stop') });
}

/**
 * A teardown continues as new: the ledger records the next execution as the tenant's teardown (its
 * part, and the earlier parts' executions) before starting it, so the run it replaces can no longer
 * act, and `tenantctl status` follows the teardown across its executions. Repeated by the run that
 * asked (its Lambda crashed after the write), the start is repeated: StartExecution with the recorded
 * name and input is idempotent.
 */
function onContinued(item: TenantLedgerItem | undefined, request: Extract<WorkflowRequest, { kind: 'continued' }>, ctx: DecisionContext): Decision {
  if (!item) return decision('superseded', { reason: `no tenant ${request.slug} in the ledger` });
  const run = runOf(item, request.runId, 'teardown');
  const teardown = item.teardown;
  if (!run || !teardown || effectiveState(item) !== 'deleting') return supersededStep(item, request);
  const next = nextPart(teardown, ctx, (part) => ({ continuation: { part, previous: teardown.name, ...request.carried } }));
  const reason = `history near Step Functions' limit after ${request.carried.deletedBucket.objectsDeleted} versions deleted: continues in ${next.name} (part ${next.part ?? ''})`;
  const moves = moved(item, 'deleting', { teardown: next, parked: undefined }, ctx, request.by, reason);
  return decision('started', { workflow: 'teardown', executionName: next.name, write: write(item, moves), effects: [startEffect(next)] });
}

/**
 * A step repeated by a teardown execution that already handed over to its next part (its Lambda
 * crashed after the write): the start of the next part is repeated (StartExecution with the
 * recorded name and input is idempotent) and nothing is written.
 */
function handedOver(item: TenantLedgerItem, request: WorkflowRequest): Decision | undefined {
  const teardown = item.teardown;
  if (!teardown || teardown.earlierParts?.at(-1)?.runId !== request.runId) return undefined;
  // The step that handed over: `continued` started a continuation, `deleted` the keeper of a kept bucket.
  const handing = 'keep' in teardown.input ? 'deleted' : 'continued';
  if (request.kind !== handing) return undefined;
  return decision('recorded', { workflow: 'teardown', executionName: teardown.name, effects: repairEffects(item, teardown) });
}

/** The next execution of a teardown (`…-part<N>`): the same input but for what `extra` adds, a new run id, and the earlier parts with this one. */
function nextPart(teardown: LedgerTeardown, ctx: DecisionContext, extra: (part: number) => Record<string, unknown>): LedgerTeardown {
  const part = (teardown.part ?? 1) + 1;
  const name = continuedExecutionName(teardown.earlierParts?.[0]?.name ?? teardown.name, part);
  const { runId: _runId, continuation: _continuation, keep: _keep, ...input } = teardown.input as Record<string, unknown> & { generation: number };
  return {
    ...execution(ctx, 'teardown', name, { ...input, settleSeconds: 0, ...extra(part) }),
    retentionDays: teardown.retentionDays,
    ...(teardown.retainedUntil === undefined ? {} : { retainedUntil: teardown.retainedUntil }),
    ...(teardown.keysDeactivated === undefined ? {} : { keysDeactivated: teardown.keysDeactivated }),
    part,
    earlierParts: [...(teardown.earlierParts ?? []), { name: teardown.name, arn: teardown.arn, runId: teardown.runId, startedAt: teardown.startedAt }],
  };
}

/** How long after the kept bucket's deletion began a new generation must wait for it (the deleting Lambda's timeout, and more). */
const KEPT_BUCKET_DELETION_MS = 15 * 60_000;

/**
 * The teardown's last part, about to delete the kept bucket and done with it. The first step is
 * the lock against a new generation adopting the bucket at the same moment: once it is written,
 * OrgCreated is refused until the bucket is gone (or {@link KEPT_BUCKET_DELETION_MS} have passed).
 */
function onKeptBucket(item: TenantLedgerItem | undefined, request: Extract<WorkflowRequest, { kind: 'kept-bucket-deleting' | 'kept-bucket-deleted' }>, ctx: DecisionContext): Decision {
  if (!item) return decision('superseded', { reason: `no tenant ${request.slug} in the ledger` });
  const run = runOf(item, request.runId, 'teardown');
  if (!run || item.state !== 'deleted') return supersededStep(item, request);
  const kept = item.keptBucket;
  if (request.kind === 'kept-bucket-deleting') {
    if (!kept) return supersededStep(item, request);
    if (kept.deletingSince) return decision('recorded', { workflow: 'teardown', executionName: run.name });
    const next = moved(item, 'deleted', { keptBucket: { ...kept, deletingSince: iso(ctx.now) } }, ctx, request.by, `the kept bucket ${kept.name} is being deleted (kept until ${kept.until})`);
    return decision('recorded', { workflow: 'teardown', executionName: run.name, write: write(item, next) });
  }
  if (!kept) return decision('recorded', { workflow: 'teardown', executionName: run.name });
  const next = moved(item, 'deleted', { keptBucket: undefined }, ctx, request.by, `the kept bucket ${kept.name} is deleted`);
  return decision('recorded', { workflow: 'teardown', executionName: run.name, write: write(item, next) });
}

function onWorkflowStep(item: TenantLedgerItem | undefined, request: WorkflowRequest, ctx: DecisionContext): Decision {
  if (request.kind === 'confirm') return onConfirm(item, request);
  const repeated = item && handedOver(item, request);
  if (repeated) return repeated;
  if (request.kind === 'continued') return onContinued(item, request, ctx);
  if (request.kind === 'kept-bucket-deleting' || request.kind === 'kept-bucket-deleted') return onKeptBucket(item, request, ctx);
  const step = STEP[request.kind];
  if (!item) return decision('superseded', { reason: `no tenant ${request.slug} in the ledger` });
  const run = runOf(item, request.runId, step.workflow);
  if (!run) return supersededStep(item, request);
  const state = effectiveState(item);
  const progress = PROGRESS[step.workflow];
  const reached = request.kind === 'rolled-back' ? state === 'rolled-back' : progress.indexOf(state) >= progress.indexOf(step.to) && progress.includes(state);
  if (state !== step.from) {
    if (!reached) return supersededStep(item, request);
    // A step this run already took (retried, or redriven: the local runner redrives from the
    // start). Already recorded; a parked tenant whose run is progressing again is parked no more.
    if (item.state !== 'parked' || !item.parked) return decision('recorded', { workflow: run.workflow, executionName: run.name });
    const next = moved(item, item.parked.from, { parked: undefined }, ctx, request.by, `${run.name} is running again`);
    return decision('recorded', { workflow: run.workflow, executionName: run.name, write: write(item, next) });
  }
  let patch: Partial<TenantLedgerItem> = { parked: undefined };
  let reason: string;
  switch (request.kind) {
    case 'provisioned':
      patch = {
        ...patch,
        resources: { ...item.resources, bucket: request.facts.bucket, userArn: request.facts.userArn, secretArn: request.facts.secretArn, publicBaseUrl: request.facts.publicBaseUrl },
        provisioned: request.facts.detail,
      };
      reason = item.tenancy === 'prefix' ? `provisioned: prefix s3://${request.facts.bucket}/${item.resources.prefix ?? ''}` : `provisioned: bucket ${request.facts.bucket}`;
      break;
    case 'rolled-back':
      reason = `provisioning failed with ${request.error}; what this run created was removed`;
      break;
    case 'revoked': {
      const retentionDays = item.teardown?.retentionDays ?? 0;
      const retainedUntil = iso(new Date(ctx.now.getTime() + retentionDays * DAY_MS));
      patch = { ...patch, teardown: { ...(item.teardown as LedgerTeardown), retainedUntil, keysDeactivated: item.teardown?.keysDeactivated ?? request.keysDeactivated } };
      reason = `access revoked (${request.keysDeactivated.length} key(s) deactivated${item.tenancy === 'prefix' ? '' : ', bucket policy deleted'}); data kept until ${retainedUntil}`;
      break;
    }
    case 'deletion-started':
      reason = `retention period over: deleting the secret, keys, user and ${item.tenancy === 'prefix' ? "everything under the tenant's prefix" : 'bucket'}`;
      break;
    case 'deleted':
      if (request.kept && item.teardown) {
        const kept = request.kept;
        const keeper = nextPart(item.teardown, ctx, () => ({ keep: kept }));
        const next = moved(item, step.to, { ...patch, keptBucket: { name: kept.bucketName, until: kept.until }, teardown: keeper }, ctx, request.by, `everything of the tenant is deleted but its emptied bucket ${kept.bucketName}, kept locked down until ${kept.until} by ${keeper.name}`);
        return decision('recorded', { workflow: run.workflow, executionName: run.name, write: write(item, next), effects: [startEffect(keeper)] });
      }
      reason = 'everything of the tenant is deleted';
      break;
    case 'restored':
      reason = 'access given back: keys active, bucket policy re-applied';
      break;
  }
  const next = moved(item, step.to, patch, ctx, request.by, reason);
  return decision('recorded', { workflow: run.workflow, executionName: run.name, write: write(item, next) });
}

// ---------------------------------------------------------------------------------------

/**
 * The decision for `request` given the tenant's ledger item (undefined: the ledger has none).
 * Pure: the same item and request always give the same decision (the context supplies the
 * clock, ARNs and run ids). The README's lifecycle table is this function, state by state.
 */
export function decide(item: TenantLedgerItem | undefined, request: LifecycleRequest, ctx: DecisionContext): Decision {
  switch (request.kind) {
    case 'OrgCreated':
      return withRejectionReport(rememberingTime(item, onOrgCreated(item, request, ctx), request, ctx), request, ctx);
    case 'OrgDeleted':
      return withRejectionReport(rememberingTime(item, onOrgDeleted(item, request, ctx), request, ctx), request, ctx);
    case 'restore':
      return onRestore(item, request, ctx);
    case 'new-generation':
      return onNewGeneration(item, request, ctx);
    case 'resume':
      return onResume(item, request, ctx);
    case 'run-ended':
      return onRunEnded(item, request, ctx);
    default:
      return onWorkflowStep(item, request, ctx);
  }
}

/** The slug a request is about. */
export function slugOf(request: LifecycleRequest): string {
  return 'slug' in request ? request.slug : tenantSlug(request.orgId);
}

/** The refusal of a request that would make one tenant more than the quota allows (the write found the count at the quota). */
export function quotaRefusal(request: LifecycleRequest, quota: number, ctx: Pick<DecisionContext, 'now'>): Decision {
  const reason = `Cannot provision tenant ${slugOf(request)}: ${quota} tenants are live, the quota of this stage (tenantQuota, the account's IAM users quota); tear tenants down or raise the quota first`;
  if (request.kind === 'OrgCreated') {
    const detail = rejectionDetail(request.orgId, 'TenantQuotaExceededError', reason, ctx.now, request.eventId);
    return decision('rejected', { error: 'TenantQuotaExceededError', reason: detail.reason, effects: [{ kind: 'emit', detailType: DETAIL_TYPES.orgProvisioningFailed, detail }] });
  }
  return decision('refused', { error: 'TenantQuotaExceededError', reason });
}
