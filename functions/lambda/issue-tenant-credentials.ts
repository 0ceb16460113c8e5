import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { issueTenantCredentialsHandler } from '../issue-tenant-credentials';
import { lambdaBase } from '../lib/handler';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
export const handler = issueTenantCredentialsHandler({ iam: new IAMClient({}), secretsManager: new SecretsManagerClient({}), ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable), config, logger });
