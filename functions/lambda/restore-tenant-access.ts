import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lambdaBase } from '../lib/handler';
import { lambdaRotationSchedule } from '../lib/rotation-schedule';
import { DynamoLedgerStore } from '../lib/ledger/dynamo-store';
import { s3ClientsByRegion } from '../lib/s3-clients';
import { restoreTenantAccessHandler } from '../restore-tenant-access';

// The Lambda entry serverless.yml names: its configuration and clients, made once at cold start.
const { config, logger } = lambdaBase();
const secretsManager = new SecretsManagerClient({});
export const handler = restoreTenantAccessHandler({ iam: new IAMClient({}), secretsManager, s3For: s3ClientsByRegion(), ledger: new DynamoLedgerStore(new DynamoDBClient({}), config.tenantLedgerTable), keyRotation: lambdaRotationSchedule(secretsManager, config, true), config, logger });
