import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Config } from './config';
import { EventPublishError } from './errors';
import type { TenantBucket, TenantBucketConfig, TenantCredentials, TenantRef, TenantUser } from './types';

/** The detail of an OrgProvisioned event (`events/schemas/org-provisioned.schema.json`). */
export interface OrgProvisionedDetail {
  orgId: string;
  orgName?: string;
  generation?: number;
  executionName: string;
  /** `prefix` for a tenant that is a prefix of the stage's shared bucket; absent for a bucket tenant. */
  tenancy?: 'prefix';
  /**
   * A bucket tenant: its bucket, with the public URL of its `pub/` prefix. A prefix tenant: the
   * shared bucket, its `prefix` and the `baseUrl` its objects are under; `publicBaseUrl` (the same
   * URL) only when its stage lets it make its objects public (object ACLs enabled).
   */
  bucket: { name: string; region: string; arn: string; publicBaseUrl?: string; prefix?: string; baseUrl?: string };
  user: { name: string; arn: string };
  credentials: { secretArn: string; secretName: string };
  provisionedAt: string;
}

/** The detail of an OrgProvisioningFailed event (`events/schemas/org-provisioning-failed.schema.json`). */
export interface OrgProvisioningFailedDetail {
  orgId?: string;
  executionName?: string;
  stage: 'router' | 'workflow';
  error: string;
  reason: string;
  rolledBack?: boolean;
  sourceEventId?: string;
  failedAt: string;
}

/** What a publisher returns: the id EventBridge gave the event and the detail it carried. */
export interface PublishedEvent<TDetail> {
  eventId: string;
  detail: TDetail;
}

/**
 * The detail of the event a workflow's last step published, read from its execution's output: the
 * Publish… states put what they publish at `$.published` (`{ eventId, detail }`). The one reader
 * of that path (tenantctl, the demo); undefined when the run published nothing.
 */
export function publishedDetail<TDetail>(output: unknown): TDetail | undefined {
  const published = output !== null && typeof output === 'object' ? (output as { published?: unknown }).published : undefined;
  const detail = published !== null && typeof published === 'object' ? (published as { detail?: unknown }).detail : undefined;
  return detail !== null && typeof detail === 'object' ? (detail as TDetail) : undefined;
}

/** The longest orgId an OrgProvisioningFailed event repeats (it may be the invalid value). */
export const MAX_REPORTED_ORG_ID = 100;
/** The longest reason an OrgProvisioningFailed event carries. */
export const MAX_REASON = 1000;

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Puts one event on the configured bus and returns its EventBridge id.
 * @throws EventPublishError when EventBridge accepts the call but rejects the entry
 *   (it reports that in the response, not as an exception). SDK errors are rethrown untouched.
 */
export async function putEvent(
  eventBridge: EventBridgeClient,
  config: Pick<Config, 'eventSource' | 'eventBusName'>,
  detailType: string,
  detail: object,
): Promise<string> {
  const result = await eventBridge.send(
    new PutEventsCommand({
      Entries: [{ Source: config.eventSource, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: config.eventBusName }],
    }),
  );
  const entry = result.Entries?.[0];
  if ((result.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode || !entry?.EventId) {
    throw new EventPublishError(
      `EventBridge rejected the ${detailType} event on bus ${config.eventBusName}: ${entry?.ErrorCode ?? 'no event id returned'}${entry?.ErrorMessage ? ` (${entry.ErrorMessage})` : ''}`,
    );
  }
  return entry.EventId;
}

/** What a provisioning knows of its tenant when it succeeds. */
export interface ProvisionedTenant {
  tenant: TenantRef;
  bucket: TenantBucket;
  bucketConfig: TenantBucketConfig;
  user: TenantUser;
  credentials: TenantCredentials;
}

/**
 * The OrgProvisioned detail of a provisioned tenant: where its bucket is, its user, and the ARN of
 * the secret holding its credentials (never the credentials). The ledger records it and
 * PublishOrgProvisioned emits that record, so a re-emitted OrgProvisioned is the same event.
 */
export function orgProvisionedDetail(provisioned: ProvisionedTenant, now: Date): OrgProvisionedDetail {
  const { tenant, bucket, bucketConfig, user, credentials } = provisioned;
  return {
    orgId: tenant.orgId,
    ...(tenant.orgName === undefined ? {} : { orgName: tenant.orgName }),
    ...(tenant.generation === undefined ? {} : { generation: tenant.generation }),
    executionName: tenant.executionName,
    ...(bucket.prefix === undefined ? {} : { tenancy: 'prefix' as const }),
    bucket:
      bucket.prefix === undefined
        ? { name: bucket.name, region: bucket.region, arn: bucket.arn, publicBaseUrl: bucketConfig.publicBaseUrl }
        : {
            name: bucket.name,
            region: bucket.region,
            arn: bucket.arn,
            prefix: bucket.prefix,
            baseUrl: bucketConfig.publicBaseUrl,
            ...(bucket.publicObjects ? { publicBaseUrl: bucketConfig.publicBaseUrl } : {}),
          },
    user: { name: user.userName, arn: user.arn },
    credentials: { secretArn: credentials.secretArn, secretName: credentials.secretName },
    provisionedAt: now.toISOString(),
  };
}

/** The detail of an OrgRestored event (`events/schemas/org-restored.schema.json`): the tenant's OrgProvisioned facts, restored. */
export type OrgRestoredDetail = Omit<OrgProvisionedDetail, 'provisionedAt'> & { restoredAt: string };
