/**
 * TenantCredentialsRotated, the event a rotation puts once its key is AWSCURRENT: its one owner
 * (the schema is events/schemas/tenant-credentials-rotated.schema.json). Key ids only, never a secret.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import { putEvent } from '../publish';
import { overlapEndAfter, type RotatingSecret } from './rotating-secret';

/** The detail of a TenantCredentialsRotated event (`events/schemas/tenant-credentials-rotated.schema.json`). Never a secret. */
export interface TenantCredentialsRotatedDetail {
  orgId: string;
  userName: string;
  credentials: { secretArn: string; secretName: string };
  versionId: string;
  accessKeyId: string;
  previousAccessKeyId?: string;
  previousKeyActiveUntil?: string;
  rotatedAt: string;
}

/** Puts TenantCredentialsRotated for the version `token`, now AWSCURRENT with the key `accessKeyId`: key ids only, never a secret. */
export async function announceRotation(
  secret: RotatingSecret,
  token: string,
  accessKeyId: string,
  previousKeyId: string | undefined,
  deps: { eventBridge: EventBridgeClient; config: Pick<Config, 'eventSource' | 'eventBusName'>; logger?: Pick<Logger, 'info'>; overlapDays: number; now: Date },
): Promise<{ accessKeyId: string; eventId: string }> {
  const rotatedAt = deps.now;
  const replaced = previousKeyId !== undefined && previousKeyId !== accessKeyId ? previousKeyId : undefined;
  const detail: TenantCredentialsRotatedDetail = {
    orgId: secret.orgId,
    userName: secret.userName,
    credentials: { secretArn: secret.arn, secretName: secret.name },
    versionId: token,
    accessKeyId,
    ...(replaced ? { previousAccessKeyId: replaced, previousKeyActiveUntil: overlapEndAfter([rotatedAt], deps.overlapDays)?.toISOString() } : {}),
    rotatedAt: rotatedAt.toISOString(),
  };
  const eventId = await putEvent(deps.eventBridge, deps.config, 'TenantCredentialsRotated', detail);
  deps.logger?.info('Announced the rotation', { secretName: secret.name, versionId: token, accessKeyId, eventId });
  return { accessKeyId, eventId };
}

