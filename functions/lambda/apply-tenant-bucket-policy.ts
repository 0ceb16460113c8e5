import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import { applyTenantBucketPolicyHandler } from '../apply-tenant-bucket-policy';
import { lambdaBase } from '../lib/handler';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';
import { s3ClientsByRegion } from '../lib/s3-clients';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start;
// S3 Control, which only an AccessDenied needs, is loaded and made on the first one.
const { config, logger } = lambdaBase();
let s3control: Promise<S3ControlClient> | undefined;
export const handler = applyTenantBucketPolicyHandler({
  s3For: s3ClientsByRegion(),
  s3control: () => (s3control ??= import('../lib/account-public-access').then(({ S3ControlClient }) => new S3ControlClient({}))),
  ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable),
  config,
  logger,
});
