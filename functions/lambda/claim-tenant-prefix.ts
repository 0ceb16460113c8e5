import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { claimTenantPrefixHandler } from '../claim-tenant-prefix';
import { lambdaBase } from '../lib/handler';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';
import { s3ClientsByRegion } from '../lib/s3-clients';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = claimTenantPrefixHandler({ s3For: s3ClientsByRegion(), ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable), config, logger });
