import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Config } from './lib/config';
import { assertOrgDeprovisionedDetail, DETAIL_TYPES } from './lib/events';
import { lambdaHandler, type FunctionBase } from './lib/handler';
import { putEvent, type PublishedEvent } from './lib/publish';
import type { DeleteBucketResult, DeletionResult, RevocationResult, TeardownPlan } from './lib/types';

/** The detail of an OrgDeprovisioned event (`events/schemas/org-deprovisioned.schema.json`). */
export interface OrgDeprovisionedDetail {
  orgId: string;
  executionName: string;
  bucket?: string;
  objectsDeleted?: number;
  retentionDays: number;
  deleted: string[];
  leftAlone: { resource: string; reason: string }[];
  deprovisionedAt: string;
}

export interface PublishOrgDeprovisionedInput {
  teardown: TeardownPlan;
  revoked: RevocationResult;
  deletedCredentials: DeletionResult;
  deletedUser: DeletionResult;
  /** Absent when the tenant had no bucket (any more). */
  deletedBucket?: Pick<DeleteBucketResult, 'done' | 'cursor' | 'objectsDeleted' | 'deleted' | 'skipped'>;
}

/**
 * Emits OrgDeprovisioned: everything the teardown deleted and everything with the tenant's
 * names that it left alone (and why). Safe to repeat: consumers treat it as at-least-once.
 * @throws EventPublishError when EventBridge rejects the entry (retried by the ASL).
 */
export async function publishOrgDeprovisioned(
  input: PublishOrgDeprovisionedInput,
  deps: { eventBridge: EventBridgeClient; config: Config; logger?: Pick<Logger, 'info'>; now?: () => Date },
): Promise<PublishedEvent<OrgDeprovisionedDetail>> {
  const { teardown, revoked, deletedCredentials, deletedUser, deletedBucket } = input;
  const results = [deletedCredentials, deletedUser, ...(deletedBucket ? [deletedBucket] : [])];
  const leftAlone = [...revoked.skipped, ...results.flatMap((r) => r.skipped)];
  const detail: OrgDeprovisionedDetail = {
    orgId: teardown.tenant.orgId,
    executionName: teardown.tenant.executionName,
    ...(revoked.bucketName ? { bucket: revoked.bucketName } : {}),
    ...(revoked.bucketName && deletedBucket ? { objectsDeleted: deletedBucket.objectsDeleted } : {}),
    retentionDays: teardown.retentionDays,
    deleted: results.flatMap((r) => r.deleted),
    leftAlone: leftAlone.filter((item, i) => leftAlone.findIndex((other) => other.resource === item.resource) === i),
    deprovisionedAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  assertOrgDeprovisionedDetail(detail);
  const eventId = await putEvent(deps.eventBridge, deps.config, DETAIL_TYPES.orgDeprovisioned, detail);
  deps.logger?.info('Published OrgDeprovisioned', { orgId: detail.orgId, executionName: detail.executionName, eventId, deleted: detail.deleted.length });
  return { eventId, detail };
}

/** The Lambda handler over its dependencies: functions/lambda/publish-org-deprovisioned.ts wires them on AWS, functions/registry.ts (or local/pipeline.ts) locally. */
export function publishOrgDeprovisionedHandler(deps: Parameters<typeof publishOrgDeprovisioned>[1] & FunctionBase) {
  return lambdaHandler(deps.logger, (event: PublishOrgDeprovisionedInput) => publishOrgDeprovisioned(event, deps));
}
