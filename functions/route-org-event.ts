import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { eventBridge } from './lib/clients/event-bridge';
import { sfn } from './lib/clients/sfn';
import { loadConfig, requireEnv, type Config } from './lib/config';
import { InvalidEventError, InvalidOrgIdError } from './lib/errors';
import {
  assertOrgProvisionedDetail,
  assertOrgProvisioningFailedDetail,
  DETAIL_TYPES,
  parseOrgCreatedDetail,
  parseOrgDeletedDetail,
  quote,
} from './lib/events';
import {
  isRunning,
  MAX_GENERATIONS,
  SfnExecutionPort,
  STOPPED_FOR_TEARDOWN_ERROR,
  type ExecutionPort,
  type ExecutionRecord,
  type ExecutionStatus,
  type Workflow,
} from './lib/executions';
import { lambdaHandler } from './lib/handler';
import { logger } from './lib/logger';
import { executionName, tenantSlug } from './lib/naming';
import { assertAllowedRegion, provisionInputOf } from './lib/tenant';
import {
  MAX_REASON,
  MAX_REPORTED_ORG_ID,
  putEvent,
  truncate,
  type OrgProvisionedDetail,
  type OrgProvisioningFailedDetail,
} from './lib/publish';
import type { ProvisionInput, TeardownInput } from './lib/types';

/**
 * An OrgCreated arrived while the teardown of the tenant's previous generation is still
 * running: a new generation would get the same names and `OrgId`, so that teardown could
 * delete what it creates. Rejected at the router (never thrown to Lambda).
 */
export class TeardownInProgressError extends Error {
  override readonly name = 'TeardownInProgressError';
}

export type RouteAction = 'started' | 'duplicate' | 'reprovisioned-event' | 'parked' | 'rejected';

export interface RouteResult {
  action: RouteAction;
  executionName?: string;
  /** Set to `teardown` when `executionName` (and `status`) are a teardown-tenant execution; absent for provision-tenant. */
  workflow?: Workflow;
  reason?: string;
  /** The status of the existing execution that decided a duplicate, re-emitted, parked or rejected event. */
  status?: ExecutionStatus;
  /** OrgDeleted only: a running provisioning of the tenant was stopped before its teardown started. */
  stoppedProvisioning?: boolean;
}

export interface RouteOrgEventDeps {
  executions: ExecutionPort;
  eventBridge: EventBridgeClient;
  config: Config;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
}

type OrgEvent = EventBridgeEvent<string, unknown>;

type Generation = { generation: number; execution: ExecutionRecord };

/**
 * How long a teardown waits before resolving the tenant when the router has just stopped
 * a running provisioning. StopExecution does not cancel a Lambda the stopped execution had
 * already invoked: that call may still create or tag a resource. Provisioning's forward
 * steps run with the stack's 30-second Lambda timeout (serverless.yml), so 60 seconds after
 * the stop none of them is still running. (A compensation step still running only deletes.)
 */
export const SETTLE_AFTER_STOPPED_PROVISIONING_SECONDS = 60;

const STOP_PROVISIONING_REASON = {
  error: STOPPED_FOR_TEARDOWN_ERROR,
  cause: 'The organisation was deleted while it was being provisioned; teardown follows.',
};

function orgIdIn(detail: unknown): unknown {
  return detail !== null && typeof detail === 'object' ? (detail as { orgId?: unknown }).orgId : undefined;
}

function regionIn(input: unknown): string | undefined {
  const region = input !== null && typeof input === 'object' ? (input as { region?: unknown }).region : undefined;
  return typeof region === 'string' ? region : undefined;
}

/**
 * The provision-tenant input of an OrgCreated detail.
 * @throws InvalidOrgIdError / InvalidEventError as `parseOrgCreatedDetail`, or for a region the stage does not allow.
 */
function provisionInput(detail: unknown, config: Config): ProvisionInput {
  const parsed = parseOrgCreatedDetail(detail);
  if (parsed.region !== undefined) assertAllowedRegion(parsed.region, config, 'OrgCreated'); // the workflow would refuse it
  return provisionInputOf(parsed);
}

/**
 * Reports a rejected event as OrgProvisioningFailed (stage `router`); nothing is started.
 * `context` names the existing execution that decided the rejection, if one did.
 */
