import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { createTenantUserHandler } from '../create-tenant-user';
import { lambdaBase } from '../lib/handler';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = createTenantUserHandler({ iam: new IAMClient({}), ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable), config, logger });
