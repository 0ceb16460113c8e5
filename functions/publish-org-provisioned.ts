import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eventBridge } from './lib/clients/event-bridge';
import { loadConfig, type Config } from './lib/config';
import { assertOrgProvisionedDetail, DETAIL_TYPES } from './lib/events';
import { lambdaHandler } from './lib/handler';
import { logger } from './lib/logger';
import { putEvent, type OrgProvisionedDetail, type PublishedEvent } from './lib/publish';
import type { TenantBucket, TenantBucketConfig, TenantCredentials, TenantRef, TenantUser } from './lib/types';

export interface PublishOrgProvisionedInput {
  tenant: TenantRef;
  bucket: TenantBucket;
  bucketConfig: TenantBucketConfig;
  user: TenantUser;
  credentials: TenantCredentials;
}

/**
 * Emits OrgProvisioned: where the tenant's bucket is, its user, and the ARN of the secret
 * holding its credentials (never the credentials themselves). Returns the event id and the
 * detail; the detail stays in the execution output (`$.published.detail`) so the router can
 * re-emit it when the same OrgCreated arrives again.
 * @throws InvalidEventError when the detail breaks the schema (a bug: fails loudly instead of reaching consumers).
 * @throws EventPublishError when EventBridge rejects the entry (retried by the ASL).
 * Safe to repeat: OrgProvisioned is delivered at least once and consumers are idempotent.
 */
export async function publishOrgProvisioned(
  input: PublishOrgProvisionedInput,
  deps: { eventBridge: EventBridgeClient; config: Config; logger?: Pick<Logger, 'info'>; now?: () => Date },
): Promise<PublishedEvent<OrgProvisionedDetail>> {
  const { tenant, bucket, bucketConfig, user, credentials } = input;
  const detail: OrgProvisionedDetail = {
    orgId: tenant.orgId,
    ...(tenant.orgName === undefined ? {} : { orgName: tenant.orgName }),
    executionName: tenant.provisionedBy,
    bucket: { name: bucket.name, region: bucket.region, arn: bucket.arn, publicBaseUrl: bucketConfig.publicBaseUrl },
    user: { name: user.userName, arn: user.arn },
    credentials: { secretArn: credentials.secretArn, secretName: credentials.secretName },
    provisionedAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  assertOrgProvisionedDetail(detail);
  const eventId = await putEvent(deps.eventBridge, deps.config, DETAIL_TYPES.orgProvisioned, detail);
  deps.logger?.info('Published OrgProvisioned', { orgId: tenant.orgId, executionName: tenant.provisionedBy, eventId });
  return { eventId, detail };
}

const config = loadConfig();
export const handler = lambdaHandler((event: PublishOrgProvisionedInput) =>
  publishOrgProvisioned(event, { eventBridge, config, logger }),
);
