import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Config } from './lib/config';
import { assertOrgRestoredDetail, DETAIL_TYPES } from './lib/events';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { putEvent, type OrgProvisionedDetail, type OrgRestoredDetail, type PublishedEvent } from './lib/publish';

export interface PublishOrgRestoredInput {
  /** The OrgProvisioned detail the ledger holds for the tenant (RecordTenantRestored's result). */
  provisioned: OrgProvisionedDetail;
  executionName: string;
}

/**
 * Emits OrgRestored: the tenant whose teardown was stopped within its retention period has its
 * access back, with the same bucket, user and secret its OrgProvisioned named.
 * @throws EventPublishError when EventBridge rejects the entry (retried by the ASL).
 * Safe to repeat: delivered at least once; consumers are idempotent.
 */
export async function publishOrgRestored(
  input: PublishOrgRestoredInput,
  deps: { eventBridge: EventBridgeClient; config: Config; logger?: Pick<Logger, 'info'>; now?: () => Date },
): Promise<PublishedEvent<OrgRestoredDetail>> {
  const { provisionedAt: _provisionedAt, ...tenant } = input.provisioned;
  const detail: OrgRestoredDetail = { ...tenant, executionName: input.executionName, restoredAt: (deps.now ?? (() => new Date()))().toISOString() };
  assertOrgRestoredDetail(detail);
  const eventId = await putEvent(deps.eventBridge, deps.config, DETAIL_TYPES.orgRestored, detail);
  deps.logger?.info('Published OrgRestored', { orgId: detail.orgId, executionName: detail.executionName, eventId });
  return { eventId, detail };
}

/** The Lambda handler over its dependencies: functions/lambda/publish-org-restored.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function publishOrgRestoredHandler(deps: Parameters<typeof publishOrgRestored>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: PublishOrgRestoredInput) => publishOrgRestored(event, deps));
}
