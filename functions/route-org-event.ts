import type { EventBridgeEvent } from 'aws-lambda';
import type { Config } from './lib/config';
import { InvalidEventError, InvalidOrgIdError } from './lib/errors';
import { DETAIL_TYPES, parseOrgCreatedDetail, parseOrgDeletedDetail, quote } from './lib/events';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { applyLifecycle, type LifecycleDeps, type LifecycleResult } from './lib/ledger/apply';
import { rejectionDetail, type OrgCreatedRequest, type OrgDeletedRequest } from './lib/ledger/lifecycle';
import { tenantSlug } from './lib/naming';
import { putEvent } from './lib/publish';
import { assertAllowedRegion } from './lib/tenant';

/** What the router did with an event: the lifecycle's result (functions/lib/ledger/apply.ts). */
export type RouteResult = LifecycleResult;
export type RouteAction = RouteResult['action'];

export type RouteOrgEventDeps = LifecycleDeps;

type OrgEvent = EventBridgeEvent<string, unknown>;

function orgIdIn(detail: unknown): unknown {
  return detail !== null && typeof detail === 'object' ? (detail as { orgId?: unknown }).orgId : undefined;
}

/** The event's `time` (when the POS system put it): what orders an OrgCreated against an OrgDeleted. */
function eventTimeOf(event: OrgEvent, now: Date): string {
  const parsed = typeof event.time === 'string' ? Date.parse(event.time) : NaN;
  return Number.isNaN(parsed) ? now.toISOString() : new Date(parsed).toISOString();
}

/**
 * The lifecycle request of a valid OrgCreated/OrgDeleted.
 * @throws InvalidOrgIdError / InvalidEventError for a malformed detail or a region the stage does not allow.
 */
function requestOf(event: OrgEvent, config: Config, now: Date): OrgCreatedRequest | OrgDeletedRequest {
  const eventTime = eventTimeOf(event, now);
  const eventId = typeof event.id === 'string' ? { eventId: event.id } : {};
  if (event['detail-type'] === DETAIL_TYPES.orgCreated) {
    const detail = parseOrgCreatedDetail(event.detail);
    if (detail.region !== undefined) assertAllowedRegion(detail.region, config, 'OrgCreated');
    return {
      kind: 'OrgCreated',
      orgId: detail.orgId,
      ...(detail.orgName === undefined ? {} : { orgName: detail.orgName }),
      ...(detail.region === undefined ? {} : { region: detail.region }),
      eventTime,
      ...eventId,
    };
  }
  const detail = parseOrgDeletedDetail(event.detail);
  if (detail.region !== undefined) assertAllowedRegion(detail.region, config, 'OrgDeleted');
  return {
    kind: 'OrgDeleted',
    orgId: detail.orgId,
    ...(detail.region === undefined ? {} : { region: detail.region }),
    ...(detail.retentionDays === undefined ? {} : { retentionDays: detail.retentionDays }),
    eventTime,
    ...eventId,
  };
}

const LOG_LEVEL: Record<RouteAction, 'info' | 'warn' | 'error'> = {
  started: 'info',
  duplicate: 'info',
  'reprovisioned-event': 'info',
  acknowledged: 'info',
  recorded: 'info',
  ignored: 'info',
  stale: 'warn',
  parked: 'warn',
  rejected: 'warn',
  refused: 'warn',
  superseded: 'warn',
};

/**
 * Routes an OrgCreated/OrgDeleted through the tenant ledger. The event is checked (schema,
 * allowed region) and then decided by the lifecycle rules against the tenant's ledger item
 * (functions/lib/ledger/lifecycle.ts; the README's lifecycle table): the router starts a
 * provisioning, a teardown (stopping a provisioning or restore first) or a restore, answers a
 * duplicate (emitting OrgProvisioned again for an active tenant), leaves a failed tenant to
 * operators, ignores an event older than the tenant's latest one of the other kind, or rejects
 * it with the reason. Region, names and generation come from the ledger, never from defaults.
 *
 * Rejections of OrgCreated/OrgDeleted (a malformed event, a region the stage does not allow, an
 * orgId that differs only in case from an existing org's, a tenant being deleted, the tenant
 * quota) are reported as OrgProvisioningFailed (stage `router`); nothing is started or stopped.
 * Any other detail-type is rejected without a report.
 *
 * @throws LedgerContentionError, EventPublishError, or an SDK error (DynamoDB, Step Functions,
 *   EventBridge): Lambda retries the event (asynchronous invocation: twice, then the on-failure
 *   destination).
 *
 * Safe to repeat: a repeated event finds its own ledger write and repeats only idempotent effects
 * (StartExecution with the recorded name and input, StopExecution, PutEvents of an at-least-once
 * event).
 */
export async function routeOrgEvent(event: OrgEvent, deps: RouteOrgEventDeps): Promise<RouteResult> {
  const detailType = event['detail-type'];
  const orgId = orgIdIn(event.detail);
  if (detailType !== DETAIL_TYPES.orgCreated && detailType !== DETAIL_TYPES.orgDeleted) {
    const reason = `Unsupported detail-type ${quote(detailType)}: the router handles ${DETAIL_TYPES.orgCreated} and ${DETAIL_TYPES.orgDeleted}`;
    deps.logger.warn('Rejected event', { detailType: quote(detailType), source: event.source, sourceEventId: event.id, reason });
    return { action: 'rejected', slug: '', reason };
  }

  const now = (deps.now ?? (() => new Date()))();
  let request: OrgCreatedRequest | OrgDeletedRequest;
  try {
    request = requestOf(event, deps.config, now);
  } catch (err) {
    if (!(err instanceof InvalidOrgIdError) && !(err instanceof InvalidEventError)) throw err;
    const detail = rejectionDetail(orgId, err.name, err.message, now, typeof event.id === 'string' ? event.id : undefined);
    const eventId = await putEvent(deps.eventBridge, deps.config, DETAIL_TYPES.orgProvisioningFailed, detail);
    deps.logger.warn(`Rejected ${detailType}`, { ...detail, eventId });
    return { action: 'rejected', slug: typeof orgId === 'string' ? tenantSlug(orgId) : '', reason: detail.reason, error: err.name };
  }

  const result = await applyLifecycle(request, deps);
  deps.logger[LOG_LEVEL[result.action]](`${detailType}: ${result.action}`, {
    orgId: request.orgId,
    sourceEventId: event.id,
    eventTime: request.eventTime,
    state: result.state,
    generation: result.generation,
    workflow: result.workflow,
    executionName: result.executionName,
    reason: result.reason,
    error: result.error,
    stopped: result.stopped,
    ...(result.action === 'parked' || result.action === 'stale' ? { metric: result.action === 'parked' ? 'LeftToOperators' : 'StaleEvent' } : {}),
  });
  return result;
}

/** The Lambda handler over its dependencies: functions/lambda/route-org-event.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function routeOrgEventHandler(deps: Parameters<typeof routeOrgEvent>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: OrgEvent) => routeOrgEvent(event, deps));
}
