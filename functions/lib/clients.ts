import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';

/**
 * SDK clients, created once per module and reused across invocations. Endpoints come from
 * the standard AWS settings (`AWS_REGION`, `AWS_ENDPOINT_URL`, …), so nothing here knows
 * whether it talks to AWS or to a local emulator.
 */
const s3ByRegion = new Map<string, S3Client>();

/** The S3 client for a tenant bucket's region (a bucket is addressed in its own region). */
export function s3For(region: string): S3Client {
  let client = s3ByRegion.get(region);
  if (!client) {
    client = new S3Client({ region, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
    s3ByRegion.set(region, client);
  }
  return client;
}

export const iam = new IAMClient({});
export const s3control = new S3ControlClient({});
export const secretsManager = new SecretsManagerClient({});
export const eventBridge = new EventBridgeClient({});
export const sfn = new SFNClient({});
