import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Config } from './lib/config';
import { assertOrgProvisionedDetail, DETAIL_TYPES } from './lib/events';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { putEvent, type OrgProvisionedDetail, type PublishedEvent } from './lib/publish';

export interface PublishOrgProvisionedInput {
  /** The detail the tenant ledger recorded when the tenant became active (RecordTenantActive's result). */
  detail: OrgProvisionedDetail;
}

/**
 * Emits OrgProvisioned: where the tenant's bucket is, its user, and the ARN of the secret
 * holding its credentials (never the credentials themselves) — the detail the tenant ledger
 * recorded, which the router emits again, unchanged, when the same OrgCreated arrives again.
 * Returns the event id and the detail.
 * @throws InvalidEventError when the detail breaks the schema (a bug: fails loudly instead of reaching consumers).
 * @throws EventPublishError when EventBridge rejects the entry (retried by the ASL).
 * Safe to repeat: OrgProvisioned is delivered at least once and consumers are idempotent.
 */
export async function publishOrgProvisioned(
  input: PublishOrgProvisionedInput,
  deps: { eventBridge: EventBridgeClient; config: Config; logger?: Pick<Logger, 'info'> },
): Promise<PublishedEvent<OrgProvisionedDetail>> {
  const { detail } = input;
  assertOrgProvisionedDetail(detail);
  const eventId = await putEvent(deps.eventBridge, deps.config, DETAIL_TYPES.orgProvisioned, detail);
  deps.logger?.info('Published OrgProvisioned', { orgId: detail.orgId, executionName: detail.executionName, eventId });
  return { eventId, detail };
}

/** The Lambda handler over its dependencies: functions/lambda/publish-org-provisioned.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function publishOrgProvisionedHandler(deps: Parameters<typeof publishOrgProvisioned>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: PublishOrgProvisionedInput) => publishOrgProvisioned(event, deps));
}
