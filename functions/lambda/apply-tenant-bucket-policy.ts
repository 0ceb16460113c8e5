import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { applyTenantBucketPolicyHandler } from '../apply-tenant-bucket-policy';
import { lambdaBase } from '../lib/handler';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';
import { s3ClientsByRegion } from '../lib/s3-clients';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = applyTenantBucketPolicyHandler({ s3For: s3ClientsByRegion(), s3control: new S3ControlClient({}), ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable), config, logger });