async function reject(
  event: OrgEvent,
  err: InvalidOrgIdError | InvalidEventError | TeardownInProgressError,
  deps: RouteOrgEventDeps,
  context: Pick<RouteResult, 'executionName' | 'workflow' | 'status'> = {},
): Promise<RouteResult> {
  const orgId = orgIdIn(event.detail);
  const detail: OrgProvisioningFailedDetail = {
    ...(typeof orgId === 'string' ? { orgId: truncate(orgId, MAX_REPORTED_ORG_ID) } : {}),
    stage: 'router',
    error: err.name,
    reason: truncate(err.message, MAX_REASON),
    ...(typeof event.id === 'string' ? { sourceEventId: event.id } : {}),
    failedAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  assertOrgProvisioningFailedDetail(detail);
  const eventId = await putEvent(deps.eventBridge, deps.config, DETAIL_TYPES.orgProvisioningFailed, detail);
  deps.logger.warn(`Rejected ${event['detail-type']}`, { ...detail, ...context, eventId });
  return { action: 'rejected', reason: detail.reason, ...context };
}

/** The latest provision-tenant generation of a tenant: describes `org-<slug>`, `-g2`, … until one does not exist. */
async function latestGeneration(executions: ExecutionPort, slug: string): Promise<Generation | undefined> {
  let latest: Generation | undefined;
  for (let generation = 1; generation <= MAX_GENERATIONS; generation++) {
    const execution = await executions.describe('provision', executionName(slug, generation));
    if (!execution) return latest;
    latest = { generation, execution };
  }
  throw new Error(`Tenant ${slug} has more than ${MAX_GENERATIONS} provision-tenant generations; refusing to walk further`);
}

/** An orgId that maps to the same tenant slug as another org's existing execution (they differ only in case). */
function collidingOrgId(orgId: string, slug: string, execution: ExecutionRecord): InvalidOrgIdError | undefined {
  const existingOrgId = orgIdIn(execution.input);
  if (typeof existingOrgId !== 'string' || existingOrgId === orgId) return undefined;
  return new InvalidOrgIdError(
    `orgId ${quote(orgId)} collides case-insensitively with existing org ${quote(existingOrgId)} (execution ${execution.name}): both would be tenant ${slug}`,
  );
}

/** The OrgProvisioned detail a succeeded execution published (`output.published.detail`), if it is there and valid. */
function publishedDetail(output: unknown): OrgProvisionedDetail | undefined {
  const detail = (output as { published?: { detail?: unknown } } | undefined)?.published?.detail;
  if (detail === undefined) return undefined;
  try {
    assertOrgProvisionedDetail(detail);
    return detail as OrgProvisionedDetail;
  } catch {
    return undefined;
  }
}

async function routeOrgCreated(event: OrgEvent, deps: RouteOrgEventDeps): Promise<RouteResult> {
  const { executions, config, logger } = deps;
  let input: ProvisionInput;
  try {
    input = provisionInput(event.detail, config);
  } catch (err) {
    if (err instanceof InvalidOrgIdError || err instanceof InvalidEventError) return reject(event, err, deps);
    throw err;
  }

  const slug = tenantSlug(input.orgId);
  const name = executionName(slug);
  const start = await executions.start('provision', name, input);
  if (start.started) {
    logger.info('Started provision-tenant', { orgId: input.orgId, executionName: name, executionArn: start.executionArn, sourceEventId: event.id });
    return { action: 'started', executionName: name };
  }

  const latest = await latestGeneration(executions, slug);
  if (!latest) {
    // StartExecution said the name is taken but DescribeExecution cannot find it: throw so the event is retried.
    throw new Error(`StartExecution reported ${name} as existing but DescribeExecution cannot find it`);
  }
  const { execution } = latest;
  const collision = collidingOrgId(input.orgId, slug, execution);
  if (collision) return reject(event, collision, deps);

  const context = { orgId: input.orgId, executionName: execution.name, status: execution.status, sourceEventId: event.id };
  if (isRunning(execution.status)) {
    logger.info('Duplicate OrgCreated: provisioning is already under way', context);
    return { action: 'duplicate', executionName: execution.name, status: execution.status };
  }

  // A teardown of this generation shares its execution name.
  const teardown = await executions.describe('teardown', execution.name);
  if (teardown) return afterTeardown(event, input, slug, latest, teardown, deps);

  if (execution.status === 'SUCCEEDED') {
    const detail = publishedDetail(execution.output);
    if (!detail) {
      logger.error('Duplicate OrgCreated: the succeeded execution holds no valid OrgProvisioned detail at output.published.detail; nothing re-emitted', context);
      return { action: 'duplicate', executionName: execution.name, status: execution.status };
    }
    const eventId = await putEvent(deps.eventBridge, config, DETAIL_TYPES.orgProvisioned, detail);
    logger.info('Duplicate OrgCreated: the tenant exists; OrgProvisioned re-emitted', { ...context, eventId });
    return { action: 'reprovisioned-event', executionName: execution.name, status: execution.status };
  }

  logger.warn('Duplicate OrgCreated of a failed provisioning: left to operators (redrive or repair), nothing started', {
    ...context,
    metric: 'DuplicateOfFailedExecution',
  });
  return { action: 'parked', executionName: execution.name, status: execution.status };
}

/** OrgCreated for a tenant whose latest (closed) provisioning generation has a teardown: its status decides. */
async function afterTeardown(
  event: OrgEvent,
  input: ProvisionInput,
  slug: string,
  latest: Generation,
  teardown: ExecutionRecord,
  deps: RouteOrgEventDeps,
): Promise<RouteResult> {
  const { executions, logger } = deps;
  const context = { orgId: input.orgId, executionName: teardown.name, workflow: 'teardown' as const, status: teardown.status, sourceEventId: event.id };

  if (teardown.status === 'SUCCEEDED') {
    const name = executionName(slug, latest.generation + 1);
    const start = await executions.start('provision', name, input);
    if (!start.started) {
      // Only a concurrent OrgCreated can have taken the next generation's name since the walk.
      logger.info('Duplicate OrgCreated: the next generation was started by another event', { ...context, nextExecutionName: name });
      return { action: 'duplicate', executionName: name };
    }
    logger.info('Started provision-tenant: re-onboarding after a completed teardown', {
      ...context,
      executionName: name,
      executionArn: start.executionArn,
      tornDownExecutionName: teardown.name,
    });
    return { action: 'started', executionName: name };
  }

  if (isRunning(teardown.status)) {
    const reason = `Cannot provision tenant ${slug} yet: the teardown of its previous generation (execution ${teardown.name}, ${teardown.status}) is still running; send OrgCreated again after OrgDeprovisioned`;
    return reject(event, new TeardownInProgressError(reason), deps, { executionName: teardown.name, workflow: 'teardown', status: teardown.status });
  }

  logger.warn('OrgCreated after a teardown that did not finish: left to operators (finish the teardown first), nothing started', {
    ...context,
    metric: 'OrgCreatedAfterUnfinishedTeardown',
  });
  return { action: 'parked', executionName: teardown.name, workflow: 'teardown', status: teardown.status };
}

async function routeOrgDeleted(event: OrgEvent, deps: RouteOrgEventDeps): Promise<RouteResult> {
  const { executions, logger } = deps;
  let detail: ReturnType<typeof parseOrgDeletedDetail>;
  try {
    detail = parseOrgDeletedDetail(event.detail);
    if (detail.region !== undefined) assertAllowedRegion(detail.region, deps.config, 'OrgDeleted');
  } catch (err) {
    if (err instanceof InvalidOrgIdError || err instanceof InvalidEventError) return reject(event, err, deps);
    throw err;
  }

  const slug = tenantSlug(detail.orgId);
  const latest = await latestGeneration(executions, slug);
  if (latest) {
    const collision = collidingOrgId(detail.orgId, slug, latest.execution);
    if (collision) return reject(event, collision, deps);
  }

  const name = executionName(slug, latest?.generation ?? 1);
  let stoppedProvisioning = false;
  if (latest && isRunning(latest.execution.status)) {
    await executions.stop('provision', name, STOP_PROVISIONING_REASON);
    stoppedProvisioning = true;
    logger.info('Stopped provision-tenant: the organisation was deleted', { orgId: detail.orgId, executionName: name, status: latest.execution.status, sourceEventId: event.id });
  }

  // The tenant's bucket is where its provisioning put it: an OrgDeleted without a region
  // tears down in the provisioning's region, not in the stage's default one.
  const region = detail.region ?? regionIn(latest?.execution.input);
  const input: TeardownInput = {
    orgId: detail.orgId,
    ...(region === undefined ? {} : { region }),
    ...(detail.retentionDays === undefined ? {} : { retentionDays: detail.retentionDays }),
    settleSeconds: stoppedProvisioning ? SETTLE_AFTER_STOPPED_PROVISIONING_SECONDS : 0,
  };
  const start = await executions.start('teardown', name, input);
  if (start.started) {
    logger.info('Started teardown-tenant', { orgId: detail.orgId, executionName: name, executionArn: start.executionArn, stoppedProvisioning, sourceEventId: event.id });
    return { action: 'started', executionName: name, workflow: 'teardown', stoppedProvisioning };
  }

  const teardown = await executions.describe('teardown', name);
  if (!teardown) throw new Error(`StartExecution reported teardown ${name} as existing but DescribeExecution cannot find it`);
  const context = { orgId: detail.orgId, executionName: name, workflow: 'teardown' as const, status: teardown.status, stoppedProvisioning, sourceEventId: event.id };

  if (latest && teardown.startDate.getTime() < latest.execution.startDate.getTime()) {
    // An OrgDeleted that came before any provisioning took the teardown name of generation 1;
    // acknowledging this one as a duplicate would leave the tenant provisioned since in place.
    logger.error('OrgDeleted: the teardown of this name started before the provisioning it should tear down; left to operators, no teardown started', {
      ...context,
      provisionedAt: latest.execution.startDate.toISOString(),
      metric: 'TeardownPredatesProvisioning',
    });
    return { action: 'parked', executionName: name, workflow: 'teardown', status: teardown.status };
  }
  if (teardown.status === 'FAILED' || teardown.status === 'TIMED_OUT' || teardown.status === 'ABORTED') {
    logger.warn('Duplicate OrgDeleted of a failed teardown: left to operators (redrive or repair), nothing started', {
      ...context,
      metric: 'DuplicateOfFailedExecution',
    });
    return { action: 'parked', executionName: name, workflow: 'teardown', status: teardown.status };
  }
  logger.info('Duplicate OrgDeleted: the teardown is already under way or done', context);
  return { action: 'duplicate', executionName: name, workflow: 'teardown', status: teardown.status };
}

/**
 * Routes an OrgCreated/OrgDeleted event to its workflow under a deterministic execution
 * name, which is the idempotency key. A tenant's generation g (1, 2, …) is named
 * `org-<slug>` (g = 1) or `org-<slug>-g<g>`, in provision-tenant and, for its teardown, in
 * teardown-tenant; the latest generation is found by describing the names in order.
 *
 * - OrgCreated, valid: starts provision-tenant `org-<slug>` (`started`). When the name is
 *   taken, the latest provisioning generation g decides:
 *   - running or awaiting redrive → `duplicate`;
 *   - closed, and its teardown (same name) succeeded → the tenant was torn down: starts
 *     generation g+1 (`started`, re-onboarding);
 *   - closed, and its teardown is running or awaiting redrive → `rejected`
 *     (`TeardownInProgressError`): never a new generation a teardown could delete;
 *   - closed, and its teardown failed, timed out or was aborted → `parked` for operators
 *     (`OrgCreatedAfterUnfinishedTeardown` warning);
 *   - no teardown: succeeded → OrgProvisioned re-emitted from that execution's output
 *     (`reprovisioned-event`); failed, timed out or aborted → `parked` for operators, with a
 *     `DuplicateOfFailedExecution` warning (never an automatic redrive or a second tenant).
 * - OrgDeleted, valid: finds the latest provisioning generation g (1 if there is none).
 *   If it is running or awaiting redrive, stops it; then starts teardown-tenant under the
 *   same name with `{ orgId, region?, retentionDays?, settleSeconds }`, where region is the
 *   event's or else the one generation g was provisioned in, and settleSeconds
 *   is {@link SETTLE_AFTER_STOPPED_PROVISIONING_SECONDS} after a stop, else 0 (`started`,
 *   `stoppedProvisioning`). When the teardown name is taken: running, awaiting redrive or
 *   succeeded → `duplicate`; failed, timed out or aborted → `parked`
 *   (`DuplicateOfFailedExecution`); started before generation g itself (an OrgDeleted that
 *   preceded the provisioning) → `parked` (`TeardownPredatesProvisioning` error log).
 * - Invalid (orgId, another field, a region the stage does not allow, or an
 *   orgId that differs only in case from an existing org's): `rejected`, reported as
 *   OrgProvisioningFailed (stage `router`); nothing is started or stopped.
 * - Any other detail-type: `rejected`, nothing published.
 *
 * @throws EventPublishError when EventBridge rejects a published entry; SDK errors from
 *   Step Functions or EventBridge are rethrown. Both make Lambda retry the event
 *   (asynchronous invocation: twice, then the on-failure destination).
 *
 * Safe to repeat: a repeated event finds its execution by name and is acknowledged as a
 * duplicate (or re-answered with OrgProvisioned); a repeated OrgDeleted finds the
 * provisioning already stopped and the teardown under way; a rejection is reported again.
 */
export async function routeOrgEvent(event: OrgEvent, deps: RouteOrgEventDeps): Promise<RouteResult> {
  const detailType = event['detail-type'];
  if (detailType === DETAIL_TYPES.orgCreated) return routeOrgCreated(event, deps);
  if (detailType === DETAIL_TYPES.orgDeleted) return routeOrgDeleted(event, deps);
  const reason = `Unsupported detail-type ${quote(detailType)}: the router handles ${DETAIL_TYPES.orgCreated} and ${DETAIL_TYPES.orgDeleted}`;
  deps.logger.warn('Rejected event', { detailType: quote(detailType), source: event.source, sourceEventId: event.id, reason });
  return { action: 'rejected', reason };
}

const config = loadConfig();
const executions = new SfnExecutionPort(sfn, {
  provision: requireEnv(process.env, 'PROVISION_STATE_MACHINE_ARN'),
  teardown: requireEnv(process.env, 'TEARDOWN_STATE_MACHINE_ARN'),
});
export const handler = lambdaHandler((event: OrgEvent) => routeOrgEvent(event, { executions, eventBridge, config, logger }));
