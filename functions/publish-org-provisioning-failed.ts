import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Config } from './lib/config';
import { assertOrgProvisioningFailedDetail, DETAIL_TYPES } from './lib/events';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { MAX_REASON, MAX_REPORTED_ORG_ID, putEvent, truncate, type OrgProvisioningFailedDetail, type PublishedEvent } from './lib/publish';
import type { CaughtError, ProvisionState } from './lib/types';

export interface PublishOrgProvisioningFailedInput {
  /** The whole state document at the point of failure (the error is at `state.error`). */
  state: ProvisionState;
  executionName: string;
}

/** Where a stack trace starts in a plain message (`\n    at fn (file:1:2)`). */
const STACK_FRAME = /\r?\n\s+at\s/;

/**
 * One readable sentence from a caught error. On AWS, `Cause` is Lambda's JSON
 * `{"errorType","errorMessage","trace"}`; the local runner puts the plain message there.
 * The trace is never included.
 */
export function failureReason(error: CaughtError | undefined): string {
  const name = error?.Error ?? 'UnknownError';
  const cause = error?.Cause;
  let reason: string | undefined;
  if (cause !== undefined && cause.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(cause);
    } catch {
      parsed = undefined;
    }
    if (parsed !== null && typeof parsed === 'object') {
      const message = (parsed as { errorMessage?: unknown }).errorMessage;
      reason = typeof message === 'string' && message.trim() !== '' ? message : undefined;
    } else {
      reason = cause.split(STACK_FRAME)[0];
    }
  }
  return truncate(reason?.trim() || `Provisioning failed with ${name}`, MAX_REASON);
}

/**
 * Emits OrgProvisioningFailed for an execution that caught a permanent error: which org,
 * which error, why (one sentence, no stack trace) and whether the rollback ran.
 * Works from the ValidateOrg stage on, when there is no `tenant` yet and `orgId` may be
 * anything (it is reported as a string of at most 100 characters, or left out).
 * @throws EventPublishError when EventBridge rejects the entry (retried by the ASL).
 * Safe to repeat: the event is delivered at least once and consumers are idempotent.
 */
export async function publishOrgProvisioningFailed(
  input: PublishOrgProvisioningFailedInput,
  deps: { eventBridge: EventBridgeClient; config: Config; logger?: Pick<Logger, 'info'>; now?: () => Date },
): Promise<PublishedEvent<OrgProvisioningFailedDetail>> {
  const { state, executionName } = input;
  const orgId = state.tenant?.orgId ?? (typeof state.orgId === 'string' ? truncate(state.orgId, MAX_REPORTED_ORG_ID) : undefined);
  const detail: OrgProvisioningFailedDetail = {
    ...(orgId === undefined ? {} : { orgId }),
    executionName,
    stage: 'workflow',
    error: state.error?.Error ?? 'UnknownError',
    reason: failureReason(state.error),
    rolledBack: state.rollbackCredentials !== undefined || state.rollbackUser !== undefined || state.rollbackBucket !== undefined,
    failedAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  assertOrgProvisioningFailedDetail(detail);
  const eventId = await putEvent(deps.eventBridge, deps.config, DETAIL_TYPES.orgProvisioningFailed, detail);
  deps.logger?.info('Published OrgProvisioningFailed', { orgId, executionName, error: detail.error, eventId });
  return { eventId, detail };
}

/** The Lambda handler over its dependencies: functions/lambda/publish-org-provisioning-failed.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function publishOrgProvisioningFailedHandler(deps: Parameters<typeof publishOrgProvisioningFailed>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: PublishOrgProvisioningFailedInput) => publishOrgProvisioningFailed(event, deps));
}
