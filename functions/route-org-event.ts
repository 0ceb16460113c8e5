import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { eventBridge, sfn } from './lib/clients';
import { loadConfig, requireEnv, type Config } from './lib/config';
import { InvalidEventError, InvalidOrgIdError } from './lib/errors';
import {
  assertOrgProvisionedDetail,
  assertOrgProvisioningFailedDetail,
  DETAIL_TYPES,
  parseOrgCreatedDetail,
  quote,
} from './lib/events';
import { SfnExecutionPort, type ExecutionPort, type ExecutionRecord, type ExecutionStatus } from './lib/executions';
import { lambdaHandler } from './lib/handler';
import { logger } from './lib/logger';
import { executionName, tenantSlug } from './lib/naming';
import {
  MAX_REASON,
  MAX_REPORTED_ORG_ID,
  putEvent,
  truncate,
  type OrgProvisionedDetail,
  type OrgProvisioningFailedDetail,
} from './lib/publish';
import type { ProvisionInput } from './lib/types';

/**
 * An OrgDeleted arrived but the teardown workflow is not deployed yet. Thrown (not
 * acknowledged) so the request is kept: see {@link routeOrgEvent}.
 */
export class TeardownNotAvailableError extends Error {
  override readonly name = 'TeardownNotAvailableError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export type RouteAction = 'started' | 'duplicate' | 'reprovisioned-event' | 'parked' | 'rejected';

export interface RouteResult {
  action: RouteAction;
  executionName?: string;
  reason?: string;
  /** The status of the existing execution that decided a duplicate, re-emitted or parked event. */
  status?: ExecutionStatus;
}

export interface RouteOrgEventDeps {
  executions: ExecutionPort;
  eventBridge: EventBridgeClient;
  config: Config;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
}

type OrgEvent = EventBridgeEvent<string, unknown>;

/** A bound on the generation walk (`org-<slug>`, `-g2`, …); real tenants stay far below it. */
const MAX_GENERATIONS = 100;

function orgIdIn(detail: unknown): unknown {
  return detail !== null && typeof detail === 'object' ? (detail as { orgId?: unknown }).orgId : undefined;
}

/**
 * The provision-tenant input: only the fields the workflow knows, so a retried identical
 * event gives an identical input (and StartExecution treats it idempotently).
 * @throws InvalidOrgIdError / InvalidEventError as `parseOrgCreatedDetail`, or for a region the stage does not allow.
 */
function provisionInput(detail: unknown, config: Config): ProvisionInput {
  const parsed = parseOrgCreatedDetail(detail);
  if (parsed.region !== undefined && !config.allowedRegions.includes(parsed.region)) {
    throw new InvalidEventError(
      `Invalid OrgCreated: region ${JSON.stringify(parsed.region)} is not allowed: must be one of ${config.allowedRegions.join(', ')}`,
    );
  }
  return {
    orgId: parsed.orgId,
    ...(parsed.orgName === undefined ? {} : { orgName: parsed.orgName }),
    ...(parsed.region === undefined ? {} : { region: parsed.region }),
  };
}

/** Reports a rejected OrgCreated as OrgProvisioningFailed (stage `router`); nothing is started. */
async function reject(event: OrgEvent, err: InvalidOrgIdError | InvalidEventError, deps: RouteOrgEventDeps): Promise<RouteResult> {
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
  deps.logger.warn('Rejected OrgCreated', { ...detail, eventId });
  return { action: 'rejected', reason: detail.reason };
}

/** The latest provision-tenant generation of a tenant: describes `org-<slug>`, `-g2`, … until one does not exist. */
async function latestGeneration(executions: ExecutionPort, slug: string): Promise<{ generation: number; execution: ExecutionRecord } | undefined> {
  let latest: { generation: number; execution: ExecutionRecord } | undefined;
  for (let generation = 1; generation <= MAX_GENERATIONS; generation++) {
    const execution = await executions.describe('provision', executionName(slug, generation));
    if (!execution) return latest;
    latest = { generation, execution };
  }
  throw new Error(`Tenant ${slug} has more than ${MAX_GENERATIONS} provision-tenant generations; refusing to walk further`);
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
  const existingOrgId = orgIdIn(execution.input);
  if (typeof existingOrgId === 'string' && existingOrgId !== input.orgId) {
    const reason = `orgId ${quote(input.orgId)} collides case-insensitively with existing org ${quote(existingOrgId)} (execution ${execution.name}): both would be tenant ${slug}`;
    return reject(event, new InvalidOrgIdError(reason), deps);
  }

  const context = { orgId: input.orgId, executionName: execution.name, status: execution.status, sourceEventId: event.id };
  switch (execution.status) {
    case 'RUNNING':
    case 'PENDING_REDRIVE':
      logger.info('Duplicate OrgCreated: provisioning is already under way', context);
      return { action: 'duplicate', executionName: execution.name, status: execution.status };

    case 'SUCCEEDED': {
      // EXTENSION POINT (teardown): if this generation's tenant has since been torn down
      // (a succeeded teardown-tenant execution of the same generation), start the next one:
      //   executions.start('provision', executionName(slug, latest.generation + 1), input) → { action: 'started' }.
      // Until teardown exists a succeeded provisioning means the tenant is there.
      const detail = publishedDetail(execution.output);
      if (!detail) {
        logger.error('Duplicate OrgCreated: the succeeded execution holds no valid OrgProvisioned detail at output.published.detail; nothing re-emitted', context);
        return { action: 'duplicate', executionName: execution.name, status: execution.status };
      }
      const eventId = await putEvent(deps.eventBridge, config, DETAIL_TYPES.orgProvisioned, detail);
      logger.info('Duplicate OrgCreated: the tenant exists; OrgProvisioned re-emitted', { ...context, eventId });
      return { action: 'reprovisioned-event', executionName: execution.name, status: execution.status };
    }

    case 'FAILED':
    case 'TIMED_OUT':
    case 'ABORTED':
      logger.warn('Duplicate OrgCreated of a failed provisioning: left to operators (redrive or repair), nothing started', {
        ...context,
        metric: 'DuplicateOfFailedExecution',
      });
      return { action: 'parked', executionName: execution.name, status: execution.status };
  }
}

/**
 * Routes an OrgCreated/OrgDeleted event to its workflow under a deterministic execution
 * name (`org-<slug>`, then `-g2`, … per generation), which is the idempotency key.
 *
 * - OrgCreated, valid: starts provision-tenant (`started`). When the name is taken, the
 *   tenant's latest generation decides: running or awaiting redrive → `duplicate`;
 *   succeeded → OrgProvisioned re-emitted from that execution's output
 *   (`reprovisioned-event`); failed, timed out or aborted → `parked` for operators, with a
 *   `DuplicateOfFailedExecution` warning (never an automatic redrive or a second tenant).
 * - OrgCreated, invalid (orgId, another field, a region the stage does not allow, or an
 *   orgId that differs only in case from an existing org's): `rejected`, reported as
 *   OrgProvisioningFailed (stage `router`); nothing is started.
 * - Any other detail-type: `rejected`, nothing published.
 *
 * @throws TeardownNotAvailableError for OrgDeleted: the teardown workflow is not deployed
 *   yet and the request must not be acknowledged as done. EventBridge invokes this
 *   function asynchronously, so the error makes Lambda retry the event (twice by default)
 *   and then hand it to the function's on-failure destination / dead-letter queue, where it
 *   waits to be replayed once teardown exists. (EventBridge's own retry policy and target
 *   DLQ only cover failures to deliver to Lambda.)
 * @throws EventPublishError when EventBridge rejects a published entry; SDK errors from
 *   Step Functions or EventBridge are rethrown. Both make Lambda retry the event.
 *
 * Safe to repeat: a repeated event finds its execution by name and is acknowledged as a
 * duplicate (or re-answered with OrgProvisioned); a rejection is reported again.
 */
export async function routeOrgEvent(event: OrgEvent, deps: RouteOrgEventDeps): Promise<RouteResult> {
  const detailType = event['detail-type'];
  if (detailType === DETAIL_TYPES.orgCreated) return routeOrgCreated(event, deps);
  if (detailType === DETAIL_TYPES.orgDeleted) {
    const orgId = orgIdIn(event.detail);
    throw new TeardownNotAvailableError(
      `OrgDeleted for ${typeof orgId === 'string' ? quote(orgId) : 'an event without an orgId'} cannot be processed until the teardown workflow is deployed`,
    );
  }
  const reason = `Unsupported detail-type ${quote(detailType)}: the router handles ${DETAIL_TYPES.orgCreated} and ${DETAIL_TYPES.orgDeleted}`;
  deps.logger.warn('Rejected event', { detailType: quote(detailType), source: event.source, sourceEventId: event.id, reason });
  return { action: 'rejected', reason };
}

const config = loadConfig();
const executions = new SfnExecutionPort(sfn, {
  provision: requireEnv(process.env, 'PROVISION_STATE_MACHINE_ARN'),
  teardown: process.env.TEARDOWN_STATE_MACHINE_ARN,
});
export const handler = lambdaHandler((event: OrgEvent) => routeOrgEvent(event, { executions, eventBridge, config, logger }));
